import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeWebhook, type NormalizeResult } from '../../functions/domain/normalize';
import { eventOf, orderOf } from '../support/normalize-results';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/marketplaces/shopify/${name}`, import.meta.url), 'utf8'));

const ORDER = 'orders_updated.derived-from-official-rest.json';
const RECEIVED_AT = '2025-07-03T00:00:00Z';

const shopify = (topic: string, body: unknown): NormalizeResult =>
  normalizeWebhook({ platform: 'shopify', topic, channelId: 'ch-shop', body, receivedAt: RECEIVED_AT });

describe('Function: normalizeWebhook (shopify)', () => {
  it('maps the official order 450789469 to the order model', () => {
    // Arrange
    const body = fixture(ORDER);

    // Act
    const result = shopify('orders/updated', body);

    // Assert
    expect(result).toStrictEqual({
      ok: true,
      event: {
        kind: 'order',
        order: {
          channelId: 'ch-shop',
          platform: 'shopify',
          orderId: '450789469',
          orderNumber: '#1001',
          placedAt: '2008-01-10T11:00:00-05:00',
          placedDay: '2008-01-10',
          updatedAt: '2008-01-10T11:00:00-05:00',
          status: 'open',
          test: false,
          currency: 'USD',
          totalMinor: 59894,
          refunds: { '509562969': 20900 },
          discountCodes: ['TENOFF'],
          lineItems: [
            { sku: 'IPOD2008GREEN', title: 'IPod Nano - 8gb', quantity: 1 },
            { sku: 'IPOD2008RED', title: 'IPod Nano - 8gb', quantity: 1 },
            { sku: 'IPOD2008BLACK', title: 'IPod Nano - 8gb', quantity: 1 },
          ],
          customer: {
            channelCustomerId: '207119551',
            email: 'bob.norman@mail.example.com',
            phone: '+557734881234',
            firstName: 'Bob',
            lastName: 'Norman',
            consent: { state: 'unsubscribed', at: '2004-06-13T11:57:11-04:00' },
            addresses: [
              {
                name: 'Bob Norman',
                address1: 'Chestnut Street 92',
                city: 'Louisville',
                province: 'Kentucky',
                zip: '40202',
                country: 'US',
                phone: '+15024592181',
              },
            ],
          },
        },
      },
    });
  });

  it.each(['orders/create', 'orders/updated', 'orders/paid', 'orders/cancelled', 'orders/fulfilled'])(
    'reads %s as an order',
    (topic) => {
      // Act
      const order = orderOf(shopify(topic, fixture(ORDER)));

      // Assert
      expect(order.orderId).toBe('450789469');
    },
  );

  it('marks an order with cancelled_at as cancelled', () => {
    // Arrange
    const body = fixture('orders_cancelled.derived-from-official-rest.json');

    // Act
    const order = orderOf(shopify('orders/cancelled', body));

    // Assert
    expect(order.status).toBe('cancelled');
    expect(order.updatedAt).toBe('2025-07-02T11:31:25-05:00');
    expect(order.totalMinor).toBe(59894);
  });

  it('keeps a test order with test: true', () => {
    // Arrange
    const body = { ...fixture(ORDER), test: true };

    // Act
    const order = orderOf(shopify('orders/create', body));

    // Assert
    expect(order.test).toBe(true);
    expect(order.status).toBe('open');
  });

  it('takes the purchase day from the date printed in the timestamp, not from UTC', () => {
    // Arrange: 23:00 at -05:00 is already the 11th in UTC.
    const body = { ...fixture(ORDER), created_at: '2008-01-10T23:00:00-05:00', processed_at: null };

    // Act
    const order = orderOf(shopify('orders/create', body));

    // Assert
    expect(order.placedAt).toBe('2008-01-10T23:00:00-05:00');
    expect(order.placedDay).toBe('2008-01-10');
  });

  it('dates an imported order by processed_at', () => {
    // Arrange
    const body = { ...fixture(ORDER), created_at: '2024-05-01T09:00:00+02:00', processed_at: '2019-12-31T18:00:00+01:00' };

    // Act
    const order = orderOf(shopify('orders/create', body));

    // Assert
    expect(order.placedAt).toBe('2019-12-31T18:00:00+01:00');
    expect(order.placedDay).toBe('2019-12-31');
  });

  it('falls back to total_price and currency when total_price_set is missing', () => {
    // Arrange
    const { total_price_set: _omitted, ...body } = fixture(ORDER);

    // Act
    const order = orderOf(shopify('orders/create', body));

    // Assert
    expect(order.totalMinor).toBe(59894);
    expect(order.currency).toBe('USD');
  });

  it('sums refund line items in shop money when the refund was paid in another currency', () => {
    // Arrange: the same refund, paid back in the presentment currency.
    const body = fixture(ORDER) as { refunds: { transactions: Record<string, unknown>[] }[] };
    const [refund] = body.refunds;
    refund!.transactions = refund!.transactions.map((t) => ({ ...t, currency: 'CAD', amount: '285.00' }));

    // Act
    const order = orderOf(shopify('orders/updated', body));

    // Assert: 195.66 + 3.98 + 195.67 + 3.98
    expect(order.refunds).toStrictEqual({ '509562969': 39929 });
  });

  it('counts only successful refund transactions', () => {
    // Arrange
    const body = fixture(ORDER) as { refunds: { transactions: Record<string, unknown>[] }[] };
    body.refunds[0]!.transactions = [
      { kind: 'refund', status: 'failure', amount: '209.00', currency: 'USD' },
      { kind: 'refund', status: 'success', amount: '50.00', currency: 'USD' },
      { kind: 'sale', status: 'success', amount: '598.94', currency: 'USD' },
    ];

    // Act
    const order = orderOf(shopify('orders/updated', body));

    // Assert
    expect(order.refunds).toStrictEqual({ '509562969': 5000 });
  });

  it('maps a guest checkout without a customer id, with checkout consent', () => {
    // Arrange
    const body = {
      ...fixture(ORDER),
      customer: null,
      email: 'Guest@Example.com ',
      phone: null,
      buyer_accepts_marketing: true,
    };

    // Act
    const order = orderOf(shopify('orders/create', body));

    // Assert
    expect(order.customer.channelCustomerId).toBeUndefined();
    expect(order.customer.email).toBe('guest@example.com');
    expect(order.customer.phone).toBe('+15024592181');
    expect(order.customer.firstName).toBe('Bob');
    expect(order.customer.consent).toStrictEqual({ state: 'subscribed', at: '2008-01-10T11:00:00-05:00' });
  });

  it('reads an unticked marketing box as unknown consent, not as unsubscribed', () => {
    // Arrange
    const body = { ...fixture(ORDER), customer: null, buyer_accepts_marketing: false };

    // Act
    const order = orderOf(shopify('orders/create', body));

    // Assert
    expect(order.customer.consent).toStrictEqual({ state: 'unknown' });
  });

  it('maps a refunds/create body to a refund in shop currency', () => {
    // Arrange
    const body = fixture('refunds_create.derived-from-official-rest.json');

    // Act
    const result = shopify('refunds/create', body);

    // Assert
    expect(result).toStrictEqual({
      ok: true,
      event: {
        kind: 'refund',
        refund: {
          channelId: 'ch-shop',
          orderId: '450789469',
          refundId: '929361472',
          amountMinor: 4194,
          currency: 'USD',
          createdAt: '2025-07-02T11:38:34-05:00',
        },
      },
    });
  });

  it('maps customers/update to customer facts', () => {
    // Arrange: the webhook body is the bare customer of the REST response.
    const body = fixture('official-rest-examples/customer-207119551.GET.response.json').customer;

    // Act
    const result = shopify('customers/update', body);

    // Assert
    expect(result).toStrictEqual({
      ok: true,
      event: {
        kind: 'customer',
        channelId: 'ch-shop',
        updatedAt: '2025-07-02T11:25:58-05:00',
        customer: {
          channelCustomerId: '207119551',
          email: 'bob.norman@mail.example.com',
          phone: '+16136120707',
          firstName: 'Bob',
          lastName: 'Norman',
          consent: { state: 'unsubscribed', at: '2004-06-13T11:57:11-04:00' },
          addresses: [
            {
              address1: 'Chestnut Street 92',
              city: 'Louisville',
              province: 'Kentucky',
              zip: '40202',
              country: 'US',
              phone: '5556251199',
            },
          ],
        },
      },
    });
  });

  it.each([
    ['subscribed', 'subscribed'],
    ['not_subscribed', 'unsubscribed'],
    ['unsubscribed', 'unsubscribed'],
    ['redacted', 'unsubscribed'],
    ['pending', 'unknown'],
    ['invalid', 'unknown'],
  ])('maps email_marketing_consent %s to %s', (state, expected) => {
    // Arrange
    const customer = fixture('official-rest-examples/customer-207119551.GET.response.json').customer as object;
    const body = { ...customer, email_marketing_consent: { state, consent_updated_at: null } };

    // Act
    const event = eventOf(shopify('customers/create', body));

    // Assert
    expect(event.kind === 'customer' && event.customer.consent).toStrictEqual({ state: expected });
  });

  it('maps customers/redact to a redaction subject', () => {
    // Act
    const result = shopify('customers/redact', fixture('customers_redact.json'));

    // Assert
    expect(result).toStrictEqual({
      ok: true,
      event: {
        kind: 'redact-customer',
        channelId: 'ch-shop',
        subject: {
          channelCustomerId: '191167',
          email: 'john@example.com',
          phone: '5556251199',
          orderIds: ['299938', '280263', '220458'],
        },
      },
    });
  });

  it('maps customers/data_request to a data request with its id', () => {
    // Act
    const event = eventOf(shopify('customers/data_request', fixture('customers_data_request.json')));

    // Assert
    expect(event).toStrictEqual({
      kind: 'data-request',
      channelId: 'ch-shop',
      requestId: '9999',
      subject: {
        channelCustomerId: '191167',
        email: 'john@example.com',
        phone: '5556251199',
        orderIds: ['299938', '280263', '220458'],
      },
    });
  });

  it('maps shop/redact to a shop redaction', () => {
    // Act
    const result = shopify('shop/redact', fixture('shop_redact.json'));

    // Assert
    expect(result).toStrictEqual({ ok: true, event: { kind: 'redact-shop', channelId: 'ch-shop' } });
  });

  it('maps orders/delete to a removed order dated by receipt', () => {
    // Act
    const result = shopify('orders/delete', { id: 450789469 });

    // Assert
    expect(result).toStrictEqual({
      ok: true,
      event: { kind: 'order-removed', channelId: 'ch-shop', orderId: '450789469', updatedAt: RECEIVED_AT },
    });
  });

  it('rejects a non-numeric total and names the field', () => {
    // Arrange
    const body = fixture(ORDER);
    body.total_price_set = { shop_money: { amount: 'five hundred', currency_code: 'USD' } };

    // Act
    const result = shopify('orders/create', body);

    // Assert
    expect(result).toStrictEqual({
      ok: false,
      reason: 'invalid shopify orders/create payload',
      issues: ['total_price_set.shop_money.amount: Invalid decimal amount'],
    });
  });

  it('rejects an order without an id or with an invalid date', () => {
    // Arrange
    const { id: _id, ...body } = fixture(ORDER);
    body.created_at = '2008-02-30T11:00:00-05:00';

    // Act
    const result = shopify('orders/create', body);

    // Assert
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toStrictEqual(['id: Required', 'created_at: Invalid ISO 8601 date-time']);
  });

  it('rejects an order with no total at all', () => {
    // Arrange
    const { total_price_set: _set, total_price: _price, ...body } = fixture(ORDER);

    // Act
    const result = shopify('orders/create', body);

    // Assert
    expect(!result.ok && result.issues).toStrictEqual(['total_price_set: Required (or total_price with currency)']);
  });

  it('rejects a body that is not an object', () => {
    // Act
    const result = shopify('orders/create', [1, 2, 3]);

    // Assert
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues[0]).toMatch(/^\(root\): /);
  });

  it('answers an unsupported topic with ok:false so the processor quarantines it', () => {
    // Act
    const result = shopify('app/uninstalled', { id: 1 });

    // Assert
    expect(result).toStrictEqual({ ok: false, reason: 'unsupported topic app/uninstalled', issues: [] });
  });
});

describe('Function: normalizeWebhook (shopify), money that is never negative', () => {
  type Bag = { shop_money: { amount: string } };
  type Body = {
    total_price: string;
    total_price_set: Bag;
    line_items: { price: string; price_set?: Bag }[];
    refunds: { transactions: { amount: string }[] }[];
  };
  const order = () => fixture(ORDER) as unknown as Body;

  function issuesOf(result: NormalizeResult): string[] {
    if (result.ok) throw new Error('expected the order to be refused');
    expect(result.reason).toBe('invalid shopify orders/updated payload');
    return result.issues;
  }

  it('refuses an order whose total is negative', () => {
    // Arrange
    const body = order();
    body.total_price_set.shop_money.amount = '-598.94';

    // Act
    const issues = issuesOf(shopify('orders/updated', body));

    // Assert
    expect(issues).toStrictEqual(['total_price_set.shop_money.amount: must not be negative']);
  });

  it('refuses an order with a negative line price, in shop money or as the bare price', () => {
    // Arrange
    const body = order();
    body.line_items[0]!.price_set!.shop_money.amount = '-199.00';
    delete body.line_items[1]!.price_set;
    body.line_items[1]!.price = '-1.00';

    // Act
    const issues = issuesOf(shopify('orders/updated', body));

    // Assert
    expect(issues).toStrictEqual([
      'line_items.0.price_set.shop_money.amount: must not be negative',
      'line_items.1.price: must not be negative',
    ]);
  });

  it('refuses a refund whose transaction is negative, where the sign used to be dropped', () => {
    // Arrange
    const body = order();
    body.refunds[0]!.transactions[0]!.amount = '-209.00';

    // Act
    const issues = issuesOf(shopify('orders/updated', body));

    // Assert
    expect(issues).toStrictEqual(['refunds.0.transactions.0.amount: must not be negative']);
  });

  it('refuses refunds that return more than the order total', () => {
    // Arrange
    const body = order();
    body.refunds[0]!.transactions[0]!.amount = '598.95';

    // Act
    const issues = issuesOf(shopify('orders/updated', body));

    // Assert
    expect(issues).toStrictEqual(['refunds: 59895 refunded is more than the 59894 paid (minor units)']);
  });

  it('still takes refunds that return exactly the order total', () => {
    // Arrange
    const body = order();
    body.refunds[0]!.transactions[0]!.amount = '598.94';

    // Act
    const result = shopify('orders/updated', body);

    // Assert
    expect(orderOf(result).refunds).toStrictEqual({ '509562969': 59894 });
  });

  it('refuses a refund paid in another currency whose refunded lines are negative', () => {
    // Arrange
    const body = order() as unknown as { refunds: { transactions: Record<string, unknown>[]; refund_line_items: { subtotal_set: Bag }[] }[] };
    const [refund] = body.refunds;
    refund!.transactions = refund!.transactions.map((t) => ({ ...t, currency: 'CAD' }));
    refund!.refund_line_items[0]!.subtotal_set.shop_money.amount = '-195.66';

    // Act
    const issues = issuesOf(shopify('orders/updated', body));

    // Assert
    expect(issues).toContain('refunds.0.refund_line_items.0.subtotal_set.shop_money.amount: must not be negative');
  });

  it('refuses a refunds/create whose transaction is negative', () => {
    // Arrange
    const body = fixture('refunds_create.derived-from-official-rest.json') as { transactions: { amount: string }[] };
    body.transactions[0]!.amount = '-41.94';

    // Act
    const result = shopify('refunds/create', body);

    // Assert
    expect(result).toStrictEqual({
      ok: false,
      reason: 'invalid shopify refunds/create payload',
      issues: ['transactions.0.amount: must not be negative'],
    });
  });
});
