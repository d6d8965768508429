import { describe, expect, it } from 'vitest';
import { normalizeWebhook, type NormalizeResult } from '../../functions/domain/normalize';
import { plainText, wooOrderStatus } from '../../functions/domain/normalize/woocommerce';
import { eventOf, issuesOf, orderOf } from '../support/normalize-results';

const RECEIVED_AT = '2026-03-05T00:00:00Z';

const woo = (topic: string, body: unknown): NormalizeResult =>
  normalizeWebhook({ platform: 'woocommerce', topic, channelId: 'ch-woo', body, receivedAt: RECEIVED_AT });

function anOrderBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 727,
    number: '727',
    status: 'processing',
    currency: 'USD',
    total: '29.35',
    date_created: '2026-03-01T20:30:00',
    date_created_gmt: '2026-03-02T01:30:00',
    ...overrides,
  };
}

describe('Function: wooOrderStatus', () => {
  it.each([
    ['cancelled', 'cancelled'],
    ['pending', 'failed'],
    ['checkout-draft', 'failed'],
    ['failed', 'failed'],
    ['trash', 'deleted'],
    ['processing', 'open'],
    ['completed', 'open'],
    ['on-hold', 'open'],
    ['refunded', 'open'],
    ['shipped', 'open'],
  ])('reads %s as %s', (status, expected) => {
    expect(wooOrderStatus(status)).toBe(expected);
  });
});

describe('WooCommerce orders', () => {
  it.each(['order.created', 'order.updated', 'order.restored'])('reads %s as the full order', (topic) => {
    expect(orderOf(woo(topic, anOrderBody())).orderId).toBe('727');
  });

  it('maps the least order body to the order model', () => {
    expect(orderOf(woo('order.created', anOrderBody()))).toStrictEqual({
      channelId: 'ch-woo',
      platform: 'woocommerce',
      orderId: '727',
      orderNumber: '727',
      placedAt: '2026-03-02T01:30:00Z',
      placedDay: '2026-03-01',
      updatedAt: '2026-03-02T01:30:00Z',
      status: 'open',
      test: false,
      currency: 'USD',
      totalMinor: 2935,
      refunds: {},
      discountCodes: [],
      customer: { consent: { state: 'unknown' } },
    });
  });

  it('reads the status of the order', () => {
    expect(orderOf(woo('order.updated', anOrderBody({ status: 'cancelled' }))).status).toBe('cancelled');
  });

  it('versions an order by date_modified_gmt, else by its creation', () => {
    expect(orderOf(woo('order.updated', anOrderBody({ date_modified_gmt: '2026-03-03T08:00:00' }))).updatedAt).toBe(
      '2026-03-03T08:00:00Z',
    );
  });

  it('reads a numeric order number as text and drops a blank one', () => {
    expect(orderOf(woo('order.created', anOrderBody({ number: 1001 }))).orderNumber).toBe('1001');
    expect(orderOf(woo('order.created', anOrderBody({ number: '  ' })))).not.toHaveProperty('orderNumber');
  });

  it('names each amount that cannot be converted', () => {
    const result = woo('order.created', anOrderBody({ total: '99999999999999999', refunds: [{ id: 1, total: '-99999999999999999' }] }));

    expect(result).toStrictEqual({
      ok: false,
      reason: 'invalid woocommerce order.created payload',
      issues: ['total: amount out of range "99999999999999999"', 'refunds.0.total: amount out of range "-99999999999999999"'],
    });
  });

  it('checks coupon codes and refund totals against the schema', () => {
    expect(issuesOf(woo('order.created', anOrderBody({ coupon_lines: [{ code: 5 }], refunds: [{ id: 1, total: 'ten' }] })))).toEqual([
      'coupon_lines.0.code: Invalid input: expected string, received number',
      'refunds.0.total: Invalid decimal amount',
    ]);
  });

  it('requires a status, a currency, a total and the creation dates', () => {
    const result = woo('order.created', { id: 727 });

    expect(issuesOf(result).sort()).toEqual([
      'currency: Required',
      'date_created: Required',
      'date_created_gmt: Required',
      'status: Invalid input: expected string, received undefined',
      'total: Required',
    ]);
    expect(issuesOf(woo('order.created', anOrderBody({ status: ' ' })))).toHaveLength(1);
  });

  it('reads the customer from the billing address, the phone from shipping when billing has none', () => {
    const order = orderOf(
      woo('order.created', anOrderBody({
        customer_id: 12,
        billing: { first_name: 'Ada', last_name: 'Lovelace', email: 'Ada@Example.com', phone: '' },
        shipping: { first_name: 'Ada', last_name: 'Lovelace', address_1: '1 Main St', phone: '555-000-1111' },
      })),
    );

    expect(order.customer).toStrictEqual({
      channelCustomerId: '12',
      email: 'ada@example.com',
      phone: '5550001111',
      firstName: 'Ada',
      lastName: 'Lovelace',
      consent: { state: 'unknown' },
      addresses: [
        { name: 'Ada Lovelace', address1: '1 Main St', phone: '5550001111' },
      ],
    });
  });

  it('prefers the billing phone, and maps every address field', () => {
    const billing = {
      first_name: 'Ada',
      last_name: 'Lovelace',
      company: 'Engines Ltd',
      address_1: '1 Main St',
      address_2: 'Flat 2',
      city: 'London',
      state: 'LND',
      postcode: 'N1 1AA',
      country: 'GB',
      phone: '020 7946 0958',
    };

    const order = orderOf(woo('order.created', anOrderBody({ billing, shipping: { phone: '555-000-1111' } })));

    expect(order.customer.phone).toBe('02079460958');
    expect(order.customer.addresses).toStrictEqual([
      {
        name: 'Ada Lovelace',
        company: 'Engines Ltd',
        address1: '1 Main St',
        address2: 'Flat 2',
        city: 'London',
        province: 'LND',
        zip: 'N1 1AA',
        country: 'GB',
        phone: '02079460958',
      },
      { phone: '5550001111' },
    ]);
  });
});

