// Mutated, correctly signed deliveries for the fuzz test, built from the real
// fixtures of all four platforms. fast-check draws the cases (so a seed replays
// them); this module turns each into the bytes a store would send.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { idSchema } from '../../functions/domain/normalize/common';

export type Platform = 'shopify' | 'woocommerce' | 'bigcommerce' | 'standard';
type Json = any;
type Path = (string | number)[];

const fixture = (path: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/marketplaces/${path}`, import.meta.url), 'utf8'));

const shopifyOrder = fixture('shopify/orders_updated.derived-from-official-rest.json');
const shopifyCancelled = fixture('shopify/orders_cancelled.derived-from-official-rest.json');
const shopifyRefund = fixture('shopify/refunds_create.derived-from-official-rest.json');
const wooCreated = fixture('woocommerce/order.created.json');
const wooUpdated = fixture('woocommerce/order.updated.json');
const bigCommerceCreated = fixture('bigcommerce/store_order_created.json');
const bigCommerceUpdated = fixture('bigcommerce/store_order_updated.json');
const bigCommerceRefund = fixture('bigcommerce/store_order_refund_created.json');

/** A V2 order as BigCommerce's GET /v2/orders/{id} answers it (documented field names). */
function bigCommerceV2Order(id: number, email: string): Json {
  return {
    id,
    customer_id: id + 10_000,
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
      street_1: '123 Main Street',
      city: 'Austin',
      zip: '78751',
      country: 'United States',
      country_iso2: 'US',
      phone: '',
      email,
    },
  };
}

/** An order event of huitou's own schema, as the README documents it. */
function standardOrder(type: string, id: string, email: string): Json {
  return {
    type,
    timestamp: '2026-03-14T23:26:41+01:00',
    data: {
      id,
      number: `#${id}`,
      placedAt: '2026-03-14T23:26:41+01:00',
      updatedAt: '2026-03-14T23:26:41+01:00',
      status: 'open',
      currency: 'EUR',
      total: '59.90',
      refunds: [{ id: `${id}-r1`, amount: '10.00' }],
      discountCodes: ['WELCOME10'],
      customer: { id: `c-${id}`, email, firstName: 'Ana', emailConsent: { state: 'subscribed', at: '2026-03-14T23:20:00+01:00' } },
    },
  };
}

/** One base document: its topic, and how to give it an order id and a person. */
interface Base {
  topic: string;
  /** The document the fuzz mutates; for BigCommerce also the order the store API serves. */
  build(orderId: number, email: string): { body: Json; storeOrder?: Json };
}

const bases: Record<Platform, Base[]> = {
  shopify: [
    { topic: 'orders/create', build: (id, email) => ({ body: shopifyPerson(shopifyOrder, id, email) }) },
    { topic: 'orders/updated', build: (id, email) => ({ body: shopifyPerson(shopifyOrder, id, email) }) },
    { topic: 'orders/cancelled', build: (id, email) => ({ body: shopifyPerson(shopifyCancelled, id, email) }) },
    { topic: 'refunds/create', build: (id) => ({ body: { ...shopifyRefund, id: id + 900_000_000, order_id: id } }) },
  ],
  woocommerce: [
    { topic: 'order.created', build: (id, email) => ({ body: wooPerson(wooCreated, id, email) }) },
    { topic: 'order.updated', build: (id, email) => ({ body: wooPerson(wooUpdated, id, email) }) },
  ],
  bigcommerce: [bigCommerceCreated, bigCommerceUpdated, bigCommerceRefund].map((webhook) => ({
    topic: '',
    build: (id: number, email: string) => ({
      body: { ...webhook, data: { ...webhook.data, id, ...(webhook.data.order_id !== undefined ? { order_id: id } : {}) } },
      storeOrder: bigCommerceV2Order(id, email),
    }),
  })),
  standard: ['order.created', 'order.updated', 'order.cancelled'].map((type) => ({
    topic: '',
    build: (id: number, email: string) => ({ body: standardOrder(type, `S-${id}`, email) }),
  })),
};

function shopifyPerson(order: Json, id: number, email: string): Json {
  return {
    ...order,
    id,
    email,
    contact_email: email,
    customer: { ...order.customer, id: id + 500_000_000, email },
  };
}

function wooPerson(order: Json, id: number, email: string): Json {
  return { ...order, id, number: String(id), customer_id: id + 500_000, billing: { ...order.billing, email } };
}

// ---- mutations -------------------------------------------------------------------

const oddTexts = [
  '\u202eevil\u202c',
  'nul\u0000byte',
  'lone \ud800 surrogate',
  '🦄'.repeat(40),
  'e\u0301\u0301\u0301\u0301',
  '\ufeffbom',
  'zero\u200bwidth',
  '𝕳𝖚𝖎𝖙𝖔𝖚 回头',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '../../etc/passwd',
];

