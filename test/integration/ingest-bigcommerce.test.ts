// BigCommerce ingest against the real local stack. Webhook bodies carry only
// ids, so the processor fetches each order from the store API: a small fake of
// that third-party API runs in this file, serving the V2 orders each test
// defines, checking the token and counting requests.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStandardWebhook } from '../../functions/adapters/signatures';
import { standardHeaders, startTestStack, type TestStack } from '../support/stack';
import type { CustomerDetail, QuarantineView } from '../support/shapes';

// ---- the fake store API ----------------------------------------------------------

type V2Order = Record<string, unknown>;

const rightToken = `bc-token-${randomBytes(8).toString('hex')}`;

/** What the fake store holds, and what it saw. */
const store = {
  orders: new Map<string, V2Order>(),
  /** Order ids the API fails with a 500, every time. */
  failing: new Set<string>(),
  /** GET /v2/orders/{id} requests by order id, whatever the answer. */
  orderRequests: new Map<string, number>(),
  refusedTokens: 0,
};

function answer(response: import('node:http').ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function startFakeStoreApi(): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://store.local');
    const orderMatch = /^\/v2\/orders\/([^/]+)$/.exec(url.pathname);
    if (orderMatch?.[1]) {
      const id = decodeURIComponent(orderMatch[1]);
      store.orderRequests.set(id, (store.orderRequests.get(id) ?? 0) + 1);
    }
    if (request.headers['x-auth-token'] !== rightToken) {
      store.refusedTokens += 1;
      return answer(response, 401, [{ status: 401, message: 'You are not authorized to access this resource.' }]);
    }
    if (request.method !== 'GET' || !orderMatch?.[1]) {
      return answer(response, 404, [{ status: 404, message: 'The requested resource was not found.' }]);
    }
    const id = decodeURIComponent(orderMatch[1]);
    if (store.failing.has(id)) return answer(response, 500, [{ status: 500, message: 'Internal Server Error' }]);
    const order = store.orders.get(id);
    if (!order) return answer(response, 404, [{ status: 404, message: 'The requested resource was not found.' }]);
    return answer(response, 200, order);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---- helpers ---------------------------------------------------------------------

const fixture = (name: string): Record<string, unknown> & { data: Record<string, unknown> } =>
  JSON.parse(readFileSync(new URL(`../fixtures/marketplaces/bigcommerce/${name}`, import.meta.url), 'utf8'));

const secret = `bc-client-secret-${randomBytes(8).toString('hex')}`;
let t: TestStack;
let fakeApi: Server;
let apiBaseUrl: string;
let channel: { id: string; webhookUrl: string };
let nextOrderId = 500;

function newOrderId(): string {
  return String((nextOrderId += 1));
}

function newEmail(): string {
  return `bc-${randomBytes(6).toString('hex')}@example.com`;
}

function newWebhookId(): string {
  return `msg_${randomBytes(8).toString('hex')}`;
}

/** A V2 order as GET /v2/orders/{id} answers it, with the documented field names. */
function v2Order(id: string, email: string, overrides: V2Order = {}): V2Order {
  return {
    id: Number(id),
    customer_id: Number(id) + 10_000,
    date_created: 'Tue, 25 Jun 2019 23:15:35 -0500',
    date_modified: 'Tue, 25 Jun 2019 23:15:40 -0500',
    date_shipped: '',
    status_id: 11,
    status: 'Awaiting Fulfillment',
    subtotal_inc_tax: '225.0000',
    total_ex_tax: '225.0000',
    total_inc_tax: '225.4900',
    refunded_amount: '0.0000',
    currency_code: 'USD',
    default_currency_code: 'USD',
    currency_exchange_rate: '1.0000000000',
    is_deleted: false,
    is_email_opt_in: false,
    billing_address: {
      first_name: 'Jane',
      last_name: 'Doe',
      company: '',
      street_1: '123 Main Street',
      street_2: '',
      city: 'Austin',
      state: 'Texas',
      zip: '78751',
      country: 'United States',
      country_iso2: 'US',
      phone: '',
      email,
    },
    coupons: { url: `${apiBaseUrl}/v2/orders/${id}/coupons`, resource: `/orders/${id}/coupons` },
    ...overrides,
  };
}

/** The documented webhook body of `name`, about order `orderId`. */
function webhookBody(name: string, orderId: string): string {
  const body = fixture(name);
  return JSON.stringify({ ...body, data: { ...body.data, id: Number(orderId) } });
}

function deliver(bytes: string, webhookId = newWebhookId(), url = channel.webhookUrl): Promise<number> {
  return t.deliver(url, bytes, standardHeaders(bytes, secret, webhookId));
}

const customerByEmail = (email: string) => t.customerByEmail<CustomerDetail>(email);
const requireCustomer = (email: string) => t.requireCustomer<CustomerDetail>(email);

async function quarantined(deliveryId: string): Promise<QuarantineView[]> {
  const { status, body } = await t.api<{ items: QuarantineView[] }>('/admin/quarantine?limit=200');
  expect(status).toBe(200);
  return body.items.filter((entry) => entry.deliveryId === deliveryId);
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  fakeApi = await startFakeStoreApi();
  apiBaseUrl = `http://127.0.0.1:${(fakeApi.address() as AddressInfo).port}`;
  t = await startTestStack({ retryDelaySeconds: 0 });
  channel = await t.createChannel({
    platform: 'bigcommerce',
    name: 'BigCommerce store',
    webhookSecret: secret,
    apiBaseUrl,
    apiToken: rightToken,
  });
});

