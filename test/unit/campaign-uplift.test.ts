// Conversion uplift over the holdout, with Newcombe's hybrid score interval.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { conversionUplift } from '../../functions/domain/campaigns/uplift';

const of = (converted: number, total: number) => ({ converted, total });
const rounded = (ci: [number, number] | null) => ci?.map((bound) => Number(bound.toFixed(4)));

describe('Function: conversionUplift', () => {
  it('gives the rates and their difference', () => {
    const result = conversionUplift(of(56, 70), of(48, 80));

    expect(result.treated).toBe(0.8);
    expect(result.holdout).toBe(0.6);
    expect(result.uplift).toBeCloseTo(0.2, 12);
  });

  // Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10.
  it.each([
    [of(56, 70), of(48, 80), [0.0524, 0.3339]],
    [of(9, 10), of(3, 10), [0.1705, 0.809]],
    [of(5, 56), of(0, 29), [-0.0381, 0.1926]],
    [of(0, 10), of(0, 20), [-0.1611, 0.2775]],
    [of(0, 10), of(0, 10), [-0.2775, 0.2775]],
    [of(10, 10), of(0, 20), [0.6791, 1]],
    [of(10, 10), of(0, 10), [0.6075, 1]],
  ])('matches the published interval for %o vs %o', (treated, holdout, ci) => {
    expect(rounded(conversionUplift(treated, holdout).ci)).toEqual(ci);
  });

  it('gives null rates, uplift and interval without customers on a side', () => {
    expect(conversionUplift(of(0, 0), of(3, 10))).toEqual({ treated: null, holdout: 0.3, uplift: null, ci: null });
    expect(conversionUplift(of(3, 10), of(0, 0))).toEqual({ treated: 0.3, holdout: null, uplift: null, ci: null });
    expect(conversionUplift(of(0, 0), of(0, 0))).toEqual({ treated: null, holdout: null, uplift: null, ci: null });
  });

  it('caps conversions at the customers counted, and floors them at zero', () => {
    expect(conversionUplift(of(12, 10), of(-1, 10))).toEqual(conversionUplift(of(10, 10), of(0, 10)));
  });

  it('narrows as the groups grow', () => {
    const width = (n: number) => {
      const [low, high] = conversionUplift(of(n * 0.3, n), of(n * 0.2, n)).ci!;
      return high - low;
    };

    expect(width(100)).toBeLessThan(width(10));
    expect(width(10_000)).toBeLessThan(0.03);
  });

  it('keeps the ends inside [-1, 1] where rounding would push them past (a case fast-check found)', () => {
    expect(conversionUplift(of(4176, 4176), of(0, 1)).ci![1]).toBe(1);
    expect(conversionUplift(of(0, 1), of(4176, 4176)).ci![0]).toBe(-1);
  });

  it('keeps the interval within [-1, 1] around the uplift (property)', () => {
    const group = fc.integer({ min: 1, max: 5000 }).chain((total) => fc.record({ converted: fc.integer({ min: 0, max: total }), total: fc.constant(total) }));
    fc.assert(
      fc.property(group, group, (treated, holdout) => {
        const { uplift, ci } = conversionUplift(treated, holdout);
        const [low, high] = ci!;
        expect(low).toBeGreaterThanOrEqual(-1);
        expect(high).toBeLessThanOrEqual(1);
        expect(low).toBeLessThanOrEqual(uplift! + 1e-12);
        expect(high).toBeGreaterThanOrEqual(uplift! - 1e-12);
      }),
    );
  });
});
