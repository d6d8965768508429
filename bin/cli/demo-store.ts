// The store behind `huitou demo`: simulated purchase histories turned into the
// webhook bodies a Shopify and a WooCommerce store send for them, with the
// things real stores have (people on both channels, refunds, cancellations,
// discount codes, mixed marketing consent). Pure: the caller passes the seeded
// Random, so one seed gives one store. Sending and signing live in demo.ts.
import type { Random, SimulatedCustomer, SimulationParams } from '../../functions/domain/scoring/simulate';

export type DemoPlatform = 'shopify' | 'woocommerce';

/** One webhook delivery, unsigned. */
export interface DemoDelivery {
  platform: DemoPlatform;
  topic: string;
  /** When the store would have sent it. */
  at: string;
  /** Built when sent: a large store's bodies would not fit in memory at once. */
  body: () => Record<string, unknown>;
}

export interface DemoStore {
  /** Order creations first, then the cancellations and refunds that follow them: the order a store sends in. */
  deliveries: DemoDelivery[];
  counts: { customers: number; orders: number; refunds: number; cancellations: number; bothChannels: number };
}

/** Stated, so a reader can compare them with what `huitou model` fits. */
export const demoParams: SimulationParams = {
  // Mean 0.08 orders a week while alive (about 4 a year), a quarter drop out after each repeat.
  bgnbd: { r: 0.4, alpha: 5, a: 0.8, b: 2.4 },
  // Mean spend p * gamma / (q - 1) = 44.44 USD an order.
  gammaGamma: { p: 6, q: 3.7, gamma: 20 },
};

export const demoShares = {
  /** People who buy on both channels, alternating. */
  bothChannels: 0.2,
  /** People whose home channel is Shopify (the rest: WooCommerce). */
  shopify: 0.6,
  cancelled: 0.05,
  /** Of the orders not cancelled. */
  refunded: 0.08,
  /** Of the refunds: the whole order (else a part). */
  fullRefund: 0.5,
  discounted: 0.2,
  /** Shopify consent: subscribed, not subscribed, and the rest unknown (no consent record). */
  subscribed: 0.4,
  notSubscribed: 0.3,
  /** WooCommerce orders by a registered account (else a guest). */
  registered: 0.7,
} as const;

export const demoCurrency = 'USD';

const FIRST_NAMES = ['Ana', 'Ben', 'Chloé', 'Dmitri', 'Emma', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemal', 'Lena',
  'Mateo', 'Nora', 'Omar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Yara', 'Zoé'];
const LAST_NAMES = ['Almeida', 'Brown', 'Chen', 'Dubois', 'Eriksen', 'Fischer', 'García', 'Haddad', 'Ivanova', 'Jensen',
  'Kowalski', 'Li', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Rossi', 'Schmidt', 'Tanaka', 'Varga', 'Weber', 'Yilmaz'];
const CITIES = [
  { city: 'Portland', state: 'OR', zip: '97205', country: 'US' },
  { city: 'Austin', state: 'TX', zip: '78701', country: 'US' },
  { city: 'Toronto', state: 'ON', zip: 'M5V 2T6', country: 'CA' },
  { city: 'Lyon', state: '', zip: '69002', country: 'FR' },
  { city: 'Berlin', state: '', zip: '10115', country: 'DE' },
  { city: 'Melbourne', state: 'VIC', zip: '3000', country: 'AU' },
];
const PRODUCTS = ['Linen shirt', 'Wool socks', 'Canvas tote', 'Ceramic mug', 'Leather belt', 'Rain jacket', 'Tea sampler'];
const CODES = ['SPRING15', 'VIP20', 'FREESHIP', 'BFCM25'];
const WELCOME_CODE = 'WELCOME10';
/** Reserved for documentation (RFC 2606): mail to these people reaches no one. */
const DOMAINS = ['example.com', 'example.org', 'example.net'];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

interface Person {
  index: number;
  firstName: string;
  lastName: string;
  email: string;
  home: DemoPlatform;
  both: boolean;
  address: (typeof CITIES)[number];
  street: string;
  shopifyCustomerId: number;
  consent: 'subscribed' | 'not_subscribed' | 'unknown';
  wooCustomerId: number;
}

interface Order {
  person: Person;
  platform: DemoPlatform;
  id: number;
  number: number;
  placedAt: number;
  totalMinor: number;
  code: string | undefined;
  product: string;
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random.next() * items.length)] as T;
}

function chance(random: Random, share: number): boolean {
  return random.next() < share;
}

function decimal(minor: number): string {
  return (minor / 100).toFixed(2);
}

/** Whole seconds, as stores send them. */
function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** WooCommerce dates carry no offset; the demo store's clock is UTC. */
function wooDate(ms: number): string {
  return iso(ms).slice(0, 19);
}

