// What the campaign flows (matcher, sender, SES feedback, unsubscribe,
// attribution, admin) share: the mail and coupon ports, the send record, the
// suppression and the campaign counters behind `/admin/campaigns/{id}/stats`.
// Adapters implement the ports; unit tests pass in-memory ones.
import type { CouponRequest } from '../domain/campaigns/coupon-requests';

/** What a provider must create at the store (defined with the requests built from it). */
export type { CouponRequest };

/** One email as huitou sends it; the mailer adds nothing but transport. */
export interface OutgoingMail {
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post. */
  headers: readonly { name: string; value: string }[];
  /** SES configuration set whose event destination feeds the feedback queue. */
  configurationSet: string;
  /** Opaque SES message tags (names and values: letters, digits, _ and -). */
  tags: Readonly<Record<string, string>>;
}

export interface Mailer {
  /** Sends one mail; resolves to the SES message id once SES has accepted it. */
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}

export interface IssuedCoupon {
  code: string;
  /** The platform's id of what was created (price rule, discount node, coupon, promotion). */
  platformId: string | null;
}

export interface CouponProvider {
  /**
   * Creates the code at the store. Must be safe to call again with the same
   * code after a crash: a code that already exists there is returned, not an error.
   */
  create(request: CouponRequest): Promise<IssuedCoupon>;
}

/** Why a send did not reach the mailer; the counters of `suppressed` in the stats. */
export const dropReasons = [
  'no_email',
  'not_in_audience',
  'already_received',
  'no_consent',
  'suppressed',
  'open_complaint',
  'frequency_cap',
  /** A coupon campaign, and none of the customer's stores has coupons set up. */
  'no_coupon_provider',
  /** The store refused to create the code (credentials, validation): no retry would change it. */
  'coupon_rejected',
] as const;
export type DropReason = (typeof dropReasons)[number];

/** Why an address is suppressed. `unsubscribe` blocks marketing only; bounce and complaint block all mail. */
export type SuppressionReason = 'hard_bounce' | 'soft_bounces' | 'complaint' | 'unsubscribe' | 'staff';

export interface Suppression {
  reason: SuppressionReason;
  at: string;
}

/** Delivery status of one sent message, from SES events; only moves forward, bounce and complaint win. */
export type MessageStatus = 'sent' | 'delivered' | 'opened' | 'clicked' | 'soft_bounced' | 'bounced' | 'complained';

/** One mail SES accepted, found again by its SES message id when events come back. */
export interface MessageRecord {
  messageId: string;
  campaignId: string;
  customerId: string;
  /** The address the mail went to. */
  email: string;
  sentAt: string;
  status: MessageStatus;
  /** Events seen, newest last (type and time), bounded. */
  events: { type: string; at: string }[];
}

/**
 * Counters of one campaign, each moved by an atomic ADD by the flow that
 * sees it happen (sender, SES feedback, unsubscribe, attribution).
 */
export const statCounters = [
  'sent',
  'holdout',
  'delivered',
  'bounced',
  'complained',
  'opened',
  'clicked',
  'unsubscribed',
  'redeemed',
  'revenueMinor',
  /** Sent customers who ordered within the attribution window. */
  'convertedTreated',
  /** Holdout customers who ordered within the attribution window. */
  'convertedHoldout',
  /** A retry found a send that may or may not have been mailed: never mailed again. */
  'unconfirmed',
] as const;
export type StatCounter = (typeof statCounters)[number] | `suppressed.${DropReason}`;
export type StatDeltas = Partial<Record<StatCounter, number>>;

export interface CampaignStatsStore {
  add(campaignId: string, deltas: StatDeltas): Promise<void>;
  read(campaignId: string): Promise<Record<string, number>>;
}
