import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  rfmCutPoints,
  rfmScores,
  segmentOf,
  segmentRules,
  segments,
  type RfmCutPoints,
  type RfmValues,
  type Segment,
} from '../../functions/domain/scoring/rfm';

const scores = [1, 2, 3, 4, 5] as const;

function customer(recencyDays: number, frequency: number, monetaryMinor: number): RfmValues {
  return { recencyDays, frequency, monetaryMinor };
}

function cutsOf(values: readonly RfmValues[]): RfmCutPoints {
  const cuts = rfmCutPoints(values);
  if (!cuts) throw new Error('expected cut points');
  return cuts;
}

const values = fc.record({
  recencyDays: fc.integer({ min: 0, max: 3650 }),
  frequency: fc.integer({ min: 1, max: 200 }),
  monetaryMinor: fc.integer({ min: 0, max: 10_000_000 }),
});
// Few distinct values, so that ties and cut points that repeat are the common case.
const tiedValues = fc.record({
  recencyDays: fc.integer({ min: 0, max: 4 }),
  frequency: fc.integer({ min: 1, max: 3 }),
  monetaryMinor: fc.constantFrom(0, 500, 1000),
});
const base = fc.oneof(fc.array(values, { minLength: 1, maxLength: 200 }), fc.array(tiedValues, { minLength: 1, maxLength: 200 }));

describe('Constant: segmentRules', () => {
  it('holds for exactly one rule in every cell of the R × F grid', () => {
    for (const r of scores) {
      for (const f of scores) {
        const holding = segmentRules.filter(
          (rule) => r >= rule.r.min && r <= rule.r.max && f >= rule.f.min && f <= rule.f.max,
        );
        expect(holding, `r ${r} f ${f}`).toHaveLength(1);
      }
    }
  });

  it('names each of the eleven segments once', () => {
    expect(segmentRules.map((rule) => rule.segment).sort()).toEqual([...segments].sort());
  });
});

describe('Function: segmentOf', () => {
  // Rows R 5 down to R 1, columns F 1 to F 5: the grid written in rfm.ts.
  const grid: Segment[][] = [
    ['new', 'potential_loyalist', 'potential_loyalist', 'champions', 'champions'],
    ['promising', 'potential_loyalist', 'potential_loyalist', 'loyal', 'loyal'],
    ['about_to_sleep', 'about_to_sleep', 'needs_attention', 'loyal', 'loyal'],
    ['hibernating', 'hibernating', 'at_risk', 'at_risk', 'cannot_lose'],
    ['lost', 'lost', 'at_risk', 'at_risk', 'cannot_lose'],
  ];

  it('maps every (r, f, m) in 1..5 to the segment of the documented grid, whatever m', () => {
    for (const r of scores) {
      for (const f of scores) {
        for (const m of scores) {
          expect(segmentOf({ r, f, m }), `r ${r} f ${f} m ${m}`).toBe(grid[5 - r]?.[f - 1]);
        }
      }
    }
  });

  it('reaches all eleven segments over the full grid', () => {
    const reached = new Set<Segment>();
    for (const r of scores) for (const f of scores) for (const m of scores) reached.add(segmentOf({ r, f, m }));
    expect([...reached].sort()).toEqual([...segments].sort());
  });

  it('follows the first rule that holds', () => {
    for (const rule of segmentRules) {
      expect(segmentOf({ r: rule.r.min, f: rule.f.max, m: 3 })).toBe(rule.segment);
      expect(segmentOf({ r: rule.r.max, f: rule.f.min, m: 3 })).toBe(rule.segment);
    }
  });

  it('throws a RangeError for a score that is not a whole number 1..5', () => {
    for (const bad of [0, 6, 2.5, Number.NaN, -1]) {
      expect(() => segmentOf({ r: bad, f: 3, m: 3 })).toThrow(RangeError);
      expect(() => segmentOf({ r: 3, f: bad, m: 3 })).toThrow(RangeError);
      expect(() => segmentOf({ r: 3, f: 3, m: bad })).toThrow(RangeError);
    }
    expect(() => segmentOf({ r: 0, f: 3, m: 3 })).toThrow('r must be a whole score 1..5, got 0');
    expect(() => segmentOf({ r: 3, f: 2.5, m: 3 })).toThrow('f must be a whole score 1..5, got 2.5');
    expect(() => segmentOf({ r: 3, f: 3, m: 6 })).toThrow('m must be a whole score 1..5, got 6');
  });
});

