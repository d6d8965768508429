// Send benchmark (not a test): campaign send tasks through the local stack,
// with every code minted at a local fake of Shopify's Admin API and every mail
// sent to the SES emulator, then the units one send costs and the cost per
// 1,000 emails at AWS prices.
//
//   npm run bench:send
//   tsx bench/send/run.ts [--customers 300] [--units 50]
//
// One run per process: the local stack's in-process parts (its admin key, the
// shared DynamoDB client) keep the first stack's endpoints, so a second stack
// in the same process is not reachable. Run it several times for a median.
//
// 1. Through the stack, per run on a fresh in-memory stack: `--customers`
//    subscribed customers are written directly into DynamoDB Local as the
//    repository stores them (profile and one order each; not measured), a
//    Shopify channel with coupons aimed at the fake, and an active manual
//    campaign with a 15 % coupon and no holdout. Timed: POST
//    /admin/campaigns/{id}/run until its stats count every customer (sent or
//    dropped). That is the matcher's run (16 shards over SQS), the sends
//    queue, and the sender function (coupon at the fake, SES SendEmail, the
//    send's transactions), paced below the SES rate as on AWS.
// 2. In this process, the send use case with the real adapters against the
//    same DynamoDB Local, the fake and the SES emulator, for `--units` more
//    customers: write and read units from ReturnConsumedCapacity, and the
//    time per send.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';

process.env['POWERTOOLS_LOG_LEVEL'] ??= 'WARN';
process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
// The in-process sends (part 2) call the fake store on loopback, as the local stack's functions may.
process.env['HUITOU_ALLOW_LOOPBACK_STORE_API'] = '1';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '300' },
    units: { type: 'string', default: '50' },
  },
});

const say = (line: string) => console.log(line);
const load = () => loadavg()[0]!.toFixed(2);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** us-east-1 list prices, 2026 (on-demand; free tiers left out). */
const prices = {
  sesPerEmail: 0.1 / 1000,
  lambdaPerGbSecond: 0.0000166667,
  lambdaPerRequest: 0.2 / 1_000_000,
  sqsPerRequest: 0.4 / 1_000_000,
  dynamoPerWriteUnit: 0.625 / 1_000_000,
  dynamoPerReadUnit: 0.125 / 1_000_000,
};

async function api<T>(base: string, key: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Writes through a client of this stack's DynamoDB: each run has its own stack, and the shared client keeps the first endpoint. */
async function seedCustomers(endpoint: string, tableName: string, channelId: string, from: number, count: number): Promise<string[]> {
  const { BatchWriteCommand, DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint }), { marshallOptions: { removeUndefinedValues: true } });
  const { profileItem } = await import('../../functions/adapters/customer-store');
  const { itemKeys, lists } = await import('../../functions/adapters/dynamo-keys');
  const { newProfile } = await import('../../functions/domain/customers');
  const items: Record<string, unknown>[] = [];
  const ids: string[] = [];
  for (let n = from; n < from + count; n += 1) {
    const id = `cus_${n.toString(16).padStart(20, '0')}`;
    ids.push(id);
    const at = '2025-06-01T10:00:00.000Z';
    items.push(
      profileItem({
        ...newProfile(id, at),
        email: `bench-${n}@example.com`,
        firstName: 'Bench',
        consent: { state: 'subscribed' },
        channels: [channelId],
        channelCustomerIds: { [channelId]: String(9_000_000 + n) },
        figures: { orders: 1, purchaseDays: 1, grossMinor: 4000, refundedMinor: 0, netMinor: 4000, currency: 'EUR', firstOrderAt: at, lastOrderAt: at },
      }),
    );
    const orderId = `b${n}`;
    items.push({
      ...itemKeys.order(channelId, orderId),
      channelId,
      platform: 'shopify',
      orderId,
      placedAt: at,
      placedDay: at.slice(0, 10),
      updatedAt: at,
      status: 'open',
      test: false,
      currency: 'EUR',
      totalMinor: 4000,
      refunds: {},
      discountCodes: [],
      placeholder: false,
      customerId: id,
      version: 1,
      placedAtUtc: at,
      listPk: lists.channelOrders(channelId),
      listSk: orderId,
      delivery: { deliveryId: `bench-${orderId}`, topic: 'orders/create', receivedAt: at },
    });
  }
  for (let start = 0; start < items.length; start += 25) {
    const batch = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch } }));
    if (Object.keys(result.UnprocessedItems ?? {}).length) throw new Error('BatchWrite left items unprocessed');
  }
  return ids;
}

