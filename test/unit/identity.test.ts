import { describe, expect, it } from 'vitest';
import { normalizeEmail, normalizePhone } from '../../functions/domain/normalize/identity';

describe('Function: normalizeEmail', () => {
  it('trims and lower-cases an address', () => {
    expect(normalizeEmail('  Ada.Lovelace+CRM@Example.CO.uk\n')).toBe('ada.lovelace+crm@example.co.uk');
  });

  it('refuses what is not local@domain.tld', () => {
    for (const raw of [
      '',
      'ada',
      'ada@example',
      'ada@example.',
      'ada@.example.com',
      'ada@example..com',
      '@example.com',
      'ada@@example.com',
      'ada lovelace@example.com',
      'ada@exa mple.com',
      'ada@example.com x',
      'x ada@example.com',
    ]) {
      expect(normalizeEmail(raw)).toBeUndefined();
    }
  });

  it('refuses anything that is not a string', () => {
    for (const raw of [undefined, null, 42, { email: 'ada@example.com' }, ['ada@example.com']]) {
      expect(normalizeEmail(raw)).toBeUndefined();
    }
  });
});

describe('Function: normalizePhone', () => {
  it('keeps the digits and a leading +', () => {
    expect(normalizePhone('+1 (555) 625-1199')).toBe('+15556251199');
    expect(normalizePhone('555.625.1199')).toBe('5556251199');
    expect(normalizePhone('\t555 625\n1199 ')).toBe('5556251199');
  });

  it('reads the international prefix 00 as +', () => {
    expect(normalizePhone('0044 20 7946 0958')).toBe('+442079460958');
  });

  it('keeps a national number national', () => {
    expect(normalizePhone('020 7946 0958')).toBe('02079460958');
  });

  it('takes 7 to 15 digits, the + not counted', () => {
    expect(normalizePhone('1234567')).toBe('1234567');
    expect(normalizePhone('123456')).toBeUndefined();
    expect(normalizePhone('+1234567')).toBe('+1234567');
    expect(normalizePhone('+123456')).toBeUndefined();
    expect(normalizePhone('123456789012345')).toBe('123456789012345');
    expect(normalizePhone('1234567890123456')).toBeUndefined();
    expect(normalizePhone('+123456789012345')).toBe('+123456789012345');
    expect(normalizePhone('+1234567890123456')).toBeUndefined();
  });

  it('refuses letters, extensions, a + in the middle and other signs', () => {
    for (const raw of ['555-CALL-NOW', '5556251199 ext 12', '555+6251199', '+', '', '++15556251199', '555/625/1199', '#5556251199']) {
      expect(normalizePhone(raw)).toBeUndefined();
    }
  });

  it('reads a positive whole number as its digits', () => {
    expect(normalizePhone(5556251199)).toBe('5556251199');
  });

  it('refuses numbers that are not positive whole numbers, and other types', () => {
    for (const raw of [0, -5556251199, 5556251199.5, Number.MAX_SAFE_INTEGER + 2, undefined, null, true, ['5556251199']]) {
      expect(normalizePhone(raw)).toBeUndefined();
    }
  });
});
