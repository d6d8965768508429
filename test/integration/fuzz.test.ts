// Fuzz: thousands of mutated, correctly signed deliveries of all four platforms
// through the local stack. Seeded by fast-check: the seed is printed, and
// FUZZ_SEED=<seed> replays the same deliveries (FUZZ_RUNS sets how many).
//
// Dead letters are read from the DLQ with SQS ReceiveMessage until
// GET /admin/dead-letters exists.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemKeys } from '../../functions/adapters/dynamo-keys';
import { buildDeliveries, fuzzCase, type FuzzDelivery, type Platform } from '../support/fuzz-cases';
import { shopifyHeaders, standardHeaders, startTestStack, wooHeaders, type TestStack } from '../support/stack';

type Json = Record<string, any>;

const seed = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31);
const runs = Number(process.env['FUZZ_RUNS'] ?? 2000);
const sendConcurrency = 16;
const secrets: Record<Platform, string> = {
  shopify: 'shpss_fuzz',
  woocommerce: 'wc_fuzz',
  bigcommerce: 'bc_fuzz_client_secret',
  standard: `whsec_${randomBytes(32).toString('base64')}`,
};
const storeToken = `bc-token-${randomBytes(8).toString('hex')}`;
/** What the fake BigCommerce API serves: GET /v2/orders/{id}. */
const storeOrders = new Map<string, unknown>();

let t: TestStack;
let fakeStore: Server;
let db: DynamoDBDocumentClient;
let sqs: SQSClient;
const channels = {} as Record<Platform, { id: string; webhookUrl: string }>;

