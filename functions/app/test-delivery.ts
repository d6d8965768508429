// A sample order as the channel's store would send it, signed with the
// channel's current secret, for `huitou webhooks send-test`. The secret never
// leaves huitou: the caller gets one signed delivery of a body huitou chose
// (a made-up order for a made-up customer), which it POSTs to the webhook URL
// so the delivery takes the real path (signature check, queue, processor).
import { randomBytes } from 'node:crypto';
import type { Channel } from '../domain/channels';
import { quarantineId } from '../domain/quarantine';
import { signBodyHmac, signStandardWebhook } from '../adapters/signatures';
import type { Platform } from '../domain/model';
import { ConflictError } from '../shared/errors';

/** example.com is reserved (RFC 2606): no mail to this customer can reach anyone. */
export const testCustomerEmail = 'test-customer@example.com';

export interface TestDelivery {
  channelId: string;
  platform: Platform;
  /** The request a store makes: lower-case header names, and the exact body that was signed. */
  headers: Record<string, string>;
  body: string;
  deliveryId: string;
  orderId: string;
  /**
   * `order`: the order shows up on the customer with `customerEmail`.
   * `store-fetch`: a BigCommerce body names only an order id, which the processor
   * asks the store API for; the id is made up, so the store answers 404 and the
   * delivery goes to quarantine with that answer (a 401 or 403 there means the
   * channel's API token is refused).
   */
  expect: 'order' | 'store-fetch';
  /** The customer of the order; null for BigCommerce, whose body names no customer. */
  customerEmail: string | null;
  /** Whether the order carries the platform's test flag, so it is kept but not counted in figures. */
  testOrder: boolean;
  /** Where the processor files the delivery if it cannot use it. */
  quarantineId: string;
}

type SampleChannel = Pick<Channel, 'id' | 'platform' | 'webhookSecrets' | 'currency' | 'status'>;

/** BigCommerce numbers orders from 100: no store has order 0. */
const missingBigCommerceOrderId = 0;

export function testDelivery(
  channel: SampleChannel,
  { now, nonce = randomBytes(6).toString('hex') }: { now: Date; nonce?: string },
): TestDelivery {
  const [secret] = channel.webhookSecrets;
  if (channel.status !== 'active' || secret === undefined) {
    throw new ConflictError(`channel ${channel.id} was redacted: it accepts no deliveries`);
  }
  const sample = { orderId: `test-${nonce}`, deliveryId: `huitou-test-${nonce}`, currency: channel.currency ?? 'USD', now };
  const signed = sign(channel.platform, secret, sample);
  const bigCommerce = channel.platform === 'bigcommerce';
  return {
    channelId: channel.id,
    platform: channel.platform,
    ...signed,
    deliveryId: sample.deliveryId,
    orderId: bigCommerce ? String(missingBigCommerceOrderId) : sample.orderId,
    expect: bigCommerce ? 'store-fetch' : 'order',
    customerEmail: bigCommerce ? null : testCustomerEmail,
    // WooCommerce has no test orders: its sample is a paid order and counts.
    testOrder: channel.platform === 'shopify' || channel.platform === 'standard',
    quarantineId: quarantineId(channel.id, sample.deliveryId),
  };
}

interface Sample {
  orderId: string;
  deliveryId: string;
  currency: string;
  now: Date;
}

function sign(platform: Platform, secret: string, sample: Sample): { headers: Record<string, string>; body: string } {
  const iso = sample.now.toISOString();
  const { deliveryId, now } = sample;
  const request = (body: string, topic: string) => ({
    body,
    headers: webhookHeaders(platform, secret, { body, topic, deliveryId, now }),
  });
  switch (platform) {
    case 'shopify':
      return request(JSON.stringify(shopifyOrder(sample, iso)), 'orders/create');
    case 'woocommerce':
      return request(JSON.stringify(wooOrder(sample, iso)), 'order.created');
    case 'standard':
      return request(JSON.stringify(standardOrder(sample, iso)), 'order.created');
    case 'bigcommerce':
      return request(JSON.stringify(bigCommerceOrderCreated(sample)), 'store/order/created');
  }
}

