// What every history import format shares: rows as the CLI reads them from a
// file (each with its line number and its fields by column header), columns
// found by name whatever their spelling, dates as exports write them, and how
// the rows of one order are grouped. Pure: no I/O, no clock.
import * as z from 'zod';
import type { LineItem, NormalizedOrder, Platform } from '../model';
import { isoDateTimeSchema, lineItemsOf } from '../normalize/common';
import { importedRefundsKey } from '../orders';

export const importFormats = ['shopify-orders-csv', 'woocommerce-orders-csv', 'csv'] as const;
export type ImportFormat = (typeof importFormats)[number];

/** One row of the file: its line number (1 is the header) and its non-empty fields by column header. */
export interface ImportRow {
  line: number;
  fields: Record<string, string>;
}

export interface RowRejection {
  line: number;
  /** Names columns and rules, never values: it is printed and may be logged. */
  reason: string;
}

export interface ImportContext {
  channelId: string;
  /** The channel's platform: an imported order is the same order its webhooks send. */
  platform: Platform;
  /** The channel's currency, for a file without a currency column. */
  currency?: string | undefined;
}

/** The rows of one order, mapped: the order, and the rows refused (all of them when there is no order). */
export interface MappedOrder {
  line: number;
  order?: NormalizedOrder | undefined;
  rejected: RowRejection[];
}

/**
 * What one request to the import route may carry. The CLI sends about 200
 * orders per batch and never splits an order, so an order of more than 1,000
 * rows cannot be imported.
 */
export const importLimits = { rowsPerBatch: 1000, batchBytes: 1024 * 1024, ordersPerBatch: 200 } as const;

/** "Billing Email", "billing_email" and "Billing email" are one column: "billingemail". */
export function columnKey(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * The row's values under canonical names: for each, the first of its aliases
 * (column keys) that the row has a non-blank value for.
 */
export function pickColumns<K extends string>(
  fields: Record<string, string>,
  aliases: Readonly<Record<K, readonly string[]>>,
): Partial<Record<K, string>> {
  const byKey = new Map<string, string>();
  for (const [header, value] of Object.entries(fields)) {
    const text = value.trim();
    const key = columnKey(header);
    if (text !== '' && !byKey.has(key)) byKey.set(key, text);
  }
  const picked: Partial<Record<K, string>> = {};
  for (const name of Object.keys(aliases) as K[]) {
    const found = aliases[name].find((alias) => byKey.has(alias));
    if (found !== undefined) picked[name] = byKey.get(found);
  }
  return picked;
}

/** A date as exports write it, read into the one shape huitou keeps. */
export interface ImportDate {
  /** ISO 8601 with the offset written, or Z when none was. */
  iso: string;
  /** YYYY-MM-DD as written: the store's own day. */
  day: string;
  /**
   * The earliest instant the text can mean: the instant itself when the text
   * has an offset; else 14 hours before the wall clock read as UTC (UTC+14 is
   * the most any store is ahead), so an imported version never passes for
   * newer than the webhook versions of its order.
   */
  earliest: string;
}

const EXPORT_DATE =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2}(?:\.\d{1,9})?)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i;
const maxAheadOfUtcMs = 14 * 60 * 60 * 1000;

/**
 * "2024-01-15 10:00:00 -0500" (Shopify), "2016-09-15 03:17:47" (WooCommerce),
 * "2024-01-15T10:00:00Z", "2024-01-15" (midnight). Undefined for anything else
 * or a day the calendar does not have.
 */
export function readImportDate(text: string): ImportDate | undefined {
  const match = EXPORT_DATE.exec(text.trim());
  if (!match) return undefined;
  const [, day = '', hourMinute = '00:00', seconds = ':00', zone] = match;
  const offset =
    zone === undefined || /^(?:z|utc|gmt)$/i.test(zone) ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const iso = `${day}T${hourMinute}${seconds}${offset}`;
  // The schema checks the calendar too: 2023-02-30 is no day.
  if (!isoDateTimeSchema.safeParse(iso).success) return undefined;
  const earliest = zone === undefined ? new Date(Date.parse(iso) - maxAheadOfUtcMs).toISOString() : iso;
  return { iso, day, earliest };
}

export const importDateSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'Required' : 'Invalid date') })
  .transform((text, ctx) => {
    const date = readImportDate(text);
    if (date === undefined) {
      ctx.addIssue({ code: 'custom', message: 'Invalid date (YYYY-MM-DD, with a time and an offset if known)' });
      return z.NEVER;
    }
    return date;
  });

/** The latest of the dates (by instant), by the instant each means at the earliest. */
export function latestEarliest(dates: readonly (ImportDate | undefined)[]): string {
  const known = dates.filter((date): date is ImportDate => date !== undefined).map((date) => date.earliest);
  return known.reduce((latest, next) => (Date.parse(next) > Date.parse(latest) ? next : latest));
}

/** yes/no columns: true, false, or undefined for blank or anything else. */
export function readYesNo(text: string | undefined): boolean | undefined {
  const value = text?.trim().toLowerCase();
  if (value === undefined) return undefined;
  if (['yes', 'true', '1', 'y'].includes(value)) return true;
  if (['no', 'false', '0', 'n'].includes(value)) return false;
  return undefined;
}

/** "SPRING, VIP" or "SPRING;VIP": codes as one cell lists them. */
export function splitCodes(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(/[,;]/);
}

/**
 * Consecutive rows with the same order key are one order (Shopify writes one
 * row per line item); a row without a key is an order of its own, which its
 * mapper refuses.
 */
export function groupRows(rows: readonly ImportRow[], keyOf: (row: ImportRow) => string | undefined): ImportRow[][] {
  const groups: ImportRow[][] = [];
  let previousKey: string | undefined;
  for (const row of rows) {
    const key = keyOf(row);
    const last = groups.at(-1);
    if (last !== undefined && key !== undefined && key === previousKey) last.push(row);
    else groups.push([row]);
    previousKey = key;
  }
  return groups;
}

/** An order refused as a whole, at its first line, with every reason. */
export function refusal(line: number, issues: readonly string[]): RowRejection {
  return { line, reason: `invalid order: ${issues.join('; ')}` };
}

/** A file's refunded total, under the one key the order merge knows (see importedRefundsKey). */
export function importedRefunds(refundedMinor: number): Record<string, number> {
  const refunds: Record<string, number> = {};
  if (refundedMinor > 0) refunds[importedRefundsKey] = refundedMinor;
  return refunds;
}

/** Where a format writes a line item's fields, by column key. */
export interface LineColumns {
  sku: readonly string[];
  title: readonly string[];
  quantity: readonly string[];
}

/**
 * The lines an order's rows list, one per row (rows without a product name
 * are skipped, as lineItemsOf skips any line it cannot read). Undefined when
 * no row names a product: the file says nothing of the lines.
 */
export function importedLines(rows: readonly ImportRow[], columns: LineColumns): LineItem[] | undefined {
  const lines = rows.map((row) => pickColumns(row.fields, columns));
  return lines.some((line) => line.title !== undefined) ? lineItemsOf(lines) : undefined;
}