export type Mutation =
  | { kind: 'delete'; pick: number }
  | { kind: 'wrongType'; pick: number; value: unknown }
  | { kind: 'hugeString'; pick: number; length: number }
  | { kind: 'negativeAmount'; pick: number }
  | { kind: 'hugeAmount'; pick: number; value: unknown }
  | { kind: 'oddUnicode'; pick: number; text: string };

const pick = fc.nat();
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), pick }),
  fc.record({
    kind: fc.constant('wrongType' as const),
    pick,
    value: fc.constantFrom<unknown>(null, true, 0, -1, 1.5, '', 'x', 'NaN', [], {}, [1, 2], { a: 1 }),
  }),
  fc.record({ kind: fc.constant('hugeString' as const), pick, length: fc.integer({ min: 1_000, max: 60_000 }) }),
  fc.record({ kind: fc.constant('negativeAmount' as const), pick }),
  fc.record({
    kind: fc.constant('hugeAmount' as const),
    pick,
    value: fc.constantFrom<unknown>('99999999999999999999.99', 1e308, '1e400', 9007199254740993, '0.000000001', '12,50', ' 7.00 '),
  }),
  fc.record({
    kind: fc.constant('oddUnicode' as const),
    pick,
    text: fc.oneof(fc.constantFrom(...oddTexts), fc.string({ unit: 'binary', maxLength: 24 })),
  }),
);

export interface FuzzCase {
  platform: Platform;
  variant: number;
  mutations: Mutation[];
  /** Reuse the order id (and person) of an earlier case of the same platform. */
  duplicateOf: number | undefined;
  /** How many more times the same delivery (same webhook id) is sent. */
  repeats: number;
  /** Pad the body to a large size, with text gzip can shrink or not. */
  large: { bytes: number; compressible: boolean } | undefined;
}

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  platform: fc.constantFrom<Platform>('shopify', 'woocommerce', 'bigcommerce', 'standard'),
  variant: fc.nat(),
  // A third of the cases stay valid, so figures have orders to add up.
  mutations: fc.oneof(
    { arbitrary: fc.constant<Mutation[]>([]), weight: 1 },
    { arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }), weight: 2 },
  ),
  duplicateOf: fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, { arbitrary: fc.nat(), weight: 1 }),
  repeats: fc.oneof({ arbitrary: fc.constant(0), weight: 12 }, { arbitrary: fc.integer({ min: 1, max: 2 }), weight: 1 }),
  large: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 60 },
    { arbitrary: fc.record({ bytes: fc.integer({ min: 150_000, max: 800_000 }), compressible: fc.boolean() }), weight: 1 },
  ),
});

function childPaths(value: Json, prefix: Path, into: Path[], depth: number): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  for (const key of Array.isArray(value) ? value.keys() : Object.keys(value)) {
    const path = [...prefix, key];
    into.push(path);
    childPaths(value[key], path, into, depth + 1);
  }
}

function pathsOf(root: Json): Path[] {
  const paths: Path[] = [];
  childPaths(root, [], paths, 0);
  return paths;
}

function parentOf(root: Json, path: Path): Json {
  return path.slice(0, -1).reduce((node, key) => node[key], root);
}

function valueAt(root: Json, path: Path): Json {
  return path.reduce((node, key) => node?.[key], root);
}

const moneyKey = /price|total|amount|subtotal|tax|refund|discount/i;

function isAmount(value: unknown): boolean {
  return typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value));
}

function negated(value: unknown): unknown {
  if (typeof value === 'number') return value === 0 ? -1 : -Math.abs(value);
  const text = String(value);
  return text.startsWith('-') ? text : `-${text === '0' || /^0(\.0+)?$/.test(text) ? '1.00' : text}`;
}

/** Applies one mutation in place; a mutation with nothing to act on changes nothing. */
function mutate(root: Json, m: Mutation): void {
  const all = pathsOf(root);
  const among = (paths: Path[]): Path | undefined => (paths.length ? paths[m.pick % paths.length] : undefined);
  switch (m.kind) {
    case 'delete': {
      const path = among(all);
      if (!path) return;
      const parent = parentOf(root, path);
      const key = path.at(-1)!;
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      return;
    }
    case 'wrongType': {
      const path = among(all);
      if (path) parentOf(root, path)[path.at(-1)!] = structuredClone(m.value);
      return;
    }
    case 'hugeString': {
      const path = among(all.filter((p) => typeof valueAt(root, p) === 'string'));
      if (path) parentOf(root, path)[path.at(-1)!] = 'x'.repeat(m.length);
      return;
    }
    case 'negativeAmount':
    case 'hugeAmount': {
      const path = among(all.filter((p) => moneyKey.test(String(p.at(-1))) && isAmount(valueAt(root, p))));
      if (!path) return;
      const parent = parentOf(root, path);
      const key = path.at(-1)!;
      parent[key] = m.kind === 'negativeAmount' ? negated(parent[key]) : m.value;
      return;
    }
    case 'oddUnicode': {
      const path = among(all.filter((p) => typeof valueAt(root, p) === 'string'));
      if (path) parentOf(root, path)[path.at(-1)!] = m.text;
      return;
    }
  }
}

