// How far to trust the model: fit on the orders up to a calibration end,
// predict the holdout, compare with what happened. Read on a uniform sample
// (whole shards of the customer list) so that it answers within a request.
import { backtest } from '../domain/scoring/backtest';
import { purchasesOf } from '../domain/scoring/customer-score';
import { currencyExponent } from '../domain/normalize/money';
import type { Purchase } from '../domain/scoring/summary';
import { ValidationError } from '../shared/errors';
import { asOfDay, type RescorePorts } from './rescore';

/** Customers read at most: about 20 s of reads on Lambda. */
export const backtestSampleLimit = 50_000;

export async function modelBacktest(
  ports: Pick<RescorePorts, 'customers' | 'now'>,
  request: { calibrationEnd: string | undefined; holdoutEnd: string | undefined },
) {
  if (request.calibrationEnd === undefined || request.holdoutEnd === undefined) {
    throw new ValidationError('calibrationEnd and holdoutEnd are required, YYYY-MM-DD');
  }
  const now = ports.now();
  const calibrationEnd = asOfDay(request.calibrationEnd, now);
  const holdoutEnd = asOfDay(request.holdoutEnd, now);
  if (holdoutEnd <= calibrationEnd) throw new ValidationError('holdoutEnd must come after calibrationEnd');

  const histories: Purchase[][] = [];
  const currencies = new Map<string, number>();
  let sampled = 0;
  for (const shard of ports.customers.shards) {
    if (sampled >= backtestSampleLimit) break;
    let cursor: string | undefined;
    do {
      const page = await ports.customers.page(shard, cursor, 200);
      sampled += page.items.length;
      const orders = await Promise.all(page.items.map((profile) => ports.customers.ordersOf(profile.id)));
      page.items.forEach((profile, i) => {
        const currency = profile.figures.currency;
        if (currency) currencies.set(currency, (currencies.get(currency) ?? 0) + 1);
        const purchases = purchasesOf(orders[i]!, currency);
        if (purchases.length) histories.push(purchases);
      });
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  // The store's currency: the one most customers pay in.
  const currency = [...currencies.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'USD';
  return { sampled, ...backtest(histories, calibrationEnd, holdoutEnd, 10 ** currencyExponent(currency)) };
}
