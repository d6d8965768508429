// Coupon codes: the format, the alphabet, no bias, and enough entropy.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { couponCode, couponCodeRandomBytes, isCouponCode } from '../../functions/domain/campaigns/coupon-code';

const alphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

describe('Function: couponCode', () => {
  it('maps each accepted byte to one symbol, in groups of five after HT-', () => {
    const bytes = Uint8Array.from({ length: 20 }, (_, i) => i);

    expect(couponCode(bytes)).toBe('HT-23456-789AB-CDEFG-HJKMN');
  });

  it('wraps bytes around the alphabet of 31 symbols', () => {
    const bytes = new Uint8Array(20).fill(31 + 30);

    expect(couponCode(bytes)).toBe(`HT-${Array(4).fill('ZZZZZ').join('-')}`);
  });

  it('skips the bytes from 248 up, which would favour the first symbols', () => {
    const bytes = Uint8Array.from([248, 255, 247, ...new Array(19).fill(0), 1]);

    expect(couponCode(bytes)).toBe('HT-Z2222-22222-22222-22222');
  });

  it('uses only the first 20 accepted bytes', () => {
    const bytes = Uint8Array.from([...new Array(20).fill(0), 5, 6, 7]);

    expect(couponCode(bytes)).toBe('HT-22222-22222-22222-22222');
  });

  it('throws when the bytes run out', () => {
    expect(() => couponCode(new Uint8Array(19))).toThrow(new RangeError('a coupon code needs 20 usable random bytes, got 19 from 19'));
    expect(() => couponCode(Uint8Array.from([...new Array(19).fill(0), 250, 251]))).toThrow(RangeError);
  });

  it('has no look-alike characters and at least 95 bits of entropy', () => {
    expect(alphabet).not.toMatch(/[01OIL]/);
    expect(new Set(alphabet).size).toBe(31);
    expect(20 * Math.log2(31)).toBeGreaterThanOrEqual(95);
  });

  it('always gives a well-formed code from enough random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: couponCodeRandomBytes, maxLength: couponCodeRandomBytes }).filter((b) => b.filter((x) => x < 248).length >= 20), (bytes) => {
        const code = couponCode(bytes);
        expect(code).toMatch(/^HT(-[2-9A-HJKMNP-Z]{5}){4}$/);
        expect(isCouponCode(code)).toBe(true);
      }),
    );
  });

  it('draws every symbol about equally often from real randomness', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i += 1) {
      for (const symbol of couponCode(randomBytes(couponCodeRandomBytes)).slice(3).replaceAll('-', '')) {
        counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
      }
    }
    // 60,000 symbols, about 1,935 each; a chi-square with 30 degrees of freedom passes 80 once in 500,000 runs.
    const expected = 60_000 / 31;
    const chiSquare = [...alphabet].reduce((sum, symbol) => sum + ((counts.get(symbol) ?? 0) - expected) ** 2 / expected, 0);
    expect(counts.size).toBe(31);
    expect(chiSquare).toBeLessThan(80);
  });
});

describe('Function: isCouponCode', () => {
  it('tells a minted code from other discount codes', () => {
    expect(isCouponCode('HT-23456-789AB-CDEFG-HJKMN')).toBe(true);
    expect(isCouponCode('HT-23456-789AB-CDEFG-HJKM0')).toBe(false);
    expect(isCouponCode('ht-23456-789ab-cdefg-hjkmn')).toBe(false);
    expect(isCouponCode('HT-23456-789AB-CDEFG')).toBe(false);
    expect(isCouponCode('XHT-23456-789AB-CDEFG-HJKMN')).toBe(false);
    expect(isCouponCode('HT-23456-789AB-CDEFG-HJKMNP')).toBe(false);
    expect(isCouponCode('SUMMER10')).toBe(false);
  });
});