describe('Function: rfmCutPoints', () => {
  it('answers undefined when no customer has an order', () => {
    expect(rfmCutPoints([])).toBeUndefined();
  });

  it('gives the 20th, 40th, 60th and 80th percentiles of each dimension', () => {
    const base = Array.from({ length: 10 }, (_, i) => customer(9 - i, i + 1, (i + 1) * 100));
    expect(rfmCutPoints(base)).toEqual({
      recency: [1, 3, 5, 7],
      frequency: [2, 4, 6, 8],
      monetary: [200, 400, 600, 800],
    });
  });

  it('takes the value at rank ceil(k·n/5) when n is not a multiple of five', () => {
    const base = Array.from({ length: 7 }, (_, i) => customer(i, i + 1, i));
    // Ranks 2, 3, 5, 6 of 7.
    expect(cutsOf(base).frequency).toEqual([2, 3, 5, 6]);
    expect(cutsOf(base).recency).toEqual([1, 2, 4, 5]);
  });

  it('sorts numerically, not as text', () => {
    const base = [customer(100, 9, 1000), customer(9, 100, 99), customer(20, 3, 200000), customer(3, 20, 5), customer(1, 1, 30)];
    expect(rfmCutPoints(base)).toEqual({
      recency: [1, 3, 9, 20],
      frequency: [1, 3, 9, 20],
      monetary: [5, 30, 99, 1000],
    });
  });

  it('gives one customer their own values as every cut point', () => {
    expect(rfmCutPoints([customer(12, 3, 4500)])).toEqual({
      recency: [12, 12, 12, 12],
      frequency: [3, 3, 3, 3],
      monetary: [4500, 4500, 4500, 4500],
    });
  });

  it('gives four ascending cut points per dimension that survive a JSON round trip', () => {
    fc.assert(
      fc.property(base, (customers) => {
        const cuts = cutsOf(customers);
        expect(JSON.parse(JSON.stringify(cuts))).toEqual(cuts);
        for (const dimension of [cuts.recency, cuts.frequency, cuts.monetary]) {
          expect(Array.isArray(dimension)).toBe(true);
          expect(dimension).toHaveLength(4);
          expect([...dimension].sort((a, b) => a - b)).toEqual(dimension);
        }
      }),
    );
  });

  it('leaves the customers it reads as they were', () => {
    const base = [customer(5, 1, 10), customer(1, 5, 50), customer(3, 3, 30)];
    const copy = structuredClone(base);
    rfmCutPoints(base);
    expect(base).toEqual(copy);
  });

  it('throws a RangeError for a customer it cannot score', () => {
    const invalid: RfmValues[] = [
      customer(-1, 1, 0),
      customer(1.5, 1, 0),
      customer(Number.NaN, 1, 0),
      customer(0, 0, 0),
      customer(0, 2.5, 0),
      customer(0, Number.POSITIVE_INFINITY, 0),
      customer(0, 1, -1),
      customer(0, 1, 0.5),
      customer(0, 1, 2 ** 53),
    ];
    for (const bad of invalid) {
      expect(() => rfmCutPoints([customer(1, 1, 1), bad]), JSON.stringify(bad)).toThrow(RangeError);
    }
    expect(() => rfmCutPoints([customer(-2, 1, 0)])).toThrow('recencyDays must be a whole number of days >= 0, got -2');
    expect(() => rfmCutPoints([customer(0, 0, 0)])).toThrow('frequency must be a whole number of purchase days >= 1, got 0');
    expect(() => rfmCutPoints([customer(0, 1, -5)])).toThrow('monetaryMinor must be whole minor units >= 0, got -5');
  });

  it('accepts the smallest values a customer can have', () => {
    expect(rfmCutPoints([customer(0, 1, 0)])).toEqual({ recency: [0, 0, 0, 0], frequency: [1, 1, 1, 1], monetary: [0, 0, 0, 0] });
  });
});

