// What stands between a matched customer and a mail, checked in the order of
// ARCHITECTURE.md: consent, suppression, an open complaint, the frequency cap,
// quiet hours, and the holdout. Pure: the sender gathers the facts and passes `now`.
import { createHash } from 'node:crypto';
import type { DropReason, SuppressionReason } from './outcomes';
import { isTransactional, type Campaign, type QuietHours } from './campaign';
import { passesOf, wallClockAt } from './zoned-time';

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** At most one marketing mail per customer in 16 hours, and 3 in 7 days. */
export const frequencyCap = { minGapHours: 16, maxPer7Days: 3 } as const;

const capWindowMs = 7 * dayMs;

/** Suppressions that stop transactional mail too: the address cannot or must not receive anything. */
const undeliverable: readonly SuppressionReason[] = ['hard_bounce', 'soft_bounces', 'complaint'];

/** What the sender knows about one customer when it checks a send. */
export interface GuardrailFacts {
  hasEmail: boolean;
  /** The customer already got this campaign (this occurrence, or within repeatAfterDays). */
  alreadyReceived: boolean;
  consent: 'subscribed' | 'unsubscribed' | 'unknown';
  suppression: SuppressionReason | null;
  openComplaint: boolean;
  /** ISO times of the customer's marketing mails (the contact log). */
  recentMarketingSends: readonly string[];
}

export type GuardrailVerdict =
  | { kind: 'send' }
  | { kind: 'holdout' }
  | { kind: 'drop'; reason: DropReason }
  | { kind: 'defer'; until: Date };

/**
 * The first guardrail that stops the send, or `send`. Transactional mail
 * skips consent, the open-complaint check and the cap, and only an
 * undeliverable address (bounce, complaint) suppresses it.
 */
export function checkGuardrails(
  campaign: Pick<Campaign, 'id' | 'message' | 'quietHours' | 'holdoutPercent'>,
  customerId: string,
  facts: GuardrailFacts,
  now: Date,
): GuardrailVerdict {
  const marketing = !isTransactional(campaign);
  const drop = (reason: DropReason): GuardrailVerdict => ({ kind: 'drop', reason });
  if (!facts.hasEmail) return drop('no_email');
  if (facts.alreadyReceived) return drop('already_received');
  if (marketing && facts.consent !== 'subscribed') return drop('no_consent');
  if (facts.suppression !== null && (marketing || undeliverable.includes(facts.suppression))) return drop('suppressed');
  if (marketing && facts.openComplaint) return drop('open_complaint');
  if (marketing && frequencyCapped(facts.recentMarketingSends, now)) return drop('frequency_cap');
  const until = campaign.quietHours === null ? null : quietUntil(campaign.quietHours, now);
  if (until !== null) return { kind: 'defer', until };
  if (inHoldout(campaign.id, customerId, campaign.holdoutPercent)) return { kind: 'holdout' };
  return { kind: 'send' };
}

/**
 * Whether one more marketing mail now would break the cap: the last one went
 * out less than 16 hours ago, or 3 went out in the last 7 days. Times after
 * `now` (another clock) count as recent; unreadable ones do not count.
 */
export function frequencyCapped(recent: readonly string[], now: Date): boolean {
  const ages = times(recent).map((at) => now.getTime() - at);
  return (
    ages.some((age) => age < frequencyCap.minGapHours * hourMs) ||
    ages.filter((age) => age < capWindowMs).length >= frequencyCap.maxPer7Days
  );
}

/** The contact log after one more marketing mail at `at`: the last 7 days only, oldest first. */
export function withSend(recent: readonly string[], at: Date): string[] {
  return [...times(recent), at.getTime()]
    .filter((sent) => at.getTime() - sent < capWindowMs)
    .sort((a, b) => a - b)
    .map((sent) => new Date(sent).toISOString());
}

/** Epoch milliseconds; an unreadable time is NaN, which no window comparison takes in. */
function times(isos: readonly string[]): number[] {
  return isos.map((iso) => Date.parse(iso));
}

/**
 * When the quiet hours that hold at `now` end, or null outside them. The
 * window runs from `start` (included) to `end` (excluded) on the wall clock of
 * its zone (default UTC) and wraps midnight when `end` comes first. Across
 * DST it ends when the clock first shows `end` after `now`, or jumps past it.
 */
export function quietUntil(quietHours: QuietHours, now: Date): Date | null {
  const zone = quietHours.timeZone ?? 'UTC';
  const local = wallClockAt(now, zone);
  const today = Math.floor(local / dayMs) * dayMs;
  const time = local - today;
  const start = timeOfDayMs(quietHours.start);
  const end = timeOfDayMs(quietHours.end);
  const quiet = start < end ? time >= start && time < end : time >= start || time < end;
  if (!quiet) return null;
  const ends = [...passesOf(today + end, zone), ...passesOf(today + dayMs + end, zone)];
  return ends.find((at) => at.getTime() > now.getTime())!;
}

function timeOfDayMs(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return hours! * hourMs + minutes! * 60_000;
}

/**
 * Whether the customer is in the campaign's holdout: a hash of campaign and
 * customer puts them in one of 10,000 buckets, so a rerun keeps the split.
 */
export function inHoldout(campaignId: string, customerId: string, percent: number): boolean {
  const bucket = createHash('sha256').update(`${campaignId}:${customerId}`).digest().readUInt32BE(0) % 10_000;
  return bucket < percent * 100;
}