function person(index: number, random: Random): Person {
  const firstName = pick(random, FIRST_NAMES);
  const lastName = pick(random, LAST_NAMES);
  const local = `${firstName}.${lastName}`.normalize('NFD').replace(/[^A-Za-z.]/g, '').toLowerCase();
  const consentDraw = random.next();
  return {
    index,
    firstName,
    lastName,
    email: `${local}.${index + 1}@${pick(random, DOMAINS)}`,
    home: chance(random, demoShares.shopify) ? 'shopify' : 'woocommerce',
    both: chance(random, demoShares.bothChannels),
    address: pick(random, CITIES),
    street: `${10 + Math.floor(random.next() * 990)} ${pick(random, ['Market', 'Oak', 'Harbour', 'Station', 'Mill'])} St`,
    shopifyCustomerId: 7_100_000_000 + index,
    consent:
      consentDraw < demoShares.subscribed
        ? 'subscribed'
        : consentDraw < demoShares.subscribed + demoShares.notSubscribed
          ? 'not_subscribed'
          : 'unknown',
    wooCustomerId: chance(random, demoShares.registered) ? 100 + index : 0,
  };
}

function shopifyMoney(minor: number) {
  const amount = decimal(minor);
  return {
    shop_money: { amount, currency_code: demoCurrency },
    presentment_money: { amount, currency_code: demoCurrency },
  };
}

function shopifyAddress(p: Person) {
  return {
    first_name: p.firstName,
    last_name: p.lastName,
    name: `${p.firstName} ${p.lastName}`,
    address1: p.street,
    city: p.address.city,
    province_code: p.address.state || null,
    zip: p.address.zip,
    country_code: p.address.country,
  };
}

interface ShopifyRefund {
  id: number;
  at: number;
  minor: number;
}

function shopifyRefundBody(order: Order, refund: ShopifyRefund) {
  return {
    id: refund.id,
    order_id: order.id,
    created_at: iso(refund.at),
    processed_at: iso(refund.at),
    note: 'returned',
    restock: true,
    refund_line_items: [],
    refund_shipping_lines: [],
    order_adjustments: [],
    transactions: [
      {
        id: refund.id + 1,
        order_id: order.id,
        kind: 'refund',
        status: 'success',
        gateway: 'shopify_payments',
        amount: decimal(refund.minor),
        currency: demoCurrency,
        processed_at: iso(refund.at),
      },
    ],
  };
}

function shopifyOrderBody(
  order: Order,
  change: { updatedAt: number; cancelledAt?: number; refund?: ShopifyRefund },
) {
  const p = order.person;
  const consent =
    p.consent === 'unknown'
      ? null
      : { state: p.consent, opt_in_level: 'single_opt_in', consent_updated_at: iso(order.placedAt) };
  const refunded = change.refund?.minor ?? 0;
  return {
    id: order.id,
    name: `#${order.number}`,
    order_number: order.number,
    email: p.email,
    contact_email: p.email,
    created_at: iso(order.placedAt),
    processed_at: iso(order.placedAt),
    updated_at: iso(change.updatedAt),
    cancelled_at: change.cancelledAt === undefined ? null : iso(change.cancelledAt),
    cancel_reason: change.cancelledAt === undefined ? null : 'customer',
    test: false,
    currency: demoCurrency,
    presentment_currency: demoCurrency,
    total_price: decimal(order.totalMinor),
    total_price_set: shopifyMoney(order.totalMinor),
    financial_status:
      change.cancelledAt !== undefined
        ? 'voided'
        : refunded === 0
          ? 'paid'
          : refunded >= order.totalMinor
            ? 'refunded'
            : 'partially_refunded',
    buyer_accepts_marketing: p.consent === 'subscribed',
    discount_codes: order.code ? [{ code: order.code, amount: '0.00', type: 'percentage' }] : [],
    customer: {
      id: p.shopifyCustomerId,
      email: p.email,
      first_name: p.firstName,
      last_name: p.lastName,
      email_marketing_consent: consent,
      default_address: shopifyAddress(p),
    },
    billing_address: shopifyAddress(p),
    shipping_address: shopifyAddress(p),
    line_items: [
      {
        id: order.id + 1,
        title: order.product,
        quantity: 1,
        price: decimal(order.totalMinor),
        price_set: shopifyMoney(order.totalMinor),
      },
    ],
    refunds: change.refund ? [shopifyRefundBody(order, change.refund)] : [],
  };
}

function wooAddress(p: Person, withEmail: boolean) {
  return {
    first_name: p.firstName,
    last_name: p.lastName,
    company: '',
    address_1: p.street,
    address_2: '',
    city: p.address.city,
    state: p.address.state,
    postcode: p.address.zip,
    country: p.address.country,
    ...(withEmail ? { email: p.email } : {}),
    phone: '',
  };
}

