import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  columnKey,
  groupRows,
  importedRefunds,
  latestEarliest,
  mapImportRows,
  orderKeyOf,
  pickColumns,
  readImportDate,
  readYesNo,
  splitCodes,
  type ImportRow,
} from '../../functions/domain/import/index';
import { importedRefundsKey } from '../../functions/domain/orders';

const row = (line: number, fields: Record<string, string>): ImportRow => ({ line, fields });

describe('Function: columnKey', () => {
  it('makes one key of every spelling of a header', () => {
    expect(['Billing Email', 'billing_email', 'Billing-email', ' BILLING EMAIL '].map(columnKey)).toEqual(
      Array(4).fill('billingemail'),
    );
    expect(columnKey('Order #')).toBe('order');
  });
});

describe('Function: pickColumns', () => {
  it('takes the first alias with a value, trimmed, and skips blank cells', () => {
    const picked = pickColumns(
      { 'Order ID': '  ', order_number: ' 1001 ', Email: 'a@example.com' },
      { id: ['orderid', 'ordernumber'], email: ['billingemail', 'email'], phone: ['phone'] },
    );

    expect(picked).toEqual({ id: '1001', email: 'a@example.com' });
  });

  it('keeps the first of two headers that mean the same column', () => {
    expect(pickColumns({ Total: '1.00', total: '2.00' }, { total: ['total'] })).toEqual({ total: '1.00' });
  });
});

describe('Function: readImportDate', () => {
  it('reads a Shopify date with its offset as that instant and that day', () => {
    expect(readImportDate('2024-01-15 23:30:00 -0500')).toEqual({
      iso: '2024-01-15T23:30:00-05:00',
      day: '2024-01-15',
      earliest: '2024-01-15T23:30:00-05:00',
    });
  });

  it('reads a wall clock without offset as UTC, and its earliest instant 14 hours before', () => {
    expect(readImportDate('2016-09-15 03:17:47')).toEqual({
      iso: '2016-09-15T03:17:47Z',
      day: '2016-09-15',
      earliest: '2016-09-14T13:17:47.000Z',
    });
  });

  it('reads a bare day as midnight, and Z, UTC and GMT as UTC', () => {
    expect(readImportDate('2024-01-15')?.iso).toBe('2024-01-15T00:00:00Z');
    expect(readImportDate('2024-01-15T10:00:00Z')?.earliest).toBe('2024-01-15T10:00:00Z');
    expect(readImportDate('2024-01-15 10:00 UTC')?.iso).toBe('2024-01-15T10:00:00Z');
    expect(readImportDate('2024-01-15 10:00:00 GMT')?.iso).toBe('2024-01-15T10:00:00Z');
    expect(readImportDate('2024-01-15T10:00:00.250+05:30')?.iso).toBe('2024-01-15T10:00:00.250+05:30');
  });

  it('refuses what is no date', () => {
    for (const text of ['15/01/2024', '2023-02-30', '2024-01-15 25:00:00', 'yesterday', '', '2024-01-15 10:00 +05']) {
      expect(readImportDate(text)).toBeUndefined();
    }
  });

  it('never places the earliest instant after the instant the text means in any offset', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), (date) => {
        const wall = date.toISOString().slice(0, 19).replace('T', ' ');
        const read = readImportDate(wall);
        expect(read).toBeDefined();
        const latestMeaning = Date.parse(`${wall.replace(' ', 'T')}-12:00`);
        const earliestMeaning = Date.parse(`${wall.replace(' ', 'T')}+14:00`);
        expect(Date.parse(read?.earliest ?? '')).toBe(earliestMeaning);
        expect(Date.parse(read?.earliest ?? '')).toBeLessThan(latestMeaning);
      }),
    );
  });
});

