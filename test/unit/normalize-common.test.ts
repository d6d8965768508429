import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import {
  MoneyReader,
  accepted,
  asUtc,
  cleanText,
  compact,
  currencySchema,
  dayOf,
  decimalSchema,
  distinctAddresses,
  distinctCodes,
  formatIssues,
  formatPath,
  idSchema,
  isoDateTimeSchema,
  joinName,
  lineItemsOf,
  localDateTimeSchema,
  optionalDateSchema,
  parseBody,
  rejected,
  rfc2822Schema,
  rfc2822ToIso,
  textSchema,
  unsupportedTopic,
} from '../../functions/domain/normalize/common';

/** The issue messages zod gives for `input`, or [] when it parses. */
function messages(schema: z.ZodType, input: unknown): string[] {
  const parsed = schema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
}

describe('Results', () => {
  it('wraps an event as accepted', () => {
    expect(accepted({ kind: 'ignored', reason: 'ping' })).toEqual({ ok: true, event: { kind: 'ignored', reason: 'ping' } });
  });

  it('rejects with a reason and, by default, no issues', () => {
    expect(rejected('bad')).toEqual({ ok: false, reason: 'bad', issues: [] });
    expect(rejected('bad', ['a: b'])).toEqual({ ok: false, reason: 'bad', issues: ['a: b'] });
  });

  it('names an unsupported topic', () => {
    expect(unsupportedTopic('orders/edited')).toEqual({ ok: false, reason: 'unsupported topic orders/edited', issues: [] });
  });
});

describe('Function: formatPath and formatIssues', () => {
  it('joins a path with dots and names the root', () => {
    expect(formatPath(['refunds', 0, 'amount'])).toBe('refunds.0.amount');
    expect(formatPath([])).toBe('(root)');
  });

  it('prefixes each issue with its path', () => {
    const parsed = z.object({ a: z.string(), b: z.object({ c: z.number() }) }).safeParse({ a: 1, b: { c: 'x' } });

    expect(parsed.success).toBe(false);
    expect(formatIssues(parsed.error!)).toEqual([
      'a: Invalid input: expected string, received number',
      'b.c: Invalid input: expected number, received string',
    ]);
  });
});

describe('Function: parseBody', () => {
  const schema = z.object({ id: idSchema });

  it('gives the parsed data', () => {
    expect(parseBody(schema, { id: 7 }, 'invalid thing')).toEqual({ ok: true, data: { id: '7' } });
  });

  it('gives a rejection with the reason and each failing field', () => {
    expect(parseBody(schema, {}, 'invalid thing')).toEqual({
      ok: false,
      result: { ok: false, reason: 'invalid thing', issues: ['id: Required'] },
    });
  });
});

