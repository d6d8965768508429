// BG/NBD (Fader, Hardie and Lee 2005, "Counting your customers the easy way"):
// while alive a customer buys at rate λ ~ Gamma(r, α) per week, and after each
// purchase drops out with probability p ~ Beta(a, b).
//
// The fit is maximum likelihood over log-parameters. Customers with the same
// (x, t_x, T) contribute identical terms, and t_x and T are whole days / 7, so
// a store of a million has far fewer distinct triples than customers: the
// likelihood is summed once per triple with its count, and the Γ terms, which
// depend on x alone, once per distinct x.
import { minimize } from './optimize';
import { digamma, hyp2f1Excess, logGamma, logSumExp } from './special';
import type { PurchaseSummary } from './summary';

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export type BgNbdData = Pick<PurchaseSummary, 'x' | 'tx' | 'T'>;

export interface BgNbdFit extends BgNbdParams {
  logLikelihood: number;
  iterations: number;
}

export interface FitOptions {
  maxIterations?: number;
}

interface Aggregated {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  count: Float64Array;
  /** Index of each triple's x in `distinctX`. */
  xIndex: Int32Array;
  distinctX: Float64Array;
  customers: number;
}

/**
 * Log-parameters live in (-LOG_BOUND, LOG_BOUND) through a tanh: on data
 * without a finite maximum (no repeat buyer at all, one customer) the
 * parameters run to a bound instead of to Infinity, and every figure drawn
 * from them stays finite. e^±20 is far outside any store's real values.
 */
const LOG_BOUND = 20;

export function fitBgNbd(data: readonly BgNbdData[], options: FitOptions = {}): BgNbdFit {
  if (data.length === 0) throw new RangeError('fitBgNbd needs at least one customer');
  const aggregated = aggregate(data);
  const { point, iterations } = minimize(
    (phi, gradient) => negativeMeanLogLikelihood(aggregated, phi, gradient),
    [0, 0, 0, 0],
    { maxIterations: options.maxIterations ?? 500 },
  );
  const params = paramsOf(point);
  return { ...params, logLikelihood: bgnbdLogLikelihood(params, data), iterations };
}

/** The log-likelihood of the data under the parameters, summed over customers. */
export function bgnbdLogLikelihood(params: BgNbdParams, data: readonly BgNbdData[]): number {
  let total = 0;
  for (const s of data) total += customerLogLikelihood(params, s);
  return total;
}

function customerLogLikelihood({ r, alpha, a, b }: BgNbdParams, { x, tx, T }: BgNbdData): number {
  const gammaPart = logGamma(r + x) - logGamma(r) + r * Math.log(alpha);
  const betaPart = logGamma(a + b) + logGamma(b + x) - logGamma(b) - logGamma(a + b + x);
  const stillAlive = -(r + x) * Math.log(alpha + T);
  const droppedOut = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx) : -Infinity;
  return gammaPart + betaPart + logSumExp(stillAlive, droppedOut);
}

