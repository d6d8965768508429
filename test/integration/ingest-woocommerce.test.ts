// WooCommerce ingest against the real local stack: signed deliveries go through
// the webhook handler, SQS and the processor into DynamoDB Local, and every
// assertion reads back through the admin API as staff would.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, wooHeaders, type TestStack } from '../support/stack';
import type { CustomerDetail, QuarantineView } from '../support/shapes';

type WooOrder = Record<string, unknown> & { billing: Record<string, unknown> };

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/marketplaces/woocommerce/order.created.json', import.meta.url), 'utf8'),
) as WooOrder;

const secret = `wc-secret-${randomBytes(8).toString('hex')}`;
let t: TestStack;
let channelId: string;
let webhookUrl: string;
let nextOrderId = 10_000;

/**
 * The fixture order under a fresh id, with `changes` on top (billing merged).
 * The phone is fresh too: the fixture's phone would make every test's order
 * one person, since a customer is also found by phone.
 */
function wooOrder(changes: Partial<WooOrder> & { billing?: Record<string, unknown> } = {}): WooOrder {
  const { billing, ...rest } = changes;
  return {
    ...structuredClone(fixture),
    id: (nextOrderId += 1),
    ...rest,
    billing: { ...fixture.billing, phone: `(555) ${String(nextOrderId).padStart(7, '0')}`, ...billing },
  };
}

function newEmail(): string {
  return `woo-${randomBytes(6).toString('hex')}@example.com`;
}

function newDeliveryId(): string {
  return `dlv-${randomBytes(6).toString('hex')}`;
}

/** Signs the exact bytes it sends. */
async function send(topic: string, body: unknown, deliveryId = newDeliveryId()): Promise<number> {
  const bytes = typeof body === 'string' ? body : JSON.stringify(body);
  return t.deliver(webhookUrl, bytes, wooHeaders(bytes, secret, topic, deliveryId));
}

const customerByEmail = (email: string) => t.customerByEmail<CustomerDetail>(email);
const requireCustomer = (email: string) => t.requireCustomer<CustomerDetail>(email);

async function quarantine(): Promise<QuarantineView[]> {
  const { status, body } = await t.api<{ items: QuarantineView[] }>('/admin/quarantine?limit=200');
  expect(status).toBe(200);
  return body.items;
}

