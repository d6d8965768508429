import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  expectedAverageValue,
  fitGammaGamma,
  gammaGammaLogLikelihood,
} from '../../functions/domain/scoring/gamma-gamma';
import { cdnowSummaries } from '../support/cdnow';

const published = { p: 6.25, q: 3.74, gamma: 15.44 };

describe('Function: fitGammaGamma', () => {
  it('reproduces the published CDNOW fit (p 6.25, q 3.74, gamma 15.44) to 3 significant digits', () => {
    const cdnow = cdnowSummaries();
    const fit = fitGammaGamma(cdnow);
    for (const key of ['p', 'q', 'gamma'] as const) {
      expect(fit[key].toPrecision(3), key).toBe(published[key].toPrecision(3));
    }
    expect(fit.customers).toBe(946);
    expect(fit.logLikelihood).toBeCloseTo(gammaGammaLogLikelihood(fit, cdnow), 9);
  });

  it('finds a maximum: moving any parameter 1% either way lowers the likelihood', () => {
    const cdnow = cdnowSummaries();
    const fit = fitGammaGamma(cdnow);
    for (const key of ['p', 'q', 'gamma'] as const) {
      for (const factor of [0.99, 1.01]) {
        const moved = gammaGammaLogLikelihood({ ...fit, [key]: fit[key] * factor }, cdnow);
        expect(moved, `${key} × ${factor}`).toBeLessThan(fit.logLikelihood);
      }
    }
  });

  it('stops at a stationary point of the likelihood: its slope in each log-parameter is zero', () => {
    // As for BG/NBD: central differences of the customer-by-customer log-likelihood in ln(param).
    const cdnow = cdnowSummaries();
    for (const data of [cdnow, cdnow.slice(0, 1200)]) {
      const fit = fitGammaGamma(data);
      for (const key of ['p', 'q', 'gamma'] as const) {
        const h = 1e-5;
        const up = gammaGammaLogLikelihood({ ...fit, [key]: fit[key] * Math.exp(h) }, data);
        const down = gammaGammaLogLikelihood({ ...fit, [key]: fit[key] * Math.exp(-h) }, data);
        expect(Math.abs((up - down) / (2 * h)), `${data.length} customers, ${key}`).toBeLessThan(1e-3);
      }
    }
  });

  it('reads only customers with a repeat purchase day and a mean above 0', () => {
    const cdnow = cdnowSummaries();
    const repeaters = cdnow.filter((s) => s.x > 0 && s.meanRepeatValue > 0);
    // x = 0 with a mean above 0 comes from no summary, but a caller's data may hold it: it has no repeat day to read.
    const others = [{ x: 0, meanRepeatValue: 0 }, { x: 3, meanRepeatValue: 0 }, { x: 0, meanRepeatValue: 50 }];
    const withOthers = fitGammaGamma([...repeaters, ...others]);
    const alone = fitGammaGamma(repeaters);
    expect(withOthers.p).toBe(alone.p);
    expect(withOthers.q).toBe(alone.q);
    expect(withOthers.gamma).toBe(alone.gamma);
    expect(withOthers.customers).toBe(repeaters.length);
  });

  it('throws a RangeError when no customer has a repeat purchase day with a value', () => {
    expect(() => fitGammaGamma([{ x: 0, meanRepeatValue: 0 }, { x: 2, meanRepeatValue: 0 }])).toThrow(RangeError);
    expect(() => fitGammaGamma([])).toThrow('fitGammaGamma needs a customer with x > 0 and a mean above 0');
  });

  it('answers finite parameters on one customer and on identical customers', () => {
    const identical = Array.from({ length: 50 }, () => ({ x: 1, meanRepeatValue: 9 }));
    for (const data of [[{ x: 2, meanRepeatValue: 30 }], identical]) {
      const fit = fitGammaGamma(data);
      expect([fit.p, fit.q, fit.gamma, fit.logLikelihood].every(Number.isFinite)).toBe(true);
      expect(Number.isFinite(expectedAverageValue(fit, 2, 30))).toBe(true);
    }
  });
});

describe('Function: gammaGammaLogLikelihood', () => {
  it('is the log of a density of the mean value: it integrates to 1 over the mean, for any x', () => {
    // m = γu / (x(1 - u)) maps u in (0, 1) onto m in (0, ∞), where the density becomes Beta(px, q).
    const { gamma } = published;
    for (const x of [1, 3, 12]) {
      const steps = 20_000;
      let integral = 0;
      for (let i = 0; i < steps; i++) {
        const u = (i + 0.5) / steps;
        const m = (gamma * u) / (x * (1 - u));
        const dmdu = gamma / (x * (1 - u) ** 2);
        integral += Math.exp(gammaGammaLogLikelihood(published, [{ x, meanRepeatValue: m }])) * dmdu;
      }
      expect(integral / steps, `x = ${x}`).toBeCloseTo(1, 6);
    }
  });

  it('leaves out customers without a repeat purchase day or value', () => {
    const one = [{ x: 2, meanRepeatValue: 22.35 }];
    const withOthers = [...one, { x: 0, meanRepeatValue: 0 }, { x: 0, meanRepeatValue: 40 }, { x: 4, meanRepeatValue: 0 }];
    expect(gammaGammaLogLikelihood(published, withOthers)).toBe(gammaGammaLogLikelihood(published, one));
  });
});

describe('Function: expectedAverageValue', () => {
  it('gives a new customer the population mean pγ/(q - 1)', () => {
    expect(expectedAverageValue(published, 0, 0)).toBeCloseTo((6.25 * 15.44) / 2.74, 12);
  });

  it('weighs the customer mean by x: (p(γ + x m))/(px + q - 1)', () => {
    expect(expectedAverageValue(published, 2, 22.35)).toBeCloseTo((6.25 * (15.44 + 2 * 22.35)) / (12.5 + 2.74), 12);
  });

  it('lies between the population mean and the customer mean, nearer the latter as x grows', () => {
    const population = expectedAverageValue(published, 0, 0);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0.01, max: 1e4, noNaN: true }), (x, mean) => {
        const value = expectedAverageValue(published, x, mean);
        expect(value).toBeGreaterThanOrEqual(Math.min(population, mean) * (1 - 1e-12));
        expect(value).toBeLessThanOrEqual(Math.max(population, mean) * (1 + 1e-12));
        const more = expectedAverageValue(published, x + 1, mean);
        expect(Math.abs(more - mean)).toBeLessThanOrEqual(Math.abs(value - mean) * (1 + 1e-12));
      }),
    );
  });

  it('answers the customer mean where the posterior mean does not exist (px + q <= 1)', () => {
    expect(expectedAverageValue({ p: 0.1, q: 0.5, gamma: 10 }, 1, 42)).toBe(42);
    expect(expectedAverageValue({ p: 0.1, q: 0.9, gamma: 10 }, 1, 42)).toBe(42);
    expect(expectedAverageValue({ p: 2, q: 0.5, gamma: 10 }, 0, 0)).toBe(0);
  });
});
