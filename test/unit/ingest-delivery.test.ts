import { describe, expect, it } from 'vitest';
import {
  ingestDelivery,
  type IngestChannel,
  type IngestPorts,
  type QueuedDelivery,
  type StoreApiAccess,
} from '../../functions/app/ingest-delivery';
import { payloadDigests } from '../../functions/domain/privacy';
import type { DeliveryRef } from '../../functions/domain/ports';
import type { QuarantineEntry } from '../../functions/domain/quarantine';
import { StoreRefusedError, TransientError } from '../../functions/shared/errors';
import { memoryPrivacyPorts } from '../support/memory-privacy';

const now = new Date('2026-04-01T00:00:00.000Z');

interface Delivery extends QueuedDelivery {
  body: string | undefined;
}

function standardOrder(orderId: string, total = '20.00', email = 'ada@example.com'): string {
  return JSON.stringify({
    type: 'order.created',
    timestamp: '2026-03-01T15:00:00.000Z',
    data: {
      id: orderId,
      placedAt: '2026-03-01T15:00:00.000Z',
      updatedAt: '2026-03-01T15:00:00.000Z',
      status: 'open',
      currency: 'EUR',
      total,
      customer: { email, firstName: 'Ada' },
    },
  });
}

function delivery(overrides: Partial<Delivery> = {}): Delivery {
  return {
    channelId: 'ch_std',
    platform: 'standard',
    topic: 'order.created',
    deliveryId: 'msg_1',
    receivedAt: '2026-03-01T15:00:01.000Z',
    body: standardOrder('1001'),
    ...overrides,
  };
}

/** A BigCommerce V2 order as the store API answers it. */
const v2Order = {
  id: 250,
  customer_id: 10250,
  date_created: 'Tue, 25 Jun 2019 23:15:35 -0500',
  date_modified: 'Tue, 25 Jun 2019 23:15:40 -0500',
  status_id: 11,
  status: 'Awaiting Fulfillment',
  subtotal_inc_tax: '225.0000',
  total_inc_tax: '225.4900',
  refunded_amount: '0.0000',
  currency_code: 'USD',
  default_currency_code: 'USD',
  is_deleted: false,
  billing_address: { first_name: 'Jane', last_name: 'Doe', email: 'jane@example.com', phone: '' },
  coupons: [],
};

const bigCommerceCreated = JSON.stringify({
  scope: 'store/order/created',
  store_id: '1025646',
  data: { type: 'order', id: 250 },
  hash: 'dd70c0976e06b67aaf671e73f49dcb79230ebf9d',
  created_at: 1561479335,
  producer: 'stores/abc',
});

function ports(
  options: {
    channels?: IngestChannel[];
    fetchOrder?: (access: StoreApiAccess, id: string) => Promise<unknown>;
    fetchCustomer?: (access: StoreApiAccess, id: string) => Promise<unknown>;
  } = {},
) {
  const privacy = memoryPrivacyPorts();
  const channels = new Map((options.channels ?? [{ id: 'ch_std', status: 'active' }]).map((c) => [c.id, c]));
  const quarantined = new Map<string, { entry: QuarantineEntry; body: string }>();
  const resolved: string[] = [];
  const discarded: string[] = [];
  const fetches: { access: StoreApiAccess; id: string }[] = [];
  // Where each order write says it came from, as the DynamoDB adapter keeps it on the order.
  const savedDeliveries: DeliveryRef[] = [];
  const refreshed: string[] = [];
  const attributed: string[] = [];
  const saveOrder = privacy.repo.saveOrder.bind(privacy.repo);
  privacy.repo.saveOrder = async (write) => {
    savedDeliveries.push(write.delivery);
    return saveOrder(write);
  };
  const wired: IngestPorts<Delivery> = {
    channels: { get: async (id) => channels.get(id) },
    bodies: {
      read: async (d) => (d.body === undefined ? undefined : Buffer.from(d.body)),
      discard: async (d) => {
        discarded.push(d.deliveryId);
      },
    },
    quarantine: {
      idOf: (channelId, deliveryId) => `q_${channelId}_${deliveryId}`,
      put: async (entry, body) => {
        quarantined.set(entry.id, { entry, body: body.toString('utf8') });
      },
      markResolved: async (id) => {
        resolved.push(id);
      },
    },
    customers: privacy.repo,
    privacy,
    storeApi: {
      fetchOrder: async (access, id) => {
        fetches.push({ access, id });
        return options.fetchOrder ? options.fetchOrder(access, id) : v2Order;
      },
      fetchCustomer: async (access, id) => {
        fetches.push({ access, id });
        if (!options.fetchCustomer) throw new StoreRefusedError('BigCommerce has no customer', 404);
        return options.fetchCustomer(access, id);
      },
    },
    scores: {
      refresh: async (customerId) => {
        refreshed.push(customerId);
      },
    },
    attribution: {
      orderChanged: async (order) => {
        attributed.push(`${order.orderId}@${order.updatedAt}`);
      },
    },
    now: () => now,
  };
  return { wired, repo: privacy.repo, privacy, quarantined, resolved, discarded, fetches, savedDeliveries, refreshed, attributed };
}

