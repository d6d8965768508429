import { describe, expect, it } from 'vitest';
import { mapShopifyOrdersCsv } from '../../functions/domain/import/shopify-orders-csv';
import type { ImportRow } from '../../functions/domain/import/rows';
import { importedRefundsKey } from '../../functions/domain/orders';

const context = { channelId: 'ch_shop', platform: 'shopify' as const };

/** The first row of an order as Shopify's export writes it (the columns huitou reads, and a few it does not). */
function first(overrides: Record<string, string> = {}, line = 2): ImportRow {
  return {
    line,
    fields: {
      Name: '#1001',
      Email: ' Ada@Example.com ',
      'Financial Status': 'paid',
      'Paid at': '2024-01-15 10:05:00 -0500',
      'Fulfillment Status': 'fulfilled',
      'Accepts Marketing': 'yes',
      Currency: 'USD',
      Subtotal: '90.00',
      Shipping: '5.00',
      Taxes: '5.00',
      Total: '100.00',
      'Discount Code': 'SPRING',
      'Discount Amount': '10.00',
      'Created at': '2024-01-15 10:00:00 -0500',
      'Lineitem quantity': '1',
      'Lineitem name': 'Tea',
      'Lineitem price': '60.00',
      'Lineitem sku': 'TEA-1',
      'Billing Name': 'Ada King Lovelace',
      'Billing Address1': '1 Main St',
      'Billing City': 'London',
      'Billing Zip': 'N1',
      'Billing Country': 'GB',
      'Billing Phone': '+44 20 7946 0000',
      'Refunded Amount': '0.00',
      Id: '5550001',
      ...overrides,
    },
  };
}

/** A further line item of the same order: Name and Email repeated, the order's fields blank. */
function item(line: number, price = '30.00'): ImportRow {
  return {
    line,
    fields: { Name: '#1001', Email: 'ada@example.com', 'Lineitem quantity': '1', 'Lineitem name': 'Cup', 'Lineitem price': price },
  };
}

