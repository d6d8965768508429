import { describe, expect, it } from 'vitest';
import { normalizeWebhook, type NormalizeResult } from '../../functions/domain/normalize';
import { eventOf, issuesOf, orderOf } from '../support/normalize-results';

const RECEIVED_AT = '2026-03-05T00:00:00Z';
const PLACED = '2026-03-01T10:00:00-05:00';

const shopify = (topic: string, body: unknown): NormalizeResult =>
  normalizeWebhook({ platform: 'shopify', topic, channelId: 'ch-shop', body, receivedAt: RECEIVED_AT });

const usd = (amount: string) => ({ shop_money: { amount, currency_code: 'USD' } });

/** The least an order body needs, overridable per test. */
function anOrderBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 1001,
    name: '#1001',
    created_at: PLACED,
    updated_at: PLACED,
    total_price_set: usd('50.00'),
    ...overrides,
  };
}

describe('Shopify orders', () => {
  it.each(['orders/create', 'orders/updated', 'orders/paid', 'orders/cancelled', 'orders/fulfilled', 'orders/partially_fulfilled'])(
    'reads %s as the full order',
    (topic) => {
      expect(orderOf(shopify(topic, anOrderBody())).orderId).toBe('1001');
    },
  );

  it('maps the least order body to the order model', () => {
    expect(orderOf(shopify('orders/create', anOrderBody()))).toStrictEqual({
      channelId: 'ch-shop',
      platform: 'shopify',
      orderId: '1001',
      orderNumber: '#1001',
      placedAt: PLACED,
      placedDay: '2026-03-01',
      updatedAt: PLACED,
      status: 'open',
      test: false,
      currency: 'USD',
      totalMinor: 5000,
      refunds: {},
      discountCodes: [],
      customer: {},
    });
  });

  it('reads the topic with blanks around it', () => {
    expect(shopify(' orders/create ', anOrderBody()).ok).toBe(true);
  });

  it('names the topic in the reason of a rejection', () => {
    expect(shopify('orders/paid', anOrderBody({ id: undefined }))).toStrictEqual({
      ok: false,
      reason: 'invalid shopify orders/paid payload',
      issues: ['id: Required'],
    });
  });

  it('keeps a test order only when test is true', () => {
    expect(orderOf(shopify('orders/create', anOrderBody({ test: true }))).test).toBe(true);
    expect(orderOf(shopify('orders/create', anOrderBody({ test: false }))).test).toBe(false);
    expect(orderOf(shopify('orders/create', anOrderBody({ test: null }))).test).toBe(false);
  });

  it('reads the shop money before total_price, whatever the presentment currency', () => {
    const order = orderOf(
      shopify('orders/create', anOrderBody({ total_price: '99.00', currency: 'CAD', total_price_set: usd('50.00') })),
    );

    expect(order).toMatchObject({ totalMinor: 5000, currency: 'USD' });
  });

  it('asks for total_price_set, or total_price with its currency', () => {
    const missing = ['total_price_set: Required (or total_price with currency)'];
    expect(issuesOf(shopify('orders/create', anOrderBody({ total_price_set: null, total_price: '10.00' })))).toEqual(missing);
    expect(issuesOf(shopify('orders/create', anOrderBody({ total_price_set: null, currency: 'USD' })))).toEqual(missing);
    expect(orderOf(shopify('orders/create', anOrderBody({ total_price_set: null, total_price: '10.00', currency: 'eur' })))).toMatchObject(
      { totalMinor: 1000, currency: 'EUR' },
    );
  });

  it('names total_price when that amount cannot be converted', () => {
    const huge = shopify('orders/create', anOrderBody({ total_price_set: null, total_price: '99999999999999999', currency: 'USD' }));
    expect(huge).toStrictEqual({
      ok: false,
      reason: 'invalid shopify orders/create payload',
      issues: ['total_price: amount out of range "99999999999999999"'],
    });
  });

  it('dates the order by processed_at when present, else created_at', () => {
    const imported = orderOf(shopify('orders/create', anOrderBody({ processed_at: '2019-12-31T23:00:00+01:00' })));
    expect(imported).toMatchObject({ placedAt: '2019-12-31T23:00:00+01:00', placedDay: '2019-12-31' });

    expect(orderOf(shopify('orders/create', anOrderBody({ processed_at: null }))).placedAt).toBe(PLACED);
  });

  it('calls an order cancelled only when cancelled_at is set', () => {
    expect(orderOf(shopify('orders/cancelled', anOrderBody({ cancelled_at: PLACED }))).status).toBe('cancelled');
    expect(orderOf(shopify('orders/updated', anOrderBody({ cancelled_at: null }))).status).toBe('open');
  });

  it('names the shop money total that cannot be converted', () => {
    expect(issuesOf(shopify('orders/create', anOrderBody({ total_price_set: usd('99999999999999999') })))).toEqual([
      'total_price_set.shop_money.amount: amount out of range "99999999999999999"',
    ]);
  });

  it('refuses a discount code that is not text', () => {
    expect(issuesOf(shopify('orders/create', anOrderBody({ discount_codes: [{ code: 5 }] })))).toEqual([
      'discount_codes.0.code: Invalid input: expected string, received number',
    ]);
  });

  it('keeps each discount code once', () => {
    const order = orderOf(
      shopify('orders/create', anOrderBody({ discount_codes: [{ code: 'SPRING' }, { code: ' SPRING ' }, { code: 'VIP' }] })),
    );

    expect(order.discountCodes).toEqual(['SPRING', 'VIP']);
  });

  it('has no order number when name is blank', () => {
    expect(orderOf(shopify('orders/create', anOrderBody({ name: ' ' })))).not.toHaveProperty('orderNumber');
  });
});

