// Webhook signature checks. Every check runs over the raw body bytes (never
// re-serialized JSON) and compares digests in constant time. A channel may hold
// two secrets during a rotation; every secret is tried, with no early exit.
import { createHmac, timingSafeEqual } from 'node:crypto';

function hmacSha256(key: Buffer | string, ...parts: Buffer[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Decodes base64 and refuses anything that is not exactly a SHA-256 digest. */
function decodeDigest(base64: string): Buffer | undefined {
  const trimmed = base64.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return undefined;
  const digest = Buffer.from(trimmed, 'base64');
  return digest.length === 32 ? digest : undefined;
}

function anyMatches(expected: readonly Buffer[], given: Buffer): boolean {
  let matched = false;
  for (const digest of expected) {
    // Both are 32 bytes, so timingSafeEqual never throws here.
    if (timingSafeEqual(digest, given)) matched = true;
  }
  return matched;
}

/**
 * Shopify (X-Shopify-Hmac-Sha256) and WooCommerce (X-WC-Webhook-Signature):
 * base64 of HMAC-SHA256 over the raw body, keyed with the secret's UTF-8 bytes.
 */
export function verifyBodyHmac(
  body: Buffer,
  signature: string | undefined,
  secrets: readonly string[],
): boolean {
  if (signature === undefined || secrets.length === 0) return false;
  const given = decodeDigest(signature);
  if (given === undefined) return false;
  return anyMatches(
    secrets.map((secret) => hmacSha256(secret, body)),
    given,
  );
}

/** Standard Webhooks allows this much clock skew, either way. */
export const standardWebhookToleranceSeconds = 5 * 60;

/**
 * Standard Webhooks keys are `whsec_` + base64 of the key bytes. BigCommerce
 * signs with its client secret's own bytes, so a secret without the prefix is
 * used as UTF-8.
 */
export function standardWebhookKey(secret: string): Buffer {
  return secret.startsWith('whsec_')
    ? Buffer.from(secret.slice('whsec_'.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

export interface StandardWebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export type StandardWebhookVerdict =
  | { ok: true }
  | { ok: false; reason: 'missing-headers' | 'timestamp-out-of-tolerance' | 'bad-signature' };

/**
 * Standard Webhooks: `webhook-signature` holds space-separated `v1,<base64>`
 * entries, each an HMAC-SHA256 of "id.timestamp.body".
 */
export function verifyStandardWebhook(
  body: Buffer,
  headers: StandardWebhookHeaders,
  secrets: readonly string[],
  nowSeconds: number,
): StandardWebhookVerdict {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature || secrets.length === 0) {
    return { ok: false, reason: 'missing-headers' };
  }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing-headers' };
  if (Math.abs(nowSeconds - Number(timestamp)) > standardWebhookToleranceSeconds) {
    return { ok: false, reason: 'timestamp-out-of-tolerance' };
  }
  const prefix = Buffer.from(`${id}.${timestamp}.`, 'utf8');
  const expected = secrets.map((secret) => hmacSha256(standardWebhookKey(secret), prefix, body));
  let matched = false;
  for (const entry of signature.split(' ')) {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || value === undefined) continue;
    const given = decodeDigest(value);
    if (given !== undefined && anyMatches(expected, given)) matched = true;
  }
  return matched ? { ok: true } : { ok: false, reason: 'bad-signature' };
}

/** Signs as a store does: the tests and the bench use it to send real deliveries. */
export function signBodyHmac(body: Buffer | string, secret: string): string {
  return hmacSha256(secret, Buffer.from(body)).toString('base64');
}

export function signStandardWebhook(
  body: Buffer | string,
  secret: string,
  id: string,
  timestamp: number,
): string {
  const digest = hmacSha256(
    standardWebhookKey(secret),
    Buffer.from(`${id}.${timestamp}.`, 'utf8'),
    Buffer.from(body),
  );
  return `v1,${digest.toString('base64')}`;
}