describe('WooCommerce line items', () => {
  it('reads sku, name and quantity of each line, skipping one without a name', () => {
    const body = anOrderBody({
      line_items: [
        { sku: 'TEA-1', name: 'Sencha', quantity: 2, price: 5 },
        { sku: '', name: 'Cup', quantity: 1 },
        { sku: 'X', name: '', quantity: 1 },
      ],
    });

    expect(orderOf(woo('order.created', body)).lineItems).toStrictEqual([
      { sku: 'TEA-1', title: 'Sencha', quantity: 2 },
      { title: 'Cup', quantity: 1 },
    ]);
  });

  it('has an empty list for an order without lines, and none when line_items is absent', () => {
    expect(orderOf(woo('order.created', anOrderBody({ line_items: [] }))).lineItems).toStrictEqual([]);
    expect(orderOf(woo('order.created', anOrderBody()))).not.toHaveProperty('lineItems');
  });
});

describe('Function: plainText', () => {
  it.each([
    ['Ship Your Idea &ndash; Black', 'Ship Your Idea \u2013 Black'],
    ['Tea &amp; Cups', 'Tea & Cups'],
    ['&lt;b&gt;', '<b>'],
    ['&quot;Rose&quot; &apos;n&apos;', '"Rose" \'n\''],
    ['100&nbsp;g', '100\u00a0g'],
    ['A &mdash; B', 'A \u2014 B'],
    ['Caf&#233; &#8211; Cr&#xE8;me &#X2014;', 'Caf\u00e9 \u2013 Cr\u00e8me \u2014'],
    ['Tea &#128512;', 'Tea \u{1F600}'],
  ])('decodes %j', (text, plain) => {
    expect(plainText(text)).toBe(plain);
  });

  it.each([
    ['an unknown name', 'Tea &hearts; &AMP;'],
    ['no character', '&#0; &#xD800; &#xDFFF; &#1114112;'],
    ['no entity', 'Tea & Cups &amp no end'],
  ])('keeps %s as written', (_case, text) => {
    expect(plainText(text)).toBe(text);
  });

  it('decodes the code points beside the surrogates and the last one', () => {
    expect(plainText('&#xD7FF;&#xE000;&#x10FFFF;&#1;')).toBe('\uD7FF\uE000\u{10FFFF}\u0001');
  });

  it('passes what is not text through', () => {
    expect(plainText(5)).toBe(5);
  });
});

