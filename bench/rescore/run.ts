// Rescore benchmark (not a test): the job through the local stack, its write
// units and memory in one process, and the pure per-customer scoring rate.
//
//   npm run bench:rescore
//   tsx bench/rescore/run.ts [--sizes 10000,100000] [--runs 3] [--runs-large 1] [--large-from 20000]
//                            [--pure-customers 20000] [--pure-runs 5] [--seed 42] [--as-of 2025-12-31] [--worker-up-to N] [--worker-only]
//
// Customers are simulated from BG/NBD and Gamma-Gamma (CDNOW's published
// parameters, two years of history) and written DIRECTLY into DynamoDB Local
// as the repository stores them (profile items from customer-store's
// profileItem; order items as saveOrder writes them, with customerId and
// placedAtUtc for the ordersByCustomer index). Seeding is not measured.
//
// 1. Through the stack: POST /admin/rescore, poll GET /admin/jobs/{id}, then
//    GET /admin/model. Phase 1 (fit) = model.fittedAt - job.startedAt; phase 2
//    (scoring, fanned out over SQS to the scorer function) = job.finishedAt -
//    model.fittedAt; the whole job = finishedAt - createdAt. A first rescore
//    (every customer changes) and a rerun with the same asOf (nothing does).
//    Each stack fresh, in memory, in a child process of its own (this
//    process's AWS clients would keep the first stack's endpoints); `--runs` stacks for sizes below
//    `--large-from`, `--runs-large` above, median shown.
// 2 and 3. In one child process (the scoring worker, nothing else in it):
//    fitAndFanOut and then scoreShard for every shard, one at a time as a
//    scorer sandbox takes them (batch size 1), with the real adapters against
//    the same DynamoDB Local (a second table, seeded the same way). Write
//    units from ReturnConsumedCapacity (capacityMeter), per customer, for the
//    first rescore and the rerun; peak RSS (getrusage maxRSS) and peak heap.
// 4. scoreCustomer alone over simulated purchases, against a model fitted on
//    them: customers/s, median of --pure-runs.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

// Quiet handlers: a log line per shard is fine, one per customer would measure the terminal.
process.env['POWERTOOLS_LOG_LEVEL'] ??= 'WARN';
process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    runs: { type: 'string', default: '3' },
    'runs-large': { type: 'string', default: '1' },
    'large-from': { type: 'string', default: '20000' },
    'pure-customers': { type: 'string', default: '20000' },
    'pure-runs': { type: 'string', default: '5' },
    seed: { type: 'string', default: '42' },
    // Sizes above this skip the in-process worker (a second seeded table and two more passes).
    'worker-up-to': { type: 'string', default: '100000000' },
    'as-of': { type: 'string', default: '2025-12-31' },
    // Child modes: one stack (each stack in a process of its own), and the
    // in-process rescore against a table that stack's process seeded.
    stack: { type: 'boolean', default: false },
    'with-worker': { type: 'boolean', default: false },
    // Only the in-process worker (2 and 3), for a size whose stack passes were measured already.
    'worker-only': { type: 'boolean', default: false },
    worker: { type: 'boolean', default: false },
    table: { type: 'string' },
    customers: { type: 'string' },
  },
});
const seed = Number(args.seed);
const asOf = args['as-of'];
const historyStart = '2024-01-01';
const historyEnd = '2026-01-01';

