// A customer complained to the store: staff log it, and while it is open the
// customer gets no promotion (the sender asks hasOpenComplaint). Written
// against a ComplaintStore port; the DynamoDB adapter only reads and writes.
import { NotFoundError } from '../shared/errors';

export interface Complaint {
  id: string;
  customerId: string;
  status: 'open' | 'resolved';
  note: string;
  createdAt: string;
  resolvedAt?: string | undefined;
}

export interface ComplaintStore {
  /** Whether the customer exists: complaints are only logged against a known customer. */
  customerExists(customerId: string): Promise<boolean>;
  add(complaint: Complaint): Promise<void>;
  /** Strongly consistent. */
  get(customerId: string, complaintId: string): Promise<Complaint | undefined>;
  /** The customer's complaints, oldest first. */
  list(customerId: string): Promise<Complaint[]>;
  /** Marks the complaint resolved at `at` (one resolved meanwhile keeps its first resolvedAt), and answers it as stored. */
  resolve(customerId: string, complaintId: string, at: string): Promise<Complaint>;
}

export interface ComplaintPorts {
  complaints: ComplaintStore;
  now: () => Date;
  newId: () => string;
}

async function requireCustomer(complaints: Pick<ComplaintStore, 'customerExists'>, customerId: string): Promise<void> {
  if (!(await complaints.customerExists(customerId))) throw new NotFoundError(`no customer ${customerId}`);
}

export async function logComplaint(ports: ComplaintPorts, customerId: string, note: string): Promise<Complaint> {
  await requireCustomer(ports.complaints, customerId);
  const complaint: Complaint = { id: ports.newId(), customerId, status: 'open', note, createdAt: ports.now().toISOString() };
  await ports.complaints.add(complaint);
  return complaint;
}

export async function listComplaints(complaints: Pick<ComplaintStore, 'customerExists' | 'list'>, customerId: string): Promise<Complaint[]> {
  await requireCustomer(complaints, customerId);
  return complaints.list(customerId);
}

/** Resolving twice is no error: the complaint stays resolved as it first was. */
export async function resolveComplaint(
  ports: Omit<ComplaintPorts, 'newId'>,
  customerId: string,
  complaintId: string,
): Promise<Complaint> {
  const complaint = await ports.complaints.get(customerId, complaintId);
  if (!complaint) throw new NotFoundError(`no complaint ${complaintId} of customer ${customerId}`);
  if (complaint.status === 'resolved') return complaint;
  return ports.complaints.resolve(customerId, complaintId, ports.now().toISOString());
}
