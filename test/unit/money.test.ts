import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  convertMinorUnits,
  currencyExponent,
  isDecimalAmount,
  toMinorUnits,
} from '../../functions/domain/normalize/money';
import { ValidationError } from '../../functions/shared/errors';

const MAX = Number.MAX_SAFE_INTEGER;

describe('Function: currencyExponent', () => {
  it('gives the minor-unit places of the currency', () => {
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
    expect(currencyExponent('CLF')).toBe(4);
  });

  it('reads a code in any case and with surrounding blanks', () => {
    expect(currencyExponent(' kwd ')).toBe(3);
    expect(currencyExponent('jpy')).toBe(0);
  });

  it('answers the same for a code it has seen before', () => {
    expect(currencyExponent('BHD')).toBe(3);
    expect(currencyExponent('BHD')).toBe(3);
  });

  it('throws a ValidationError naming a code that is not three letters', () => {
    for (const code of ['US', 'USDX', 'U$D', '', '12 3']) {
      expect(() => currencyExponent(code)).toThrow(ValidationError);
    }
    expect(() => currencyExponent('EURO')).toThrow('invalid currency code "EURO"');
  });
});

describe('Function: isDecimalAmount', () => {
  it('accepts plain decimal strings, with sign and blanks', () => {
    for (const amount of ['7', '598.94', '-10.00', '+3.5', ' 12.30 ', '0']) {
      expect(isDecimalAmount(amount)).toBe(true);
    }
  });

  it('refuses exponents, lone points, words and empty strings', () => {
    for (const amount of ['1e5', '.5', '5.', '', ' ', 'ten', '1,000.00', '--1', '1.2.3']) {
      expect(isDecimalAmount(amount)).toBe(false);
    }
  });

  it('accepts finite numbers only', () => {
    expect(isDecimalAmount(195.66)).toBe(true);
    expect(isDecimalAmount(-3)).toBe(true);
    expect(isDecimalAmount(Number.NaN)).toBe(false);
    expect(isDecimalAmount(Number.POSITIVE_INFINITY)).toBe(false);
  });

  it('refuses anything that is neither a string nor a number', () => {
    for (const amount of [null, undefined, true, {}, [], 10n]) {
      expect(isDecimalAmount(amount)).toBe(false);
    }
  });
});

describe('Function: toMinorUnits', () => {
  it('moves the decimal point exactly', () => {
    expect(toMinorUnits('598.94', 'USD')).toBe(59894);
    expect(toMinorUnits('1000', 'JPY')).toBe(1000);
    expect(toMinorUnits('1.234', 'KWD')).toBe(1234);
  });

  it('pads a fraction shorter than the currency has', () => {
    expect(toMinorUnits('5.1', 'USD')).toBe(510);
    expect(toMinorUnits('5', 'USD')).toBe(500);
    expect(toMinorUnits('0.1', 'KWD')).toBe(100);
  });

  it('keeps the sign', () => {
    expect(toMinorUnits('-10.00', 'USD')).toBe(-1000);
    expect(toMinorUnits('+3.50', 'USD')).toBe(350);
  });

  it('trims blanks around a string amount', () => {
    expect(toMinorUnits(' 12.34\n', 'USD')).toBe(1234);
  });

  it('rounds extra decimals half away from zero, on the first dropped digit', () => {
    expect(toMinorUnits('0.005', 'USD')).toBe(1);
    expect(toMinorUnits('0.0049999', 'USD')).toBe(0);
    expect(toMinorUnits('2.675', 'USD')).toBe(268);
    expect(toMinorUnits('-0.005', 'USD')).toBe(-1);
    expect(toMinorUnits('-2.994', 'USD')).toBe(-299);
    expect(toMinorUnits('1000.5', 'JPY')).toBe(1001);
    expect(toMinorUnits('1000.4', 'JPY')).toBe(1000);
  });

  it('gives plain zero, never minus zero, for an amount that rounds to nothing', () => {
    expect(Object.is(toMinorUnits('-0.004', 'USD'), 0)).toBe(true);
    expect(Object.is(toMinorUnits('-0', 'USD'), 0)).toBe(true);
    expect(Object.is(toMinorUnits(-0, 'USD'), 0)).toBe(true);
  });

  it('reads a number through its shortest decimal, not its binary value', () => {
    expect(toMinorUnits(195.66, 'USD')).toBe(19566);
    expect(toMinorUnits(0.29, 'USD')).toBe(29);
    expect(toMinorUnits(-4.35, 'USD')).toBe(-435);
    expect(toMinorUnits(12, 'JPY')).toBe(12);
  });

  it('reads numbers that JavaScript prints with an exponent', () => {
    expect(toMinorUnits(1.5e-7, 'USD')).toBe(0);
    expect(toMinorUnits(5e-3, 'USD')).toBe(1);
    expect(toMinorUnits(4.9e-7, 'CLF')).toBe(0);
    expect(toMinorUnits(1.25e-7, 'USD')).toBe(0);
    expect(toMinorUnits(-5e-7, 'USD')).toBe(0);
    expect(() => toMinorUnits(1e21, 'JPY')).toThrow('amount out of range');
  });

  it('takes amounts up to Number.MAX_SAFE_INTEGER minor units and refuses beyond', () => {
    expect(toMinorUnits(String(MAX), 'JPY')).toBe(MAX);
    expect(toMinorUnits(`-${MAX}`, 'JPY')).toBe(-MAX);
    expect(toMinorUnits('90071992547409.91', 'USD')).toBe(MAX);
    expect(() => toMinorUnits(String(MAX + 1), 'JPY')).toThrow(ValidationError);
    expect(() => toMinorUnits('90071992547409.915', 'USD')).toThrow('amount out of range "90071992547409.915"');
  });

  it('throws a ValidationError for what is not a decimal', () => {
    for (const amount of ['1e5', '', '12.', '.5', 'abc', '1 000']) {
      expect(() => toMinorUnits(amount, 'USD')).toThrow(ValidationError);
    }
    expect(() => toMinorUnits('abc', 'USD')).toThrow('invalid decimal amount "abc"');
    expect(() => toMinorUnits(Number.NaN, 'USD')).toThrow('invalid decimal amount NaN');
    expect(() => toMinorUnits(Number.NEGATIVE_INFINITY, 'USD')).toThrow(ValidationError);
  });

  it('throws a ValidationError for an unknown currency', () => {
    expect(() => toMinorUnits('1.00', 'dollars')).toThrow(ValidationError);
  });

  it('property: equals the cents of any two-decimal amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (cents) => {
        const magnitude = Math.abs(cents);
        const text = `${cents < 0 ? '-' : ''}${Math.trunc(magnitude / 100)}.${String(magnitude % 100).padStart(2, '0')}`;
        expect(toMinorUnits(text, 'USD')).toBe(cents);
      }),
    );
  });
});