/** CDNOW's fit (Fader, Hardie & Lee 2005), so the population looks like a real store's. */
const params = {
  bgnbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
  gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const load = (): string => loadavg().map((value) => value.toFixed(2)).join(' ');
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
// Rates are cut, not rounded, so a figure is never above what was measured.
const rate = (count: number, ms: number): string => (ms > 0 ? Math.floor(count / (ms / 1000)).toLocaleString('en') : 'n/a');

async function population(customers: number) {
  const { seededRandom, simulatePopulation } = await import('../../functions/domain/scoring/simulate');
  return simulatePopulation(params, { customers, start: historyStart, end: historyEnd, random: seededRandom(seed) });
}

/** 4: scoreCustomer alone, against a model fitted on the same customers. */
async function pureScoring(): Promise<void> {
  const { scoreCustomer } = await import('../../functions/domain/scoring/customer-score');
  const { fitStoreModel } = await import('../../functions/domain/scoring/predict');
  const { rfmCutPoints } = await import('../../functions/domain/scoring/rfm');
  const { purchaseSummary } = await import('../../functions/domain/scoring/summary');
  const { netUpTo, rfmValuesOf } = await import('../../functions/domain/scoring/customer-score');
  const n = Number(args['pure-customers']);
  const runs = Number(args['pure-runs']);
  const people = await population(n);
  const summaries = people.map((person) => purchaseSummary(person.purchases, asOf, 100)!);
  const model = {
    asOf,
    store: fitStoreModel(summaries, asOf),
    rfm: rfmCutPoints(summaries.map((summary, i) => rfmValuesOf(summary, netUpTo(people[i]!.purchases, asOf)))) ?? null,
  };
  if (!model.store.sufficient) throw new Error(`the pure bench needs a sufficient model: ${model.store.reason}`);
  const times: number[] = [];
  let segmented = 0;
  for (let run = 0; run < runs; run += 1) {
    segmented = 0;
    const started = performance.now();
    for (const person of people) {
      if (scoreCustomer(model, person.purchases, 'EUR', asOf).segment !== null) segmented += 1;
    }
    times.push(performance.now() - started);
  }
  say(`\n4. scoreCustomer alone (pure), ${n} simulated customers, ${runs} runs, load ${load()}`);
  say(`   runs: ${times.map((ms) => `${ms.toFixed(1)} ms`).join(', ')}`);
  say(`   median ${median(times).toFixed(1)} ms = ${rate(n, median(times))} customers/s (aim >= 5,000/s per worker); ${segmented} got a segment`);
}

interface SeedTarget {
  tableName: string;
  customers: number;
}

/** Profile and order items as the repository writes them, BatchWrite 25 at a time. */
async function seedTable({ tableName, customers }: SeedTarget): Promise<{ orders: number; ms: number }> {
  const { BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
  type BatchWriteOutput = import('@aws-sdk/lib-dynamodb').BatchWriteCommandOutput;
  const { documentClient } = await import('../../functions/adapters/dynamo-client');
  const { profileItem } = await import('../../functions/adapters/customer-store');
  const { itemKeys, lists } = await import('../../functions/adapters/dynamo-keys');
  const { newProfile } = await import('../../functions/domain/customers');
  const started = performance.now();
  const channelId = 'ch_00000000000000be0c';
  const items: Record<string, unknown>[] = [];
  let orders = 0;
  for (const [index, person] of (await population(customers)).entries()) {
    const id = `cus_${index.toString(16).padStart(20, '0')}`;
    const first = person.purchases[0]!.at;
    const last = person.purchases.at(-1)!.at;
    const gross = person.purchases.reduce((sum, p) => sum + p.valueMinor, 0);
    const profile = {
      ...newProfile(id, first),
      updatedAt: last,
      rev: person.purchases.length,
      channels: [channelId],
      figures: {
        orders: person.purchases.length,
        purchaseDays: new Set(person.purchases.map((p) => p.at.slice(0, 10))).size,
        grossMinor: gross,
        refundedMinor: 0,
        netMinor: gross,
        currency: 'EUR',
        firstOrderAt: first,
        lastOrderAt: last,
      },
    };
    items.push(profileItem(profile));
    for (const [k, purchase] of person.purchases.entries()) {
      const orderId = `${index}-${k}`;
      orders += 1;
      items.push({
        ...itemKeys.order(channelId, orderId),
        channelId,
        platform: 'standard',
        orderId,
        placedAt: purchase.at,
        placedDay: purchase.at.slice(0, 10),
        updatedAt: purchase.at,
        status: 'open',
        test: false,
        currency: 'EUR',
        totalMinor: purchase.valueMinor,
        refunds: {},
        discountCodes: [],
        placeholder: false,
        customerId: id,
        version: 1,
        placedAtUtc: new Date(Date.parse(purchase.at)).toISOString(),
        listPk: lists.channelOrders(channelId),
        listSk: orderId,
        delivery: { deliveryId: `bench-${orderId}`, topic: 'order.created', receivedAt: purchase.at },
      });
    }
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < items.length) {
        const batch = items.slice(next, next + 25);
        next += 25;
        let requests: unknown[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; requests?.length; attempt += 1) {
          if (attempt > 10) throw new Error('BatchWrite left items unprocessed 10 times');
          const result: BatchWriteOutput = await documentClient().send(
            new BatchWriteCommand({ RequestItems: { [tableName]: requests as never } }),
          );
          requests = result.UnprocessedItems?.[tableName];
          if (requests?.length) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
        }
      }
    }),
  );
  return { orders, ms: performance.now() - started };
}

