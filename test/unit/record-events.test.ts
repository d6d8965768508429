import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyContribution, newProfile } from '../../functions/domain/customers';
import { contributionOf } from '../../functions/domain/orders';
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
// the figures equal those computed from scratch from the orders as stored.
const versionArb = fc.record({
  orderId: fc.constantFrom('o1', 'o2', 'o3'),
  updatedHour: fc.integer({ min: 0, max: 20 }),
  totalMinor: fc.integer({ min: 0, max: 100_000 }),
  status: fc.constantFrom('open', 'open', 'cancelled', 'failed'),
  test: fc.boolean(),
  day: fc.integer({ min: 1, max: 3 }),
});
const changeArb = fc.oneof(
  versionArb.map((v): OrderChange => {
    const placedAt = `2026-04-0${v.day}T08:00:00Z`;
    const order: NormalizedOrder = anOrder({
      orderId: v.orderId,
      placedAt,
      placedDay: `2026-04-0${v.day}`,
      updatedAt: new Date(Date.UTC(2026, 4, 1, v.updatedHour)).toISOString(),
      totalMinor: v.totalMinor,
      status: v.status as NormalizedOrder['status'],
      test: v.test,
    });
    return { kind: 'order', order };
  }),
  fc.record({ orderId: fc.constantFrom('o1', 'o2', 'o3'), refundId: fc.constantFrom('r1', 'r2'), amount: fc.integer({ min: 1, max: 500 }) }).map(
    (r): OrderChange => ({ kind: 'refund', refund: aRefund({ orderId: r.orderId, refundId: `${r.orderId}-${r.refundId}`, amountMinor: r.amount }) }),
  ),
);

describe('Property: customer figures', () => {
  it('equal a fold over the stored orders after any sequence of deliveries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(changeArb, { minLength: 1, maxLength: 25 }), async (changes) => {
        const repo = new MemoryRepository();
        for (const change of changes) await record(repo, change);
        for (const change of changes) await record(repo, change); // every delivery again

        const [profile] = [...repo.profiles.values()];
        if (!profile) return;
        const fromScratch = [...repo.orders.values()].reduce(
          (acc, order) => applyContribution(acc, undefined, contributionOf(order)),
          newProfile(profile.id, profile.createdAt),
        );
        expect(profile.figures).toEqual(fromScratch.figures);
        expect(profile.orderDays).toEqual(fromScratch.orderDays);
      }),
      { numRuns: 200 },
    );
  });
});
