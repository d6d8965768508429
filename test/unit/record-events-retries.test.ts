import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CustomerProfile } from '../../functions/domain/customers';
import { maxAttempts, realBackoff, recordCustomerFacts, recordOrderChange, type Backoff } from '../../functions/app/record-events';
import { ConflictError } from '../../functions/shared/errors';
import { anOrder, aRefund } from '../support/builders';
import { MemoryRepository } from '../support/memory-repository';

const delivery = { deliveryId: 'd1', topic: 'orders/create', receivedAt: '2026-03-01T15:00:00Z' };
const now = '2026-03-05T00:00:00.000Z';
const later = '2026-03-06T00:00:00.000Z';
const raw = new TextEncoder().encode('{"id":1001}');

/** A repository whose next `n` saves lose a race. */
class ContendedRepository extends MemoryRepository {
  losses = 0;
  saves = 0;

  override async saveOrder(...args: Parameters<MemoryRepository['saveOrder']>): Promise<void> {
    this.saves += 1;
    if (this.losses > 0) {
      this.losses -= 1;
      throw new ConflictError('order moved');
    }
    return super.saveOrder(...args);
  }

  override async saveProfile(next: CustomerProfile, expectedRev: number): Promise<void> {
    this.saves += 1;
    if (this.losses > 0) {
      this.losses -= 1;
      throw new ConflictError('profile moved');
    }
    return super.saveProfile(next, expectedRev);
  }
}

describe('Use case: recordOrderChange, outcomes and what it keeps', () => {
  it('answers created for a new order, updated for a change and unchanged for a copy', async () => {
    const repo = new MemoryRepository();
    const order = anOrder();
    const record = (o = order) => recordOrderChange(repo, { platform: 'shopify', change: { kind: 'order', order: o }, delivery, now });

    expect(await record()).toBe('created');
    expect(await record()).toBe('unchanged');
    expect(await record(anOrder({ updatedAt: '2026-03-02T00:00:00Z', totalMinor: 1 }))).toBe('updated');
  });

  it('keeps the raw payload of an order, and none of a refund', async () => {
    const repo = new MemoryRepository();

    await recordOrderChange(repo, { platform: 'shopify', change: { kind: 'order', order: anOrder() }, delivery, raw, now });
    await recordOrderChange(repo, {
      platform: 'shopify',
      change: { kind: 'refund', refund: aRefund({ orderId: '2002' }) },
      delivery,
      raw,
      now,
    });

    expect([...repo.raws.keys()]).toEqual(['ch_shop#1001']);
  });

  it('links the order to its customer and dates the profile by the processing time', async () => {
    const repo = new MemoryRepository();

    await recordOrderChange(repo, { platform: 'shopify', change: { kind: 'order', order: anOrder() }, delivery, now });
    await recordOrderChange(repo, {
      platform: 'shopify',
      change: { kind: 'refund', refund: aRefund() },
      delivery,
      now: later,
    });

    const order = repo.orders.get('ch_shop#1001')!;
    const profile = repo.profiles.get(order.customerId!)!;
    expect(profile).toMatchObject({ createdAt: now, updatedAt: later, email: 'ada@example.com', factsAt: anOrder().updatedAt });
    expect(profile.figures).toMatchObject({ orders: 1, refundedMinor: 1000, netMinor: 4000 });
  });

  it('takes the facts of an order into the profile only from an order', async () => {
    const repo = new MemoryRepository();
    await recordOrderChange(repo, { platform: 'shopify', change: { kind: 'order', order: anOrder() }, delivery, now });

    await recordOrderChange(repo, {
      platform: 'shopify',
      change: { kind: 'order', order: anOrder({ updatedAt: '2026-03-09T00:00:00Z', customer: { channelCustomerId: '42', firstName: 'Augusta' } }) },
      delivery,
      now,
    });

    expect([...repo.profiles.values()][0]).toMatchObject({ firstName: 'Augusta', lastName: 'Lovelace' });
  });
});

