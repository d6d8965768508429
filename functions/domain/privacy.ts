// Who a stored payload is about, for erasure. A quarantined body failed the
// schema, so it is read leniently: the JSON is walked for emails, phones,
// customer ids and order ids where the four platforms put them, and each is
// normalized as ingest normalizes it, so "(415) 555-0134" in a body and
// "+14155550134" in a redaction request are the same person. A body that is
// not JSON at all is searched for email and phone shapes.
//
// What a payload holds becomes "held" tokens; who a redaction is about becomes
// "sought" tokens. They meet when one person's phone is written nationally on
// one side and internationally on the other, never when two different
// international numbers share their last digits. Tokens are hashed before
// they are stored, like identity keys.
import { createHash } from 'node:crypto';
import { normalizeEmail, normalizePhone } from './normalize/identity';

export interface Identities {
  emails: string[];
  /** Normalized: digits with a leading + when the number was international. */
  phones: string[];
  /** The platform's customer ids, within one channel. */
  customerIds: string[];
  /** The platform's order ids, within one channel. */
  orderIds: string[];
}

/** A person to erase: what the request names and what huitou knows of them. */
export interface PersonToErase {
  emails: string[];
  phones: string[];
  customers: { channelId: string; customerId: string }[];
  orders: { channelId: string; orderId: string }[];
}

type Json = unknown;

const EMAIL_SHAPE = /[^\s@"'<>()[\]{},;:]+@[^\s@"'<>()[\]{},;:]+/g;
/** A run of digits with the formatting people type; 7 to 15 digits once normalized. */
const PHONE_SHAPE = /(?<![\w+])(?:\+|00)?\(?\d[\d\s().-]{5,22}\d(?![\w])/g;
const PHONE_KEY = /phone|mobile|tel/i;
const CUSTOMER_ID_KEYS = new Set(['customer_id', 'customerId']);
const ORDER_ID_KEYS = new Set(['order_id', 'orderId']);
const MAX_ID_LENGTH = 256;

function idText(value: Json): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value !== 'string') return undefined;
  const id = value.trim();
  return id !== '' && id !== '0' && id.length <= MAX_ID_LENGTH ? id : undefined;
}

function emailsIn(text: string): string[] {
  return [...text.matchAll(EMAIL_SHAPE)].map(([match]) => normalizeEmail(match)).filter((email) => email !== undefined);
}

function phonesIn(text: string): string[] {
  return [...text.matchAll(PHONE_SHAPE)].map(([match]) => normalizePhone(match)).filter((phone) => phone !== undefined);
}

/** What the body is about, from the topic or the body's own scope or type. */
function resourceKind(topic: string, body: Json): 'order' | 'customer' | 'other' | undefined {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const named = [topic, record['scope'], record['type']].filter((value): value is string => typeof value === 'string');
  for (const name of named) {
    if (/^refunds?[/.]/.test(name)) return 'other';
    if (/^(orders?|store\/order)[/.]/.test(name)) return 'order';
    if (/^(customers?|store\/customer)[/.]/.test(name)) return 'customer';
  }
  return undefined;
}

/**
 * The resource's own id: the body for Shopify and WooCommerce, `data` for
 * BigCommerce webhooks and Standard Webhooks.
 */
function resourceIds(body: Json): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  const record = body as Record<string, unknown>;
  const data = record['data'];
  const dataId = typeof data === 'object' && data !== null ? idText((data as Record<string, unknown>)['id']) : undefined;
  return [idText(record['id']), dataId].filter((id): id is string => id !== undefined);
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

/** The identities in a JSON body as any platform sends it, valid or not. */
export function identitiesInBody(input: { topic: string; body: Json }): Identities {
  const found: Identities = { emails: [], phones: [], customerIds: [], orderIds: [] };
  // Iterative, so no nesting depth a sender chooses can hide a value or overflow the stack.
  const pending: { value: Json; key: string | undefined; parentKey: string | undefined }[] = [
    { value: input.body, key: undefined, parentKey: undefined },
  ];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, key, parentKey } = next;
    if (typeof value === 'string') {
      found.emails.push(...emailsIn(value));
      found.phones.push(...phonesIn(value));
    }
    if (key !== undefined) {
      const phone = PHONE_KEY.test(key) ? normalizePhone(value) : undefined;
      if (phone) found.phones.push(phone);
      const id = idText(value);
      if (id && CUSTOMER_ID_KEYS.has(key)) found.customerIds.push(id);
      if (id && ORDER_ID_KEYS.has(key)) found.orderIds.push(id);
      if (id && key === 'id' && parentKey === 'customer') found.customerIds.push(id);
    }
    if (Array.isArray(value)) {
      for (const item of value) pending.push({ value: item, key: undefined, parentKey: key });
    } else if (typeof value === 'object' && value !== null) {
      for (const [childKey, child] of Object.entries(value)) pending.push({ value: child, key: childKey, parentKey: key });
    }
  }

  const own = resourceIds(input.body);
  const kind = resourceKind(input.topic, input.body);
  // When the body does not say what it is, its id may be either.
  if (kind === 'order' || kind === undefined) found.orderIds.push(...own);
  if (kind === 'customer' || kind === undefined) found.customerIds.push(...own);
  return {
    emails: distinct(found.emails),
    phones: distinct(found.phones),
    customerIds: distinct(found.customerIds),
    orderIds: distinct(found.orderIds),
  };
}