interface JobView {
  status: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  progress: { customersScored: number; changed: number; shardsDone: number; shardsTotal: number };
  result: { customers: number; changed: number } | null;
  error?: string;
}

interface StackRescore {
  fitMs: number;
  scoreMs: number;
  jobMs: number;
  customers: number;
  changed: number;
}

async function stackRescore(apiUrl: string, adminKey: string): Promise<StackRescore> {
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    // A read is asked again after a 5xx: on a loaded machine DynamoDB Local
    // answers "timed out waiting for a lock", and one failed poll ended a
    // 100,000-customer run after 51 minutes (2026-12-07).
    for (let attempt = 1; ; attempt += 1) {
      const response = await fetch(`${apiUrl}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (response.ok) return (await response.json()) as T;
      const failure = `${path}: ${response.status} ${await response.text()}`;
      if (body !== undefined || response.status < 500 || attempt >= 10) throw new Error(failure);
      say(`     (${failure}; polling again)`);
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  };
  const { jobId } = await call<{ jobId: string }>('/admin/rescore', { asOf });
  let job: JobView;
  for (;;) {
    job = await call<JobView>(`/admin/jobs/${jobId}`);
    if (job.status === 'succeeded') break;
    if (job.status === 'failed') throw new Error(`rescore ${jobId} failed: ${job.error}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const model = await call<{ fittedAt: string; jobId: string }>('/admin/model');
  if (model.jobId !== jobId) throw new Error(`the model is from ${model.jobId}, not ${jobId}`);
  const at = (iso: string | undefined): number => Date.parse(iso ?? '');
  return {
    fitMs: at(model.fittedAt) - at(job.startedAt),
    scoreMs: at(job.finishedAt) - at(model.fittedAt),
    jobMs: at(job.finishedAt) - at(job.createdAt),
    customers: job.result!.customers,
    changed: job.result!.changed,
  };
}

interface WorkerReport {
  first: PassReport;
  rerun: PassReport;
}

interface PassReport {
  customers: number;
  changed: number;
  events: number;
  fitMs: number;
  scoreMs: number;
  /** Write units of the whole pass, and of the job and model items alone. */
  writeUnits: number;
  jobWriteUnits: number;
  peakRss: number;
  peakHeap: { fit: number; score: number };
}

/** 2 and 3, in a child process: the use cases with the real adapters, the scoring worker alone. */
async function runWorker(): Promise<void> {
  const { capacityMeter } = await import('../../functions/adapters/dynamo-client');
  const { rescorePorts } = await import('../../functions/adapters/rescore-ports');
  const { fitAndFanOut, scoreShard } = await import('../../functions/app/rescore');
  type Task = Parameters<typeof scoreShard>[1];
  const tableName = args.table!;
  let peakHeap = 0;
  const sample = (): void => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  };
  const sampler = setInterval(sample, 10);
  const real = rescorePorts(tableName, {});
  let tasks: Task[] = [];
  let events = 0;
  let jobWriteUnits = 0;
  // Job and model writes are metered apart: they are per job and per shard, not per customer.
  const metered =
    <A extends unknown[], R>(write: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      sample();
      const before = capacityMeter.writeUnits;
      const result = await write(...a);
      jobWriteUnits += capacityMeter.writeUnits - before;
      return result;
    };
  const ports = {
    ...real,
    customers: {
      ...real.customers,
      page: async (...a: Parameters<typeof real.customers.page>) => {
        sample();
        return real.customers.page(...a);
      },
    },
    jobs: {
      create: metered(real.jobs.create.bind(real.jobs)),
      get: real.jobs.get.bind(real.jobs),
      update: metered(real.jobs.update.bind(real.jobs)),
      reportShard: metered(real.jobs.reportShard.bind(real.jobs)),
    },
    models: { get: real.models.get, put: metered(real.models.put) },
    queue: {
      requestRescore: async () => undefined,
      startScoring: async (next: readonly Task[]) => void tasks.push(...next),
      publish: async (published: readonly unknown[]) => void (events += published.length),
    },
  };

  const pass = async (): Promise<PassReport> => {
    capacityMeter.reset();
    jobWriteUnits = 0;
    events = 0;
    tasks = [];
    peakHeap = 0;
    const started = performance.now();
    const job = await fitAndFanOut(ports, { trigger: 'api', asOf });
    const fitted = performance.now();
    const fitHeap = peakHeap;
    peakHeap = 0;
    // One shard at a time, as one scorer sandbox takes them (batch size 1); no hand-on here.
    while (tasks.length) await scoreShard(ports, tasks.shift()!, () => Number.POSITIVE_INFINITY);
    const scored = performance.now();
    const done = (await real.jobs.get(job.id))!;
    if (done.status !== 'succeeded') throw new Error(`in-process rescore ended ${done.status}`);
    return {
      customers: done.result!.customers,
      changed: done.result!.changed,
      events,
      fitMs: fitted - started,
      scoreMs: scored - fitted,
      writeUnits: capacityMeter.writeUnits,
      jobWriteUnits,
      peakRss: process.resourceUsage().maxRSS * 1024,
      peakHeap: { fit: fitHeap, score: peakHeap },
    };
  };
  const report: WorkerReport = { first: await pass(), rerun: await pass() };
  clearInterval(sampler);
  say(`${reportMark}${JSON.stringify(report)}`);
}

/** Marks the one line of a child's stdout that carries its result; every other line is passed on. */
const reportMark = 'REPORT ';

/** This script again in a child process with `childArgs`; its lines are printed, its REPORT line returned. */
function runChild<T>(childArgs: string[], env: Record<string, string> = {}): Promise<T> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, script, ...childArgs, '--as-of', asOf, '--seed', String(seed)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let report: T | undefined;
    let rest = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith(reportMark)) report = JSON.parse(line.slice(reportMark.length)) as T;
        else say(line);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0 || report === undefined) return reject(new Error(`${childArgs[0]} child exited with ${code}${report ? '' : ', no report'}`));
      resolve(report);
    });
  });
}