const bigCommerceChannel: IngestChannel = {
  id: 'ch_bc',
  status: 'active',
  apiBaseUrl: 'https://api.bigcommerce.com/stores/abc',
  apiToken: 'token',
};
const bigCommerceDelivery = (overrides: Partial<Delivery> = {}) =>
  delivery({ channelId: 'ch_bc', platform: 'bigcommerce', topic: 'store/order/created', body: bigCommerceCreated, ...overrides });

describe('Use case: ingestDelivery', () => {
  it('records a new order and its customer, then releases the body', async () => {
    const p = ports();

    const result = await ingestDelivery(p.wired, delivery());

    expect(result).toEqual({ result: 'processed', kind: 'order', outcome: 'created' });
    const order = p.repo.orders.get('ch_std#1001');
    expect(order).toMatchObject({ orderId: '1001', totalMinor: 2000, currency: 'EUR' });
    const profile = p.repo.profiles.get(order!.customerId!);
    expect(profile).toMatchObject({ email: 'ada@example.com' });
    expect(profile!.figures).toMatchObject({ orders: 1, grossMinor: 2000, netMinor: 2000 });
    expect(p.discarded).toEqual(['msg_1']);
    expect(p.quarantined.size).toBe(0);
    expect(p.resolved).toEqual([]);
    expect(p.savedDeliveries).toEqual([{ deliveryId: 'msg_1', topic: 'order.created', receivedAt: '2026-03-01T15:00:01.000Z' }]);
    expect(p.refreshed).toEqual([order!.customerId]);
    expect(p.attributed).toEqual([`1001@${order!.updatedAt}`]);
  });

  it('changes nothing the second time the same delivery comes', async () => {
    const p = ports();
    await ingestDelivery(p.wired, delivery());
    const figures = structuredClone([...p.repo.profiles.values()][0]!.figures);

    const again = await ingestDelivery(p.wired, delivery());

    expect(again).toEqual({ result: 'processed', kind: 'order', outcome: 'unchanged' });
    expect([...p.repo.profiles.values()][0]!.figures).toEqual(figures);
    expect(p.refreshed).toHaveLength(1);
    // Attribution runs again (a retry after it failed must still count), and finds nothing new to count.
    expect(p.attributed).toHaveLength(2);
  });

  it('skips a delivery for a channel that is gone or redacted, writing nothing but releasing its body', async () => {
    const p = ports({ channels: [{ id: 'ch_std', status: 'redacted' }] });

    const redacted = await ingestDelivery(p.wired, delivery());
    const unknown = await ingestDelivery(p.wired, delivery({ channelId: 'ch_gone', deliveryId: 'msg_2' }));

    expect([redacted, unknown]).toEqual([
      { result: 'skipped', why: 'channel removed' },
      { result: 'skipped', why: 'channel removed' },
    ]);
    expect(p.repo.orders.size).toBe(0);
    expect(p.discarded).toEqual(['msg_1', 'msg_2']);
  });

  it('quarantines a body that is not JSON, with its reason and the body as sent', async () => {
    const p = ports();

    const result = await ingestDelivery(p.wired, delivery({ body: '{"id": 1001,' }));

    expect(result).toEqual({ result: 'quarantined', reason: 'body is not JSON', issues: [] });
    expect(p.quarantined.get('q_ch_std_msg_1')).toEqual({
      entry: expect.objectContaining({ id: 'q_ch_std_msg_1', channelId: 'ch_std', deliveryId: 'msg_1', reason: 'body is not JSON', status: 'open', updatedAt: now.toISOString() }),
      body: '{"id": 1001,',
    });
    expect(p.discarded).toEqual(['msg_1']);
    expect(p.repo.orders.size).toBe(0);
  });

  it('quarantines an order with a negative total, keeps the person findable for erasure, and moves no figure', async () => {
    const p = ports();
    const body = standardOrder('1002', '-5.00', 'eve@example.com');

    const result = await ingestDelivery(p.wired, delivery({ body }));

    expect(result).toMatchObject({ result: 'quarantined' });
    const stored = p.quarantined.get('q_ch_std_msg_1')!;
    expect(`${stored.entry.reason} ${stored.entry.issues.join(' ')}`).toMatch(/total/);
    expect(stored.entry.identityDigests).toEqual(payloadDigests({ channelId: 'ch_std', topic: 'order.created', raw: Buffer.from(body) }));
    expect(stored.entry.identityDigests?.length).toBeGreaterThan(0);
    expect(p.repo.profiles.size).toBe(0);
  });

  it('quarantines a replay that fails again under the entry it replays, and resolves one that goes through', async () => {
    const p = ports();

    const failed = await ingestDelivery(p.wired, delivery({ body: 'nope', replayOf: 'q_old' }));
    const fixed = await ingestDelivery(p.wired, delivery({ deliveryId: 'msg_2', replayOf: 'q_fixed' }));

    expect(failed).toMatchObject({ result: 'quarantined' });
    expect([...p.quarantined.keys()]).toEqual(['q_old']);
    expect(fixed).toMatchObject({ result: 'processed', outcome: 'created' });
    expect(p.resolved).toEqual(['q_fixed']);
  });

  it('skips a replay whose quarantined body a privacy request erased', async () => {
    const p = ports();

    const result = await ingestDelivery(p.wired, delivery({ body: undefined, replayOf: 'q_erased' }));

    expect(result).toEqual({ result: 'skipped', why: 'body erased' });
    expect(p.resolved).toEqual([]);
    expect(p.quarantined.size).toBe(0);
  });

  it('fetches a BigCommerce order with the channel\'s API access and records what the store sent', async () => {
    const p = ports({ channels: [bigCommerceChannel] });

    const result = await ingestDelivery(p.wired, bigCommerceDelivery());

    expect(result).toEqual({ result: 'processed', kind: 'order', outcome: 'created' });
    expect(p.fetches).toEqual([{ access: { apiBaseUrl: bigCommerceChannel.apiBaseUrl, apiToken: 'token' }, id: '250' }]);
    expect(p.repo.orders.get('ch_bc#250')).toMatchObject({ totalMinor: 22549, currency: 'USD' });
    expect(JSON.parse(p.repo.raws.get('ch_bc#250')!.toString())).toMatchObject({ id: 250 });
  });

  it('quarantines a BigCommerce delivery the store refuses to serve, with the store\'s answer as the reason', async () => {
    const p = ports({
      channels: [bigCommerceChannel],
      fetchOrder: async () => {
        throw new StoreRefusedError('BigCommerce API answered 404 for /v2/orders/250', 404);
      },
    });

    const result = await ingestDelivery(p.wired, bigCommerceDelivery());

    expect(result).toEqual({ result: 'quarantined', reason: 'BigCommerce API answered 404 for /v2/orders/250', issues: [] });
    expect(p.discarded).toEqual(['msg_1']);
  });

  it('quarantines a BigCommerce delivery of a channel without API access, without calling the store', async () => {
    const p = ports({ channels: [{ id: 'ch_bc', status: 'active' }] });

    const result = await ingestDelivery(p.wired, bigCommerceDelivery());

    expect(result).toMatchObject({ result: 'quarantined', reason: expect.stringMatching(/no BigCommerce API base URL or token/) });
    expect(p.fetches).toEqual([]);
  });

  it('throws a failure a retry may fix, keeping the body for the redelivery', async () => {
    const p = ports({
      channels: [bigCommerceChannel],
      fetchOrder: async () => {
        throw new TransientError('BigCommerce API unreachable');
      },
    });

    await expect(ingestDelivery(p.wired, bigCommerceDelivery())).rejects.toThrow(TransientError);

    expect(p.discarded).toEqual([]);
    expect(p.quarantined.size).toBe(0);
  });

  it('carries out a customers/redact request through the privacy use case', async () => {
    const p = ports({ channels: [{ id: 'ch_shop', status: 'active' }] });
    const order = JSON.stringify({
      id: 450789469,
      email: 'bob@example.com',
      created_at: '2026-03-01T10:00:00-05:00',
      updated_at: '2026-03-01T10:00:00-05:00',
      currency: 'USD',
      total_price: '10.00',
      financial_status: 'paid',
      customer: { id: 207119551, email: 'bob@example.com' },
      line_items: [],
    });
    await ingestDelivery(p.wired, delivery({ channelId: 'ch_shop', platform: 'shopify', topic: 'orders/create', body: order }));
    const redact = JSON.stringify({
      shop_id: 954889,
      shop_domain: 'example.myshopify.com',
      customer: { id: 207119551, email: 'bob@example.com', phone: '555-625-1199' },
      orders_to_redact: [450789469],
    });

    const result = await ingestDelivery(
      p.wired,
      delivery({ channelId: 'ch_shop', platform: 'shopify', topic: 'customers/redact', deliveryId: 'msg_2', body: redact }),
    );

    expect(result).toEqual({ result: 'processed', kind: 'redact-customer', outcome: 'redacted' });
    const profile = [...p.repo.profiles.values()][0]!;
    expect(profile.redactedAt).toBe(now.toISOString());
    expect(profile.email).toBeUndefined();
    expect(p.privacy.memoryStore.erasedPayloads).toEqual(['ch_shop#450789469']);
  });

  it('records a refund and a removed order, each by its own kind', async () => {
    const p = ports({ channels: [{ id: 'ch_std', status: 'active' }, { id: 'ch_woo', status: 'active' }] });
    await ingestDelivery(p.wired, delivery());
    const refund = JSON.stringify({
      type: 'refund.created',
      timestamp: '2026-03-02T10:00:00.000Z',
      data: { id: 'ref_1', orderId: '1001', amount: '5.00', currency: 'EUR', createdAt: '2026-03-02T10:00:00.000Z' },
    });

    const refunded = await ingestDelivery(p.wired, delivery({ topic: 'refund.created', deliveryId: 'msg_2', body: refund }));
    const removed = await ingestDelivery(
      p.wired,
      delivery({ channelId: 'ch_woo', platform: 'woocommerce', topic: 'order.deleted', deliveryId: 'msg_3', body: JSON.stringify({ id: 77 }) }),
    );

    expect(refunded).toEqual({ result: 'processed', kind: 'refund', outcome: 'updated' });
    expect([...p.repo.profiles.values()][0]!.figures).toMatchObject({ refundedMinor: 500, netMinor: 1500 });
    // The refund's customer is scored again; the removed order had none.
    expect(p.refreshed).toEqual([[...p.repo.profiles.keys()][0], [...p.repo.profiles.keys()][0]]);
    expect(removed).toMatchObject({ result: 'processed', kind: 'order-removed' });
  });

  it('quarantines a refund that returns more than its order was paid, leaving the figures as they were', async () => {
    const p = ports();
    await ingestDelivery(p.wired, delivery());
    const refund = JSON.stringify({
      type: 'refund.created',
      timestamp: '2026-03-02T10:00:00.000Z',
      data: { id: 'ref_1', orderId: '1001', amount: '25.00', currency: 'EUR', createdAt: '2026-03-02T10:00:00.000Z' },
    });

    const result = await ingestDelivery(p.wired, delivery({ topic: 'refund.created', deliveryId: 'msg_2', body: refund }));

    expect(result).toMatchObject({ result: 'quarantined' });
    expect(p.quarantined.has('q_ch_std_msg_2')).toBe(true);
    expect([...p.repo.profiles.values()][0]!.figures).toMatchObject({ refundedMinor: 0, netMinor: 2000 });
  });

  it('records facts about a customer from a customer event', async () => {
    const p = ports();
    const body = JSON.stringify({
      type: 'customer.updated',
      timestamp: '2026-03-02T10:00:00.000Z',
      data: { id: 'cus_9', email: 'cy@example.com', firstName: 'Cy', updatedAt: '2026-03-02T10:00:00.000Z' },
    });

    const result = await ingestDelivery(p.wired, delivery({ topic: 'customer.updated', body }));

    expect(result).toMatchObject({ result: 'processed', kind: 'customer' });
    expect([...p.repo.profiles.values()]).toEqual([expect.objectContaining({ email: 'cy@example.com', firstName: 'Cy' })]);
  });

  it('fetches a BigCommerce customer and records it; a refusal quarantines the delivery', async () => {
    const fetchedCustomer = { id: 32, email: 'jo@example.com', first_name: 'Jo', last_name: 'B', date_modified: '2026-03-02T10:00:00Z' };
    const p = ports({ channels: [bigCommerceChannel], fetchCustomer: async () => fetchedCustomer });
    const refused = ports({ channels: [bigCommerceChannel] });
    const body = JSON.stringify({ scope: 'store/customer/created', store_id: '1', data: { type: 'customer', id: 32 }, created_at: 1561481571, producer: 'stores/abc' });
    const customerDelivery = bigCommerceDelivery({ topic: 'store/customer/created', body });

    const result = await ingestDelivery(p.wired, customerDelivery);
    const refusal = await ingestDelivery(refused.wired, customerDelivery);

    expect(result).toMatchObject({ result: 'processed', kind: 'customer' });
    expect(p.fetches).toEqual([{ access: { apiBaseUrl: bigCommerceChannel.apiBaseUrl, apiToken: 'token' }, id: '32' }]);
    expect([...p.repo.profiles.values()]).toEqual([expect.objectContaining({ email: 'jo@example.com', channels: ['ch_bc'] })]);
    expect(refusal).toEqual({ result: 'quarantined', reason: 'BigCommerce has no customer', issues: [] });
  });

  it('quarantines a BigCommerce delivery of a channel with a base URL but no token, without calling the store', async () => {
    const p = ports({ channels: [{ id: 'ch_bc', status: 'active', apiBaseUrl: bigCommerceChannel.apiBaseUrl }] });

    const result = await ingestDelivery(p.wired, bigCommerceDelivery());

    expect(result).toMatchObject({ result: 'quarantined' });
    expect(p.fetches).toEqual([]);
  });

  it('answers a customers/data_request with an export and a shop/redact by erasing the channel', async () => {
    const p = ports({ channels: [{ id: 'ch_shop', status: 'active' }] });
    const dataRequest = JSON.stringify({
      shop_id: 954889,
      shop_domain: 'example.myshopify.com',
      orders_requested: [299938],
      customer: { id: 191167, email: 'john@example.com', phone: '555-625-1199' },
      data_request: { id: 9999 },
    });
    const shopRedact = JSON.stringify({ shop_id: 954889, shop_domain: 'example.myshopify.com' });
    const shopify = (topic: string, deliveryId: string, body: string) =>
      delivery({ channelId: 'ch_shop', platform: 'shopify', topic, deliveryId, body });

    const exported = await ingestDelivery(p.wired, shopify('customers/data_request', 'msg_1', dataRequest));
    const exports = [...p.privacy.memoryStore.exports.values()];
    const redacted = await ingestDelivery(p.wired, shopify('shop/redact', 'msg_2', shopRedact));

    expect(exported).toEqual({ result: 'processed', kind: 'data-request', outcome: 'exported' });
    expect(exports).toEqual([expect.objectContaining({ channelId: 'ch_shop', requestId: '9999' })]);
    expect(redacted).toEqual({ result: 'processed', kind: 'redact-shop', outcome: 'redacted' });
    expect(p.privacy.memoryStore.redactedChannels).toEqual(['ch_shop']);
  });

  it('acknowledges an event huitou does not use, writing nothing', async () => {
    const p = ports({ channels: [{ id: 'ch_woo', status: 'active' }] });

    const result = await ingestDelivery(
      p.wired,
      delivery({ channelId: 'ch_woo', platform: 'woocommerce', topic: 'customer.deleted', body: JSON.stringify({ id: 5 }) }),
    );

    expect(result).toEqual({ result: 'processed', kind: 'ignored', outcome: 'ignored' });
    expect(p.repo.orders.size + p.repo.profiles.size + p.quarantined.size).toBe(0);
  });
});
