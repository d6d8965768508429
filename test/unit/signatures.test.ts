import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  signBodyHmac,
  signStandardWebhook,
  verifyBodyHmac,
  verifyStandardWebhook,
} from '../../functions/adapters/signatures';

const fixtures = new URL('../fixtures/marketplaces/', import.meta.url);
const vectors = JSON.parse(readFileSync(new URL('signature-vectors/vectors.json', fixtures), 'utf8'));

describe('Function: verifyBodyHmac', () => {
  it('accepts the Shopify vector over the exact file bytes', () => {
    const v = vectors.shopify_self_computed;
    const body = readFileSync(new URL('shopify/customers_redact.json', fixtures));

    expect(verifyBodyHmac(body, v.expected, [v.secret])).toBe(true);
  });

  it('accepts the WooCommerce vector, whose body keeps PHP slash escaping', () => {
    const v = vectors.woocommerce_self_computed;

    expect(verifyBodyHmac(Buffer.from(v.body, 'utf8'), v.expected, [v.secret])).toBe(true);
    expect(verifyBodyHmac(Buffer.from(JSON.stringify(JSON.parse(v.body))), v.expected, [v.secret])).toBe(false);
  });

  it('accepts either secret during a rotation and neither after', () => {
    const body = Buffer.from('{"id":1}');
    const signature = signBodyHmac(body, 'old');

    expect(verifyBodyHmac(body, signature, ['new', 'old'])).toBe(true);
    expect(verifyBodyHmac(body, signature, ['new'])).toBe(false);
  });

  it('rejects a missing, empty, truncated or non-base64 signature', () => {
    const body = Buffer.from('{}');
    const good = signBodyHmac(body, 's');

    for (const bad of [undefined, '', good.slice(0, 20), '!!!!', `${good}x`]) {
      expect(verifyBodyHmac(body, bad, ['s'])).toBe(false);
    }
    expect(verifyBodyHmac(body, good, [])).toBe(false);
  });

  it('property: a signature verifies its own body and secret only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (bytes, secret, other) => {
        const body = Buffer.from(bytes);
        const signature = signBodyHmac(body, secret);
        expect(verifyBodyHmac(body, signature, [secret])).toBe(true);
        if (other !== secret) expect(verifyBodyHmac(body, signature, [other])).toBe(false);
      }),
    );
  });

  it('property: flipping any bit of the body breaks the signature', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (bytes, at, bit) => {
        const body = Buffer.from(bytes);
        const signature = signBodyHmac(body, 'secret');
        const tampered = Buffer.from(body);
        tampered[at % tampered.length]! ^= 1 << bit;
        expect(verifyBodyHmac(tampered, signature, ['secret'])).toBe(false);
      }),
    );
  });
});

describe('Function: verifyStandardWebhook', () => {
  const v = vectors.standard_webhooks_upstream;
  const headers = {
    id: v.headers['webhook-id'],
    timestamp: v.headers['webhook-timestamp'],
    signature: v.expected_webhook_signature,
  };
  const at = Number(v.headers['webhook-timestamp']);

  it('accepts the upstream Standard Webhooks vector', () => {
    expect(verifyStandardWebhook(Buffer.from(v.body), headers, [v.secret], at)).toEqual({ ok: true });
  });

  it('accepts a signature among several space-separated ones', () => {
    const signature = `v1,${Buffer.alloc(32).toString('base64')} ${v.expected_webhook_signature}`;

    expect(verifyStandardWebhook(Buffer.from(v.body), { ...headers, signature }, [v.secret], at).ok).toBe(true);
  });

  it('rejects a timestamp more than five minutes off, either way', () => {
    expect(verifyStandardWebhook(Buffer.from(v.body), headers, [v.secret], at + 301)).toEqual({
      ok: false,
      reason: 'timestamp-out-of-tolerance',
    });
    expect(verifyStandardWebhook(Buffer.from(v.body), headers, [v.secret], at - 301).ok).toBe(false);
    expect(verifyStandardWebhook(Buffer.from(v.body), headers, [v.secret], at + 300).ok).toBe(true);
  });

  it('rejects missing headers and other signature versions', () => {
    const body = Buffer.from(v.body);
    expect(verifyStandardWebhook(body, { ...headers, id: undefined }, [v.secret], at).ok).toBe(false);
    expect(verifyStandardWebhook(body, { ...headers, signature: v.expected_webhook_signature.replace('v1,', 'v2,') }, [v.secret], at).ok).toBe(false);
  });

  it('uses a secret without the whsec_ prefix as raw bytes, as BigCommerce signs', () => {
    const body = Buffer.from('{"scope":"store/order/created"}');
    const signature = signStandardWebhook(body, 'client-secret', 'msg_1', 1_700_000_000);

    const verdict = verifyStandardWebhook(body, { id: 'msg_1', timestamp: '1700000000', signature }, ['client-secret'], 1_700_000_000);

    expect(verdict.ok).toBe(true);
  });

  it('property: a signed delivery verifies, and a changed id, timestamp or body does not', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 256 }),
        fc.stringMatching(/^msg_[a-zA-Z0-9]{1,20}$/),
        fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }),
        (bytes, id, timestamp) => {
          const body = Buffer.from(bytes);
          const signature = signStandardWebhook(body, v.secret, id, timestamp);
          const ok = (b: Buffer, i: string, t: number) =>
            verifyStandardWebhook(b, { id: i, timestamp: String(t), signature }, [v.secret], t).ok;
          expect(ok(body, id, timestamp)).toBe(true);
          expect(ok(body, `${id}x`, timestamp)).toBe(false);
          expect(ok(body, id, timestamp + 1)).toBe(false);
          expect(ok(Buffer.concat([body, Buffer.from(' ')]), id, timestamp)).toBe(false);
        },
      ),
    );
  });
});
