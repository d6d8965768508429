// The one order and customer model every marketplace payload is normalized into.
// Pure types: no AWS, no I/O.

export const platforms = ['shopify', 'woocommerce', 'bigcommerce', 'standard'] as const;
export type Platform = (typeof platforms)[number];

export type ConsentState = 'subscribed' | 'unsubscribed' | 'unknown';

export interface EmailConsent {
  state: ConsentState;
  /** ISO 8601; when the customer gave or withdrew consent, if the source says. */
  at?: string | undefined;
}

export interface Address {
  name?: string | undefined;
  company?: string | undefined;
  address1?: string | undefined;
  address2?: string | undefined;
  city?: string | undefined;
  province?: string | undefined;
  zip?: string | undefined;
  country?: string | undefined;
  phone?: string | undefined;
}

/** What one payload tells us about the person behind it. */
export interface CustomerFacts {
  /** The platform's own customer id; absent for guests. */
  channelCustomerId?: string | undefined;
  /** Normalized: trimmed, lower case. */
  email?: string | undefined;
  /** Normalized: E.164-like, digits with a leading +. */
  phone?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  consent?: EmailConsent | undefined;
  addresses?: Address[] | undefined;
}

/**
 * open: a real order that counts. cancelled/failed/deleted: kept, never counted.
 * Test orders keep their status and carry `test: true`.
 */
export type OrderStatus = 'open' | 'cancelled' | 'failed' | 'deleted';

/** One product line of an order, as campaigns read it (audiences by SKU, products in a message). */
export interface LineItem {
  sku?: string | undefined;
  /** The product's name as the store shows it. */
  title: string;
  quantity: number;
}

export interface NormalizedOrder {
  channelId: string;
  platform: Platform;
  /** The platform's order id, as a string. */
  orderId: string;
  /** What staff see in the store admin (#1001). */
  orderNumber?: string | undefined;
  /** ISO 8601 as the platform sent it (with its offset). */
  placedAt: string;
  /** YYYY-MM-DD of placedAt in the store's own offset: one purchase day. */
  placedDay: string;
  /** ISO 8601; orders the versions of one order. */
  updatedAt: string;
  status: OrderStatus;
  test: boolean;
  /** Shop currency (ISO 4217); all amounts below are in its minor units. */
  currency: string;
  totalMinor: number;
  /** Refund id -> amount in minor units. Keyed, so a refund seen twice counts once. */
  refunds: Record<string, number>;
  discountCodes: string[];
  /** Absent when the source says nothing of the lines (an export without line columns). */
  lineItems?: LineItem[] | undefined;
  customer: CustomerFacts;
}

export interface NormalizedRefund {
  channelId: string;
  orderId: string;
  refundId: string;
  amountMinor: number;
  currency: string;
  createdAt: string;
}

export interface PrivacySubject {
  channelCustomerId?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  orderIds: string[];
}

/** What a webhook means, once normalized. The processor acts on each kind. */
export type ChannelEvent =
  | { kind: 'order'; order: NormalizedOrder }
  | { kind: 'refund'; refund: NormalizedRefund }
  /** An order that left the store (WooCommerce trash) or came back (restore). */
  | { kind: 'order-removed'; channelId: string; orderId: string; updatedAt: string }
  | { kind: 'customer'; channelId: string; updatedAt: string; customer: CustomerFacts }
  /** BigCommerce sends ids only: the processor fetches the resource. */
  | { kind: 'fetch-order'; channelId: string; orderId: string }
  | { kind: 'fetch-customer'; channelId: string; customerId: string }
  | { kind: 'redact-customer'; channelId: string; subject: PrivacySubject }
  | { kind: 'data-request'; channelId: string; requestId: string; subject: PrivacySubject }
  | { kind: 'redact-shop'; channelId: string }
  /** A topic that carries nothing huitou keeps (for example a ping). */
  | { kind: 'ignored'; reason: string };
