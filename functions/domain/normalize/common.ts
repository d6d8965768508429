// Building blocks the platform normalizers share: the result type, the zod
// primitives for what every platform sends (ids, amounts, currencies, dates)
// and small pure helpers. Pure: no I/O, no clock.

import * as z from 'zod';
import type { Address, ChannelEvent, LineItem, NormalizedOrder, Platform } from '../model';
import { lineItemLimits, orderLimits, refundProblems } from '../orders';
import { isDecimalAmount, toMinorUnits } from './money';

export interface WebhookInput {
  platform: Platform;
  /** As the platform sent it (X-Shopify-Topic, X-WC-Webhook-Topic); may be empty where the body names it. */
  topic: string;
  channelId: string;
  body: unknown;
  /** ISO 8601; when huitou received the webhook (the only clock a normalizer sees). */
  receivedAt: string;
}

export type NormalizeResult =
  | { ok: true; event: ChannelEvent }
  | { ok: false; reason: string; issues: string[] };

export function accepted(event: ChannelEvent): NormalizeResult {
  return { ok: true, event };
}

export function rejected(reason: string, issues: string[] = []): NormalizeResult {
  return { ok: false, reason, issues };
}

/** The processor quarantines these: nothing signed is dropped. */
export function unsupportedTopic(topic: string): NormalizeResult {
  return rejected(`unsupported topic ${topic}`);
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/** "total_price_set.shop_money.amount: Invalid decimal amount" */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

/** Parses with `schema`, or says which fields failed and why. */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
  reason: string,
): { ok: true; data: z.output<S> } | { ok: false; result: NormalizeResult } {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, result: rejected(reason, formatIssues(parsed.error)) };
}

// ---- zod primitives ---------------------------------------------------------

/** Issue messages that say "Required" for a missing field, `message` otherwise. */
function orRequired(message: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? 'Required' : message);
}

/**
 * The longest id huitou keeps, in UTF-8 bytes. Ids become parts of DynamoDB
 * keys (a sort key holds at most 1,024 bytes): a longer one could never be
 * written, and its delivery would retry into the DLQ instead of quarantine.
 */
export const maxIdBytes = 256;

/** Platform ids arrive as JSON numbers or strings; huitou keeps strings. */
export const idSchema = z
  .union([z.number().int().nonnegative(), z.string().trim().min(1)], { error: orRequired('Invalid id') })
  .transform((id) => String(id))
  .refine((id) => new TextEncoder().encode(id).length <= maxIdBytes, { message: `Invalid id: over ${maxIdBytes} bytes` });

/** A decimal amount as a string ("598.94", "-10.00") or a JSON number. */
export const decimalSchema = z
  .union([z.string(), z.number()], { error: orRequired('Invalid decimal amount') })
  .refine(isDecimalAmount, { message: 'Invalid decimal amount' });

/** ISO 4217 code, upper-cased. */
export const currencySchema = z
  .string({ error: orRequired('Invalid currency code') })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, { message: 'Invalid currency code' });

/** ISO 8601 date-time with an offset or Z, checked against the calendar. */
export const isoDateTimeSchema = z.iso.datetime({
  offset: true,
  error: orRequired('Invalid ISO 8601 date-time'),
});

/** ISO 8601 date-time without an offset (a store-local wall clock), or with Z. */
export const localDateTimeSchema = z.iso.datetime({
  local: true,
  error: orRequired('Invalid ISO 8601 local date-time'),
});

/** Free text we keep but never key on: any non-string or blank becomes undefined. */
export const textSchema = z.unknown().optional().transform(cleanText);

/**
 * A field read through a normalizer of its own (emails, phones). NB zod 4
 * requires the key of a bare z.unknown() to be present, hence optional().
 */
export const anySchema = z.unknown().optional();

/** An optional date we only display: a malformed one is dropped, not fatal. */
export const optionalDateSchema = z
  .unknown()
  .optional()
  .transform((value) => (isoDateTimeSchema.safeParse(value).success ? (value as string) : undefined));

// ---- helpers ----------------------------------------------------------------

export function cleanText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text === '' ? undefined : text;
}

/** The YYYY-MM-DD printed in an ISO date-time, i.e. the day in its own offset. */
export function dayOf(isoDateTime: string): string {
  return isoDateTime.slice(0, 10);
}