/** P(alive at T | x, t_x, T). */
export function pAlive({ r, alpha, a, b }: BgNbdParams, { x, tx, T }: BgNbdData): number {
  if (x === 0) return 1;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/**
 * E[Y(t) | x, t_x, T]: expected purchases in the next t weeks (FHL 2005, eq. 10).
 *
 * Eq. 10 holds ₂F₁(r+x, b+x; a+b+x-1; z) with z = t/(α+T+t); Euler's transformation
 * turns (1-z)^(r+x) ₂F₁(...) into (1-z)^(a-1) ₂F₁(a-1, a+b-1-r; a+b+x-1; z), whose
 * parameters no longer grow with x, so x = 1e5 sums as fast as x = 1. Dividing
 * by a - 1 inside the series keeps a = 1 finite.
 */
export function expectedPurchases(params: BgNbdParams, summary: BgNbdData, tWeeks: number): number {
  if (!(tWeeks > 0)) return 0;
  const { r, alpha, a, b } = params;
  const { x, T } = summary;
  const shape = a - 1;
  const c = a + b + x - 1;
  const logShrink = -Math.log1p(tWeeks / (alpha + T));
  const z = tWeeks / (alpha + T + tWeeks);
  const powerPart = shape === 0 ? -logShrink : -Math.expm1(shape * logShrink) / shape;
  const bracket = powerPart - Math.exp(shape * logShrink) * hyp2f1Excess(shape, a + b - 1 - r, c, z);
  return Math.max(0, c * bracket * pAlive(params, summary));
}

/** E[X(t)]: expected repeat purchases in the first t weeks after a customer's first purchase. */
export function expectedPurchasesNewCustomer(params: BgNbdParams, tWeeks: number): number {
  return expectedPurchases(params, { x: 0, tx: 0, T: 0 }, tWeeks);
}

function paramsOf(phi: ArrayLike<number>): BgNbdParams {
  const [r, alpha, a, b] = Array.from(phi, (value) => Math.exp(LOG_BOUND * Math.tanh(value / LOG_BOUND)));
  return { r: r!, alpha: alpha!, a: a!, b: b! };
}

function aggregate(data: readonly BgNbdData[]): Aggregated {
  const slots = new Map<string, number>();
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const count: number[] = [];
  for (const s of data) {
    const key = `${s.x},${s.tx},${s.T}`;
    const slot = slots.get(key);
    if (slot === undefined) {
      slots.set(key, x.length);
      x.push(s.x);
      tx.push(s.tx);
      T.push(s.T);
      count.push(1);
    } else {
      count[slot]! += 1;
    }
  }
  const distinctX = [...new Set(x)];
  const position = new Map(distinctX.map((value, i) => [value, i]));
  return {
    x: Float64Array.from(x),
    tx: Float64Array.from(tx),
    T: Float64Array.from(T),
    count: Float64Array.from(count),
    xIndex: Int32Array.from(x, (value) => position.get(value)!),
    distinctX: Float64Array.from(distinctX),
    customers: data.length,
  };
}

/** Minus the mean log-likelihood per customer at φ (what BFGS minimizes), with its gradient in φ. */
function negativeMeanLogLikelihood(data: Aggregated, phi: Float64Array, gradient: Float64Array): number {
  const { r, alpha, a, b } = paramsOf(phi);
  const logAlpha = Math.log(alpha);
  const logA = Math.log(a);
  const nx = data.distinctX.length;
  // The parts that depend on x alone, once per distinct x.
  const constant = new Float64Array(nx);
  const dR = new Float64Array(nx);
  const dA = new Float64Array(nx);
  const dB = new Float64Array(nx);
  const lgR = logGamma(r);
  const lgAB = logGamma(a + b);
  const lgB = logGamma(b);
  const psiR = digamma(r);
  const psiAB = digamma(a + b);
  const psiB = digamma(b);
  for (let k = 0; k < nx; k++) {
    const x = data.distinctX[k]!;
    if (x === 0) continue;
    constant[k] = logGamma(r + x) - lgR + lgAB + logGamma(b + x) - lgB - logGamma(a + b + x);
    dR[k] = digamma(r + x) - psiR;
    dA[k] = psiAB - digamma(a + b + x);
    dB[k] = psiAB + digamma(b + x) - psiB - digamma(a + b + x);
  }
  let total = 0;
  let gR = 0;
  let gAlpha = 0;
  let gA = 0;
  let gB = 0;
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i]!;
    const k = data.xIndex[i]!;
    const n = data.count[i]!;
    const logAliveBase = Math.log(alpha + data.T[i]!);
    const stillAlive = -(r + x) * logAliveBase;
    let weightDropped = 0;
    let logDroppedBase = 0;
    let logSum = stillAlive;
    if (x > 0) {
      logDroppedBase = Math.log(alpha + data.tx[i]!);
      const droppedOut = logA - Math.log(b + x - 1) - (r + x) * logDroppedBase;
      logSum = logSumExp(stillAlive, droppedOut);
      weightDropped = Math.exp(droppedOut - logSum);
    }
    const weightAlive = 1 - weightDropped;
    total += n * (constant[k]! + r * logAlpha + logSum);
    gR += n * (dR[k]! + logAlpha - weightAlive * logAliveBase - weightDropped * logDroppedBase);
    gAlpha +=
      n * (r / alpha - (r + x) * (weightAlive / (alpha + data.T[i]!) + weightDropped / (alpha + data.tx[i]!)));
    gA += n * (dA[k]! + weightDropped / a);
    gB += n * (dB[k]! - (x > 0 ? weightDropped / (b + x - 1) : 0));
  }
  const scale = 1 / data.customers;
  const values = [r, alpha, a, b];
  [gR, gAlpha, gA, gB].forEach((g, i) => {
    // Chain rule through param = exp(B tanh(φ/B)).
    const th = Math.tanh(phi[i]! / LOG_BOUND);
    gradient[i] = -(g * scale * values[i]! * (1 - th * th));
  });
  return -total * scale;
}
