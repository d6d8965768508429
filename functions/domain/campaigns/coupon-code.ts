// Coupon codes huitou mints: HT- and four groups of five characters drawn
// from an alphabet without look-alikes (no 0/O, 1/I/L), uppercase so a
// customer can type what they read. Pure: the caller passes random bytes
// (crypto.randomBytes(couponCodeRandomBytes)).

/** 8 digits and 23 letters: 31 symbols, log2(31) ≈ 4.95 bits each. */
const alphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const groups = 4;
const groupLength = 5;
const symbols = groups * groupLength;
/** Bytes at or above this would favour the first symbols; they are skipped (rejection sampling). */
const unbiasedBelow = 256 - (256 % alphabet.length);

/**
 * Random bytes to pass to couponCode: 20 symbols need 20 accepted bytes and
 * each byte is rejected with probability 8/256, so 40 run out with
 * probability below 1e-20.
 */
export const couponCodeRandomBytes = 40;

/** `HT-XXXXX-XXXXX-XXXXX-XXXXX`, about 99 bits of entropy. Throws when the bytes run out before 20 symbols. */
export function couponCode(random: Uint8Array): string {
  let code = '';
  for (const byte of random) {
    if (code.length === symbols) break;
    if (byte < unbiasedBelow) code += alphabet[byte % alphabet.length];
  }
  if (code.length < symbols) {
    throw new RangeError(`a coupon code needs ${symbols} usable random bytes, got ${code.length} from ${random.length}`);
  }
  return `HT-${code.match(new RegExp(`.{${groupLength}}`, 'g'))!.join('-')}`;
}

const codePattern = new RegExp(`^HT(-[${alphabet}]{${groupLength}}){${groups}}$`);

/** Whether `code` has the shape of a code huitou mints (an order's discount code can be matched with it). */
export function isCouponCode(code: string): boolean {
  return codePattern.test(code);
}
