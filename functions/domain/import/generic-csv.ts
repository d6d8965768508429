// The generic csv: one row per order, `order_id,customer_id,email,created_at,
// total,currency` and optionally `updated_at,status,refunded,discount_codes,
// first_name,last_name,phone,accepts_marketing`. Amounts in major units, as
// written ("59.90").
import * as z from 'zod';
import type { NormalizedOrder } from '../model';
import { normalizeEmail, normalizePhone } from '../normalize/identity';
import {
  MoneyReader,
  cleanText,
  compact,
  currencySchema,
  decimalSchema,
  distinctCodes,
  formatIssues,
  idSchema,
  orderIssues,
} from '../normalize/common';
import {
  importDateSchema,
  importedRefunds,
  pickColumns,
  readYesNo,
  refusal,
  splitCodes,
  type ImportContext,
  type ImportRow,
  type MappedOrder,
} from './rows';

const columns = {
  order_id: ['orderid'],
  customer_id: ['customerid'],
  email: ['email'],
  phone: ['phone'],
  created_at: ['createdat'],
  updated_at: ['updatedat'],
  total: ['total'],
  currency: ['currency'],
  status: ['status'],
  refunded: ['refunded'],
  discount_codes: ['discountcodes'],
  first_name: ['firstname'],
  last_name: ['lastname'],
  accepts_marketing: ['acceptsmarketing'],
} as const;

export const genericRowSchema = z.object({
  order_id: idSchema,
  customer_id: idSchema.optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  created_at: importDateSchema,
  updated_at: importDateSchema.optional(),
  total: decimalSchema,
  currency: currencySchema,
  status: z.enum(['open', 'cancelled', 'failed']).optional(),
  refunded: decimalSchema.optional(),
  discount_codes: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  accepts_marketing: z.string().optional(),
});

/** The key that groups rows: repeated order ids are refused, so a file's duplicate row is reported. */
export function genericOrderKey(row: ImportRow): string | undefined {
  return pickColumns(row.fields, { order_id: columns.order_id }).order_id;
}

export function mapGenericCsv(rows: readonly ImportRow[], context: ImportContext): MappedOrder {
  const [first, ...repeats] = rows;
  if (first === undefined) return { line: 0, rejected: [] };
  const repeated = repeats.map((row) => ({
    line: row.line,
    reason: `order_id repeats line ${first.line}: the generic csv has one row per order`,
  }));
  const parsed = genericRowSchema.safeParse(pickColumns(first.fields, columns));
  if (!parsed.success) {
    return { line: first.line, rejected: [refusal(first.line, formatIssues(parsed.error)), ...repeated] };
  }
  const row = parsed.data;
  const money = new MoneyReader();
  const totalMinor = money.nonNegative(row.total, row.currency, 'total');
  const refundedMinor = row.refunded === undefined ? 0 : money.nonNegative(row.refunded, row.currency, 'refunded');
  const email = normalizeEmail(row.email);
  const phone = normalizePhone(row.phone);
  const identity: string[] = [];
  if (row.customer_id === undefined && email === undefined && phone === undefined) {
    identity.push(
      row.email !== undefined || row.phone !== undefined
        ? 'email, phone: not a valid email address or phone number, and no customer_id'
        : 'customer_id, email, phone: at least one is required',
    );
  }
  const accepts = readYesNo(row.accepts_marketing);
  const order: NormalizedOrder = compact({
    channelId: context.channelId,
    platform: context.platform,
    orderId: row.order_id,
    placedAt: row.created_at.iso,
    placedDay: row.created_at.day,
    updatedAt: (row.updated_at ?? row.created_at).earliest,
    status: row.status ?? 'open',
    test: false,
    currency: row.currency,
    totalMinor,
    refunds: importedRefunds(refundedMinor),
    discountCodes: distinctCodes(splitCodes(row.discount_codes)),
    customer: compact({
      channelCustomerId: row.customer_id,
      email,
      phone,
      firstName: cleanText(row.first_name),
      lastName: cleanText(row.last_name),
      // A "no" in an old file is no withdrawal of a consent given since.
      consent: accepts === true ? { state: 'subscribed' as const, at: row.created_at.iso } : undefined,
    }),
  });
  const issues = [...identity, ...orderIssues(order, money)];
  if (issues.length > 0) return { line: first.line, rejected: [refusal(first.line, issues), ...repeated] };
  return { line: first.line, order, rejected: repeated };
}
