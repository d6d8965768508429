// History import benchmark (not a test): `huitou import` of a generic csv
// through the local stack (the real CLI, admin function and DynamoDB Local).
//
//   npm run bench:import
//   tsx bench/import/run.ts [--rows 20000] [--customers 5000] [--runs 3]
//
// Each run imports a fresh file into a channel of its own (new orders, new
// customers), so every run does the same work. Prints rows/s per run and the
// median; then re-imports the last file, where every order is a duplicate.
// Figures go to BENCHMARKS.md under "History import" with this command.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

// Quiet handlers: a log line per order would measure the terminal, not huitou.
process.env['POWERTOOLS_LOG_LEVEL'] ??= 'WARN';
process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '20000' },
    customers: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '3' },
  },
});
const rows = Number(args.rows);
const customers = Number(args.customers);
const runs = Number(args.runs);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** One order per row; a customer's orders spread over the file, as a store's history is. */
function genericCsv(run: number): string {
  const lines = ['order_id,customer_id,email,created_at,total,currency'];
  for (let n = 0; n < rows; n += 1) {
    const customer = n % customers;
    const day = new Date(Date.UTC(2024, 0, 1) + (n % 365) * 86_400_000).toISOString().slice(0, 10);
    const cents = 500 + ((n * 7919) % 20_000);
    lines.push(`r${run}-${n},c${customer},buyer${customer}@example.com,${day}T12:00:00Z,${(cents / 100).toFixed(2)},USD`);
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const { startLocalStack } = await import('../../bin/local/stack');
  const { run } = await import('../../bin/huitou');
  const stack = await startLocalStack({ port: 0, inMemory: true, tableName: 'bench-import', log: () => undefined });
  const dir = mkdtempSync(join(tmpdir(), 'huitou-bench-import-'));
  const importFile = async (channelId: string, file: string) => {
    let stdout = '';
    const started = process.hrtime.bigint();
    const code = await run(
      ['import', '--channel', channelId, '--format', 'csv', file, '--json', '--api-url', stack.apiUrl, '--api-key', stack.adminKey],
      { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true }, env: {}, cwd: dir },
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (code !== 0) throw new Error(`import exited ${code}`);
    const summary = JSON.parse(stdout) as { imported: number; duplicates: number; rejected: unknown[] };
    return { ...summary, seconds, rowsPerSecond: rows / seconds };
  };
  try {
    const rates: number[] = [];
    let last: { channelId: string; file: string } | undefined;
    for (let i = 0; i < runs; i += 1) {
      const created = await fetch(`${stack.apiUrl}/admin/channels`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ platform: 'standard', name: `Bench ${i}`, webhookSecret: `whsec_${Buffer.from(`bench-${i}`).toString('base64')}` }),
      });
      const channelId = ((await created.json()) as { id: string }).id;
      const file = join(dir, `run-${i}.csv`);
      writeFileSync(file, genericCsv(i));
      const result = await importFile(channelId, file);
      if (result.imported !== rows) throw new Error(`run ${i + 1}: imported ${result.imported} of ${rows}`);
      rates.push(result.rowsPerSecond);
      last = { channelId, file };
      console.log(`run ${i + 1}: ${rows} rows in ${result.seconds.toFixed(1)} s, ${result.rowsPerSecond.toFixed(1)} rows/s`);
    }
    console.log(`median: ${median(rates).toFixed(1)} rows/s (${rows} rows, ${customers} customers, ${runs} runs)`);
    if (last) {
      const again = await importFile(last.channelId, last.file);
      console.log(`same file again: ${again.duplicates} duplicates, ${again.imported} imported, ${again.rowsPerSecond.toFixed(1)} rows/s`);
    }
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
