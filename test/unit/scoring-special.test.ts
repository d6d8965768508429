import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digamma, hyp2f1Excess, logGamma, logSumExp } from '../../functions/domain/scoring/special';

const EULER_GAMMA = 0.5772156649015329;

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe('Function: logGamma', () => {
  it('gives ln((n-1)!) to 1e-12 relative for n up to 170', () => {
    let logFactorial = 0;
    for (let n = 3; n <= 170; n++) {
      logFactorial += Math.log(n - 1);
      expect(relativeError(logGamma(n), logFactorial), `n = ${n}`).toBeLessThan(1e-12);
    }
  });

  it('is zero at 1 and 2 and ½ ln π at ½', () => {
    expect(Math.abs(logGamma(1))).toBeLessThan(1e-15);
    expect(Math.abs(logGamma(2))).toBeLessThan(1e-15);
    expect(relativeError(logGamma(0.5), 0.5 * Math.log(Math.PI))).toBeLessThan(1e-14);
    expect(relativeError(logGamma(1.5), Math.log(Math.sqrt(Math.PI) / 2))).toBeLessThan(1e-13);
  });

  it('follows ln Γ(x) ≈ -ln x - γx near zero and Stirling far out', () => {
    expect(relativeError(logGamma(1e-8), -Math.log(1e-8) - EULER_GAMMA * 1e-8)).toBeLessThan(1e-14);
    expect(relativeError(logGamma(1e-300), 300 * Math.log(10))).toBeLessThan(1e-14);
    for (const x of [1e5, 1e8, 1e15]) {
      const stirling = (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3);
      expect(relativeError(logGamma(x), stirling), `x = ${x}`).toBeLessThan(1e-12);
    }
  });

  it('satisfies ln Γ(x + 1) = ln Γ(x) + ln x to 1e-12', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e7, noNaN: true }), (x) => {
        const expected = logGamma(x) + Math.log(x);
        expect(Math.abs(logGamma(x + 1) - expected)).toBeLessThan(1e-12 * Math.max(1, Math.abs(expected)) + 1e-14);
      }),
    );
  });

  it('throws a RangeError outside x > 0', () => {
    for (const x of [0, -1, -0.5, Number.NaN, Infinity]) expect(() => logGamma(x), `${x}`).toThrow(RangeError);
    expect(() => logGamma(-2)).toThrow('logGamma is defined here for finite x > 0, not -2');
  });
});

describe('Function: digamma', () => {
  it('gives ψ(1) = -γ and ψ(½) = -γ - 2 ln 2', () => {
    expect(relativeError(digamma(1), -EULER_GAMMA)).toBeLessThan(1e-13);
    expect(relativeError(digamma(0.5), -EULER_GAMMA - 2 * Math.LN2)).toBeLessThan(1e-13);
    expect(relativeError(digamma(1e-9), -1e9 - EULER_GAMMA)).toBeLessThan(1e-15);
  });

  it('satisfies ψ(x + 1) = ψ(x) + 1/x and is the slope of ln Γ', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e6, noNaN: true }), (x) => {
        const expected = digamma(x) + 1 / x;
        expect(Math.abs(digamma(x + 1) - expected)).toBeLessThan(1e-12 * Math.max(1, Math.abs(expected)));
        const h = 1e-5 * x;
        const slope = (logGamma(x + h) - logGamma(x - h)) / (2 * h);
        expect(Math.abs(slope - digamma(x))).toBeLessThan(1e-5 * Math.max(1, Math.abs(slope)));
      }),
    );
  });

  it('throws a RangeError outside x > 0', () => {
    for (const x of [0, -2, Number.NaN, Infinity]) expect(() => digamma(x), `${x}`).toThrow(RangeError);
    expect(() => digamma(0)).toThrow('digamma is defined here for finite x > 0, not 0');
  });
});

describe('Function: logSumExp', () => {
  it('adds in log space without overflow', () => {
    expect(logSumExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSumExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 14);
    expect(logSumExp(-1000, 0)).toBe(0);
    expect(logSumExp(0, -Infinity)).toBe(0);
    expect(logSumExp(-Infinity, 5)).toBe(5);
    expect(logSumExp(-Infinity, -Infinity)).toBe(-Infinity);
  });
});

describe('Function: hyp2f1Excess', () => {
  it('gives (₂F₁ - 1)/a for closed forms', () => {
    for (const z of [0.01, 0.3, 0.9, 0.999]) {
      // ₂F₁(1, 1; 2; z) = -ln(1 - z)/z
      expect(relativeError(hyp2f1Excess(1, 1, 2, z), -Math.log1p(-z) / z - 1), `z = ${z}`).toBeLessThan(1e-12);
      // ₂F₁(a, b; b; z) = (1 - z)^-a
      expect(relativeError(hyp2f1Excess(0.7, 2.5, 2.5, z), ((1 - z) ** -0.7 - 1) / 0.7)).toBeLessThan(1e-12);
      expect(relativeError(hyp2f1Excess(-0.4, 3, 3, z), ((1 - z) ** 0.4 - 1) / -0.4)).toBeLessThan(1e-12);
    }
  });

  it('stays finite and continuous as a reaches 0', () => {
    // (₂F₁(a, b; b; z) - 1)/a → -ln(1 - z) as a → 0.
    expect(relativeError(hyp2f1Excess(0, 2, 2, 0.5), Math.LN2)).toBeLessThan(1e-13);
    expect(Math.abs(hyp2f1Excess(1e-12, 2, 2, 0.5) - hyp2f1Excess(0, 2, 2, 0.5))).toBeLessThan(1e-11);
  });

  it('is zero at z = 0 and a polynomial when b is a negative integer', () => {
    expect(hyp2f1Excess(0.5, 2, 3, 0)).toBe(0);
    // ₂F₁(a, -1; c; z) = 1 - a z / c
    expect(hyp2f1Excess(0.5, -1, 3, 0.6)).toBeCloseTo(-0.6 / 3, 15);
  });

  it('throws a RangeError outside 0 <= z < 1', () => {
    for (const z of [1, -0.1, 1.5, Number.NaN]) expect(() => hyp2f1Excess(1, 1, 2, z), `${z}`).toThrow(RangeError);
    expect(() => hyp2f1Excess(1, 1, 2, 1)).toThrow('hyp2f1Excess needs 0 <= z < 1, not 1');
  });

  it('stops after a million terms when z is a hair below 1, with a finite partial sum', () => {
    // -ln(1 - z)/z - 1 = 19.7 here; the first million terms of Σ zⁿ/(n+1) sum to about ln(1e6) - 0.42.
    const value = hyp2f1Excess(1, 1, 2, 1 - 1e-12);
    expect(value).toBeGreaterThan(Math.log(1e6) - 1);
    expect(value).toBeLessThan(Math.log(1e6));
  });
});
