import { describe, expect, it } from 'vitest';
import {
  applyOrderChange,
  contributionOf,
  orderView,
  refundedMinor,
  sameOrder,
  type OrderRecord,
} from '../../functions/domain/orders';
import { anOrder, aRefund } from '../support/builders';

function aRecord(overrides: Partial<OrderRecord> = {}): OrderRecord {
  const { customer: _facts, ...order } = anOrder();
  return { ...order, placeholder: false, ...overrides };
}

const removal = (updatedAt: string) =>
  ({ kind: 'order-removed', channelId: 'ch_shop', orderId: '1001', updatedAt }) as const;

describe('Function: applyOrderChange, for an order', () => {
  it('keeps a first order without the person behind it', () => {
    const order = anOrder({ refunds: { r1: 100 }, discountCodes: ['SPRING'] });

    const next = applyOrderChange('shopify', undefined, { kind: 'order', order });

    const { customer: _facts, ...rest } = order;
    expect(next).toEqual({ ...rest, placeholder: false });
    expect(next).not.toHaveProperty('customer');
  });

  it('copies the refunds and codes, so the stored order never shares them with the event', () => {
    const order = anOrder({ refunds: { r1: 100 }, discountCodes: ['SPRING'] });

    const next = applyOrderChange('shopify', undefined, { kind: 'order', order });
    order.refunds.r2 = 5;
    order.discountCodes.push('LATER');

    expect(next.refunds).toEqual({ r1: 100 });
    expect(next.discountCodes).toEqual(['SPRING']);
  });

  it('replaces the fields with a newer version, keeping the customer it was linked to', () => {
    const existing = aRecord({ totalMinor: 5000, customerId: 'c_1', version: 3 });
    const newer = anOrder({ updatedAt: '2026-03-02T00:00:00Z', totalMinor: 4000, status: 'cancelled' });

    const next = applyOrderChange('shopify', existing, { kind: 'order', order: newer });

    expect(next).toMatchObject({ totalMinor: 4000, status: 'cancelled', updatedAt: newer.updatedAt, customerId: 'c_1' });
  });

  it('takes a version dated the same instant as the stored one', () => {
    const existing = aRecord({ totalMinor: 5000 });
    const same = anOrder({ totalMinor: 4500 });

    expect(applyOrderChange('shopify', existing, { kind: 'order', order: same }).totalMinor).toBe(4500);
  });

  it('keeps the stored fields against an older version, adding only the refunds it knew of', () => {
    const existing = aRecord({ updatedAt: '2026-03-03T00:00:00Z', totalMinor: 4000, refunds: { r1: 100 } });
    const older = anOrder({ updatedAt: '2026-03-02T00:00:00Z', totalMinor: 9999, refunds: { r1: 999, r0: 50 } });

    const next = applyOrderChange('shopify', existing, { kind: 'order', order: older });

    expect(next).toEqual({ ...existing, refunds: { r0: 50, r1: 100 } });
  });

  it('keeps refunds from every version once, the newer amount winning for a shared key', () => {
    const existing = aRecord({ refunds: { total: 500, r1: 100 } });
    const newer = anOrder({ updatedAt: '2026-03-04T00:00:00Z', refunds: { total: 700, r2: 200 } });

    const next = applyOrderChange('bigcommerce', existing, { kind: 'order', order: newer });

    expect(next.refunds).toEqual({ total: 700, r1: 100, r2: 200 });
  });

  it('fills a refund placeholder with the order, keeping the refund that came first', () => {
    const early = applyOrderChange('shopify', undefined, { kind: 'refund', refund: aRefund({ refundId: 'r9', amountMinor: 300 }) });
    const order = anOrder({ refunds: { r1: 100 } });

    const next = applyOrderChange('shopify', early, { kind: 'order', order });

    expect(next).toMatchObject({ placeholder: false, totalMinor: 5000, status: 'open', refunds: { r1: 100, r9: 300 } });
  });

  it('keeps an order deleted when the removal seen before it is the later fact', () => {
    const removed = applyOrderChange('woocommerce', undefined, removal('2026-03-05T12:00:00.250Z'));
    const order = anOrder({ updatedAt: '2026-03-05T11:00:00Z', refunds: { r1: 100 } });

    const next = applyOrderChange('woocommerce', removed, { kind: 'order', order });

    expect(next).toMatchObject({
      placeholder: false,
      status: 'deleted',
      updatedAt: '2026-03-05T12:00:00.000Z',
      totalMinor: 5000,
      refunds: { r1: 100 },
    });
  });

  it('restores an order whose version is later than the removal seen before it', () => {
    const removed = applyOrderChange('woocommerce', undefined, removal('2026-03-05T12:00:00.250Z'));
    const order = anOrder({ updatedAt: '2026-03-05T12:00:00Z' });

    const next = applyOrderChange('woocommerce', removed, { kind: 'order', order });

    expect(next).toMatchObject({ placeholder: false, status: 'open', updatedAt: '2026-03-05T12:00:00Z' });
  });

  it('takes the lines of a newer version, an empty list included', () => {
    const existing = aRecord({ lineItems: [{ sku: 'TEA-1', title: 'Sencha', quantity: 1 }] });
    const edited = anOrder({ updatedAt: '2026-03-02T00:00:00Z', lineItems: [{ title: 'Matcha', quantity: 2 }] });
    const emptied = anOrder({ updatedAt: '2026-03-02T00:00:00Z', lineItems: [] });

    expect(applyOrderChange('shopify', existing, { kind: 'order', order: edited }).lineItems).toEqual([
      { title: 'Matcha', quantity: 2 },
    ]);
    expect(applyOrderChange('shopify', existing, { kind: 'order', order: emptied }).lineItems).toEqual([]);
  });

  it('keeps the known lines when a newer version says nothing of them', () => {
    const lines = [{ sku: 'TEA-1', title: 'Sencha', quantity: 1 }];
    const existing = aRecord({ lineItems: lines, version: 2 });
    const silent = anOrder({ updatedAt: '2026-03-02T00:00:00Z', totalMinor: 4000 });

    const next = applyOrderChange('shopify', existing, { kind: 'order', order: silent });

    expect(next).toMatchObject({ totalMinor: 4000, lineItems: lines });
    expect(sameOrder(next, applyOrderChange('shopify', next, { kind: 'order', order: silent }))).toBe(true);
  });

  it('has no lines when neither version names any', () => {
    const next = applyOrderChange('shopify', aRecord(), {
      kind: 'order',
      order: anOrder({ updatedAt: '2026-03-02T00:00:00Z' }),
    });

    expect(next).not.toHaveProperty('lineItems');
  });

  it('treats an unreadable stored date as older than any version', () => {
    const existing = aRecord({ updatedAt: 'not a date', totalMinor: 1 });
    const order = anOrder({ updatedAt: '1971-01-01T00:00:00Z', totalMinor: 2 });

    expect(applyOrderChange('shopify', existing, { kind: 'order', order }).totalMinor).toBe(2);
  });
});