function startFakeStore(): Promise<Server> {
  const server = createServer((request, response) => {
    const match = /^\/v2\/orders\/([^/]+)$/.exec(new URL(request.url ?? '/', 'http://store.local').pathname);
    const order = match?.[1] ? storeOrders.get(decodeURIComponent(match[1])) : undefined;
    const ok = request.headers['x-auth-token'] === storeToken && order !== undefined;
    response.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
    response.end(ok ? JSON.stringify(order) : '[{"status":404,"message":"The requested resource was not found."}]');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function headersOf(delivery: FuzzDelivery): Record<string, string> {
  const secret = secrets[delivery.platform];
  switch (delivery.platform) {
    case 'shopify':
      return shopifyHeaders(delivery.body, secret, delivery.topic, delivery.deliveryId);
    case 'woocommerce':
      return wooHeaders(delivery.body, secret, delivery.topic, delivery.deliveryId);
    default:
      return standardHeaders(delivery.body, secret, delivery.deliveryId);
  }
}

/** Runs `work` over `items`, `concurrency` at a time. */
async function pool<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

async function quarantinedDeliveryIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  do {
    const page: { status: number; body: { items: Json[]; nextCursor: string | null } } = await t.api(
      `/admin/quarantine?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(page.status).toBe(200);
    for (const entry of page.body.items) ids.add(entry['deliveryId']);
    cursor = page.body.nextCursor;
  } while (cursor);
  return ids;
}

async function deadLetterDeliveryIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let empty = 0; empty < 2; ) {
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: t.stack.queueUrls.ingestDlq, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }),
    );
    const messages = received.Messages ?? [];
    empty = messages.length === 0 ? empty + 1 : 0;
    for (const message of messages) ids.add((JSON.parse(message.Body ?? '{}') as Json)['deliveryId']);
  }
  return ids;
}

/**
 * Which of these orders exist, as `<channelId>#<orderId>`. An id too long for
 * a DynamoDB key (2048 bytes) names no order that can exist.
 */
async function existingOrders(keys: { channelId: string; orderId: string }[]): Promise<Set<string>> {
  const found = new Set<string>();
  const storable = keys.filter((key) => Buffer.byteLength(itemKeys.order(key.channelId, key.orderId).pk) < 2048);
  const unique = [...new Map(storable.map((key) => [`${key.channelId}#${key.orderId}`, key])).values()];
  for (let i = 0; i < unique.length; i += 100) {
    let request: Json | undefined = {
      [t.stack.tableName]: { Keys: unique.slice(i, i + 100).map((key) => itemKeys.order(key.channelId, key.orderId)) },
    };
    while (request && Object.keys(request).length > 0) {
      const result: { Responses?: Record<string, Json[]>; UnprocessedKeys?: Json } = await db.send(
        new BatchGetCommand({ RequestItems: request }),
      );
      for (const item of result.Responses?.[t.stack.tableName] ?? []) found.add(`${item['channelId']}#${item['orderId']}`);
      request = result.UnprocessedKeys;
    }
  }
  return found;
}

async function allCustomers(): Promise<Json[]> {
  const customers: Json[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: { items: Json[]; nextCursor: string | null } } = await t.api(
      `/admin/customers?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(page.status).toBe(200);
    customers.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return customers;
}

async function ordersOf(customerId: string): Promise<Json[]> {
  const orders: Json[] = [];
  let startKey: Json | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: t.stack.tableName,
        IndexName: 'ordersByCustomer',
        KeyConditionExpression: 'customerId = :id',
        ExpressionAttributeValues: { ':id': customerId },
        ExclusiveStartKey: startKey,
      }),
    );
    orders.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return orders;
}

/** The figures a customer's orders add up to, after the rules in functions/domain (orders.ts, customers.ts). */
function expectedFigures(figures: Json, orders: Json[]): Json {
  const counted = orders.filter((order) => !order['placeholder'] && !order['test'] && order['status'] === 'open');
  const inShopCurrency = counted.filter((order) => order['currency'] === figures['currency']);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const grossMinor = sum(inShopCurrency.map((order) => order['totalMinor']));
  const refundedMinor = sum(inShopCurrency.map((order) => sum(Object.values(order['refunds'] ?? {}) as number[])));
  return {
    orders: counted.length,
    purchaseDays: new Set(counted.map((order) => order['placedDay'])).size,
    grossMinor,
    refundedMinor,
    netMinor: grossMinor - refundedMinor,
  };
}

function report(title: string, lines: string[]): string {
  return `${title}: ${lines.length} (seed ${seed})\n${lines.slice(0, 25).join('\n')}${lines.length > 25 ? '\n…' : ''}`;
}

beforeAll(async () => {
  fakeStore = await startFakeStore();
  t = await startTestStack({ retryDelaySeconds: 0 });
  const clientOptions = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ ...clientOptions, endpoint: t.stack.endpoints.dynamodb }));
  sqs = new SQSClient({ ...clientOptions, endpoint: t.stack.endpoints.sqs });
  const apiBaseUrl = `http://127.0.0.1:${(fakeStore.address() as AddressInfo).port}`;
  for (const platform of Object.keys(secrets) as Platform[]) {
    channels[platform] = await t.createChannel({
      platform,
      name: `Fuzz ${platform}`,
      webhookSecret: secrets[platform],
      ...(platform === 'bigcommerce' ? { apiBaseUrl, apiToken: storeToken } : {}),
    });
  }
});

afterAll(async () => {
  db?.destroy();
  sqs?.destroy();
  await t?.stop();
  await new Promise((resolve) => fakeStore?.close(resolve));
});

describe('Fuzz: mutated signed deliveries through the local stack', () => {
  it(`keeps every one of ${runs} deliveries, answers no 5xx, and keeps figures exact and never negative`, async () => {
    console.log(`fuzz seed ${seed}, ${runs} deliveries (replay: FUZZ_SEED=${seed} npx vitest run test/integration/fuzz.test.ts)`);
    const deliveries = buildDeliveries(fc.sample(fuzzCase, { seed, numRuns: runs }), String(seed));
    for (const delivery of deliveries) {
      if (delivery.storeOrder) storeOrders.set(delivery.storeOrder.id, delivery.storeOrder.order);
    }
    const sends = deliveries.flatMap((delivery) => Array.from({ length: delivery.sends }, () => delivery));

    const started = Date.now();
    const statuses = await pool(sends, sendConcurrency, (delivery) =>
      t.deliver(channels[delivery.platform].webhookUrl, delivery.body, headersOf(delivery)),
    );
    const sentMs = Date.now() - started;
    await t.settled(300_000);
    const settledMs = Date.now() - started;

    const serverErrors = sends.flatMap((delivery, i) => (statuses[i]! >= 500 ? [`${delivery.description}: ${statuses[i]}`] : []));
    const notAccepted = sends.flatMap((delivery, i) => (statuses[i] !== 200 ? [`${delivery.description}: ${statuses[i]}`] : []));
    const quarantined = await quarantinedDeliveryIds();
    const deadLetters = await deadLetterDeliveryIds();
    const orders = await existingOrders(
      deliveries.flatMap((d) => d.orderIds.map((orderId) => ({ channelId: channels[d.platform].id, orderId }))),
    );
    const lost = deliveries.filter(
      (d) =>
        !quarantined.has(d.deliveryId) &&
        !deadLetters.has(d.deliveryId) &&
        !d.orderIds.some((orderId) => orders.has(`${channels[d.platform].id}#${orderId}`)),
    );

    const negative: string[] = [];
    const inexact: string[] = [];
    for (const customer of await allCustomers()) {
      const { figures } = customer;
      for (const name of ['orders', 'purchaseDays', 'grossMinor', 'refundedMinor', 'netMinor']) {
        if (figures[name] < 0) negative.push(`${customer['id']} ${name} ${figures[name]}`);
      }
      const expected = expectedFigures(figures, await ordersOf(customer['id']));
      const actual = Object.fromEntries(Object.keys(expected).map((name) => [name, figures[name]]));
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        inexact.push(`${customer['id']} has ${JSON.stringify(actual)}, its orders add up to ${JSON.stringify(expected)}`);
      }
    }
    console.log(
      `fuzz seed ${seed}: ${deliveries.length} deliveries (${sends.length} sends), ${quarantined.size} quarantined, ` +
        `${deadLetters.size} dead letters, ${orders.size} orders, ${notAccepted.length} not answered 200; ` +
        `sent in ${(sentMs / 1000).toFixed(1)} s, processed in ${(settledMs / 1000).toFixed(1)} s`,
    );

    const dead = deliveries.filter((d) => deadLetters.has(d.deliveryId)).map((d) => d.description);
    if (dead.length > 0) console.log(report('in the dead letters', dead));
    // Soft: one run reports every kind of failure it found, each with the seed.
    expect.soft(serverErrors, report('answered 5xx', serverErrors)).toEqual([]);
    expect.soft(notAccepted, report('not answered 200', notAccepted)).toEqual([]);
    expect.soft(lost.map((d) => d.description), report('found nowhere', lost.map((d) => d.description))).toEqual([]);
    expect.soft(negative, report('figures below zero', negative)).toEqual([]);
    expect.soft(inexact, report('figures that are not the sum of their orders', inexact)).toEqual([]);
  }, 600_000);
});
