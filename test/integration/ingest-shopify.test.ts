// Shopify deliveries through the whole local stack: webhook handler, SQS,
// processor, DynamoDB Local. Payloads are the fixtures in test/fixtures.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopifyHeaders, startTestStack, standardHeaders, type TestStack } from '../support/stack';

type Json = Record<string, any>;
const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/marketplaces/shopify/${name}`, import.meta.url), 'utf8'));
const order = fixture('orders_updated.derived-from-official-rest.json');
const refund = fixture('refunds_create.derived-from-official-rest.json');

const secret = 'shpss_test_secret';
let t: TestStack;
let channel: { id: string; webhookUrl: string };
let nextId = 1;

/**
 * The fixture order as another person's order, so each test starts clean. Its
 * phones go too: people who share a phone are one customer (phone is the third
 * identity huitou matches on).
 */
function personOrder(overrides: Json = {}): Json {
  const n = nextId++;
  const email = `person${n}@example.com`;
  return {
    ...order,
    id: 1_000_000 + n,
    email,
    contact_email: email,
    phone: null,
    billing_address: { ...order.billing_address, phone: null },
    shipping_address: { ...order.shipping_address, phone: null },
    customer: { ...order.customer, id: 2_000_000 + n, email, phone: null, default_address: undefined },
    ...overrides,
  };
}

async function send(body: Json | string, topic: string, webhookId: string, key = secret): Promise<number> {
  const bytes = typeof body === 'string' ? body : JSON.stringify(body);
  return t.deliver(channel.webhookUrl, bytes, shopifyHeaders(bytes, key, topic, webhookId));
}

const customerByEmail = (email: string) => t.customerByEmail<Json>(email);

beforeAll(async () => {
  t = await startTestStack();
  channel = await t.createChannel({ platform: 'shopify', name: 'Main store', webhookSecret: secret });
});

afterAll(async () => {
  await t?.stop();
});

describe('Flow: Shopify orders become one customer with exact figures', () => {
  it('turns orders/create into a customer with the order, its refund and its discount code', async () => {
    expect(await send(order, 'orders/create', 'wh-fixture')).toBe(200);
    await t.settled();

    const customer = await customerByEmail('bob.norman@mail.example.com');

    expect(customer).toMatchObject({
      name: 'Bob Norman',
      channels: [channel.id],
      figures: { orders: 1, purchaseDays: 1, grossMinor: 59894, refundedMinor: 20900, netMinor: 38994, currency: 'USD' },
      consent: { email: 'unsubscribed' },
      discountCodes: ['TENOFF'],
    });
    expect(customer!['orders']).toHaveLength(1);
    expect(customer!['orders'][0].lineItems).toEqual([
      { sku: 'IPOD2008GREEN', title: 'IPod Nano - 8gb', quantity: 1 },
      { sku: 'IPOD2008RED', title: 'IPod Nano - 8gb', quantity: 1 },
      { sku: 'IPOD2008BLACK', title: 'IPod Nano - 8gb', quantity: 1 },
    ]);
  });

  it('counts the same delivery once, sent ten times at once and again later', async () => {
    const body = personOrder();

    const statuses = await Promise.all(Array.from({ length: 10 }, () => send(body, 'orders/create', `wh-dup-${body.id}`)));
    await t.settled();
    statuses.push(await send(body, 'orders/create', `wh-dup-${body.id}`));
    await t.settled();

    expect(new Set(statuses)).toEqual(new Set([200]));
    expect((await customerByEmail(body.email))!['figures']).toMatchObject({ orders: 1, grossMinor: 59894 });
  });

  it('counts the same order once when it comes again under another webhook id and topic', async () => {
    const body = personOrder();

    await send(body, 'orders/create', `wh-a-${body.id}`);
    await send(body, 'orders/paid', `wh-b-${body.id}`);
    await send(body, 'orders/fulfilled', `wh-c-${body.id}`);
    await t.settled();

    expect((await customerByEmail(body.email))!['figures']['orders']).toBe(1);
  });

  it('lowers net revenue once for a refund sent as refunds/create twice and inside a later orders/updated', async () => {
    const body = personOrder();
    await send(body, 'orders/create', `wh-${body.id}`);
    const refundBody = { ...refund, order_id: body.id };

    await send(refundBody, 'refunds/create', `wh-r1-${body.id}`);
    await send(refundBody, 'refunds/create', `wh-r2-${body.id}`);
    await t.settled();
    await send({ ...body, updated_at: '2025-07-03T09:00:00-05:00', refunds: [...body.refunds, refundBody] }, 'orders/updated', `wh-u-${body.id}`);
    await t.settled();

    expect((await customerByEmail(body.email))!['figures']).toMatchObject({
      grossMinor: 59894,
      refundedMinor: 20900 + 4194,
      netMinor: 59894 - 20900 - 4194,
    });
  });

  it('keeps the newer version when an older orders/updated arrives after it', async () => {
    const newer = personOrder({ updated_at: '2025-08-02T10:00:00-05:00' });
    const older = {
      ...newer,
      updated_at: '2025-08-01T10:00:00-05:00',
      total_price_set: { shop_money: { amount: '1.00', currency_code: 'USD' }, presentment_money: { amount: '1.00', currency_code: 'USD' } },
    };

    await send(newer, 'orders/updated', `wh-new-${newer.id}`);
    await t.settled();
    await send(older, 'orders/updated', `wh-old-${newer.id}`);
    await t.settled();

    expect((await customerByEmail(newer.email))!['figures']['grossMinor']).toBe(59894);
  });

  it('takes a cancelled order out of the lifetime figures but keeps it on the customer', async () => {
    const body = personOrder();
    await send(body, 'orders/create', `wh-${body.id}`);
    await t.settled();

    await send({ ...body, cancelled_at: '2025-07-02T11:31:25-05:00', updated_at: '2025-07-02T11:31:25-05:00' }, 'orders/cancelled', `wh-x-${body.id}`);
    await t.settled();

    const customer = await customerByEmail(body.email);
    expect(customer!['figures']).toMatchObject({ orders: 0, grossMinor: 0, netMinor: 0, purchaseDays: 0, firstOrderAt: null });
    expect(customer!['orders']).toEqual([expect.objectContaining({ status: 'cancelled' })]);
  });

  it('keeps test orders apart and never counts them', async () => {
    const body = personOrder({ test: true });

    await send(body, 'orders/create', `wh-${body.id}`);
    await t.settled();

    const customer = await customerByEmail(body.email);
    expect(customer!['figures']['orders']).toBe(0);
    expect(customer!['orders']).toEqual([expect.objectContaining({ test: true })]);
  });

  it('answers 401 to a bad signature and stores nothing', async () => {
    const body = personOrder();

    const status = await send(body, 'orders/create', `wh-${body.id}`, 'not-the-secret');
    await t.settled();

    expect(status).toBe(401);
    expect(await customerByEmail(body.email)).toBeUndefined();
  });

  it('verifies a body sent with a binary content type, which API Gateway base64-encodes', async () => {
    const body = JSON.stringify(personOrder());
    const headers = { ...shopifyHeaders(body, secret, 'orders/create', 'wh-binary'), 'content-type': 'application/octet-stream' };

    const status = await t.deliver(channel.webhookUrl, body, headers);
    await t.settled();

    expect(status).toBe(200);
    expect(await customerByEmail(JSON.parse(body).email)).toBeDefined();
  });

  it('accepts a signed body that is not JSON and keeps it in quarantine, replayable', async () => {
    const status = await send('{"id": 1, truncated', 'orders/create', 'wh-broken');
    await t.settled();
    const listed = await t.api<{ items: Json[] }>('/admin/quarantine');
    const entry = listed.body.items.find((item) => item['deliveryId'] === 'wh-broken');

    expect(status).toBe(200);
    expect(entry).toMatchObject({ channelId: channel.id, topic: 'orders/create', reason: 'body is not JSON', status: 'open' });

    const replay = await t.api<Json>(`/admin/quarantine/${entry!['id']}/replay`, { method: 'POST' });
    await t.settled();
    const after = await t.api<Json>(`/admin/quarantine/${entry!['id']}`);

    expect(replay).toMatchObject({ status: 202, body: { id: entry!['id'], status: 'requeued' } });
    expect(after.body).toMatchObject({ status: 'open', body: '{"id": 1, truncated' });
  });

  it('quarantines a signed order that fails the schema, naming the field', async () => {
    const body = personOrder({ total_price_set: { shop_money: { amount: 'lots', currency_code: 'USD' } }, total_price: 'lots' });

    expect(await send(body, 'orders/create', `wh-bad-${body.id}`)).toBe(200);
    await t.settled();

    const listed = await t.api<{ items: Json[] }>('/admin/quarantine');
    const entry = listed.body.items.find((item) => item['deliveryId'] === `wh-bad-${body.id}`);
    expect(entry!['issues'].join(' ')).toMatch(/total_price/);
    expect(await customerByEmail(body.email)).toBeUndefined();
  });

  it('joins the same person buying on another channel into one customer', async () => {
    const body = personOrder();
    await send(body, 'orders/create', `wh-${body.id}`);
    const other = await t.createChannel({ platform: 'standard', name: 'Market', webhookSecret: 'whsec_c2VjcmV0LWJ5dGVz' });
    const standardOrder = JSON.stringify({
      type: 'order.created',
      timestamp: '2025-09-01T10:00:00Z',
      data: {
        id: `S-${body.id}`,
        placedAt: '2025-09-01T10:00:00+02:00',
        updatedAt: '2025-09-01T10:00:00+02:00',
        status: 'open',
        currency: 'USD',
        total: '10.00',
        customer: { email: `  ${body.email.toUpperCase()} ` },
      },
    });

    await t.deliver(other.webhookUrl, standardOrder, standardHeaders(standardOrder, 'whsec_c2VjcmV0LWJ5dGVz', `msg_${body.id}`));
    await t.settled();

    const customer = await customerByEmail(body.email);
    // Both deliveries were in flight together, so either channel may be listed first.
    expect([...customer!['channels']].sort()).toEqual([channel.id, other.id].sort());
    expect(customer!['figures']).toMatchObject({ orders: 2, purchaseDays: 2, grossMinor: 59894 + 1000 });
  });
});
