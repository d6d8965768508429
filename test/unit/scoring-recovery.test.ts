import { describe, expect, it } from 'vitest';
import { fitBgNbd } from '../../functions/domain/scoring/bgnbd';
import { fitGammaGamma } from '../../functions/domain/scoring/gamma-gamma';
import { seededRandom, simulatePopulation } from '../../functions/domain/scoring/simulate';
import { purchaseSummary } from '../../functions/domain/scoring/summary';

const truth = { bgnbd: { r: 0.5, alpha: 5, a: 0.8, b: 2.5 }, gammaGamma: { p: 6, q: 4, gamma: 15 } };

describe('Parameter recovery on simulated populations', () => {
  // Over seeds 1-6 the estimates stayed within 3% (r), 7% (alpha, a), 8% (b),
  // 10% (p), 4% (q) and 13% (gamma) of the truth; the tolerances leave room
  // for that spread. Whole-day summaries and same-day merging bias alpha up a little.
  const tolerance = { r: 0.1, alpha: 0.1, a: 0.15, b: 0.15, p: 0.15, q: 0.1, gamma: 0.2 };

  // About 3 s alone; under mutation testing on a loaded machine, far more.
  it('recovers r, alpha, a, b and p, q, gamma from 20,000 customers over two years', { timeout: 60_000 }, () => {
    const population = simulatePopulation(truth, {
      customers: 20_000,
      start: '2023-01-01',
      end: '2025-01-01',
      random: seededRandom(1),
    });
    const summaries = population.map((customer) => purchaseSummary(customer.purchases, '2024-12-31', 100)!);
    const bgnbd = fitBgNbd(summaries);
    const gammaGamma = fitGammaGamma(summaries);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      expect(Math.abs(bgnbd[key] / truth.bgnbd[key] - 1), key).toBeLessThan(tolerance[key]);
    }
    for (const key of ['p', 'q', 'gamma'] as const) {
      expect(Math.abs(gammaGamma[key] / truth.gammaGamma[key] - 1), key).toBeLessThan(tolerance[key]);
    }
  });
});
