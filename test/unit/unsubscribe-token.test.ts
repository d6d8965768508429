import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isWellFormedUnsubscribeToken,
  signUnsubscribeToken,
  unsubscribeHeaders,
  unsubscribeUrl,
  UnsubscribeTokenError,
  verifyUnsubscribeToken,
} from '../../functions/domain/campaigns/unsubscribe-token';

const key = new Uint8Array(32).fill(7);
const otherKey = new Uint8Array(32).fill(8);
const digest = createHash('sha256').update('ada@example.com').digest('hex');
const payload = { customerId: 'cus_0123abcd', campaignId: 'cmp_42', emailDigest: digest };

describe('Function: signUnsubscribeToken / verifyUnsubscribeToken', () => {
  it('gives back the payload it signed, with or without a digest', () => {
    expect(verifyUnsubscribeToken(signUnsubscribeToken(payload, key), key)).toEqual(payload);
    const none = { ...payload, emailDigest: null };
    expect(verifyUnsubscribeToken(signUnsubscribeToken(none, key), key)).toEqual(none);
  });

  it('lays the token out as version, ids, digest and a 16-byte HMAC-SHA256, in URL-safe base64', () => {
    const token = signUnsubscribeToken(payload, key);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    const bytes = Buffer.from(token, 'base64url');
    const body = Buffer.concat([
      Buffer.from([1, 12]),
      Buffer.from('cus_0123abcd'),
      Buffer.from([6]),
      Buffer.from('cmp_42'),
      Buffer.from([32]),
      Buffer.from(digest, 'hex'),
    ]);
    expect(bytes.subarray(0, body.length)).toEqual(body);
    expect(bytes.subarray(body.length)).toEqual(createHmac('sha256', key).update(body).digest().subarray(0, 16));
    expect(token.length).toBeLessThan(120);
  });

  it('refuses a token signed with another key', () => {
    expect(verifyUnsubscribeToken(signUnsubscribeToken(payload, otherKey), key)).toBeNull();
  });

  it('refuses a token with any byte changed', () => {
    const bytes = Buffer.from(signUnsubscribeToken(payload, key), 'base64url');
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const altered = Buffer.from(bytes);
        altered[at] = (altered[at] ?? 0) ^ flip;
        expect(verifyUnsubscribeToken(altered.toString('base64url'), key)).toBeNull();
      }),
    );
  });

  it('refuses a truncated or extended token', () => {
    const token = signUnsubscribeToken(payload, key);
    for (let cut = 1; cut < token.length; cut++) expect(verifyUnsubscribeToken(token.slice(0, cut), key)).toBeNull();
    expect(verifyUnsubscribeToken(`${token}AA`, key)).toBeNull();
  });

  it('refuses a correctly signed body of another version or a broken layout', () => {
    const sign = (body: Buffer): string =>
      Buffer.concat([body, createHmac('sha256', key).update(body).digest().subarray(0, 16)]).toString('base64url');
    const ids = Buffer.concat([Buffer.from([2]), Buffer.from('c1'), Buffer.from([2]), Buffer.from('k1')]);
    expect(verifyUnsubscribeToken(sign(Buffer.concat([Buffer.from([1]), ids, Buffer.from([0])])), key)).toEqual({
      customerId: 'c1',
      campaignId: 'k1',
      emailDigest: null,
    });
    expect(verifyUnsubscribeToken(sign(Buffer.concat([Buffer.from([2]), ids, Buffer.from([0])])), key)).toBeNull();
    // A digest length other than 0 or 32, a digest cut short, bytes left over, an empty id.
    expect(verifyUnsubscribeToken(sign(Buffer.concat([Buffer.from([1]), ids, Buffer.from([5, 1, 2, 3, 4, 5])])), key)).toBeNull();
    expect(verifyUnsubscribeToken(sign(Buffer.concat([Buffer.from([1]), ids, Buffer.from([32, 1, 2])])), key)).toBeNull();
    expect(verifyUnsubscribeToken(sign(Buffer.concat([Buffer.from([1]), ids, Buffer.from([0, 9])])), key)).toBeNull();
    expect(verifyUnsubscribeToken(sign(Buffer.from([1, 0, 2, 107, 49, 0])), key)).toBeNull();
    expect(verifyUnsubscribeToken(sign(Buffer.from([1, 2, 99, 49, 0, 0])), key)).toBeNull();
    expect(verifyUnsubscribeToken(sign(Buffer.from([1, 9, 99, 49, 1, 107, 49, 0])), key)).toBeNull();
  });

  it('refuses what is not a token at all without throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 1000 }), (text) => {
        expect(verifyUnsubscribeToken(text, key)).toBeNull();
      }),
    );
    expect(verifyUnsubscribeToken('', key)).toBeNull();
    expect(verifyUnsubscribeToken('a'.repeat(801), key)).toBeNull();
    expect(verifyUnsubscribeToken(`${signUnsubscribeToken(payload, key)}=`, key)).toBeNull();
  });

  it('round-trips any ids of 1 to 255 bytes', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 60 }),
        fc.string({ minLength: 1, maxLength: 60 }),
        fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 })),
        (customerId, campaignId, bytes) => {
          const signed = { customerId, campaignId, emailDigest: bytes ? Buffer.from(bytes).toString('hex') : null };
          expect(verifyUnsubscribeToken(signUnsubscribeToken(signed, key), key)).toEqual(signed);
        },
      ),
    );
  });

  it('counts id lengths in UTF-8 bytes', () => {
    expect(() => signUnsubscribeToken({ ...payload, customerId: 'é'.repeat(128) }, key)).toThrow(/customerId/);
    const signed = { ...payload, customerId: 'é'.repeat(127) };
    expect(verifyUnsubscribeToken(signUnsubscribeToken(signed, key), key)).toEqual(signed);
  });

  it('names its error class', () => {
    expect(() => signUnsubscribeToken({ ...payload, customerId: '' }, key)).toThrow(expect.objectContaining({ name: 'UnsubscribeTokenError' }));
  });

  it('refuses to sign an empty or over-long id, or a digest that is not SHA-256 hex', () => {
    expect(() => signUnsubscribeToken({ ...payload, customerId: '' }, key)).toThrow(UnsubscribeTokenError);
    expect(() => signUnsubscribeToken({ ...payload, campaignId: 'x'.repeat(256) }, key)).toThrow(/campaignId/);
    expect(() => signUnsubscribeToken({ ...payload, customerId: 'x'.repeat(256) }, key)).toThrow(/customerId/);
    expect(signUnsubscribeToken({ ...payload, customerId: 'x'.repeat(255) }, key)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(() => signUnsubscribeToken({ ...payload, emailDigest: 'ada@example.com' }, key)).toThrow(/emailDigest/);
    expect(() => signUnsubscribeToken({ ...payload, emailDigest: digest.toUpperCase() }, key)).toThrow(/emailDigest/);
    expect(() => signUnsubscribeToken({ ...payload, emailDigest: `${digest}0` }, key)).toThrow(/emailDigest/);
  });
});

