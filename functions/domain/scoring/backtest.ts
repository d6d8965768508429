// How far to trust the model: fit on the orders up to a calibration end, then
// compare what it expected with what happened up to a holdout end.
//
// Two comparisons, as Fader, Hardie and Lee (2005) make them:
// - the tracking curve: repeat orders of the whole cohort (customers whose
//   first order is on or before the calibration end), week by week from the
//   first order, expected E[X(t)] of each customer since their first order
//   against actual repeat purchase days. `totals` is its cumulative end: on
//   CDNOW 4,160.6 expected against 4,339 actual (-4.1%);
// - the holdout, customer by customer: E[Y(holdout) | x, t_x, T] against the
//   customer's purchase days in the holdout, with the mean absolute error
//   beside that of a naive forecast (each customer keeps the rate x / T).
// Weeks are counted back and forth from the calibration end, so every holdout
// week is whole; the first and the last week may be short.
import { type BgNbdParams, expectedPurchases, expectedPurchasesNewCustomer } from './bgnbd';
import { type StoreModel, fitStoreModel } from './predict';
import { type Purchase, type PurchaseSummary, dateDay, dayDate, purchaseDays, purchaseSummary } from './summary';
import { ValidationError } from '../../shared/errors';

export interface BacktestWeek {
  /** 1 for the week of the cohort's first order. */
  week: number;
  /** Last day of the week, YYYY-MM-DD. */
  end: string;
  period: 'calibration' | 'holdout';
  predicted: number;
  actual: number;
  cumulativePredicted: number;
  cumulativeActual: number;
}

export interface BacktestTotals {
  predicted: number;
  actual: number;
  /** (predicted - actual) / actual × 100; null when nothing happened. */
  errorPercent: number | null;
}

export interface Backtest {
  calibrationEnd: string;
  holdoutEnd: string;
  /** Customers with an order on or before the calibration end. */
  customers: number;
  model: StoreModel;
  /** Empty when the model is not sufficient, like the figures below, which are then null. */
  weeks: BacktestWeek[];
  /** The tracking curve at the holdout end: repeat orders since each customer's first. */
  totals: BacktestTotals | null;
  /** Repeat orders within the holdout, summed over customers' conditional expectations. */
  holdout: BacktestTotals | null;
  perCustomer: { mae: number; naiveMae: number } | null;
}

interface Customer {
  firstDay: number;
  summary: PurchaseSummary;
  /** Repeat purchase days up to the holdout end. */
  repeatDays: number[];
}

export function backtest(
  histories: readonly (readonly Purchase[])[],
  calibrationEnd: string,
  holdoutEnd: string,
  minorPerMajor: number,
): Backtest {
  const calibrationDay = dateDay(calibrationEnd);
  const holdoutDay = dateDay(holdoutEnd);
  if (!(holdoutDay > calibrationDay)) {
    const message = `the holdout end (${holdoutEnd}) must come after the calibration end (${calibrationEnd})`;
    throw new ValidationError(message);
  }
  const customers = cohort(histories, calibrationEnd, holdoutDay, minorPerMajor);
  const model = fitStoreModel(customers.map((c) => c.summary), calibrationEnd);
  const base = { calibrationEnd, holdoutEnd, customers: customers.length, model };
  if (!model.sufficient || model.bgnbd === null) {
    return { ...base, weeks: [], totals: null, holdout: null, perCustomer: null };
  }
  const weeks = trackingWeeks(model.bgnbd, customers, calibrationDay, holdoutDay);
  const last = weeks.at(-1);
  const holdoutWeeks = (holdoutDay - calibrationDay) / 7;
  let predicted = 0;
  let actual = 0;
  let error = 0;
  let naiveError = 0;
  for (const { summary, repeatDays } of customers) {
    const expected = expectedPurchases(model.bgnbd, summary, holdoutWeeks);
    const happened = repeatDays.filter((day) => day > calibrationDay).length;
    const naive = summary.T > 0 ? (summary.x / summary.T) * holdoutWeeks : 0;
    predicted += expected;
    actual += happened;
    error += Math.abs(expected - happened);
    naiveError += Math.abs(naive - happened);
  }
  return {
    ...base,
    weeks,
    totals: totalsOf(last?.cumulativePredicted ?? 0, last?.cumulativeActual ?? 0),
    holdout: totalsOf(predicted, actual),
    perCustomer: { mae: error / customers.length, naiveMae: naiveError / customers.length },
  };
}

function cohort(
  histories: readonly (readonly Purchase[])[],
  calibrationEnd: string,
  holdoutDay: number,
  minorPerMajor: number,
): Customer[] {
  const customers: Customer[] = [];
  for (const history of histories) {
    const summary = purchaseSummary(history, calibrationEnd, minorPerMajor);
    if (summary === undefined) continue;
    const [first, ...repeats] = purchaseDays(history, holdoutDay);
    customers.push({ firstDay: first!.day, summary, repeatDays: repeats.map((d) => d.day) });
  }
  return customers;
}

/** Week ends from the first week holding a cohort order to the holdout end, anchored on the calibration end. */
function weekEnds(firstDay: number, calibrationDay: number, holdoutDay: number): number[] {
  const ends: number[] = [];
  for (let end = calibrationDay - 7 * Math.floor((calibrationDay - firstDay) / 7); end < holdoutDay; end += 7) {
    if (end > firstDay) ends.push(end);
  }
  ends.push(holdoutDay);
  return ends;
}

function trackingWeeks(
  params: BgNbdParams,
  customers: readonly Customer[],
  calibrationDay: number,
  holdoutDay: number,
): BacktestWeek[] {
  const firstDays = new Map<number, number>();
  for (const { firstDay } of customers) firstDays.set(firstDay, (firstDays.get(firstDay) ?? 0) + 1);
  const cohortStart = Math.min(...firstDays.keys());
  // E[X(t)] depends on the days since the first order alone: once per offset.
  const byOffset = new Map<number, number>();
  const expectedSince = (days: number) => {
    let value = byOffset.get(days);
    if (value === undefined) {
      value = expectedPurchasesNewCustomer(params, days / 7);
      byOffset.set(days, value);
    }
    return value;
  };
  const ends = weekEnds(cohortStart, calibrationDay, holdoutDay);
  const repeatsByDay = new Map<number, number>();
  for (const { repeatDays } of customers) {
    for (const day of repeatDays) repeatsByDay.set(day, (repeatsByDay.get(day) ?? 0) + 1);
  }
  const weeks: BacktestWeek[] = [];
  let previousPredicted = 0;
  let cumulativeActual = 0;
  let previousEnd = cohortStart;
  ends.forEach((end, i) => {
    let cumulativePredicted = 0;
    for (const [firstDay, count] of firstDays) {
      if (firstDay < end) cumulativePredicted += count * expectedSince(end - firstDay);
    }
    let actual = 0;
    for (let day = previousEnd + 1; day <= end; day++) actual += repeatsByDay.get(day) ?? 0;
    cumulativeActual += actual;
    weeks.push({
      week: i + 1,
      end: dayDate(end),
      period: end <= calibrationDay ? 'calibration' : 'holdout',
      predicted: cumulativePredicted - previousPredicted,
      actual,
      cumulativePredicted,
      cumulativeActual,
    });
    previousPredicted = cumulativePredicted;
    previousEnd = end;
  });
  return weeks;
}

function totalsOf(predicted: number, actual: number): BacktestTotals {
  return { predicted, actual, errorPercent: actual === 0 ? null : ((predicted - actual) / actual) * 100 };
}