/** WooCommerce's date_modified_gmt format: UTC wall clock, no offset. */
function wooGmt(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

beforeAll(async () => {
  t = await startTestStack();
  const channel = await t.createChannel({ platform: 'woocommerce', name: 'Woo store', webhookSecret: secret });
  channelId = channel.id;
  webhookUrl = channel.webhookUrl;
});

afterAll(async () => {
  await t?.stop();
});

describe('Ingest: WooCommerce webhooks', () => {
  it('answers 200 to the unsigned ping and creates nothing', async () => {
    // Arrange
    const quarantinedBefore = (await quarantine()).length;

    // Act
    const status = await t.deliver(webhookUrl, 'webhook_id=15', { 'content-type': 'application/x-www-form-urlencoded' });
    const depthRightAfter = await t.queueDepth('ingest');
    await t.settled();

    // Assert
    expect(status).toBe(200);
    expect(depthRightAfter).toBe(0);
    expect(await quarantine()).toHaveLength(quarantinedBefore);
  });

  it('counts order.created from the fixture with the exact total in minor units', async () => {
    // Arrange
    const email = newEmail();
    const order = wooOrder({ billing: { email } });

    // Act
    const status = await send('order.created', order);
    await t.settled();

    // Assert
    expect(status).toBe(200);
    const customer = await requireCustomer(email);
    expect(customer.figures).toStrictEqual({
      orders: 1,
      purchaseDays: 1,
      grossMinor: 2935,
      refundedMinor: 0,
      netMinor: 2935,
      currency: 'USD',
      firstOrderAt: '2017-03-22T19:28:02.000Z',
      lastOrderAt: '2017-03-22T19:28:02.000Z',
    });
    expect(customer.channels).toStrictEqual([channelId]);
    expect(customer.orders.map((o) => [o.orderId, o.status, o.totalMinor])).toStrictEqual([
      [String(order.id), 'open', 2935],
    ]);
  });

  it('counts the same delivery once when it arrives 5 times at once and again later', async () => {
    // Arrange
    const email = newEmail();
    const bytes = JSON.stringify(wooOrder({ billing: { email } }));
    const deliveryId = newDeliveryId();
    const headers = wooHeaders(bytes, secret, 'order.created', deliveryId);

    // Act
    const statuses = await Promise.all(Array.from({ length: 5 }, () => t.deliver(webhookUrl, bytes, headers)));
    await t.settled();
    const afterBurst = await requireCustomer(email);
    const lateStatus = await t.deliver(webhookUrl, bytes, headers);
    await t.settled();

    // Assert
    expect(statuses).toStrictEqual([200, 200, 200, 200, 200]);
    expect(lateStatus).toBe(200);
    expect(afterBurst.figures).toMatchObject({ orders: 1, grossMinor: 2935, netMinor: 2935 });
    const customer = await requireCustomer(email);
    expect(customer.id).toBe(afterBurst.id);
    expect(customer.figures).toMatchObject({ orders: 1, purchaseDays: 1, grossMinor: 2935, netMinor: 2935 });
    expect(customer.orders).toHaveLength(1);
  });

  it('counts the same order once when it comes under another delivery id', async () => {
    // Arrange
    const email = newEmail();
    const order = wooOrder({ billing: { email } });

    // Act
    await send('order.created', order, newDeliveryId());
    await send('order.created', order, newDeliveryId());
    await t.settled();

    // Assert
    const customer = await requireCustomer(email);
    expect(customer.figures).toMatchObject({ orders: 1, grossMinor: 2935, netMinor: 2935 });
    expect(customer.orders).toHaveLength(1);
  });

  it('lowers net once for a refund in order.updated, even when it is delivered twice', async () => {
    // Arrange
    const email = newEmail();
    const order = wooOrder({ billing: { email } });
    await send('order.created', order);
    await t.settled();
    const refunded = {
      ...order,
      status: 'completed',
      date_modified_gmt: '2017-03-25T10:00:00',
      refunds: [{ id: 726, reason: '', total: '-10.00' }],
    };
    const deliveryId = newDeliveryId();

    // Act
    await send('order.updated', refunded, deliveryId);
    await send('order.updated', refunded, deliveryId);
    await t.settled();

    // Assert
    const customer = await requireCustomer(email);
    expect(customer.figures).toMatchObject({ orders: 1, grossMinor: 2935, refundedMinor: 1000, netMinor: 1935 });
    expect(customer.orders[0]).toMatchObject({ orderId: String(order.id), refundedMinor: 1000 });
  });

  it('ignores an older order.updated that arrives after a newer one', async () => {
    // Arrange
    const email = newEmail();
    const order = wooOrder({ billing: { email } });
    const newer = { ...order, total: '35.00', date_modified_gmt: '2017-03-24T12:00:00' };
    const older = { ...order, total: '99.99', date_modified_gmt: '2017-03-23T12:00:00' };
    await send('order.created', order);
    await t.settled();
    await send('order.updated', newer);
    await t.settled();
    const before = await requireCustomer(email);

    // Act
    await send('order.updated', older);
    await t.settled();

    // Assert
    expect(before.figures).toMatchObject({ orders: 1, grossMinor: 3500, netMinor: 3500 });
    const after = await requireCustomer(email);
    expect(after.figures).toStrictEqual(before.figures);
    expect(after.orders[0]).toMatchObject({ totalMinor: 3500 });
  });

  it('takes a cancelled order out of the figures', async () => {
    // Arrange
    const email = newEmail();
    const order = wooOrder({ billing: { email } });
    await send('order.created', order);
    await t.settled();

    // Act
    await send('order.updated', { ...order, status: 'cancelled', date_modified_gmt: '2017-03-23T08:00:00' });
    await t.settled();

    // Assert
    const customer = await requireCustomer(email);
    expect(customer.figures).toMatchObject({ orders: 0, purchaseDays: 0, grossMinor: 0, netMinor: 0 });
    expect(customer.orders.map((o) => o.status)).toStrictEqual(['cancelled']);
  });

  it('removes an order on order.deleted and brings it back on order.restored', async () => {
    // Arrange
    const email = newEmail();
    const order = wooOrder({ billing: { email } });
    await send('order.created', order);
    await t.settled();

    // Act
    const deletedStatus = await send('order.deleted', { id: order.id });
    await t.settled();
    const afterDelete = await requireCustomer(email);
    // Restoring from the trash touches the order, so it is modified after the deletion.
    const restored = { ...order, date_modified_gmt: wooGmt(Date.now() + 1000) };
    await send('order.restored', restored);
    await t.settled();

    // Assert
    expect(deletedStatus).toBe(200);
    expect(afterDelete.figures).toMatchObject({ orders: 0, grossMinor: 0, netMinor: 0 });
    expect(afterDelete.orders.map((o) => o.status)).toStrictEqual(['deleted']);
    const afterRestore = await requireCustomer(email);
    expect(afterRestore.figures).toMatchObject({ orders: 1, grossMinor: 2935, netMinor: 2935 });
    expect(afterRestore.orders.map((o) => o.status)).toStrictEqual(['open']);
  });

  it('joins a guest order to the existing customer with the same email', async () => {
    // Arrange
    const email = newEmail();
    const registered = wooOrder({ customer_id: 4242, billing: { email } });
    await send('order.created', registered);
    await t.settled();
    const existing = await requireCustomer(email);
    const guest = wooOrder({
      customer_id: 0,
      total: '5.00',
      date_created: '2017-04-02T10:00:00',
      date_created_gmt: '2017-04-02T13:00:00',
      date_modified_gmt: '2017-04-02T13:00:05',
      billing: { email: `  ${email.toUpperCase()} ` },
    });

    // Act
    await send('order.created', guest);
    await t.settled();

    // Assert
    const customer = await requireCustomer(email);
    expect(customer.id).toBe(existing.id);
    expect(customer.figures).toMatchObject({
      orders: 2,
      purchaseDays: 2,
      grossMinor: 3435,
      netMinor: 3435,
      firstOrderAt: '2017-03-22T19:28:02.000Z',
      lastOrderAt: '2017-04-02T13:00:00.000Z',
    });
    expect(customer.orders.map((o) => o.orderId).sort()).toStrictEqual([String(registered.id), String(guest.id)].sort());
  });

  it('answers 401 to a bad signature and stores nothing', async () => {
    // Arrange
    const email = newEmail();
    const bytes = JSON.stringify(wooOrder({ billing: { email } }));
    const deliveryId = newDeliveryId();
    const headers = wooHeaders(bytes, 'not-the-secret', 'order.created', deliveryId);

    // Act
    const status = await t.deliver(webhookUrl, bytes, headers);
    await t.settled();

    // Assert
    expect(status).toBe(401);
    expect(await customerByEmail(email)).toBeUndefined();
    expect((await quarantine()).filter((entry) => entry.deliveryId === deliveryId)).toStrictEqual([]);
  });

  it('accepts a signed body that is not JSON and lists it in quarantine', async () => {
    // Arrange
    const deliveryId = newDeliveryId();
    const bytes = '{"id": 1, "total": "29.35"';

    // Act
    const status = await send('order.created', bytes, deliveryId);
    await t.settled();

    // Assert
    expect(status).toBe(200);
    const entries = (await quarantine()).filter((entry) => entry.deliveryId === deliveryId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ channelId, status: 'open' });
    expect(entries[0]?.reason).toMatch(/JSON/);
  });
});
