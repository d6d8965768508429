// One customer's score from their orders and the store's model, and what
// counts as a change worth a write and an event.
import { describe, expect, it } from 'vitest';
import {
  clvMinorOf,
  netUpTo,
  purchasesOf,
  rfmValuesOf,
  sameScore,
  scoreCustomer,
  transitionsBetween,
  utcDay,
  type CustomerScore,
  type ScoringModel,
} from '../../functions/domain/scoring/customer-score';
import type { OrderRecord } from '../../functions/domain/orders';
import { fitStoreModel } from '../../functions/domain/scoring/predict';
import { purchaseSummary } from '../../functions/domain/scoring/summary';
import { cdnowHistories } from '../support/cdnow';

function order(fields: Partial<OrderRecord>): OrderRecord {
  return {
    channelId: 'ch_1',
    platform: 'standard',
    orderId: 'o1',
    placedAt: '2025-03-01T10:00:00Z',
    placedDay: '2025-03-01',
    updatedAt: '2025-03-01T10:00:00Z',
    status: 'open',
    test: false,
    currency: 'EUR',
    totalMinor: 5000,
    refunds: {},
    discountCodes: [],
    placeholder: false,
    ...fields,
  };
}

const nulls = { r: null, f: null, m: null, pAlive: null, expectedOrders90: null, expectedOrders365: null, clv12m: null, nextOrderAt: null };

describe('Function: purchasesOf', () => {
  it('keeps counted orders of the currency, net of refunds, zero-value ones too', () => {
    const purchases = purchasesOf(
      [
        order({ orderId: 'a', refunds: { r1: 1200 } }),
        order({ orderId: 'b', totalMinor: 0, placedAt: '2025-03-02T23:30:00-02:00' }),
        order({ orderId: 'c', status: 'cancelled' }),
        order({ orderId: 'd', test: true }),
        order({ orderId: 'e', placeholder: true }),
        order({ orderId: 'f', currency: 'USD' }),
      ],
      'EUR',
    );

    expect(purchases).toEqual([
      { at: '2025-03-01T10:00:00.000Z', valueMinor: 3800 },
      { at: '2025-03-03T01:30:00.000Z', valueMinor: 0 },
    ]);
  });

  it('takes every currency when the customer has none yet', () => {
    expect(purchasesOf([order({ currency: 'USD' })], null)).toHaveLength(1);
  });
});

describe('Function: netUpTo and rfmValuesOf', () => {
  it('counts spend up to the end of the as-of day, and reads recency and frequency from the summary', () => {
    const purchases = [
      { at: '2025-01-01T08:00:00Z', valueMinor: 1000 },
      { at: '2025-01-11T23:59:59Z', valueMinor: 500 },
      { at: '2025-01-12T00:00:00Z', valueMinor: 9000 },
    ];

    expect(netUpTo(purchases, '2025-01-11')).toBe(1500);
    const summary = purchaseSummary(purchases, '2025-01-21', 100)!;
    expect(rfmValuesOf(summary, 10_500)).toEqual({ recencyDays: 9, frequency: 3, monetaryMinor: 10_500 });
  });
});

