// SES events as they reach the sesEvents queue, and what each one means for
// the message, the campaign's counters and the address. Pure.
//
// The configuration set publishes to EventBridge (lib/huitou-stack.ts); a
// rule sends the whole EventBridge event to SQS, so a queue message body is
// `{version, id, detail-type, source: "aws.ses", time, ..., detail}` and
// `detail` is SES's event record: `{eventType, mail: {messageId, ...},
// bounce | complaint | delivery | open | click | ...}`. Only the fields read
// here are checked; SES may add others.
import * as z from 'zod';
import type { MessageStatus, StatCounter, SuppressionReason } from './outcomes';

export const sesEventTypes = [
  'Send',
  'Delivery',
  'Bounce',
  'Complaint',
  'Open',
  'Click',
  'Reject',
  'Rendering Failure',
  'DeliveryDelay',
  'Subscription',
] as const;
export type SesEventType = (typeof sesEventTypes)[number];

export const sesEventSchema = z.object({
  id: z.string().min(1),
  source: z.literal('aws.ses'),
  detail: z.object({
    eventType: z.enum(sesEventTypes),
    mail: z.object({
      messageId: z.string().min(1).max(255),
      /** When SES accepted the mail (ISO 8601). */
      timestamp: z.iso.datetime({ offset: true }),
    }),
    bounce: z
      .object({ bounceType: z.enum(['Undetermined', 'Permanent', 'Transient']), timestamp: z.iso.datetime({ offset: true }) })
      .optional(),
    complaint: z
      .object({ timestamp: z.iso.datetime({ offset: true }), complaintFeedbackType: z.string().optional() })
      .optional(),
    delivery: z.object({ timestamp: z.iso.datetime({ offset: true }) }).optional(),
    open: z.object({ timestamp: z.iso.datetime({ offset: true }) }).optional(),
    click: z.object({ timestamp: z.iso.datetime({ offset: true }) }).optional(),
  }),
});
export type SesEvent = z.infer<typeof sesEventSchema>;

/** What one event does. `key` names it among the message's events: each key counts once per message. */
export interface Feedback {
  key: string;
  /** When it happened: the event's own time, else when SES accepted the mail. */
  at: string;
  status: MessageStatus | undefined;
  counter: StatCounter | undefined;
  /** Suppress the address at once, for this reason. */
  suppress: SuppressionReason | undefined;
  /** A soft bounce, counted towards `soft_bounces`. */
  softBounce: boolean;
}

export function feedbackOf(event: SesEvent): Feedback {
  const { detail } = event;
  const base: Feedback = {
    key: detail.eventType,
    at: detail.mail.timestamp,
    status: undefined,
    counter: undefined,
    suppress: undefined,
    softBounce: false,
  };
  switch (detail.eventType) {
    case 'Delivery':
      return { ...base, at: detail.delivery?.timestamp ?? base.at, status: 'delivered', counter: 'delivered' };
    case 'Open':
      return { ...base, at: detail.open?.timestamp ?? base.at, status: 'opened', counter: 'opened' };
    case 'Click':
      return { ...base, at: detail.click?.timestamp ?? base.at, status: 'clicked', counter: 'clicked' };
    case 'Bounce': {
      const at = detail.bounce?.timestamp ?? base.at;
      // SES retries a soft bounce before it reports one; Undetermined is not
      // proof the address is gone, so it counts as soft too.
      if (detail.bounce?.bounceType === 'Permanent') {
        return { ...base, at, status: 'bounced', counter: 'bounced', suppress: 'hard_bounce' };
      }
      return { ...base, at, status: 'soft_bounced', softBounce: true };
    }
    case 'Complaint': {
      // A mailbox provider's `not-spam` report withdraws a complaint: it is recorded, nothing more.
      const withdrawn = detail.complaint?.complaintFeedbackType === 'not-spam';
      return withdrawn
        ? { ...base, key: 'Complaint:not-spam', at: detail.complaint?.timestamp ?? base.at }
        : { ...base, at: detail.complaint?.timestamp ?? base.at, status: 'complained', counter: 'complained', suppress: 'complaint' };
    }
    default:
      return base;
  }
}

/** Order of the statuses: a message moves up only; bounce and complaint win over anything before. */
const statusRank: Record<MessageStatus, number> = {
  sent: 0,
  delivered: 1,
  opened: 2,
  clicked: 3,
  soft_bounced: 4,
  bounced: 5,
  complained: 6,
};

/** The status after an event: the later of the two in statusRank, never an earlier one. */
export function nextStatus(current: MessageStatus, incoming: MessageStatus | undefined): MessageStatus {
  if (incoming === undefined) return current;
  return statusRank[incoming] > statusRank[current] ? incoming : current;
}

/** Soft bounces within this many days count towards suppression. */
export const softBounceWindowDays = 30;
/** This many soft bounces within the window suppress the address (reason soft_bounces). */
export const softBounceLimit = 3;

export interface SoftBounce {
  messageId: string;
  at: string;
}

/**
 * The soft bounces of an address after one more: the recent ones within the
 * window (a repeat of a message already counted changes nothing), and
 * whether they reach the limit.
 */
export function afterSoftBounce(
  recent: readonly SoftBounce[],
  bounce: SoftBounce,
  now: Date,
): { recent: SoftBounce[]; count: number; suppress: boolean } {
  const since = now.getTime() - softBounceWindowDays * 86_400_000;
  const kept = recent.filter((entry) => Date.parse(entry.at) >= since && entry.messageId !== bounce.messageId);
  const next = Date.parse(bounce.at) >= since ? [...kept, bounce] : kept;
  next.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return { recent: next, count: next.length, suppress: next.length >= softBounceLimit };
}

/**
 * The reasons a new suppression may replace: the weaker ones, in the order
 * unsubscribe (marketing only) < staff < soft_bounces < hard_bounce and
 * complaint (the address is gone, or its owner called the mail spam). Between
 * equals the first reason stands.
 */
export function replaceableBy(reason: SuppressionReason): SuppressionReason[] {
  switch (reason) {
    case 'complaint':
    case 'hard_bounce':
      return ['unsubscribe', 'staff', 'soft_bounces'];
    case 'soft_bounces':
      return ['unsubscribe', 'staff'];
    case 'staff':
      return ['unsubscribe'];
    case 'unsubscribe':
      return [];
  }
}
