import { describe, expect, it } from 'vitest';
import {
  ingestDelivery,
  type IngestChannel,
  type IngestPorts,
  type QueuedDelivery,
  type StoreApiAccess,
} from '../../functions/app/ingest-delivery';
import { payloadDigests } from '../../functions/domain/privacy';
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

function ports(options: { channels?: IngestChannel[]; fetchOrder?: (access: StoreApiAccess, id: string) => Promise<unknown> } = {}) {
  const privacy = memoryPrivacyPorts();
  const channels = new Map((options.channels ?? [{ id: 'ch_std', status: 'active' }]).map((c) => [c.id, c]));
  const quarantined = new Map<string, { entry: QuarantineEntry; body: string }>();
  const resolved: string[] = [];
  const discarded: string[] = [];
  const fetches: { access: StoreApiAccess; id: string }[] = [];
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
      fetchCustomer: async () => {
        throw new StoreRefusedError('BigCommerce has no customer', 404);
      },
    },
    now: () => now,
  };
  return { wired, repo: privacy.repo, privacy, quarantined, resolved, discarded, fetches };
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
  });

  it('changes nothing the second time the same delivery comes', async () => {
    const p = ports();
    await ingestDelivery(p.wired, delivery());
    const figures = structuredClone([...p.repo.profiles.values()][0]!.figures);

    const again = await ingestDelivery(p.wired, delivery());

    expect(again).toEqual({ result: 'processed', kind: 'order', outcome: 'unchanged' });
    expect([...p.repo.profiles.values()][0]!.figures).toEqual(figures);
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
});