describe('Schema: idSchema', () => {
  it('keeps ids as strings, trimmed', () => {
    expect(idSchema.parse(450789469)).toBe('450789469');
    expect(idSchema.parse(0)).toBe('0');
    expect(idSchema.parse(' gid-1 ')).toBe('gid-1');
  });

  it('says Required for a missing id and Invalid id for a bad one', () => {
    expect(messages(idSchema, undefined)).toEqual(['Required']);
    for (const bad of [1.5, null, {}]) {
      expect(messages(idSchema, bad)).toEqual(['Invalid id']);
    }
    for (const bad of [-1, '', '  ']) {
      expect(idSchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe('Schema: decimalSchema', () => {
  it('accepts decimal strings and numbers as sent', () => {
    expect(decimalSchema.parse('598.94')).toBe('598.94');
    expect(decimalSchema.parse(12.5)).toBe(12.5);
  });

  it('says Required for a missing amount and Invalid decimal amount otherwise', () => {
    expect(messages(decimalSchema, undefined)).toEqual(['Required']);
    expect(messages(decimalSchema, 'ten')).toEqual(['Invalid decimal amount']);
    expect(messages(decimalSchema, true)).toEqual(['Invalid decimal amount']);
  });
});

describe('Schema: currencySchema', () => {
  it('trims and upper-cases a code', () => {
    expect(currencySchema.parse(' usd ')).toBe('USD');
  });

  it('says Required for a missing code and Invalid currency code otherwise', () => {
    expect(messages(currencySchema, undefined)).toEqual(['Required']);
    expect(messages(currencySchema, 'US')).toEqual(['Invalid currency code']);
    expect(messages(currencySchema, 'USDX')).toEqual(['Invalid currency code']);
    expect(messages(currencySchema, 840)).toEqual(['Invalid currency code']);
  });
});

describe('Schema: date-times', () => {
  it('accepts an ISO date-time only with an offset or Z', () => {
    expect(isoDateTimeSchema.parse('2026-03-01T10:00:00-05:00')).toBe('2026-03-01T10:00:00-05:00');
    expect(isoDateTimeSchema.parse('2026-03-01T10:00:00Z')).toBe('2026-03-01T10:00:00Z');
    expect(messages(isoDateTimeSchema, '2026-03-01T10:00:00')).toEqual(['Invalid ISO 8601 date-time']);
    expect(messages(isoDateTimeSchema, undefined)).toEqual(['Required']);
  });

  it('accepts a store-local date-time without an offset', () => {
    expect(localDateTimeSchema.parse('2017-03-22T19:28:02')).toBe('2017-03-22T19:28:02');
    expect(messages(localDateTimeSchema, 'yesterday')).toEqual(['Invalid ISO 8601 local date-time']);
    expect(messages(localDateTimeSchema, undefined)).toEqual(['Required']);
  });

  it('drops a malformed optional date instead of failing', () => {
    expect(optionalDateSchema.parse('2026-03-01T10:00:00Z')).toBe('2026-03-01T10:00:00Z');
    expect(optionalDateSchema.parse('soon')).toBeUndefined();
    expect(optionalDateSchema.parse(undefined)).toBeUndefined();
  });
});

describe('Schema: textSchema and cleanText', () => {
  it('keeps trimmed text and drops blanks and non-strings', () => {
    expect(textSchema.parse('  Ada ')).toBe('Ada');
    expect(textSchema.parse('   ')).toBeUndefined();
    expect(textSchema.parse(42)).toBeUndefined();
    expect(textSchema.parse(undefined)).toBeUndefined();
    expect(cleanText('')).toBeUndefined();
    expect(cleanText(' x ')).toBe('x');
    expect(cleanText(null)).toBeUndefined();
  });
});

describe('Function: dayOf and asUtc', () => {
  it('takes the day printed in the date-time, in its own offset', () => {
    expect(dayOf('2026-03-01T23:30:00-05:00')).toBe('2026-03-01');
  });

  it('marks a wall-clock UTC time with Z and leaves a zoned one alone', () => {
    expect(asUtc('2017-03-22T19:28:02')).toBe('2017-03-22T19:28:02Z');
    expect(asUtc('2017-03-22T19:28:02Z')).toBe('2017-03-22T19:28:02Z');
    expect(asUtc('2017-03-22T19:28:02+02:00')).toBe('2017-03-22T19:28:02+02:00');
    expect(asUtc('2017-03-22T19:28:02-07:00')).toBe('2017-03-22T19:28:02-07:00');
  });

  it('marks a time whose offset is only written inside it, not at its end', () => {
    expect(asUtc('2017-03-22T19:28:02+02:00x')).toBe('2017-03-22T19:28:02+02:00xZ');
    expect(asUtc('Z2017-03-22T19:28:02')).toBe('Z2017-03-22T19:28:02Z');
  });
});

describe('Function: rfc2822ToIso', () => {
  it('keeps the instant and the store offset', () => {
    expect(rfc2822ToIso('Tue, 20 Nov 2012 00:00:00 +0000')).toBe('2012-11-20T00:00:00+00:00');
    expect(rfc2822ToIso('Wed, 05 Mar 2026 21:15:09 -0500')).toBe('2026-03-05T21:15:09-05:00');
    expect(rfc2822ToIso('Thu, 06 Mar 2026 08:00:00 +0530')).toBe('2026-03-06T08:00:00+05:30');
  });

  it('reads zone names as UTC, and a date without weekday, seconds or padding', () => {
    expect(rfc2822ToIso('5 Mar 2026 21:15 GMT')).toBe('2026-03-05T21:15:00+00:00');
    expect(rfc2822ToIso('05 mar 2026 21:15:09 UTC')).toBe('2026-03-05T21:15:09+00:00');
    expect(rfc2822ToIso('05 Mar 2026 21:15:09 UT')).toBe('2026-03-05T21:15:09+00:00');
    expect(rfc2822ToIso('Thu,05 Mar 2026 21:15:09 Z')).toBe('2026-03-05T21:15:09+00:00');
    expect(rfc2822ToIso('  05 Dec 2026 01:02:03 +0100  ')).toBe('2026-12-05T01:02:03+01:00');
    expect(rfc2822ToIso('05 Jan 2026 01:02:03 +0100')).toBe('2026-01-05T01:02:03+01:00');
  });

  it('reads several blanks between the parts of a date', () => {
    expect(rfc2822ToIso('Thu,  05  Mar  2026  21:15:09  +0000')).toBe('2026-03-05T21:15:09+00:00');
  });

  it('reads every month by its English abbreviation', () => {
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

    const days = months.map((month) => rfc2822ToIso(`01 ${month} 2026 00:00:00 +0000`)?.slice(0, 10));

    expect(days).toEqual(months.map((_, i) => `2026-${String(i + 1).padStart(2, '0')}-01`));
  });

  it('refuses other formats, unknown months and days that do not exist', () => {
    for (const text of [
      '2026-03-05T21:15:09Z',
      '05 Foo 2026 21:15:09 +0000',
      '31 Feb 2026 10:00:00 +0000',
      '05 Mar 2026 25:00:00 +0000',
      '05 Mar 2026 21:15:09',
      '05 Mar 2026 21:15:09 +00',
      'x05 Mar 2026 21:15:09 +0000',
      '05 Mar 2026 21:15:09 +0000x',
      'Thursday, 05 Mar 2026 21:15:09 +0000',
      '123 Mar 2026 21:15:09 +0000',
      '05 Mar 26 21:15:09 +0000',
      '05 Mar 2026 1:15:09 +0000',
      '05 Mar 2026 21:1:09 +0000',
      '05 Mar 2026 21:15:9 +0000',
      '05 Mar 2026 21:15:09 EST',
    ]) {
      expect(rfc2822ToIso(text), text).toBeUndefined();
    }
  });

  it('parses through rfc2822Schema, which names a bad date', () => {
    expect(rfc2822Schema.parse('Tue, 20 Nov 2012 00:00:00 +0000')).toBe('2012-11-20T00:00:00+00:00');
    expect(messages(rfc2822Schema, 'yesterday')).toEqual(['Invalid RFC 2822 date']);
    expect(messages(rfc2822Schema, undefined)).toEqual(['Required']);
    expect(messages(rfc2822Schema, 5)).toEqual(['Invalid RFC 2822 date']);
  });
});

describe('Class: MoneyReader', () => {
  it('converts amounts and collects every failure with its path', () => {
    const money = new MoneyReader();

    expect(money.minor('1.50', 'USD', 'total')).toBe(150);
    expect(money.minor('abc', 'USD', 'refunds.0')).toBe(0);
    expect(money.minor('1', 'US', 'tax')).toBe(0);

    expect(money.issues).toEqual(['refunds.0: invalid decimal amount "abc"', 'tax: invalid currency code "US"']);
  });
});

describe('Function: compact', () => {
  it('drops only the keys whose value is undefined', () => {
    expect(compact({ a: 1, b: undefined, c: null, d: '', e: 0 })).toEqual({ a: 1, c: null, d: '', e: 0 });
    expect(Object.keys(compact({ a: undefined }))).toEqual([]);
  });
});

describe('Function: distinctAddresses', () => {
  const billing = { address1: '1 Main St', city: 'Springfield', phone: '5550001111' };
  const shipping = { address1: '1 Main St', city: 'Springfield' };
  const other = { address1: '9 Office Rd', city: 'Shelbyville' };

  it('keeps different addresses in order', () => {
    expect(distinctAddresses([billing, other])).toEqual([billing, other]);
  });

  it('drops an address another one covers, whichever comes first', () => {
    expect(distinctAddresses([billing, shipping])).toEqual([billing]);
    expect(distinctAddresses([shipping, billing])).toEqual([billing]);
  });

  it('keeps the first of two equal addresses', () => {
    expect(distinctAddresses([shipping, { ...shipping }, other])).toEqual([shipping, other]);
  });

  it('drops missing and empty addresses, and undefined fields', () => {
    expect(distinctAddresses([undefined, {}, { city: undefined }, { city: 'Paris', zip: undefined }])).toEqual([
      { city: 'Paris' },
    ]);
  });

  it('is undefined when nothing is left', () => {
    expect(distinctAddresses([])).toBeUndefined();
    expect(distinctAddresses([undefined, {}])).toBeUndefined();
  });

  it('keeps addresses that differ in one field', () => {
    const a = { city: 'Paris', zip: '75001' };
    const b = { city: 'Paris', zip: '75002' };

    expect(distinctAddresses([a, b])).toEqual([a, b]);
  });
});

describe('Function: joinName', () => {
  it('joins what is known with a space', () => {
    expect(joinName('Ada', 'Lovelace')).toBe('Ada Lovelace');
    expect(joinName('Ada', undefined)).toBe('Ada');
    expect(joinName(undefined, 'Lovelace')).toBe('Lovelace');
    expect(joinName(undefined, undefined)).toBeUndefined();
  });
});

describe('Function: distinctCodes', () => {
  it('keeps trimmed, non-empty codes once each, in order', () => {
    expect(distinctCodes([' SPRING ', 'SUMMER', 'SPRING', '', '  ', 5, null, 'summer'])).toEqual([
      'SPRING',
      'SUMMER',
      'summer',
    ]);
  });
});

describe('Function: lineItemsOf', () => {
  it('keeps each line with a title and a whole quantity, trimmed, in order', () => {
    const lines = lineItemsOf([
      { sku: ' TEA-1 ', title: ' Sencha ', quantity: 2 },
      { title: 'Gift wrap', quantity: 0 },
      { sku: '  ', title: 'Cup', quantity: '3' },
    ]);

    expect(lines).toStrictEqual([
      { sku: 'TEA-1', title: 'Sencha', quantity: 2 },
      { title: 'Gift wrap', quantity: 0 },
      { title: 'Cup', quantity: 3 },
    ]);
  });

  it.each([
    ['no title', { quantity: 1 }],
    ['a blank title', { title: '  ', quantity: 1 }],
    ['a title that is not text', { title: 42, quantity: 1 }],
    ['no quantity', { title: 'Tea' }],
    ['a negative quantity', { title: 'Tea', quantity: -1 }],
    ['a fractional quantity', { title: 'Tea', quantity: 1.5 }],
    ['a quantity beyond the safe integers', { title: 'Tea', quantity: 2 ** 53 }],
    ['a quantity that is no number', { title: 'Tea', quantity: true }],
    ['a quantity text that is no whole number', { title: 'Tea', quantity: '1.0' }],
    ['a quantity text with a sign', { title: 'Tea', quantity: '-1' }],
  ])('skips a line with %s', (_case, line) => {
    expect(lineItemsOf([line, { title: 'Kept', quantity: 1 }])).toStrictEqual([{ title: 'Kept', quantity: 1 }]);
  });

  it('skips entries that are no line at all', () => {
    expect(lineItemsOf([null, undefined, 'Tea' as never, { title: 'Kept', quantity: 1 }])).toStrictEqual([
      { title: 'Kept', quantity: 1 },
    ]);
  });

  it('reads a quantity text with blanks around it', () => {
    expect(lineItemsOf([{ title: 'Tea', quantity: ' 12 ' }])).toStrictEqual([{ title: 'Tea', quantity: 12 }]);
  });

  it('keeps a SKU only when it is text', () => {
    expect(lineItemsOf([{ sku: 123, title: 'Tea', quantity: 1 }])).toStrictEqual([{ title: 'Tea', quantity: 1 }]);
  });

  it('cuts a title to 200 characters and a SKU to 100, never inside a character', () => {
    const [line] = lineItemsOf([{ sku: `${'S'.repeat(99)}😀😀`, title: `${'T'.repeat(199)}😀 and more`, quantity: 1 }]);

    expect(line?.title).toBe(`${'T'.repeat(199)}😀`);
    expect(line?.sku).toBe(`${'S'.repeat(99)}😀`);
  });

  it('keeps a title and a SKU at their limits whole', () => {
    const [line] = lineItemsOf([{ sku: 'S'.repeat(100), title: 'T'.repeat(200), quantity: 1 }]);

    expect(line).toStrictEqual({ sku: 'S'.repeat(100), title: 'T'.repeat(200), quantity: 1 });
  });

  it('keeps the first 50 good lines', () => {
    const lines = Array.from({ length: 60 }, (_, i) => ({ title: `Item ${i}`, quantity: i % 2 === 0 ? 1 : -1 }));

    const kept = lineItemsOf([...lines, ...lines]);

    expect(kept).toHaveLength(50);
    expect(kept[0]?.title).toBe('Item 0');
    expect(kept[49]?.title).toBe('Item 38');
  });
});
