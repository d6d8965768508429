import { describe, expect, it } from 'vitest';
import { testCustomerEmail, testDelivery } from '../../functions/app/test-delivery';
import type { Platform } from '../../functions/domain/model';
import { ConflictError } from '../../functions/shared/errors';

// What `huitou webhooks send-test` posts, field by field: the sample must look
// like what each store sends, or it tests a path no real delivery takes.

const now = new Date('2026-03-14T22:26:41.000Z');
const iso = '2026-03-14T22:26:41.000Z';
const seconds = 1773527201;
const base64 = /^[A-Za-z0-9+/]{43}=$/;

function sample(platform: Platform, overrides: Partial<{ webhookSecrets: string[]; status: 'active' | 'redacted' }> = {}) {
  const channel = { id: 'ch_1', platform, webhookSecrets: ['whsec_c2VjcmV0'], status: 'active' as const, currency: 'EUR', ...overrides };
  return testDelivery(channel, { now, nonce: 'abc123' });
}

describe('Use case: testDelivery, the sample each platform gets', () => {
  it('sends Shopify an orders/create of a paid 20.00 order with one item, for Test Customer, with Shopify\'s headers', () => {
    const delivery = sample('shopify');

    const eur = { amount: '20.00', currency_code: 'EUR' };
    expect(JSON.parse(delivery.body)).toEqual({
      id: 'test-abc123',
      name: '#TEST',
      email: testCustomerEmail,
      created_at: iso,
      processed_at: iso,
      updated_at: iso,
      test: true,
      currency: 'EUR',
      total_price: '20.00',
      total_price_set: { shop_money: eur, presentment_money: eur },
      financial_status: 'paid',
      discount_codes: [],
      customer: { email: testCustomerEmail, first_name: 'Test', last_name: 'Customer' },
      line_items: [{ title: 'huitou test item', quantity: 1, price: '20.00', price_set: { shop_money: eur, presentment_money: eur } }],
    });
    expect(delivery.headers).toEqual({
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-hmac-sha256': expect.stringMatching(base64),
      'x-shopify-webhook-id': 'huitou-test-abc123',
      'x-shopify-event-id': 'huitou-test-abc123',
      'x-shopify-triggered-at': iso,
    });
  });

  it('sends WooCommerce an order.created of a processing order with dates in the store\'s clock, without an offset', () => {
    const delivery = sample('woocommerce');

    const local = '2026-03-14T22:26:41';
    expect(JSON.parse(delivery.body)).toEqual({
      id: 'test-abc123',
      number: 'TEST',
      status: 'processing',
      currency: 'EUR',
      total: '20.00',
      date_created: local,
      date_created_gmt: local,
      date_modified: local,
      date_modified_gmt: local,
      customer_id: 0,
      billing: { first_name: 'Test', last_name: 'Customer', email: testCustomerEmail },
      line_items: [{ name: 'huitou test item', quantity: 1, total: '20.00' }],
      coupon_lines: [],
      refunds: [],
    });
    expect(delivery.headers).toEqual({
      'content-type': 'application/json',
      'x-wc-webhook-topic': 'order.created',
      'x-wc-webhook-resource': 'order',
      'x-wc-webhook-event': 'created',
      'x-wc-webhook-signature': expect.stringMatching(base64),
      'x-wc-webhook-delivery-id': 'huitou-test-abc123',
    });
  });

  it('sends a Standard Webhooks order.created of an open test order, signed with the id and timestamp it carries', () => {
    const delivery = sample('standard');

    expect(JSON.parse(delivery.body)).toEqual({
      type: 'order.created',
      timestamp: iso,
      data: {
        id: 'test-abc123',
        number: '#TEST',
        placedAt: iso,
        updatedAt: iso,
        status: 'open',
        test: true,
        currency: 'EUR',
        total: '20.00',
        customer: { email: testCustomerEmail, firstName: 'Test', lastName: 'Customer' },
      },
    });
    expect(delivery.headers).toEqual({
      'content-type': 'application/json',
      'webhook-id': 'huitou-test-abc123',
      'webhook-timestamp': String(seconds),
      'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
    });
  });

  it('sends BigCommerce its store/order/created body: ids only, a hash and the time in seconds', () => {
    const delivery = sample('bigcommerce');

    expect(JSON.parse(delivery.body)).toEqual({
      scope: 'store/order/created',
      store_id: '0',
      data: { type: 'order', id: 0 },
      hash: expect.stringMatching(/^[0-9a-f]{40}$/),
      created_at: seconds,
      producer: 'stores/huitou-test',
    });
    expect(delivery.headers).toMatchObject({ 'content-type': 'application/json', 'webhook-timestamp': String(seconds) });
  });
});

describe('Use case: testDelivery, channels that take no deliveries', () => {
  it('refuses a channel with no secret left, naming it', () => {
    expect(() => sample('shopify', { webhookSecrets: [] })).toThrow(
      new ConflictError('channel ch_1 was redacted: it accepts no deliveries'),
    );
  });

  it('refuses a redacted channel even if a secret is still listed', () => {
    expect(() => sample('woocommerce', { status: 'redacted' })).toThrow(ConflictError);
  });
});