describe('Shopify line items', () => {
  const line = (fields: Record<string, unknown>) => ({ price: '10.00', ...fields });

  it('reads sku, title and quantity of each line', () => {
    const body = anOrderBody({
      line_items: [line({ sku: 'TEA-1', title: 'Sencha', name: 'Sencha - 100 g', quantity: 2 }), line({ title: 'Cup', quantity: 1 })],
    });

    expect(orderOf(shopify('orders/create', body)).lineItems).toStrictEqual([
      { sku: 'TEA-1', title: 'Sencha', quantity: 2 },
      { title: 'Cup', quantity: 1 },
    ]);
  });

  it('takes the name for a line without a title', () => {
    const body = anOrderBody({ line_items: [line({ title: ' ', name: 'Custom engraving', quantity: 1 })] });

    expect(orderOf(shopify('orders/create', body)).lineItems).toStrictEqual([{ title: 'Custom engraving', quantity: 1 }]);
  });

  it('skips a line without a quantity and still takes the order', () => {
    const body = anOrderBody({ line_items: [line({ title: 'Tea', quantity: 'many' }), line({ title: 'Cup', quantity: 1 })] });

    expect(orderOf(shopify('orders/create', body)).lineItems).toStrictEqual([{ title: 'Cup', quantity: 1 }]);
  });

  it('has an empty list for an order without lines, and none when line_items is absent or null', () => {
    expect(orderOf(shopify('orders/create', anOrderBody({ line_items: [] }))).lineItems).toStrictEqual([]);
    expect(orderOf(shopify('orders/create', anOrderBody({ line_items: null })))).not.toHaveProperty('lineItems');
    expect(orderOf(shopify('orders/create', anOrderBody()))).not.toHaveProperty('lineItems');
  });
});

