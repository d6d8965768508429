import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lifecycleRules, lifecycleStage, stages, type StageInput } from '../../functions/domain/scoring/lifecycle';

function stage(input: Partial<StageInput>): string {
  return lifecycleStage({ purchaseDays: 3, pAlive: 0.9, f: 5, advocate: false, ...input });
}

const inputs = fc.record({
  purchaseDays: fc.integer({ min: 0, max: 500 }),
  pAlive: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
  f: fc.option(fc.integer({ min: 1, max: 5 })),
  advocate: fc.boolean(),
});

describe('Constant: lifecycleRules', () => {
  it('holds the documented thresholds, with lapsed below loyal', () => {
    expect(lifecycleRules).toEqual({ lapsedBelowPAlive: 0.3, loyalMinPAlive: 0.6, loyalMinPurchaseDays: 3, loyalMinF: 4 });
    expect(lifecycleRules.lapsedBelowPAlive).toBeLessThan(lifecycleRules.loyalMinPAlive);
  });
});

describe('Function: lifecycleStage', () => {
  it('calls a contact with no purchase day a prospect, whatever else it is told', () => {
    expect(stage({ purchaseDays: 0 })).toBe('prospect');
    expect(stage({ purchaseDays: 0, pAlive: 0, f: null, advocate: true })).toBe('prospect');
    expect(stage({ purchaseDays: 0, pAlive: null, f: null })).toBe('prospect');
  });

  it('calls a customer with one purchase day first_time, even a marked advocate', () => {
    expect(stage({ purchaseDays: 1 })).toBe('first_time');
    expect(stage({ purchaseDays: 1, pAlive: 1, f: 5, advocate: true })).toBe('first_time');
    expect(stage({ purchaseDays: 1, pAlive: null, f: null })).toBe('first_time');
  });

  it('lapses a customer below P(alive) 0.3, first-time ones too, and not at 0.3', () => {
    expect(stage({ purchaseDays: 1, pAlive: 0.3 })).toBe('first_time');
    expect(stage({ purchaseDays: 1, pAlive: 0.2999 })).toBe('lapsed');
    expect(stage({ purchaseDays: 2, pAlive: 0.3 })).toBe('repeat');
    expect(stage({ purchaseDays: 2, pAlive: 0.2999 })).toBe('lapsed');
    expect(stage({ purchaseDays: 40, pAlive: 0, f: 5, advocate: true })).toBe('lapsed');
  });

  it('calls a customer with two purchase days repeat, however likely alive and frequent', () => {
    expect(stage({ purchaseDays: 2, pAlive: 1, f: 5 })).toBe('repeat');
    expect(stage({ purchaseDays: 2, pAlive: 1, f: 5, advocate: true })).toBe('repeat');
  });

  it('makes a customer loyal from 3 purchase days, P(alive) 0.6 and F 4, and not one step below', () => {
    expect(stage({ purchaseDays: 3, pAlive: 0.6, f: 4 })).toBe('loyal');
    expect(stage({ purchaseDays: 2, pAlive: 0.6, f: 4 })).toBe('repeat');
    expect(stage({ purchaseDays: 3, pAlive: 0.5999, f: 4 })).toBe('repeat');
    expect(stage({ purchaseDays: 3, pAlive: 0.6, f: 3 })).toBe('repeat');
    expect(stage({ purchaseDays: 250, pAlive: 1, f: 5 })).toBe('loyal');
  });

  it('makes a loyal customer marked as an advocate an advocate, and only a loyal one', () => {
    expect(stage({ purchaseDays: 3, pAlive: 0.6, f: 4, advocate: true })).toBe('advocate');
    expect(stage({ purchaseDays: 3, pAlive: 0.5999, f: 4, advocate: true })).toBe('repeat');
    expect(stage({ purchaseDays: 3, pAlive: 0.6, f: 3, advocate: true })).toBe('repeat');
  });

  it('calls no customer loyal without an F score', () => {
    expect(stage({ purchaseDays: 9, pAlive: 0.95, f: null })).toBe('repeat');
    expect(stage({ purchaseDays: 9, pAlive: 0.95, f: null, advocate: true })).toBe('repeat');
  });

  it('calls no customer lapsed, loyal or advocate while there is no P(alive)', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const expected = input.purchaseDays === 0 ? 'prospect' : input.purchaseDays === 1 ? 'first_time' : 'repeat';
        expect(lifecycleStage({ ...input, pAlive: null })).toBe(expected);
      }),
    );
  });

  it('gives every valid input one of the six stages, prospect exactly when nothing was bought', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const result = lifecycleStage(input);
        expect(stages).toContain(result);
        expect(result === 'prospect').toBe(input.purchaseDays === 0);
      }),
    );
  });

  it('never keeps a customer below the lapse threshold in an active stage', () => {
    fc.assert(
      fc.property(inputs, fc.double({ min: 0, max: 0.3, maxExcluded: true, noNaN: true }), (input, pAlive) => {
        fc.pre(input.purchaseDays > 0);
        expect(lifecycleStage({ ...input, pAlive })).toBe('lapsed');
      }),
    );
  });

  it('throws a RangeError for input that cannot come from the figures or the model', () => {
    const invalid: Partial<StageInput>[] = [
      { purchaseDays: -1 },
      { purchaseDays: 1.5 },
      { purchaseDays: Number.NaN },
      { pAlive: -0.01 },
      { pAlive: 1.01 },
      { pAlive: Number.NaN },
      { f: 0 },
      { f: 6 },
      { f: 4.5 },
    ];
    for (const bad of invalid) expect(() => stage(bad), JSON.stringify(bad)).toThrow(RangeError);
    expect(() => stage({ purchaseDays: -2 })).toThrow('purchaseDays must be a whole number >= 0, got -2');
    expect(() => stage({ pAlive: 2 })).toThrow('pAlive must be a probability or null, got 2');
    expect(() => stage({ f: 7 })).toThrow('f must be a whole score 1..5 or null, got 7');
  });

  it('accepts the ends of each range', () => {
    expect(stage({ pAlive: 0, f: 1 })).toBe('lapsed');
    expect(stage({ pAlive: 1, f: 5 })).toBe('loyal');
    expect(stage({ pAlive: 1, f: 1 })).toBe('repeat');
  });
});
