import { describe, expect, it } from 'vitest';
import type { ImportRow } from '../../functions/domain/import/rows';
import { mapWooCommerceOrdersCsv } from '../../functions/domain/import/woocommerce-orders-csv';
import { importedRefundsKey } from '../../functions/domain/orders';

const context = { channelId: 'ch_woo', platform: 'woocommerce' as const };

/** A row of an order export in the "Order ID, Order Date, Billing Email" spelling. */
function aRow(overrides: Record<string, string> = {}, line = 2): ImportRow {
  return {
    line,
    fields: {
      'Order ID': '727',
      'Order Number': '727',
      'Order Date': '2024-03-01 21:30:00',
      'Order Status': 'Completed',
      'Order Currency': 'EUR',
      'Order Total': '54.50',
      'Customer ID': '12',
      'Billing First Name': 'Grace',
      'Billing Last Name': 'Hopper',
      'Billing Email': 'grace@example.com',
      'Billing Phone': '+1 555 010 0000',
      'Coupon Code': 'WELCOME',
      ...overrides,
    },
  };
}

describe('Function: mapWooCommerceOrdersCsv', () => {
  it('maps an order with the store day as written and a version date no webhook is older than', () => {
    const mapped = mapWooCommerceOrdersCsv([aRow()], context);

    expect(mapped.rejected).toEqual([]);
    expect(mapped.order).toEqual({
      channelId: 'ch_woo',
      platform: 'woocommerce',
      orderId: '727',
      orderNumber: '727',
      placedAt: '2024-03-01T21:30:00Z',
      placedDay: '2024-03-01',
      updatedAt: '2024-03-01T07:30:00.000Z',
      status: 'open',
      test: false,
      currency: 'EUR',
      totalMinor: 5450,
      refunds: {},
      discountCodes: ['WELCOME'],
      customer: {
        channelCustomerId: '12',
        email: 'grace@example.com',
        phone: '+15550100000',
        firstName: 'Grace',
        lastName: 'Hopper',
        consent: { state: 'unknown' },
      },
    });
  });

  it('reads the snake_case and "(Billing)" spellings of the same columns', () => {
    const snake = mapWooCommerceOrdersCsv(
      [
        {
          line: 2,
          fields: {
            order_id: '727',
            order_date: '2024-03-01 21:30:00',
            status: 'wc-completed',
            order_currency: 'EUR',
            order_total: '54.50',
            'Email (Billing)': 'grace@example.com',
            refunded_total: '4.50',
            coupon_items: 'code:WELCOME|amount:5.00;code:VIP|amount:1.00',
          },
        },
      ],
      context,
    );

    expect(snake.order).toMatchObject({
      orderId: '727',
      totalMinor: 5450,
      refunds: { [importedRefundsKey]: 450 },
      discountCodes: ['WELCOME', 'VIP'],
      customer: { email: 'grace@example.com' },
    });
  });

  it('maps statuses as the webhooks do', () => {
    const statusOf = (status: string) => mapWooCommerceOrdersCsv([aRow({ 'Order Status': status })], context).order?.status;

    expect(statusOf('Processing')).toBe('open');
    expect(statusOf('On hold')).toBe('open');
    expect(statusOf('Cancelled')).toBe('cancelled');
    expect(statusOf('Pending payment')).toBe('failed');
    expect(statusOf('Draft')).toBe('failed');
    expect(statusOf('wc-refunded')).toBe('open');
    expect(statusOf(' wc-Cancelled ')).toBe('cancelled');
    expect(statusOf('Checkout  draft')).toBe('failed');
    expect(statusOf('pending')).toBe('failed');
    expect(statusOf('Failed')).toBe('failed');
    expect(statusOf('trash')).toBe('deleted');
    const { 'Order Status': _status, ...fields } = aRow().fields;
    expect(mapWooCommerceOrdersCsv([{ line: 2, fields }], context).order?.status).toBe('open');
  });

  it('reads a refund written negative as money returned', () => {
    expect(mapWooCommerceOrdersCsv([aRow({ 'Refund Amount': '-10.00' })], context).order?.refunds).toEqual({
      [importedRefundsKey]: 1000,
    });
  });

  it('refunds the whole total of a refunded order without an amount', () => {
    expect(mapWooCommerceOrdersCsv([aRow({ 'Order Status': 'Refunded' })], context).order?.refunds).toEqual({
      [importedRefundsKey]: 5450,
    });
  });

  it('keeps the refund amount of a refunded order that names one', () => {
    expect(mapWooCommerceOrdersCsv([aRow({ 'Order Status': 'Refunded', 'Refund Amount': '-10.00' })], context).order?.refunds).toEqual({
      [importedRefundsKey]: 1000,
    });
  });

  it('finds a customer by customer id alone', () => {
    const order = mapWooCommerceOrdersCsv([aRow({ 'Billing Email': '', 'Billing Phone': '' })], context).order;

    expect(order?.customer).toEqual({ channelCustomerId: '12', firstName: 'Grace', lastName: 'Hopper', consent: { state: 'unknown' } });
  });

  it('takes the latest of the modified, paid and completed dates as the version', () => {
    const mapped = mapWooCommerceOrdersCsv(
      [aRow({ 'Date Modified': '2024-03-05 10:00:00', 'Date Paid': '2024-03-02 10:00:00', 'Date Completed': '2024-03-04 10:00:00' })],
      context,
    );

    expect(mapped.order?.updatedAt).toBe('2024-03-04T20:00:00.000Z');
  });

  it('uses the order number as the id when there is no Order ID, and the channel currency when there is none', () => {
    const { 'Order ID': _id, 'Order Currency': _currency, ...fields } = aRow({ 'Order Number': 'W-727' }).fields;

    const mapped = mapWooCommerceOrdersCsv([{ line: 2, fields }], { ...context, currency: 'GBP' });

    expect(mapped.order).toMatchObject({ orderId: 'W-727', orderNumber: 'W-727', currency: 'GBP' });
  });

  it('treats customer 0 as a guest, found by email', () => {
    const order = mapWooCommerceOrdersCsv([aRow({ 'Customer ID': '0' })], context).order;

    expect(order?.customer.channelCustomerId).toBeUndefined();
    expect(order?.customer.email).toBe('grace@example.com');
  });

  it('refuses a guest with neither a valid email nor a phone', () => {
    const mapped = mapWooCommerceOrdersCsv(
      [aRow({ 'Customer ID': '0', 'Billing Email': 'nobody', 'Billing Phone': '' })],
      context,
    );

    expect(mapped.rejected).toEqual([
      { line: 2, reason: 'invalid order: Customer ID, Billing Email, Billing Phone: at least one valid is required' },
    ]);
  });

  it('refuses an order without id, date, total or currency, naming each', () => {
    const mapped = mapWooCommerceOrdersCsv([{ line: 9, fields: { 'Billing Email': 'grace@example.com' } }], context);

    expect(mapped.line).toBe(9);
    const reason = mapped.rejected[0]?.reason ?? '';
    for (const part of ['Order ID: Required (or Order Number)', 'date: Required', 'total: Required', 'currency: Required']) {
      expect(reason).toContain(part);
    }
  });

  it('refuses a negative total and a refund over the total', () => {
    expect(mapWooCommerceOrdersCsv([aRow({ 'Order Total': '-54.50' })], context).rejected[0]?.reason).toContain(
      'Order Total: must not be negative',
    );
    expect(mapWooCommerceOrdersCsv([aRow({ 'Refund Amount': '60' })], context).rejected[0]?.reason).toContain(
      'refunds: 6000 refunded is more than the 5450 paid',
    );
  });

  it('takes the order fields of the first of its rows', () => {
    const mapped = mapWooCommerceOrdersCsv([aRow(), aRow({ 'Order Total': 'n/a' }, 3)], context);

    expect(mapped.order?.totalMinor).toBe(5450);
    expect(mapped.rejected).toEqual([]);
  });

  it('has no lines when the export names no product', () => {
    expect(mapWooCommerceOrdersCsv([aRow()], context).order).not.toHaveProperty('lineItems');
  });

  it.each([
    ['Item Name', 'Item SKU', 'Item Quantity'],
    ['Product Name', 'SKU', 'Quantity'],
    ['item_name', 'product_sku', 'qty'],
    ['Lineitem name', 'Lineitem sku', 'Item Qty'],
    ['Item Name', 'Lineitem sku', 'Lineitem quantity'],
  ])('reads a line from each row of an export with %s, %s and %s', (name, sku, quantity) => {
    const rows = [aRow({ [name]: 'Sencha', [sku]: 'TEA-1', [quantity]: '2' }), aRow({ [name]: 'Cup', [quantity]: '1' }, 3)];

    expect(mapWooCommerceOrdersCsv(rows, context).order?.lineItems).toStrictEqual([
      { sku: 'TEA-1', title: 'Sencha', quantity: 2 },
      { title: 'Cup', quantity: 1 },
    ]);
  });

  it('answers no order and no refusal for no rows', () => {
    expect(mapWooCommerceOrdersCsv([], context)).toEqual({ line: 0, rejected: [] });
  });
});
