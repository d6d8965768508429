// One customer's score from their orders and the store's model: the pieces
// (RFM, lifecycle, BG/NBD and Gamma-Gamma) put together, rounded so that a
// rescore with nothing new finds nothing changed, and the transitions between
// two scores. Pure: the rescore and the processor's refresh both call it.
import { currencyExponent } from '../normalize/money';
import type { OrderRecord } from '../orders';
import { contributionOf } from '../orders';
import { lifecycleStage, type Stage } from './lifecycle';
import { predictCustomer, type StoreModel } from './predict';
import { rfmScores, segmentOf, type RfmCutPoints, type RfmValues, type Segment } from './rfm';
import { purchaseSummary, type Purchase, type PurchaseSummary } from './summary';

/** What a rescore fitted: the predictive model and the RFM cut points, both on the same as-of day. */
export interface ScoringModel {
  asOf: string;
  store: StoreModel;
  rfm: RfmCutPoints | null;
}

export interface Scores {
  r: number | null;
  f: number | null;
  m: number | null;
  pAlive: number | null;
  expectedOrders90: number | null;
  expectedOrders365: number | null;
  /** Major units of the customer's currency. */
  clv12m: number | null;
  nextOrderAt: string | null;
}

export interface CustomerScore {
  /** The day the score is as of (YYYY-MM-DD, UTC). */
  asOf: string;
  segment: Segment | null;
  stage: Stage;
  scores: Scores;
  /** Net spend up to the as-of day, in minor units: the segments' revenue share. */
  netMinor: number;
  currency: string | null;
}

export type TransitionKind = 'segment' | 'stage';

export interface Transition {
  kind: TransitionKind;
  from: string | null;
  to: string | null;
}

const dayMs = 86_400_000;

/** The counted orders of one currency as purchases: net of refunds, zero-value ones included. */
export function purchasesOf(orders: readonly OrderRecord[], currency: string | null): Purchase[] {
  const purchases: Purchase[] = [];
  for (const order of orders) {
    const counted = contributionOf(order);
    if (!counted || (currency !== null && counted.currency !== currency)) continue;
    purchases.push({ at: new Date(counted.atMs).toISOString(), valueMinor: counted.grossMinor - counted.refundedMinor });
  }
  return purchases;
}

/** Net spend of the purchases up to and including the as-of day, in minor units. */
export function netUpTo(purchases: readonly Purchase[], asOf: string): number {
  const endMs = Date.parse(`${asOf}T00:00:00Z`) + dayMs;
  return purchases.reduce((sum, p) => (Date.parse(p.at) < endMs ? sum + p.valueMinor : sum), 0);
}

/** The RFM inputs of a purchase summary on its as-of day. */
export function rfmValuesOf(summary: PurchaseSummary, netMinor: number): RfmValues {
  return { recencyDays: Math.round((summary.T - summary.tx) * 7), frequency: summary.x + 1, monetaryMinor: netMinor };
}

const round = (value: number, digits: number): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** Rounded to what staff read, so that noise in the last digits is never a change worth a write. */
function rounded(prediction: NonNullable<ReturnType<typeof predictCustomer>>): Omit<Scores, 'r' | 'f' | 'm'> {
  return {
    pAlive: round(prediction.pAlive, 3),
    expectedOrders90: round(prediction.expectedOrders90, 2),
    expectedOrders365: round(prediction.expectedOrders365, 2),
    clv12m: round(prediction.clv12m, 2),
    nextOrderAt: prediction.nextOrderAt,
  };
}

const noPrediction = { pAlive: null, expectedOrders90: null, expectedOrders365: null, clv12m: null, nextOrderAt: null };

/**
 * A customer's score as of `asOf` (purchases after it are ignored). Without a
 * model, or one without enough data, the customer still gets a stage from
 * their purchase days; the predictions stay null rather than noise.
 */
export function scoreCustomer(
  model: ScoringModel | undefined,
  purchases: readonly Purchase[],
  currency: string | null,
  asOf: string,
): CustomerScore {
  const minorPerMajor = 10 ** currencyExponent(currency ?? 'USD');
  const summary = purchaseSummary(purchases, asOf, minorPerMajor);
  const netMinor = netUpTo(purchases, asOf);
  if (!summary) {
    return {
      asOf,
      segment: null,
      stage: lifecycleStage({ purchaseDays: 0, pAlive: null, f: null, advocate: false }),
      scores: { r: null, f: null, m: null, ...noPrediction },
      netMinor: 0,
      currency,
    };
  }
  const rfm = model?.rfm ? rfmScores(rfmValuesOf(summary, netMinor), model.rfm) : undefined;
  const prediction = model ? predictCustomer(model.store, summary, asOf) : null;
  const predicted = prediction ? rounded(prediction) : noPrediction;
  return {
    asOf,
    segment: rfm ? segmentOf(rfm) : null,
    stage: lifecycleStage({
      purchaseDays: summary.x + 1,
      pAlive: predicted.pAlive,
      f: rfm?.f ?? null,
      // Neither referral codes nor staff marks exist yet, so nobody is an advocate.
      advocate: false,
    }),
    scores: { r: rfm?.r ?? null, f: rfm?.f ?? null, m: rfm?.m ?? null, ...predicted },
    netMinor,
    currency,
  };
}

/** Whether two scores say the same: the as-of day alone is no change. */
export function sameScore(a: CustomerScore | undefined, b: CustomerScore): boolean {
  if (!a) return false;
  return (
    a.segment === b.segment &&
    a.stage === b.stage &&
    a.netMinor === b.netMinor &&
    a.currency === b.currency &&
    (Object.keys(b.scores) as (keyof Scores)[]).every((key) => a.scores[key] === b.scores[key])
  );
}

/** The segment and stage moves from one score to the next; the first score moves from null. */
export function transitionsBetween(previous: CustomerScore | undefined, next: CustomerScore): Transition[] {
  const moves: Transition[] = [];
  const segmentBefore = previous?.segment ?? null;
  if (segmentBefore !== next.segment) moves.push({ kind: 'segment', from: segmentBefore, to: next.segment });
  const stageBefore = previous?.stage ?? null;
  if (stageBefore !== next.stage) moves.push({ kind: 'stage', from: stageBefore, to: next.stage });
  return moves;
}

/** The CLV in minor units, for the index sort key: 0 without a prediction. */
export function clvMinorOf(score: CustomerScore): number {
  return Math.max(0, Math.round((score.scores.clv12m ?? 0) * 10 ** currencyExponent(score.currency ?? 'USD')));
}

/** The UTC day of an instant, YYYY-MM-DD: the default as-of day of a rescore. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
