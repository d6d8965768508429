import { describe, expect, it } from 'vitest';
import { listComplaints, logComplaint, resolveComplaint, type Complaint, type ComplaintStore } from '../../functions/app/complaints';
import { NotFoundError } from '../../functions/shared/errors';

/** Complaints as the customer's partition holds them; resolving keeps the first resolvedAt, as the adapter does. */
class MemoryComplaints implements ComplaintStore {
  readonly stored = new Map<string, Complaint>();
  resolves = 0;
  constructor(private readonly customers: readonly string[]) {}

  async customerExists(customerId: string): Promise<boolean> {
    return this.customers.includes(customerId);
  }
  async add(complaint: Complaint): Promise<void> {
    this.stored.set(`${complaint.customerId}/${complaint.id}`, { ...complaint });
  }
  async get(customerId: string, complaintId: string): Promise<Complaint | undefined> {
    const found = this.stored.get(`${customerId}/${complaintId}`);
    return found && { ...found };
  }
  async list(customerId: string): Promise<Complaint[]> {
    return [...this.stored.values()].filter((c) => c.customerId === customerId);
  }
  async resolve(customerId: string, complaintId: string, at: string): Promise<Complaint> {
    this.resolves += 1;
    const complaint = this.stored.get(`${customerId}/${complaintId}`)!;
    complaint.status = 'resolved';
    complaint.resolvedAt ??= at;
    return { ...complaint };
  }
}

const loggedAt = new Date('2026-04-01T08:00:00.000Z');
const resolvedAt = new Date('2026-04-03T16:00:00.000Z');

function ports() {
  let n = 0;
  return { complaints: new MemoryComplaints(['cus_01', 'cus_02']), now: () => loggedAt, newId: () => `cpl_0${++n}` };
}

describe('logComplaint', () => {
  it('stores an open complaint with a new id, the note and the time, and answers it', async () => {
    const p = ports();

    const complaint = await logComplaint(p, 'cus_01', 'Parcel arrived broken');

    expect(complaint).toEqual({ id: 'cpl_01', customerId: 'cus_01', status: 'open', note: 'Parcel arrived broken', createdAt: loggedAt.toISOString() });
    expect(await p.complaints.get('cus_01', 'cpl_01')).toEqual(complaint);
  });

  it('answers NotFoundError for an unknown customer and stores nothing', async () => {
    const p = ports();

    await expect(logComplaint(p, 'cus_99', 'x')).rejects.toThrow(new NotFoundError('no customer cus_99'));
    expect(p.complaints.stored.size).toBe(0);
  });
});

describe('listComplaints', () => {
  it("answers the customer's complaints only", async () => {
    const p = ports();
    await logComplaint(p, 'cus_01', 'first');
    await logComplaint(p, 'cus_02', 'someone else');
    await logComplaint(p, 'cus_01', 'second');

    const listed = await listComplaints(p.complaints, 'cus_01');

    expect(listed.map((c) => c.note)).toEqual(['first', 'second']);
  });

  it('answers NotFoundError for an unknown customer', async () => {
    await expect(listComplaints(ports().complaints, 'cus_99')).rejects.toThrow(NotFoundError);
  });
});

describe('resolveComplaint', () => {
  it('marks an open complaint resolved at the time it is resolved', async () => {
    const p = ports();
    await logComplaint(p, 'cus_01', 'late');

    const resolved = await resolveComplaint({ ...p, now: () => resolvedAt }, 'cus_01', 'cpl_01');

    expect(resolved).toEqual({
      id: 'cpl_01',
      customerId: 'cus_01',
      status: 'resolved',
      note: 'late',
      createdAt: loggedAt.toISOString(),
      resolvedAt: resolvedAt.toISOString(),
    });
    expect(await p.complaints.get('cus_01', 'cpl_01')).toEqual(resolved);
  });

  it('answers a resolved complaint as it is, without writing again', async () => {
    const p = ports();
    await logComplaint(p, 'cus_01', 'late');
    const first = await resolveComplaint({ ...p, now: () => resolvedAt }, 'cus_01', 'cpl_01');

    const again = await resolveComplaint({ ...p, now: () => new Date('2026-05-01T00:00:00.000Z') }, 'cus_01', 'cpl_01');

    expect(again).toEqual(first);
    expect(p.complaints.resolves).toBe(1);
  });

  it("answers NotFoundError for an unknown complaint, and for another customer's", async () => {
    const p = ports();
    await logComplaint(p, 'cus_01', 'late');

    await expect(resolveComplaint(p, 'cus_01', 'cpl_09')).rejects.toThrow(new NotFoundError('no complaint cpl_09 of customer cus_01'));
    await expect(resolveComplaint(p, 'cus_02', 'cpl_01')).rejects.toThrow(NotFoundError);
  });
});
