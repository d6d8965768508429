// The CDNOW sample (../shared/fixtures/cdnow, provenance in its SOURCES.md) as
// purchase histories: one line per order, "oldId customerId YYYYMMDD quantity dollars".
import { readFileSync } from 'node:fs';
import type { Purchase } from '../../functions/domain/scoring/summary';

const FIXTURES = new URL('../../../shared/fixtures/cdnow/', import.meta.url);

/** Purchase histories by customer id, as the published summary numbers them ("0001" is "1"). */
export function cdnowHistories(): Map<string, Purchase[]> {
  const histories = new Map<string, Purchase[]>();
  for (const line of readFileSync(new URL('CDNOW_sample.txt', FIXTURES), 'utf8').trim().split('\n')) {
    const [, customer, date, , dollars] = line.trim().split(/\s+/);
    if (customer === undefined || date === undefined || dollars === undefined) {
      throw new Error(`bad CDNOW line: ${line}`);
    }
    const purchase = {
      at: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T00:00:00Z`,
      valueMinor: Math.round(Number(dollars) * 100),
    };
    const id = String(Number(customer));
    histories.set(id, [...(histories.get(id) ?? []), purchase]);
  }
  return histories;
}

/** The published summary as of 1997-09-30, by customer id. */
export function cdnowPublishedSummary(): Map<string, { x: number; tx: number; T: number; zbar: number }> {
  const rows = readFileSync(new URL('cdnow_customers_summary_with_transactions.csv', FIXTURES), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return new Map(
    rows.map((row) => {
      const [id, x, tx, T, zbar] = row.split(',').map(Number);
      return [String(id), { x: x!, tx: tx!, T: T!, zbar: zbar! }];
    }),
  );
}
