// Gamma-Gamma spend model (Fader, Hardie and Lee 2005, "RFM and CLV: using
// iso-value curves"; the note "The Gamma-Gamma model of monetary value"): each
// purchase of a customer is worth z ~ Gamma(p, ν), and ν ~ Gamma(q, γ) across
// customers. It reads the mean repeat-purchase-day value of customers with at
// least one repeat day; the first purchase is left out, as the model's authors do.
import { minimize } from './optimize';
import { digamma, logGamma } from './special';

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export interface GammaGammaData {
  x: number;
  meanRepeatValue: number;
}

export interface GammaGammaFit extends GammaGammaParams {
  logLikelihood: number;
  iterations: number;
  /** Customers the fit read: x > 0 and a mean above 0. */
  customers: number;
}

/** Same role as in bgnbd.ts: the fit stays finite on data without a finite maximum. */
const LOG_BOUND = 20;

/** Customers the Gamma-Gamma likelihood can read: a zero mean has no log. */
export function gammaGammaSample<T extends GammaGammaData>(data: readonly T[]): T[] {
  return data.filter((s) => s.x > 0 && s.meanRepeatValue > 0);
}

export function fitGammaGamma(data: readonly GammaGammaData[]): GammaGammaFit {
  const sample = gammaGammaSample(data);
  if (sample.length === 0) throw new RangeError('fitGammaGamma needs a customer with x > 0 and a mean above 0');
  const prepared = prepare(sample);
  const objective = (phi: Float64Array, gradient: Float64Array) => negativeMeanLogLikelihood(prepared, phi, gradient);
  const { point, iterations } = minimize(objective, [0, 0, 0]);
  const params = paramsOf(point);
  return { ...params, logLikelihood: gammaGammaLogLikelihood(params, sample), iterations, customers: sample.length };
}

/** The log-likelihood of the customers' mean values, summed over customers with x > 0. */
export function gammaGammaLogLikelihood({ p, q, gamma }: GammaGammaParams, data: readonly GammaGammaData[]): number {
  let total = 0;
  for (const { x, meanRepeatValue: m } of gammaGammaSample(data)) {
    total +=
      logGamma(p * x + q) -
      logGamma(p * x) -
      logGamma(q) +
      q * Math.log(gamma) +
      (p * x - 1) * Math.log(m) +
      p * x * Math.log(x) -
      (p * x + q) * Math.log(gamma + m * x);
  }
  return total;
}

/**
 * E[Z | x, mean]: the expected value of a purchase of this customer, a weighted
 * mean of the population mean pγ/(q-1) and the customer's own mean. Where the
 * posterior mean does not exist (px + q <= 1, so q <= 1 for a new customer) it
 * answers the customer's own mean; the store model refuses such a fit anyway.
 */
export function expectedAverageValue({ p, q, gamma }: GammaGammaParams, x: number, mean: number): number {
  const denominator = p * x + q - 1;
  if (!(denominator > 0)) return mean;
  return (p * (gamma + mean * x)) / denominator;
}

interface Prepared {
  x: Float64Array;
  mean: Float64Array;
  logMean: Float64Array;
  logX: Float64Array;
  xIndex: Int32Array;
  distinctX: Float64Array;
}

function prepare(sample: readonly GammaGammaData[]): Prepared {
  const distinctX = [...new Set(sample.map((s) => s.x))];
  const position = new Map(distinctX.map((value, i) => [value, i]));
  return {
    x: Float64Array.from(sample, (s) => s.x),
    mean: Float64Array.from(sample, (s) => s.meanRepeatValue),
    logMean: Float64Array.from(sample, (s) => Math.log(s.meanRepeatValue)),
    logX: Float64Array.from(sample, (s) => Math.log(s.x)),
    xIndex: Int32Array.from(sample, (s) => position.get(s.x)!),
    distinctX: Float64Array.from(distinctX),
  };
}

function paramsOf(phi: ArrayLike<number>): GammaGammaParams {
  const [p, q, gamma] = Array.from(phi, (value) => Math.exp(LOG_BOUND * Math.tanh(value / LOG_BOUND)));
  return { p: p!, q: q!, gamma: gamma! };
}

/** Minus the mean log-likelihood per customer at φ, with its gradient in φ. */
function negativeMeanLogLikelihood(data: Prepared, phi: Float64Array, gradient: Float64Array): number {
  const { p, q, gamma } = paramsOf(phi);
  const nx = data.distinctX.length;
  const gammaPart = new Float64Array(nx);
  const psiSum = new Float64Array(nx);
  const psiP = new Float64Array(nx);
  for (let k = 0; k < nx; k++) {
    const px = p * data.distinctX[k]!;
    gammaPart[k] = logGamma(px + q) - logGamma(px);
    psiSum[k] = digamma(px + q);
    psiP[k] = digamma(px);
  }
  const lgQ = logGamma(q);
  const psiQ = digamma(q);
  const logGammaParam = Math.log(gamma);
  let total = 0;
  let gP = 0;
  let gQ = 0;
  let gGamma = 0;
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i]!;
    const k = data.xIndex[i]!;
    const logMean = data.logMean[i]!;
    const scaleSum = gamma + data.mean[i]! * x;
    const logScale = Math.log(scaleSum);
    const px = p * x;
    total +=
      gammaPart[k]! - lgQ + q * logGammaParam + (px - 1) * logMean + px * data.logX[i]! - (px + q) * logScale;
    gP += x * (psiSum[k]! - psiP[k]! + logMean + data.logX[i]! - logScale);
    gQ += psiSum[k]! - psiQ + logGammaParam - logScale;
    gGamma += q / gamma - (px + q) / scaleSum;
  }
  const scale = 1 / data.x.length;
  const values = [p, q, gamma];
  [gP, gQ, gGamma].forEach((g, i) => {
    const th = Math.tanh(phi[i]! / LOG_BOUND);
    gradient[i] = -(g * scale * values[i]! * (1 - th * th));
  });
  return -total * scale;
}
