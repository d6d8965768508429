import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  sampleBeta,
  sampleGamma,
  seededRandom,
  simulatePopulation,
  type SimulationParams,
} from '../../functions/domain/scoring/simulate';
import { ValidationError } from '../../functions/shared/errors';

// CDNOW estimates from Fader, Hardie & Lee (2005) and the Gamma-Gamma note.
const CDNOW: SimulationParams = {
  bgnbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
  gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
};
const WEEK_MS = 7 * 86_400_000;

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function variance(values: number[]): number {
  const m = mean(values);
  return values.reduce((sum, value) => sum + (value - m) ** 2, 0) / (values.length - 1);
}

function draws(count: number, draw: () => number): number[] {
  return Array.from({ length: count }, draw);
}

describe('Function: seededRandom', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const first = draws(5, seededRandom(42).next);
    expect(draws(5, seededRandom(42).next)).toEqual(first);
    expect(draws(5, seededRandom(43).next)).not.toEqual(first);
  });

  it('stays in [0, 1) with a mean near one half', () => {
    const values = draws(20_000, seededRandom(7).next);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(mean(values)).toBeCloseTo(0.5, 2);
  });

  it('reproduces mulberry32 exactly', () => {
    // First output of the reference implementation for seed 1.
    expect(seededRandom(1).next()).toBe(2_693_262_067 / 4_294_967_296);
  });
});

describe('Function: sampleGamma', () => {
  it.each([
    [0.243, 4.414],
    [1, 1],
    [3.74, 15.44],
    [6.25, 0.5],
  ])('matches mean shape/rate and variance shape/rate^2 for Gamma(%s, %s)', (shape, rate) => {
    const random = seededRandom(11);
    const values = draws(20_000, () => sampleGamma(random, shape, rate));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(mean(values)).toBeGreaterThan((shape / rate) * 0.97);
    expect(mean(values)).toBeLessThan((shape / rate) * 1.03);
    expect(variance(values)).toBeGreaterThan((shape / rate ** 2) * 0.9);
    expect(variance(values)).toBeLessThan((shape / rate ** 2) * 1.1);
  });
});

describe('Function: sampleBeta', () => {
  it.each([
    [0.793, 2.426],
    [2, 2],
    [5, 1],
  ])('matches mean a/(a+b) for Beta(%s, %s) and stays in [0, 1]', (a, b) => {
    const random = seededRandom(5);
    const values = draws(20_000, () => sampleBeta(random, a, b));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    expect(mean(values)).toBeCloseTo(a / (a + b), 2);
  });

  it('gives the larger shape the whole mass when both gammas underflow', () => {
    const zero = { next: () => 0.999_999_999_999 };
    expect(sampleBeta(zero, 1e-300, 1e-310)).toBe(1);
    expect(sampleBeta(zero, 1e-310, 1e-300)).toBe(0);
    expect(sampleBeta(zero, 1e-310, 1e-310)).toBe(1);
  });
});