function wooOrderBody(order: Order, change: { status: string; updatedAt: number; refund?: { id: number; minor: number } }) {
  const p = order.person;
  const total = decimal(order.totalMinor);
  return {
    id: order.id,
    parent_id: 0,
    number: String(order.number),
    order_key: `wc_order_${order.id.toString(36)}`,
    created_via: 'checkout',
    status: change.status,
    currency: demoCurrency,
    date_created: wooDate(order.placedAt),
    date_created_gmt: wooDate(order.placedAt),
    date_modified: wooDate(change.updatedAt),
    date_modified_gmt: wooDate(change.updatedAt),
    discount_total: '0.00',
    total,
    total_tax: '0.00',
    prices_include_tax: false,
    customer_id: p.wooCustomerId,
    billing: wooAddress(p, true),
    shipping: wooAddress(p, false),
    payment_method: 'stripe',
    payment_method_title: 'Credit card',
    date_paid_gmt: change.status === 'on-hold' ? null : wooDate(order.placedAt),
    line_items: [
      { id: order.id + 1, name: order.product, quantity: 1, subtotal: total, total, price: order.totalMinor / 100 },
    ],
    coupon_lines: order.code ? [{ id: order.id + 2, code: order.code.toLowerCase(), discount: '0.00' }] : [],
    refunds: change.refund ? [{ id: change.refund.id, reason: 'returned', total: `-${decimal(change.refund.minor)}` }] : [],
  };
}

/**
 * A store from a simulated population. People who buy on both channels
 * alternate between them from purchase to purchase. Follow-ups (cancellation
 * within hours, refund within weeks) never fall after `now`.
 */
export function buildDemoStore(population: SimulatedCustomer[], options: { random: Random; now: Date }): DemoStore {
  const { random } = options;
  const now = options.now.getTime();
  const creations: DemoDelivery[] = [];
  const followUps: DemoDelivery[] = [];
  const counts = { customers: population.length, orders: 0, refunds: 0, cancellations: 0, bothChannels: 0 };
  const next = { shopifyId: 6_200_000_000, shopifyNumber: 1001, wooId: 2001, refundId: 880_000_000 };

  population.forEach((customer, index) => {
    const p = person(index, random);
    const platforms = new Set<DemoPlatform>();
    customer.purchases.forEach((purchase, k) => {
      const other: DemoPlatform = p.home === 'shopify' ? 'woocommerce' : 'shopify';
      const platform = p.both && k % 2 === 1 ? other : p.home;
      platforms.add(platform);
      const shopify = platform === 'shopify';
      const id = shopify ? (next.shopifyId += 1000) : next.wooId++;
      const order: Order = {
        person: p,
        platform,
        id,
        number: shopify ? next.shopifyNumber++ : id,
        placedAt: Date.parse(purchase.at),
        totalMinor: purchase.valueMinor,
        code: chance(random, demoShares.discounted) ? (k === 0 ? WELCOME_CODE : pick(random, CODES)) : undefined,
        product: pick(random, PRODUCTS),
      };
      counts.orders++;
      const cancelled = chance(random, demoShares.cancelled);
      const refunded = !cancelled && order.totalMinor > 0 && chance(random, demoShares.refunded);
      const full = chance(random, demoShares.fullRefund);
      const share = 0.2 + random.next() * 0.6;

      if (shopify) {
        creations.push({ platform, topic: 'orders/create', at: iso(order.placedAt), body: () => shopifyOrderBody(order, { updatedAt: order.placedAt }) });
      } else {
        const status = cancelled ? 'on-hold' : 'processing';
        creations.push({ platform, topic: 'order.created', at: iso(order.placedAt), body: () => wooOrderBody(order, { status, updatedAt: order.placedAt }) });
      }

      if (cancelled) {
        counts.cancellations++;
        const at = Math.min(order.placedAt + (1 + random.next() * 23) * HOUR_MS, now);
        followUps.push(
          shopify
            ? { platform, topic: 'orders/cancelled', at: iso(at), body: () => shopifyOrderBody(order, { updatedAt: at, cancelledAt: at }) }
            : { platform, topic: 'order.updated', at: iso(at), body: () => wooOrderBody(order, { status: 'cancelled', updatedAt: at }) },
        );
      } else if (refunded) {
        counts.refunds++;
        const at = Math.min(order.placedAt + (3 + random.next() * 25) * DAY_MS, now);
        const minor = full ? order.totalMinor : Math.max(1, Math.round(order.totalMinor * share));
        const refund = { id: (next.refundId += 1000), at, minor };
        if (shopify) {
          // Shopify sends both: the refund, and the order that now carries it.
          followUps.push({ platform, topic: 'refunds/create', at: iso(at), body: () => shopifyRefundBody(order, refund) });
          followUps.push({ platform, topic: 'orders/updated', at: iso(at), body: () => shopifyOrderBody(order, { updatedAt: at, refund }) });
        } else {
          const status = minor >= order.totalMinor ? 'refunded' : 'processing';
          followUps.push({ platform, topic: 'order.updated', at: iso(at), body: () => wooOrderBody(order, { status, updatedAt: at, refund }) });
        }
      }
    });
    if (platforms.size === 2) counts.bothChannels++;
  });

  // Code-unit order, not localeCompare: ISO instants sort the same, and a
  // hundred thousand customers sort in a second instead of a minute.
  const byTime = (x: DemoDelivery, y: DemoDelivery) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0);
  return { deliveries: [...creations.sort(byTime), ...followUps.sort(byTime)], counts };
}