function printPass(label: string, pass: PassReport): void {
  const perCustomer = (units: number) => (units / pass.customers).toFixed(3);
  say(
    `   ${label}: ${pass.customers} customers, ${pass.changed} changed, ${pass.events} events; ` +
      `fit ${(pass.fitMs / 1000).toFixed(2)} s, scoring ${(pass.scoreMs / 1000).toFixed(2)} s (${rate(pass.customers, pass.scoreMs)} customers/s)`,
  );
  say(
    `      write units ${pass.writeUnits} = ${perCustomer(pass.writeUnits)} per customer ` +
      `(scores ${perCustomer(pass.writeUnits - pass.jobWriteUnits)}, job and model items ${pass.jobWriteUnits} in all)`,
  );
  say(`      peak RSS ${mib(pass.peakRss)} (process so far), peak heap used: fit ${mib(pass.peakHeap.fit)}, scoring ${mib(pass.peakHeap.score)}`);
}

/** One fresh stack, in a child process of its own (a process's AWS clients keep the first stack's endpoints). */
async function benchStack(customers: number, withWorker: boolean, stackPasses: boolean): Promise<void> {
  const { startLocalStack } = await import('../../bin/local/stack');
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { ensureTable } = await import('../../bin/local/provision');
  const stack = await startLocalStack({ port: 0, inMemory: true, tableName: 'benchrescore' });
  try {
    let passes: { first: StackRescore; rerun: StackRescore } | null = null;
    if (stackPasses) {
      const seeded = await seedTable({ tableName: stack.tableName, customers });
      say(`   seeded ${customers} customers, ${seeded.orders} orders in ${(seeded.ms / 1000).toFixed(1)} s (not measured); load ${load()}`);
      passes = { first: await stackRescore(stack.apiUrl, stack.adminKey), rerun: await stackRescore(stack.apiUrl, stack.adminKey) };
      for (const [label, r] of Object.entries(passes)) {
        say(
          `     ${label}: ${r.customers} customers, ${r.changed} changed; fit ${(r.fitMs / 1000).toFixed(2)} s, scoring ${(r.scoreMs / 1000).toFixed(2)} s, ` +
            `job ${(r.jobMs / 1000).toFixed(2)} s; ${rate(r.customers, r.scoreMs)} customers/s in phase 2, ${rate(r.customers, r.jobMs)} over the job; load ${load()}`,
        );
      }
    }
    if (withWorker) {
      // The in-process worker gets its own table on the same DynamoDB Local, seeded alike.
      const tableName = 'benchrescore-worker';
      await ensureTable(new DynamoDBClient({}), tableName);
      await seedTable({ tableName, customers });
      say(`   in-process worker (use cases + real adapters, one shard at a time), load ${load()}`);
      const report = await runChild<WorkerReport>(['--worker', '--table', tableName, '--customers', String(customers)], {
        AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      });
      printPass('first', report.first);
      printPass('rerun', report.rerun);
    }
    say(`${reportMark}${JSON.stringify(passes)}`);
  } finally {
    await stack.stop();
  }
}