describe('Function: applyOrderChange, for a refund', () => {
  it('keeps a refund that arrives before its order as an uncounted placeholder', () => {
    const refund = aRefund({ channelId: 'ch_b', orderId: '77', refundId: 'r5', amountMinor: 250, currency: 'EUR' });

    const next = applyOrderChange('woocommerce', undefined, { kind: 'refund', refund });

    expect(next).toEqual({
      channelId: 'ch_b',
      platform: 'woocommerce',
      orderId: '77',
      placedAt: '',
      placedDay: '',
      updatedAt: '',
      status: 'open',
      test: false,
      currency: 'EUR',
      totalMinor: 0,
      refunds: { r5: 250 },
      discountCodes: [],
      placeholder: true,
    });
    expect(contributionOf(next)).toBeUndefined();
  });

  it('adds a refund to the stored order and changes nothing else', () => {
    const existing = aRecord({ refunds: { r1: 100 } });

    const next = applyOrderChange('shopify', existing, { kind: 'refund', refund: aRefund({ refundId: 'r2', amountMinor: 40 }) });

    expect(next).toEqual({ ...existing, refunds: { r1: 100, r2: 40 } });
  });

  it('counts a refund seen twice once, at the amount first kept', () => {
    const existing = aRecord({ refunds: { r1: 100 } });

    const next = applyOrderChange('shopify', existing, { kind: 'refund', refund: aRefund({ refundId: 'r1', amountMinor: 999 }) });

    expect(next.refunds).toEqual({ r1: 100 });
  });
});

