// Large signed deliveries through the whole local stack: every one that gets
// 200 ends as an order or in quarantine, stored whole however large.
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queues } from '../../lib/resources';
import { shopifyHeaders, startTestStack, type TestStack } from '../support/stack';

type Json = Record<string, any>;
const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/marketplaces/shopify/${name}`, import.meta.url), 'utf8'));
const order = fixture('orders_updated.derived-from-official-rest.json');
const redact = fixture('customers_redact.json');
const secret = 'shpss_large_bodies';
const mib = 1024 * 1024;
let t: TestStack;
let db: DynamoDBDocumentClient;
let channel: { id: string; webhookUrl: string };
let nextId = 1;

/** Printable ASCII but `"` and `\`, drawn at random: gzip saves little on it. */
function noise(length: number): string {
  const alphabet = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => c !== '"' && c !== '\\');
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** The fixture order as a new person's order of exactly `bytes` bytes, padded in its note. */
function orderOfSize(bytes: number, note: (length: number) => string, overrides: Json = {}): string {
  const n = nextId++;
  const email = `large${n}@example.com`;
  const base = {
    ...order,
    id: 7_000_000 + n,
    email,
    contact_email: email,
    phone: null,
    billing_address: { ...order.billing_address, phone: null },
    shipping_address: { ...order.shipping_address, phone: null },
    customer: { ...order.customer, id: 8_000_000 + n, email, phone: null, default_address: undefined },
    ...overrides,
    note: '',
  };
  const body = JSON.stringify({ ...base, note: note(bytes - Buffer.byteLength(JSON.stringify(base))) });
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
}

async function send(body: string, topic = 'orders/create'): Promise<{ status: number; webhookId: string }> {
  const webhookId = `wh-large-${nextId++}`;
  const status = await t.deliver(channel.webhookUrl, body, shopifyHeaders(body, secret, topic, webhookId));
  return { status, webhookId };
}