/** The identities in a body that is not JSON: email and phone shapes only. */
export function identitiesInText(text: string): Identities {
  return { emails: distinct(emailsIn(text)), phones: distinct(phonesIn(text)), customerIds: [], orderIds: [] };
}

/** Identities of raw payload bytes: JSON when it parses, text otherwise. */
export function identitiesInPayload(input: { topic: string; raw: Uint8Array }): Identities {
  const text = Buffer.from(input.raw).toString('utf8');
  try {
    return identitiesInBody({ topic: input.topic, body: JSON.parse(text) as Json });
  } catch {
    return identitiesInText(text);
  }
}

const MIN_NATIONAL_DIGITS = 7;

/** National significant numbers an international number may have been written as, for 1- to 3-digit country codes. */
function nationalForms(internationalDigits: string): string[] {
  return [1, 2, 3]
    .map((codeLength) => internationalDigits.slice(codeLength))
    .filter((digits) => digits.length >= MIN_NATIONAL_DIGITS);
}

/** A national number without its trunk prefix (the 0 of 020 ...). */
function nationalDigits(phone: string): string {
  return phone.replace(/^0+/, '');
}

/**
 * The ways a phone may have been stored as an identity: as written and, for an
 * international number, as the national number, with or without a trunk 0.
 */
export function phoneSpellings(phone: string): string[] {
  if (!phone.startsWith('+')) return [phone];
  const national = nationalForms(phone.slice(1));
  return distinct([phone, ...national, ...national.map((digits) => `0${digits}`)]);
}

/** What a payload of `channelId` holding `found` can be found by. */
export function heldTokens(channelId: string, found: Identities): string[] {
  const tokens = [
    ...found.emails.map((email) => `email:${email}`),
    ...found.phones.flatMap((phone) =>
      phone.startsWith('+')
        ? [`phone:intl:${phone.slice(1)}`, ...nationalForms(phone.slice(1)).map((digits) => `phone:intl-as-national:${digits}`)]
        : [`phone:national:${nationalDigits(phone)}`],
    ),
    ...found.customerIds.map((id) => `customer:${channelId}:${id}`),
    ...found.orderIds.map((id) => `order:${channelId}:${id}`),
  ];
  return distinct(tokens);
}

/** What to look for to find everything held about `person`. */
export function soughtTokens(person: PersonToErase): string[] {
  const tokens = [
    ...person.emails.map((email) => `email:${email}`),
    ...person.phones.flatMap((phone) =>
      phone.startsWith('+')
        ? [`phone:intl:${phone.slice(1)}`, ...nationalForms(phone.slice(1)).map((digits) => `phone:national:${digits}`)]
        : [`phone:national:${nationalDigits(phone)}`, `phone:intl-as-national:${nationalDigits(phone)}`],
    ),
    ...person.customers.map(({ channelId, customerId }) => `customer:${channelId}:${customerId}`),
    ...person.orders.map(({ channelId, orderId }) => `order:${channelId}:${orderId}`),
  ];
  return distinct(tokens);
}

/** A token as it is stored: hashed, so the entry holds no PII of its own. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Beyond this many, a body's digests are not stored and redaction reads the
 * body instead; it bounds the entry's size, not what is found.
 */
export const maxStoredDigests = 400;

/** The digests to store with a quarantined payload; undefined when there are too many to keep. */
export function payloadDigests(input: { channelId: string; topic: string; raw: Uint8Array }): string[] | undefined {
  const tokens = heldTokens(input.channelId, identitiesInPayload(input));
  return tokens.length > maxStoredDigests ? undefined : tokens.map(tokenDigest);
}

/** Whether a payload with these held digests is about the person sought. */
export function concerns(heldDigests: readonly string[], soughtDigests: ReadonlySet<string>): boolean {
  return heldDigests.some((digest) => soughtDigests.has(digest));
}
