// The store model (BG/NBD + Gamma-Gamma fitted on the store's customers as of
// a day) and what it says about one customer.
import { type BgNbdParams, expectedPurchases, fitBgNbd, pAlive } from './bgnbd';
import { type GammaGammaParams, expectedAverageValue, fitGammaGamma, gammaGammaSample } from './gamma-gamma';
import { type PurchaseSummary, dateDay, dayDate } from './summary';
import { ValidationError } from '../../shared/errors';

export interface StoreModel {
  asOf: string;
  timeUnit: 'week';
  /** Customers with an order on or before asOf, in the whole base. */
  customers: number;
  sufficient: boolean;
  /** Why the model is not sufficient; absent when it is. */
  reason?: string;
  bgnbd: (BgNbdParams & { logLikelihood: number }) | null;
  gammaGamma: GammaGammaParams | null;
  /** Customers in the fit sample. */
  fittedOn: number;
}

/**
 * Below these the store gets "not enough data" instead of predictions.
 * - customers, historyDays: Klaviyo's published minimums for its predictive
 *   analytics (500 customers with orders, 180 days of order history). With
 *   fewer, the BG/NBD dropout parameters (a, b) are barely identified: a
 *   store must have watched customers for long enough to see some stop.
 * - repeatCustomers: the Gamma-Gamma fit reads only customers with a repeat
 *   purchase day of value above 0, and its q (how spend varies between
 *   customers) swings widely on fewer than about a hundred of them.
 */
export const modelMinimums = {
  customers: 500,
  historyDays: 180,
  repeatCustomers: 100,
} as const;

export interface FitStoreModelOptions {
  /** Customers in the whole base, when `summaries` is a sample of it. */
  customers?: number;
}

/** Fits both models on the summaries (as of `asOf`), or says why it will not. */
export function fitStoreModel(
  summaries: readonly PurchaseSummary[],
  asOf: string,
  options: FitStoreModelOptions = {},
): StoreModel {
  dateDay(asOf);
  const customers = Math.max(options.customers ?? summaries.length, summaries.length);
  const base = { asOf, timeUnit: 'week' as const, customers, fittedOn: summaries.length };
  const notEnough = (reason: string): StoreModel => ({
    ...base,
    sufficient: false,
    reason,
    bgnbd: null,
    gammaGamma: null,
  });
  const historyDays = Math.round(7 * summaries.reduce((longest, s) => Math.max(longest, s.T), 0));
  const repeatCustomers = gammaGammaSample(summaries).length;
  if (customers < modelMinimums.customers) {
    return notEnough(`needs ${modelMinimums.customers} customers with orders, has ${customers}`);
  }
  if (historyDays < modelMinimums.historyDays) {
    return notEnough(`needs ${modelMinimums.historyDays} days of order history, has ${historyDays}`);
  }
  if (repeatCustomers < modelMinimums.repeatCustomers) {
    return notEnough(`needs ${modelMinimums.repeatCustomers} repeat customers, has ${repeatCustomers}`);
  }
  const { r, alpha, a, b, logLikelihood } = fitBgNbd(summaries);
  const { p, q, gamma } = fitGammaGamma(summaries);
  const fitted = { ...base, bgnbd: { r, alpha, a, b, logLikelihood }, gammaGamma: { p, q, gamma } };
  if (!(q > 1)) {
    return {
      ...fitted,
      sufficient: false,
      reason: `spend varies too widely between customers to predict (Gamma-Gamma q = ${q} <= 1)`,
    };
  }
  return { ...fitted, sufficient: true };
}

export interface Prediction {
  pAlive: number;
  expectedOrders90: number;
  expectedOrders365: number;
  /** Major units. */
  clv12m: number;
  /** YYYY-MM-DD, or null when fewer than one order is expected within 365 days. */
  nextOrderAt: string | null;
}

export interface PredictOptions {
  /** Discount per month, e.g. 0.01; the value of month m is divided by (1 + rate)^m. */
  monthlyDiscountRate?: number;
}

const DAYS_90 = 90 / 7;
const DAYS_365 = 365 / 7;
const YEAR_WEEKS = 52;
const MONTH_WEEKS = YEAR_WEEKS / 12;

/**
 * What the model says of one customer as of `asOf` (the day the summary was
 * taken); null when the store model is not sufficient.
 *
 * nextOrderAt is the first day d after asOf on which the expected number of
 * orders in (asOf, d] reaches 1, looked for within 365 days: the day by which
 * the customer is "due" one order. A customer unlikely to be alive, or who buys
 * less than yearly, gets null.
 */
export function predictCustomer(
  model: StoreModel,
  summary: PurchaseSummary,
  asOf: string,
  options: PredictOptions = {},
): Prediction | null {
  if (!model.sufficient || model.bgnbd === null || model.gammaGamma === null) return null;
  const rate = options.monthlyDiscountRate ?? 0;
  if (!(rate >= 0 && rate < Infinity)) throw new ValidationError(`monthly discount rate must be >= 0, not ${rate}`);
  const params = model.bgnbd;
  const expected = (weeks: number) => expectedPurchases(params, summary, weeks);
  const expectedOrders90 = expected(DAYS_90);
  const expectedOrders365 = expected(DAYS_365);
  const orderValue = expectedAverageValue(model.gammaGamma, summary.x, summary.meanRepeatValue);
  return {
    pAlive: pAlive(params, summary),
    expectedOrders90,
    expectedOrders365,
    clv12m: Math.max(0, orderValue * expectedOrdersDiscounted(expected, rate)),
    nextOrderAt: nextOrderAt(expected, expectedOrders90, expectedOrders365, asOf),
  };
}

/** Expected orders over 52 weeks, month by month, each month's divided by (1 + rate)^month. */
function expectedOrdersDiscounted(expected: (weeks: number) => number, rate: number): number {
  if (rate === 0) return expected(YEAR_WEEKS);
  let total = 0;
  let previous = 0;
  for (let month = 1; month <= 12; month++) {
    const cumulative = expected(month * MONTH_WEEKS);
    total += (cumulative - previous) / (1 + rate) ** month;
    previous = cumulative;
  }
  return total;
}

function nextOrderAt(
  expected: (weeks: number) => number,
  within90: number,
  within365: number,
  asOf: string,
): string | null {
  if (!(within365 >= 1)) return null;
  // Cumulative expected orders rise with time: search the smallest whole day.
  let low = within90 >= 1 ? 0 : 90;
  let high = within90 >= 1 ? 90 : 365;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (expected(middle / 7) >= 1) high = middle;
    else low = middle;
  }
  return dayDate(dateDay(asOf) + high);
}
