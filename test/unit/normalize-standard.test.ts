import { describe, expect, it } from 'vitest';
import { normalizeWebhook, standardWebhookSchema, type NormalizeResult } from '../../functions/domain/normalize';
import { orderOf } from '../support/normalize-results';

const standard = (body: unknown): NormalizeResult =>
  normalizeWebhook({ platform: 'standard', topic: '', channelId: 'ch-std', body, receivedAt: '2025-03-20T08:00:05Z' });

/** The full example of the README's schema section. */
const orderUpdated = () => ({
  type: 'order.updated',
  timestamp: '2025-03-20T07:00:04Z',
  data: {
    id: 'ord_8731',
    number: '#8731',
    placedAt: '2025-03-14T23:26:41+01:00',
    updatedAt: '2025-03-20T08:00:00+01:00',
    status: 'open',
    test: false,
    currency: 'EUR',
    total: '59.90',
    refunds: [{ id: 'ref_1', amount: '10.00', createdAt: '2025-03-20T08:00:00+01:00' }],
    discountCodes: ['WELCOME10'],
    customer: {
      id: 'cus_42',
      email: 'Ana.Garcia@example.com',
      phone: '+34 600 123 456',
      firstName: 'Ana',
      lastName: 'García',
      emailConsent: { state: 'subscribed', at: '2025-03-14T23:25:00+01:00' },
    },
  },
});