describe('Function: applyOrderChange, for a removal', () => {
  it('marks the stored order deleted, dated at the start of the second it was received', () => {
    const existing = aRecord({ updatedAt: '2026-03-01T10:00:00Z' });

    const next = applyOrderChange('woocommerce', existing, removal('2026-03-05T12:34:56.789Z'));

    expect(next).toEqual({ ...existing, status: 'deleted', updatedAt: '2026-03-05T12:34:56.000Z' });
  });

  it('lets a restore made in the same second as the removal win', () => {
    const existing = aRecord({ updatedAt: '2026-03-05T12:00:00Z' });
    const removed = applyOrderChange('woocommerce', existing, removal('2026-03-05T12:00:07.900Z'));
    const restore = anOrder({ updatedAt: '2026-03-05T12:00:07Z' });

    const next = applyOrderChange('woocommerce', removed, { kind: 'order', order: restore });

    expect(next.status).toBe('open');
  });

  it('ignores a removal older than the stored version', () => {
    const existing = aRecord({ updatedAt: '2026-03-05T12:00:01Z' });

    expect(applyOrderChange('woocommerce', existing, removal('2026-03-05T12:00:00.999Z'))).toBe(existing);
  });

  it('applies a removal dated the same second as the stored version', () => {
    const existing = aRecord({ updatedAt: '2026-03-05T12:00:00Z' });

    expect(applyOrderChange('woocommerce', existing, removal('2026-03-05T12:00:00.500Z')).status).toBe('deleted');
  });

  it('keeps a removal of an unknown order as a deleted placeholder', () => {
    const next = applyOrderChange('woocommerce', undefined, {
      kind: 'order-removed',
      channelId: 'ch_w',
      orderId: '9',
      updatedAt: '2026-03-05T12:00:00.250Z',
    });

    expect(next).toEqual({
      channelId: 'ch_w',
      platform: 'woocommerce',
      orderId: '9',
      placedAt: '',
      placedDay: '',
      updatedAt: '2026-03-05T12:00:00.000Z',
      status: 'deleted',
      test: false,
      currency: '',
      totalMinor: 0,
      refunds: {},
      discountCodes: [],
      placeholder: true,
    });
  });
});

