// A customer's purchase history reduced to what BG/NBD and Gamma-Gamma read:
// frequency x, recency t_x, age T (weeks) and the mean repeat value.
//
// The unit is the UTC calendar day. Two orders on one day are one purchase
// (a split basket is not a return visit), and weeks are whole days / 7, so the
// same history gives the same summary whatever the hour of the rescore. The
// recipe reproduces the published CDNOW summary for every customer
// (test/unit/scoring-summary.test.ts).
import { ValidationError } from '../../shared/errors';

export interface Purchase {
  /** ISO 8601 instant. */
  at: string;
  /** Net value in minor units, >= 0; a zero-value order still counts as a purchase. */
  valueMinor: number;
}

export interface PurchaseSummary {
  /** Repeat purchase days: purchase days - 1. */
  x: number;
  /** Weeks from the first to the last purchase day. */
  tx: number;
  /** Weeks from the first purchase day to the as-of day. */
  T: number;
  /** Mean value of the repeat (not first) purchase days, in major units; 0 when x = 0. */
  meanRepeatValue: number;
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of the UTC calendar day of an ISO instant. */
export function utcDay(instant: string): number {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new ValidationError(`not an ISO 8601 instant: "${instant}"`);
  return Math.floor(ms / DAY_MS);
}

/**
 * Days since 1970-01-01 of a YYYY-MM-DD date, which must be a real calendar
 * day: the round trip through Date rejects 2025-02-30 and any other shape.
 */
export function dateDay(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new ValidationError(`not a YYYY-MM-DD date: "${date}"`);
  }
  return ms / DAY_MS;
}

/** The YYYY-MM-DD of a day number. */
export function dayDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Purchase days on or before the last day, in order, with their values summed. */
export function purchaseDays(purchases: readonly Purchase[], lastDay: number): { day: number; valueMinor: number }[] {
  const byDay = new Map<number, number>();
  for (const purchase of purchases) {
    const day = utcDay(purchase.at);
    if (day <= lastDay) byDay.set(day, (byDay.get(day) ?? 0) + purchase.valueMinor);
  }
  return [...byDay].sort(([a], [b]) => a - b).map(([day, valueMinor]) => ({ day, valueMinor }));
}

/**
 * The summary as of the end of `asOf` (inclusive), ignoring later purchases;
 * undefined when the customer had not bought by then.
 */
export function purchaseSummary(
  purchases: readonly Purchase[],
  asOf: string,
  minorPerMajor: number,
): PurchaseSummary | undefined {
  const days = purchaseDays(purchases, dateDay(asOf));
  const first = days[0];
  const last = days.at(-1);
  if (first === undefined || last === undefined) return undefined;
  const x = days.length - 1;
  let repeatMinor = 0;
  for (let i = 1; i < days.length; i++) repeatMinor += days[i]!.valueMinor;
  return {
    x,
    tx: (last.day - first.day) / 7,
    T: (dateDay(asOf) - first.day) / 7,
    meanRepeatValue: x === 0 ? 0 : repeatMinor / x / minorPerMajor,
  };
}
