// Whether a customer belongs to a campaign's audience. Every criterion the
// campaign gives must hold; an absent criterion or an empty list asks nothing.
import type { Segment } from '../scoring/rfm';
import type { Stage } from '../scoring/lifecycle';
import type { Audience } from './campaign';

const dayMs = 86_400_000;

/** What the audience criteria read about one customer. */
export interface AudienceSubject {
  figures: { orders: number; firstOrderAt: string | null; lastOrderAt: string | null };
  channels: readonly string[];
  segment: Segment | null;
  stage: Stage | null;
  scores: { pAlive: number | null; clv12m: number | null; nextOrderAt: string | null } | null;
  skus: readonly string[];
}

type Criterion = keyof Audience;

export function matchesAudience(audience: Audience, subject: AudienceSubject, now: Date): boolean {
  return audienceMisses(audience, subject, now).length === 0;
}

/** The criteria of the audience that the subject fails, in the schema's order (for previews). */
export function audienceMisses(audience: Audience, subject: AudienceSubject, now: Date): Criterion[] {
  const daysSinceLast = daysSince(subject.figures.lastOrderAt, now);
  const clv = subject.scores?.clv12m ?? null;
  const pAlive = subject.scores?.pAlive ?? null;
  const holds: Record<Criterion, boolean> = {
    segments: anyOf(audience.segments, [subject.segment]),
    stages: anyOf(audience.stages, [subject.stage]),
    minDaysSinceLastOrder:
      audience.minDaysSinceLastOrder === undefined || (daysSinceLast !== null && daysSinceLast >= audience.minDaysSinceLastOrder),
    maxDaysSinceLastOrder:
      audience.maxDaysSinceLastOrder === undefined || (daysSinceLast !== null && daysSinceLast <= audience.maxDaysSinceLastOrder),
    minOrders: audience.minOrders === undefined || subject.figures.orders >= audience.minOrders,
    minClv: audience.minClv === undefined || (clv !== null && clv >= audience.minClv),
    maxPAlive: audience.maxPAlive === undefined || (pAlive !== null && pAlive <= audience.maxPAlive),
    channels: anyOf(audience.channels, subject.channels),
    skus: anyOf(audience.skus?.map(trimmed), subject.skus.map(trimmed)),
  };
  return (Object.keys(holds) as Criterion[]).filter((criterion) => !holds[criterion]);
}

/** True when the criterion asks nothing (absent or empty) or the subject has any of its values. */
function anyOf(wanted: readonly string[] | undefined, has: readonly (string | null)[]): boolean {
  return wanted === undefined || wanted.length === 0 || has.some((value) => value !== null && wanted.includes(value));
}

function trimmed(sku: string): string {
  return sku.trim();
}

function daysSince(iso: string | null, now: Date): number | null {
  const at = instantOf(iso);
  return at === null ? null : wholeDays(at, now.getTime());
}

/** Whole days of 24 hours from one instant to a later one (negative when earlier), rounded down. */
export function wholeDays(from: number, to: number): number {
  return Math.floor((to - from) / dayMs);
}

/** Milliseconds since the epoch of an ISO time, or null when absent or unreadable. */
export function instantOf(iso: string | null): number | null {
  const at = Date.parse(iso ?? '');
  return Number.isNaN(at) ? null : at;
}