describe('Use case: recordCustomerFacts', () => {
  it('does nothing for facts that identify nobody', async () => {
    const repo = new MemoryRepository();

    expect(await recordCustomerFacts(repo, { channelId: 'ch_shop', facts: { firstName: 'Ada' }, observedAt: now, now })).toBe(
      'unchanged',
    );
    expect(repo.profiles.size).toBe(0);
  });

  it('updates the profile, dated by the processing time, when the facts change it', async () => {
    const repo = new MemoryRepository();
    const facts = { email: 'ada@example.com', firstName: 'Ada' };
    await recordCustomerFacts(repo, { channelId: 'ch_shop', facts, observedAt: now, now });

    const outcome = await recordCustomerFacts(repo, {
      channelId: 'ch_shop',
      facts: { ...facts, firstName: 'Augusta' },
      observedAt: later,
      now: later,
    });

    expect(outcome).toBe('updated');
    expect([...repo.profiles.values()][0]).toMatchObject({ firstName: 'Augusta', updatedAt: later, createdAt: now });
  });

  it('answers unchanged, and writes nothing, for facts the profile already holds', async () => {
    const repo = new MemoryRepository();
    const facts = { email: 'ada@example.com', firstName: 'Ada' };
    await recordCustomerFacts(repo, { channelId: 'ch_shop', facts, observedAt: now, now });
    const before = structuredClone([...repo.profiles.values()][0]);

    expect(await recordCustomerFacts(repo, { channelId: 'ch_shop', facts, observedAt: now, now: later })).toBe('unchanged');
    expect([...repo.profiles.values()][0]).toEqual(before);
  });
});

describe('Retries after a lost race', () => {
  /** Waits nowhere: records each delay and draws the middle of the jitter range. */
  function recordingBackoff(): Backoff & { delays: number[] } {
    const delays: number[] = [];
    return { delays, sleep: async (ms) => void delays.push(ms), random: () => 0.5 };
  }

  it('tries again, with full jitter that doubles up to a second, until the write goes through', async () => {
    const repo = new ContendedRepository();
    repo.losses = 3;
    const backoff = recordingBackoff();

    const outcome = await recordOrderChange(repo, { platform: 'shopify', change: { kind: 'order', order: anOrder() }, delivery, now }, backoff);

    expect(outcome).toBe('created');
    expect(backoff.delays).toEqual([5, 10, 20]);
    expect([...repo.profiles.values()][0]!.figures.orders).toBe(1);
  });

  it(`gives up after ${maxAttempts} lost races with a ConflictError that keeps the last one`, async () => {
    const repo = new ContendedRepository();
    repo.losses = 100;
    const backoff = recordingBackoff();

    const error = await recordOrderChange(repo, { platform: 'shopify', change: { kind: 'order', order: anOrder() }, delivery, now }, backoff).then(
      () => undefined,
      (reason: unknown) => reason,
    );

    expect(maxAttempts).toBe(8);
    expect(repo.saves).toBe(8);
    expect(backoff.delays).toEqual([5, 10, 20, 40, 80, 160, 320, 500]);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toBe('still contended after 8 attempts');
    expect((error as ConflictError).cause).toBeInstanceOf(ConflictError);
    expect(((error as ConflictError).cause as Error).message).toBe('order moved');
  });

  it('does not retry an error other than a lost race', async () => {
    const repo = new MemoryRepository();
    let reads = 0;
    repo.getOrder = async () => {
      reads += 1;
      throw new Error('table gone');
    };
    const backoff = recordingBackoff();

    await expect(
      recordOrderChange(repo, { platform: 'shopify', change: { kind: 'order', order: anOrder() }, delivery, now }, backoff),
    ).rejects.toThrow('table gone');
    expect(reads).toBe(1);
    expect(backoff.delays).toEqual([]);
  });

  it('retries the facts of a person when the profile moved meanwhile', async () => {
    const repo = new ContendedRepository();
    await recordCustomerFacts(repo, { channelId: 'ch_shop', facts: { email: 'ada@example.com' }, observedAt: now, now }, recordingBackoff());
    repo.losses = 2;
    const backoff = recordingBackoff();

    const outcome = await recordCustomerFacts(
      repo,
      { channelId: 'ch_shop', facts: { email: 'ada@example.com', firstName: 'Ada' }, observedAt: later, now: later },
      backoff,
    );

    expect(outcome).toBe('updated');
    expect(backoff.delays).toEqual([5, 10]);
    expect([...repo.profiles.values()][0]!.firstName).toBe('Ada');
  });

  it('names the customer whose profile never appeared when it gives up', async () => {
    const repo = new MemoryRepository();
    repo.getProfile = async () => undefined;

    await expect(
      recordOrderChange(repo, { platform: 'shopify', change: { kind: 'order', order: anOrder() }, delivery, now }, recordingBackoff()),
    ).rejects.toMatchObject({ cause: { message: 'customer cus_1 has no profile yet' } });
  });

  it('waits for the profile of a person whose facts arrive first', async () => {
    const repo = new MemoryRepository();
    const getProfile = repo.getProfile.bind(repo);
    let misses = 1;
    repo.getProfile = async (id) => (misses-- > 0 ? undefined : getProfile(id));
    const backoff = recordingBackoff();

    const outcome = await recordCustomerFacts(
      repo,
      { channelId: 'ch_shop', facts: { email: 'ada@example.com', firstName: 'Ada' }, observedAt: now, now },
      backoff,
    );

    expect(outcome).toBe('updated');
    expect(backoff.delays).toEqual([5]);
  });

  it('waits for a profile that another writer has not created yet', async () => {
    const repo = new MemoryRepository();
    const getProfile = repo.getProfile.bind(repo);
    let misses = 1;
    repo.getProfile = async (id) => (misses-- > 0 ? undefined : getProfile(id));
    const backoff = recordingBackoff();

    const outcome = await recordOrderChange(repo, { platform: 'shopify', change: { kind: 'order', order: anOrder() }, delivery, now }, backoff);

    expect(outcome).toBe('created');
    expect(backoff.delays).toEqual([5]);
  });
});

