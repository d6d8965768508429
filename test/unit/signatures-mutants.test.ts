import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  signBodyHmac,
  signStandardWebhook,
  standardWebhookKey,
  standardWebhookToleranceSeconds,
  verifyBodyHmac,
  verifyStandardWebhook,
} from '../../functions/adapters/signatures';

const body = Buffer.from('{"id":450789469}');

/** An independent HMAC, so the tests do not check the module against itself. */
const hmac = (key: Buffer | string, data: string | Buffer) => createHmac('sha256', key).update(data).digest('base64');

describe('Function: signBodyHmac', () => {
  it('gives base64 of HMAC-SHA256 over the body, keyed with the secret', () => {
    expect(signBodyHmac(body, 'shhh')).toBe(hmac('shhh', body));
    expect(signBodyHmac('{"id":450789469}', 'shhh')).toBe(hmac('shhh', body));
  });
});

describe('Function: verifyBodyHmac', () => {
  const signature = hmac('shhh', body);

  it('accepts a signature with blanks around it', () => {
    expect(verifyBodyHmac(body, ` ${signature}\n`, ['shhh'])).toBe(true);
  });

  it('accepts the signature of any secret held, in any position', () => {
    expect(verifyBodyHmac(body, signature, ['shhh', 'other'])).toBe(true);
    expect(verifyBodyHmac(body, signature, ['other', 'shhh'])).toBe(true);
    expect(verifyBodyHmac(body, signature, ['a', 'b'])).toBe(false);
  });

  it('refuses a digest that is not exactly 32 bytes, even when it starts right', () => {
    const digest = Buffer.from(signature, 'base64');
    const longer = Buffer.concat([digest, Buffer.from([0])]).toString('base64');
    const shorter = digest.subarray(0, 31).toString('base64');

    expect(verifyBodyHmac(body, longer, ['shhh'])).toBe(false);
    expect(verifyBodyHmac(body, shorter, ['shhh'])).toBe(false);
  });

  it('refuses base64url, stray characters and too much padding', () => {
    const url = signature.replace(/\+/g, '-').replace(/\//g, '_');
    const withSlashOrPlus = /[+/]/.test(signature);

    if (withSlashOrPlus) expect(verifyBodyHmac(body, url, ['shhh'])).toBe(false);
    expect(verifyBodyHmac(body, `*${signature}`, ['shhh'])).toBe(false);
    expect(verifyBodyHmac(body, `${signature}*`, ['shhh'])).toBe(false);
    expect(verifyBodyHmac(body, `${signature.replace(/=+$/, '')}===`, ['shhh'])).toBe(false);
    expect(verifyBodyHmac(body, `${signature.slice(0, 20)} ${signature.slice(20)}`, ['shhh'])).toBe(false);
  });

  it('accepts a digest whose base64 has no padding only when it decodes to 32 bytes', () => {
    // 32 bytes are 43 base64 characters and one '='.
    expect(signature).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(verifyBodyHmac(body, signature.slice(0, 43), ['shhh'])).toBe(true);
  });
});

describe('Function: standardWebhookKey', () => {
  it('decodes a whsec_ secret from base64 and takes any other as UTF-8 bytes', () => {
    const key = Buffer.from('0123456789abcdef0123456789abcdef');

    expect(standardWebhookKey(`whsec_${key.toString('base64')}`)).toEqual(key);
    expect(standardWebhookKey('client-secret')).toEqual(Buffer.from('client-secret', 'utf8'));
    expect(standardWebhookKey('xwhsec_abc')).toEqual(Buffer.from('xwhsec_abc', 'utf8'));
  });
});

describe('Function: verifyStandardWebhook', () => {
  const key = Buffer.from('0123456789abcdef0123456789abcdef');
  const secret = `whsec_${key.toString('base64')}`;
  const id = 'msg_2Lx';
  const timestamp = 1_700_000_000;
  const good = `v1,${hmac(key, `${id}.${timestamp}.${body.toString()}`)}`;
  const headers = { id, timestamp: String(timestamp), signature: good };

  it('signs "id.timestamp.body" with the decoded key, as v1', () => {
    expect(signStandardWebhook(body, secret, id, timestamp)).toBe(good);
    expect(signStandardWebhook(body.toString(), secret, id, timestamp)).toBe(good);
  });

  it('accepts its own signature, with any held secret', () => {
    expect(verifyStandardWebhook(body, headers, [secret], timestamp)).toEqual({ ok: true });
    expect(verifyStandardWebhook(body, headers, ['whsec_b3RoZXI=', secret], timestamp)).toEqual({ ok: true });
  });

  it('says the headers are missing when any of them, or every secret, is', () => {
    const missing = { ok: false, reason: 'missing-headers' };
    expect(verifyStandardWebhook(body, { ...headers, id: undefined }, [secret], timestamp)).toEqual(missing);
    expect(verifyStandardWebhook(body, { ...headers, id: '' }, [secret], timestamp)).toEqual(missing);
    expect(verifyStandardWebhook(body, { ...headers, timestamp: undefined }, [secret], timestamp)).toEqual(missing);
    expect(verifyStandardWebhook(body, { ...headers, signature: undefined }, [secret], timestamp)).toEqual(missing);
    expect(verifyStandardWebhook(body, { ...headers, signature: '' }, [secret], timestamp)).toEqual(missing);
    expect(verifyStandardWebhook(body, headers, [], timestamp)).toEqual(missing);
  });

  it('takes a timestamp only as 1 to 12 digits', () => {
    const missing = { ok: false, reason: 'missing-headers' };
    for (const bad of ['1.7e9', '-1700000000', ' 1700000000', '1700000000 ', 'x', '1234567890123']) {
      expect(verifyStandardWebhook(body, { ...headers, timestamp: bad }, [secret], timestamp), bad).toEqual(missing);
    }
    const twelve = 999_999_999_999;
    const signature = signStandardWebhook(body, secret, id, twelve);
    expect(verifyStandardWebhook(body, { id, timestamp: String(twelve), signature }, [secret], twelve)).toEqual({ ok: true });
  });

  it('allows five minutes of skew each way and no more', () => {
    expect(standardWebhookToleranceSeconds).toBe(300);
    expect(verifyStandardWebhook(body, headers, [secret], timestamp - 300)).toEqual({ ok: true });
    expect(verifyStandardWebhook(body, headers, [secret], timestamp + 301)).toEqual({
      ok: false,
      reason: 'timestamp-out-of-tolerance',
    });
    expect(verifyStandardWebhook(body, headers, [secret], timestamp - 301)).toEqual({
      ok: false,
      reason: 'timestamp-out-of-tolerance',
    });
  });

  it('says the signature is bad when no v1 entry matches', () => {
    const bad = { ok: false, reason: 'bad-signature' };
    const other = hmac(key, 'something else');
    expect(verifyStandardWebhook(body, { ...headers, signature: `v1,${other}` }, [secret], timestamp)).toEqual(bad);
    expect(verifyStandardWebhook(body, { ...headers, signature: `v1a,${good.slice(3)}` }, [secret], timestamp)).toEqual(bad);
    expect(verifyStandardWebhook(body, { ...headers, signature: 'v1' }, [secret], timestamp)).toEqual(bad);
    expect(verifyStandardWebhook(body, { ...headers, signature: 'v1,' }, [secret], timestamp)).toEqual(bad);
    expect(verifyStandardWebhook(body, { ...headers, signature: good.replace('v1,', 'v1 ') }, [secret], timestamp)).toEqual(bad);
  });

  it('reads every space-separated entry, whatever comes before the good one', () => {
    for (const before of ['v1', 'v1,', 'v2,abc', `v1,${hmac(key, 'x')}`, 'v1,***']) {
      expect(verifyStandardWebhook(body, { ...headers, signature: `${before} ${good}` }, [secret], timestamp), before).toEqual({
        ok: true,
      });
    }
    expect(verifyStandardWebhook(body, { ...headers, signature: `${good} v1,${hmac(key, 'x')}` }, [secret], timestamp)).toEqual({
      ok: true,
    });
  });

  it('reads the value up to a second comma', () => {
    expect(verifyStandardWebhook(body, { ...headers, signature: `${good},extra` }, [secret], timestamp)).toEqual({ ok: true });
  });

  it('signs over the exact separators between id, timestamp and body', () => {
    const other = `v1,${hmac(key, `${id}${timestamp}${body.toString()}`)}`;

    expect(verifyStandardWebhook(body, { ...headers, signature: other }, [secret], timestamp).ok).toBe(false);
  });
});
