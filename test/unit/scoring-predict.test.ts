import { describe, expect, it } from 'vitest';
import { expectedPurchases, pAlive } from '../../functions/domain/scoring/bgnbd';
import { expectedAverageValue } from '../../functions/domain/scoring/gamma-gamma';
import { type StoreModel, fitStoreModel, modelMinimums, predictCustomer } from '../../functions/domain/scoring/predict';
import { type PurchaseSummary, dateDay } from '../../functions/domain/scoring/summary';
import { ValidationError } from '../../functions/shared/errors';
import { cdnowSummaries } from '../support/cdnow';

const asOf = '1997-09-30';
const cdnowModel = () => fitStoreModel(cdnowSummaries(asOf), asOf);

/** n customers over `days` of history, one in three without a repeat day, values of 10 to 16. */
function population(n: number, days: number, repeatValue = (i: number) => 10 + (i % 7)): PurchaseSummary[] {
  return Array.from({ length: n }, (_, i) => {
    const x = i % 3;
    const T = (days - (i % 60)) / 7;
    return { x, tx: x === 0 ? 0 : T * ((i % 10) / 10), T, meanRepeatValue: x === 0 ? 0 : repeatValue(i) };
  });
}

describe('Function: fitStoreModel', () => {
  it('fits CDNOW as of 1997-09-30 on all 2,357 customers', () => {
    const model = cdnowModel();
    expect(model.sufficient).toBe(true);
    expect(model.reason).toBeUndefined();
    expect(model).toMatchObject({ asOf, timeUnit: 'week', customers: 2357, fittedOn: 2357 });
    expect(model.bgnbd?.r.toPrecision(3)).toBe('0.243');
    expect(model.bgnbd?.logLikelihood.toFixed(1)).toBe('-9582.4');
    expect(model.gammaGamma?.q.toPrecision(3)).toBe('3.74');
  });

  it('says "not enough data" below 500 customers, counting the whole base when given a sample', () => {
    const cdnow = cdnowSummaries(asOf);
    const few = fitStoreModel(cdnow.slice(0, 499), asOf);
    expect(few).toMatchObject({ sufficient: false, bgnbd: null, gammaGamma: null, customers: 499, fittedOn: 499 });
    expect(few.reason).toBe('needs 500 customers with orders, has 499');
    expect(fitStoreModel(cdnow.slice(0, 500), asOf).reason ?? '').not.toMatch(/customers with orders/);
    const sampled = fitStoreModel(cdnow.slice(0, 499), asOf, { customers: 100_000 });
    expect(sampled).toMatchObject({ customers: 100_000, fittedOn: 499 });
    expect(sampled.reason ?? '').not.toMatch(/customers with orders/);
  });

  it('says "not enough data" below 180 days of history', () => {
    const short = fitStoreModel(population(600, 179), '2025-06-30');
    expect(short).toMatchObject({ sufficient: false, bgnbd: null, gammaGamma: null });
    expect(short.reason).toBe('needs 180 days of order history, has 179');
    expect(fitStoreModel(population(600, 180), '2025-06-30').reason ?? '').not.toMatch(/history/);
  });

  it('says "not enough data" below 100 repeat customers with a value above 0', () => {
    // Only the first `valued` customers keep a repeat value; one in three of them has x = 0.
    const repeaters = (valued: number) =>
      population(900, 300).map((s, i) => (i < valued ? s : { ...s, meanRepeatValue: 0 }));
    const few = fitStoreModel(repeaters(149), '2025-06-30');
    expect(few.reason).toBe('needs 100 repeat customers, has 99');
    expect(fitStoreModel(repeaters(150), '2025-06-30').reason ?? '').not.toMatch(/repeat customers/);
    expect(modelMinimums).toEqual({ customers: 500, historyDays: 180, repeatCustomers: 100 });
  });

  it('keeps the fits but refuses predictions when spend varies too widely (q <= 1)', () => {
    // Mean values spread log-uniformly over nine orders of magnitude.
    const cdnow = cdnowSummaries(asOf);
    const wild = fitStoreModel(population(900, 300, (i) => 10 ** (-3 + (9 * ((i * 7919) % 900)) / 900)), '2025-06-30');
    expect(wild.sufficient).toBe(false);
    expect(wild.gammaGamma!.q).toBeLessThanOrEqual(1);
    expect(wild.bgnbd).not.toBeNull();
    expect(wild.reason).toMatch(/^spend varies too widely between customers to predict \(Gamma-Gamma q = 0\.\d+ <= 1/);
    expect(predictCustomer(wild, cdnow[0]!, '2025-06-30')).toBeNull();
  });

  it('throws a ValidationError on an as-of day that is not a date', () => {
    const cdnow = cdnowSummaries(asOf);
    expect(() => fitStoreModel(cdnow, '1997-13-01')).toThrow(ValidationError);
  });
});

describe('Function: predictCustomer', () => {
  it('answers null when the model is not sufficient', () => {
    const cdnow = cdnowSummaries(asOf);
    const model = cdnowModel();
    const insufficient: StoreModel = { ...model, sufficient: false, reason: 'x' };
    expect(predictCustomer(insufficient, cdnow[0]!, asOf)).toBeNull();
    expect(predictCustomer({ ...model, bgnbd: null }, cdnow[0]!, asOf)).toBeNull();
    expect(predictCustomer({ ...model, gammaGamma: null }, cdnow[0]!, asOf)).toBeNull();
  });

  it('gives P(alive), orders in 90 and 365 days and the undiscounted CLV from the two models', () => {
    const model = cdnowModel();
    const params = model.bgnbd!;
    const gg = model.gammaGamma!;
    const s = { x: 2, tx: 30.43, T: 38.86, meanRepeatValue: 22.35 };
    const prediction = predictCustomer(model, s, asOf)!;
    expect(prediction.pAlive).toBe(pAlive(params, s));
    expect(prediction.expectedOrders90).toBe(expectedPurchases(params, s, 90 / 7));
    expect(prediction.expectedOrders365).toBe(expectedPurchases(params, s, 365 / 7));
    expect(prediction.clv12m).toBeCloseTo(expectedAverageValue(gg, 2, 22.35) * expectedPurchases(params, s, 52), 10);
    expect(prediction.expectedOrders90).toBeLessThan(prediction.expectedOrders365);
  });

  it('discounts the CLV month by month', () => {
    const model = cdnowModel();
    const params = model.bgnbd!;
    const gg = model.gammaGamma!;
    const s = { x: 5, tx: 35, T: 38.86, meanRepeatValue: 40 };
    const plain = predictCustomer(model, s, asOf)!.clv12m;
    expect(predictCustomer(model, s, asOf, { monthlyDiscountRate: 0 })!.clv12m).toBe(plain);
    const discounted = predictCustomer(model, s, asOf, { monthlyDiscountRate: 0.01 })!.clv12m;
    expect(discounted).toBeLessThan(plain);
    expect(discounted).toBeGreaterThan(plain / 1.01 ** 12);
    let byMonth = 0;
    for (let m = 1; m <= 12; m++) {
      const orders = expectedPurchases(params, s, (m * 52) / 12) - expectedPurchases(params, s, ((m - 1) * 52) / 12);
      byMonth += orders / 1.01 ** m;
    }
    expect(discounted).toBeCloseTo(expectedAverageValue(gg, 5, 40) * byMonth, 10);
  });

  it('throws a ValidationError on a negative or non-finite discount rate', () => {
    const cdnow = cdnowSummaries(asOf);
    const model = cdnowModel();
    for (const rate of [-0.01, Number.NaN, Infinity]) {
      expect(() => predictCustomer(model, cdnow[0]!, asOf, { monthlyDiscountRate: rate }), `${rate}`).toThrow(
        ValidationError,
      );
    }
  });

  it('dates the next order on the first day the expected orders reach 1, or null within 365 days', () => {
    const cdnow = cdnowSummaries(asOf);
    const model = cdnowModel();
    const params = model.bgnbd!;
    let dated = 0;
    for (const s of cdnow.slice(0, 400)) {
      const prediction = predictCustomer(model, s, asOf)!;
      expect(prediction.clv12m).toBeGreaterThanOrEqual(0);
      if (prediction.nextOrderAt === null) {
        expect(prediction.expectedOrders365).toBeLessThan(1);
        continue;
      }
      dated++;
      const days = dateDay(prediction.nextOrderAt) - dateDay(asOf);
      expect(days).toBeGreaterThanOrEqual(1);
      expect(days).toBeLessThanOrEqual(365);
      expect(expectedPurchases(params, s, days / 7)).toBeGreaterThanOrEqual(1);
      expect(expectedPurchases(params, s, (days - 1) / 7)).toBeLessThan(1);
    }
    expect(dated).toBeGreaterThan(10);
  });

  it('dates a frequent buyer within 90 days', () => {
    const model = cdnowModel();
    const params = model.bgnbd!;
    const frequent = { x: 20, tx: 38, T: 38.86, meanRepeatValue: 15 };
    const days = dateDay(predictCustomer(model, frequent, asOf)!.nextOrderAt!) - dateDay(asOf);
    expect(days).toBeLessThanOrEqual(90);
    expect(expectedPurchases(params, frequent, (days - 1) / 7)).toBeLessThan(1);
  });

  it('answers finite figures for a customer who bought for the first time today', () => {
    const model = cdnowModel();
    const prediction = predictCustomer(model, { x: 0, tx: 0, T: 0, meanRepeatValue: 0 }, asOf)!;
    expect(prediction.pAlive).toBe(1);
    expect(Object.values(prediction).filter((v) => typeof v === 'number').every(Number.isFinite)).toBe(true);
    expect(prediction.clv12m).toBeGreaterThan(0);
  });
});
