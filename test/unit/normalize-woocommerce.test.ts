import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeWebhook, type NormalizeResult } from '../../functions/domain/normalize';
import { orderOf } from '../support/normalize-results';

const fixtureText = (name: string): string =>
  readFileSync(new URL(`../fixtures/marketplaces/woocommerce/${name}`, import.meta.url), 'utf8');
const fixture = (name: string): Record<string, unknown> => JSON.parse(fixtureText(name));

const RECEIVED_AT = '2017-03-23T10:00:00Z';

const woo = (topic: string, body: unknown): NormalizeResult =>
  normalizeWebhook({ platform: 'woocommerce', topic, channelId: 'ch-woo', body, receivedAt: RECEIVED_AT });

describe('Function: normalizeWebhook (woocommerce)', () => {
  it('maps the documented order 727 to the order model', () => {
    // Arrange
    const body = fixture('order.created.json');

    // Act
    const result = woo('order.created', body);

    // Assert
    expect(result).toStrictEqual({
      ok: true,
      event: {
        kind: 'order',
        order: {
          channelId: 'ch-woo',
          platform: 'woocommerce',
          orderId: '727',
          orderNumber: '727',
          placedAt: '2017-03-22T19:28:02Z',
          placedDay: '2017-03-22',
          updatedAt: '2017-03-22T19:28:08Z',
          status: 'open',
          test: false,
          currency: 'USD',
          totalMinor: 2935,
          refunds: {},
          discountCodes: [],
          lineItems: [
            { title: 'Woo Single #1', quantity: 2 },
            { sku: 'Bar3', title: 'Ship Your Idea \u2013 Color: Black, Size: M Test', quantity: 1 },
          ],
          customer: {
            email: 'john.doe@example.com',
            phone: '5555555555',
            firstName: 'John',
            lastName: 'Doe',
            consent: { state: 'unknown' },
            addresses: [
              {
                name: 'John Doe',
                address1: '969 Market',
                city: 'San Francisco',
                province: 'CA',
                zip: '94103',
                country: 'US',
                phone: '5555555555',
              },
            ],
          },
        },
      },
    });
  });

  it('versions an update by date_modified_gmt', () => {
    // Act
    const order = orderOf(woo('order.updated', fixture('order.updated.json')));

    // Assert
    expect(order.updatedAt).toBe('2017-03-22T19:30:35Z');
    expect(order.status).toBe('open');
  });

  it('takes the purchase day from the store-local date_created', () => {
    // Arrange: 22:30 local on the 22nd is already the 23rd in UTC.
    const body = { ...fixture('order.created.json'), date_created: '2017-03-22T22:30:00', date_created_gmt: '2017-03-23T01:30:00' };

    // Act
    const order = orderOf(woo('order.created', body));

    // Assert
    expect(order.placedAt).toBe('2017-03-23T01:30:00Z');
    expect(order.placedDay).toBe('2017-03-22');
  });

  it.each([
    ['processing', 'open'],
    ['completed', 'open'],
    ['on-hold', 'open'],
    ['refunded', 'open'],
    ['cancelled', 'cancelled'],
    ['failed', 'failed'],
    ['pending', 'failed'],
    ['checkout-draft', 'failed'],
    ['trash', 'deleted'],
    ['shipped', 'open'],
  ])('maps status %s to %s', (status, expected) => {
    // Arrange
    const body = { ...fixture('order.created.json'), status };

    // Act
    const order = orderOf(woo('order.updated', body));

    // Assert
    expect(order.status).toBe(expected);
  });

  it('keeps refunds by id as positive minor amounts, and coupon codes', () => {
    // Arrange
    const body = {
      ...fixture('order.created.json'),
      status: 'refunded',
      refunds: [
        { id: 726, reason: '', total: '-10.00' },
        { id: 728, reason: 'damaged', total: '-19.35' },
      ],
      coupon_lines: [{ id: 1, code: 'welcome10', discount: '1.00' }],
    };

    // Act
    const order = orderOf(woo('order.updated', body));

    // Assert
    expect(order.refunds).toStrictEqual({ '726': 1000, '728': 1935 });
    expect(order.discountCodes).toStrictEqual(['welcome10']);
  });

  it('treats customer_id 0 as a guest and any other as the customer id', () => {
    // Arrange
    const guest = fixture('order.created.json');
    const registered = { ...guest, customer_id: 25 };

    // Act
    const guestOrder = orderOf(woo('order.created', guest));
    const registeredOrder = orderOf(woo('order.created', registered));

    // Assert
    expect(guestOrder.customer.channelCustomerId).toBeUndefined();
    expect(registeredOrder.customer.channelCustomerId).toBe('25');
  });

  it('reads PHP-escaped JSON (\\/) like any other', () => {
    // Arrange
    const text = fixtureText('order.created.json').replaceAll('/', '\\/');

    // Act
    const order = orderOf(woo('order.created', JSON.parse(text)));

    // Assert
    expect(order.totalMinor).toBe(2935);
  });

  it('maps order.restored to the order itself', () => {
    // Act
    const order = orderOf(woo('order.restored', fixture('order.updated.json')));

    // Assert
    expect(order.orderId).toBe('727');
  });

  it('maps order.deleted ({ id } only) to a removed order dated by receipt', () => {
    // Act
    const result = woo('order.deleted', { id: 727 });

    // Assert
    expect(result).toStrictEqual({
      ok: true,
      event: { kind: 'order-removed', channelId: 'ch-woo', orderId: '727', updatedAt: RECEIVED_AT },
    });
  });

  it('maps customer.created to customer facts', () => {
    // Act
    const result = woo('customer.created', fixture('customer.created.json'));

    // Assert
    expect(result).toStrictEqual({
      ok: true,
      event: {
        kind: 'customer',
        channelId: 'ch-woo',
        updatedAt: '2017-03-21T19:09:30Z',
        customer: {
          channelCustomerId: '25',
          email: 'john.doe@example.com',
          phone: '5555555555',
          firstName: 'John',
          lastName: 'Doe',
          consent: { state: 'unknown' },
          addresses: [
            {
              name: 'John Doe',
              address1: '969 Market',
              city: 'San Francisco',
              province: 'CA',
              zip: '94103',
              country: 'US',
              phone: '5555555555',
            },
          ],
        },
      },
    });
  });

  it('ignores customer.deleted with a reason', () => {
    // Act
    const result = woo('customer.deleted', { id: 25 });

    // Assert
    expect(result.ok && result.event.kind).toBe('ignored');
  });

  it('rejects a non-numeric total and a missing id, naming both fields', () => {
    // Arrange
    const { id: _id, ...body } = fixture('order.created.json');
    body.total = '29,35';

    // Act
    const result = woo('order.created', body);

    // Assert
    expect(result).toStrictEqual({
      ok: false,
      reason: 'invalid woocommerce order.created payload',
      issues: ['id: Required', 'total: Invalid decimal amount'],
    });
  });

  it('rejects an invalid date', () => {
    // Arrange
    const body = { ...fixture('order.created.json'), date_created_gmt: '2017-13-22T19:28:02' };

    // Act
    const result = woo('order.created', body);

    // Assert
    expect(!result.ok && result.issues).toStrictEqual(['date_created_gmt: Invalid ISO 8601 local date-time']);
  });

  it('answers an unsupported topic with ok:false', () => {
    // Act
    const result = woo('product.created', { id: 93 });

    // Assert
    expect(result).toStrictEqual({ ok: false, reason: 'unsupported topic product.created', issues: [] });
  });
});

