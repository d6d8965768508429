// Where a customer stands in their relationship with the store: the seed
// literature's kinds of customer plus churn. Pure: the rescore passes in the
// figures and the model's P(alive); nothing here reads a clock.

export const stages = ['prospect', 'first_time', 'repeat', 'loyal', 'advocate', 'lapsed'] as const;
export type Stage = (typeof stages)[number];

export interface StageInput {
  /** Distinct days with an order; 0 for a known contact who never bought. */
  purchaseDays: number;
  /** The BG/NBD P(alive), or null while the model is not fitted or has too little data. */
  pAlive: number | null;
  /** The RFM F score (1..5), or null when the customer is not scored. */
  f: number | null;
  /** Staff marked them, or others redeemed their referral code. */
  advocate: boolean;
}

/**
 * The thresholds, in one place.
 * - lapsedBelowPAlive 0.3: below it the model holds the customer more than
 *   twice as likely gone as still buying (0.7 : 0.3), which is when a win-back
 *   is worth its cost and not before.
 * - loyalMinPAlive 0.6: loyal asks that they are more likely active than not,
 *   with a margin. The gap between 0.3 and 0.6 keeps a customer whose P(alive)
 *   drifts a little from day to day from swinging between loyal and lapsed.
 * - loyalMinPurchaseDays 3: at least two repeat purchase days; two days make a
 *   repeat customer, not yet a habit.
 * - loyalMinF 4: the top two fifths of the store by frequency, the same F that
 *   makes champions and loyal in the RFM segments.
 */
export const lifecycleRules = {
  lapsedBelowPAlive: 0.3,
  loyalMinPAlive: 0.6,
  loyalMinPurchaseDays: 3,
  loyalMinF: 4,
} as const;

function assertInput({ purchaseDays, pAlive, f }: StageInput): void {
  if (!Number.isSafeInteger(purchaseDays) || purchaseDays < 0) {
    throw new RangeError(`purchaseDays must be a whole number >= 0, got ${purchaseDays}`);
  }
  if (pAlive !== null && !(pAlive >= 0 && pAlive <= 1)) {
    throw new RangeError(`pAlive must be a probability or null, got ${pAlive}`);
  }
  if (f !== null && !(Number.isInteger(f) && f >= 1 && f <= 5)) {
    throw new RangeError(`f must be a whole score 1..5 or null, got ${f}`);
  }
}

/**
 * The stage, first rule that holds:
 * 1. prospect: no purchase day;
 * 2. lapsed: P(alive) below lapsedBelowPAlive, after one purchase day or many;
 * 3. first_time: one purchase day;
 * 4. advocate: loyal (below) and marked as an advocate;
 * 5. loyal: at least loyalMinPurchaseDays, P(alive) at least loyalMinPAlive and
 *    F at least loyalMinF;
 * 6. repeat: every other customer with two purchase days or more.
 * With no P(alive) (the model is not fitted, or the store has too little data)
 * the model cannot call anyone lapsed or loyal: customers are first_time or
 * repeat until it can. An advocate who is not loyal stays in their stage.
 */
export function lifecycleStage(input: StageInput): Stage {
  assertInput(input);
  const { purchaseDays, pAlive, f, advocate } = input;
  if (purchaseDays === 0) return 'prospect';
  // A missing P(alive) reads as neither gone (1) nor sure to stay (0), a missing F as no frequency.
  if ((pAlive ?? 1) < lifecycleRules.lapsedBelowPAlive) return 'lapsed';
  if (purchaseDays === 1) return 'first_time';
  const loyal =
    purchaseDays >= lifecycleRules.loyalMinPurchaseDays &&
    (pAlive ?? 0) >= lifecycleRules.loyalMinPAlive &&
    (f ?? 0) >= lifecycleRules.loyalMinF;
  if (!loyal) return 'repeat';
  return advocate ? 'advocate' : 'loyal';
}