/** Every item under a partition key, chunks included. */
async function partition(pk: string): Promise<Json[]> {
  const items: Json[] = [];
  let startKey: Json | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: t.stack.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ProjectionExpression: 'pk, sk',
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Inbox items left in the table (a Scan: the suite's table is small). */
async function inboxItems(): Promise<number> {
  let count = 0;
  let startKey: Json | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: t.stack.tableName,
        FilterExpression: 'begins_with(pk, :inbox)',
        ExpressionAttributeValues: { ':inbox': 'INBOX#' },
        ExclusiveStartKey: startKey,
      }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

async function quarantineEntry(deliveryId: string): Promise<Json | undefined> {
  let cursor: string | null = null;
  do {
    const page: { status: number; body: { items: Json[]; nextCursor: string | null } } = await t.api(
      `/admin/quarantine${cursor ? `?cursor=${cursor}` : ''}`,
    );
    const found = page.body.items.find((entry) => entry['deliveryId'] === deliveryId);
    if (found) return found;
    cursor = page.body.nextCursor;
  } while (cursor);
  return undefined;
}

beforeAll(async () => {
  t = await startTestStack();
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: t.stack.endpoints.dynamodb,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  channel = await t.createChannel({ platform: 'shopify', name: 'Large store', webhookSecret: secret });
});

afterAll(async () => {
  db?.destroy();
  await t?.stop();
});

describe('Flow: large signed deliveries', () => {
  it('turns 30 orders of 150-720 KB sent at once, some incompressible, into 30 orders', async () => {
    const bodies = Array.from({ length: 30 }, (_, i) =>
      orderOfSize(150_000 + Math.round((570_000 * i) / 29), (length) =>
        i % 3 === 0 ? 'a'.repeat(length) : randomBytes(length).toString('base64').slice(0, length),
      ),
    );

    const sent = await Promise.all(bodies.map((body) => send(body)));
    await t.settled(90_000);

    expect(sent.map(({ status }) => status)).toEqual(bodies.map(() => 200));
    const counted: string[] = [];
    for (const body of bodies) {
      const { email } = JSON.parse(body) as Json;
      const customer = await t.customerByEmail(email);
      if (customer?.['figures']?.['orders'] === 1) counted.push(email);
    }
    expect(counted).toEqual(bodies.map((body) => (JSON.parse(body) as Json)['email']));
    expect(await t.queueDepth('ingestDlq')).toBe(0);
  }, 180_000);

  it('stores and counts a 1 MiB signed order that does not compress into an SQS message', async () => {
    const body = orderOfSize(mib, noise);
    expect(gzipSync(body).toString('base64').length).toBeGreaterThan(queues.ingest.maxMessageBytes);
    const { email, id } = JSON.parse(body) as Json;

    const { status } = await send(body);
    await t.settled();

    expect(status).toBe(200);
    const customer = await t.requireCustomer(email);
    expect(customer['figures']).toMatchObject({ orders: 1, grossMinor: 59894, refundedMinor: 20900, netMinor: 38994, currency: 'USD' });
    // The payload is kept whole, in chunks, and the inbox copy is gone.
    expect((await partition(`ORDER#${channel.id}#${id}`)).filter((item) => item['sk'].startsWith('PAYLOAD#')).length).toBeGreaterThan(1);
    expect(await inboxItems()).toBe(0);
    expect(await t.queueDepth('ingestDlq')).toBe(0);
  });

  it('quarantines a 1 MiB signed body that fails the schema, readable whole and replayable', async () => {
    const body = JSON.stringify({ id: 'not-an-order', note: noise(mib - 40) }).padEnd(mib, ' ');
    expect(gzipSync(body).toString('base64').length).toBeGreaterThan(queues.ingest.maxMessageBytes);

    const { status, webhookId } = await send(body);
    await t.settled();

    expect(status).toBe(200);
    const entry = await quarantineEntry(webhookId);
    expect(entry).toMatchObject({ status: 'open', channelId: channel.id });
    const detail = await t.api<Json>(`/admin/quarantine/${entry!['id']}`);
    expect(detail.status).toBe(200);
    expect(detail.body['body']).toBe(body);

    const replay = await t.api<Json>(`/admin/quarantine/${entry!['id']}/replay`, { method: 'POST' });
    await t.settled();

    expect(replay.status).toBe(202);
    expect((await t.api<Json>(`/admin/quarantine/${entry!['id']}`)).body).toMatchObject({ status: 'open', body });
    expect(await t.queueDepth('ingestDlq')).toBe(0);
  });

  it('quarantines an order whose 30,000 discount codes each fail the schema, with the first issues', async () => {
    const discount_codes = Array.from({ length: 30_000 }, (_, i) => ({ code: i }));
    const body = orderOfSize(500_000, (length) => ' '.repeat(length), { discount_codes });

    const { status, webhookId } = await send(body);
    await t.settled();

    expect(status).toBe(200);
    const entry = await quarantineEntry(webhookId);
    expect(entry?.['issues']).toHaveLength(51);
    expect(entry?.['issues'][0]).toMatch(/^discount_codes\.0\.code: /);
    expect(entry?.['issues'][50]).toBe('… and 29950 more');
    expect(await t.queueDepth('ingestDlq')).toBe(0);
  });

  it('erases every chunk of a large payload on customers/redact', async () => {
    const body = orderOfSize(900_000, noise);
    const { email, id, customer } = JSON.parse(body) as Json;
    await send(body);
    await t.settled();
    expect((await partition(`ORDER#${channel.id}#${id}`)).length).toBeGreaterThan(2);

    const request = { ...redact, customer: { id: customer.id, email, phone: null }, orders_to_redact: [id] };
    await send(JSON.stringify(request), 'customers/redact');
    await t.settled();

    expect((await partition(`ORDER#${channel.id}#${id}`)).map((item) => item['sk'])).toEqual(['ORDER']);
  });
});