describe('Function: mapShopifyOrdersCsv', () => {
  it('maps a two-line order to the order its webhooks describe', () => {
    const mapped = mapShopifyOrdersCsv([first(), item(3)], context);

    expect(mapped.rejected).toEqual([]);
    expect(mapped.line).toBe(2);
    expect(mapped.order).toEqual({
      channelId: 'ch_shop',
      platform: 'shopify',
      orderId: '5550001',
      orderNumber: '#1001',
      placedAt: '2024-01-15T10:00:00-05:00',
      placedDay: '2024-01-15',
      updatedAt: '2024-01-15T10:05:00-05:00',
      status: 'open',
      test: false,
      currency: 'USD',
      totalMinor: 10000,
      refunds: {},
      discountCodes: ['SPRING'],
      lineItems: [
        { sku: 'TEA-1', title: 'Tea', quantity: 1 },
        { title: 'Cup', quantity: 1 },
      ],
      customer: {
        email: 'ada@example.com',
        phone: '+442079460000',
        firstName: 'Ada',
        lastName: 'King Lovelace',
        consent: { state: 'subscribed', at: '2024-01-15T10:00:00-05:00' },
        addresses: [{ name: 'Ada King Lovelace', address1: '1 Main St', city: 'London', zip: 'N1', country: 'GB', phone: '+442079460000' }],
      },
    });
  });

  it('reads a line from each row, skipping a row whose quantity is not a whole number', () => {
    const odd: ImportRow = { line: 4, fields: { Name: '#1001', 'Lineitem name': 'Saucer', 'Lineitem quantity': '1.5' } };
    const pot: ImportRow = { line: 5, fields: { Name: '#1001', 'Lineitem name': ' Pot ', 'Lineitem sku': 'POT', 'Lineitem quantity': '2' } };

    const mapped = mapShopifyOrdersCsv([first(), odd, pot], context);

    expect(mapped.rejected).toEqual([]);
    expect(mapped.order?.lineItems).toStrictEqual([
      { sku: 'TEA-1', title: 'Tea', quantity: 1 },
      { sku: 'POT', title: 'Pot', quantity: 2 },
    ]);
  });

  it('has no lines when the export has no Lineitem name column', () => {
    const { 'Lineitem name': _name, ...fields } = first().fields;

    expect(mapShopifyOrdersCsv([{ line: 2, fields }], context).order).not.toHaveProperty('lineItems');
  });

  it('falls back to Name as the order id when the export has no Id column', () => {
    const { Id: _id, ...fields } = first().fields;

    expect(mapShopifyOrdersCsv([{ line: 2, fields }], context).order?.orderId).toBe('#1001');
  });

  it('keeps a partial refund as one imported total', () => {
    const mapped = mapShopifyOrdersCsv([first({ 'Financial Status': 'partially_refunded', 'Refunded Amount': '25.50' })], context);

    expect(mapped.order?.refunds).toEqual({ [importedRefundsKey]: 2550 });
    expect(mapped.order?.status).toBe('open');
  });

  it('refunds the whole total of a refunded order whose Refunded Amount is blank', () => {
    const mapped = mapShopifyOrdersCsv([first({ 'Financial Status': 'Refunded', 'Refunded Amount': '' })], context);

    expect(mapped.order?.refunds).toEqual({ [importedRefundsKey]: 10000 });
  });

  it('cancels a voided order, and one with a Cancelled at date, dated by its latest change', () => {
    expect(mapShopifyOrdersCsv([first({ 'Financial Status': 'voided' })], context).order?.status).toBe('cancelled');
    const cancelled = mapShopifyOrdersCsv([first({ 'Cancelled at': '2024-01-16 09:00:00 -0500' })], context).order;
    expect(cancelled?.status).toBe('cancelled');
    expect(cancelled?.updatedAt).toBe('2024-01-16T09:00:00-05:00');
  });

  it('dates an unpaid order by its creation', () => {
    const { 'Paid at': _paid, ...fields } = first({ 'Financial Status': 'pending' }).fields;

    expect(mapShopifyOrdersCsv([{ line: 2, fields }], context).order?.updatedAt).toBe('2024-01-15T10:00:00-05:00');
  });

  it('says nothing of consent for an unticked box, and nothing without the column', () => {
    expect(mapShopifyOrdersCsv([first({ 'Accepts Marketing': 'no' })], context).order?.customer.consent).toEqual({
      state: 'unknown',
    });
    expect(mapShopifyOrdersCsv([first({ 'Accepts Marketing': '' })], context).order?.customer.consent).toBeUndefined();
  });

  it('finds a guest by phone when the order has no email', () => {
    const order = mapShopifyOrdersCsv([first({ Email: '', Phone: '0044 20 7946 0001' })], context).order;

    expect(order?.customer).toMatchObject({ phone: '+442079460001' });
    expect(order?.customer.email).toBeUndefined();
  });

  it('lists several discount codes of one cell once each', () => {
    expect(mapShopifyOrdersCsv([first({ 'Discount Code': 'SPRING, VIP,SPRING' })], context).order?.discountCodes).toEqual([
      'SPRING',
      'VIP',
    ]);
  });

  it('refuses an order without email or phone, at its first line', () => {
    const mapped = mapShopifyOrdersCsv([first({ Email: '', 'Billing Phone': '' })], context);

    expect(mapped.order).toBeUndefined();
    expect(mapped.rejected).toEqual([
      { line: 2, reason: 'invalid order: Email, Phone, Billing Phone: at least one is required' },
    ]);
  });

  it('refuses an order whose email and phone are both unreadable, without printing them', () => {
    const mapped = mapShopifyOrdersCsv([first({ Email: 'ada at example', 'Billing Phone': 'call me' })], context);

    expect(mapped.rejected[0]?.reason).toBe('invalid order: Email, Phone: not a valid email address or phone number');
    expect(mapped.rejected[0]?.reason).not.toContain('ada');
  });

  it('refuses a negative total, and a line item with a negative price at any line', () => {
    expect(mapShopifyOrdersCsv([first({ Total: '-1.00' })], context).rejected[0]?.reason).toContain(
      'Total: must not be negative',
    );
    const mapped = mapShopifyOrdersCsv([first(), item(3), item(4, '-5.00')], context);
    expect(mapped.order).toBeUndefined();
    expect(mapped.rejected).toEqual([{ line: 2, reason: expect.stringContaining('line 4.Lineitem price: must not be negative') }]);
  });

  it('refuses a refund larger than the total', () => {
    const mapped = mapShopifyOrdersCsv([first({ 'Refunded Amount': '100.01' })], context);

    expect(mapped.rejected[0]?.reason).toContain('refunds: 10001 refunded is more than the 10000 paid');
  });

  it('refuses a negative refund', () => {
    expect(mapShopifyOrdersCsv([first({ 'Refunded Amount': '-3' })], context).rejected[0]?.reason).toContain(
      'Refunded Amount: must not be negative',
    );
  });

  it('names every missing or malformed column of the first row', () => {
    const mapped = mapShopifyOrdersCsv([item(7)], context);

    expect(mapped.line).toBe(7);
    expect(mapped.rejected).toHaveLength(1);
    expect(mapped.rejected[0]?.reason).toMatch(/^invalid order: /);
    for (const column of ['createdAt: Required', 'currency: Required', 'total: Required']) {
      expect(mapped.rejected[0]?.reason).toContain(column);
    }
    const malformed = mapShopifyOrdersCsv([first({ 'Created at': '15/01/2024', Currency: 'dollars', Total: '1,000.00' })], context);
    expect(malformed.rejected[0]?.reason).toContain('createdAt: Invalid date');
    expect(malformed.rejected[0]?.reason).toContain('currency: Invalid currency code');
    expect(malformed.rejected[0]?.reason).toContain('total: Invalid decimal amount');
  });

  it('keeps the Refunded Amount of a refunded order that names one', () => {
    expect(mapShopifyOrdersCsv([first({ 'Financial Status': 'refunded', 'Refunded Amount': '25.00' })], context).order?.refunds).toEqual({
      [importedRefundsKey]: 2500,
    });
  });

  it('splits the billing name on any run of spaces, and falls back to the shipping name', () => {
    expect(mapShopifyOrdersCsv([first({ 'Billing Name': ' Ada   King  Lovelace ' })], context).order?.customer).toMatchObject({
      firstName: 'Ada',
      lastName: 'King Lovelace',
    });
    expect(mapShopifyOrdersCsv([first({ 'Billing Name': '', 'Shipping Name': 'Grace Hopper' })], context).order?.customer).toMatchObject({
      firstName: 'Grace',
      lastName: 'Hopper',
    });
  });

  it('says which contact was unreadable when any was given', () => {
    const reasonOf = (overrides: Record<string, string>) =>
      mapShopifyOrdersCsv([first({ Email: '', 'Billing Phone': '', ...overrides })], context).rejected[0]?.reason;
    const unreadable = 'invalid order: Email, Phone: not a valid email address or phone number';

    expect(reasonOf({ Email: 'nope' })).toBe(unreadable);
    expect(reasonOf({ Phone: 'call me' })).toBe(unreadable);
    expect(reasonOf({ 'Billing Phone': 'call me' })).toBe(unreadable);
  });

  it('answers no order and no refusal for no rows', () => {
    expect(mapShopifyOrdersCsv([], context)).toEqual({ line: 0, rejected: [] });
  });
});
