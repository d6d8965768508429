import { describe, expect, it } from 'vitest';
import { buildDemoStore, demoParams, type DemoDelivery, type DemoStore } from '../../bin/cli/demo-store';
import { demoWindow } from '../../bin/cli/demo';
import { webhookHeaders } from '../../functions/app/test-delivery';
import { verifyDelivery } from '../../functions/adapters/webhook-delivery';
import type { ChannelEvent, NormalizedOrder } from '../../functions/domain/model';
import { normalizeWebhook } from '../../functions/domain/normalize/index';
import { seededRandom, simulatePopulation } from '../../functions/domain/scoring/simulate';
import { eventOf } from '../support/normalize-results';

const now = new Date('2026-05-20T12:00:00.000Z');
const secret = 'demo-secret';

function store(seed: number, customers = 300): DemoStore {
  const random = seededRandom(seed);
  const population = simulatePopulation(demoParams, { customers, start: '2025-05-20', end: '2026-05-20', random });
  return buildDemoStore(population, { random, now });
}

/** What the webhook function and the processor make of a delivery. */
function receive(delivery: DemoDelivery, index: number): ChannelEvent {
  const body = JSON.stringify(delivery.body());
  const deliveryId = `d-${index}`;
  const headers = webhookHeaders(delivery.platform, secret, { body, topic: delivery.topic, deliveryId, now });
  const verdict = verifyDelivery(delivery.platform, [secret], headers, Buffer.from(body), Math.floor(now.getTime() / 1000));
  if (verdict.kind !== 'verified') throw new Error(`delivery ${index} did not verify: ${JSON.stringify(verdict)}`);
  expect(verdict).toMatchObject({ topic: delivery.topic, deliveryId });
  return eventOf(
    normalizeWebhook({
      platform: delivery.platform,
      topic: verdict.topic,
      channelId: delivery.platform,
      body: JSON.parse(body),
      receivedAt: now.toISOString(),
    }),
  );
}

const orderEvents = (events: ChannelEvent[]): NormalizedOrder[] =>
  events.flatMap((event) => (event.kind === 'order' ? [event.order] : []));