// ---- deliveries --------------------------------------------------------------------

export interface FuzzDelivery {
  index: number;
  platform: Platform;
  /** Header topic (Shopify, WooCommerce); empty where the body carries it. */
  topic: string;
  /** Shopify webhook id, WooCommerce delivery id or Standard Webhooks webhook-id. */
  deliveryId: string;
  body: string;
  /** How many times it is sent (1 + repeats). */
  sends: number;
  /** BigCommerce: the order the fake store API answers for the webhook's id. */
  storeOrder?: { id: string; order: Json };
  /**
   * The order ids this delivery may end up in, when it still names a valid one:
   * for BigCommerce also the id of the order the store served, which is the
   * one the processor keeps.
   */
  orderIds: string[];
  description: string;
}

function noise(bytes: number, compressible: boolean): string {
  return compressible ? 'lorem ipsum '.repeat(Math.ceil(bytes / 12)).slice(0, bytes) : randomBytes(bytes).toString('base64').slice(0, bytes);
}

function validId(value: unknown): string | undefined {
  const parsed = idSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function orderIdOf(platform: Platform, topic: string, body: Json): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  switch (platform) {
    case 'shopify':
      return validId(topic === 'refunds/create' ? body.order_id : body.id);
    case 'woocommerce':
      return validId(body.id);
    case 'bigcommerce':
      return validId(body.data?.order_id ?? body.data?.id);
    case 'standard':
      return validId(body.data?.id);
  }
}

/** Turns the drawn cases into deliveries: ids, people, mutations, padding. */
export function buildDeliveries(cases: FuzzCase[], runId: string): FuzzDelivery[] {
  const deliveries = drawDeliveries(cases, runId);
  // The fake store serves one order per id, the last one set (the fuzz test
  // fills its map in this order). A delivery that reuses an id fetches that
  // order, so it may end as the order another delivery's mutations made.
  const served = new Map(deliveries.flatMap((d) => (d.storeOrder ? [[d.storeOrder.id, d.storeOrder.order] as const] : [])));
  return deliveries.map((d) => {
    const servedId = d.storeOrder ? validId((served.get(d.storeOrder.id) as Json | undefined)?.id) : undefined;
    return servedId === undefined || d.orderIds.includes(servedId) ? d : { ...d, orderIds: [...d.orderIds, servedId] };
  });
}

function drawDeliveries(cases: FuzzCase[], runId: string): FuzzDelivery[] {
  const orderIds: { platform: Platform; id: number }[] = [];
  return cases.map((c, index) => {
    const samePlatform = orderIds.filter((o) => o.platform === c.platform);
    const reused = c.duplicateOf !== undefined && samePlatform.length > 0 ? samePlatform[c.duplicateOf % samePlatform.length] : undefined;
    const id = reused?.id ?? 10_000_000 + index;
    orderIds.push({ platform: c.platform, id });
    const email = `fuzz-${runId}-${c.platform}-${id}@example.com`;
    const base = bases[c.platform][c.variant % bases[c.platform].length]!;
    const built = base.build(id, email);
    // BigCommerce: the mutations reach both the thin webhook and the order the store serves.
    const doc: Json = structuredClone({ body: built.body, order: built.storeOrder });
    for (const m of c.mutations) mutate(doc, m);
    if (c.large) {
      const pad = noise(c.large.bytes, c.large.compressible);
      if (doc.body !== null && typeof doc.body === 'object' && !Array.isArray(doc.body)) doc.body.note = pad;
      else doc.body = { wrapped: doc.body, note: pad };
    }
    const body = doc.body === undefined ? '' : JSON.stringify(doc.body);
    const mutations = c.mutations.map((m) => m.kind).join('+') || 'valid';
    return {
      index,
      platform: c.platform,
      topic: base.topic,
      deliveryId: `fz-${runId}-${index}`,
      body,
      sends: 1 + c.repeats,
      ...(built.storeOrder !== undefined ? { storeOrder: { id: String(id), order: doc.order } } : {}),
      orderIds: [orderIdOf(c.platform, base.topic, doc.body), ...(built.storeOrder ? [validId(doc.order?.id)] : [])].filter(
        (orderId): orderId is string => orderId !== undefined,
      ),
      description: `#${index} ${c.platform} ${base.topic || (built.body.type ?? built.body.scope)} ${mutations}${reused ? ' dup-id' : ''}${c.large ? ` large ${c.large.bytes}` : ''}`,
    };
  });
}
