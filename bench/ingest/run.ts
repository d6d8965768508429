// Ingest benchmark (not a test): signed Shopify webhooks through the local
// stack, then the write units of each kind of delivery.
//
//   npm run bench:ingest      (both modes below, one process each)
//   tsx bench/ingest/run.ts --mode webhook|e2e [--orders 1000] [--customers 500] [--concurrency 16] [--runs 3] [--warmup 200]
//
// Before the timed runs, --warmup orders go through uncounted, so the runs
// measure a warm process (JIT, connection pools), as a busy Lambda is.
//
// --mode webhook: the real webhook function, with the processor acknowledging
//   every record unread, so the figures are the webhook answer alone.
// --mode e2e: the real processor too, in the same process and on the same two
//   cores as the webhook function and DynamoDB Local; then the write units.
// Prints accepted webhooks/s, p50/p99 latency of the webhook answer, processed
// orders/s, and DynamoDB write units per new order and per duplicate, read from
// ReturnConsumedCapacity. Figures go to BENCHMARKS.md with this command.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';

// Quiet handlers: a log line per delivery would measure the terminal, not huitou.
process.env['POWERTOOLS_LOG_LEVEL'] ??= 'WARN';
process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'e2e' },
    orders: { type: 'string', default: '1000' },
    customers: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '16' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '200' },
  },
});
const orders = Number(args.orders);
const customers = Number(args.customers);
const concurrency = Number(args.concurrency);
const runs = Number(args.runs);
const warmup = Number(args.warmup);
const mode = args.mode;
if (mode !== 'webhook' && mode !== 'e2e') throw new Error('--mode is webhook or e2e');

const fixture = JSON.parse(
  readFileSync(new URL('../../test/fixtures/marketplaces/shopify/orders_updated.derived-from-official-rest.json', import.meta.url), 'utf8'),
) as Record<string, unknown> & { customer: Record<string, unknown> };
const secret = 'bench-secret';