afterAll(async () => {
  await t?.stop();
  await new Promise((resolve) => fakeApi?.close(resolve));
});

describe('Ingest: BigCommerce webhooks', () => {
  it('fetches the order of store/order/created and counts it with exact figures', async () => {
    // Arrange
    const orderId = newOrderId();
    const email = newEmail();
    store.orders.set(orderId, v2Order(orderId, email));

    // Act
    const status = await deliver(webhookBody('store_order_created.json', orderId));
    await t.settled();

    // Assert
    expect(status).toBe(200);
    expect(store.orderRequests.get(orderId)).toBe(1);
    const customer = await requireCustomer(email);
    expect(customer.figures).toStrictEqual({
      orders: 1,
      purchaseDays: 1,
      grossMinor: 22549,
      refundedMinor: 0,
      netMinor: 22549,
      currency: 'USD',
      firstOrderAt: '2019-06-26T04:15:35.000Z',
      lastOrderAt: '2019-06-26T04:15:35.000Z',
    });
    expect(customer.name).toBe('Jane Doe');
    expect(customer.channels).toStrictEqual([channel.id]);
    expect(customer.orders.map((o) => [o.orderId, o.status, o.totalMinor])).toStrictEqual([[orderId, 'open', 22549]]);
  });

  it('refetches on store/order/refund/created and lowers net once, even when delivered twice', async () => {
    // Arrange
    const orderId = newOrderId();
    const email = newEmail();
    store.orders.set(orderId, v2Order(orderId, email));
    await deliver(webhookBody('store_order_created.json', orderId));
    await t.settled();
    store.orders.set(
      orderId,
      v2Order(orderId, email, {
        refunded_amount: '25.4900',
        date_modified: 'Thu, 27 Jun 2019 10:00:00 -0500',
      }),
    );
    const refundBody = webhookBody('store_order_refund_created.json', orderId);
    const webhookId = newWebhookId();

    // Act
    await deliver(refundBody, webhookId);
    await deliver(refundBody, webhookId);
    await t.settled();

    // Assert
    expect(store.orderRequests.get(orderId)).toBe(3);
    const customer = await requireCustomer(email);
    expect(customer.figures).toMatchObject({ orders: 1, grossMinor: 22549, refundedMinor: 2549, netMinor: 20000 });
    expect(customer.orders[0]).toMatchObject({ orderId, refundedMinor: 2549 });
  });

  it('counts the new refunded total when a second refund follows the first', async () => {
    // Arrange
    const orderId = newOrderId();
    const email = newEmail();
    store.orders.set(orderId, v2Order(orderId, email));
    await deliver(webhookBody('store_order_created.json', orderId));
    await t.settled();
    store.orders.set(
      orderId,
      v2Order(orderId, email, { refunded_amount: '25.4900', date_modified: 'Thu, 27 Jun 2019 10:00:00 -0500' }),
    );
    await deliver(webhookBody('store_order_refund_created.json', orderId));
    await t.settled();
    store.orders.set(
      orderId,
      v2Order(orderId, email, { refunded_amount: '75.4900', date_modified: 'Fri, 28 Jun 2019 10:00:00 -0500' }),
    );

    // Act
    await deliver(webhookBody('store_order_refund_created.json', orderId));
    await t.settled();

    // Assert
    const customer = await requireCustomer(email);
    expect(customer.figures).toMatchObject({ orders: 1, grossMinor: 22549, refundedMinor: 7549, netMinor: 15000 });
    expect(customer.orders[0]).toMatchObject({ orderId, refundedMinor: 7549 });
  });

  it('takes an order out of the figures when its status changes to Cancelled', async () => {
    // Arrange
    const orderId = newOrderId();
    const email = newEmail();
    store.orders.set(orderId, v2Order(orderId, email));
    await deliver(webhookBody('store_order_created.json', orderId));
    await t.settled();
    const before = await requireCustomer(email);
    store.orders.set(
      orderId,
      v2Order(orderId, email, {
        status_id: 5,
        status: 'Cancelled',
        date_modified: 'Wed, 26 Jun 2019 09:00:00 -0500',
      }),
    );

    // Act
    await deliver(webhookBody('store_order_statusUpdated.json', orderId));
    await t.settled();

    // Assert
    expect(before.figures).toMatchObject({ orders: 1, grossMinor: 22549 });
    const customer = await requireCustomer(email);
    expect(customer.figures).toMatchObject({ orders: 0, purchaseDays: 0, grossMinor: 0, netMinor: 0 });
    expect(customer.orders.map((o) => o.status)).toStrictEqual(['cancelled']);
  });

  it('quarantines a delivery the store API refuses, and counts it once the token is fixed and it is replayed', async () => {
    // Arrange
    const badChannel = await t.createChannel({
      platform: 'bigcommerce',
      name: 'BigCommerce store with a stale token',
      webhookSecret: secret,
      apiBaseUrl,
      apiToken: 'revoked-token',
    });
    const orderId = newOrderId();
    const email = newEmail();
    store.orders.set(orderId, v2Order(orderId, email));
    const webhookId = newWebhookId();
    const refusedBefore = store.refusedTokens;

    // Act: delivered with the wrong token
    const status = await deliver(webhookBody('store_order_created.json', orderId), webhookId, badChannel.webhookUrl);
    await t.settled();

    // Assert: quarantined with a reason, nothing counted
    expect(status).toBe(200);
    expect(store.refusedTokens).toBe(refusedBefore + 1);
    const [entry, ...others] = await quarantined(webhookId);
    expect(others).toStrictEqual([]);
    expect(entry).toMatchObject({ channelId: badChannel.id, status: 'open' });
    expect(entry?.reason).toMatch(/401/);
    expect(await customerByEmail(email)).toBeUndefined();
    if (!entry) throw new Error('no quarantine entry');

    // Act: fix the token, replay
    const patched = await t.api(`/admin/channels/${badChannel.id}`, { method: 'PATCH', body: { apiToken: rightToken } });
    const replay = await t.api<{ id: string; status: string }>(`/admin/quarantine/${entry.id}/replay`, { method: 'POST', body: {} });
    await t.settled();

    // Assert: counted, entry resolved
    expect(patched.status).toBe(200);
    expect(replay.status).toBe(202);
    const customer = await requireCustomer(email);
    expect(customer.figures).toMatchObject({ orders: 1, grossMinor: 22549, netMinor: 22549 });
    expect(customer.channels).toStrictEqual([badChannel.id]);
    const after = await t.api<QuarantineView>(`/admin/quarantine/${entry.id}`);
    expect(after.status).toBe(200);
    expect(after.body.status).toBe('resolved');
  });

  it('retries a delivery while the store API answers 500 and moves it to the DLQ after 5 receives', async () => {
    // Arrange
    const orderId = newOrderId();
    const email = newEmail();
    store.orders.set(orderId, v2Order(orderId, email));
    store.failing.add(orderId);
    const dlqBefore = await t.queueDepth('ingestDlq');

    // Act
    const status = await deliver(webhookBody('store_order_created.json', orderId));
    const dlqDepth = await waitFor('the DLQ to hold the delivery', () => t.queueDepth('ingestDlq'), (n) => n > dlqBefore);
    await t.settled();

    // Assert
    expect(status).toBe(200);
    expect(dlqBefore).toBe(0);
    expect(dlqDepth).toBe(1);
    expect(store.orderRequests.get(orderId)).toBe(5);
    expect(await customerByEmail(email)).toBeUndefined();
  });

  it('shows a delivery that failed every retry in the dead letters, with its reason, and redrives it once fixed', async () => {
    // Arrange
    const orderId = newOrderId();
    const email = newEmail();
    store.orders.set(orderId, v2Order(orderId, email));
    store.failing.add(orderId);
    const staff = (await t.api<{ key: string }>('/admin/keys', { body: { role: 'staff' } })).body.key;
    const readonly = (await t.api<{ key: string }>('/admin/keys', { body: { role: 'readonly' } })).body.key;
    const webhookId = newWebhookId();
    type DeadLetters = {
      items: { id: string; queue: string; channelId: string; deliveryId: string; receiveCount: number; reason: string; firstFailedAt: string }[];
    };
    const mine = async () =>
      (await t.api<DeadLetters>('/admin/dead-letters', { key: readonly })).body.items.filter((item) => item.deliveryId === webhookId);

    const dlqBefore = await t.queueDepth('ingestDlq');

    // Act: five failures, then the DLQ
    expect(await deliver(webhookBody('store_order_created.json', orderId), webhookId)).toBe(200);
    const dead = await waitFor('the dead letter to be listed', mine, (items) => items.length > 0);

    // Assert: listed with the reason of its last failure, and no PII
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ queue: 'ingest', channelId: channel.id, receiveCount: 5 });
    expect(dead[0]?.reason).toMatch(/^TransientError: BigCommerce API answered 500/);
    expect(dead[0]?.reason).not.toContain(email);
    expect(Date.parse(dead[0]?.firstFailedAt ?? '')).not.toBeNaN();
    expect((await t.api('/admin/dead-letters/redrive', { method: 'POST', key: readonly })).status).toBe(403);

    // Act: the store is fixed, staff redrive
    store.failing.delete(orderId);
    await waitFor('the DLQ to hold the delivery', () => t.queueDepth('ingestDlq'), (n) => n > dlqBefore);
    const redrive = await t.api<{ redriven: number; more: boolean }>('/admin/dead-letters/redrive', { method: 'POST', key: staff });
    await t.settled();

    // Assert: counted once, nothing dead any more
    expect(redrive.status).toBe(200);
    expect(redrive.body.redriven).toBeGreaterThanOrEqual(1);
    expect(redrive.body.more).toBe(false);
    expect((await requireCustomer(email)).figures.orders).toBe(1);
    expect(await mine()).toEqual([]);
  });

  it('answers 401 to a webhook-timestamp 10 minutes old', async () => {
    // Arrange
    const orderId = newOrderId();
    store.orders.set(orderId, v2Order(orderId, newEmail()));
    const bytes = webhookBody('store_order_created.json', orderId);
    const webhookId = newWebhookId();
    const staleTimestamp = Math.floor(Date.now() / 1000) - 600;
    const headers = {
      'webhook-id': webhookId,
      'webhook-timestamp': String(staleTimestamp),
      'webhook-signature': signStandardWebhook(bytes, secret, webhookId, staleTimestamp),
    };

    // Act
    const status = await t.deliver(channel.webhookUrl, bytes, headers);
    await t.settled();

    // Assert
    expect(status).toBe(401);
    expect(store.orderRequests.get(orderId)).toBeUndefined();
    expect(await quarantined(webhookId)).toStrictEqual([]);
  });
});
