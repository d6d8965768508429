import { describe, expect, it } from 'vitest';
import {
  normalizeBigCommerceCustomer,
  normalizeBigCommerceOrder,
  normalizeWebhook,
  type NormalizeResult,
} from '../../functions/domain/normalize';
import { bigCommerceOrderStatus } from '../../functions/domain/normalize/bigcommerce';
import { issuesOf, orderOf } from '../support/normalize-results';

const ctx = { channelId: 'ch-bc' };

const bigcommerce = (body: unknown, topic = ''): NormalizeResult =>
  normalizeWebhook({ platform: 'bigcommerce', topic, channelId: 'ch-bc', body, receivedAt: '2026-03-05T00:00:00Z' });

/** The least a V2 order needs, overridable per test. */
const apiOrder = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 250,
  date_created: 'Tue, 03 Mar 2026 23:15:35 -0500',
  date_modified: 'Wed, 04 Mar 2026 08:02:10 -0500',
  status_id: 11,
  total_inc_tax: '225.0000',
  currency_code: 'USD',
  ...overrides,
});

describe('BigCommerce webhooks', () => {
  it.each(['store/order/created', 'store/order/updated', 'store/order/statusUpdated', 'store/order/archived', 'store/order/refund/created'])(
    'asks to fetch the order for %s',
    (scope) => {
      expect(bigcommerce({ scope, data: { type: 'order', id: 250 } })).toStrictEqual({
        ok: true,
        event: { kind: 'fetch-order', channelId: 'ch-bc', orderId: '250' },
      });
    },
  );

  it.each(['store/customer/created', 'store/customer/updated'])('asks to fetch the customer for %s', (scope) => {
    expect(bigcommerce({ scope, data: { type: 'customer', id: 32, order_id: 9 } })).toStrictEqual({
      ok: true,
      event: { kind: 'fetch-customer', channelId: 'ch-bc', customerId: '32' },
    });
  });

  it('rejects an order or customer scope without data, naming the scope', () => {
    expect(bigcommerce({ scope: 'store/order/created' })).toStrictEqual({
      ok: false,
      reason: 'invalid bigcommerce store/order/created payload',
      issues: ['data: Required'],
    });
    expect(bigcommerce({ scope: 'store/customer/updated' })).toStrictEqual({
      ok: false,
      reason: 'invalid bigcommerce store/customer/updated payload',
      issues: ['data: Required'],
    });
  });

  it('ignores a deleted customer and keeps their orders', () => {
    expect(bigcommerce({ scope: 'store/customer/deleted', data: { id: 32 } })).toStrictEqual({
      ok: true,
      event: { kind: 'ignored', reason: 'bigcommerce store/customer/deleted: the customer and their orders are kept' },
    });
  });

  it('ignores any cart scope, and only cart scopes as carts', () => {
    expect(bigcommerce({ scope: 'store/cart/abandoned' })).toMatchObject({ ok: true, event: { kind: 'ignored' } });
    expect(bigcommerce({ scope: 'xstore/cart/abandoned' })).toMatchObject({ ok: false });
  });

  it('reads a topic argument with blanks around it, and rejects a blank scope', () => {
    expect(bigcommerce({ data: { id: 7 } }, '  store/order/created ')).toMatchObject({ ok: true, event: { orderId: '7' } });
    expect(issuesOf(bigcommerce({ scope: ' ', data: { id: 7 } }, 'store/order/created')).length).toBeGreaterThan(0);
    expect(bigcommerce({ data: { id: 1 } }, '   ')).toStrictEqual({
      ok: false,
      reason: 'invalid bigcommerce webhook body',
      issues: ['scope: Required'],
    });
  });
});

