import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BgNbdParams,
  bgnbdLogLikelihood,
  expectedPurchases,
  expectedPurchasesNewCustomer,
  fitBgNbd,
  pAlive,
} from '../../functions/domain/scoring/bgnbd';
import { logGamma } from '../../functions/domain/scoring/special';
import { cdnowSummaries } from '../support/cdnow';

const published: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

/**
 * E[Y(t) | x, t_x, T] by another road: given alive, λ ~ Gamma(r+x, α+T) and
 * p ~ Beta(a, b+x), and a living customer buys (1 - e^(-λpt))/p times in t.
 * Integrated over p by the midpoint rule after p = u^(1/a), which removes the
 * p^(a-1) singularity at 0.
 */
function expectedByIntegration(
  params: BgNbdParams,
  s: { x: number; tx: number; T: number },
  t: number,
  steps = 50_000,
): number {
  const { r, alpha, a, b } = params;
  const logBeta = logGamma(a) + logGamma(b + s.x) - logGamma(a + b + s.x);
  let sum = 0;
  for (let i = 0; i < steps; i++) {
    const p = ((i + 0.5) / steps) ** (1 / a);
    const living = (1 - ((alpha + s.T) / (alpha + s.T + p * t)) ** (r + s.x)) / p;
    sum += (1 - p) ** (b + s.x - 1) * living;
  }
  return (pAlive(params, s) * (sum / steps / a)) / Math.exp(logBeta);
}

function finite(value: number): boolean {
  return Number.isFinite(value);
}

describe('Function: fitBgNbd', () => {
  it('reproduces the published CDNOW fit to 3 significant digits, and LL -9582.4 to 0.05', () => {
    const cdnow = cdnowSummaries();
    const fit = fitBgNbd(cdnow);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      expect(fit[key].toPrecision(3), key).toBe(published[key].toPrecision(3));
    }
    expect(Math.abs(fit.logLikelihood - -9582.4)).toBeLessThan(0.05);
    expect(fit.iterations).toBeGreaterThan(0);
  });

  it('gives the published parameters the published log-likelihood', () => {
    const cdnow = cdnowSummaries();
    expect(Math.abs(bgnbdLogLikelihood(published, cdnow) - -9582.4)).toBeLessThan(0.1);
  });

  it('finds a maximum: moving any parameter 1% either way lowers the likelihood', () => {
    const cdnow = cdnowSummaries();
    const fit = fitBgNbd(cdnow);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      for (const factor of [0.99, 1.01]) {
        expect(bgnbdLogLikelihood({ ...fit, [key]: fit[key] * factor }, cdnow), `${key} × ${factor}`).toBeLessThan(
          fit.logLikelihood,
        );
      }
    }
  });

  it('stops at a stationary point of the likelihood: its slope in each log-parameter is zero', () => {
    // Central differences of the summed log-likelihood (computed customer by
    // customer, apart from the fit's aggregated gradient) in ln(param); a fit
    // stopped short of the maximum shows slopes of order 1 and more.
    const cdnow = cdnowSummaries();
    for (const data of [cdnow, cdnow.slice(0, 700)]) {
      const fit = fitBgNbd(data);
      for (const key of ['r', 'alpha', 'a', 'b'] as const) {
        const h = 1e-5;
        const up = bgnbdLogLikelihood({ ...fit, [key]: fit[key] * Math.exp(h) }, data);
        const down = bgnbdLogLikelihood({ ...fit, [key]: fit[key] * Math.exp(-h) }, data);
        expect(Math.abs((up - down) / (2 * h)), `${data.length} customers, ${key}`).toBeLessThan(1e-3);
      }
    }
  });

  it('gives the same parameters when every customer appears twice, and twice the log-likelihood', () => {
    const cdnow = cdnowSummaries();
    const once = fitBgNbd(cdnow.slice(0, 800));
    const twice = fitBgNbd([...cdnow.slice(0, 800), ...cdnow.slice(0, 800)]);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) expect(twice[key]).toBeCloseTo(once[key], 5);
    expect(twice.logLikelihood).toBeCloseTo(2 * once.logLikelihood, 4);
  });

  it('stops at the iteration limit', () => {
    const cdnow = cdnowSummaries();
    expect(fitBgNbd(cdnow, { maxIterations: 2 }).iterations).toBe(2);
  });

  it('throws a RangeError on no customers', () => {
    expect(() => fitBgNbd([])).toThrow(RangeError);
    expect(() => fitBgNbd([])).toThrow('fitBgNbd needs at least one customer');
  });

  it('answers finite parameters and predictions on data without a finite maximum', () => {
    const cdnow = cdnowSummaries();
    const cases: Record<string, { x: number; tx: number; T: number }[]> = {
      'no repeat buyer': Array.from({ length: 50 }, (_, i) => ({ x: 0, tx: 0, T: i / 7 })),
      'one customer': [{ x: 3, tx: 2, T: 5 }],
      'identical customers': Array.from({ length: 100 }, () => ({ x: 2, tx: 3, T: 10 })),
      'huge x': [{ x: 1e5, tx: 50, T: 52 }, ...cdnow.slice(0, 100)],
      'bought today': [{ x: 0, tx: 0, T: 0 }, ...cdnow.slice(0, 100)],
      'everyone bought today': [{ x: 0, tx: 0, T: 0 }],
    };
    for (const [name, data] of Object.entries(cases)) {
      const fit = fitBgNbd(data);
      expect([fit.r, fit.alpha, fit.a, fit.b, fit.logLikelihood].every(finite), name).toBe(true);
      for (const s of data.slice(0, 3)) {
        expect(finite(pAlive(fit, s)), name).toBe(true);
        expect(finite(expectedPurchases(fit, s, 52)), name).toBe(true);
      }
    }
  });
});