async function main(): Promise<void> {
  const { startLocalStack } = await import('../../bin/local/stack');
  const { FakeCouponPlatforms, fakeCredentials } = await import('../../test/support/fake-coupon-platforms');
  const { emailSending } = await import('../../lib/resources');
  const customers = Number(args.customers);
  say(`bench/send: ${customers} customers; SES pacing ${emailSending.maxSendRatePerSecond}/s over ${emailSending.senderConcurrency} sender invocations`);
  const fake = await FakeCouponPlatforms.start();
  // The stack's own lines (a function's error, a retry) go to stderr, so a stuck run says why.
  const stack = await startLocalStack({ port: 0, inMemory: true, tableName: 'benchsend', log: (line) => console.error(line) });
  try {
    // For part 2, in this process.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
      AWS_ENDPOINT_URL_SESV2: stack.endpoints.ses,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    const channel = await api<{ id: string }>(stack.apiUrl, stack.adminKey, '/admin/channels', {
      platform: 'shopify',
      name: 'Bench Tea Shop',
      webhookSecret: 'shpss_bench',
      coupons: {
        provider: 'shopify',
        shopDomain: fakeCredentials.shopify.shopDomain,
        adminApiBaseUrl: fake.baseUrl,
        credentials: { accessToken: fakeCredentials.shopify.accessToken },
      },
    });
    if (channel.status !== 201) throw new Error(`channel: ${channel.status} ${JSON.stringify(channel.body)}`);
    await seedCustomers(stack.endpoints.dynamodb, stack.tableName, channel.body.id, 0, customers);
    const campaign = await api<{ id: string }>(stack.apiUrl, stack.adminKey, '/admin/campaigns', {
      name: 'Bench win-back',
      trigger: { type: 'manual' },
      message: { template: 'win_back' },
      coupon: { kind: 'percent', value: 15, expiresInDays: 14 },
      holdoutPercent: 0,
      status: 'active',
    });
    if (campaign.status !== 201) throw new Error(`campaign: ${campaign.status} ${JSON.stringify(campaign.body)}`);
    const started = performance.now();
    const runStart = await api<{ jobId: string }>(stack.apiUrl, stack.adminKey, `/admin/campaigns/${campaign.body.id}/run`, {});
    if (runStart.status !== 202) throw new Error(`run: ${runStart.status}`);
    let stats: { sent: number; suppressed: Record<string, number> };
    let lastReport = started;
    for (;;) {
      stats = (await api<typeof stats>(stack.apiUrl, stack.adminKey, `/admin/campaigns/${campaign.body.id}/stats`)).body;
      const decided = stats.sent + Object.values(stats.suppressed).reduce((a, b) => a + b, 0);
      if (decided >= customers) break;
      if (performance.now() - started > 10 * 60_000) throw new Error(`only ${decided} of ${customers} decided after 10 minutes: ${JSON.stringify(stats)}`);
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        console.error(`  ... ${decided} of ${customers} decided after ${((lastReport - started) / 1000).toFixed(0)} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    const mails = ((await (await fetch(`${stack.endpoints.ses}/store`)).json()) as { emails: unknown[] }).emails.length;
    say(
      `  ${customers} send tasks in ${seconds.toFixed(2)} s = ${(customers / seconds).toFixed(2)} sends/s; ` +
        `sent ${stats.sent}, dropped ${JSON.stringify(stats.suppressed)}, mails in the emulator ${mails}, codes at the fake ${fake.shopifyDiscounts.size}; load ${load()}`,
    );
    await measureUnits(stack.endpoints.dynamodb, stack.tableName, channel.body.id, customers, stack.apiUrl, campaign.body.id);
  } finally {
    await stack.stop();
    await fake.close();
  }
}

/** The send use case in this process with the real adapters: units and time per send, and the cost per 1,000 emails. */
async function measureUnits(endpoint: string, tableName: string, channelId: string, from: number, publicUrl: string, campaignId: string): Promise<void> {
  const { capacityMeter } = await import('../../functions/adapters/dynamo-client');
  const { senderPorts } = await import('../../functions/adapters/campaign-wiring');
  const { sendCampaign } = await import('../../functions/app/send-campaign');
  const { functions } = await import('../../lib/resources');
  const count = Number(args.units);
  const ids = await seedCustomers(endpoint, tableName, channelId, from, count);
  const ports = senderPorts({ tableName, sendsQueueUrl: 'http://127.0.0.1:1/unused', publicUrl });
  const settings = { from: 'bench@example.com', configurationSet: 'huitou' };
  const durations: number[] = [];
  capacityMeter.reset();
  for (const customerId of ids) {
    const started = performance.now();
    const outcome = await sendCampaign(ports, settings, { campaignId, customerId, occurrence: 'once', triggerId: 'bench' });
    durations.push(performance.now() - started);
    if (outcome.kind !== 'sent') throw new Error(`send ${customerId}: ${JSON.stringify(outcome)}`);
  }
  const writes = capacityMeter.writeUnits / count;
  const reads = capacityMeter.readUnits / count;
  const ms = median(durations);
  say(`  in-process send use case, ${count} sends: ${writes.toFixed(2)} write units and ${reads.toFixed(2)} read units per send (DynamoDB Local), median ${ms.toFixed(1)} ms per send`);
  // DynamoDB Local bills a transactional write like a standard one; AWS bills it twice. Every write of a send is in a transaction.
  const awsWrites = writes * 2;
  const lambdaSeconds = ms / 1000;
  const memoryGb = functions.sender.memoryMiB / 1024;
  // Per send: the matcher sends it (a tenth of a SendMessageBatch), the event source receives and deletes it (batches of up to 10: at least 0.2), plus empty receives while idle (not counted).
  const sqsRequests = 0.3;
  const perThousand = {
    ses: 1000 * prices.sesPerEmail,
    lambda: 1000 * (lambdaSeconds * memoryGb * prices.lambdaPerGbSecond) + (1000 / 10) * prices.lambdaPerRequest,
    sqs: 1000 * sqsRequests * prices.sqsPerRequest,
    dynamodb: 1000 * (awsWrites * prices.dynamoPerWriteUnit + reads * prices.dynamoPerReadUnit),
  };
  const total = Object.values(perThousand).reduce((a, b) => a + b, 0);
  say(
    `  cost per 1,000 emails (us-east-1, on-demand): SES $${perThousand.ses.toFixed(4)}, Lambda $${perThousand.lambda.toFixed(4)} ` +
      `(${functions.sender.memoryMiB} MB x ${ms.toFixed(1)} ms), SQS $${perThousand.sqs.toFixed(4)}, DynamoDB $${perThousand.dynamodb.toFixed(4)} ` +
      `(${awsWrites.toFixed(1)} WRU, ${reads.toFixed(1)} RRU per send) = $${total.toFixed(4)}; store API calls not counted`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
