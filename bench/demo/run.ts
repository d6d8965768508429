// Demo benchmark (not a test): how long the simulation takes, and how fast
// `huitou demo` fills an in-memory local stack through the webhook path.
//
//   tsx bench/demo/run.ts [--customers 300] [--months 18] [--runs 3] [--simulate 100000]
//
// Prints the median over --runs of: simulating --simulate customers over
// --months (and building their webhook bodies), then, for one demo run of
// --customers each (new channels, seed = run number), deliveries/s while
// sending and deliveries/s until the processor has emptied the queue.
import { parseArgs } from 'node:util';

process.env['POWERTOOLS_LOG_LEVEL'] ??= 'WARN';
process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '300' },
    months: { type: 'string', default: '18' },
    runs: { type: 'string', default: '3' },
    simulate: { type: 'string', default: '100000' },
  },
});
const runs = Number(args.runs);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function main(): Promise<void> {
  const { seededRandom, simulatePopulation } = await import('../../functions/domain/scoring/simulate');
  const { buildDemoStore, demoParams } = await import('../../bin/cli/demo-store');
  const { demoWindow } = await import('../../bin/cli/demo');
  const { run } = await import('../../bin/huitou');
  const { startTestStack } = await import('../../test/support/stack');

  const now = new Date();
  const window = demoWindow(now, Number(args.months));
  const simulation: { simulateMs: number; buildMs: number; orders: number; deliveries: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const random = seededRandom(i + 1);
    const t0 = performance.now();
    const population = simulatePopulation(demoParams, { customers: Number(args.simulate), ...window, random });
    const t1 = performance.now();
    const store = buildDemoStore(population, { random, now });
    const t2 = performance.now();
    simulation.push({ simulateMs: t1 - t0, buildMs: t2 - t1, orders: store.counts.orders, deliveries: store.deliveries.length });
  }
  process.stdout.write(
    `simulation of ${args.simulate} customers over ${args.months} months, median of ${runs}: ` +
      `${JSON.stringify({
        simulateMs: Math.round(median(simulation.map((s) => s.simulateMs))),
        buildMs: Math.round(median(simulation.map((s) => s.buildMs))),
        orders: median(simulation.map((s) => s.orders)),
        deliveries: median(simulation.map((s) => s.deliveries)),
      })}\n`,
  );

  const t = await startTestStack();
  try {
    const results: { deliveries: number; sendPerSecond: number; settledPerSecond: number }[] = [];
    for (let i = 0; i < runs; i++) {
      let stdout = '';
      let stderr = '';
      const t0 = performance.now();
      const code = await run(
        ['demo', '--customers', String(args.customers), '--months', String(args.months), '--seed', String(i + 1), '--json',
          '--api-url', t.stack.apiUrl, '--api-key', t.stack.adminKey],
        { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: {}, cwd: process.cwd() },
      );
      const sent = performance.now();
      await t.settled(600_000);
      const settled = performance.now();
      if (code !== 0) throw new Error(`demo exited ${code}: ${stdout}${stderr}`);
      const summary = JSON.parse(stdout) as { deliveries: { sent: number; failed: number } };
      const deliveries = summary.deliveries.sent;
      results.push({
        deliveries,
        sendPerSecond: deliveries / ((sent - t0) / 1000),
        settledPerSecond: deliveries / ((settled - t0) / 1000),
      });
      process.stderr.write(`run ${i + 1}: ${JSON.stringify(results.at(-1))}\n`);
    }
    process.stdout.write(
      `demo --customers ${args.customers} --months ${args.months}, median of ${runs}: ` +
        `${JSON.stringify({
          deliveries: median(results.map((r) => r.deliveries)),
          sendPerSecond: Number(median(results.map((r) => r.sendPerSecond)).toFixed(1)),
          settledPerSecond: Number(median(results.map((r) => r.settledPerSecond)).toFixed(1)),
        })}\n`,
    );
    const dlq = await t.queueDepth('ingestDlq');
    const quarantine = await t.api<{ items: unknown[] }>('/admin/quarantine');
    process.stdout.write(`dead letters ${dlq}, quarantined ${quarantine.body.items.length}\n`);
  } finally {
    await t.stop();
  }
}

await main();
