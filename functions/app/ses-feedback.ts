// One SES event applied: the message record moves forward, the campaign's
// counters count it once, and the address is suppressed when it must be.
//
// Idempotent per (message, event key): the suppression writes come first and
// are idempotent themselves, then one transaction records the event's key on
// the message and adds the counters, on the condition that the key is new.
// A repeated or retried event therefore never counts twice, and a crash
// between the steps leaves the event to be applied whole by the retry.
import { ConflictError, HuitouError } from '../shared/errors';
import {
  afterSoftBounce,
  feedbackOf,
  nextStatus,
  type SesEvent,
  type SoftBounce,
} from '../domain/campaigns/ses-events';
import type { MessageRecord, MessageStatus, StatDeltas, SuppressionReason } from './campaign-ports';

export interface MessageEventStore {
  get(messageId: string): Promise<MessageRecord | undefined>;
  /**
   * Records an event on the message, once per key, in one transaction with
   * the campaign's counters: appends `{type: key, at}` to its events and sets
   * its status, if the key is new and the status is still the record's.
   * `conflict` when either changed meanwhile: read the record again.
   */
  recordEvent(input: {
    record: MessageRecord;
    key: string;
    at: string;
    status: MessageStatus;
    deltas: StatDeltas;
  }): Promise<'recorded' | 'conflict'>;
}

export interface AddressSuppressions {
  /** Suppresses the address for `reason` unless a reason as strong stands. */
  suppress(email: string, reason: SuppressionReason, at: string): Promise<void>;
  /** Keeps the address's recent soft bounces, and suppresses it (soft_bounces) when `decide` says so. */
  recordSoftBounce(
    email: string,
    decide: (recent: readonly SoftBounce[]) => ReturnType<typeof afterSoftBounce>,
  ): Promise<{ count: number; suppressed: boolean }>;
}

export interface SesFeedbackPorts {
  messages: MessageEventStore;
  suppressions: AddressSuppressions;
}

/**
 * A mail SES accepted is recorded just after SES answers, and its first
 * events can overtake that write: an event for an unknown message younger
 * than this is retried, an older one is dropped (mail huitou did not send
 * through the configuration set, or whose record is gone).
 */
export const unknownMessageGraceMs = 2 * 60_000;

/** The message of a young event is not recorded yet: retry the event later. */
export class MessageNotRecordedError extends HuitouError {}

export type FeedbackOutcome =
  | { outcome: 'recorded'; messageId: string; campaignId: string; key: string; status: MessageStatus }
  | { outcome: 'repeat'; messageId: string; key: string }
  | { outcome: 'unknown_message'; messageId: string };

const maxAttempts = 5;

export async function applySesEvent(ports: SesFeedbackPorts, event: SesEvent, now: Date): Promise<FeedbackOutcome> {
  const { messageId } = event.detail.mail;
  const feedback = feedbackOf(event);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const record = await ports.messages.get(messageId);
    if (!record) {
      if (now.getTime() - Date.parse(event.detail.mail.timestamp) < unknownMessageGraceMs) {
        throw new MessageNotRecordedError(`message ${messageId} is not recorded yet`);
      }
      return { outcome: 'unknown_message', messageId };
    }
    if (record.events.some((seen) => seen.type === feedback.key)) return { outcome: 'repeat', messageId, key: feedback.key };

    if (feedback.suppress) await ports.suppressions.suppress(record.email, feedback.suppress, feedback.at);
    if (feedback.softBounce) {
      const bounce = { messageId, at: feedback.at };
      await ports.suppressions.recordSoftBounce(record.email, (recent) => afterSoftBounce(recent, bounce, now));
    }

    const status = nextStatus(record.status, feedback.status);
    const deltas: StatDeltas = feedback.counter ? { [feedback.counter]: 1 } : {};
    const result = await ports.messages.recordEvent({ record, key: feedback.key, at: feedback.at, status, deltas });
    if (result === 'recorded') return { outcome: 'recorded', messageId, campaignId: record.campaignId, key: feedback.key, status };
    // Another delivery of this event, or another event of this message, came
    // first: read the record again (a repeat then shows in its events).
  }
  throw new ConflictError(`message ${messageId} kept changing; the event is retried`);
}