describe('WooCommerce order.deleted', () => {
  it('requires the id', () => {
    expect(woo('order.deleted', {})).toStrictEqual({
      ok: false,
      reason: 'invalid woocommerce order.deleted payload',
      issues: ['id: Required'],
    });
  });
});

describe('WooCommerce customers', () => {
  const aCustomerBody = (overrides: Record<string, unknown> = {}) => ({
    id: 25,
    email: 'John@Example.com',
    first_name: 'John',
    last_name: 'Doe',
    date_created_gmt: '2026-03-01T10:00:00',
    ...overrides,
  });

  it.each(['customer.created', 'customer.updated'])('maps %s to customer facts', (topic) => {
    expect(eventOf(woo(topic, aCustomerBody()))).toStrictEqual({
      kind: 'customer',
      channelId: 'ch-woo',
      updatedAt: '2026-03-01T10:00:00Z',
      customer: {
        channelCustomerId: '25',
        email: 'john@example.com',
        firstName: 'John',
        lastName: 'Doe',
        consent: { state: 'unknown' },
      },
    });
  });

  it('dates the facts by date_modified_gmt when present', () => {
    const event = eventOf(woo('customer.updated', aCustomerBody({ date_modified_gmt: '2026-03-04T10:00:00' })));

    expect(event.kind === 'customer' && event.updatedAt).toBe('2026-03-04T10:00:00Z');
  });

  it('takes date_modified_gmt alone', () => {
    const event = eventOf(woo('customer.updated', aCustomerBody({ date_created_gmt: null, date_modified_gmt: '2026-03-04T10:00:00' })));

    expect(event.kind === 'customer' && event.updatedAt).toBe('2026-03-04T10:00:00Z');
  });

  it('knows no email or name when neither the customer nor a billing address gives one', () => {
    const event = eventOf(woo('customer.updated', aCustomerBody({ email: 'nope', first_name: null, last_name: null })));

    expect(event.kind === 'customer' && event.customer).toStrictEqual({ channelCustomerId: '25', consent: { state: 'unknown' } });
  });

  it('keeps the shipping address of a customer', () => {
    const event = eventOf(woo('customer.updated', aCustomerBody({ shipping: { address_1: '1 Main St', city: 'Leeds' } })));

    expect(event.kind === 'customer' && event.customer.addresses).toStrictEqual([{ address1: '1 Main St', city: 'Leeds' }]);
  });

  it('ignores a deleted customer with the reason', () => {
    expect(woo('customer.deleted', { id: 25 })).toStrictEqual({
      ok: true,
      event: { kind: 'ignored', reason: 'woocommerce customer.deleted: the customer and their orders are kept' },
    });
  });

  it('requires one of the two dates', () => {
    expect(woo('customer.updated', aCustomerBody({ date_created_gmt: null }))).toStrictEqual({
      ok: false,
      reason: 'invalid woocommerce customer.updated payload',
      issues: ['date_modified_gmt: Required (or date_created_gmt)'],
    });
  });

  it('falls back to the billing address for the email and names, and to shipping for the phone', () => {
    const event = eventOf(
      woo('customer.updated', aCustomerBody({
        email: '',
        first_name: '',
        last_name: null,
        billing: { first_name: 'Jo', last_name: 'D', email: 'jo@example.com' },
        shipping: { phone: '555-000-1111' },
      })),
    );

    expect(event.kind === 'customer' && event.customer).toMatchObject({
      email: 'jo@example.com',
      phone: '5550001111',
      firstName: 'Jo',
      lastName: 'D',
    });
  });

  it('prefers the billing phone to the shipping one', () => {
    const event = eventOf(
      woo('customer.updated', aCustomerBody({ billing: { phone: '555-000-2222' }, shipping: { phone: '555-000-1111' } })),
    );

    expect(event.kind === 'customer' && event.customer.phone).toBe('5550002222');
  });
});