describe('Function: simulatePopulation', () => {
  const window = { start: '2025-01-01', end: '2026-07-01' };

  it('gives the same population for the same seed', () => {
    const one = simulatePopulation(CDNOW, { customers: 200, ...window, random: seededRandom(9) });
    const two = simulatePopulation(CDNOW, { customers: 200, ...window, random: seededRandom(9) });
    const other = simulatePopulation(CDNOW, { customers: 200, ...window, random: seededRandom(10) });
    expect(two).toEqual(one);
    expect(other).not.toEqual(one);
  });

  it('names customers sim-000001 onwards, in order, each with a first purchase', () => {
    const population = simulatePopulation(CDNOW, { customers: 3, ...window, random: seededRandom(1) });
    expect(population.map((customer) => customer.id)).toEqual(['sim-000001', 'sim-000002', 'sim-000003']);
    for (const customer of population) expect(customer.purchases.length).toBeGreaterThanOrEqual(1);
  });

  it('draws lambda, p and nu with the means the theory gives', () => {
    // A one-week window keeps the purchase loop short: this is about the draws.
    const params: SimulationParams = {
      bgnbd: { r: 2, alpha: 4, a: 2, b: 6 },
      gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
    };
    const population = simulatePopulation(params, {
      customers: 8_000,
      start: '2025-01-01',
      end: '2025-01-08',
      random: seededRandom(3),
    });
    const lambdas = population.map((customer) => customer.latent.lambda);
    expect(mean(lambdas) / (2 / 4)).toBeGreaterThan(0.97);
    expect(mean(lambdas) / (2 / 4)).toBeLessThan(1.03);
    expect(variance(lambdas) / (2 / 4 ** 2)).toBeGreaterThan(0.9);
    expect(variance(lambdas) / (2 / 4 ** 2)).toBeLessThan(1.1);
    expect(mean(population.map((customer) => customer.latent.p))).toBeCloseTo(2 / 8, 2);
    const nus = population.map((customer) => customer.latent.nu);
    expect(mean(nus) / (3.74 / 15.44)).toBeGreaterThan(0.98);
    expect(mean(nus) / (3.74 / 15.44)).toBeLessThan(1.02);
  });

  it('spends p/nu per purchase on average, in whole minor units never below 0', () => {
    // Over customers, E[z] = p * gamma / (q - 1).
    const params: SimulationParams = { bgnbd: { r: 4, alpha: 1, a: 1, b: 3 }, gammaGamma: { p: 4, q: 6, gamma: 50 } };
    const population = simulatePopulation(params, {
      customers: 4_000,
      start: '2025-01-01',
      end: '2025-01-15',
      random: seededRandom(4),
    });
    const values = population.flatMap((customer) => customer.purchases.map((purchase) => purchase.valueMinor));
    expect(values.length).toBeGreaterThan(10_000);
    expect(values.every((value) => Number.isInteger(value) && value >= 0)).toBe(true);
    const expectedMinor = ((4 * 50) / (6 - 1)) * 100;
    expect(mean(values) / expectedMinor).toBeGreaterThan(0.97);
    expect(mean(values) / expectedMinor).toBeLessThan(1.03);
  });

  it('scales spend by minorPerMajor', () => {
    const options = { customers: 50, ...window };
    const cents = simulatePopulation(CDNOW, { ...options, random: seededRandom(8) });
    const yen = simulatePopulation(CDNOW, { ...options, random: seededRandom(8), minorPerMajor: 1 });
    const centsTotal = cents.flatMap((c) => c.purchases).reduce((sum, p) => sum + p.valueMinor, 0);
    const yenTotal = yen.flatMap((c) => c.purchases).reduce((sum, p) => sum + p.valueMinor, 0);
    expect(centsTotal / yenTotal).toBeGreaterThan(99);
    expect(centsTotal / yenTotal).toBeLessThan(101);
  });

  it('spreads first purchases evenly over the window', () => {
    const population = simulatePopulation(CDNOW, { customers: 5_000, ...window, random: seededRandom(6) });
    const start = Date.parse('2025-01-01T00:00:00Z');
    const end = Date.parse('2026-07-01T00:00:00Z');
    const shares = population.map((customer) => (Date.parse(customer.purchases[0]!.at) - start) / (end - start));
    expect(mean(shares)).toBeCloseTo(0.5, 2);
    expect(shares.filter((share) => share < 0.25).length / shares.length).toBeCloseTo(0.25, 1);
  });

  it('buys repeatedly at rate lambda per week while alive', () => {
    // With b huge, p is almost 0: nobody drops out, so repeats ~ Poisson(lambda * weeks left).
    const params: SimulationParams = { ...CDNOW, bgnbd: { r: 2, alpha: 4, a: 0.001, b: 1000 } };
    const population = simulatePopulation(params, { customers: 2_000, ...window, random: seededRandom(12) });
    const end = Date.parse('2026-07-01T00:00:00Z');
    const repeats = population.reduce((sum, customer) => sum + customer.purchases.length - 1, 0);
    const expected = population.reduce(
      (sum, customer) => sum + (customer.latent.lambda * (end - Date.parse(customer.purchases[0]!.at))) / WEEK_MS,
      0,
    );
    expect(repeats / expected).toBeGreaterThan(0.97);
    expect(repeats / expected).toBeLessThan(1.03);
  });

  it('drops out after the first repeat purchase when p is 1, never after the first purchase', () => {
    const params: SimulationParams = { ...CDNOW, bgnbd: { r: 5000, alpha: 1, a: 1000, b: 0.001 } };
    const population = simulatePopulation(params, { customers: 500, ...window, random: seededRandom(13) });
    for (const customer of population) expect(customer.purchases).toHaveLength(2);
    for (const customer of population) expect(customer.latent.droppedOutAt).toBe(customer.purchases[1]!.at);
  });

  it('keeps every purchase in [start, end), in order, and none after dropout', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 400 }),
        (seed, offsetDays, lengthDays) => {
          const startMs = Date.UTC(2024, 0, 1) + offsetDays * 86_400_000;
          const endMs = startMs + lengthDays * 86_400_000;
          const start = new Date(startMs).toISOString().slice(0, 10);
          const end = new Date(endMs).toISOString().slice(0, 10);
          const params: SimulationParams = { ...CDNOW, bgnbd: { r: 2, alpha: 1, a: 1, b: 3 } };
          const population = simulatePopulation(params, { customers: 20, start, end, random: seededRandom(seed) });
          for (const customer of population) {
            const times = customer.purchases.map((purchase) => Date.parse(purchase.at));
            expect(times.every((time) => time >= startMs && time < endMs && time % 1000 === 0)).toBe(true);
            expect([...times].sort((x, y) => x - y)).toEqual(times);
            const { droppedOutAt } = customer.latent;
            if (droppedOutAt !== null) {
              expect(customer.purchases.length).toBeGreaterThanOrEqual(2);
              expect(customer.purchases.at(-1)!.at).toBe(droppedOutAt);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('drops out a share p of the time after each repeat purchase', () => {
    // p held near 0.25 for everyone (Beta(250, 750)): pooling trials over a spread
    // of p would weigh the customers with small p, who make more trials.
    const params: SimulationParams = { ...CDNOW, bgnbd: { r: 20, alpha: 1, a: 250, b: 750 } };
    const population = simulatePopulation(params, { customers: 5_000, ...window, random: seededRandom(14) });
    let trials = 0;
    let dropouts = 0;
    for (const customer of population) {
      trials += customer.purchases.length - 1;
      if (customer.latent.droppedOutAt !== null) dropouts++;
    }
    expect(dropouts / trials).toBeGreaterThan(0.23);
    expect(dropouts / trials).toBeLessThan(0.27);
  });

  it('gives an empty population for 0 customers', () => {
    expect(simulatePopulation(CDNOW, { customers: 0, ...window, random: seededRandom(1) })).toEqual([]);
  });

  it('throws a ValidationError naming each parameter that is not a positive number', () => {
    const bad: SimulationParams = {
      bgnbd: { r: 0, alpha: -1, a: Number.NaN, b: Infinity },
      gammaGamma: { p: 1, q: 1, gamma: 1 },
    };
    const options = { customers: 1, ...window, random: seededRandom(1) };
    expect(() => simulatePopulation(bad, options)).toThrow(ValidationError);
    try {
      simulatePopulation(bad, options);
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([
        'r must be a positive number, got 0',
        'alpha must be a positive number, got -1',
        'a must be a positive number, got NaN',
        'b must be a positive number, got Infinity',
      ]);
    }
    expect(() => simulatePopulation(CDNOW, { ...options, minorPerMajor: 0 })).toThrow(
      'invalid simulation parameters',
    );
  });

  it.each([-1, 1.5, Number.NaN, 10_000_001])('throws a ValidationError for %s customers', (customers) => {
    expect(() => simulatePopulation(CDNOW, { customers, ...window, random: seededRandom(1) })).toThrow(
      ValidationError,
    );
  });

  it.each([
    ['2025-02-30', '2025-06-01'],
    ['2025-1-01', '2025-06-01'],
    ['2025-01-01', 'tomorrow'],
    ['2025-06-01', '2025-06-01'],
    ['2025-06-02', '2025-06-01'],
  ])('throws a ValidationError for the window %s to %s', (start, end) => {
    expect(() => simulatePopulation(CDNOW, { customers: 1, start, end, random: seededRandom(1) })).toThrow(
      ValidationError,
    );
  });

  it('names what is wrong with the customers or the window', () => {
    const random = seededRandom(1);
    expect(() => simulatePopulation(CDNOW, { customers: -1, ...window, random })).toThrow(
      'customers must be a whole number from 0 to 10000000, got -1',
    );
    expect(() => simulatePopulation(CDNOW, { customers: 1, start: '2025-02-30', end: '2025-06-01', random })).toThrow(
      'start must be a date YYYY-MM-DD, got "2025-02-30"',
    );
    expect(() => simulatePopulation(CDNOW, { customers: 1, start: '2025-01-01', end: 'soon', random })).toThrow(
      'end must be a date YYYY-MM-DD, got "soon"',
    );
    expect(() => simulatePopulation(CDNOW, { customers: 1, start: '2025-06-02', end: '2025-06-01', random })).toThrow(
      'end (2025-06-01) must come after start (2025-06-02)',
    );
  });

  it('accepts a window of one day', () => {
    const population = simulatePopulation(CDNOW, {
      customers: 10,
      start: '2025-06-01',
      end: '2025-06-02',
      random: seededRandom(2),
    });
    for (const customer of population) {
      for (const purchase of customer.purchases) expect(purchase.at.startsWith('2025-06-01T')).toBe(true);
    }
  });
});
