import { describe, expect, it } from 'vitest';
import { backtest } from '../../functions/domain/scoring/backtest';
import { expectedPurchases } from '../../functions/domain/scoring/bgnbd';
import { type Purchase, purchaseSummary } from '../../functions/domain/scoring/summary';
import { ValidationError } from '../../functions/shared/errors';
import { cdnowHistories } from '../support/cdnow';

const cdnowBacktest = (histories: Purchase[][]) => backtest(histories, '1997-09-30', '1998-06-30', 100);

describe('Function: backtest', () => {
  it('expects 4,160.6 cumulative repeat orders on CDNOW against 4,339 actual (-4.1%), within 1%', () => {
    const histories = [...cdnowHistories().values()];
    const result = cdnowBacktest(histories);
    expect(result.customers).toBe(2357);
    expect(result.model.sufficient).toBe(true);
    expect(Math.abs(result.totals!.predicted / 4160.6 - 1)).toBeLessThan(0.01);
    expect(result.totals!.actual).toBe(4339);
    expect(result.totals!.errorPercent!).toBeCloseTo(-4.1, 1);
  });

  it('tracks 78 weeks, whole ones after the calibration end, with cumulative figures that add up', () => {
    const histories = [...cdnowHistories().values()];
    const result = cdnowBacktest(histories);
    const { weeks } = result;
    expect(weeks).toHaveLength(78);
    expect(weeks[0]).toMatchObject({ week: 1, end: '1997-01-07', period: 'calibration' });
    expect(weeks[38]).toMatchObject({ week: 39, end: '1997-09-30', period: 'calibration', cumulativeActual: 2457 });
    expect(weeks[39]).toMatchObject({ week: 40, end: '1997-10-07', period: 'holdout' });
    expect(weeks[77]).toMatchObject({ week: 78, end: '1998-06-30', period: 'holdout', cumulativeActual: 4339 });
    expect(weeks.filter((w) => w.period === 'holdout')).toHaveLength(39);
    let predicted = 0;
    let actual = 0;
    for (const week of weeks) {
      predicted += week.predicted;
      actual += week.actual;
      expect(week.predicted).toBeGreaterThanOrEqual(0);
      expect(week.cumulativePredicted).toBeCloseTo(predicted, 8);
      expect(week.cumulativeActual).toBe(actual);
    }
    expect(result.totals!.predicted).toBe(weeks[77]!.cumulativePredicted);
  });

  it('compares the holdout customer by customer, and beats the naive rate', () => {
    const histories = [...cdnowHistories().values()];
    const result = cdnowBacktest(histories);
    const summaries = histories.map((h) => purchaseSummary(h, '1997-09-30', 100)!);
    const expected = summaries.reduce((sum, s) => sum + expectedPurchases(result.model.bgnbd!, s, 39), 0);
    expect(result.holdout!.predicted).toBeCloseTo(expected, 8);
    expect(result.holdout!.actual).toBe(1882);
    expect(result.holdout!.errorPercent!).toBeCloseTo(((expected - 1882) / 1882) * 100, 8);
    expect(result.perCustomer!.mae).toBeGreaterThan(0);
    expect(result.perCustomer!.mae).toBeLessThan(result.perCustomer!.naiveMae);
    const naive =
      summaries.reduce((sum, s, i) => {
        const happened = new Set(
          histories[i]!.map((p) => p.at.slice(0, 10)).filter((d) => d > '1997-09-30' && d <= '1998-06-30'),
        ).size;
        return sum + Math.abs((s.x / s.T) * 39 - happened);
      }, 0) / summaries.length;
    expect(result.perCustomer!.naiveMae).toBeCloseTo(naive, 10);
  });

  it('leaves out customers whose first order comes after the calibration end', () => {
    const histories = [...cdnowHistories().values()];
    const result = cdnowBacktest(histories);
    const late = [{ at: '1998-01-05T10:00:00Z', valueMinor: 1000 }, { at: '1998-02-05T10:00:00Z', valueMinor: 1000 }];
    const withLate = backtest([...histories, late], '1997-09-30', '1998-06-30', 100);
    expect(withLate.customers).toBe(2357);
    expect(withLate.totals).toEqual(result.totals);
  });

  it('ends week 1 after the first order when the first order falls a whole number of weeks before the calibration end', () => {
    // CDNOW's first orders are on 1997-01-01, 38 weeks before 1997-09-24: week 1 is 1997-01-02 to 01-08, not 01-01 alone.
    const histories = [...cdnowHistories().values()];
    const { weeks } = backtest(histories, '1997-09-24', '1998-06-24', 100);
    expect(weeks[0]).toMatchObject({ week: 1, end: '1997-01-08', period: 'calibration' });
    expect(weeks[37]).toMatchObject({ week: 38, end: '1997-09-24', period: 'calibration' });
    expect(weeks).toHaveLength(77);
  });

  it('gives a customer who first bought on the calibration end a naive forecast of 0 (T = 0), not NaN', () => {
    const histories = [...cdnowHistories().values()];
    const newcomer = [{ at: '1997-09-30T15:00:00Z', valueMinor: 1000 }, { at: '1997-11-02T10:00:00Z', valueMinor: 1000 }];
    const result = cdnowBacktest([...histories, newcomer]);
    const without = cdnowBacktest(histories);
    expect(result.customers).toBe(2358);
    // The newcomer bought once in the holdout; the naive forecast said 0, so its error is 1.
    expect(result.perCustomer!.naiveMae * 2358).toBeCloseTo(without.perCustomer!.naiveMae * 2357 + 1, 6);
    expect(result.holdout!.actual).toBe(without.holdout!.actual + 1);
  });

  it('answers "not enough data" without figures when the model is not sufficient', () => {
    const histories = [...cdnowHistories().values()];
    const small = backtest(histories.slice(0, 100), '1997-09-30', '1998-06-30', 100);
    expect(small).toMatchObject({ customers: 100, weeks: [], totals: null, holdout: null, perCustomer: null });
    expect(small.model.reason).toBe('needs 500 customers with orders, has 100');
  });

  it('answers errorPercent null when nothing happened', () => {
    const histories = [...cdnowHistories().values()];
    const quiet = histories.map((h) => h.filter((p) => p.at < '1997-10-01'));
    expect(backtest(quiet, '1997-09-30', '1997-12-31', 100).holdout).toMatchObject({ actual: 0, errorPercent: null });
  });

  it('throws a ValidationError when the holdout does not end after the calibration', () => {
    const histories = [...cdnowHistories().values()];
    expect(() => backtest(histories, '1997-09-30', '1997-09-30', 100)).toThrow(ValidationError);
    expect(() => backtest(histories, '1997-09-30', '1997-09-01', 100)).toThrow('must come after the calibration end');
    expect(() => backtest(histories, '1997-09-31', '1998-06-30', 100)).toThrow(ValidationError);
  });
});