async function benchSize(customers: number, runs: number): Promise<void> {
  if (args['worker-only']) {
    await runChild(['--stack', '--customers', String(customers), '--with-worker', '--worker-only']);
    return;
  }
  const firsts: StackRescore[] = [];
  const reruns: StackRescore[] = [];
  for (let run = 0; run < runs; run += 1) {
    say(`   stack ${run + 1} of ${runs}:`);
    const withWorker = run === 0 && customers <= Number(args['worker-up-to']);
    const childArgs = ['--stack', '--customers', String(customers), ...(withWorker ? ['--with-worker'] : [])];
    const { first, rerun } = (await runChild<{ first: StackRescore; rerun: StackRescore } | null>(childArgs))!;
    firsts.push(first);
    reruns.push(rerun);
  }
  for (const [label, results] of [['first rescore', firsts], ['rerun (same asOf)', reruns]] as const) {
    const fit = median(results.map((r) => r.fitMs));
    const score = median(results.map((r) => r.scoreMs));
    const job = median(results.map((r) => r.jobMs));
    say(
      `   => ${customers} customers, ${label}, median of ${results.length}: fit ${(fit / 1000).toFixed(2)} s, scoring ${(score / 1000).toFixed(2)} s ` +
        `(${rate(customers, score)} customers/s), job ${(job / 1000).toFixed(2)} s (${rate(customers, job)} customers/s)`,
    );
  }
}

async function main(): Promise<void> {
  if (args.worker) return runWorker();
  if (args.stack) return benchStack(Number(args.customers), args['with-worker'], !args['worker-only']);
  say(`node ${process.version}, asOf ${asOf}, seed ${seed}, history ${historyStart} to ${historyEnd}, load ${load()}`);
  if (!args['worker-only']) await pureScoring();
  const largeFrom = Number(args['large-from']);
  for (const size of args.sizes.split(',').map(Number)) {
    const runs = size >= largeFrom ? Number(args['runs-large']) : Number(args.runs);
    const what = args['worker-only'] ? 'the in-process worker alone, beside a fresh stack' : `through the local stack (${runs} fresh stack${runs > 1 ? 's' : ''})`;
    say(`\n1-3. ${size} customers, ${what}, load ${load()}`);
    await benchSize(size, runs);
  }
}

await main();