describe('Function: isWellFormedUnsubscribeToken', () => {
  it('takes the shortest possible token and refuses one byte less, other alphabets and over-long text', () => {
    expect(isWellFormedUnsubscribeToken(Buffer.alloc(22).toString('base64url'))).toBe(true);
    expect(isWellFormedUnsubscribeToken(Buffer.alloc(21).toString('base64url'))).toBe(false);
    expect(isWellFormedUnsubscribeToken('unknown')).toBe(false);
    expect(isWellFormedUnsubscribeToken(`${'A'.repeat(40)}+/`)).toBe(false);
    expect(isWellFormedUnsubscribeToken(`+${'A'.repeat(40)}`)).toBe(false);
    expect(isWellFormedUnsubscribeToken('A'.repeat(800))).toBe(true);
    expect(isWellFormedUnsubscribeToken('A'.repeat(801))).toBe(false);
  });
});

describe('Functions: unsubscribeUrl and unsubscribeHeaders', () => {
  it('puts the token under /u/ of the public URL, with or without its trailing slashes', () => {
    expect(unsubscribeUrl('https://api.example.com', 'abc')).toBe('https://api.example.com/u/abc');
    expect(unsubscribeUrl('https://api.example.com//', 'abc')).toBe('https://api.example.com/u/abc');
  });

  it('gives the List-Unsubscribe link and the RFC 8058 one-click header', () => {
    expect(unsubscribeHeaders('https://api.example.com/u/abc')).toEqual([
      { name: 'List-Unsubscribe', value: '<https://api.example.com/u/abc>' },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
  });
});
