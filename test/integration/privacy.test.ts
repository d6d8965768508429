// Shopify's mandatory privacy webhooks, end to end: customers/data_request,
// customers/redact and shop/redact, with the fixture payloads.
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { gzipSync } from 'node:zlib';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemKeys, lists } from '../../functions/adapters/dynamo-keys';
import { shopifyHeaders, startTestStack, type TestStack } from '../support/stack';

type Json = Record<string, any>;
const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/marketplaces/shopify/${name}`, import.meta.url), 'utf8'));
const order = fixture('orders_updated.derived-from-official-rest.json');

const secret = 'privacy-secret';
let t: TestStack;
let db: DynamoDBDocumentClient;

function johnsOrder(id: number, overrides: Json = {}): Json {
  const email = 'john@example.com';
  return {
    ...order,
    id,
    email,
    contact_email: email,
    phone: '555-625-1199',
    billing_address: { ...order.billing_address, phone: null, first_name: 'John', last_name: 'Doe' },
    shipping_address: { ...order.shipping_address, phone: null },
    customer: { ...order.customer, id: 191167, email, first_name: 'John', last_name: 'Doe', phone: '555-625-1199' },
    ...overrides,
  };
}

async function send(webhookUrl: string, body: Json | string, topic: string, webhookId: string): Promise<number> {
  const bytes = typeof body === 'string' ? body : JSON.stringify(body);
  return t.deliver(webhookUrl, bytes, shopifyHeaders(bytes, secret, topic, webhookId));
}

async function customerByEmail(email: string): Promise<Json | undefined> {
  const found = await t.api<{ items: Json[] }>(`/admin/customers?email=${encodeURIComponent(email)}`);
  return found.body.items[0];
}

async function storedItem(key: { pk: string; sk: string }): Promise<Json | undefined> {
  return (await db.send(new GetCommand({ TableName: t.stack.tableName, Key: key }))).Item;
}

beforeAll(async () => {
  t = await startTestStack();
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: t.stack.endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
});

afterAll(async () => {
  await t?.stop();
});

describe('Flow: privacy requests', () => {
  it('exports what huitou holds on a person for customers/data_request, and erases it all for customers/redact', async () => {
    const channel = await t.createChannel({ platform: 'shopify', name: 'Main', webhookSecret: secret });
    await send(channel.webhookUrl, johnsOrder(299938), 'orders/create', 'p-1');
    await send(channel.webhookUrl, johnsOrder(280263, { created_at: '2009-01-10T11:00:00-05:00' }), 'orders/create', 'p-2');
    await send(channel.webhookUrl, '{"note": "john@example.com", broken', 'orders/create', 'p-3');
    await t.settled();
    const before = await customerByEmail('john@example.com');
    expect(before).toMatchObject({ name: 'John Doe', figures: { orders: 2 } });
    expect(await storedItem(itemKeys.orderPayload(channel.id, '299938'))).toBeDefined();

    await send(channel.webhookUrl, fixture('customers_data_request.json'), 'customers/data_request', 'p-4');
    await t.settled();
    const exports = await t.api<{ items: Json[] }>('/admin/exports');
    expect(exports.body.items).toHaveLength(1);
    const exported = await t.api<Json>(`/admin/exports/${exports.body.items[0]!['id']}`);
    expect(exported.body).toMatchObject({ requestId: '9999', customer: { email: 'john@example.com', firstName: 'John' } });
    expect(exported.body['orders'].map((o: Json) => o['orderId']).sort()).toEqual(['280263', '299938']);
    expect(exported.body['orders'][0]['lineItems']).toContainEqual({ sku: 'IPOD2008RED', title: 'IPod Nano - 8gb', quantity: 1 });

    // What campaigns keep on John: a complaint staff logged, and a mail he was sent.
    const complaint = await t.api<Json>(`/admin/customers/${before!['id']}/complaints`, { body: { note: 'John Doe called: parcel 625 late' } });
    expect(complaint.status).toBe(201);
    await db.send(
      new PutCommand({
        TableName: t.stack.tableName,
        Item: { ...itemKeys.campaignSend(before!['id'], 'cmp_0a', 'once'), state: 'sent', messageId: 'ses-john-1', campaignId: 'cmp_0a' },
      }),
    );
    await db.send(
      new PutCommand({
        TableName: t.stack.tableName,
        Item: { ...itemKeys.message('ses-john-1'), messageId: 'ses-john-1', customerId: before!['id'], email: 'john@example.com', status: 'delivered' },
      }),
    );

    await send(channel.webhookUrl, fixture('customers_redact.json'), 'customers/redact', 'p-5');
    await t.settled();

    const after = await t.api<Json>(`/admin/customers/${before!['id']}`);
    expect(after.body).toMatchObject({ email: null, name: null, phone: null, redacted: true, figures: { orders: 2, grossMinor: 2 * 59894 } });
    expect(after.body['orders'].map((o: Json) => o['totalMinor'])).toEqual([59894, 59894]);
    // Product names are no one's personal data: the lines stay, as the amounts do.
    expect(after.body['orders'].map((o: Json) => o['lineItems'].length)).toEqual([3, 3]);
    expect(JSON.stringify(after.body)).not.toMatch(/john|doe|625/i);
    expect(await customerByEmail('john@example.com')).toBeUndefined();
    expect(await storedItem(itemKeys.orderPayload(channel.id, '299938'))).toBeUndefined();
    expect(JSON.stringify(await storedItem(itemKeys.customer(before!['id'])))).not.toMatch(/john|doe|625/i);
    expect((await t.api<{ items: Json[] }>('/admin/exports')).body.items).toHaveLength(0);
    const message = await storedItem(itemKeys.message('ses-john-1'));
    expect(message).toMatchObject({ status: 'delivered', redactedAt: expect.any(String) });
    expect(JSON.stringify(message)).not.toMatch(/john@/i);
    const note = await storedItem(itemKeys.complaint(before!['id'], complaint.body['id']));
    expect(note).toMatchObject({ status: 'open', redactedAt: expect.any(String) });
    expect(JSON.stringify(note)).not.toMatch(/john|625/i);
    const quarantined = (await t.api<{ items: Json[] }>('/admin/quarantine')).body.items.find((e) => e['deliveryId'] === 'p-3');
    expect((await t.api<Json>(`/admin/quarantine/${quarantined!['id']}`)).body).toMatchObject({ status: 'redacted', body: null });
  });

  it('erases a quarantined guest order found by its phone written another way, for customers/redact', async () => {
    const channel = await t.createChannel({ platform: 'shopify', name: 'Guests', webhookSecret: secret });
    const phone = '(415) 555-0134';
    // No created_at: the order fails the schema and is quarantined. No email, no customer: a guest.
    const guestOrder = {
      id: 9100001,
      name: '#9101',
      email: null,
      phone,
      customer: null,
      updated_at: '2026-03-01T10:00:00-08:00',
      currency: 'USD',
      total_price: '12.00',
      billing_address: { first_name: 'Ana', last_name: 'Ruiz', address1: '1 Main St', city: 'San Francisco', zip: '94103', phone },
      shipping_address: { first_name: 'Ana', last_name: 'Ruiz', address1: '1 Main St', city: 'San Francisco', zip: '94103', phone },
    };
    const someoneElse = { ...guestOrder, id: 9100002, phone: '(212) 555-0100', billing_address: { first_name: 'Bo', phone: '(212) 555-0100' }, shipping_address: null };
    await send(channel.webhookUrl, guestOrder, 'orders/create', 'guest-1');
    await send(channel.webhookUrl, someoneElse, 'orders/create', 'guest-2');
    // An entry quarantined before identity digests were stored: found by reading its body.
    const legacyId = 'q_0123456789abcdef01234567';
    await db.send(
      new PutCommand({
        TableName: t.stack.tableName,
        Item: {
          ...itemKeys.quarantine(legacyId),
          id: legacyId, channelId: channel.id, platform: 'shopify', topic: 'orders/create', deliveryId: 'legacy-1',
          receivedAt: '2026-02-01T00:00:00.000Z', reason: 'invalid', issues: [], status: 'open', updatedAt: '2026-02-01T00:00:00.000Z',
          bodyGzip: gzipSync(Buffer.from('{"note": "Ana Ruiz, 1 Main St, tel 415.555.0134"')).toString('base64'),
          listPk: lists.quarantine, listSk: `2026-02-01T00:00:00.000Z#${legacyId}`,
        },
      }),
    );
    await t.settled();
    const readonly = (await t.api<Json>('/admin/keys', { body: { role: 'readonly' } })).body['key'] as string;
    const entries = (await t.api<{ items: Json[] }>('/admin/quarantine', { key: readonly })).body.items;
    const idOf = (deliveryId: string) => entries.find((e) => e['deliveryId'] === deliveryId)!['id'] as string;
    const shown = async (id: string) => (await t.api<Json>(`/admin/quarantine/${id}`, { key: readonly })).body;
    expect((await shown(idOf('guest-1')))['body']).toContain('Ana');

    const redact = { shop_id: 954889, shop_domain: 'guests.myshopify.com', customer: { id: 7700001, email: null, phone: '+14155550134' }, orders_to_redact: [] };
    await send(channel.webhookUrl, redact, 'customers/redact', 'guest-redact');
    await t.settled();

    expect(await shown(idOf('guest-1'))).toMatchObject({ status: 'redacted', body: null });
    expect(await shown(legacyId)).toMatchObject({ status: 'redacted', body: null });
    expect((await shown(idOf('guest-2')))['body']).toContain('(212) 555-0100');
  });

  it('starts afresh when a redacted person orders again', async () => {
    const channel = await t.createChannel({ platform: 'shopify', name: 'Second', webhookSecret: secret });
    await send(channel.webhookUrl, johnsOrder(5001, { customer: { ...johnsOrder(0).customer, id: 91 } }), 'orders/create', 'again-1');
    await t.settled();

    const customer = await customerByEmail('john@example.com');

    expect(customer).toMatchObject({ redacted: false, figures: { orders: 1 } });
  });

  it('erases a channel for shop/redact: its secrets and coupon credentials, its orders payloads, and people known only there', async () => {
    const gone = await t.createChannel({
      platform: 'shopify',
      name: 'Closing',
      webhookSecret: secret,
      coupons: { provider: 'shopify', shopDomain: 'closing.myshopify.com', credentials: { accessToken: 'shpat_closing' } },
    });
    const stays = await t.createChannel({ platform: 'shopify', name: 'Staying', webhookSecret: secret });
    const only = { ...johnsOrder(7001), email: 'only@example.com', contact_email: null, phone: null, customer: { id: 71, email: 'only@example.com', first_name: 'Only', last_name: 'There' } };
    const both = { ...johnsOrder(7002), email: 'both@example.com', contact_email: null, phone: null, customer: { id: 72, email: 'both@example.com', first_name: 'Both', last_name: 'Places' } };
    await send(gone.webhookUrl, only, 'orders/create', 'sr-1');
    await send(gone.webhookUrl, both, 'orders/create', 'sr-2');
    await send(stays.webhookUrl, { ...both, id: 7003 }, 'orders/create', 'sr-3');
    await t.settled();
    const onlyId = (await customerByEmail('only@example.com'))!['id'];

    await send(gone.webhookUrl, fixture('shop_redact.json'), 'shop/redact', 'sr-4');
    await t.settled();

    const channels = (await t.api<{ items: Json[] }>('/admin/channels')).body.items;
    expect(channels.find((c) => c['id'] === gone.id)).toMatchObject({ status: 'redacted', rotatingSecret: false, coupons: null });
    expect(await storedItem(itemKeys.channel(gone.id))).not.toHaveProperty('coupons');
    expect(await send(gone.webhookUrl, { ...both, id: 7004 }, 'orders/create', 'sr-5')).toBe(404);
    await t.settled();
    expect(await storedItem(itemKeys.order(gone.id, '7004'))).toBeUndefined();
    expect((await t.api<Json>(`/admin/customers/${onlyId}`)).body).toMatchObject({ email: null, redacted: true });
    expect(await customerByEmail('both@example.com')).toMatchObject({ channels: [stays.id], redacted: false });
    expect(await storedItem(itemKeys.orderPayload(gone.id, '7002'))).toBeUndefined();
    expect(await storedItem(itemKeys.orderPayload(stays.id, '7003'))).toBeDefined();
  });
});