describe('Function: bigCommerceOrderStatus', () => {
  it('prefers the status id to the name', () => {
    expect(bigCommerceOrderStatus({ status_id: 5, status: 'Shipped' })).toBe('cancelled');
    expect(bigCommerceOrderStatus({ status_id: 2, status: 'Cancelled' })).toBe('open');
  });

  it('reads the name in any case and with blanks', () => {
    expect(bigCommerceOrderStatus({ status: '  AWAITING PAYMENT ' })).toBe('failed');
    expect(bigCommerceOrderStatus({ status: 'Declined' })).toBe('cancelled');
    expect(bigCommerceOrderStatus({ status: 'incomplete' })).toBe('failed');
    expect(bigCommerceOrderStatus({ status: 'Pending' })).toBe('failed');
    expect(bigCommerceOrderStatus({ status: 'Anything else' })).toBe('open');
    expect(bigCommerceOrderStatus({ status: null })).toBe('open');
  });

  it('calls an archived order deleted only when is_deleted is true', () => {
    expect(bigCommerceOrderStatus({ is_deleted: true, status_id: 2 })).toBe('deleted');
    expect(bigCommerceOrderStatus({ is_deleted: false, status_id: 2 })).toBe('open');
    expect(bigCommerceOrderStatus({ is_deleted: null, status_id: 0 })).toBe('failed');
  });
});

describe('Function: normalizeBigCommerceOrder', () => {
  it('maps the least order to the order model', () => {
    expect(orderOf(normalizeBigCommerceOrder(apiOrder(), ctx))).toStrictEqual({
      channelId: 'ch-bc',
      platform: 'bigcommerce',
      orderId: '250',
      orderNumber: '250',
      placedAt: '2026-03-03T23:15:35-05:00',
      placedDay: '2026-03-03',
      updatedAt: '2026-03-04T08:02:10-05:00',
      status: 'open',
      test: false,
      currency: 'USD',
      totalMinor: 22500,
      refunds: {},
      discountCodes: [],
      customer: {},
    });
  });

  it('reads the amounts in the transactional currency, default_currency_code first', () => {
    const order = orderOf(normalizeBigCommerceOrder(apiOrder({ currency_code: 'USD', default_currency_code: 'JPY', total_inc_tax: '225' }), ctx));

    expect(order).toMatchObject({ currency: 'JPY', totalMinor: 225 });
  });

  it('needs no rate when the store default is the transactional currency', () => {
    const order = orderOf(normalizeBigCommerceOrder(apiOrder({ store_default_currency_code: 'USD' }), ctx));

    expect(order).toMatchObject({ currency: 'USD', totalMinor: 22500 });
  });

  it('asks for a status and a currency', () => {
    expect(issuesOf(normalizeBigCommerceOrder(apiOrder({ status_id: null, currency_code: null }), ctx))).toEqual([
      'status_id: Required (or status)',
      'default_currency_code: Required (or currency_code)',
    ]);
  });

  it('names an exchange rate that cannot be used', () => {
    const result = normalizeBigCommerceOrder(
      apiOrder({ store_default_currency_code: 'EUR', store_default_to_transactional_exchange_rate: '0' }),
      ctx,
    );

    expect(result).toStrictEqual({
      ok: false,
      reason: 'invalid bigcommerce order',
      issues: ['store_default_to_transactional_exchange_rate: invalid exchange rate "0"'],
    });
  });

  it('names a total that cannot be converted', () => {
    expect(issuesOf(normalizeBigCommerceOrder(apiOrder({ total_inc_tax: '99999999999999999' }), ctx))).toEqual([
      'total_inc_tax: amount out of range "99999999999999999"',
    ]);
    expect(issuesOf(normalizeBigCommerceOrder(apiOrder({ refunded_amount: '99999999999999999' }), ctx))).toEqual([
      'refunded_amount: amount out of range "99999999999999999"',
    ]);
  });

  it('keeps no refund entry while nothing was refunded', () => {
    expect(orderOf(normalizeBigCommerceOrder(apiOrder({ refunded_amount: '0.0000' }), ctx)).refunds).toStrictEqual({});
    expect(orderOf(normalizeBigCommerceOrder(apiOrder({ refunded_amount: '0.01' }), ctx)).refunds).toStrictEqual({ total: 1 });
  });

  it('reads the customer from the billing address', () => {
    const billing_address = {
      first_name: 'Jane',
      last_name: 'Doe',
      company: 'Acme',
      street_1: '123 Main Street',
      street_2: 'Suite 4',
      city: 'Austin',
      state: 'Texas',
      zip: '78751',
      country: 'United States',
      phone: '512-555-0100',
      email: 'Jane@Example.com',
    };

    const order = orderOf(normalizeBigCommerceOrder(apiOrder({ customer_id: 11, billing_address, is_email_opt_in: false }), ctx));

    expect(order.customer).toStrictEqual({
      channelCustomerId: '11',
      email: 'jane@example.com',
      phone: '5125550100',
      firstName: 'Jane',
      lastName: 'Doe',
      consent: { state: 'unknown' },
      addresses: [
        {
          name: 'Jane Doe',
          company: 'Acme',
          address1: '123 Main Street',
          address2: 'Suite 4',
          city: 'Austin',
          province: 'Texas',
          zip: '78751',
          country: 'United States',
          phone: '5125550100',
        },
      ],
    });
  });

  it('reads codes from attached coupons only, skipping entries without a code', () => {
    const codes = (coupons: unknown) => orderOf(normalizeBigCommerceOrder(apiOrder({ coupons }), ctx)).discountCodes;

    expect(codes([{ code: 'A' }, null, { id: 3 }, { code: 'B' }])).toEqual(['A', 'B']);
    expect(codes({ url: 'https://example.com/coupons' })).toEqual([]);
  });
});

