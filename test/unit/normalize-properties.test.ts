import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeEmail, normalizePhone, normalizeWebhook, toMinorUnits } from '../../functions/domain/normalize';
import { platforms, type Platform } from '../../functions/domain/model';

const fixture = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/marketplaces/${path}`, import.meta.url), 'utf8'));

const whitespace = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r'), maxLength: 3 });

/** Each character's case flipped at random. */
const randomCase = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) => [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

describe('Function: normalizeEmail', () => {
  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.emailAddress(), fc.anything()), (raw) => {
        // Act
        const once = normalizeEmail(raw);

        // Assert
        expect(once === undefined || normalizeEmail(once) === once).toBe(true);
      }),
    );
  });

  it('ignores case and surrounding whitespace', () => {
    fc.assert(
      fc.property(
        fc.emailAddress().chain((email) => fc.tuple(fc.constant(email), randomCase(email), whitespace, whitespace)),
        ([email, cased, before, after]) => {
          // Act
          const normalized = normalizeEmail(`${before}${cased}${after}`);

          // Assert
          expect(normalized).toBe(email.toLowerCase());
        },
      ),
    );
  });
});

describe('Function: normalizePhone', () => {
  // A national number or one without the 00 prefix: 00 is not formatting, it
  // stands for + and takes two digits with it (tested on its own).
  const digits = fc
    .tuple(fc.constantFrom(...'123456789'), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 6, maxLength: 14 }))
    .map(([first, rest]) => first + rest);
  const formatting = fc.string({ unit: fc.constantFrom(' ', '-', '.', '(', ')'), maxLength: 2 });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), digits, digits.map((d) => `+${d}`), fc.anything()), (raw) => {
        // Act
        const once = normalizePhone(raw);

        // Assert
        expect(once === undefined || normalizePhone(once) === once).toBe(true);
      }),
    );
  });

  it('reads the 00 prefix as + and refuses a placeholder that is too short once read so', () => {
    expect(normalizePhone('0049 30 1234567')).toBe('+49301234567');
    expect(normalizePhone('0000000')).toBeUndefined();
  });

  it('ignores spaces, dashes, dots and parentheses', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        digits.chain((d) =>
          fc.tuple(fc.constant(d), fc.array(formatting, { minLength: d.length + 1, maxLength: d.length + 1 })),
        ),
        (plus, [plain, fills]) => {
          // Arrange: formatting before, between and after every digit
          const formatted = (plus ? '+' : '') + [...plain].map((digit, i) => `${fills[i]}${digit}`).join('') + fills.at(-1);

          // Act
          const normalized = normalizePhone(formatted);

          // Assert
          expect(normalized).toBe(normalizePhone((plus ? '+' : '') + plain));
          expect(normalized).toBeDefined();
        },
      ),
    );
  });
});

describe('Function: toMinorUnits', () => {
  /** n minor units written as a decimal with `exponent` places ("-1.05"). */
  const format = (n: number, exponent: number, extraZeros: number): string => {
    const digits = String(Math.abs(n)).padStart(exponent + 1, '0');
    const whole = digits.slice(0, digits.length - exponent);
    const fraction = digits.slice(digits.length - exponent) + '0'.repeat(extraZeros);
    return `${n < 0 ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
  };

  it('reads back every integer amount formatted with the currency decimals (0, 2 and 3)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(['JPY', 0], ['ISK', 0], ['USD', 2], ['EUR', 2], ['KWD', 3], ['BHD', 3]),
        fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: 3 }),
        ([currency, exponent], n, extraZeros) => {
          // Arrange
          const amount = format(n, exponent as number, extraZeros);

          // Act
          const minor = toMinorUnits(amount, currency as string);

          // Assert
          expect(minor).toBe(n);
        },
      ),
    );
  });
});

describe('Function: normalizeWebhook', () => {
  const topics = [
    'orders/create',
    'orders/updated',
    'orders/delete',
    'refunds/create',
    'customers/update',
    'customers/redact',
    'customers/data_request',
    'shop/redact',
    'order.created',
    'order.deleted',
    'customer.created',
    'customer.deleted',
    'store/order/created',
    '',
  ];
  const platform = fc.constantFrom<Platform>(...platforms);
  const topic = fc.oneof(fc.constantFrom(...topics), fc.string());

  const assertResult = (result: ReturnType<typeof normalizeWebhook>) => {
    expect(typeof result.ok).toBe('boolean');
    if (!result.ok) {
      // The catch-all in normalizeWebhook is a safety net; no input may need it.
      expect(result.reason).not.toBe('normalizer failed');
      expect(result.issues.every((issue) => typeof issue === 'string')).toBe(true);
    }
  };

  it('never throws on arbitrary JSON: it answers ok:false instead', () => {
    fc.assert(
      fc.property(platform, topic, fc.jsonValue(), (p, t, body) => {
        // Act
        const result = normalizeWebhook({ platform: p, topic: t, channelId: 'ch', body, receivedAt: '2025-01-01T00:00:00Z' });

        // Assert
        assertResult(result);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws when any top-level field of a real payload is replaced by arbitrary JSON', () => {
    const cases: [Platform, string, Record<string, unknown>][] = [
      ['shopify', 'orders/updated', fixture('shopify/orders_updated.derived-from-official-rest.json')],
      ['shopify', 'refunds/create', fixture('shopify/refunds_create.derived-from-official-rest.json')],
      ['woocommerce', 'order.updated', fixture('woocommerce/order.updated.json')],
      ['woocommerce', 'customer.created', fixture('woocommerce/customer.created.json')],
      ['bigcommerce', '', fixture('bigcommerce/store_order_refund_created.json')],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...cases).chain(([p, t, body]) =>
          fc.tuple(fc.constant(p), fc.constant(t), fc.constant(body), fc.constantFrom(...Object.keys(body)), fc.jsonValue()),
        ),
        ([p, t, body, key, value]) => {
          // Act
          const result = normalizeWebhook({
            platform: p,
            topic: t,
            channelId: 'ch',
            body: { ...body, [key]: value },
            receivedAt: '2025-01-01T00:00:00Z',
          });

          // Assert
          assertResult(result);
        },
      ),
      { numRuns: 500 },
    );
  });
});