/**
 * The headers a store sends with `body`, signed with the channel's secret the way
 * the platform signs. Standard Webhooks and BigCommerce name the topic in the
 * body, so `topic` only goes into Shopify and WooCommerce headers. Standard
 * Webhooks refuses a timestamp more than 5 minutes off: `now` must be fresh.
 */
export function webhookHeaders(
  platform: Platform,
  secret: string,
  { body, topic, deliveryId, now }: { body: string; topic: string; deliveryId: string; now: Date },
): Record<string, string> {
  switch (platform) {
    case 'shopify':
      return {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-hmac-sha256': signBodyHmac(body, secret),
        'x-shopify-webhook-id': deliveryId,
        'x-shopify-event-id': deliveryId,
        'x-shopify-triggered-at': now.toISOString(),
      };
    case 'woocommerce': {
      const [resource = '', event = ''] = topic.split('.');
      return {
        'content-type': 'application/json',
        'x-wc-webhook-topic': topic,
        'x-wc-webhook-resource': resource,
        'x-wc-webhook-event': event,
        'x-wc-webhook-signature': signBodyHmac(body, secret),
        'x-wc-webhook-delivery-id': deliveryId,
      };
    }
    case 'standard':
    case 'bigcommerce': {
      const timestamp = Math.floor(now.getTime() / 1000);
      return {
        'content-type': 'application/json',
        'webhook-id': deliveryId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook(body, secret, deliveryId, timestamp),
      };
    }
  }
}

const amount = '20.00';

function shopifyOrder({ orderId, currency }: Sample, iso: string) {
  const money = { shop_money: { amount, currency_code: currency }, presentment_money: { amount, currency_code: currency } };
  return {
    id: orderId,
    name: '#TEST',
    email: testCustomerEmail,
    created_at: iso,
    processed_at: iso,
    updated_at: iso,
    test: true,
    currency,
    total_price: amount,
    total_price_set: money,
    financial_status: 'paid',
    discount_codes: [],
    customer: { email: testCustomerEmail, first_name: 'Test', last_name: 'Customer' },
    line_items: [{ title: 'huitou test item', quantity: 1, price: amount, price_set: money }],
  };
}

function wooOrder({ orderId, currency }: Sample, iso: string) {
  // WooCommerce dates have no offset; the sample store's clock is UTC.
  const local = iso.slice(0, 19);
  return {
    id: orderId,
    number: 'TEST',
    status: 'processing',
    currency,
    total: amount,
    date_created: local,
    date_created_gmt: local,
    date_modified: local,
    date_modified_gmt: local,
    customer_id: 0,
    billing: { first_name: 'Test', last_name: 'Customer', email: testCustomerEmail },
    line_items: [{ name: 'huitou test item', quantity: 1, total: amount }],
    coupon_lines: [],
    refunds: [],
  };
}

function standardOrder({ orderId, currency }: Sample, iso: string) {
  return {
    type: 'order.created',
    timestamp: iso,
    data: {
      id: orderId,
      number: '#TEST',
      placedAt: iso,
      updatedAt: iso,
      status: 'open',
      test: true,
      currency,
      total: amount,
      customer: { email: testCustomerEmail, firstName: 'Test', lastName: 'Customer' },
    },
  };
}

/** BigCommerce's documented store/order/created body: ids only. */
function bigCommerceOrderCreated({ now }: Sample) {
  return {
    scope: 'store/order/created',
    store_id: '0',
    data: { type: 'order', id: missingBigCommerceOrderId },
    hash: randomBytes(20).toString('hex'),
    created_at: Math.floor(now.getTime() / 1000),
    producer: 'stores/huitou-test',
  };
}