describe('Shopify refunds inside an order', () => {
  const refund = (transactions: unknown[], extra: Record<string, unknown> = {}) => ({ id: 77, transactions, ...extra });
  const paid = (amount: string, currency: string | null = 'USD') => ({ kind: 'refund', status: 'success', amount, currency });

  it('adds the successful refund transactions of each refund', () => {
    const order = orderOf(
      shopify('orders/updated', anOrderBody({ refunds: [refund([paid('10.00'), paid('2.50', null)]), { id: 78, transactions: [paid('1.00')] }] })),
    );

    expect(order.refunds).toStrictEqual({ '77': 1250, '78': 100 });
  });

  it('counts a pending or failed transaction, or a sale, as nothing yet', () => {
    const order = orderOf(
      shopify('orders/updated', anOrderBody({
        refunds: [
          refund([
            { kind: 'refund', status: 'pending', amount: '5.00', currency: 'USD' },
            { kind: 'sale', status: 'success', amount: '5.00', currency: 'USD' },
            { kind: 'refund', status: 'failure', amount: '5.00', currency: 'USD' },
          ]),
        ],
      })),
    );

    expect(order.refunds).toStrictEqual({ '77': 0 });
  });

  it('counts a refund without transactions as nothing', () => {
    expect(orderOf(shopify('orders/updated', anOrderBody({ refunds: [{ id: 77 }] }))).refunds).toStrictEqual({ '77': 0 });
  });

  it('rejects a successful refund transaction without an amount, naming it', () => {
    const result = shopify('orders/updated', anOrderBody({ refunds: [refund([paid('1.00'), { kind: 'refund', status: 'success' }])] }));

    expect(result).toStrictEqual({
      ok: false,
      reason: 'invalid shopify orders/updated payload',
      issues: ['refunds.0.transactions.1.amount: Required for a successful refund transaction'],
    });
  });

  it('names the refund amount that cannot be converted', () => {
    const result = shopify('orders/updated', anOrderBody({ refunds: [refund([paid('99999999999999999')])] }));

    expect(issuesOf(result)).toEqual(['refunds.0.transactions.0.amount: amount out of range "99999999999999999"']);
  });

  it('falls back to the shop money refunded when a transaction is in another currency', () => {
    const lines = {
      refund_line_items: [
        { subtotal_set: usd('20.00'), total_tax_set: usd('2.00') },
        { subtotal_set: usd('10.00'), total_tax_set: null },
      ],
      refund_shipping_lines: [{ subtotal_amount_set: usd('5.00'), tax_amount_set: usd('0.50') }],
      total_duties_set: usd('3.00'),
      order_adjustments: [{ amount_set: usd('1.00'), tax_amount_set: usd('0.25') }],
    };

    const order = orderOf(shopify('orders/updated', anOrderBody({ refunds: [refund([paid('60.00', 'CAD'), paid('1.00')], lines)] })));

    // 20 + 2 + 10 + 5 + 0.50 + 3 - 1 - 0.25
    expect(order.refunds).toStrictEqual({ '77': 3925 });
  });

  it('refuses a refund whose adjustments are larger than what was refunded', () => {
    const lines = { refund_line_items: [{ subtotal_set: usd('1.00') }], order_adjustments: [{ amount_set: usd('5.00') }] };

    const result = shopify('orders/updated', anOrderBody({ refunds: [refund([paid('60.00', 'CAD')], lines)] }));

    expect(issuesOf(result)).toEqual(['refunds.0: refunds a negative amount after its order adjustments']);
  });

  it('takes a refund whose adjustments equal what was refunded as zero', () => {
    const lines = { refund_line_items: [{ subtotal_set: usd('5.00') }], order_adjustments: [{ amount_set: usd('5.00') }] };

    const order = orderOf(shopify('orders/updated', anOrderBody({ refunds: [refund([paid('60.00', 'CAD')], lines)] })));

    expect(order.refunds).toStrictEqual({ '77': 0 });
  });

  it.each([
    ['total_duties_set', { total_duties_set: usd('99999999999999999') }],
    ['refund_line_items.0.subtotal_set', { refund_line_items: [{ subtotal_set: usd('99999999999999999') }] }],
    ['refund_shipping_lines.0.subtotal_amount_set', { refund_shipping_lines: [{ subtotal_amount_set: usd('99999999999999999') }] }],
    ['refund_shipping_lines.0.tax_amount_set', { refund_shipping_lines: [{ tax_amount_set: usd('99999999999999999') }] }],
    ['order_adjustments.0.amount_set', { order_adjustments: [{ amount_set: usd('99999999999999999') }] }],
    ['order_adjustments.0.tax_amount_set', { order_adjustments: [{ tax_amount_set: usd('99999999999999999') }] }],
  ])('names %s when its shop money cannot be converted', (path, lines) => {
    const result = shopify('orders/updated', anOrderBody({ refunds: [refund([paid('60.00', 'CAD')], lines)] }));

    expect(issuesOf(result)).toEqual([`refunds.0.${path}.shop_money.amount: amount out of range "99999999999999999"`]);
  });

  it.each([
    ['transactions.0.amount', { transactions: [{ kind: 'refund', status: 'success', amount: 'ten' }] }],
    ['refund_line_items.0.subtotal_set.shop_money.amount', { refund_line_items: [{ subtotal_set: usd('ten') }] }],
    ['refund_shipping_lines.0.tax_amount_set.shop_money.amount', { refund_shipping_lines: [{ tax_amount_set: usd('ten') }] }],
    ['order_adjustments.0.amount_set.shop_money.amount', { order_adjustments: [{ amount_set: usd('ten') }] }],
  ])('checks %s of a refund against the schema', (path, fields) => {
    const result = shopify('orders/updated', anOrderBody({ refunds: [{ id: 77, ...fields }] }));

    expect(issuesOf(result)).toEqual([`refunds.0.${path}: Invalid decimal amount`]);
  });

  it('names a shop-money amount of the fallback that cannot be converted', () => {
    const lines = { refund_line_items: [{ subtotal_set: usd('1.00'), total_tax_set: usd('99999999999999999') }] };

    const result = shopify('orders/updated', anOrderBody({ refunds: [refund([paid('60.00', 'CAD')], lines)] }));

    expect(issuesOf(result)).toEqual([
      'refunds.0.refund_line_items.0.total_tax_set.shop_money.amount: amount out of range "99999999999999999"',
    ]);
  });
});

