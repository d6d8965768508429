// The DynamoDB customer repository against DynamoDB Local, with its own table:
// a customer whose history would not fit one item (10,000 orders over 8,000
// days, 1,000 discount codes of 255 characters: kept on the profile as before,
// DynamoDB refused it) is stored and counted exactly, and its profile stays small.
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCredentials, localRegion, startDynamoDbLocal, type DynamoDbLocal } from '../../bin/local/emulators';
import { ensureTable } from '../../bin/local/provision';
import { DynamoCustomerRepository } from '../../functions/adapters/customer-store';
import { itemKeys } from '../../functions/adapters/dynamo-keys';
import { recordOrderChange } from '../../functions/app/record-events';
import { countersTouched, moveFigures, type Counters, type CustomerProfile } from '../../functions/domain/customers';
import { contributionOf, type OrderRecord } from '../../functions/domain/orders';
import { anOrder } from '../support/builders';

const tableName = `cs${randomBytes(4).toString('hex')}`;
const channelId = 'ch_big';
const orderCount = 10_000;
const dayCount = 8_000;
const codeCount = 1_000;
const now = '2026-06-01T00:00:00.000Z';
const delivery = { deliveryId: 'd', topic: 'order.created', receivedAt: now };

let dynamo: DynamoDbLocal;
let db: DynamoDBDocumentClient;
let repo: DynamoCustomerRepository;

beforeAll(async () => {
  dynamo = await startDynamoDbLocal({ log: () => undefined });
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: localRegion, credentials: localCredentials });
  await ensureTable(client, tableName);
  db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  repo = new DynamoCustomerRepository(tableName, db);
});

afterAll(async () => {
  db?.destroy();
  await dynamo?.stop();
});

/** Shopify's longest: 255 characters, so 1,000 of them alone are over half of a 400 KB item. */
const codeOf = (n: number) => `LOYALTY-${String(n).padStart(4, '0')}-`.padEnd(255, 'X');

/** Order n: one or two a day over 8,000 days, each at its own minute, each with one of 1,000 codes. */
function orderN(n: number, customerId: string): OrderRecord {
  const dayMs = Date.UTC(2004, 0, 1) + (n % dayCount) * 86_400_000;
  const placedAt = new Date(dayMs + 9 * 3_600_000 + Math.floor(n / dayCount) * 60_000).toISOString();
  const { customer: _facts, ...order } = anOrder({
    channelId,
    platform: 'standard',
    orderId: `o${n}`,
    placedAt,
    placedDay: placedAt.slice(0, 10),
    updatedAt: placedAt,
    totalMinor: 1_000 + n,
    refunds: n % 10 === 0 ? { [`r${n}`]: 500 } : {},
    discountCodes: [codeOf(n % codeCount)],
  });
  return { ...order, placeholder: false, customerId };
}

/** The figures as the README defines them, from the orders themselves. */
function figuresOf(orders: OrderRecord[]) {
  const counted = orders.filter((order) => order.status === 'open');
  const gross = counted.reduce((sum, order) => sum + order.totalMinor, 0);
  const refunded = counted.reduce((sum, order) => sum + Object.values(order.refunds).reduce((a, b) => a + b, 0), 0);
  const times = counted.map((order) => Date.parse(order.placedAt));
  return {
    orders: counted.length,
    purchaseDays: new Set(counted.map((order) => order.placedDay)).size,
    grossMinor: gross,
    refundedMinor: refunded,
    netMinor: gross - refunded,
    currency: 'USD',
    firstOrderAt: new Date(Math.min(...times)).toISOString(),
    lastOrderAt: new Date(Math.max(...times)).toISOString(),
  };
}

