import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxAttempts, recordCustomerFacts, recordOrderChange, type Backoff } from '../../functions/app/record-events';
import { ConflictError } from '../../functions/shared/errors';
import type { OrderChange } from '../../functions/domain/orders';
import type { NormalizedOrder } from '../../functions/domain/model';
import { anOrder, aRefund } from '../support/builders';
import { MemoryRepository } from '../support/memory-repository';

const delivery = { deliveryId: 'd1', topic: 'orders/create', receivedAt: '2026-03-01T15:00:00Z' };
const now = '2026-03-05T00:00:00.000Z';

function record(repo: MemoryRepository, change: OrderChange) {
  return recordOrderChange(repo, { platform: 'shopify', change, delivery, now });
}

function onlyProfile(repo: MemoryRepository) {
  expect(repo.profiles.size).toBe(1);
  return [...repo.profiles.values()][0]!;
}

describe('Use case: recordOrderChange', () => {
  it('counts the same delivery once however often it arrives', async () => {
    const repo = new MemoryRepository();
    const order = anOrder();

    const outcomes = [];
    for (let i = 0; i < 5; i += 1) outcomes.push(await record(repo, { kind: 'order', order }));

    expect(outcomes).toEqual(['created', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(onlyProfile(repo).figures).toMatchObject({ orders: 1, grossMinor: 5000, netMinor: 5000, purchaseDays: 1 });
  });

  it('writes an order with lines once, and again only when an edit changes its lines', async () => {
    const repo = new MemoryRepository();
    const order = anOrder({ lineItems: [{ sku: 'TEA-1', title: 'Sencha', quantity: 1 }] });
    const edited = { ...order, updatedAt: '2026-03-02T00:00:00Z', lineItems: [{ sku: 'TEA-1', title: 'Sencha', quantity: 2 }] };

    const outcomes = [];
    for (const version of [order, order, edited, edited]) outcomes.push(await record(repo, { kind: 'order', order: version }));

    expect(outcomes).toEqual(['created', 'unchanged', 'updated', 'unchanged']);
    expect((await repo.getOrder(order.channelId, order.orderId))?.lineItems).toEqual(edited.lineItems);
    expect(onlyProfile(repo).figures).toMatchObject({ orders: 1, grossMinor: 5000 });
  });

  it('counts concurrent copies of one order once', async () => {
    const repo = new MemoryRepository();
    const order = anOrder();

    await Promise.all(Array.from({ length: 8 }, () => record(repo, { kind: 'order', order })));

    expect(onlyProfile(repo).figures.orders).toBe(1);
  });

  it('makes one customer when two first orders of a person race', async () => {
    const repo = new MemoryRepository();

    await Promise.all([
      record(repo, { kind: 'order', order: anOrder({ orderId: 'a' }) }),
      record(repo, { kind: 'order', order: anOrder({ orderId: 'b', customer: { email: 'ada@example.com' } }) }),
    ]);

    expect(onlyProfile(repo).figures).toMatchObject({ orders: 2, grossMinor: 10000, purchaseDays: 1 });
  });

  it('ignores an older update that arrives after a newer one', async () => {
    const repo = new MemoryRepository();
    const newer = anOrder({ updatedAt: '2026-03-03T00:00:00Z', totalMinor: 4000 });
    const older = anOrder({ updatedAt: '2026-03-02T00:00:00Z', totalMinor: 9999 });

    await record(repo, { kind: 'order', order: newer });
    const outcome = await record(repo, { kind: 'order', order: older });

    expect(outcome).toBe('unchanged');
    expect(onlyProfile(repo).figures.grossMinor).toBe(4000);
  });

  it('lowers net revenue once for a refund seen as refunds/create and inside orders/updated', async () => {
    const repo = new MemoryRepository();
    await record(repo, { kind: 'order', order: anOrder() });

    await record(repo, { kind: 'refund', refund: aRefund({ refundId: 'r1', amountMinor: 1500 }) });
    await record(repo, {
      kind: 'order',
      order: anOrder({ updatedAt: '2026-03-02T12:00:00Z', refunds: { r1: 1500 } }),
    });
    await record(repo, { kind: 'refund', refund: aRefund({ refundId: 'r1', amountMinor: 1500 }) });

    expect(onlyProfile(repo).figures).toMatchObject({ grossMinor: 5000, refundedMinor: 1500, netMinor: 3500 });
  });

  it('takes the newer version\'s amount for a refund key both versions carry, as BigCommerce\'s aggregate', async () => {
    const repo = new MemoryRepository();
    await record(repo, { kind: 'order', order: anOrder({ refunds: { total: 1000 } }) });

    await record(repo, { kind: 'order', order: anOrder({ updatedAt: '2026-03-03T00:00:00Z', refunds: { total: 2500 } }) });
    await record(repo, { kind: 'order', order: anOrder({ updatedAt: '2026-03-02T00:00:00Z', refunds: { total: 1000 } }) });

    expect(onlyProfile(repo).figures).toMatchObject({ refundedMinor: 2500, netMinor: 2500 });
  });

  it('keeps a refund that arrives before its order and applies it when the order comes', async () => {
    const repo = new MemoryRepository();

    await record(repo, { kind: 'refund', refund: aRefund({ amountMinor: 700 }) });
    expect(repo.profiles.size).toBe(0);
    await record(repo, { kind: 'order', order: anOrder() });

    expect(onlyProfile(repo).figures).toMatchObject({ refundedMinor: 700, netMinor: 4300 });
  });

  it('takes a cancelled order out of the lifetime figures', async () => {
    const repo = new MemoryRepository();
    await record(repo, { kind: 'order', order: anOrder({ orderId: 'first', placedAt: '2026-01-01T09:00:00Z', placedDay: '2026-01-01', updatedAt: '2026-01-01T09:00:00Z' }) });
    await record(repo, { kind: 'order', order: anOrder() });

    await record(repo, {
      kind: 'order',
      order: anOrder({ orderId: 'first', placedAt: '2026-01-01T09:00:00Z', placedDay: '2026-01-01', updatedAt: '2026-03-04T00:00:00Z', status: 'cancelled' }),
    });

    expect(onlyProfile(repo).figures).toMatchObject({
      orders: 1,
      purchaseDays: 1,
      grossMinor: 5000,
      firstOrderAt: '2026-03-01T15:00:00.000Z',
      lastOrderAt: '2026-03-01T15:00:00.000Z',
    });
  });

  it('lets a restore dated in the same second as the removal bring the order back', async () => {
    const repo = new MemoryRepository();
    await record(repo, { kind: 'order', order: anOrder({ updatedAt: '2026-03-02T10:00:00Z' }) });

    await record(repo, { kind: 'order-removed', channelId: 'ch_shop', orderId: '1001', updatedAt: '2026-03-03T10:00:00.734Z' });
    expect(onlyProfile(repo).figures.orders).toBe(0);
    await record(repo, { kind: 'order', order: anOrder({ updatedAt: '2026-03-03T10:00:00Z' }) });

    expect(onlyProfile(repo).figures.orders).toBe(1);
  });

  it('keeps test orders apart and never counts them', async () => {
    const repo = new MemoryRepository();

    await record(repo, { kind: 'order', order: anOrder({ test: true }) });

    expect(onlyProfile(repo).figures.orders).toBe(0);
    expect([...repo.orders.values()][0]).toMatchObject({ test: true });
  });

  it('counts a zero-value order', async () => {
    const repo = new MemoryRepository();

    await record(repo, { kind: 'order', order: anOrder({ totalMinor: 0 }) });

    expect(onlyProfile(repo).figures).toMatchObject({ orders: 1, grossMinor: 0 });
  });

  it('keeps an anonymous order without making a customer', async () => {
    const repo = new MemoryRepository();

    const outcome = await record(repo, { kind: 'order', order: anOrder({ customer: {} }) });

    expect(outcome).toBe('created');
    expect(repo.profiles.size).toBe(0);
    expect(repo.orders.size).toBe(1);
  });

  it('keeps two people who share a phone apart when their emails differ, and joins a phone-only order', async () => {
    const repo = new MemoryRepository();
    const phone = '+4930123456';

    await record(repo, { kind: 'order', order: anOrder({ orderId: 'a', customer: { email: 'one@example.com', phone } }) });
    await record(repo, { kind: 'order', order: anOrder({ orderId: 'b', customer: { email: 'two@example.com', phone } }) });
    await record(repo, { kind: 'order', order: anOrder({ orderId: 'c', customer: { phone } }) });

    const byEmail = (email: string) => [...repo.profiles.values()].find((p) => p.email === email)!;
    expect(repo.profiles.size).toBe(2);
    expect(byEmail('one@example.com').figures.orders).toBe(2);
    expect(byEmail('two@example.com').figures.orders).toBe(1);
  });

  it('joins a guest order with an email to the customer who has that email', async () => {
    const repo = new MemoryRepository();
    await record(repo, { kind: 'order', order: anOrder({ orderId: 'a' }) });

    await record(repo, {
      kind: 'order',
      order: anOrder({ orderId: 'g', channelId: 'ch_woo', platform: 'woocommerce', customer: { email: 'ada@example.com' } }),
    });

    expect(onlyProfile(repo)).toMatchObject({ channels: ['ch_shop', 'ch_woo'], figures: { orders: 2 } });
  });
});

describe('Use case: recordOrderChange, refunds never over what was paid', () => {
  it('rejects a refund that would take the order\'s refunds over its total, and counts nothing of it', async () => {
    const repo = new MemoryRepository();
    await record(repo, { kind: 'order', order: anOrder({ totalMinor: 5000 }) });
    await record(repo, { kind: 'refund', refund: aRefund({ refundId: 'r1', amountMinor: 3000 }) });

    const outcome = await record(repo, { kind: 'refund', refund: aRefund({ refundId: 'r2', amountMinor: 2001 }) });

    expect(outcome).toStrictEqual({
      outcome: 'rejected',
      reason: 'refunds over the order total',
      issues: ['refunds: 5001 refunded is more than the 5000 paid (minor units)'],
    });
    expect(onlyProfile(repo).figures).toMatchObject({ grossMinor: 5000, refundedMinor: 3000, netMinor: 2000 });
    expect([...repo.orders.values()][0]!.refunds).toStrictEqual({ r1: 3000 });
  });

  it('takes a refund that brings the refunds to exactly the total', async () => {
    const repo = new MemoryRepository();
    await record(repo, { kind: 'order', order: anOrder({ totalMinor: 5000, refunds: { r1: 3000 } }) });

    const outcome = await record(repo, { kind: 'refund', refund: aRefund({ refundId: 'r2', amountMinor: 2000 }) });

    expect(outcome).toBe('updated');
    expect(onlyProfile(repo).figures).toMatchObject({ refundedMinor: 5000, netMinor: 0 });
  });

  it('rejects a newer version whose total is below the refunds already kept', async () => {
    const repo = new MemoryRepository();
    await record(repo, { kind: 'order', order: anOrder({ totalMinor: 5000 }) });
    await record(repo, { kind: 'refund', refund: aRefund({ refundId: 'r1', amountMinor: 3000 }) });

    const outcome = await record(repo, { kind: 'order', order: anOrder({ totalMinor: 2000, updatedAt: '2026-03-03T00:00:00Z' }) });

    expect(outcome).toMatchObject({ outcome: 'rejected' });
    expect(onlyProfile(repo).figures).toMatchObject({ grossMinor: 5000, refundedMinor: 3000 });
  });

  it('counts an order whose earlier refunds overrun its total at what it paid, never below zero', async () => {
    const repo = new MemoryRepository();
    await record(repo, { kind: 'refund', refund: aRefund({ refundId: 'r1', amountMinor: 7000 }) });

    const outcome = await record(repo, { kind: 'order', order: anOrder({ totalMinor: 5000 }) });

    expect(outcome).toBe('updated');
    expect(onlyProfile(repo).figures).toMatchObject({ orders: 1, grossMinor: 5000, refundedMinor: 5000, netMinor: 0 });
  });
});

describe('Use case: recordOrderChange under contention', () => {
  /** Waits nowhere: records each delay and always draws the largest jitter. */
  function recordingBackoff(): Backoff & { delays: number[] } {
    const delays: number[] = [];
    return { delays, sleep: async (ms) => void delays.push(ms), random: () => 0.999 };
  }

  it('retries a lost race with growing, capped delays, then gives up with ConflictError', async () => {
    const repo = new MemoryRepository();
    let saves = 0;
    repo.saveOrder = async () => {
      saves += 1;
      throw new ConflictError('order moved');
    };
    const backoff = recordingBackoff();

    await expect(
      recordOrderChange(repo, { platform: 'shopify', change: { kind: 'order', order: anOrder() }, delivery, now }, backoff),
    ).rejects.toThrow(`still contended after ${maxAttempts} attempts`);

    expect(saves).toBe(maxAttempts);
    expect(backoff.delays.map(Math.round)).toEqual([10, 20, 40, 80, 160, 320, 639, 999]);
  });

  it('succeeds on a later attempt once the race is over', async () => {
    const repo = new MemoryRepository();
    const save = repo.saveOrder.bind(repo);
    let saves = 0;
    repo.saveOrder = async (write) => {
      saves += 1;
      if (saves < 3) throw new ConflictError('order moved');
      return save(write);
    };
    const backoff = recordingBackoff();

    const outcome = await recordOrderChange(repo, { platform: 'shopify', change: { kind: 'order', order: anOrder() }, delivery, now }, backoff);

    expect(outcome).toBe('created');
    expect(backoff.delays).toHaveLength(2);
    expect(onlyProfile(repo).figures.orders).toBe(1);
  });
});

describe('Use case: recordCustomerFacts', () => {
  it('creates a prospect and ignores a repeat of the same facts', async () => {
    const repo = new MemoryRepository();
    const input = {
      channelId: 'ch_shop',
      facts: { channelCustomerId: '7', email: 'bo@example.com', consent: { state: 'subscribed' as const, at: '2026-01-01T00:00:00Z' } },
      observedAt: '2026-01-01T00:00:00Z',
      now,
    };

    const first = await recordCustomerFacts(repo, input);
    const second = await recordCustomerFacts(repo, input);

    expect([first, second]).toEqual(['updated', 'unchanged']);
    expect(onlyProfile(repo)).toMatchObject({ email: 'bo@example.com', consent: { state: 'subscribed' }, figures: { orders: 0 } });
  });
});

// Property: whatever deliveries arrive, in whatever order and however often,
// and whatever money they carry (negative totals and refunds over the total
// included, as if a normalizer had let them through), the figures are never
// negative and equal the sum over the customer's counted orders.
const orderIds = ['o1', 'o2', 'o3', 'o4'];
const hourOf = (hour: number) => new Date(Date.UTC(2026, 4, 1, hour)).toISOString();
const versionArb = fc
  .record({
    orderId: fc.constantFrom(...orderIds),
    updatedHour: fc.integer({ min: 0, max: 20 }),
    totalMinor: fc.integer({ min: -5_000, max: 100_000 }),
    status: fc.constantFrom<NormalizedOrder['status']>('open', 'open', 'cancelled', 'failed'),
    test: fc.boolean(),
    day: fc.integer({ min: 1, max: 12 }),
    hour: fc.integer({ min: 0, max: 23 }),
    // Stores in far-apart offsets: the earliest instant need not be on the earliest day.
    offset: fc.constantFrom('Z', '+14:00', '-12:00', '+05:30'),
    refunds: fc.dictionary(fc.constantFrom('r1', 'r2', 'r3'), fc.integer({ min: -500, max: 60_000 }), { maxKeys: 2 }),
    codes: fc.subarray(['A', 'B', 'C']),
  })
  .map((v): OrderChange => {
    const placedDay = `2026-04-${String(v.day).padStart(2, '0')}`;
    return {
      kind: 'order',
      order: anOrder({
        orderId: v.orderId,
        placedAt: `${placedDay}T${String(v.hour).padStart(2, '0')}:00:00${v.offset}`,
        placedDay,
        updatedAt: hourOf(v.updatedHour),
        totalMinor: v.totalMinor,
        status: v.status,
        test: v.test,
        refunds: Object.fromEntries(Object.entries(v.refunds).map(([id, amount]) => [`${v.orderId}-${id}`, amount])),
        discountCodes: v.codes,
      }),
    };
  });
const refundArb = fc
  .record({ orderId: fc.constantFrom(...orderIds), refundId: fc.constantFrom('r1', 'r2', 'r3'), amount: fc.integer({ min: -500, max: 60_000 }) })
  .map((r): OrderChange => ({ kind: 'refund', refund: aRefund({ orderId: r.orderId, refundId: `${r.orderId}-${r.refundId}`, amountMinor: r.amount }) }));
const removalArb = fc
  .record({ orderId: fc.constantFrom(...orderIds), hour: fc.integer({ min: 0, max: 20 }) })
  .map((r): OrderChange => ({ kind: 'order-removed', channelId: 'ch_shop', orderId: r.orderId, updatedAt: hourOf(r.hour) }));
const changeArb = fc.oneof({ arbitrary: versionArb, weight: 3 }, refundArb, removalArb);

function countedOrders(repo: MemoryRepository, customerId: string) {
  return [...repo.orders.values()].filter(
    (order) => order.customerId === customerId && !order.placeholder && !order.test && order.status === 'open',
  );
}

/** The figures as the README defines them, summed from scratch over the stored orders. */
function expectedFigures(repo: MemoryRepository, customerId: string) {
  const counted = countedOrders(repo, customerId);
  const money = counted.map((order) => {
    const gross = Math.max(0, order.totalMinor);
    const refunded = Math.min(gross, Object.values(order.refunds).reduce((sum, amount) => sum + Math.max(0, amount), 0));
    return { gross, refunded };
  });
  const times = counted.map((order) => Date.parse(order.placedAt));
  const grossMinor = money.reduce((sum, m) => sum + m.gross, 0);
  const refundedMinor = money.reduce((sum, m) => sum + m.refunded, 0);
  return {
    orders: counted.length,
    purchaseDays: new Set(counted.map((order) => order.placedDay)).size,
    grossMinor,
    refundedMinor,
    netMinor: grossMinor - refundedMinor,
    currency: counted.length ? 'USD' : null,
    firstOrderAt: times.length ? new Date(Math.min(...times)).toISOString() : null,
    lastOrderAt: times.length ? new Date(Math.max(...times)).toISOString() : null,
  };
}

describe('Property: customer figures', () => {
  it('are never negative and equal the sum over the counted orders, after any deliveries in any order, repeated', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(changeArb, { minLength: 1, maxLength: 30 }), async (changes) => {
        const repo = new MemoryRepository();
        for (const change of [...changes, ...[...changes].reverse()]) await record(repo, change);

        for (const profile of repo.profiles.values()) {
          const { figures } = profile;
          for (const field of ['orders', 'purchaseDays', 'grossMinor', 'refundedMinor', 'netMinor'] as const) {
            expect(figures[field]).toBeGreaterThanOrEqual(0);
          }
          expect(figures).toEqual(expectedFigures(repo, profile.id));

          const counted = countedOrders(repo, profile.id);
          const days = new Map<string, number[]>();
          const codes = new Map<string, number>();
          for (const order of counted) {
            days.set(order.placedDay, [...(days.get(order.placedDay) ?? []), Date.parse(order.placedAt)].sort((a, b) => a - b));
            for (const code of order.discountCodes) codes.set(code, (codes.get(code) ?? 0) + 1);
          }
          expect(repo.days.get(profile.id) ?? new Map()).toEqual(days);
          expect(repo.codes.get(profile.id) ?? new Map()).toEqual(codes);
        }
      }),
      { numRuns: 300 },
    );
  });
});