describe('Function: scoreCustomer', () => {
  it('gives a customer without purchases by the as-of day the prospect stage and nothing else', () => {
    const score = scoreCustomer(undefined, [{ at: '2025-06-01T00:00:00Z', valueMinor: 100 }], 'EUR', '2025-05-31');

    expect(score).toEqual({ asOf: '2025-05-31', segment: null, stage: 'prospect', scores: nulls, netMinor: 0, currency: 'EUR' });
  });

  it('stages a customer by purchase days when there is no model, with no segment and no predictions', () => {
    const purchases = [
      { at: '2025-01-01T08:00:00Z', valueMinor: 1000 },
      { at: '2025-01-01T18:00:00Z', valueMinor: 1000 },
    ];

    expect(scoreCustomer(undefined, purchases, 'EUR', '2025-02-01')).toMatchObject({ stage: 'first_time', segment: null, netMinor: 2000 });
    expect(scoreCustomer(undefined, [...purchases, { at: '2025-01-20T00:00:00Z', valueMinor: 1 }], 'EUR', '2025-02-01').stage).toBe(
      'repeat',
    );
  });

  it('scores a CDNOW customer with the CDNOW model: RFM, P(alive), orders to come and a CLV, rounded', () => {
    const histories = cdnowHistories();
    const summaries = [...histories.values()].map((purchases) => purchaseSummary(purchases, '1997-09-30', 100)!).filter(Boolean);
    const model: ScoringModel = {
      asOf: '1997-09-30',
      store: fitStoreModel(summaries, '1997-09-30'),
      rfm: { recency: [30, 90, 180, 240], frequency: [1, 1, 2, 3], monetary: [2000, 4000, 8000, 15000] },
    };

    const score = scoreCustomer(model, histories.get('1')!, 'USD', '1997-09-30');

    // Customer 1: x = 2, t_x = 30.43, T = 38.86 weeks: last bought 59 days before, on 3 days.
    expect(score.scores).toMatchObject({ r: 4, f: 4, m: 3 });
    expect(score.scores.pAlive).toBeGreaterThan(0);
    expect(score.scores.pAlive).toBeLessThanOrEqual(1);
    expect(score.scores.expectedOrders365).toBeGreaterThan(score.scores.expectedOrders90!);
    expect(score.scores.clv12m).toBeGreaterThan(0);
    expect(score.scores.pAlive).toBe(Math.round(score.scores.pAlive! * 1000) / 1000);
    expect(score.scores.expectedOrders90).toBe(Math.round(score.scores.expectedOrders90! * 100) / 100);
    expect(score.segment).toBe('loyal');
  });
});

describe('Function: sameScore', () => {
  const base: CustomerScore = { asOf: '2025-01-01', segment: 'loyal', stage: 'repeat', scores: { ...nulls, r: 4 }, netMinor: 100, currency: 'EUR' };

  it('finds no change when only the as-of day moved', () => {
    expect(sameScore(base, { ...base, asOf: '2025-01-02' })).toBe(true);
  });

  it('finds a change in the segment, the stage, the spend, the currency or any score', () => {
    expect(sameScore(undefined, base)).toBe(false);
    expect(sameScore(base, { ...base, segment: 'champions' })).toBe(false);
    expect(sameScore(base, { ...base, stage: 'loyal' })).toBe(false);
    expect(sameScore(base, { ...base, netMinor: 101 })).toBe(false);
    expect(sameScore(base, { ...base, currency: 'USD' })).toBe(false);
    expect(sameScore(base, { ...base, scores: { ...base.scores, r: 5 } })).toBe(false);
    expect(sameScore(base, { ...base, scores: { ...base.scores, nextOrderAt: '2025-02-01' } })).toBe(false);
  });
});

describe('Function: transitionsBetween', () => {
  const score = (segment: CustomerScore['segment'], stage: CustomerScore['stage']): CustomerScore => ({
    asOf: '2025-01-01',
    segment,
    stage,
    scores: nulls,
    netMinor: 0,
    currency: null,
  });

  it('moves from null on the first score, and only what changed afterwards', () => {
    expect(transitionsBetween(undefined, score('new', 'first_time'))).toEqual([
      { kind: 'segment', from: null, to: 'new' },
      { kind: 'stage', from: null, to: 'first_time' },
    ]);
    expect(transitionsBetween(undefined, score(null, 'prospect'))).toEqual([{ kind: 'stage', from: null, to: 'prospect' }]);
    expect(transitionsBetween(score('new', 'first_time'), score('promising', 'first_time'))).toEqual([
      { kind: 'segment', from: 'new', to: 'promising' },
    ]);
    expect(transitionsBetween(score('new', 'first_time'), score('new', 'first_time'))).toEqual([]);
  });
});

describe('Function: clvMinorOf and utcDay', () => {
  it('turns the CLV into whole minor units of the currency, 0 without a prediction, never below 0', () => {
    const score = (clv12m: number | null, currency: string | null): CustomerScore => ({
      asOf: '2025-01-01',
      segment: null,
      stage: 'repeat',
      scores: { ...nulls, clv12m },
      netMinor: 0,
      currency,
    });

    expect(clvMinorOf(score(12.345, 'EUR'))).toBe(1235);
    expect(clvMinorOf(score(12.3, 'JPY'))).toBe(12);
    expect(clvMinorOf(score(1.5, null))).toBe(150);
    expect(clvMinorOf(score(null, 'EUR'))).toBe(0);
    expect(clvMinorOf(score(-3, 'EUR'))).toBe(0);
    expect(utcDay(new Date('2025-03-01T23:59:59-05:00'))).toBe('2025-03-02');
  });
});