describe('Function: normalizeWebhook (woocommerce), money that is never negative', () => {
  type Body = { total: string; line_items: Record<string, unknown>[]; refunds: { id: number; total: string }[] };
  const order = () => fixture('order.created.json') as unknown as Body;

  function issuesOf(result: NormalizeResult): string[] {
    if (result.ok) throw new Error('expected the order to be refused');
    expect(result.reason).toBe('invalid woocommerce order.updated payload');
    return result.issues;
  }

  it('refuses an order whose total is negative', () => {
    // Arrange
    const body = order();
    body.total = '-29.35';

    // Act
    const issues = issuesOf(woo('order.updated', body));

    // Assert
    expect(issues).toStrictEqual(['total: must not be negative']);
  });

  it('refuses an order with a negative line price or line total', () => {
    // Arrange
    const body = order();
    body.line_items[0]!['price'] = -3;
    body.line_items[1]!['total'] = '-12.00';

    // Act
    const issues = issuesOf(woo('order.updated', body));

    // Assert
    expect(issues).toStrictEqual(['line_items.0.price: must not be negative', 'line_items.1.total: must not be negative']);
  });

  it('refuses a refund that takes money back (a positive refund total)', () => {
    // Arrange
    const body = order();
    body.refunds = [{ id: 726, total: '10.00' }];

    // Act
    const issues = issuesOf(woo('order.updated', body));

    // Assert
    expect(issues).toStrictEqual(['refunds.0.total: must not be positive (WooCommerce records a refund as a negative total)']);
  });

  it('refuses refunds that return more than the order total', () => {
    // Arrange
    const body = order();
    body.refunds = [
      { id: 726, total: '-20.00' },
      { id: 728, total: '-9.36' },
    ];

    // Act
    const issues = issuesOf(woo('order.updated', body));

    // Assert
    expect(issues).toStrictEqual(['refunds: 2936 refunded is more than the 2935 paid (minor units)']);
  });
});