/** A wall-clock UTC time ("2017-03-22T19:28:02") as ISO 8601 with Z. */
export function asUtc(dateTime: string): string {
  return /(?:Z|[+-]\d{2}:\d{2})$/.test(dateTime) ? dateTime : `${dateTime}Z`;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const RFC_2822 =
  /^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s+([+-]\d{4}|GMT|UTC?|Z)$/;

/**
 * "Tue, 20 Nov 2012 00:00:00 +0000" -> "2012-11-20T00:00:00+00:00": the same
 * instant and the same wall clock, so the store's offset (and its day) is kept.
 * Undefined when the text is not an RFC 2822 date or names a day that does not exist.
 */
export function rfc2822ToIso(value: string): string | undefined {
  const match = RFC_2822.exec(value.trim());
  if (!match) return undefined;
  const [, day = '', monthName = '', year = '', hour = '', minute = '', second = '00', zone = ''] = match;
  const month = MONTHS.indexOf(monthName.toLowerCase()) + 1;
  if (month === 0) return undefined;
  const offset = /^[+-]/.test(zone) ? `${zone.slice(0, 3)}:${zone.slice(3)}` : '+00:00';
  const iso = `${year}-${pad(month)}-${day.padStart(2, '0')}T${hour}:${minute}:${second}${offset}`;
  return isoDateTimeSchema.safeParse(iso).success ? iso : undefined;
}

export const rfc2822Schema = z.string({ error: orRequired('Invalid RFC 2822 date') }).transform((value, ctx) => {
  const iso = rfc2822ToIso(value);
  if (iso === undefined) {
    ctx.addIssue({ code: 'custom', message: 'Invalid RFC 2822 date' });
    return z.NEVER;
  }
  return iso;
});

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Collects amount conversion failures (an unknown currency, an amount beyond
 * the safe integer range) as issues, so a mapper reports all of them at once.
 */
export class MoneyReader {
  readonly issues: string[] = [];

  minor(amount: string | number, currency: string, path: string): number {
    try {
      return toMinorUnits(amount, currency);
    } catch (error) {
      this.issues.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    }
  }

  /**
   * An amount that is never negative in a sound payload (a total, a price, a
   * refund): a negative one would drive a customer's figures below zero, so it
   * is reported and the payload goes to quarantine.
   */
  nonNegative(amount: string | number, currency: string, path: string): number {
    const minor = this.minor(amount, currency, path);
    if (minor < 0) this.issues.push(`${path}: must not be negative`);
    return minor;
  }
}

/**
 * Checks amounts huitou does not count (a line's price) as `nonNegative` does:
 * absent or unreadable is no reason to refuse an order, negative is.
 */
export function checkLineAmounts(
  money: MoneyReader,
  amounts: Record<string, unknown>,
  currency: string,
  path: string,
): void {
  for (const [field, amount] of Object.entries(amounts)) {
    if (isDecimalAmount(amount)) money.nonNegative(amount, currency, path === '' ? field : `${path}.${field}`);
  }
}

/**
 * Everything that keeps a mapped order from being counted: its money issues,
 * refunds over what was paid, and more or longer discount codes than the
 * customer's counters can hold.
 */
export function orderIssues(
  order: Pick<NormalizedOrder, 'totalMinor' | 'refunds' | 'discountCodes'>,
  money: MoneyReader,
): string[] {
  const { totalMinor, refunds, discountCodes } = order;
  const issues = [...money.issues];
  // Amounts that could not be read count 0 and say nothing about the refunds.
  if (issues.length === 0) issues.push(...refundProblems(undefined, { placeholder: false, totalMinor, refunds }));
  if (discountCodes.length > orderLimits.discountCodes) {
    issues.push(`discount codes: ${discountCodes.length} on one order, at most ${orderLimits.discountCodes} are kept`);
  }
  const tooLong = discountCodes.filter((code) => code.length > orderLimits.codeLength).length;
  if (tooLong > 0) issues.push(`discount codes: ${tooLong} longer than ${orderLimits.codeLength} characters`);
  return issues;
}

/** Drops keys whose value is undefined (DynamoDB marshalling rejects them). */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Keeps non-empty addresses, each once, in order. An address that says nothing
 * another one does not (a shipping copy of the billing address without the
 * phone) is dropped.
 */
export function distinctAddresses(addresses: (Address | undefined)[]): Address[] | undefined {
  const candidates = addresses
    .filter((address): address is Address => address !== undefined)
    .map((address) => compact(address))
    .filter((address) => Object.keys(address).length > 0);
  const kept = candidates.filter(
    (address, i) =>
      !candidates.some(
        (other, j) => j !== i && covers(other, address) && (!covers(address, other) || j < i),
      ),
  );
  return kept.length > 0 ? kept : undefined;
}

/** Every field of `inner` is in `outer` with the same value. */
function covers(outer: Address, inner: Address): boolean {
  return Object.entries(inner).every(([key, value]) => outer[key as keyof Address] === value);
}

export function joinName(first: string | undefined, last: string | undefined): string | undefined {
  return cleanText([first, last].filter(Boolean).join(' '));
}

/** Trimmed, non-empty, each once, in order. */
export function distinctCodes(codes: unknown[]): string[] {
  const kept: string[] = [];
  for (const code of codes) {
    const text = cleanText(code);
    if (text !== undefined && !kept.includes(text)) kept.push(text);
  }
  return kept;
}

/** A line as a payload or a file row gives it: any field may be missing or of any type, the line itself too. */
export interface LineInput {
  sku?: unknown;
  title?: unknown;
  quantity?: unknown;
}

/**
 * The lines an order keeps: those with a title and a whole, non-negative
 * quantity, in order, at most lineItemLimits.lines, title and SKU trimmed and
 * cut to their limits. Any other line is skipped: lines only select audiences
 * and fill messages, never reason enough to quarantine an order.
 */
export function lineItemsOf(lines: readonly (LineInput | null | undefined)[]): LineItem[] {
  const kept: LineItem[] = [];
  for (const line of lines) {
    const title = cleanText(line?.title);
    const quantity = wholeQuantity(line?.quantity);
    if (title === undefined || quantity === undefined) continue;
    const sku = cleanText(line?.sku);
    kept.push(
      compact({
        sku: sku === undefined ? undefined : cut(sku, lineItemLimits.skuLength),
        title: cut(title, lineItemLimits.titleLength),
        quantity,
      }),
    );
    if (kept.length === lineItemLimits.lines) break;
  }
  return kept;
}

/** 2 or "2" (a file cell): a safe integer of zero or more, else undefined. */
function wholeQuantity(value: unknown): number | undefined {
  const quantity = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof quantity === 'number' && Number.isSafeInteger(quantity) && quantity >= 0 ? quantity : undefined;
}

/** The first `length` characters (code points: an emoji is never split in two). */
function cut(text: string, length: number): string {
  return Array.from(text).slice(0, length).join('');
}
