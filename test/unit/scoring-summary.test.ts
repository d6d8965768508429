import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Purchase, dateDay, dayDate, purchaseSummary, utcDay } from '../../functions/domain/scoring/summary';
import { ValidationError } from '../../functions/shared/errors';
import { cdnowHistories, cdnowPublishedSummary } from '../support/cdnow';

describe('Function: purchaseSummary', () => {
  it('reproduces the published CDNOW summary for all 2,357 customers as of 1997-09-30', () => {
    const histories = cdnowHistories();
    const published = cdnowPublishedSummary();
    expect(histories.size).toBe(2357);
    expect(published.size).toBe(2357);
    for (const [id, history] of histories) {
      const ours = purchaseSummary(history, '1997-09-30', 100);
      const theirs = published.get(id);
      expect(ours, id).toBeDefined();
      expect(theirs, id).toBeDefined();
      // The CSV is rounded to 2 decimals.
      expect(ours!.x, id).toBe(theirs!.x);
      expect(Math.abs(ours!.tx - theirs!.tx), id).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(ours!.T - theirs!.T), id).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(ours!.meanRepeatValue - theirs!.zbar), id).toBeLessThanOrEqual(0.005 + 1e-9);
    }
  });

  it('merges purchases on one UTC day into one purchase day and sums their values', () => {
    const summary = purchaseSummary(
      [
        { at: '2025-01-01T09:00:00Z', valueMinor: 1000 },
        { at: '2025-01-08T01:00:00Z', valueMinor: 500 },
        { at: '2025-01-08T23:59:59Z', valueMinor: 700 },
      ],
      '2025-01-15',
      100,
    );
    expect(summary).toEqual({ x: 1, tx: 1, T: 2, meanRepeatValue: 12 });
  });

  it('takes the UTC calendar day of an instant with an offset', () => {
    // 23:30 at -05:00 is 04:30 UTC the next day.
    const summary = purchaseSummary(
      [
        { at: '2025-01-01T10:00:00Z', valueMinor: 100 },
        { at: '2025-01-01T23:30:00-05:00', valueMinor: 100 },
      ],
      '2025-01-08',
      100,
    );
    expect(summary).toEqual({ x: 1, tx: 1 / 7, T: 1, meanRepeatValue: 1 });
  });

  it('counts a purchase on the as-of day and ignores later ones', () => {
    const history = [
      { at: '2025-01-01T00:00:00Z', valueMinor: 100 },
      { at: '2025-01-15T23:59:59.999Z', valueMinor: 300 },
      { at: '2025-01-16T00:00:00Z', valueMinor: 900 },
    ];
    expect(purchaseSummary(history, '2025-01-15', 100)).toEqual({ x: 1, tx: 2, T: 2, meanRepeatValue: 3 });
    expect(purchaseSummary(history, '2025-01-14', 100)).toEqual({ x: 0, tx: 0, T: 13 / 7, meanRepeatValue: 0 });
  });

  it('is undefined when the customer had not bought by the as-of day', () => {
    expect(purchaseSummary([], '2025-01-01', 100)).toBeUndefined();
    expect(purchaseSummary([{ at: '2025-01-02T00:00:00Z', valueMinor: 100 }], '2025-01-01', 100)).toBeUndefined();
  });

  it('counts a zero-value purchase day as a repeat purchase', () => {
    const summary = purchaseSummary(
      [
        { at: '2025-01-01T00:00:00Z', valueMinor: 5000 },
        { at: '2025-01-03T00:00:00Z', valueMinor: 0 },
        { at: '2025-01-05T00:00:00Z', valueMinor: 300 },
      ],
      '2025-01-08',
      100,
    );
    expect(summary).toEqual({ x: 2, tx: 4 / 7, T: 1, meanRepeatValue: 1.5 });
  });

  it('gives T = 0 to a customer who first bought on the as-of day', () => {
    expect(purchaseSummary([{ at: '2025-03-01T12:00:00Z', valueMinor: 250 }], '2025-03-01', 1)).toEqual({
      x: 0,
      tx: 0,
      T: 0,
      meanRepeatValue: 0,
    });
  });

  it('uses the minor units per major unit of the currency', () => {
    const history = [
      { at: '2025-01-01T00:00:00Z', valueMinor: 1 },
      { at: '2025-01-02T00:00:00Z', valueMinor: 1500 },
    ];
    expect(purchaseSummary(history, '2025-01-02', 1000)?.meanRepeatValue).toBe(1.5);
    expect(purchaseSummary(history, '2025-01-02', 1)?.meanRepeatValue).toBe(1500);
  });

  it('does not depend on the order of the purchases, and keeps 0 <= t_x <= T', () => {
    const purchase = fc.record({
      at: fc.integer({ min: 0, max: 400 * 86_400_000 }).map((ms) => new Date(Date.UTC(2024, 0, 1) + ms).toISOString()),
      valueMinor: fc.integer({ min: 0, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(purchase, { minLength: 1, maxLength: 30 }), fc.boolean(), (purchases, reverse) => {
        const summary = purchaseSummary(purchases, '2025-01-31', 100);
        const byValue = (p: Purchase, q: Purchase) => p.valueMinor - q.valueMinor;
        const reordered = reverse ? [...purchases].reverse() : [...purchases].sort(byValue);
        const other = purchaseSummary(reordered, '2025-01-31', 100);
        expect(other).toEqual(summary);
        const days = new Set(purchases.map((p) => p.at.slice(0, 10)).filter((day) => day <= '2025-01-31'));
        if (days.size === 0) {
          expect(summary).toBeUndefined();
          return;
        }
        expect(summary!.x).toBe(days.size - 1);
        expect(summary!.tx).toBeGreaterThanOrEqual(0);
        expect(summary!.tx).toBeLessThanOrEqual(summary!.T);
        expect(summary!.meanRepeatValue).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('throws a ValidationError on an as-of day or instant that is not a date', () => {
    const history = [{ at: '2025-01-01T00:00:00Z', valueMinor: 1 }];
    const notDates = ['2025-02-30', '25-01-01', '2025-1-01', '', '2025-01-01T00:00:00Z', 'x2025-01-01', '+02025-01-01'];
    for (const asOf of notDates) {
      expect(() => purchaseSummary(history, asOf, 100), asOf).toThrow(ValidationError);
    }
    expect(() => purchaseSummary(history, '2025-13-01', 100)).toThrow('not a YYYY-MM-DD date: "2025-13-01"');
    expect(() => purchaseSummary([{ at: 'yesterday', valueMinor: 1 }], '2025-01-01', 100)).toThrow(
      'not an ISO 8601 instant: "yesterday"',
    );
  });
});

describe('Function: day numbers', () => {
  it('counts UTC days since 1970-01-01 and back', () => {
    expect(dateDay('1970-01-02')).toBe(1);
    expect(utcDay('1970-01-02T23:59:59.999Z')).toBe(1);
    expect(utcDay('1969-12-31T23:59:59Z')).toBe(-1);
    expect(dayDate(dateDay('1998-06-30'))).toBe('1998-06-30');
    expect(dateDay('1998-06-30') - dateDay('1997-09-30')).toBe(273);
  });
});
