// WooCommerce order exports. Core WooCommerce has no order CSV of its own, so
// stores export with a plugin; their headers differ in spelling ("Order ID",
// "order_id"; "Billing Email", "Email (Billing)"), and every variant below is
// one column once spaces, case and punctuation are set aside. One row per
// order, or one per line item with the order's fields repeated: consecutive
// rows of one order id are one order, and each row's product one of its
// lines. Dates are the store's wall clock ("2016-09-15 03:17:47"); refunds may
// be written negative, as WooCommerce records them.
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
import { wooOrderStatus } from '../normalize/woocommerce';
import {
  importDateSchema,
  importedLines,
  importedRefunds,
  latestEarliest,
  pickColumns,
  refusal,
  splitCodes,
  type ImportContext,
  type ImportRow,
  type MappedOrder,
} from './rows';

const columns = {
  orderId: ['orderid', 'id'],
  orderNumber: ['ordernumber', 'ordernumberformatted', 'order'],
  date: ['orderdate', 'date', 'datecreated', 'createdat', 'orderdatecreated'],
  modified: ['datemodified', 'orderdatemodified', 'modifieddate', 'updatedat'],
  paid: ['datepaid', 'orderdatepaid', 'paiddate', 'paidat'],
  completed: ['datecompleted', 'orderdatecompleted', 'completeddate', 'completedat'],
  status: ['orderstatus', 'status'],
  total: ['ordertotal', 'ordertotalamount', 'total'],
  currency: ['ordercurrency', 'currency'],
  customerId: ['customerid', 'customeruserid', 'customeruser', 'userid'],
  email: ['billingemail', 'emailbilling', 'customeremail', 'email'],
  phone: ['billingphone', 'phonebilling', 'phone', 'shippingphone', 'phoneshipping'],
  firstName: ['billingfirstname', 'firstnamebilling', 'firstname'],
  lastName: ['billinglastname', 'lastnamebilling', 'lastname'],
  coupons: ['couponcodes', 'couponcode', 'coupons', 'couponitems', 'couponsused', 'usedcoupons', 'coupon'],
  refunded: [
    'refundamount',
    'refundedamount',
    'ordertotalrefunded',
    'orderrefund',
    'refundedtotal',
    'totalrefunded',
    'refunded',
    'refund',
  ],
} as const;

/** A file with one row per line item names the product of each row (Advanced Order Export, WP All Export, SkyVerge). */
const lineColumns = {
  sku: ['itemsku', 'sku', 'productsku', 'lineitemsku'],
  title: ['itemname', 'productname', 'lineitemname'],
  quantity: ['itemquantity', 'quantity', 'qty', 'itemqty', 'lineitemquantity'],
} as const;

const text = z.string().optional();

/** Labels the admin shows whose slug is another word. */
const statusLabels: Record<string, string> = { 'pending-payment': 'pending', draft: 'checkout-draft' };

export const wooExportRowSchema = z
  .object({
    orderId: idSchema.optional(),
    orderNumber: idSchema.optional(),
    date: importDateSchema,
    modified: importDateSchema.optional(),
    paid: importDateSchema.optional(),
    completed: importDateSchema.optional(),
    // "Completed", "On hold", "wc-processing": the slug WooCommerce keeps.
    status: z
      .string()
      .transform((status) => {
        const slug = status.trim().toLowerCase().replace(/^wc-/, '').replace(/\s+/g, '-');
        return statusLabels[slug] ?? slug;
      })
      .optional(),
    total: decimalSchema,
    /** Else the channel's currency. */
    currency: currencySchema,
    customerId: text,
    email: text,
    phone: text,
    firstName: text,
    lastName: text,
    coupons: text,
    refunded: decimalSchema.optional(),
  })
  .refine((row) => row.orderId !== undefined || row.orderNumber !== undefined, {
    path: ['Order ID'],
    message: 'Required (or Order Number)',
    // Said with the other columns' issues, not only once they are fixed.
    when: () => true,
  });

export function wooOrderKey(row: ImportRow): string | undefined {
  const { orderId, orderNumber } = pickColumns(row.fields, { orderId: columns.orderId, orderNumber: columns.orderNumber });
  return orderId ?? orderNumber;
}

/** "SAVE10", "code:SAVE10|amount:5.00": the code of each coupon a cell lists. */
function couponCodes(cell: string | undefined): string[] {
  return splitCodes(cell).map((coupon) => coupon.replace(/^\s*code:/i, '').split('|')[0] ?? '');
}

export function mapWooCommerceOrdersCsv(rows: readonly ImportRow[], context: ImportContext): MappedOrder {
  const [first] = rows;
  if (first === undefined) return { line: 0, rejected: [] };
  const picked = pickColumns(first.fields, columns);
  const parsed = wooExportRowSchema.safeParse({ ...picked, currency: picked.currency ?? context.currency });
  if (!parsed.success) return { line: first.line, rejected: [refusal(first.line, formatIssues(parsed.error))] };
  const row = parsed.data;
  const issues: string[] = [];
  const { currency } = row;
  const money = new MoneyReader();
  const totalMinor = money.nonNegative(row.total, currency, 'Order Total');
  // WooCommerce keeps a refund as a negative amount; exports write it either way.
  const refundedMinor = row.refunded === undefined ? 0 : Math.abs(money.minor(row.refunded, currency, 'Refund'));
  const refunded = refundedMinor === 0 && row.status === 'refunded' ? totalMinor : refundedMinor;
  const email = normalizeEmail(row.email);
  const phone = normalizePhone(row.phone);
  // 0 is a guest checkout.
  const customerId = row.customerId === '0' ? undefined : row.customerId;
  if (customerId === undefined && email === undefined && phone === undefined) {
    issues.push('Customer ID, Billing Email, Billing Phone: at least one valid is required');
  }
  const order: NormalizedOrder = compact({
    channelId: context.channelId,
    platform: context.platform,
    orderId: row.orderId ?? (row.orderNumber as string),
    orderNumber: row.orderNumber,
    // The wall clock as UTC: the instant may be off by the store's offset, the day is right.
    placedAt: row.date.iso,
    placedDay: row.date.day,
    updatedAt: latestEarliest([row.date, row.modified, row.paid, row.completed]),
    status: wooOrderStatus(row.status ?? 'completed'),
    test: false,
    currency,
    totalMinor,
    refunds: importedRefunds(refunded),
    discountCodes: distinctCodes(couponCodes(row.coupons)),
    lineItems: importedLines(rows, lineColumns),
    customer: compact({
      channelCustomerId: customerId,
      email,
      phone,
      firstName: cleanText(row.firstName),
      lastName: cleanText(row.lastName),
      consent: { state: 'unknown' as const },
    }),
  });
  issues.push(...orderIssues(order, money));
  if (issues.length > 0) return { line: first.line, rejected: [refusal(first.line, issues)] };
  return { line: first.line, order, rejected: [] };
}
