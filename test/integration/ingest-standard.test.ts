// Standard Webhooks ingest (huitou's own schema) against the real local stack:
// signed deliveries go through the webhook handler, SQS and the processor into
// DynamoDB Local, and every assertion reads back through the admin API.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standardHeaders, startTestStack, type TestStack } from '../support/stack';
import type { CustomerDetail, QuarantineView } from '../support/shapes';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
let t: TestStack;
let channel: { id: string; webhookUrl: string };

function newEmail(): string {
  return `std-${randomBytes(6).toString('hex')}@example.com`;
}

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** An order event of huitou's schema (functions/domain/normalize/standard.ts). */
function orderEvent(
  type: 'order.created' | 'order.updated' | 'order.cancelled',
  data: { id: string; email: string } & Record<string, unknown>,
): Record<string, unknown> {
  const { email, ...fields } = data;
  return {
    type,
    timestamp: '2025-03-20T07:00:04Z',
    data: {
      number: `#${data.id}`,
      placedAt: '2025-03-14T23:26:41+01:00',
      updatedAt: '2025-03-14T23:26:41+01:00',
      status: 'open',
      test: false,
      currency: 'EUR',
      total: '59.90',
      refunds: [],
      discountCodes: [],
      customer: { email, firstName: 'Ana', lastName: 'García' },
      ...fields,
    },
  };
}

/** Signs the exact bytes it sends. */
function send(body: unknown, webhookId = newId('msg'), url = channel.webhookUrl): Promise<number> {
  const bytes = typeof body === 'string' ? body : JSON.stringify(body);
  return t.deliver(url, bytes, standardHeaders(bytes, secret, webhookId));
}

const customerByEmail = (email: string) => t.customerByEmail<CustomerDetail>(email);
const requireCustomer = (email: string) => t.requireCustomer<CustomerDetail>(email);

async function allCustomerIds(): Promise<string[]> {
  const { status, body } = await t.api<{ items: { id: string }[]; nextCursor: string | null }>('/admin/customers?limit=200');
  expect(status).toBe(200);
  expect(body.nextCursor).toBeNull();
  return body.items.map((customer) => customer.id);
}

async function quarantined(deliveryId: string): Promise<QuarantineView[]> {
  const { status, body } = await t.api<{ items: QuarantineView[] }>('/admin/quarantine?limit=200');
  expect(status).toBe(200);
  return body.items.filter((entry) => entry.deliveryId === deliveryId);
}

beforeAll(async () => {
  t = await startTestStack();
  channel = await t.createChannel({ platform: 'standard', name: 'Own shop', webhookSecret: secret });
});

afterAll(async () => {
  await t?.stop();
});