describe('Function: latestEarliest', () => {
  it('answers the latest instant of the known dates', () => {
    const created = readImportDate('2024-01-15 10:00:00 +0000');
    const paid = readImportDate('2024-01-15 06:00:00 -0500');
    expect(latestEarliest([created, undefined, paid])).toBe('2024-01-15T06:00:00-05:00');
    expect(latestEarliest([paid, created])).toBe('2024-01-15T06:00:00-05:00');
  });
});

describe('Function: readYesNo and splitCodes', () => {
  it('reads yes and no in their common spellings, and nothing else', () => {
    expect(['yes', 'TRUE', '1', 'y'].map(readYesNo)).toEqual([true, true, true, true]);
    expect(['no', 'False', '0', 'N'].map(readYesNo)).toEqual([false, false, false, false]);
    expect([undefined, 'maybe', ''].map(readYesNo)).toEqual([undefined, undefined, undefined]);
  });

  it('splits a cell of codes on commas and semicolons', () => {
    expect(splitCodes('SPRING, VIP;WELCOME')).toEqual(['SPRING', ' VIP', 'WELCOME']);
    expect(splitCodes(undefined)).toEqual([]);
  });
});

describe('Function: importedRefunds', () => {
  it('keeps a positive total under the imported key, and nothing for zero', () => {
    expect(importedRefunds(500)).toEqual({ [importedRefundsKey]: 500 });
    expect(importedRefunds(0)).toEqual({});
  });
});

describe('Function: groupRows', () => {
  const key = (r: ImportRow) => r.fields['k'];

  it('groups consecutive rows with one key, and keeps rows without a key alone', () => {
    const rows = [row(2, { k: 'a' }), row(3, { k: 'a' }), row(4, {}), row(5, {}), row(6, { k: 'b' }), row(7, { k: 'a' })];

    expect(groupRows(rows, key).map((group) => group.map((r) => r.line))).toEqual([[2, 3], [4], [5], [6], [7]]);
  });

  it('keeps every row once and in order, whatever the keys', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined })), (keys) => {
        const rows = keys.map((k, i) => row(i + 2, k === undefined ? {} : { k }));
        const groups = groupRows(rows, key);
        expect(groups.flat()).toEqual(rows);
        for (const group of groups) expect(new Set(group.map(key)).size).toBe(1);
        for (let i = 1; i < groups.length; i += 1) {
          const previous = key(groups[i - 1]?.at(-1) as ImportRow);
          const next = key(groups[i]?.[0] as ImportRow);
          if (previous !== undefined) expect(next).not.toBe(previous);
        }
      }),
    );
  });
});

describe('Function: mapImportRows and orderKeyOf', () => {
  const context = { channelId: 'ch_1', platform: 'standard' as const };

  it('maps each order of the file in order, refusals with their lines', () => {
    const rows = [
      row(2, { order_id: '1', email: 'a@example.com', created_at: '2024-01-01', total: '10.00', currency: 'USD' }),
      row(3, { order_id: '2', email: 'b@example.com', created_at: 'soon', total: '10.00', currency: 'USD' }),
    ];

    const mapped = mapImportRows('csv', rows, context);

    expect(mapped.map((m) => [m.line, m.order?.orderId, m.rejected.map((r) => r.line)])).toEqual([
      [2, '1', []],
      [3, undefined, [3]],
    ]);
  });

  it('names the key each format groups by', () => {
    expect(orderKeyOf('shopify-orders-csv', row(2, { Name: '#1001', Id: '9' }))).toBe('#1001');
    expect(orderKeyOf('woocommerce-orders-csv', row(2, { 'Order Number': '77' }))).toBe('77');
    expect(orderKeyOf('woocommerce-orders-csv', row(2, { 'Order ID': '5', 'Order Number': '77' }))).toBe('5');
    expect(orderKeyOf('csv', row(2, { order_id: 'x-1' }))).toBe('x-1');
    expect(orderKeyOf('csv', row(2, { id: 'x-1' }))).toBeUndefined();
  });
});
