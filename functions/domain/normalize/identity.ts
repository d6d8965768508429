// Identity normalizers: the keys a customer is found by (email, then phone).
// Both are idempotent: normalizing a normalized value returns it unchanged.

/** One @, a non-empty local part and a dotted domain; no whitespace anywhere. */
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

/** Trim and lower-case; undefined unless the result looks like local@domain.tld. */
export function normalizeEmail(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const email = raw.trim().toLowerCase();
  return EMAIL.test(email) ? email : undefined;
}

/** Spaces (any whitespace), dashes, dots and parentheses: formatting only. */
const PHONE_FORMATTING = /[\s\-.()]/g;
const MIN_DIGITS = 7;
/** E.164 allows at most 15 digits; anything longer is not one phone number. */
const MAX_DIGITS = 15;

/**
 * Digits with an optional leading +. The international prefix 00 becomes +.
 * Undefined for anything else (letters, extensions, a + in the middle) and for
 * fewer than 7 or more than 15 digits. No country is guessed: a national number
 * stays national ("555-625-1199" -> "5556251199").
 */
export function normalizePhone(raw: unknown): string | undefined {
  const text = typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0 ? String(raw) : raw;
  if (typeof text !== 'string') return undefined;
  const stripped = text.replace(PHONE_FORMATTING, '');
  if (!/^\+?\d+$/.test(stripped)) return undefined;
  const phone = stripped.startsWith('00') ? `+${stripped.slice(2)}` : stripped;
  const digits = phone.startsWith('+') ? phone.length - 1 : phone.length;
  return digits >= MIN_DIGITS && digits <= MAX_DIGITS ? phone : undefined;
}