describe('Ingest: Standard Webhooks', () => {
  it('counts order.created', async () => {
    // Arrange
    const email = newEmail();
    const orderId = newId('ord');

    // Act
    const status = await send(orderEvent('order.created', { id: orderId, email }));
    await t.settled();

    // Assert
    expect(status).toBe(200);
    const customer = await requireCustomer(email);
    expect(customer.figures).toStrictEqual({
      orders: 1,
      purchaseDays: 1,
      grossMinor: 5990,
      refundedMinor: 0,
      netMinor: 5990,
      currency: 'EUR',
      firstOrderAt: '2025-03-14T22:26:41.000Z',
      lastOrderAt: '2025-03-14T22:26:41.000Z',
    });
    expect(customer.channels).toStrictEqual([channel.id]);
    expect(customer.orders.map((o) => [o.orderId, o.status, o.totalMinor])).toStrictEqual([[orderId, 'open', 5990]]);
  });

  it('makes one customer with 2 orders of two first orders of a new person sent at once, 10 times over', async () => {
    // Arrange
    const people = Array.from({ length: 10 }, () => ({ email: newEmail(), orderIds: [newId('ord'), newId('ord')] }));
    const customersBefore = await allCustomerIds();
    const deliveries = people.flatMap(({ email, orderIds }) =>
      orderIds.map((id, i) =>
        orderEvent('order.created', {
          id,
          email,
          total: i === 0 ? '10.00' : '20.00',
          placedAt: `2025-03-1${i}T10:00:00+01:00`,
          updatedAt: `2025-03-1${i}T10:00:00+01:00`,
        }),
      ),
    );

    // Act
    const statuses = await Promise.all(deliveries.map((body) => send(body)));
    await t.settled();

    // Assert
    expect(statuses.every((status) => status === 200)).toBe(true);
    const customersAfter = await allCustomerIds();
    expect(customersAfter.length - customersBefore.length).toBe(10);
    for (const person of people) {
      const customer = await requireCustomer(person.email);
      expect(customer.figures, person.email).toMatchObject({ orders: 2, purchaseDays: 2, grossMinor: 3000, netMinor: 3000 });
      expect(customer.orders.map((o) => o.orderId).sort()).toStrictEqual([...person.orderIds].sort());
      const matches = await t.api<{ items: unknown[] }>(`/admin/customers?q=${encodeURIComponent(person.email)}&limit=200`);
      expect(matches.body.items).toHaveLength(1);
    }
  });

  it('lists a test order on the customer without counting it', async () => {
    // Arrange
    const email = newEmail();
    const realId = newId('ord');
    const testId = newId('ord');
    await send(orderEvent('order.created', { id: realId, email }));
    await t.settled();

    // Act
    await send(
      orderEvent('order.created', {
        id: testId,
        email,
        test: true,
        total: '1000.00',
        placedAt: '2025-03-16T09:00:00+01:00',
        updatedAt: '2025-03-16T09:00:00+01:00',
      }),
    );
    await t.settled();

    // Assert
    const customer = await requireCustomer(email);
    expect(customer.figures).toMatchObject({ orders: 1, purchaseDays: 1, grossMinor: 5990, netMinor: 5990 });
    expect(customer.figures.lastOrderAt).toBe('2025-03-14T22:26:41.000Z');
    const listed = Object.fromEntries(customer.orders.map((o) => [o.orderId, o.test]));
    expect(listed).toStrictEqual({ [realId]: false, [testId]: true });
  });

  it('counts a zero-value order', async () => {
    // Arrange
    const email = newEmail();

    // Act
    await send(orderEvent('order.created', { id: newId('ord'), email, total: '0' }));
    await t.settled();

    // Assert
    const customer = await requireCustomer(email);
    expect(customer.figures).toMatchObject({ orders: 1, purchaseDays: 1, grossMinor: 0, netMinor: 0, currency: 'EUR' });
  });

  it('lowers net once for refund.created followed by order.updated carrying the same refund', async () => {
    // Arrange
    const email = newEmail();
    const orderId = newId('ord');
    await send(orderEvent('order.created', { id: orderId, email }));
    await t.settled();
    const refund = { id: newId('ref'), amount: '10.00' };

    // Act
    await send({
      type: 'refund.created',
      timestamp: '2025-03-20T08:00:01Z',
      data: { id: refund.id, orderId, amount: refund.amount, currency: 'EUR', createdAt: '2025-03-20T08:00:00+01:00' },
    });
    await t.settled();
    await send(
      orderEvent('order.updated', {
        id: orderId,
        email,
        updatedAt: '2025-03-20T08:00:00+01:00',
        refunds: [{ ...refund, createdAt: '2025-03-20T08:00:00+01:00' }],
      }),
    );
    await t.settled();

    // Assert
    const customer = await requireCustomer(email);
    expect(customer.figures).toMatchObject({ orders: 1, grossMinor: 5990, refundedMinor: 1000, netMinor: 4990 });
    expect(customer.orders[0]).toMatchObject({ orderId, refundedMinor: 1000 });
  });

  it('accepts a body that fails the schema and quarantines it with an issue naming the field', async () => {
    // Arrange
    const email = newEmail();
    const webhookId = newId('msg');

    // Act
    const status = await send(orderEvent('order.created', { id: newId('ord'), email, total: 'abc' }), webhookId);
    await t.settled();

    // Assert
    expect(status).toBe(200);
    const [entry, ...others] = await quarantined(webhookId);
    expect(others).toStrictEqual([]);
    expect(entry).toMatchObject({ channelId: channel.id, status: 'open' });
    expect(entry?.issues.some((issue) => issue.startsWith('data.total'))).toBe(true);
    expect(await customerByEmail(email)).toBeUndefined();
  });

  it('quarantines an unknown type', async () => {
    // Arrange
    const webhookId = newId('msg');

    // Act
    const status = await send({ type: 'subscription.renewed', timestamp: '2025-03-20T07:00:04Z', data: { id: 'sub_1' } }, webhookId);
    await t.settled();

    // Assert
    expect(status).toBe(200);
    const [entry, ...others] = await quarantined(webhookId);
    expect(others).toStrictEqual([]);
    expect(entry?.reason).toContain('subscription.renewed');
  });

  it('answers 413 to a body over 1 MiB', async () => {
    // Arrange
    const email = newEmail();
    const body = orderEvent('order.created', { id: newId('ord'), email, note: 'x'.repeat(1024 * 1024) });
    const bytes = JSON.stringify(body);

    // Act
    const status = await send(bytes);
    await t.settled();

    // Assert
    expect(Buffer.byteLength(bytes)).toBeGreaterThan(1024 * 1024);
    expect(status).toBe(413);
    expect(await customerByEmail(email)).toBeUndefined();
  });

  it('answers 404 to an unknown channel id', async () => {
    // Arrange
    const url = channel.webhookUrl.replace(channel.id, 'ch_0000000000000000');

    // Act
    const status = await send(orderEvent('order.created', { id: newId('ord'), email: newEmail() }), newId('msg'), url);

    // Assert
    expect(url).not.toBe(channel.webhookUrl);
    expect(status).toBe(404);
  });

  it('shows consent.email subscribed after customer.updated says so', async () => {
    // Arrange
    const email = newEmail();

    // Act
    await send({
      type: 'customer.updated',
      timestamp: '2025-03-20T07:00:04Z',
      data: {
        id: newId('cus'),
        email,
        firstName: 'Ana',
        updatedAt: '2025-03-20T07:00:00Z',
        emailConsent: { state: 'subscribed', at: '2025-03-20T06:59:00Z' },
      },
    });
    await t.settled();

    // Assert
    const customer = await requireCustomer(email);
    expect(customer.consent.email).toBe('subscribed');
  });
});