describe('Function: buildDemoStore', () => {
  const demo = store(21);
  const events = demo.deliveries.map(receive);

  it('makes deliveries that verify and normalize, none refused', () => {
    expect(events.length).toBe(demo.deliveries.length);
    expect(new Set(events.map((event) => event.kind))).toEqual(new Set(['order', 'refund']));
  });

  it('creates each order once, then sends its follow-ups, none after now', () => {
    const creations = demo.deliveries.filter((d) => d.topic === 'orders/create' || d.topic === 'order.created');
    expect(creations).toHaveLength(demo.counts.orders);
    expect(demo.deliveries.slice(0, creations.length)).toEqual(creations);
    const times = (list: DemoDelivery[]) => list.map((d) => d.at);
    expect(times(creations)).toEqual([...times(creations)].sort());
    const followUps = demo.deliveries.slice(creations.length);
    expect(times(followUps)).toEqual([...times(followUps)].sort());
    for (const delivery of demo.deliveries) expect(Date.parse(delivery.at)).toBeLessThanOrEqual(now.getTime());
  });

  it('cancels and refunds the orders it counts, and refunds never more than the order', () => {
    const latest = new Map<string, NormalizedOrder>();
    for (const order of orderEvents(events)) latest.set(`${order.channelId}/${order.orderId}`, order);
    const final = [...latest.values()];
    expect(final).toHaveLength(demo.counts.orders);
    expect(final.filter((o) => o.status === 'cancelled')).toHaveLength(demo.counts.cancellations);
    const refunded = final.filter((o) => Object.keys(o.refunds).length > 0);
    expect(refunded).toHaveLength(demo.counts.refunds);
    for (const order of refunded) {
      const minor = Object.values(order.refunds).reduce((sum, value) => sum + value, 0);
      expect(minor).toBeGreaterThan(0);
      expect(minor).toBeLessThanOrEqual(order.totalMinor);
      expect(order.status).toBe('open');
    }
    expect(refunded.some((o) => Object.values(o.refunds)[0] === o.totalMinor)).toBe(true);
    expect(refunded.some((o) => Object.values(o.refunds)[0]! < o.totalMinor)).toBe(true);
    // Shopify also sends the refund on its own, with the same id as on the order.
    const refundEvents = events.flatMap((event) => (event.kind === 'refund' ? [event.refund] : []));
    for (const refund of refundEvents) {
      expect(latest.get(`shopify/${refund.orderId}`)?.refunds[refund.refundId]).toBe(refund.amountMinor);
    }
  });

  it('gives every order a customer email, and puts the both-channel people on both', () => {
    const orders = orderEvents(events);
    const channelsByEmail = new Map<string, Set<string>>();
    for (const order of orders) {
      expect(order.customer.email).toMatch(/^[a-z.]+\.\d+@example\.(com|org|net)$/);
      const set = channelsByEmail.get(order.customer.email!) ?? new Set();
      set.add(order.channelId);
      channelsByEmail.set(order.customer.email!, set);
    }
    expect(channelsByEmail.size).toBeLessThanOrEqual(demo.counts.customers);
    const both = [...channelsByEmail.values()].filter((set) => set.size === 2).length;
    expect(both).toBe(demo.counts.bothChannels);
    expect(both).toBeGreaterThan(0);
  });

  it('mixes consent, discount codes and guest checkouts', () => {
    const orders = orderEvents(events);
    const consent = new Set(orders.map((o) => o.customer.consent?.state));
    expect(consent).toEqual(new Set(['subscribed', 'unsubscribed', 'unknown']));
    const coded = orders.filter((o) => o.discountCodes.length > 0);
    expect(coded.length / orders.length).toBeGreaterThan(0.1);
    expect(coded.length / orders.length).toBeLessThan(0.3);
    const woo = orders.filter((o) => o.platform === 'woocommerce');
    expect(woo.some((o) => o.customer.channelCustomerId === undefined)).toBe(true);
    expect(woo.some((o) => o.customer.channelCustomerId !== undefined)).toBe(true);
  });

  it('carries the simulated spend as the order total', () => {
    const random = seededRandom(5);
    const population = simulatePopulation(demoParams, { customers: 30, start: '2025-05-20', end: '2026-05-20', random });
    const built = buildDemoStore(population, { random, now });
    const totals = orderEvents(built.deliveries.map(receive))
      .filter((_, i) => ['orders/create', 'order.created'].includes(built.deliveries[i]!.topic))
      .map((o) => o.totalMinor)
      .sort((x, y) => x - y);
    const simulated = population.flatMap((c) => c.purchases.map((p) => p.valueMinor)).sort((x, y) => x - y);
    expect(totals).toEqual(simulated);
  });

  it('builds the same store from the same seed', () => {
    const rendered = (built: DemoStore) => ({
      counts: built.counts,
      deliveries: built.deliveries.map((delivery) => ({ ...delivery, body: delivery.body() })),
    });
    expect(rendered(store(4, 50))).toEqual(rendered(store(4, 50)));
    expect(rendered(store(4, 50))).not.toEqual(rendered(store(5, 50)));
  });
});

describe('Function: demoWindow', () => {
  it('runs from the same day M months back up to today, today excluded', () => {
    expect(demoWindow(new Date('2026-11-23T16:00:00Z'), 18)).toEqual({ start: '2025-05-23', end: '2026-11-23' });
    expect(demoWindow(new Date('2026-01-05T00:00:00Z'), 1)).toEqual({ start: '2025-12-05', end: '2026-01-05' });
  });

  it('stops at the end of a shorter month', () => {
    expect(demoWindow(new Date('2026-03-31T08:00:00Z'), 1)).toEqual({ start: '2026-02-28', end: '2026-03-31' });
    expect(demoWindow(new Date('2028-03-31T08:00:00Z'), 1)).toEqual({ start: '2028-02-29', end: '2028-03-31' });
  });
});
