// What the use cases need from storage. The DynamoDB adapter implements it for
// real; unit tests pass an in-memory one.
import type { CodeChange, Counters, CustomerProfile, DayChange, PurchaseDay } from './customers';
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
  /**
   * The customer's new profile, and the purchase-day and discount-code items
   * the order moves, all written in the same transaction. Each item is
   * conditioned on the state it was read in, as the profile is on its rev.
   */
  profile?:
    | { next: CustomerProfile; expectedRev: number; days: DayChange[]; codes: CodeChange[] }
    | undefined;
}

/** How many counted orders used a discount code. */
export interface CodeUse {
  code: string;
  orders: number;
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
  /** The named purchase days and code counts of a customer, strongly consistent. */
  getCounters(customerId: string, keys: { days: string[]; codes: string[] }): Promise<Counters>;
  /**
   * The customer's purchase days in day order (newest first if asked),
   * strongly consistent; all of them unless `limit`. Scoring reads repeat
   * purchases and first and last purchase days from here.
   */
  listPurchaseDays(customerId: string, options?: { newestFirst?: boolean; limit?: number }): Promise<PurchaseDay[]>;
  /** The codes the customer's counted orders used, by code. */
  listDiscountCodes(customerId: string): Promise<CodeUse[]>;
  /** Atomic. Throws ConflictError when the order or profile moved since they were read. */
  saveOrder(write: OrderWrite): Promise<void>;
  /** Throws ConflictError when the profile moved since it was read. */
  saveProfile(next: CustomerProfile, expectedRev: number): Promise<void>;
}
