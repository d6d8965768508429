// What the campaign flows (matcher, sender, SES feedback, unsubscribe,
// attribution, admin) share: the mail and coupon ports, the send record, the
// suppression and the campaign counters behind `/admin/campaigns/{id}/stats`.
// Adapters implement the ports; unit tests pass in-memory ones.
import type { CouponRequest } from '../domain/campaigns/coupon-requests';
import type { MessageStatus, StatDeltas, SuppressionReason } from '../domain/campaigns/outcomes';

export {
  dropReasons,
  statCounters,
  type DropReason,
  type MessageStatus,
  type StatCounter,
  type StatDeltas,
  type SuppressionReason,
} from '../domain/campaigns/outcomes';

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

export interface Suppression {
  reason: SuppressionReason;
  at: string;
}

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

export interface CampaignStatsStore {
  add(campaignId: string, deltas: StatDeltas): Promise<void>;
  read(campaignId: string): Promise<Record<string, number>>;
}