describe('Function: normalizeBigCommerceCustomer', () => {
  const apiCustomer = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: 32,
    email: 'Jane@Example.com',
    date_modified: '2026-03-01T16:12:52Z',
    ...overrides,
  });

  it('maps every address field, preferring the country code', () => {
    const address = {
      first_name: 'Jane',
      last_name: 'Doe',
      company: 'Acme',
      address1: '123 Main Street',
      address2: 'Suite 4',
      city: 'Austin',
      state_or_province: 'Texas',
      postal_code: '78751',
      country_code: 'US',
      country: 'United States',
      phone: '512-555-0100',
    };

    const result = normalizeBigCommerceCustomer(apiCustomer({ addresses: [address, { ...address, country_code: null }] }), ctx);

    expect(result.ok && result.event.kind === 'customer' && result.event.customer.addresses).toStrictEqual([
      {
        name: 'Jane Doe',
        company: 'Acme',
        address1: '123 Main Street',
        address2: 'Suite 4',
        city: 'Austin',
        province: 'Texas',
        zip: '78751',
        country: 'US',
        phone: '5125550100',
      },
      {
        name: 'Jane Doe',
        company: 'Acme',
        address1: '123 Main Street',
        address2: 'Suite 4',
        city: 'Austin',
        province: 'Texas',
        zip: '78751',
        country: 'United States',
        phone: '5125550100',
      },
    ]);
  });

  it('trims address text and drops blank or non-text fields', () => {
    const result = normalizeBigCommerceCustomer(apiCustomer({ addresses: [{ first_name: ' Jane ', city: ' ', company: 7, address1: ' 1 Main St ' }] }), ctx);

    expect(result.ok && result.event.kind === 'customer' && result.event.customer.addresses).toStrictEqual([
      { name: 'Jane', address1: '1 Main St' },
    ]);
  });

  it('keeps no consent fact when the field is null', () => {
    const result = normalizeBigCommerceCustomer(apiCustomer({ accepts_product_review_abandoned_cart_emails: null }), ctx);

    expect(result.ok && result.event.kind === 'customer' && result.event.customer).not.toHaveProperty('consent');
  });
});