describe('Shopify refunds/create', () => {
  const aRefundBody = (overrides: Record<string, unknown> = {}) => ({
    id: 929361472,
    order_id: 450789469,
    created_at: '2026-03-02T10:00:00-05:00',
    transactions: [{ kind: 'refund', status: 'success', amount: '41.94', currency: 'USD' }],
    ...overrides,
  });

  it('tells the shop currency by a transaction when the refund has no shop money', () => {
    expect(eventOf(shopify('refunds/create', aRefundBody()))).toStrictEqual({
      kind: 'refund',
      refund: {
        channelId: 'ch-shop',
        orderId: '450789469',
        refundId: '929361472',
        amountMinor: 4194,
        currency: 'USD',
        createdAt: '2026-03-02T10:00:00-05:00',
      },
    });
  });

  it('dates a refund by processed_at when present', () => {
    const event = eventOf(shopify('refunds/create', aRefundBody({ processed_at: '2026-03-03T10:00:00-05:00' })));

    expect(event.kind === 'refund' && event.refund.createdAt).toBe('2026-03-03T10:00:00-05:00');
  });

  it.each([
    ['total_duties_set', { total_duties_set: { shop_money: { amount: '0.00', currency_code: 'EUR' } } }],
    ['a line subtotal', { refund_line_items: [{ subtotal_set: { shop_money: { amount: '0.00', currency_code: 'EUR' } } }] }],
    ['a line tax', { refund_line_items: [{ total_tax_set: { shop_money: { amount: '0.00', currency_code: 'EUR' } } }] }],
    ['a shipping line', { refund_shipping_lines: [{ subtotal_amount_set: { shop_money: { amount: '0.00', currency_code: 'EUR' } } }] }],
    ['an adjustment', { order_adjustments: [{ amount_set: { shop_money: { amount: '0.00', currency_code: 'EUR' } } }] }],
  ])('tells the shop currency by the shop money of %s', (_name, money) => {
    const body = aRefundBody({ transactions: [{ kind: 'refund', status: 'success', amount: '41.94', currency: 'USD' }], ...money });

    const event = eventOf(shopify('refunds/create', body));

    // The transaction is in USD, the shop in EUR: the refunded shop money (0.00) counts.
    expect(event.kind === 'refund' && [event.refund.currency, event.refund.amountMinor]).toEqual(['EUR', 0]);
  });

  it('skips transactions without a currency when telling the shop currency', () => {
    const body = aRefundBody({
      transactions: [
        { kind: 'refund', status: 'failure', amount: '1.00', currency: null },
        { kind: 'refund', status: 'success', amount: '2.00', currency: 'JPY' },
      ],
    });

    const event = eventOf(shopify('refunds/create', body));

    expect(event.kind === 'refund' && [event.refund.currency, event.refund.amountMinor]).toEqual(['JPY', 2]);
  });

  it('rejects a refund that does not tell the shop currency', () => {
    expect(shopify('refunds/create', aRefundBody({ transactions: [] }))).toStrictEqual({
      ok: false,
      reason: 'invalid shopify refunds/create payload',
      issues: ['transactions: no amount in a known currency to tell the shop currency by'],
    });
    expect(shopify('refunds/create', aRefundBody({ transactions: null }))).toStrictEqual({
      ok: false,
      reason: 'invalid shopify refunds/create payload',
      issues: ['transactions: no amount in a known currency to tell the shop currency by'],
    });
  });

  it('rejects a refund whose amount cannot be converted, naming it from the root', () => {
    const body = aRefundBody({ transactions: [{ kind: 'refund', status: 'success', amount: '99999999999999999', currency: 'USD' }] });

    expect(issuesOf(shopify('refunds/create', body))).toEqual(['transactions.0.amount: amount out of range "99999999999999999"']);
  });

  it('requires the order id and the creation date', () => {
    expect(issuesOf(shopify('refunds/create', aRefundBody({ order_id: undefined, created_at: undefined }))).sort()).toEqual([
      'created_at: Required',
      'order_id: Required',
    ]);
  });
});