describe('Function: rfmScores', () => {
  // Built inside each test, so that a mutant that breaks rfmCutPoints fails the test, not the file.
  const tenCuts = () => cutsOf(Array.from({ length: 10 }, (_, i) => customer(9 - i, i + 1, (i + 1) * 100)));

  it('gives F and M a value on a cut point the lower score, and R the higher one', () => {
    // Cut points: recency [1, 3, 5, 7], frequency [2, 4, 6, 8], monetary [200, 400, 600, 800].
    expect(rfmScores(customer(1, 2, 200), tenCuts())).toEqual({ r: 5, f: 1, m: 1 });
    expect(rfmScores(customer(2, 3, 201), tenCuts())).toEqual({ r: 4, f: 2, m: 2 });
    expect(rfmScores(customer(3, 4, 400), tenCuts())).toEqual({ r: 4, f: 2, m: 2 });
    expect(rfmScores(customer(7, 8, 800), tenCuts())).toEqual({ r: 2, f: 4, m: 4 });
    expect(rfmScores(customer(8, 9, 801), tenCuts())).toEqual({ r: 1, f: 5, m: 5 });
  });

  it('scores values beyond the sample it was cut on as the ends of the scale', () => {
    expect(rfmScores(customer(0, 1, 0), tenCuts())).toEqual({ r: 5, f: 1, m: 1 });
    expect(rfmScores(customer(5000, 900, 10 ** 9), tenCuts())).toEqual({ r: 1, f: 5, m: 5 });
  });

  it('gives every customer the same score when all share one value', () => {
    const same = Array.from({ length: 50 }, () => customer(4, 2, 2500));
    const cuts = cutsOf(same);
    expect(rfmScores(customer(4, 2, 2500), cuts)).toEqual({ r: 5, f: 1, m: 1 });
  });

  it('keeps scores well defined when 70% of customers bought on one day', () => {
    const customers = [
      ...Array.from({ length: 700 }, (_, i) => customer(i % 365, 1, 1000 + i)),
      ...Array.from({ length: 200 }, (_, i) => customer(i % 365, 2, 5000 + i)),
      ...Array.from({ length: 100 }, (_, i) => customer(i % 365, 3 + (i % 7), 9000 + i)),
    ];
    const cuts = cutsOf(customers);
    expect(cuts.frequency).toEqual([1, 1, 1, 2]);
    const f = (frequency: number) => rfmScores(customer(10, frequency, 1000), cuts).f;
    // The one-day buyers tie: none of them scores above another, and the next
    // frequency up jumps to the score of the rank it reaches.
    expect(f(1)).toBe(1);
    expect(f(2)).toBe(4);
    expect(f(3)).toBe(5);
    expect(f(9)).toBe(5);
    const counts = new Map<number, number>();
    for (const value of customers) {
      const score = rfmScores(value, cuts).f;
      counts.set(score, (counts.get(score) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ 1: 700, 4: 200, 5: 100 });
  });

  it('keeps R well defined when 70% of customers bought on the as-of day', () => {
    const customers = [
      ...Array.from({ length: 70 }, () => customer(0, 1, 100)),
      ...Array.from({ length: 30 }, (_, i) => customer(i + 1, 1, 100)),
    ];
    const cuts = cutsOf(customers);
    expect(cuts.recency).toEqual([0, 0, 0, 10]);
    expect(rfmScores(customer(0, 1, 100), cuts).r).toBe(5);
    expect(rfmScores(customer(1, 1, 100), cuts).r).toBe(2);
    expect(rfmScores(customer(10, 1, 100), cuts).r).toBe(2);
    expect(rfmScores(customer(11, 1, 100), cuts).r).toBe(1);
  });

  it('gives each score as a whole number 1..5', () => {
    fc.assert(
      fc.property(base, values, (customers, scored) => {
        const result = rfmScores(scored, cutsOf(customers));
        for (const score of [result.r, result.f, result.m]) {
          expect(Number.isInteger(score)).toBe(true);
          expect(score).toBeGreaterThanOrEqual(1);
          expect(score).toBeLessThanOrEqual(5);
        }
      }),
    );
  });

  it('gives equal values equal scores, so a tie never splits across two scores', () => {
    fc.assert(
      fc.property(base, values, values, (customers, a, b) => {
        const cuts = cutsOf(customers);
        expect(rfmScores({ ...b, recencyDays: a.recencyDays }, cuts).r).toBe(rfmScores(a, cuts).r);
        expect(rfmScores({ ...b, frequency: a.frequency }, cuts).f).toBe(rfmScores(a, cuts).f);
        expect(rfmScores({ ...b, monetaryMinor: a.monetaryMinor }, cuts).m).toBe(rfmScores(a, cuts).m);
      }),
    );
  });

  it('scores F and M up and R down as the value grows', () => {
    fc.assert(
      fc.property(base, values, values, (customers, a, b) => {
        const cuts = cutsOf(customers);
        const low = customer(
          Math.min(a.recencyDays, b.recencyDays),
          Math.min(a.frequency, b.frequency),
          Math.min(a.monetaryMinor, b.monetaryMinor),
        );
        const high = customer(
          Math.max(a.recencyDays, b.recencyDays),
          Math.max(a.frequency, b.frequency),
          Math.max(a.monetaryMinor, b.monetaryMinor),
        );
        const [lowScores, highScores] = [rfmScores(low, cuts), rfmScores(high, cuts)];
        expect(highScores.r).toBeLessThanOrEqual(lowScores.r);
        expect(highScores.f).toBeGreaterThanOrEqual(lowScores.f);
        expect(highScores.m).toBeGreaterThanOrEqual(lowScores.m);
      }),
    );
  });

  it('puts a fifth of the customers, to one, in each score when their values are distinct', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 300 }), (distinct) => {
        const customers = distinct.map((value) => customer(value, value, value));
        const cuts = cutsOf(customers);
        const n = customers.length;
        for (const dimension of ['r', 'f', 'm'] as const) {
          const counts = [0, 0, 0, 0, 0];
          for (const value of customers) counts[rfmScores(value, cuts)[dimension] - 1]!++;
          for (const count of counts) {
            expect(count).toBeGreaterThanOrEqual(Math.floor(n / 5));
            expect(count).toBeLessThanOrEqual(Math.ceil(n / 5));
          }
        }
      }),
    );
  });

  it('gives the fifth of most recent customers R 5 and the fifth of biggest spenders M 5', () => {
    const customers = Array.from({ length: 100 }, (_, i) => customer(i, 1 + (i % 10), i * 10));
    const cuts = cutsOf(customers);
    expect(customers.filter((value) => rfmScores(value, cuts).r === 5).map((value) => value.recencyDays)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(customers.filter((value) => rfmScores(value, cuts).m === 5).map((value) => value.monetaryMinor)).toEqual(
      Array.from({ length: 20 }, (_, i) => (80 + i) * 10),
    );
  });

  it('throws a RangeError for a customer it cannot score', () => {
    expect(() => rfmScores(customer(-1, 1, 0), tenCuts())).toThrow(RangeError);
    expect(() => rfmScores(customer(0, 0, 0), tenCuts())).toThrow(RangeError);
    expect(() => rfmScores(customer(0, 1, Number.NaN), tenCuts())).toThrow(RangeError);
  });
});
