// Special functions for the BG/NBD and Gamma-Gamma likelihoods and
// predictions. Everything works in logs, because Γ(r + x) for x = 1e5 is far
// past the largest double, while its log is an ordinary number.

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

// Lanczos approximation, g = 607/128 with 15 terms (Godfrey's coefficients):
// relative error near 1e-15 on x >= 0.5, and the reflection formula covers the rest.
const LANCZOS_G = 607 / 128;
const LANCZOS = [
  0.99999999999999709182, 57.156235665862923517, -59.597960355475491248, 14.136097974741747174,
  -0.49191381609762019978, 0.33994649984811888699e-4, 0.46523628927048575665e-4,
  -0.98374475304879564677e-4, 0.15808870322491248884e-3, -0.21026444172410488319e-3,
  0.2174396181152126432e-3, -0.16431810653676389022e-3, 0.84418223983852743293e-4,
  -0.2619083840158140867e-4, 0.36899182659531622704e-5,
] as const;

/** ln Γ(x) for x > 0. Outside that domain it throws: a likelihood never asks for it. */
export function logGamma(x: number): number {
  if (!(x > 0) || x === Infinity) throw new RangeError(`logGamma is defined here for finite x > 0, not ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * ψ(x) = d/dx ln Γ(x) for x > 0: the gradients of both likelihoods need it.
 * Shifted up to x >= 10 by ψ(x) = ψ(x + 1) - 1/x, where the asymptotic series
 * to x^-10 is good to about 1e-15.
 */
export function digamma(x: number): number {
  if (!(x > 0) || x === Infinity) throw new RangeError(`digamma is defined here for finite x > 0, not ${x}`);
  let shift = 0;
  let y = x;
  while (y < 10) {
    shift -= 1 / y;
    y += 1;
  }
  const inv2 = 1 / (y * y);
  const series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))));
  return shift + Math.log(y) - 0.5 / y - series;
}

/** ln(e^a + e^b) without overflow; -Infinity stands for a zero term. */
export function logSumExp(a: number, b: number): number {
  const high = Math.max(a, b);
  if (high === -Infinity) return -Infinity;
  return high + Math.log1p(Math.exp(Math.min(a, b) - high));
}

const MAX_SERIES_TERMS = 1_000_000;

/**
 * (₂F₁(a, b; c; z) - 1) / a for 0 <= z < 1, a > -1 and c > -1, c ≠ 0.
 *
 * Summed as Σ_{n≥1} (a+1)_{n-1} (b)_n / ((c)_n n!) zⁿ, with a divided out of
 * every term, so the BG/NBD conditional expectation, which divides by a - 1,
 * stays finite and exact as its a passes through 1. The series converges
 * geometrically at rate z; the caller chooses the transformation that keeps
 * z away from 1 and the parameters small.
 */
export function hyp2f1Excess(a: number, b: number, c: number, z: number): number {
  if (!(z >= 0 && z < 1)) throw new RangeError(`hyp2f1Excess needs 0 <= z < 1, not ${z}`);
  let term = (b / c) * z;
  let sum = term;
  for (let n = 1; n < MAX_SERIES_TERMS && term !== 0; n++) {
    const ratio = ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    term *= ratio;
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum) && Math.abs(ratio) < 1) break;
  }
  return sum;
}