function orderBody(n: number): Buffer {
  const customer = n % customers;
  const day = String(1 + (n % 28)).padStart(2, '0');
  return Buffer.from(
    JSON.stringify({
      ...fixture,
      id: 9_000_000 + n,
      email: `buyer${customer}@example.com`,
      created_at: `2026-02-${day}T10:00:00-05:00`,
      updated_at: `2026-02-${day}T10:00:00-05:00`,
      customer: { ...fixture.customer, id: 7_000_000 + customer, email: `buyer${customer}@example.com` },
    }),
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function post(url: URL, body: Buffer, headers: Record<string, string>): Promise<{ status: number; ms: number }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const { startLocalStack } = await import('../../bin/local/stack');
  const { signBodyHmac } = await import('../../functions/adapters/signatures');
  const { capacityMeter } = await import('../../functions/adapters/dynamo-client');
  const { DynamoCustomerRepository } = await import('../../functions/adapters/customer-store');
  const { recordOrderChange } = await import('../../functions/app/record-events');
  const { normalizeWebhook } = await import('../../functions/domain/normalize/index');

  const stack = await startLocalStack({
    port: 0,
    inMemory: true,
    tableName: 'bench',
    log: (line) => process.stderr.write(`${line}\n`),
    // Webhook mode: records are acknowledged unread, so only the webhook path is measured.
    ...(mode === 'webhook' ? { handlers: { processor: async () => ({ batchItemFailures: [] }) } } : {}),
  });
  const sqs = new SQSClient({ endpoint: stack.endpoints.sqs, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const created = await fetch(`${stack.apiUrl}/admin/channels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'shopify', name: 'Bench', webhookSecret: secret }),
    });
    const channel = (await created.json()) as { id: string; webhookUrl: string };
    const url = new URL(channel.webhookUrl);

    const backlog = async (queueUrl: string = stack.queueUrls.ingest): Promise<number> => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    };

    const results: { accepted: number; p50: number; p99: number; processed: number }[] = [];
    for (let run = -1; run < runs; run += 1) {
      // Run -1 is the warm-up. Each run sends new orders, so every run measures first-time processing.
      const count = run < 0 ? warmup : orders;
      const bodies = Array.from({ length: count }, (_, i) => orderBody(5_000_000 * (run + 1) + i));
      const latencies: number[] = [];
      let next = 0;
      let failures = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < bodies.length) {
            const i = next++;
            const body = bodies[i]!;
            const answer = await post(url, body, {
              'x-shopify-hmac-sha256': signBodyHmac(body, secret),
              'x-shopify-topic': 'orders/create',
              'x-shopify-webhook-id': `bench-${run}-${i}`,
            });
            if (answer.status !== 200) failures += 1;
            latencies.push(answer.ms);
          }
        }),
      );
      const sentMs = performance.now() - started;
      while ((await backlog()) > 0) await new Promise((r) => setTimeout(r, 50));
      const drainedMs = performance.now() - started;
      if (failures) throw new Error(`${failures} webhooks were not answered 200`);
      latencies.sort((a, b) => a - b);
      if (run < 0) continue;
      const figures = {
        accepted: orders / (sentMs / 1000),
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        processed: orders / (drainedMs / 1000),
      };
      results.push(figures);
      process.stdout.write(
        `run ${run + 1}: accepted ${figures.accepted.toFixed(0)} webhooks/s, p50 ${figures.p50.toFixed(2)} ms, p99 ${figures.p99.toFixed(2)} ms, processed ${figures.processed.toFixed(0)} orders/s\n`,
      );
    }

    process.stdout.write(`\nmode ${mode}: median of ${runs} runs after ${warmup} warm-up orders, ${orders} orders per run, ${customers} customers, concurrency ${concurrency}:\n`);
    const timing = {
      acceptedPerSecond: median(results.map((r) => r.accepted)),
      p50Ms: median(results.map((r) => r.p50)),
      p99Ms: median(results.map((r) => r.p99)),
      ...(mode === 'e2e' ? { processedPerSecond: median(results.map((r) => r.processed)) } : {}),
    };
    process.stdout.write(`${JSON.stringify(timing, null, 2)}\n`);
    const deadLetters = await backlog(stack.queueUrls.ingestDlq);
    if (deadLetters) throw new Error(`${deadLetters} deliveries ended in the DLQ`);
    if (mode === 'webhook') return;

    // Write units, per kind of delivery, through the processor's own use case.
    const repo = new DynamoCustomerRepository(stack.tableName);
    const units = async (body: Buffer, topic: string): Promise<number> => {
      const result = normalizeWebhook({ platform: 'shopify', topic, channelId: channel.id, body: JSON.parse(body.toString('utf8')), receivedAt: new Date().toISOString() });
      if (!result.ok || result.event.kind !== 'order') throw new Error(`fixture did not normalize: ${JSON.stringify(result)}`);
      capacityMeter.reset();
      await recordOrderChange(repo, {
        platform: 'shopify',
        change: result.event,
        delivery: { deliveryId: 'bench', topic, receivedAt: new Date().toISOString() },
        raw: body,
        now: new Date().toISOString(),
      });
      return capacityMeter.writeUnits;
    };
    const fresh = Buffer.from(
      JSON.stringify({ ...JSON.parse(orderBody(90_000_000).toString('utf8')), email: 'new@example.com', customer: { ...fixture.customer, id: 1, email: 'new@example.com' } }),
    );
    const newCustomer = await units(fresh, 'orders/create');
    const duplicate = await units(fresh, 'orders/create');
    const repeat = await units(orderBody(90_000_001), 'orders/create'); // a customer the runs above made
    const updated = JSON.parse(fresh.toString('utf8'));
    updated.updated_at = '2026-03-30T10:00:00-05:00';
    updated.note = 'changed';
    const update = await units(Buffer.from(JSON.stringify(updated)), 'orders/updated');

    const writeUnits = { newOrderNewCustomer: newCustomer, newOrderKnownCustomer: repeat, duplicate, newerVersion: update, bodyBytes: fresh.length };
    process.stdout.write(`write units per delivery: ${JSON.stringify(writeUnits, null, 2)}\n`);
  } finally {
    agent.destroy();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