describe('Function: sameOrder', () => {
  it('ignores the storage version and the order of keys', () => {
    const a = aRecord({ version: 1, refunds: { r1: 1, r2: 2 } });
    const b: OrderRecord = { ...aRecord({ version: 7 }), refunds: { r2: 2, r1: 1 } };
    const reordered = Object.fromEntries(Object.entries(b).reverse()) as unknown as OrderRecord;

    expect(sameOrder(a, reordered)).toBe(true);
  });

  it('treats a key set to undefined as absent', () => {
    expect(sameOrder(aRecord(), aRecord({ customerId: undefined }))).toBe(true);
  });

  it('sees any change of a field, a refund or a code', () => {
    const base = aRecord({ refunds: { r1: 1 }, discountCodes: ['A', 'B'] });

    expect(sameOrder(base, { ...base, totalMinor: 5001 })).toBe(false);
    expect(sameOrder(base, { ...base, status: 'cancelled' })).toBe(false);
    expect(sameOrder(base, { ...base, refunds: { r1: 2 } })).toBe(false);
    expect(sameOrder(base, { ...base, refunds: { r2: 1 } })).toBe(false);
    expect(sameOrder(base, { ...base, refunds: { r1: 1, r2: 0 } })).toBe(false);
    expect(sameOrder(base, { ...base, discountCodes: ['B', 'A'] })).toBe(false);
    expect(sameOrder(base, { ...base, discountCodes: ['AB'] })).toBe(false);
    expect(sameOrder(base, { ...base, discountCodes: ['A,B'] })).toBe(false);
    expect(sameOrder(base, { ...base, customerId: 'c_1' })).toBe(false);
  });

  it('sees a change of the lines, and the same lines as no change', () => {
    const base = aRecord({ lineItems: [{ sku: 'A', title: 'Tea', quantity: 1 }] });

    expect(sameOrder(base, { ...base, lineItems: [{ sku: 'A', title: 'Tea', quantity: 1 }] })).toBe(true);
    expect(sameOrder(base, { ...base, lineItems: [{ sku: 'A', title: 'Tea', quantity: 2 }] })).toBe(false);
    expect(sameOrder(base, { ...base, lineItems: [{ title: 'Tea', quantity: 1 }] })).toBe(false);
    expect(sameOrder(base, { ...base, lineItems: [] })).toBe(false);
  });

  it('tells an array from an object with the same entries', () => {
    const base = aRecord({ discountCodes: ['A'] });
    const odd = { ...base, discountCodes: { 0: 'A' } } as unknown as OrderRecord;

    expect(sameOrder(base, odd)).toBe(false);
  });

  it('tells keys apart from their values', () => {
    const a = aRecord({ refunds: { 'a:1': 2 } });
    const b = aRecord({ refunds: { a: 12 } });

    expect(sameOrder(a, b)).toBe(false);
  });
});

describe('Function: contributionOf', () => {
  it('gives what an open, real order adds to its customer', () => {
    const order = aRecord({ refunds: { r1: 300, r2: 200 }, discountCodes: ['SPRING'] });

    expect(contributionOf(order)).toEqual({
      channelId: 'ch_shop',
      day: '2026-03-01',
      atMs: Date.parse('2026-03-01T10:00:00-05:00'),
      currency: 'USD',
      grossMinor: 5000,
      refundedMinor: 500,
      discountCodes: ['SPRING'],
    });
  });

  it('counts a zero-value order', () => {
    expect(contributionOf(aRecord({ totalMinor: 0 }))?.grossMinor).toBe(0);
  });

  it('counts nothing for no order, a placeholder, a test order or one not open', () => {
    expect(contributionOf(undefined)).toBeUndefined();
    expect(contributionOf(aRecord({ placeholder: true }))).toBeUndefined();
    expect(contributionOf(aRecord({ test: true }))).toBeUndefined();
    for (const status of ['cancelled', 'failed', 'deleted'] as const) {
      expect(contributionOf(aRecord({ status }))).toBeUndefined();
    }
  });
});

describe('Function: refundedMinor', () => {
  it('adds every refund, and is zero without any', () => {
    expect(refundedMinor({ refunds: { a: 100, b: 250 } })).toBe(350);
    expect(refundedMinor({ refunds: {} })).toBe(0);
  });
});

describe('Function: orderView', () => {
  it('shows an order as the admin API does', () => {
    const order = aRecord({ refunds: { r1: 700 }, discountCodes: ['X'], customerId: 'c_1', version: 2 });

    expect(orderView(order)).toEqual({
      channelId: 'ch_shop',
      orderId: '1001',
      orderNumber: '#1001',
      placedAt: '2026-03-01T10:00:00-05:00',
      updatedAt: '2026-03-01T10:00:00-05:00',
      status: 'open',
      test: false,
      currency: 'USD',
      totalMinor: 5000,
      refundedMinor: 700,
      discountCodes: ['X'],
      lineItems: [],
    });
  });

  it('shows a missing order number as null', () => {
    expect(orderView(aRecord({ orderNumber: undefined })).orderNumber).toBeNull();
  });

  it('shows the lines of the order', () => {
    const lineItems = [{ sku: 'TEA-1', title: 'Sencha', quantity: 2 }, { title: 'Gift wrap', quantity: 1 }];

    expect(orderView(aRecord({ lineItems })).lineItems).toEqual(lineItems);
  });
});
