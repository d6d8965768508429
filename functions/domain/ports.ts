// What the use cases need from storage. The DynamoDB adapter implements it for
// real; unit tests pass an in-memory one.
import type { CustomerProfile } from './customers';
import type { CustomerFacts, PrivacySubject } from './model';
import type { OrderRecord } from './orders';

/** Where a change came from: kept on the order for tracing, never used for dedupe. */
export interface DeliveryRef {
  deliveryId: string;
  eventId?: string | undefined;
  topic: string;
  receivedAt: string;
}

export interface OrderWrite {
  order: OrderRecord;
  /** The stored order this write replaces; the write fails if it changed meanwhile. */
  previous: OrderRecord | undefined;
  delivery: DeliveryRef;
  /** The payload as the store sent it; kept (compressed) until a privacy request erases it. */
  raw?: Uint8Array | undefined;
  /** The customer's new profile, written in the same transaction. */
  profile?: { next: CustomerProfile; expectedRev: number } | undefined;
}

export interface CustomerRepository {
  /**
   * The customer these facts belong to: by channel customer id, then email,
   * then phone (only for facts without an email). Creates one (and claims its identities) when none matches;
   * two racing first orders end up with the same customer. Undefined when the
   * facts identify nobody (an anonymous order). A new customer is created at `now`.
   */
  resolveCustomer(channelId: string, facts: CustomerFacts, now: string): Promise<string | undefined>;
  /** Like resolveCustomer, but never creates. */
  findCustomer(channelId: string, subject: PrivacySubject): Promise<string | undefined>;
  getOrder(channelId: string, orderId: string): Promise<OrderRecord | undefined>;
  getProfile(customerId: string): Promise<CustomerProfile | undefined>;
  /** Atomic. Throws ConflictError when the order or profile moved since they were read. */
  saveOrder(write: OrderWrite): Promise<void>;
  /** Throws ConflictError when the profile moved since it was read. */
  saveProfile(next: CustomerProfile, expectedRev: number): Promise<void>;
}
