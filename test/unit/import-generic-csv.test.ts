import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapGenericCsv } from '../../functions/domain/import/generic-csv';
import type { ImportRow } from '../../functions/domain/import/rows';
import { importedRefundsKey } from '../../functions/domain/orders';

const context = { channelId: 'ch_std', platform: 'standard' as const };

function aRow(overrides: Record<string, string> = {}, line = 2): ImportRow {
  return {
    line,
    fields: {
      order_id: 'A-1',
      customer_id: 'c-9',
      email: 'lin@example.com',
      created_at: '2024-05-01T12:00:00Z',
      total: '59.90',
      currency: 'usd',
      ...overrides,
    },
  };
}

describe('Function: mapGenericCsv', () => {
  it('maps the required columns, dated by its creation', () => {
    const mapped = mapGenericCsv([aRow()], context);

    expect(mapped).toEqual({
      line: 2,
      rejected: [],
      order: {
        channelId: 'ch_std',
        platform: 'standard',
        orderId: 'A-1',
        placedAt: '2024-05-01T12:00:00Z',
        placedDay: '2024-05-01',
        updatedAt: '2024-05-01T12:00:00Z',
        status: 'open',
        test: false,
        currency: 'USD',
        totalMinor: 5990,
        refunds: {},
        discountCodes: [],
        customer: { channelCustomerId: 'c-9', email: 'lin@example.com' },
      },
    });
  });

  it('maps the optional columns', () => {
    const mapped = mapGenericCsv(
      [
        aRow({
          updated_at: '2024-05-03T08:00:00+02:00',
          status: 'cancelled',
          refunded: '9.90',
          discount_codes: 'SPRING;VIP',
          first_name: ' Lin ',
          last_name: 'Yu',
          phone: '+86 10 1234 5678',
          accepts_marketing: 'yes',
        }),
      ],
      context,
    );

    expect(mapped.order).toMatchObject({
      updatedAt: '2024-05-03T08:00:00+02:00',
      status: 'cancelled',
      refunds: { [importedRefundsKey]: 990 },
      discountCodes: ['SPRING', 'VIP'],
      customer: {
        firstName: 'Lin',
        lastName: 'Yu',
        phone: '+861012345678',
        consent: { state: 'subscribed', at: '2024-05-01T12:00:00Z' },
      },
    });
  });

  it('keeps no consent for a "no": an old file withdraws nothing', () => {
    expect(mapGenericCsv([aRow({ accepts_marketing: 'no' })], context).order?.customer.consent).toBeUndefined();
  });

  it('keeps a zero total and a zero refund', () => {
    expect(mapGenericCsv([aRow({ total: '0', refunded: '0.00' })], context).order).toMatchObject({ totalMinor: 0, refunds: {} });
  });

  it('accepts any one of customer_id, email and phone as the customer', () => {
    expect(mapGenericCsv([aRow({ email: '' })], context).order?.customer).toEqual({ channelCustomerId: 'c-9' });
    expect(mapGenericCsv([aRow({ customer_id: '' })], context).order?.customer).toEqual({ email: 'lin@example.com' });
    expect(mapGenericCsv([aRow({ customer_id: '', email: '', phone: '5550100' })], context).order?.customer).toEqual({
      phone: '5550100',
    });
  });

  it('refuses a row that names no customer', () => {
    expect(mapGenericCsv([aRow({ customer_id: '', email: '' })], context).rejected).toEqual([
      { line: 2, reason: 'invalid order: customer_id, email, phone: at least one is required' },
    ]);
    expect(mapGenericCsv([aRow({ customer_id: '', email: 'lin', phone: '12' })], context).rejected).toEqual([
      { line: 2, reason: 'invalid order: email, phone: not a valid email address or phone number, and no customer_id' },
    ]);
  });

  it('says the contact was unreadable when only an email or only a phone was given', () => {
    const unreadable = 'invalid order: email, phone: not a valid email address or phone number, and no customer_id';
    expect(mapGenericCsv([aRow({ customer_id: '', email: 'lin' })], context).rejected[0]?.reason).toBe(unreadable);
    expect(mapGenericCsv([aRow({ customer_id: '', email: '', phone: '12' })], context).rejected[0]?.reason).toBe(unreadable);
  });

  it('refuses a row without order id, date, total or currency, naming each column', () => {
    const mapped = mapGenericCsv([{ line: 5, fields: { email: 'lin@example.com' } }], context);

    expect(mapped.rejected).toEqual([
      {
        line: 5,
        reason:
          'invalid order: order_id: Required; created_at: Required; total: Required; currency: Required',
      },
    ]);
  });

  it('refuses a malformed status, date, amount and currency', () => {
    const reason = mapGenericCsv(
      [aRow({ status: 'shipped', created_at: '01/05/2024', total: '€5', currency: 'EURO' })],
      context,
    ).rejected[0]?.reason;

    expect(reason).toContain('status: Invalid option');
    expect(reason).toContain('created_at: Invalid date');
    expect(reason).toContain('total: Invalid decimal amount');
    expect(reason).toContain('currency: Invalid currency code');
  });

  it('refuses a repeated order id at its line, keeping the first row', () => {
    const mapped = mapGenericCsv([aRow(), aRow({ total: '1.00' }, 3)], context);

    expect(mapped.order?.totalMinor).toBe(5990);
    expect(mapped.rejected).toEqual([{ line: 3, reason: 'order_id repeats line 2: the generic csv has one row per order' }]);
  });

  it('reports the repeated rows of a refused order too', () => {
    const mapped = mapGenericCsv([aRow({ total: '-1' }), aRow({}, 3)], context);

    expect(mapped.rejected.map((r) => r.line)).toEqual([2, 3]);
    expect(mapped.rejected[0]?.reason).toBe('invalid order: total: must not be negative');
  });

  it('refuses a refund over the total and a negative refund', () => {
    expect(mapGenericCsv([aRow({ refunded: '60' })], context).rejected[0]?.reason).toContain('more than the 5990 paid');
    expect(mapGenericCsv([aRow({ refunded: '-1' })], context).rejected[0]?.reason).toContain('refunded: must not be negative');
  });

  it('never maps money below zero, whatever the amounts', () => {
    const amount = fc.oneof(
      fc.integer({ min: -1_000_000, max: 1_000_000 }).map((cents) => (cents / 100).toFixed(2)),
      fc.string(),
    );
    fc.assert(
      fc.property(amount, amount, (total, refunded) => {
        const mapped = mapGenericCsv([aRow({ total, refunded })], context);
        if (mapped.order === undefined) {
          expect(mapped.rejected).toHaveLength(1);
          return;
        }
        const refundedMinor = Object.values(mapped.order.refunds).reduce((a, b) => a + b, 0);
        expect(mapped.order.totalMinor).toBeGreaterThanOrEqual(0);
        expect(refundedMinor).toBeGreaterThanOrEqual(0);
        expect(refundedMinor).toBeLessThanOrEqual(mapped.order.totalMinor);
      }),
    );
  });

  it('answers no order and no refusal for no rows', () => {
    expect(mapGenericCsv([], context)).toEqual({ line: 0, rejected: [] });
  });
});