describe('Adapter: DynamoCustomerRepository on DynamoDB Local', () => {
  it('stores a customer with 10,000 orders over 8,000 days and 1,000 codes, counts them exactly, and keeps the profile small', async () => {
    // Arrange: one customer, then every order through saveOrder. Each write
    // depends on the profile revision before it, so they go one by one; the
    // use case's reads are done here from what was written, to keep the run short.
    const customerId = (await repo.resolveCustomer(channelId, { channelCustomerId: 'big', email: 'big@example.com' }, now))!;
    let profile: CustomerProfile = (await repo.getProfile(customerId))!;
    const stored: Counters = { days: {}, codes: {} };
    const orders: OrderRecord[] = [];
    for (let n = 0; n < orderCount; n += 1) {
      const order = orderN(n, customerId);
      const after = contributionOf(order);
      const touched = countersTouched(undefined, after);
      const read: Counters = {
        days: Object.fromEntries(touched.days.filter((day) => stored.days[day]).map((day) => [day, stored.days[day]!])),
        codes: Object.fromEntries(touched.codes.filter((code) => stored.codes[code]).map((code) => [code, stored.codes[code]!])),
      };
      const moved = moveFigures(profile, undefined, after, read);
      await repo.saveOrder({
        order,
        previous: undefined,
        delivery,
        profile: { next: moved.profile, expectedRev: profile.rev, days: moved.days, codes: moved.codes },
      });
      for (const change of moved.days) stored.days[change.day] = change.after;
      for (const change of moved.codes) stored.codes[change.code] = change.after;
      profile = { ...moved.profile, rev: profile.rev + 1 };
      orders.push(order);
    }

    // Act: the use case moves the first and the last order, refunds one, and adds one more.
    const record = (change: Parameters<typeof recordOrderChange>[1]['change']) =>
      recordOrderChange(repo, { platform: 'standard', change, delivery, now });
    const byTime = [...orders].sort((a, b) => Date.parse(a.placedAt) - Date.parse(b.placedAt));
    const first = byTime[0]!;
    const last = byTime[orderCount - 1]!;
    const cancelled = { ...first, status: 'cancelled' as const, updatedAt: '2026-05-01T00:00:00.000Z' };
    await record({ kind: 'order', order: { ...cancelled, customer: { channelCustomerId: 'big' } } });
    expect((await repo.getProfile(customerId))!.figures.firstOrderAt).toBe(byTime[1]!.placedAt);
    await record({ kind: 'order-removed', channelId, orderId: last.orderId, updatedAt: '2026-05-02T00:00:00.000Z' });
    expect((await repo.getProfile(customerId))!.figures.lastOrderAt).toBe(byTime[orderCount - 2]!.placedAt);
    await record({ kind: 'refund', refund: { channelId, orderId: 'o1', refundId: 'late', amountMinor: 1, currency: 'USD', createdAt: now } });
    const extra = { ...orderN(orderCount, customerId), placedAt: '2026-01-01T12:00:00.000Z', placedDay: '2026-01-01', discountCodes: [codeOf(7)] };
    await record({ kind: 'order', order: { ...extra, customer: { channelCustomerId: 'big' } } });

    // Assert: the figures, exactly.
    const expected = [
      cancelled,
      ...orders
        .filter((order) => order !== first && order !== last)
        .map((order) => (order.orderId === 'o1' ? { ...order, refunds: { ...order.refunds, late: 1 } } : order)),
      extra,
    ];
    const saved = (await repo.getProfile(customerId))!;
    expect(saved.figures).toStrictEqual(figuresOf(expected));
    // The first order's day keeps another order, the last one's closes, the extra order opens one.
    expect(saved.figures).toMatchObject({ orders: orderCount - 1, purchaseDays: dayCount, lastOrderAt: extra.placedAt });

    // Every purchase day and every code, from their own items.
    const days = await repo.listPurchaseDays(customerId);
    expect(days).toHaveLength(dayCount);
    const counted = expected.filter((order) => order.status === 'open');
    const timesByDay = new Map<string, number[]>();
    for (const order of counted) timesByDay.set(order.placedDay, [...(timesByDay.get(order.placedDay) ?? []), Date.parse(order.placedAt)]);
    expect(new Map(days.map(({ day, times }) => [day, times]))).toEqual(
      new Map([...timesByDay].map(([day, times]) => [day, times.sort((a, b) => a - b)])),
    );
    const codes = await repo.listDiscountCodes(customerId);
    const usesByCode = new Map<string, number>();
    for (const order of counted) for (const code of order.discountCodes) usesByCode.set(code, (usesByCode.get(code) ?? 0) + 1);
    expect(codes).toHaveLength(codeCount);
    expect(new Map(codes.map(({ code, orders: uses }) => [code, uses]))).toEqual(usesByCode);

    // The profile item does not grow with the history.
    const item = await db.send(new GetCommand({ TableName: tableName, Key: itemKeys.customer(customerId), ConsistentRead: true }));
    expect(JSON.stringify(item.Item).length).toBeLessThan(2_000);
  }, 900_000);

  it('stores an order with 50 lines of the longest title and SKU whole, and writes nothing for the same order again', async () => {
    const lineItems = Array.from({ length: 50 }, (_, i) => ({
      sku: `${i}`.padEnd(99, '\u00e9') + '\u{1F375}',
      title: `${i}`.padEnd(199, '\u6f22') + '\u{1F375}',
      quantity: i,
    }));
    const order = anOrder({ channelId, orderId: 'lines-50', lineItems, customer: { email: 'lines@example.com' } });

    const outcomes = [];
    for (let i = 0; i < 2; i += 1) outcomes.push(await recordOrderChange(repo, { platform: 'standard', change: { kind: 'order', order }, delivery, now }));

    expect(outcomes).toEqual(['created', 'unchanged']);
    const stored = await repo.getOrder(channelId, 'lines-50');
    expect(stored?.lineItems).toEqual(lineItems);
    expect(stored?.version).toBe(1);
  });
});
