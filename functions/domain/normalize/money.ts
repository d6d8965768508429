// Decimal amounts to integer minor units, exactly: the digits are moved, never
// multiplied as floating point, so "598.94" USD is 59894 and not 59893.99999.

import { ValidationError } from '../../shared/errors';

/** Plain decimal notation: optional sign, digits, optional fraction. */
const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;
const CURRENCY = /^[A-Z]{3}$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const exponents = new Map<string, number>();

/**
 * Decimal places of the currency's minor unit (USD 2, JPY 0, KWD 3), as ICU
 * knows them. NB ICU (CLDR) says 0 for a few currencies that ISO 4217 gives 2
 * (HUF, IDR, TWD...): amounts in those are rounded to whole units.
 */
export function currencyExponent(currency: string): number {
  const code = currency.trim().toUpperCase();
  const known = exponents.get(code);
  if (known !== undefined) return known;
  if (!CURRENCY.test(code)) {
    throw new ValidationError(`invalid currency code ${JSON.stringify(currency)}`);
  }
  let exponent: number | undefined;
  try {
    exponent = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
      .maximumFractionDigits;
    // Stryker disable next-line all: unreachable, Intl accepts every code the regex above lets through
  } catch (cause) {
    // Stryker disable next-line all: unreachable, as above
    throw new ValidationError(`invalid currency code ${JSON.stringify(currency)}`, [], { cause });
  }
  // Stryker disable next-line all: unreachable, Intl always resolves maximumFractionDigits for a currency
  if (exponent === undefined) throw new ValidationError(`no minor unit known for ${code}`);
  exponents.set(code, exponent);
  return exponent;
}

/** True for a plain decimal string ("-10.00", "7") or a finite number. */
export function isDecimalAmount(amount: unknown): amount is string | number {
  if (typeof amount === 'number') return Number.isFinite(amount);
  return typeof amount === 'string' && DECIMAL.test(amount.trim());
}

/**
 * "598.94" USD -> 59894; "-10.00" USD -> -1000; "1000" JPY -> 1000. More
 * decimals than the currency has are rounded half away from zero. Numbers are
 * read through their shortest round-trip decimal form (195.66 -> "195.66").
 * Throws a ValidationError on anything else, or beyond Number.MAX_SAFE_INTEGER.
 */
export function toMinorUnits(amount: string | number, currency: string): number {
  const exponent = currencyExponent(currency);
  const text = typeof amount === 'number' ? plainDecimal(amount) : String(amount).trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new ValidationError(`invalid decimal amount ${JSON.stringify(amount)}`);
  const [, sign, whole = '', fraction = ''] = match;
  let magnitude = BigInt(whole + fraction.slice(0, exponent).padEnd(exponent, '0'));
  // Half away from zero: only the first dropped digit decides, on the magnitude.
  if ((fraction[exponent] ?? '0') >= '5') magnitude += 1n;
  if (magnitude > MAX_SAFE) throw new ValidationError(`amount out of range ${JSON.stringify(amount)}`);
  // Stryker disable next-line ConditionalExpression: equivalent, a BigInt has no negative zero
  if (magnitude === 0n) return 0;
  return Number(sign === '-' ? -magnitude : magnitude);
}

/**
 * Converts minor units of `from` into minor units of `to`, where one unit of
 * `to` is worth `rate` units of `from` (BigCommerce's
 * store_default_to_transactional_exchange_rate: transactional = store * rate,
 * so store = transactional / rate). Exact decimal arithmetic; rounds half away
 * from zero.
 */
export function convertMinorUnits(minor: number, from: string, to: string, rate: string | number): number {
  const fromExponent = currencyExponent(from);
  const toExponent = currencyExponent(to);
  const rateText = typeof rate === 'number' ? plainDecimal(rate) : String(rate).trim();
  const match = DECIMAL.exec(rateText);
  if (!match || match[1] === '-') throw new ValidationError(`invalid exchange rate ${JSON.stringify(rate)}`);
  const [, , whole = '', fraction = ''] = match;
  const rateNumerator = BigInt(whole + fraction);
  if (rateNumerator === 0n) throw new ValidationError(`invalid exchange rate ${JSON.stringify(rate)}`);
  // target = minor / 10^fromExp * 10^toExp / (rateNumerator / 10^fraction.length)
  let numerator = BigInt(minor) * 10n ** BigInt(fraction.length);
  let denominator = rateNumerator;
  const shift = toExponent - fromExponent;
  if (shift >= 0) numerator *= 10n ** BigInt(shift);
  else denominator *= 10n ** BigInt(-shift);
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  let quotient = magnitude / denominator;
  if ((magnitude % denominator) * 2n >= denominator) quotient += 1n;
  if (quotient > MAX_SAFE) throw new ValidationError(`amount out of range ${minor} ${from}`);
  // Stryker disable next-line ConditionalExpression: equivalent, a BigInt has no negative zero
  if (quotient === 0n) return 0;
  return Number(negative ? -quotient : quotient);
}

/** The shortest round-trip decimal of a number, without exponent notation. */
function plainDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new ValidationError(`invalid decimal amount ${String(value)}`);
  const text = String(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign = '', whole = '', fraction = '', exponentText = '0'] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponentText);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  // Stryker disable next-line all: unreachable, JavaScript prints an exponent only below 1e-6 or from 1e21 on
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
