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

/** The distinct (x, t_x, T) triples with their counts; x, t_x and T by index into their distinct values. */
interface Aggregated {
  x: Float64Array;
  count: Float64Array;
  xIndex: Int32Array;
  distinctX: Float64Array;
  /** Customers per distinct x. */
  countByX: Float64Array;
  tIndex: Int32Array;
  distinctT: Float64Array;
  txIndex: Int32Array;
  distinctTx: Float64Array;
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
  const xs = distinct(data.map((s) => s.x));
  const txs = distinct(data.map((s) => s.tx));
  const Ts = distinct(data.map((s) => s.T));
  // Triples keyed by their value indices, numbers not strings: the string key
  // was most of the time of a 1M-customer fit.
  const slots = new Map<number, Map<number, number>>();
  const xIndex: number[] = [];
  const txIndex: number[] = [];
  const tIndex: number[] = [];
  const count: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const outer = xs.index[i]! * txs.values.length + txs.index[i]!;
    let inner = slots.get(outer);
    if (inner === undefined) {
      inner = new Map();
      slots.set(outer, inner);
    }
    const slot = inner.get(Ts.index[i]!);
    if (slot === undefined) {
      inner.set(Ts.index[i]!, count.length);
      xIndex.push(xs.index[i]!);
      txIndex.push(txs.index[i]!);
      tIndex.push(Ts.index[i]!);
      count.push(1);
    } else {
      count[slot]! += 1;
    }
  }
  const countByX = new Float64Array(xs.values.length);
  xs.index.forEach((k) => {
    countByX[k]! += 1;
  });
  return {
    x: Float64Array.from(xIndex, (k) => xs.values[k]!),
    count: Float64Array.from(count),
    xIndex: Int32Array.from(xIndex),
    distinctX: xs.values,
    countByX,
    tIndex: Int32Array.from(tIndex),
    distinctT: Ts.values,
    txIndex: Int32Array.from(txIndex),
    distinctTx: txs.values,
    customers: data.length,
  };
}

/** The distinct values of a column and where each row's value sits among them. */
function distinct(column: readonly number[]): { values: Float64Array; index: Int32Array } {
  const values = [...new Set(column)];
  const position = new Map(values.map((value, i) => [value, i]));
  return { values: Float64Array.from(values), index: Int32Array.from(column, (value) => position.get(value)!) };
}

/**
 * Minus the mean log-likelihood per customer at φ (what BFGS minimizes), with
 * its gradient in φ. A customer's likelihood is a Γ part that depends on x
 * alone (summed once per distinct x, weighted by its customers) times a
 * mixture of "alive at T" and "dropped out after t_x" (summed per triple,
 * with the logs of α + T and α + t_x taken once per distinct day).
 */
function negativeMeanLogLikelihood(data: Aggregated, phi: Float64Array, gradient: Float64Array): number {
  const { r, alpha, a, b } = paramsOf(phi);
  const logAlpha = Math.log(alpha);
  const logA = Math.log(a);
  const lgR = logGamma(r);
  const lgAB = logGamma(a + b);
  const lgB = logGamma(b);
  const psiR = digamma(r);
  const psiAB = digamma(a + b);
  const psiB = digamma(b);
  let total = 0;
  let gR = 0;
  let gAlpha = 0;
  let gA = 0;
  let gB = 0;
  const nx = data.distinctX.length;
  const logB1 = new Float64Array(nx);
  const invB1 = new Float64Array(nx);
  for (let k = 0; k < nx; k++) {
    const x = data.distinctX[k]!;
    const n = data.countByX[k]!;
    total += n * r * logAlpha;
    gR += n * logAlpha;
    gAlpha += (n * r) / alpha;
    if (x === 0) continue;
    logB1[k] = Math.log(b + x - 1);
    invB1[k] = 1 / (b + x - 1);
    total += n * (logGamma(r + x) - lgR + lgAB + logGamma(b + x) - lgB - logGamma(a + b + x));
    gR += n * (digamma(r + x) - psiR);
    gA += n * (psiAB - digamma(a + b + x));
    gB += n * (psiAB + digamma(b + x) - psiB - digamma(a + b + x));
  }
  const logT = data.distinctT.map((T) => Math.log(alpha + T));
  const invT = data.distinctT.map((T) => 1 / (alpha + T));
  const logTx = data.distinctTx.map((tx) => Math.log(alpha + tx));
  const invTx = data.distinctTx.map((tx) => 1 / (alpha + tx));
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i]!;
    const n = data.count[i]!;
    const rx = r + x;
    const j = data.tIndex[i]!;
    const logAlive = logT[j]!;
    if (x === 0) {
      total -= n * rx * logAlive;
      gR -= n * logAlive;
      gAlpha -= n * rx * invT[j]!;
      continue;
    }
    const k = data.xIndex[i]!;
    const m = data.txIndex[i]!;
    const logDropped = logTx[m]!;
    // ln(e^alive + e^dropped) = alive + softplus(dropped - alive); the weight of "dropped" is its sigmoid.
    const gap = logA - logB1[k]! - rx * (logDropped - logAlive);
    const e = Math.exp(-Math.abs(gap));
    const dropped = gap > 0 ? 1 / (1 + e) : e / (1 + e);
    total += n * (-rx * logAlive + Math.max(gap, 0) + Math.log1p(e));
    gR -= n * ((1 - dropped) * logAlive + dropped * logDropped);
    gAlpha -= n * rx * ((1 - dropped) * invT[j]! + dropped * invTx[m]!);
    gA += (n * dropped) / a;
    gB -= n * dropped * invB1[k]!;
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