describe('Shopify customer facts of an order', () => {
  it('takes the email from email, then contact_email, then the customer', () => {
    const customer = { id: 5, email: 'c@example.com' };
    const email = (body: Record<string, unknown>) => orderOf(shopify('orders/create', anOrderBody(body))).customer.email;

    expect(email({ email: 'A@example.com', contact_email: 'b@example.com', customer })).toBe('a@example.com');
    expect(email({ email: 'not an email', contact_email: 'b@example.com', customer })).toBe('b@example.com');
    expect(email({ contact_email: 'nope', customer })).toBe('c@example.com');
    expect(email({})).toBeUndefined();
  });

  it('takes the phone from the order, then the customer, then the billing address', () => {
    const phone = (body: Record<string, unknown>) => orderOf(shopify('orders/create', anOrderBody(body))).customer.phone;
    const customer = { id: 5, phone: '555-000-2222' };
    const billing_address = { phone: '555-000-3333' };

    expect(phone({ phone: '555-000-1111', customer, billing_address })).toBe('5550001111');
    expect(phone({ phone: 'x', customer, billing_address })).toBe('5550002222');
    expect(phone({ customer: { id: 5 }, billing_address })).toBe('5550003333');
  });

  it('takes the names from the customer, then the billing address', () => {
    const facts = (body: Record<string, unknown>) => orderOf(shopify('orders/create', anOrderBody(body))).customer;
    const billing_address = { first_name: 'Bill', last_name: 'Ing' };

    expect(facts({ customer: { id: 5, first_name: 'Ada', last_name: 'Lovelace' }, billing_address })).toMatchObject({
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    expect(facts({ customer: { id: 5 }, billing_address })).toMatchObject({ firstName: 'Bill', lastName: 'Ing' });
  });

  it('keeps the customer id of the order as a string', () => {
    expect(orderOf(shopify('orders/create', anOrderBody({ customer: { id: 207119551 } }))).customer.channelCustomerId).toBe(
      '207119551',
    );
    expect(orderOf(shopify('orders/create', anOrderBody({ customer: { id: null } }))).customer).not.toHaveProperty(
      'channelCustomerId',
    );
  });

  it('prefers the customer consent to the checkout box', () => {
    const consent = (body: Record<string, unknown>) => orderOf(shopify('orders/create', anOrderBody(body))).customer.consent;
    const customer = {
      id: 5,
      email_marketing_consent: { state: 'unsubscribed', consent_updated_at: '2026-01-01T00:00:00Z' },
    };

    expect(consent({ customer, buyer_accepts_marketing: true })).toEqual({ state: 'unsubscribed', at: '2026-01-01T00:00:00Z' });
    expect(consent({ customer: { id: 5, email_marketing_consent: { state: null } }, buyer_accepts_marketing: true })).toEqual({
      state: 'subscribed',
      at: PLACED,
    });
    expect(consent({ buyer_accepts_marketing: null })).toBeUndefined();
  });

  it('drops a malformed consent date but keeps the state', () => {
    const customer = { id: 5, email_marketing_consent: { state: 'subscribed', consent_updated_at: 'yesterday' } };

    expect(orderOf(shopify('orders/create', anOrderBody({ customer }))).customer.consent).toEqual({ state: 'subscribed' });
  });

  it('maps the billing and shipping addresses, each once', () => {
    const billing_address = {
      name: 'Ada Lovelace',
      company: 'Engines Ltd',
      address1: '1 Main St',
      address2: 'Flat 2',
      city: 'London',
      province: 'Greater London',
      zip: 'N1 1AA',
      country: 'United Kingdom',
      country_code: 'GB',
      phone: '020 7946 0958',
    };
    const shipping_address = { first_name: 'Charles', last_name: 'Babbage', address1: '9 Dorset St', country: 'United Kingdom' };

    const order = orderOf(shopify('orders/create', anOrderBody({ billing_address, shipping_address })));

    expect(order.customer.addresses).toStrictEqual([
      {
        name: 'Ada Lovelace',
        company: 'Engines Ltd',
        address1: '1 Main St',
        address2: 'Flat 2',
        city: 'London',
        province: 'Greater London',
        zip: 'N1 1AA',
        country: 'GB',
        phone: '02079460958',
      },
      { name: 'Charles Babbage', address1: '9 Dorset St', country: 'United Kingdom' },
    ]);
  });
});

describe('Shopify customers/create and customers/update', () => {
  const aCustomerBody = (overrides: Record<string, unknown> = {}) => ({
    id: 207119551,
    updated_at: '2026-03-01T10:00:00-05:00',
    email: 'Bob@Example.com',
    phone: '+1 613 612 0707',
    first_name: 'Bob',
    last_name: 'Norman',
    ...overrides,
  });

  it.each(['customers/create', 'customers/update'])('maps %s to customer facts', (topic) => {
    expect(eventOf(shopify(topic, aCustomerBody()))).toStrictEqual({
      kind: 'customer',
      channelId: 'ch-shop',
      updatedAt: '2026-03-01T10:00:00-05:00',
      customer: {
        channelCustomerId: '207119551',
        email: 'bob@example.com',
        phone: '+16136120707',
        firstName: 'Bob',
        lastName: 'Norman',
      },
    });
  });

  it('keeps the default address and the others, each once', () => {
    const home = { address1: '1 Main St', city: 'Ottawa' };
    const work = { address1: '9 Office Rd', city: 'Ottawa' };

    const event = eventOf(shopify('customers/update', aCustomerBody({ default_address: home, addresses: [home, work] })));

    expect(event.kind === 'customer' && event.customer.addresses).toStrictEqual([home, work]);
  });

  it('requires the id and updated_at', () => {
    expect(issuesOf(shopify('customers/update', aCustomerBody({ id: undefined, updated_at: undefined })))).toEqual([
      'id: Required',
      'updated_at: Required',
    ]);
  });
});

describe('Shopify privacy topics', () => {
  it('reads a redaction without a customer as a subject of its orders only', () => {
    expect(eventOf(shopify('customers/redact', { customer: null, orders_to_redact: [1, '2'] }))).toStrictEqual({
      kind: 'redact-customer',
      channelId: 'ch-shop',
      subject: { orderIds: ['1', '2'] },
    });
    expect(eventOf(shopify('customers/redact', {}))).toStrictEqual({
      kind: 'redact-customer',
      channelId: 'ch-shop',
      subject: { orderIds: [] },
    });
  });

  it('reads a data request without orders', () => {
    expect(eventOf(shopify('customers/data_request', { customer: { id: 9, email: 'X@Example.com' }, data_request: { id: 5 } }))).toStrictEqual({
      kind: 'data-request',
      channelId: 'ch-shop',
      requestId: '5',
      subject: { channelCustomerId: '9', email: 'x@example.com', orderIds: [] },
    });
  });

  it('rejects privacy bodies that are not objects, naming the topic', () => {
    for (const topic of ['customers/redact', 'customers/data_request', 'shop/redact', 'orders/delete']) {
      const result = shopify(topic, 'nope');
      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toBe(`invalid shopify ${topic} payload`);
    }
  });

  it('rejects a data request without its id', () => {
    expect(issuesOf(shopify('customers/data_request', { customer: { id: 9 } }))).toEqual([
      'data_request: Invalid input: expected object, received undefined',
    ]);
  });
});
