import { describe, expect, it } from 'vitest';
import { normalizeWebhook, type NormalizeResult } from '../../functions/domain/normalize';
import { issuesOf, orderOf } from '../support/normalize-results';

const standard = (body: unknown): NormalizeResult =>
  normalizeWebhook({ platform: 'standard', topic: '', channelId: 'ch-std', body, receivedAt: '2026-03-05T00:00:00Z' });

const order = (data: Record<string, unknown> = {}, type = 'order.created') => ({
  type,
  timestamp: '2026-03-01T10:00:05Z',
  data: {
    id: 'ord_1',
    placedAt: '2026-03-01T23:30:00+01:00',
    updatedAt: '2026-03-01T23:30:00+01:00',
    status: 'open',
    currency: 'EUR',
    total: '59.90',
    customer: {},
    ...data,
  },
});

describe('Standard webhooks: orders', () => {
  it('maps the least order body to the order model', () => {
    expect(orderOf(standard(order()))).toStrictEqual({
      channelId: 'ch-std',
      platform: 'standard',
      orderId: 'ord_1',
      placedAt: '2026-03-01T23:30:00+01:00',
      placedDay: '2026-03-01',
      updatedAt: '2026-03-01T23:30:00+01:00',
      status: 'open',
      test: false,
      currency: 'EUR',
      totalMinor: 5990,
      refunds: {},
      discountCodes: [],
      customer: {},
    });
  });

  it.each(['order.created', 'order.updated'])('keeps the status sent with %s', (type) => {
    expect(orderOf(standard(order({ status: 'failed' }, type))).status).toBe('failed');
  });

  it('keeps a test order only when test is true', () => {
    expect(orderOf(standard(order({ test: true }))).test).toBe(true);
    expect(orderOf(standard(order({ test: null }))).test).toBe(false);
  });

  it('reads the order number as trimmed text', () => {
    expect(orderOf(standard(order({ number: 8731 }))).orderNumber).toBe('8731');
    expect(orderOf(standard(order({ number: ' #8731 ' }))).orderNumber).toBe('#8731');
    expect(orderOf(standard(order({ number: null })))).not.toHaveProperty('orderNumber');
    expect(orderOf(standard(order({ number: '  ' })))).not.toHaveProperty('orderNumber');
  });

  it('keeps refunds by id and codes once each', () => {
    const mapped = orderOf(
      standard(order({ refunds: [{ id: 'r1', amount: '1.50' }, { id: 2, amount: '2' }], discountCodes: ['A', ' A', 'B'] })),
    );

    expect(mapped.refunds).toStrictEqual({ r1: 150, '2': 200 });
    expect(mapped.discountCodes).toEqual(['A', 'B']);
  });

  it('keeps the lines with a title and a whole quantity, and takes the order whatever the others are', () => {
    const lineItems = [{ sku: 'TEA-1', title: 'Sencha', quantity: 2 }, { title: 'Cup', quantity: -1 }, 'Tea', null, { title: 'Pot', quantity: 1 }];

    expect(orderOf(standard(order({ lineItems }))).lineItems).toStrictEqual([
      { sku: 'TEA-1', title: 'Sencha', quantity: 2 },
      { title: 'Pot', quantity: 1 },
    ]);
  });

  it('has no lines when lineItems is absent or not a list', () => {
    expect(orderOf(standard(order()))).not.toHaveProperty('lineItems');
    expect(orderOf(standard(order({ lineItems: { title: 'Tea', quantity: 1 } })))).not.toHaveProperty('lineItems');
    expect(orderOf(standard(order({ lineItems: [] }))).lineItems).toStrictEqual([]);
  });

  it('names every amount that cannot be converted', () => {
    const result = standard(order({ total: '99999999999999999', refunds: [{ id: 'r1', amount: '99999999999999999' }] }, 'order.updated'));

    expect(result).toStrictEqual({
      ok: false,
      reason: 'invalid standard order.updated payload',
      issues: [
        'data.refunds.0.amount: amount out of range "99999999999999999"',
        'data.total: amount out of range "99999999999999999"',
      ],
    });
  });

  it('reads amounts with blanks, and refuses signs, exponents and missing ones', () => {
    expect(orderOf(standard(order({ total: ' 12 ' }))).totalMinor).toBe(1200);
    expect(issuesOf(standard(order({ total: '+12' })))).toEqual(['data.total: Invalid decimal amount (non-negative, e.g. "59.90")']);
    expect(issuesOf(standard(order({ total: '1.' })))).toHaveLength(1);
    expect(issuesOf(standard(order({ total: 'x12' })))).toHaveLength(1);
    expect(issuesOf(standard(order({ total: '12x' })))).toHaveLength(1);
    expect(issuesOf(standard(order({ total: undefined })))).toEqual(['data.total: Required']);
    expect(issuesOf(standard(order({ total: 12 })))).toEqual(['data.total: Invalid decimal amount']);
  });

  it('maps the customer, dropping blank names and an undated consent date', () => {
    const mapped = orderOf(
      standard(order({
        customer: {
          id: 42,
          email: ' Ana@Example.com ',
          phone: '+34 600 123 456',
          firstName: ' Ana ',
          lastName: ' ',
          emailConsent: { state: 'unsubscribed', at: null },
        },
      })),
    );

    expect(mapped.customer).toStrictEqual({
      channelCustomerId: '42',
      email: 'ana@example.com',
      phone: '+34600123456',
      firstName: 'Ana',
      consent: { state: 'unsubscribed' },
    });
  });

  it('accepts every documented consent state and status', () => {
    for (const state of ['subscribed', 'unsubscribed', 'unknown']) {
      expect(orderOf(standard(order({ customer: { emailConsent: { state } } }))).customer.consent).toEqual({ state });
    }
    for (const status of ['open', 'cancelled', 'failed']) {
      expect(orderOf(standard(order({ status }, 'order.updated'))).status).toBe(status);
    }
  });

  it('refuses a consent state it does not know', () => {
    expect(issuesOf(standard(order({ customer: { emailConsent: { state: 'maybe' } } }))).length).toBe(1);
  });
});

