// What can become of a send and of a sent mail, in names the sender, the SES
// feedback, the stats and the guardrails share. Pure data.

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

/** Delivery status of one sent message, from SES events; only moves forward, bounce and complaint win. */
export type MessageStatus = 'sent' | 'delivered' | 'opened' | 'clicked' | 'soft_bounced' | 'bounced' | 'complained';

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