describe('The real backoff', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits the delay it is given before it resolves', async () => {
    vi.useFakeTimers();
    let done = false;
    const waiting = realBackoff.sleep(50).then(() => {
      done = true;
    });

    await vi.advanceTimersByTimeAsync(49);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });
});

describe('Use case: recordOrderChange, edges of the figures', () => {
  it('dates the last order from the newest days left when the latest order is cancelled, however long the history', async () => {
    const repo = new MemoryRepository();
    const days = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05', '2026-01-06'];
    for (const [i, day] of days.entries()) {
      await recordOrderChange(repo, {
        platform: 'shopify',
        change: { kind: 'order', order: anOrder({ orderId: String(i + 1), placedAt: `${day}T10:00:00Z`, placedDay: day, updatedAt: `${day}T10:00:00Z` }) },
        delivery,
        now,
      });
    }

    await recordOrderChange(repo, {
      platform: 'shopify',
      change: {
        kind: 'order',
        order: anOrder({ orderId: '6', placedAt: '2026-01-06T10:00:00Z', placedDay: '2026-01-06', updatedAt: '2026-01-07T00:00:00Z', status: 'cancelled' }),
      },
      delivery,
      now,
    });

    expect([...repo.profiles.values()][0]!.figures).toMatchObject({
      orders: 5,
      firstOrderAt: '2026-01-01T10:00:00.000Z',
      lastOrderAt: '2026-01-05T10:00:00.000Z',
    });
  });

  it('keeps the customer of an order whose newer version names nobody, and their details', async () => {
    const repo = new MemoryRepository();
    await recordOrderChange(repo, { platform: 'shopify', change: { kind: 'order', order: anOrder() }, delivery, now });

    const outcome = await recordOrderChange(repo, {
      platform: 'shopify',
      change: { kind: 'order', order: anOrder({ updatedAt: '2026-03-09T00:00:00Z', totalMinor: 6000, customer: undefined }) },
      delivery,
      now,
    });

    expect(outcome).toBe('updated');
    expect([...repo.profiles.values()][0]).toMatchObject({ email: 'ada@example.com', figures: { grossMinor: 6000 } });
  });

  it('names the person whose profile never appeared when their facts give up', async () => {
    const repo = new MemoryRepository();
    repo.getProfile = async () => undefined;

    await expect(
      recordCustomerFacts(repo, { channelId: 'ch_shop', facts: { email: 'ada@example.com' }, observedAt: now, now }, { sleep: async () => undefined, random: () => 0 }),
    ).rejects.toMatchObject({ cause: { message: 'customer cus_1 has no profile yet' } });
  });
});