describe('Standard webhooks: refunds and customers', () => {
  const refund = (data: Record<string, unknown> = {}) => ({
    type: 'refund.created',
    timestamp: '2026-03-02T10:00:05Z',
    data: { id: 'ref_1', orderId: 'ord_1', amount: '10.00', currency: 'jpy', createdAt: '2026-03-02T10:00:00Z', ...data },
  });

  it('maps refund.created to a refund', () => {
    expect(standard(refund())).toStrictEqual({
      ok: true,
      event: {
        kind: 'refund',
        refund: {
          channelId: 'ch-std',
          orderId: 'ord_1',
          refundId: 'ref_1',
          amountMinor: 10,
          currency: 'JPY',
          createdAt: '2026-03-02T10:00:00Z',
        },
      },
    });
  });

  it('names a refund amount that cannot be converted', () => {
    expect(standard(refund({ amount: '99999999999999999' }))).toStrictEqual({
      ok: false,
      reason: 'invalid standard refund.created payload',
      issues: ['data.amount: amount out of range "99999999999999999"'],
    });
  });

  it.each(['customer.created', 'customer.updated'])('maps %s to customer facts', (type) => {
    const body = {
      type,
      timestamp: '2026-03-02T10:00:05Z',
      data: { id: 'cus_1', email: 'a@example.com', updatedAt: '2026-03-02T10:00:00Z', emailConsent: { state: 'subscribed', at: '2026-03-01T00:00:00Z' } },
    };

    expect(standard(body)).toStrictEqual({
      ok: true,
      event: {
        kind: 'customer',
        channelId: 'ch-std',
        updatedAt: '2026-03-02T10:00:00Z',
        customer: { channelCustomerId: 'cus_1', email: 'a@example.com', consent: { state: 'subscribed', at: '2026-03-01T00:00:00Z' } },
      },
    });
  });

  it('rejects a blank type as an invalid body', () => {
    expect(standard({ type: '  ', data: {} })).toMatchObject({ ok: false, reason: 'invalid standard webhook body' });
  });

  it('rejects a type padded with blanks as an invalid payload of that type', () => {
    expect(standard({ ...refund(), type: ' refund.created' })).toMatchObject({
      ok: false,
      reason: 'invalid standard refund.created payload',
    });
  });
});

describe('Function: normalizeWebhook', () => {
  it('answers a platform it does not know with ok:false', () => {
    const result = normalizeWebhook({ platform: 'etsy' as never, topic: 'x', channelId: 'c', body: {}, receivedAt: '' });

    expect(result).toStrictEqual({ ok: false, reason: 'unsupported platform etsy', issues: [] });
  });

  it('reads a topic that is not a string as empty', () => {
    const result = normalizeWebhook({ platform: 'shopify', topic: 42 as never, channelId: 'c', body: {}, receivedAt: '' });

    expect(result).toStrictEqual({ ok: false, reason: 'unsupported topic ', issues: [] });
  });

  it('turns a failure inside a normalizer into ok:false with the error', () => {
    const body = {
      get id(): never {
        throw new TypeError('boom');
      },
    };

    expect(normalizeWebhook({ platform: 'woocommerce', topic: 'order.deleted', channelId: 'c', body, receivedAt: '' })).toStrictEqual({
      ok: false,
      reason: 'normalizer failed',
      issues: ['TypeError: boom'],
    });
  });

  it('reports a thrown value that is not an Error as text', () => {
    const body = {
      get id(): never {
        throw 'plain text';
      },
    };

    expect(normalizeWebhook({ platform: 'woocommerce', topic: 'order.deleted', channelId: 'c', body, receivedAt: '' })).toStrictEqual({
      ok: false,
      reason: 'normalizer failed',
      issues: ['plain text'],
    });
  });
});
