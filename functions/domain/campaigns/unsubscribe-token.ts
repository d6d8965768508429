// The signed token of an unsubscribe link, and the headers that carry the
// link (RFC 2369 List-Unsubscribe, RFC 8058 one-click). Pure but for
// node:crypto's HMAC.
//
// A token is base64url of: version (1 byte), customer id and campaign id
// (each a length byte and UTF-8), the length of the address digest (0 or 32)
// and the digest, then the first 16 bytes of HMAC-SHA256 over all of that.
// Tokens never expire: RFC 8058 links must keep working in old mail. The
// digest ties a token to the address it was sent to, so a token for an
// address the customer has since changed cannot unsubscribe the new one.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface UnsubscribeTokenPayload {
  customerId: string;
  campaignId: string;
  /** identityDigest (SHA-256 hex) of the normalized address the mail went to; null for none. */
  emailDigest: string | null;
}

const version = 1;
/** 128 bits of HMAC-SHA256: forging one still takes 2^128 guesses, and links stay short. */
const macBytes = 16;
const digestBytes = 32;
const maxIdBytes = 255;
/** Longer than any token we sign (two 255-byte ids, the digest, the MAC): refused before decoding. */
const maxTokenChars = 800;
const base64url = /^[A-Za-z0-9_-]+$/;
const hexDigest = /^[0-9a-f]{64}$/;

export class UnsubscribeTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsubscribeTokenError';
  }
}

function mac(body: Buffer, key: Uint8Array): Buffer {
  return createHmac('sha256', key).update(body).digest().subarray(0, macBytes);
}

function idBytes(value: string, what: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length === 0 || bytes.length > maxIdBytes) throw new UnsubscribeTokenError(`${what} must be 1 to ${maxIdBytes} bytes`);
  return bytes;
}

export function signUnsubscribeToken(payload: UnsubscribeTokenPayload, key: Uint8Array): string {
  const customer = idBytes(payload.customerId, 'customerId');
  const campaign = idBytes(payload.campaignId, 'campaignId');
  if (payload.emailDigest !== null && !hexDigest.test(payload.emailDigest)) {
    throw new UnsubscribeTokenError('emailDigest must be a SHA-256 hex digest');
  }
  const digest = payload.emailDigest === null ? Buffer.alloc(0) : Buffer.from(payload.emailDigest, 'hex');
  const body = Buffer.concat([
    Buffer.from([version, customer.length]),
    customer,
    Buffer.from([campaign.length]),
    campaign,
    Buffer.from([digest.length]),
    digest,
  ]);
  return Buffer.concat([body, mac(body, key)]).toString('base64url');
}

/** The shortest token: version, two 1-byte ids with their lengths, no digest, the MAC. */
const minTokenBytes = 6 + macBytes;

/** Whether `token` has a token's form (alphabet and length); says nothing of its signature. */
export function isWellFormedUnsubscribeToken(token: string): boolean {
  return token.length <= maxTokenChars && base64url.test(token) && Buffer.from(token, 'base64url').length >= minTokenBytes;
}

/** The payload of a token this key signed; null for anything else (forged, altered, truncated, not a token). */
export function verifyUnsubscribeToken(token: string, key: Uint8Array): UnsubscribeTokenPayload | null {
  if (!isWellFormedUnsubscribeToken(token)) return null;
  const bytes = Buffer.from(token, 'base64url');
  const body = bytes.subarray(0, bytes.length - macBytes);
  // Compared in constant time before anything of the body is trusted.
  if (!timingSafeEqual(mac(body, key), bytes.subarray(bytes.length - macBytes))) return null;
  return parseBody(body);
}

function parseBody(body: Buffer): UnsubscribeTokenPayload | null {
  let at = 0;
  const take = (length: number): Buffer | undefined => {
    if (at + length > body.length) return undefined;
    const part = body.subarray(at, at + length);
    at += length;
    return part;
  };
  if (body[at++] !== version) return null;
  const customer = take(body[at++] ?? 0);
  const campaign = take(body[at++] ?? 0);
  const digestLength = body[at++];
  if (!customer?.length || !campaign?.length || (digestLength !== 0 && digestLength !== digestBytes)) return null;
  const digest = take(digestLength);
  if (digest === undefined || at !== body.length) return null;
  return {
    customerId: customer.toString('utf8'),
    campaignId: campaign.toString('utf8'),
    emailDigest: digestLength === 0 ? null : digest.toString('hex'),
  };
}

/** The link in a mail: `<publicUrl>/u/<token>`. */
export function unsubscribeUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/u/${token}`;
}

/** The headers every marketing mail carries: the link, and RFC 8058's one-click POST. */
export function unsubscribeHeaders(url: string): { name: string; value: string }[] {
  return [
    { name: 'List-Unsubscribe', value: `<${url}>` },
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
  ];
}
