// Deliveries that keep failing: each failure is logged with its reason and
// remembered, so staff see what is in a dead-letter queue and why, and can
// send it back once the cause is fixed.
import { createHash } from 'node:crypto';
import type { QueueName } from '../../lib/resources';
import { logger } from '../shared/observability';

/** One queued delivery's failures; `dead` once the queue gave up on it and moved it to its DLQ. */
export interface DeliveryFailure {
  id: string;
  queue: QueueName;
  channelId: string | null;
  deliveryId: string | null;
  firstFailedAt: string;
  lastFailedAt: string;
  receiveCount: number;
  reason: string;
  dead: boolean;
}

/** One failed attempt, as reported to the store. */
export type FailureReport = Omit<DeliveryFailure, 'firstFailedAt' | 'lastFailedAt'> & { failedAt: string };

export interface FailureStore {
  /** Records one more failure; keeps the first failure time. */
  recordFailure(failure: FailureReport): Promise<void>;
  /** Forgets failures: a delivery that went through, or one sent back for another try. */
  forget(ids: readonly string[]): Promise<void>;
}

/** A message taken off a dead-letter queue, still there until `remove`. */
export interface DeadMessage {
  body: string;
  /** The failure it belongs to, when its body names the delivery. */
  failureId: string | undefined;
}

export interface DeadLetterQueue {
  /** Up to 10 messages, hidden from other readers for a while. */
  take(): Promise<DeadMessage[]>;
  /** Puts the bodies back on the source queue. */
  sendBack(messages: readonly DeadMessage[]): Promise<void>;
  remove(messages: readonly DeadMessage[]): Promise<void>;
}

/** Longest reason kept: enough for an error name and message, never a payload. */
export const maxReasonLength = 500;

/** The reason of a failure as logged and shown: the error's name and message, nothing it carries. */
export function failureReason(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : `Error: ${String(error)}`;
  return text.length > maxReasonLength ? `${text.slice(0, maxReasonLength - 1)}…` : text;
}

/**
 * Moves every message of a dead-letter queue back to its source queue and
 * forgets their failures, until the queue is empty or the time is up (the
 * admin function has a timeout; staff run it again for the rest).
 */
export async function redriveDeadLetters(
  ports: { queue: DeadLetterQueue; failures: FailureStore; now: () => number },
  options: { deadlineMs: number },
): Promise<{ redriven: number; more: boolean }> {
  let redriven = 0;
  while (ports.now() < options.deadlineMs) {
    const batch = await ports.queue.take();
    if (batch.length === 0) return { redriven, more: false };
    // Sent back before removed: a crash between the two repeats a delivery, which ingest absorbs, and loses none.
    await ports.queue.sendBack(batch);
    await ports.queue.remove(batch);
    await ports.failures.forget(batch.flatMap((message) => (message.failureId ? [message.failureId] : [])));
    redriven += batch.length;
  }
  return { redriven, more: true };
}

/** One failure record per delivery of a channel, whatever queue message carried it. */
export function deliveryFailureId(channelId: string, deliveryId: string): string {
  return `dl_${createHash('sha256').update(`${channelId}\n${deliveryId}`).digest('hex').slice(0, 24)}`;
}

/** The failure a queued ingest message belongs to, read leniently: a body that names no delivery has none. */
export function failureIdOfMessage(body: string): string | undefined {
  const { channelId, deliveryId } = namesOf(body);
  return channelId !== null && deliveryId !== null ? deliveryFailureId(channelId, deliveryId) : undefined;
}

/** One receive of a queued message, as the event source hands it over. */
export interface QueuedAttempt {
  messageId: string;
  body: string;
  /** 1 on the first delivery; the queue moves the message to its DLQ after maxReceiveCount. */
  receiveCount: number;
}

/**
 * Runs `work` for one queued message. A failure is logged with its reason and
 * remembered (dead once this was the last receive) and then rethrown, so the
 * queue retries it; a success after earlier failures forgets them.
 */
export async function attemptDelivery(
  failures: FailureStore,
  attempt: QueuedAttempt,
  options: { queue: QueueName; maxReceiveCount: number; now: () => string },
  work: () => Promise<void>,
): Promise<void> {
  const failureId = failureIdOfMessage(attempt.body);
  try {
    await work();
  } catch (error) {
    const reason = failureReason(error);
    const dead = attempt.receiveCount >= options.maxReceiveCount;
    const { channelId, deliveryId } = namesOf(attempt.body);
    logger.error(dead ? 'delivery failed for the last time; it moves to the dead-letter queue' : 'delivery failed; it will be retried', {
      queue: options.queue,
      messageId: attempt.messageId,
      channelId,
      deliveryId,
      receiveCount: attempt.receiveCount,
      reason,
    });
    try {
      await failures.recordFailure({
        id: failureId ?? `dl_msg_${attempt.messageId}`,
        queue: options.queue,
        channelId,
        deliveryId,
        receiveCount: attempt.receiveCount,
        reason,
        dead,
        failedAt: options.now(),
      });
    } catch (recordError) {
      logger.error('could not record a delivery failure', { messageId: attempt.messageId, reason: failureReason(recordError) });
    }
    throw error;
  }
  if (attempt.receiveCount > 1 && failureId) await failures.forget([failureId]);
}

function namesOf(body: string): { channelId: string | null; deliveryId: string | null } {
  try {
    const { channelId, deliveryId } = JSON.parse(body) as Record<string, unknown>;
    return {
      channelId: typeof channelId === 'string' ? channelId : null,
      deliveryId: typeof deliveryId === 'string' ? deliveryId : null,
    };
  } catch {
    return { channelId: null, deliveryId: null };
  }
}