describe('Function: normalizeWebhook (standard)', () => {
  it('maps the documented example to the order model', () => {
    // Act
    const result = standard(orderUpdated());

    // Assert
    expect(result).toStrictEqual({
      ok: true,
      event: {
        kind: 'order',
        order: {
          channelId: 'ch-std',
          platform: 'standard',
          orderId: 'ord_8731',
          orderNumber: '#8731',
          placedAt: '2025-03-14T23:26:41+01:00',
          placedDay: '2025-03-14',
          updatedAt: '2025-03-20T08:00:00+01:00',
          status: 'open',
          test: false,
          currency: 'EUR',
          totalMinor: 5990,
          refunds: { ref_1: 1000 },
          discountCodes: ['WELCOME10'],
          customer: {
            channelCustomerId: 'cus_42',
            email: 'ana.garcia@example.com',
            phone: '+34600123456',
            firstName: 'Ana',
            lastName: 'García',
            consent: { state: 'subscribed', at: '2025-03-14T23:25:00+01:00' },
          },
        },
      },
    });
  });

  it('validates the example against the exported schema', () => {
    // Act
    const parsed = standardWebhookSchema.safeParse(orderUpdated());

    // Assert
    expect(parsed.success).toBe(true);
  });

  it('forces status cancelled on order.cancelled', () => {
    // Arrange
    const body = { ...orderUpdated(), type: 'order.cancelled' };

    // Act
    const order = orderOf(standard(body));

    // Assert
    expect(order.status).toBe('cancelled');
  });

  it('keeps test orders and guest customers as sent', () => {
    // Arrange
    const body = orderUpdated();
    body.data.test = true;
    body.data.customer = { email: 'guest@example.com' } as typeof body.data.customer;

    // Act
    const order = orderOf(standard({ ...body, type: 'order.created' }));

    // Assert
    expect(order.test).toBe(true);
    expect(order.customer).toStrictEqual({ email: 'guest@example.com' });
  });

  it.each([
    ['JPY', '1200', 1200],
    ['USD', '12.34', 1234],
    ['KWD', '1.234', 1234],
  ])('reads a %s total of %s as %i minor units', (currency, total, expected) => {
    // Arrange
    const body = orderUpdated();
    body.data.currency = currency;
    body.data.total = total;
    body.data.refunds = [];

    // Act
    const order = orderOf(standard(body));

    // Assert
    expect(order.totalMinor).toBe(expected);
  });

  it('maps refund.created to a refund', () => {
    // Arrange
    const body = {
      type: 'refund.created',
      timestamp: '2025-03-20T07:00:04Z',
      data: { id: 'ref_2', orderId: 'ord_8731', amount: '5.00', currency: 'EUR', createdAt: '2025-03-20T08:00:00+01:00' },
    };

    // Act
    const result = standard(body);

    // Assert
    expect(result).toStrictEqual({
      ok: true,
      event: {
        kind: 'refund',
        refund: {
          channelId: 'ch-std',
          orderId: 'ord_8731',
          refundId: 'ref_2',
          amountMinor: 500,
          currency: 'EUR',
          createdAt: '2025-03-20T08:00:00+01:00',
        },
      },
    });
  });

  it('maps customer.updated to customer facts', () => {
    // Arrange
    const body = {
      type: 'customer.updated',
      timestamp: '2025-03-20T07:00:04Z',
      data: {
        id: 42,
        email: ' ANA.GARCIA@example.com',
        emailConsent: { state: 'unsubscribed', at: '2025-03-19T12:00:00Z' },
        updatedAt: '2025-03-19T12:00:00Z',
      },
    };

    // Act
    const result = standard(body);

    // Assert
    expect(result).toStrictEqual({
      ok: true,
      event: {
        kind: 'customer',
        channelId: 'ch-std',
        updatedAt: '2025-03-19T12:00:00Z',
        customer: {
          channelCustomerId: '42',
          email: 'ana.garcia@example.com',
          consent: { state: 'unsubscribed', at: '2025-03-19T12:00:00Z' },
        },
      },
    });
  });

  it('rejects malformed fields and names each one', () => {
    // Arrange
    const body = orderUpdated() as { data: Record<string, unknown> };
    body.data.total = '59,90';
    body.data.currency = 'EURO';
    delete body.data.placedAt;
    body.data.refunds = [{ id: 'ref_1', amount: '-10.00' }];

    // Act
    const result = standard(body);

    // Assert
    expect(result).toStrictEqual({
      ok: false,
      reason: 'invalid standard order.updated payload',
      issues: [
        'data.placedAt: Required',
        'data.currency: Invalid currency code',
        'data.total: Invalid decimal amount (non-negative, e.g. "59.90")',
        'data.refunds.0.amount: Invalid decimal amount (non-negative, e.g. "59.90")',
      ],
    });
  });

  it('rejects refunds that return more than the order total', () => {
    // Arrange
    const body = orderUpdated();
    body.data.refunds = [
      { id: 'ref_1', amount: '50.00', createdAt: '2025-03-20T08:00:00+01:00' },
      { id: 'ref_2', amount: '9.91', createdAt: '2025-03-20T08:00:00+01:00' },
    ];

    // Act
    const result = standard(body);

    // Assert
    expect(result).toStrictEqual({
      ok: false,
      reason: 'invalid standard order.updated payload',
      issues: ['refunds: 5991 refunded is more than the 5990 paid (minor units)'],
    });
  });

  it('rejects an order with more discount codes, or longer ones, than a customer\'s counters hold', () => {
    // Arrange
    const body = orderUpdated();
    body.data.discountCodes = [...Array.from({ length: 40 }, (_, i) => `CODE${i}`), 'X'.repeat(256)];

    // Act
    const result = standard(body);

    // Assert
    expect(!result.ok && result.issues).toStrictEqual([
      'discount codes: 41 on one order, at most 40 are kept',
      'discount codes: 1 longer than 255 characters',
    ]);
  });

  it('takes 40 codes of 255 characters', () => {
    // Arrange
    const body = orderUpdated();
    body.data.discountCodes = Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(255, 'x'));

    // Act
    const result = standard(body);

    // Assert
    expect(result.ok && result.event.kind === 'order' && result.event.order.discountCodes).toHaveLength(40);
  });

  it('takes an id of 256 UTF-8 bytes and rejects one byte more, which no DynamoDB sort key could hold with its prefix', () => {
    // Arrange
    const fits = orderUpdated();
    fits.data.id = 'é'.repeat(128);
    const over = orderUpdated();
    over.data.id = `${'é'.repeat(128)}x`;
    const longCustomer = orderUpdated();
    longCustomer.data.customer.id = 'c'.repeat(3000);

    // Act
    const results = [standard(fits), standard(over), standard(longCustomer)];

    // Assert
    expect(orderOf(results[0]!).orderId).toBe('é'.repeat(128));
    expect(!results[1]!.ok && results[1]!.issues).toStrictEqual(['data.id: Invalid id: over 256 bytes']);
    expect(!results[2]!.ok && results[2]!.issues).toStrictEqual(['data.customer.id: Invalid id: over 256 bytes']);
  });

  it('rejects a refund.created with a negative amount', () => {
    // Act
    const result = standard({
      type: 'refund.created',
      timestamp: '2025-03-20T07:00:04Z',
      data: { id: 'ref_2', orderId: 'ord_8731', amount: '-5.00', currency: 'EUR', createdAt: '2025-03-20T08:00:00+01:00' },
    });

    // Assert
    expect(!result.ok && result.issues).toStrictEqual(['data.amount: Invalid decimal amount (non-negative, e.g. "59.90")']);
  });

  it('rejects a customer event without updatedAt', () => {
    // Act
    const result = standard({ type: 'customer.created', timestamp: '2025-03-20T07:00:04Z', data: { id: '1' } });

    // Assert
    expect(!result.ok && result.issues).toStrictEqual(['data.updatedAt: Required']);
  });

  it('answers an unknown type with ok:false so the processor quarantines it', () => {
    // Act
    const result = standard({ type: 'subscription.renewed', timestamp: '2025-03-20T07:00:04Z', data: {} });

    // Assert
    expect(result).toStrictEqual({ ok: false, reason: 'unsupported topic subscription.renewed', issues: [] });
  });

  it('rejects a body without a type', () => {
    // Act
    const result = standard({ data: {} });

    // Assert
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toBe('invalid standard webhook body');
    expect(!result.ok && result.issues[0]).toMatch(/^type: /);
  });
});