describe('Function: convertMinorUnits', () => {
  it('divides by the rate when both currencies have the same minor unit', () => {
    // One EUR is worth 1.25 USD: 125.00 USD is 100.00 EUR.
    expect(convertMinorUnits(12500, 'USD', 'EUR', '1.25')).toBe(10000);
    expect(convertMinorUnits(12500, 'USD', 'EUR', 1.25)).toBe(10000);
    expect(convertMinorUnits(1000, 'USD', 'EUR', '2')).toBe(500);
  });

  it('shifts between currencies with different minor units', () => {
    // 1,500 JPY at 150 JPY per USD is 10.00 USD.
    expect(convertMinorUnits(1500, 'JPY', 'USD', '150')).toBe(1000);
    // 10.00 USD at 0.0066 USD per JPY is 1,515 JPY.
    expect(convertMinorUnits(1000, 'USD', 'JPY', '0.0066')).toBe(1515);
    // 1.000 KWD at 0.5 KWD per USD is 2.00 USD.
    expect(convertMinorUnits(1000, 'KWD', 'USD', '0.5')).toBe(200);
  });

  it('rounds half away from zero', () => {
    expect(convertMinorUnits(5, 'USD', 'EUR', '2')).toBe(3);
    expect(convertMinorUnits(-5, 'USD', 'EUR', '2')).toBe(-3);
    expect(convertMinorUnits(7, 'USD', 'EUR', '3')).toBe(2);
    expect(convertMinorUnits(-7, 'USD', 'EUR', '3')).toBe(-2);
    expect(convertMinorUnits(1, 'USD', 'EUR', '2.0001')).toBe(0);
  });

  it('gives plain zero, never minus zero', () => {
    expect(Object.is(convertMinorUnits(-1, 'USD', 'EUR', '3'), 0)).toBe(true);
    expect(Object.is(convertMinorUnits(0, 'USD', 'EUR', '3'), 0)).toBe(true);
  });

  it('reads a rate given as a number through its decimal, exponent or not', () => {
    expect(convertMinorUnits(1, 'USD', 'EUR', 1e-7)).toBe(10_000_000);
  });

  it('trims the rate text', () => {
    expect(convertMinorUnits(1000, 'USD', 'EUR', ' 2 ')).toBe(500);
  });

  it('refuses a zero, negative or malformed rate', () => {
    for (const rate of ['0', '0.000', '-1.5', '', 'abc', '1e3', -2]) {
      expect(() => convertMinorUnits(1000, 'USD', 'EUR', rate)).toThrow(ValidationError);
    }
    expect(() => convertMinorUnits(1000, 'USD', 'EUR', '-1.5')).toThrow('invalid exchange rate "-1.5"');
    expect(() => convertMinorUnits(1000, 'USD', 'EUR', '0')).toThrow('invalid exchange rate "0"');
  });

  it('refuses a result beyond Number.MAX_SAFE_INTEGER', () => {
    expect(convertMinorUnits(MAX, 'USD', 'EUR', '1')).toBe(MAX);
    expect(() => convertMinorUnits(MAX, 'USD', 'EUR', '0.5')).toThrow(`amount out of range ${MAX} USD`);
  });

  it('refuses an unknown currency on either side', () => {
    expect(() => convertMinorUnits(100, 'US', 'EUR', '1')).toThrow(ValidationError);
    expect(() => convertMinorUnits(100, 'USD', 'EU', '1')).toThrow(ValidationError);
  });
});