describe('Function: pAlive', () => {
  it('is 1 for a customer with no repeat purchase', () => {
    expect(pAlive(published, { x: 0, tx: 0, T: 30 })).toBe(1);
  });

  it('falls as time passes since the last purchase, and rises with recency', () => {
    const recent = pAlive(published, { x: 3, tx: 30, T: 32 });
    const older = pAlive(published, { x: 3, tx: 30, T: 60 });
    const lapsed = pAlive(published, { x: 3, tx: 5, T: 32 });
    expect(recent).toBeGreaterThan(older);
    expect(recent).toBeGreaterThan(lapsed);
    expect(pAlive(published, { x: 3, tx: 32, T: 32 })).toBeCloseTo(1 / (1 + 0.793 / 4.426), 12);
  });

  it('stays in [0, 1] for any history', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 500, noNaN: true }),
        (x, share, T) => {
          const value = pAlive(published, { x, tx: x === 0 ? 0 : share * T, T });
          expect(value).toBeGreaterThanOrEqual(0);
          expect(value).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

describe('Function: expectedPurchases', () => {
  it('agrees with the posterior integral for CDNOW-like customers', () => {
    const cases = [
      { x: 0, tx: 0, T: 38.86 },
      { x: 2, tx: 30.43, T: 38.86 },
      { x: 7, tx: 29, T: 32 },
      { x: 1, tx: 1.71, T: 38.86 },
      { x: 0, tx: 0, T: 0 },
    ];
    for (const s of cases) {
      for (const t of [1, 13, 52, 200]) {
        const expected = expectedByIntegration(published, s, t);
        expect(Math.abs(expectedPurchases(published, s, t) - expected), `${JSON.stringify(s)} t = ${t}`).toBeLessThan(
          1e-5 * Math.max(1, expected),
        );
      }
    }
  });

  it('agrees with the posterior integral when a > 1 and when a = 1', () => {
    for (const a of [1, 2.5]) {
      const params = { r: 1.2, alpha: 8, a, b: 4 };
      const s = { x: 4, tx: 20, T: 26 };
      // p^(1/a) is steep at 0 when a > 1: the midpoint rule needs more steps.
      const expected = expectedByIntegration(params, s, 52, 400_000);
      expect(Math.abs(expectedPurchases(params, s, 52) - expected), `a = ${a}`).toBeLessThan(1e-5 * expected);
    }
  });

  it('is continuous through a = 1', () => {
    const s = { x: 4, tx: 20, T: 26 };
    const at = (a: number) => expectedPurchases({ r: 1.2, alpha: 8, a, b: 4 }, s, 52);
    expect(Math.abs(at(1) - at(1 - 1e-9))).toBeLessThan(1e-7);
    expect(Math.abs(at(1) - at(1 + 1e-9))).toBeLessThan(1e-7);
  });

  it('is zero over no time and grows with the horizon', () => {
    const s = { x: 2, tx: 30.43, T: 38.86 };
    expect(expectedPurchases(published, s, 0)).toBe(0);
    expect(expectedPurchases(published, s, -3)).toBe(0);
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 500, noNaN: true }),
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        (t, dt) => {
          expect(expectedPurchases(published, s, t + dt)).toBeGreaterThan(expectedPurchases(published, s, t));
        },
      ),
    );
  });

  it('stays finite for a huge x and a long horizon', () => {
    const value = expectedPurchases(published, { x: 1e5, tx: 52, T: 52 }, 52);
    // Without dropout the customer would buy (r + x)/(α + T) a week; dropout
    // (p near a/(b + x), about 8e-6 a purchase) takes about a third of that away.
    const withoutDropout = ((0.243 + 1e5) / (4.414 + 52)) * 52;
    expect(value).toBeLessThan(withoutDropout);
    expect(value).toBeGreaterThan(0.6 * withoutDropout);
    expect(finite(expectedPurchases(published, { x: 0, tx: 0, T: 0 }, 1e4))).toBe(true);
  });
});

describe('Function: expectedPurchasesNewCustomer', () => {
  it('matches FHL eq. 9 summed term by term for a short horizon', () => {
    const { r, alpha, a, b } = published;
    const t = 2;
    const z = t / (alpha + t);
    let term = 1;
    let f = 1;
    for (let n = 0; n < 200; n++) {
      term *= ((r + n) * (b + n) * z) / ((a + b - 1 + n) * (n + 1));
      f += term;
    }
    const expected = ((a + b - 1) / (a - 1)) * (1 - (alpha / (alpha + t)) ** r * f);
    expect(expectedPurchasesNewCustomer(published, t)).toBeCloseTo(expected, 12);
  });

  it('is the conditional expectation of a customer who bought just now for the first time', () => {
    expect(expectedPurchasesNewCustomer(published, 39)).toBe(expectedPurchases(published, { x: 0, tx: 0, T: 0 }, 39));
  });
});
