// RFM: how recently, how often and how much a customer bought, each scored
// 1..5 by quintile against the store's own customers, and the segment those
// scores put them in. Pure: the rescore computes the cut points once (on a
// sample for a large base), stores them as JSON and scores every customer
// against them.

export const segments = [
  'champions',
  'loyal',
  'potential_loyalist',
  'new',
  'promising',
  'needs_attention',
  'about_to_sleep',
  'at_risk',
  'cannot_lose',
  'hibernating',
  'lost',
] as const;
export type Segment = (typeof segments)[number];

/** One customer with at least one order, as of the rescore's day. */
export interface RfmValues {
  /** Whole days from the last purchase day to the as-of day. */
  recencyDays: number;
  /** Distinct purchase days. */
  frequency: number;
  /** Net spend in the shop currency's minor units. */
  monetaryMinor: number;
}

/** Four ascending cut points per dimension: the 20th, 40th, 60th and 80th percentiles. */
export interface RfmCutPoints {
  recency: number[];
  frequency: number[];
  monetary: number[];
}

export interface RfmScores {
  r: number;
  f: number;
  m: number;
}

const QUINTILES = 5;

function assertValues(values: RfmValues): void {
  const { recencyDays, frequency, monetaryMinor } = values;
  // A negative recency is an order after the as-of day, which the caller must
  // have left out; a score for it would be silently wrong, not merely odd.
  if (!Number.isSafeInteger(recencyDays) || recencyDays < 0) {
    throw new RangeError(`recencyDays must be a whole number of days >= 0, got ${recencyDays}`);
  }
  if (!Number.isSafeInteger(frequency) || frequency < 1) {
    throw new RangeError(`frequency must be a whole number of purchase days >= 1, got ${frequency}`);
  }
  if (!Number.isSafeInteger(monetaryMinor) || monetaryMinor < 0) {
    throw new RangeError(`monetaryMinor must be whole minor units >= 0, got ${monetaryMinor}`);
  }
}

/**
 * The lower empirical quintiles of sorted values: cut k is the value at rank
 * ceil(k·n/5), so with distinct values the bins (…, c1], (c1, c2], …, (c4, …)
 * hold floor(n/5) or ceil(n/5) customers each.
 */
function quintileCuts(sorted: Float64Array): number[] {
  const n = sorted.length;
  const cuts: number[] = [];
  for (let k = 1; k < QUINTILES; k++) {
    cuts.push(sorted[Math.ceil((k * n) / QUINTILES) - 1] as number);
  }
  return cuts;
}

/**
 * Quintile cut points over the customers, or undefined when there are none.
 * Typed-array sorts (numeric, O(n log n)): about a second for a million
 * customers (BENCHMARKS.md). The result is plain JSON, to be stored with the
 * model.
 */
export function rfmCutPoints(values: readonly RfmValues[]): RfmCutPoints | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const recency = new Float64Array(n);
  const frequency = new Float64Array(n);
  const monetary = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const value = values[i] as RfmValues;
    assertValues(value);
    recency[i] = value.recencyDays;
    frequency[i] = value.frequency;
    monetary[i] = value.monetaryMinor;
  }
  return {
    recency: quintileCuts(recency.sort()),
    frequency: quintileCuts(frequency.sort()),
    monetary: quintileCuts(monetary.sort()),
  };
}

/** How many cut points lie strictly below the value: its bin, 0..4, in value order. */
function binOf(value: number, cuts: readonly number[]): number {
  let bin = 0;
  for (const cut of cuts) if (cut < value) bin++;
  return bin;
}

/**
 * R, F and M, each 1..5. F and M: more is better; R: fewer days is better.
 *
 * A score depends on the value alone, so equal values always get equal
 * scores. Ties at a cut point go to the bin of smaller values (right-closed
 * bins, as pandas' qcut): for F and M that is the lower score, for R, where
 * fewer days are better, the higher one. When most customers share a value
 * (70% bought on one day) some scores stay empty: all of them get F 1 and the
 * next frequency up skips to the score of the rank it reaches.
 */
export function rfmScores(values: RfmValues, cuts: RfmCutPoints): RfmScores {
  assertValues(values);
  return {
    r: QUINTILES - binOf(values.recencyDays, cuts.recency),
    f: 1 + binOf(values.frequency, cuts.frequency),
    m: 1 + binOf(values.monetaryMinor, cuts.monetary),
  };
}

export interface ScoreRange {
  min: number;
  max: number;
}

export interface SegmentRule {
  segment: Segment;
  r: ScoreRange;
  f: ScoreRange;
}

function range(min: number, max: number): ScoreRange {
  return { min, max };
}

/**
 * The segment map, read top to bottom; the first rule that holds wins. It is
 * the R × F grid most RFM guides use, with its bottom-left corner split into
 * hibernating (R 2) and lost (R 1) to make the eleven segments. The rules do
 * not overlap, so the order only matters to a reader: the best customers come
 * first. M does not pick the segment, as in those guides; it stays on the
 * customer as a score to sort and select by.
 *
 *          F 1             F 2                 F 3                 F 4          F 5
 *   R 5    new             potential_loyalist  potential_loyalist  champions    champions
 *   R 4    promising       potential_loyalist  potential_loyalist  loyal        loyal
 *   R 3    about_to_sleep  about_to_sleep      needs_attention     loyal        loyal
 *   R 2    hibernating     hibernating         at_risk             at_risk      cannot_lose
 *   R 1    lost            lost                at_risk             at_risk      cannot_lose
 */
export const segmentRules: readonly SegmentRule[] = [
  { segment: 'champions', r: range(5, 5), f: range(4, 5) },
  { segment: 'loyal', r: range(3, 4), f: range(4, 5) },
  { segment: 'potential_loyalist', r: range(4, 5), f: range(2, 3) },
  { segment: 'new', r: range(5, 5), f: range(1, 1) },
  { segment: 'promising', r: range(4, 4), f: range(1, 1) },
  { segment: 'needs_attention', r: range(3, 3), f: range(3, 3) },
  { segment: 'about_to_sleep', r: range(3, 3), f: range(1, 2) },
  { segment: 'cannot_lose', r: range(1, 2), f: range(5, 5) },
  { segment: 'at_risk', r: range(1, 2), f: range(3, 4) },
  { segment: 'hibernating', r: range(2, 2), f: range(1, 2) },
  { segment: 'lost', r: range(1, 1), f: range(1, 2) },
];

function within(score: number, { min, max }: ScoreRange): boolean {
  return score >= min && score <= max;
}

function assertScore(name: string, score: number): void {
  if (!Number.isInteger(score) || score < 1 || score > QUINTILES) {
    throw new RangeError(`${name} must be a whole score 1..5, got ${score}`);
  }
}

/** The segment of a customer's scores, by the first rule of `segmentRules` that holds. */
export function segmentOf(scores: RfmScores): Segment {
  assertScore('r', scores.r);
  assertScore('f', scores.f);
  assertScore('m', scores.m);
  const rule = segmentRules.find((candidate) => within(scores.r, candidate.r) && within(scores.f, candidate.f));
  // Unreachable while the table covers the grid, which a test checks cell by cell.
  if (!rule) throw new RangeError(`no segment rule holds for r ${scores.r}, f ${scores.f}`);
  return rule.segment;
}
