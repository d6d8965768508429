// Use cases of the processor: an order change or new facts about a person,
// applied exactly once in effect however often and in whatever order they come.
import {
  applyFacts,
  countersTouched,
  edgeDaysToRead,
  moveFigures,
  removesEdge,
  type DayEdges,
} from '../domain/customers';
import type { CustomerFacts, Platform } from '../domain/model';
import { applyOrderChange, contributionOf, refundProblems, sameOrder, type OrderChange } from '../domain/orders';
import type { CustomerRepository, DeliveryRef, OrderWrite } from '../domain/ports';
import { ConflictError } from '../shared/errors';

/** Optimistic writes retried in-process before the message goes back to the queue. */
export const maxAttempts = 8;

/** How a use case waits between optimistic attempts; tests pass one that records instead of sleeping. */
export interface Backoff {
  sleep(ms: number): Promise<void>;
  /** In [0, 1). */
  random(): number;
}

export const realBackoff: Backoff = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Full jitter: racing writers of one customer spread out instead of colliding again. */
export function backoffDelayMs(attempt: number, random: number): number {
  return random * Math.min(1000, 10 * 2 ** attempt);
}

export type RecordOutcome = 'created' | 'updated' | 'unchanged';

/** A change refused as sent; the processor quarantines its delivery with the reason. */
export interface Rejected {
  outcome: 'rejected';
  reason: string;
  issues: string[];
}

function changeKey(change: OrderChange): { channelId: string; orderId: string } {
  switch (change.kind) {
    case 'order':
      return change.order;
    case 'refund':
      return change.refund;
    case 'order-removed':
      return change;
  }
}

async function withRetries<T>(backoff: Backoff, attempt: () => Promise<T>): Promise<T> {
  let lastConflict: ConflictError | undefined;
  for (let tries = 0; tries < maxAttempts; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      lastConflict = error;
      await backoff.sleep(backoffDelayMs(tries, backoff.random()));
    }
  }
  throw new ConflictError(`still contended after ${maxAttempts} attempts`, { cause: lastConflict });
}

async function dayEdges(repo: CustomerRepository, customerId: string): Promise<DayEdges> {
  const [earliest, latest] = await Promise.all([
    repo.listPurchaseDays(customerId, { limit: edgeDaysToRead }),
    repo.listPurchaseDays(customerId, { newestFirst: true, limit: edgeDaysToRead }),
  ]);
  return { earliest, latest };
}

export async function recordOrderChange(
  repo: CustomerRepository,
  input: { platform: Platform; change: OrderChange; delivery: DeliveryRef; raw?: Uint8Array; now: string },
  backoff: Backoff = realBackoff,
): Promise<RecordOutcome | Rejected> {
  const { platform, change, delivery, now } = input;
  const { channelId, orderId } = changeKey(change);
  return withRetries(backoff, async () => {
    const existing = await repo.getOrder(channelId, orderId);
    const next = applyOrderChange(platform, existing, change);
    if (existing && sameOrder(existing, next)) return 'unchanged';
    // Only here are the stored refunds and the incoming ones seen together.
    const issues = refundProblems(existing, next);
    if (issues.length > 0) return { outcome: 'rejected', reason: 'refunds over the order total', issues };

    const facts = change.kind === 'order' ? change.order.customer : undefined;
    const customerId =
      existing?.customerId ?? (facts ? await repo.resolveCustomer(channelId, facts, now) : undefined);
    next.customerId = customerId;

    let profile: OrderWrite['profile'];
    if (customerId !== undefined) {
      const current = await repo.getProfile(customerId);
      if (!current) throw new ConflictError(`customer ${customerId} has no profile yet`);
      const before = contributionOf(existing);
      const after = contributionOf(next);
      const [counters, edges] = await Promise.all([
        repo.getCounters(customerId, countersTouched(before, after)),
        removesEdge(current.figures, before, after) ? dayEdges(repo, customerId) : undefined,
      ]);
      const moved = moveFigures(current, before, after, counters, edges);
      let updated = moved.profile;
      if (facts && change.kind === 'order') updated = applyFacts(updated, facts, channelId, change.order.updatedAt);
      updated.updatedAt = now;
      profile = { next: updated, expectedRev: current.rev, days: moved.days, codes: moved.codes };
    }
    // Only a full order payload is worth keeping raw; refunds and removals live in the record.
    const raw = change.kind === 'order' ? input.raw : undefined;
    await repo.saveOrder({ order: next, previous: existing, delivery, raw, profile });
    return existing ? 'updated' : 'created';
  });
}

export async function recordCustomerFacts(
  repo: CustomerRepository,
  input: { channelId: string; facts: CustomerFacts; observedAt: string; now: string },
  backoff: Backoff = realBackoff,
): Promise<RecordOutcome> {
  const { channelId, facts, observedAt, now } = input;
  const customerId = await repo.resolveCustomer(channelId, facts, now);
  if (customerId === undefined) return 'unchanged';
  return withRetries(backoff, async () => {
    const current = await repo.getProfile(customerId);
    if (!current) throw new ConflictError(`customer ${customerId} has no profile yet`);
    const next = applyFacts(current, facts, channelId, observedAt);
    const { updatedAt: _before, rev: _rev, ...kept } = current;
    const { updatedAt: _after, rev: _nextRev, ...changed } = next;
    if (JSON.stringify(kept) === JSON.stringify(changed)) return 'unchanged';
    next.updatedAt = now;
    await repo.saveProfile(next, current.rev);
    return 'updated';
  });
}
