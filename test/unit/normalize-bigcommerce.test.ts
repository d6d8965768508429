import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  normalizeBigCommerceCustomer,
  normalizeBigCommerceOrder,
  normalizeWebhook,
  type NormalizeResult,
} from '../../functions/domain/normalize';
import { orderOf } from '../support/normalize-results';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/marketplaces/bigcommerce/${name}`, import.meta.url), 'utf8'));

const bigcommerce = (body: unknown, topic = ''): NormalizeResult =>
  normalizeWebhook({ platform: 'bigcommerce', topic, channelId: 'ch-bc', body, receivedAt: '2019-06-25T16:00:00Z' });

const ctx = { channelId: 'ch-bc' };

/**
 * No fixture of GET /v2/orders/{id} exists in the research snapshot: this one is
 * built from the documented V2 field names, with the docs' example values
 * (Jane Doe, 123 Main Street, Austin).
 */
const apiOrder = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 250,
  customer_id: 11,
  date_created: 'Tue, 25 Jun 2019 23:15:35 -0500',
  date_modified: 'Wed, 26 Jun 2019 08:02:10 -0500',
  date_shipped: '',
  status_id: 11,
  status: 'Awaiting Fulfillment',
  subtotal_inc_tax: '225.0000',
  total_ex_tax: '225.0000',
  total_inc_tax: '225.0000',
  refunded_amount: '0.0000',
  currency_code: 'USD',
  default_currency_code: 'USD',
  currency_exchange_rate: '1.0000000000',
  coupon_discount: '0.0000',
  is_deleted: false,
  is_email_opt_in: false,
  customer_message: '',
  billing_address: {
    first_name: 'Jane',
    last_name: 'Doe',
    company: '',
    street_1: '123 Main Street',
    street_2: '',
    city: 'Austin',
    state: 'Texas',
    zip: '78751',
    country: 'United States',
    country_iso2: 'US',
    phone: '512-555-0100',
    email: 'JaneDoe@Example.com',
  },
  coupons: { url: 'https://api.bigcommerce.com/stores/abc/v2/orders/250/coupons', resource: '/orders/250/coupons' },
  ...overrides,
});

describe('Function: normalizeWebhook (bigcommerce)', () => {
  it.each([
    ['store_order_created.json', { kind: 'fetch-order', channelId: 'ch-bc', orderId: '250' }],
    ['store_order_updated.json', { kind: 'fetch-order', channelId: 'ch-bc', orderId: '250' }],
    ['store_order_statusUpdated.json', { kind: 'fetch-order', channelId: 'ch-bc', orderId: '250' }],
    ['store_order_refund_created.json', { kind: 'fetch-order', channelId: 'ch-bc', orderId: '250' }],
    ['store_customer_created.json', { kind: 'fetch-customer', channelId: 'ch-bc', customerId: '32' }],
    // Upstream copy-paste: this "updated" example carries scope store/customer/created.
    ['store_customer_updated.json', { kind: 'fetch-customer', channelId: 'ch-bc', customerId: '32' }],
  ])('maps %s to what the processor must fetch', (name, expected) => {
    // Act
    const result = bigcommerce(fixture(name));

    // Assert
    expect(result).toStrictEqual({ ok: true, event: expected });
  });

  it('ignores cart events with a reason', () => {
    // Act
    const result = bigcommerce(fixture('store_cart_converted.json'));

    // Assert
    expect(result).toStrictEqual({
      ok: true,
      event: { kind: 'ignored', reason: 'bigcommerce store/cart/converted: carts are not used, orders are' },
    });
  });

  it('maps store/order/archived to a fetch (the fetched order is is_deleted)', () => {
    // Arrange
    const body = { ...fixture('store_order_created.json'), scope: 'store/order/archived' };

    // Act
    const result = bigcommerce(body);

    // Assert
    expect(result.ok && result.event).toStrictEqual({ kind: 'fetch-order', channelId: 'ch-bc', orderId: '250' });
  });

  it('prefers data.order_id on a refund when present', () => {
    // Arrange
    const body = { ...fixture('store_order_refund_created.json'), data: { type: 'refund', id: 3, order_id: 250 } };

    // Act
    const result = bigcommerce(body);

    // Assert
    expect(result.ok && result.event).toStrictEqual({ kind: 'fetch-order', channelId: 'ch-bc', orderId: '250' });
  });

  it('uses the topic argument when the body has no scope', () => {
    // Act
    const result = bigcommerce({ data: { type: 'order', id: 7 } }, 'store/order/created');

    // Assert
    expect(result.ok && result.event).toStrictEqual({ kind: 'fetch-order', channelId: 'ch-bc', orderId: '7' });
  });

  it('rejects an order webhook without data.id', () => {
    // Arrange
    const body = { ...fixture('store_order_created.json'), data: { type: 'order' } };

    // Act
    const result = bigcommerce(body);

    // Assert
    expect(result).toStrictEqual({
      ok: false,
      reason: 'invalid bigcommerce webhook body',
      issues: ['data.id: Required'],
    });
  });

  it('answers an unsupported scope with ok:false', () => {
    // Arrange
    const body = { ...fixture('store_order_created.json'), scope: 'store/product/updated' };

    // Act
    const result = bigcommerce(body);

    // Assert
    expect(result).toStrictEqual({ ok: false, reason: 'unsupported topic store/product/updated', issues: [] });
  });

  it('rejects a body with no scope and no topic', () => {
    // Act
    const result = bigcommerce({ data: { id: 1 } });

    // Assert
    expect(result).toStrictEqual({ ok: false, reason: 'invalid bigcommerce webhook body', issues: ['scope: Required'] });
  });
});

describe('Function: normalizeBigCommerceOrder', () => {
  it('maps a V2 order to the order model', () => {
    // Act
    const result = normalizeBigCommerceOrder(apiOrder(), ctx);

    // Assert
    expect(result).toStrictEqual({
      ok: true,
      event: {
        kind: 'order',
        order: {
          channelId: 'ch-bc',
          platform: 'bigcommerce',
          orderId: '250',
          orderNumber: '250',
          placedAt: '2019-06-25T23:15:35-05:00',
          placedDay: '2019-06-25',
          updatedAt: '2019-06-26T08:02:10-05:00',
          status: 'open',
          test: false,
          currency: 'USD',
          totalMinor: 22500,
          refunds: {},
          discountCodes: [],
          customer: {
            channelCustomerId: '11',
            email: 'janedoe@example.com',
            phone: '5125550100',
            firstName: 'Jane',
            lastName: 'Doe',
            consent: { state: 'unknown' },
            addresses: [
              {
                name: 'Jane Doe',
                address1: '123 Main Street',
                city: 'Austin',
                province: 'Texas',
                zip: '78751',
                country: 'US',
                phone: '5125550100',
              },
            ],
          },
        },
      },
    });
  });

  it.each([
    [0, 'Incomplete', 'failed'],
    [1, 'Pending', 'failed'],
    [7, 'Awaiting Payment', 'failed'],
    [5, 'Cancelled', 'cancelled'],
    [6, 'Declined', 'cancelled'],
    [2, 'Shipped', 'open'],
    [4, 'Refunded', 'open'],
    [10, 'Completed', 'open'],
    [11, 'Awaiting Fulfillment', 'open'],
  ])('maps status %i (%s) to %s', (statusId, status, expected) => {
    // Act
    const byId = orderOf(normalizeBigCommerceOrder(apiOrder({ status_id: statusId, status }), ctx));
    const byName = orderOf(normalizeBigCommerceOrder(apiOrder({ status_id: undefined, status }), ctx));

    // Assert
    expect(byId.status).toBe(expected);
    expect(byName.status).toBe(expected);
  });

  it('marks an archived order as deleted whatever its status', () => {
    // Act
    const order = orderOf(normalizeBigCommerceOrder(apiOrder({ is_deleted: true, status_id: 10 }), ctx));

    // Assert
    expect(order.status).toBe('deleted');
  });

  it('keeps the refunded aggregate under the one key "total"', () => {
    // Act
    const order = orderOf(normalizeBigCommerceOrder(apiOrder({ refunded_amount: '25.5000', status_id: 14 }), ctx));

    // Assert
    expect(order.refunds).toStrictEqual({ total: 2550 });
  });

  it('converts an order in another currency to the store default at the order rate', () => {
    // Arrange: 225 EUR at 1 USD = 0.9 EUR is 250 USD.
    const body = apiOrder({
      currency_code: 'EUR',
      default_currency_code: 'EUR',
      store_default_currency_code: 'USD',
      store_default_to_transactional_exchange_rate: '0.9000000000',
      refunded_amount: '9.0000',
    });

    // Act
    const order = orderOf(normalizeBigCommerceOrder(body, ctx));

    // Assert
    expect(order.currency).toBe('USD');
    expect(order.totalMinor).toBe(25000);
    expect(order.refunds).toStrictEqual({ total: 1000 });
  });

  it('reads a guest (customer_id 0) without a customer id and the opt-in box as consent', () => {
    // Act
    const order = orderOf(normalizeBigCommerceOrder(apiOrder({ customer_id: 0, is_email_opt_in: true }), ctx));

    // Assert
    expect(order.customer.channelCustomerId).toBeUndefined();
    expect(order.customer.consent).toStrictEqual({ state: 'subscribed', at: '2019-06-25T23:15:35-05:00' });
  });

  it('reads coupon codes when the caller attached the coupons sub-resource', () => {
    // Act
    const order = orderOf(
      normalizeBigCommerceOrder(apiOrder({ coupons: [{ id: 1, code: 'SAVE10' }, { id: 2, code: 'SAVE10' }] }), ctx),
    );

    // Assert
    expect(order.discountCodes).toStrictEqual(['SAVE10']);
  });

  it('reads the lines when the caller attached the products sub-resource', () => {
    // Arrange
    const products = [
      { id: 1, product_id: 77, name: 'Orbit Terrarium - Large', sku: 'OTL', quantity: 2 },
      { id: 2, name: 'Gift card', sku: '', quantity: 1 },
      { id: 3, name: 'Broken', sku: 'B', quantity: 'x' },
      null,
    ];

    // Act
    const order = orderOf(normalizeBigCommerceOrder(apiOrder({ products }), ctx));

    // Assert
    expect(order.lineItems).toStrictEqual([
      { sku: 'OTL', title: 'Orbit Terrarium - Large', quantity: 2 },
      { title: 'Gift card', quantity: 1 },
    ]);
  });

  it('has no lines while products is the sub-resource link', () => {
    // Act
    const order = orderOf(
      normalizeBigCommerceOrder(apiOrder({ products: { url: 'https://api.example/v2/orders/1/products', resource: '/orders/1/products' } }), ctx),
    );

    // Assert
    expect(order).not.toHaveProperty('lineItems');
  });

  it('rejects an order with an invalid date and a missing total, naming both fields', () => {
    // Act
    const result = normalizeBigCommerceOrder(apiOrder({ date_created: '2019-06-25', total_inc_tax: undefined }), ctx);

    // Assert
    expect(result).toStrictEqual({
      ok: false,
      reason: 'invalid bigcommerce order',
      issues: ['date_created: Invalid RFC 2822 date', 'total_inc_tax: Required'],
    });
  });

  it('rejects a foreign-currency order without its exchange rate', () => {
    // Act
    const result = normalizeBigCommerceOrder(
      apiOrder({ default_currency_code: 'EUR', store_default_currency_code: 'USD' }),
      ctx,
    );

    // Assert
    expect(!result.ok && result.issues).toStrictEqual([
      'store_default_to_transactional_exchange_rate: Required when the order is not in the store default currency',
    ]);
  });
});

describe('Function: normalizeBigCommerceOrder, money that is never negative', () => {
  it.each([
    ['total_inc_tax', { total_inc_tax: '-225.0000' }, 'total_inc_tax: must not be negative'],
    ['refunded_amount', { refunded_amount: '-5.0000' }, 'refunded_amount: must not be negative'],
    ['subtotal_inc_tax (its lines)', { subtotal_inc_tax: '-225.0000' }, 'subtotal_inc_tax: must not be negative'],
    ['subtotal_ex_tax (its lines)', { subtotal_ex_tax: -225 }, 'subtotal_ex_tax: must not be negative'],
  ])('refuses an order whose %s is negative', (_field, overrides, issue) => {
    // Act
    const result = normalizeBigCommerceOrder(apiOrder(overrides), ctx);

    // Assert
    expect(result).toStrictEqual({ ok: false, reason: 'invalid bigcommerce order', issues: [issue] });
  });

  it('refuses an order that refunded more than its total', () => {
    // Act
    const result = normalizeBigCommerceOrder(apiOrder({ refunded_amount: '225.0100', status_id: 4 }), ctx);

    // Assert
    expect(result).toStrictEqual({
      ok: false,
      reason: 'invalid bigcommerce order',
      issues: ['refunds: 22501 refunded is more than the 22500 paid (minor units)'],
    });
  });
});

describe('Function: normalizeBigCommerceCustomer', () => {
  /** Built from the documented V3 customer fields, like apiOrder above. */
  const apiCustomer = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: 32,
    email: 'JaneDoe@Example.com',
    first_name: 'Jane',
    last_name: 'Doe',
    company: '',
    phone: '(512) 555-0100',
    date_created: '2019-06-25T16:12:51Z',
    date_modified: '2019-06-25T16:12:52Z',
    customer_group_id: 0,
    ...overrides,
  });

  it('maps a V3 customer to customer facts, with no consent fact when the field is absent', () => {
    // Act
    const result = normalizeBigCommerceCustomer(apiCustomer(), ctx);

    // Assert
    expect(result).toStrictEqual({
      ok: true,
      event: {
        kind: 'customer',
        channelId: 'ch-bc',
        updatedAt: '2019-06-25T16:12:52Z',
        customer: {
          channelCustomerId: '32',
          email: 'janedoe@example.com',
          phone: '5125550100',
          firstName: 'Jane',
          lastName: 'Doe',
        },
      },
    });
  });

  it.each([
    [true, { state: 'subscribed' }],
    [false, { state: 'unknown' }],
  ])('maps accepts_product_review_abandoned_cart_emails %s to %o', (accepts, expected) => {
    // Act
    const result = normalizeBigCommerceCustomer(
      apiCustomer({ accepts_product_review_abandoned_cart_emails: accepts }),
      ctx,
    );

    // Assert
    expect(result.ok && result.event.kind === 'customer' && result.event.customer.consent).toStrictEqual(expected);
  });

  it('rejects a customer without date_modified', () => {
    // Act
    const result = normalizeBigCommerceCustomer(apiCustomer({ date_modified: undefined }), ctx);

    // Assert
    expect(result).toStrictEqual({
      ok: false,
      reason: 'invalid bigcommerce customer',
      issues: ['date_modified: Required'],
    });
  });
});
