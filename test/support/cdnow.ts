// The CDNOW sample (../shared/fixtures/cdnow, provenance in its SOURCES.md) as
// purchase histories: one line per order, "oldId customerId YYYYMMDD quantity dollars".
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Purchase, type PurchaseSummary, purchaseSummary } from '../../functions/domain/scoring/summary';

const FIXTURES = fixturesDirectory(dirname(fileURLToPath(import.meta.url)));

/**
 * shared/fixtures/cdnow in the nearest folder above that has it: beside the
 * worktree normally, but further up when Stryker runs the tests in a sandbox
 * copy under .stryker-tmp.
 */
function fixturesDirectory(from: string): string {
  for (let folder = from; ; folder = dirname(folder)) {
    const candidate = join(folder, 'shared', 'fixtures', 'cdnow');
    if (existsSync(candidate)) return candidate;
    if (dirname(folder) === folder) throw new Error(`no shared/fixtures/cdnow above ${from}`);
  }
}

/** The raw CDNOW transactions file, as published. */
export function cdnowTransactionsText(): string {
  return readFileSync(join(FIXTURES, 'CDNOW_sample.txt'), 'utf8');
}

/** Purchase histories by customer id, as the published summary numbers them ("0001" is "1"). */
export function cdnowHistories(): Map<string, Purchase[]> {
  const histories = new Map<string, Purchase[]>();
  for (const line of cdnowTransactionsText().trim().split('\n')) {
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

/**
 * Every customer's summary as of a day (dollars in major units). Tests call it
 * inside each test rather than once at module scope: code run while a test file
 * loads counts for Stryker as run by every test, and each of its mutants would
 * then cost a run of every test file that imports the scoring code.
 */
export function cdnowSummaries(asOf = '1997-09-30'): PurchaseSummary[] {
  return [...cdnowHistories().values()].map((history) => purchaseSummary(history, asOf, 100)!);
}

/** The published summary as of 1997-09-30, by customer id. */
export function cdnowPublishedSummary(): Map<string, { x: number; tx: number; T: number; zbar: number }> {
  const rows = readFileSync(join(FIXTURES, 'cdnow_customers_summary_with_transactions.csv'), 'utf8')
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
