// Shopify's orders export (Orders > Export, "Plain CSV file"): one row per
// line item. Consecutive rows with the same Name are one order, and only the
// first carries the order's fields. Dates read "2024-01-15 10:00:00 -0500".
//
// The order id is the Id column, the id Shopify's webhooks send, so an order
// imported and then updated by webhook is one order. An export without Id
// falls back to Name (#1001), which no webhook will match.
import * as z from 'zod';
import type { Address, NormalizedOrder } from '../model';
import { normalizeEmail, normalizePhone } from '../normalize/identity';
import {
  MoneyReader,
  checkLineAmounts,
  cleanText,
  compact,
  currencySchema,
  decimalSchema,
  distinctAddresses,
  distinctCodes,
  formatIssues,
  idSchema,
  orderIssues,
} from '../normalize/common';
import {
  importDateSchema,
  importedLines,
  importedRefunds,
  latestEarliest,
  pickColumns,
  readYesNo,
  refusal,
  splitCodes,
  type ImportContext,
  type ImportRow,
  type MappedOrder,
} from './rows';

const orderColumns = {
  name: ['name'],
  id: ['id'],
  email: ['email'],
  phone: ['phone'],
  financialStatus: ['financialstatus'],
  paidAt: ['paidat'],
  createdAt: ['createdat'],
  cancelledAt: ['cancelledat'],
  currency: ['currency'],
  total: ['total'],
  discountCode: ['discountcode'],
  refundedAmount: ['refundedamount'],
  acceptsMarketing: ['acceptsmarketing'],
  billingName: ['billingname'],
  billingPhone: ['billingphone'],
  billingCompany: ['billingcompany'],
  billingAddress1: ['billingaddress1', 'billingstreet'],
  billingAddress2: ['billingaddress2'],
  billingCity: ['billingcity'],
  billingProvince: ['billingprovince'],
  billingZip: ['billingzip'],
  billingCountry: ['billingcountry'],
  shippingName: ['shippingname'],
  shippingPhone: ['shippingphone'],
  shippingCompany: ['shippingcompany'],
  shippingAddress1: ['shippingaddress1', 'shippingstreet'],
  shippingAddress2: ['shippingaddress2'],
  shippingCity: ['shippingcity'],
  shippingProvince: ['shippingprovince'],
  shippingZip: ['shippingzip'],
  shippingCountry: ['shippingcountry'],
} as const;

/** Every row of an order is one of its lines. */
const lineColumns = { sku: ['lineitemsku'], title: ['lineitemname'], quantity: ['lineitemquantity'] } as const;

const text = z.string().optional();

export const shopifyExportRowSchema = z.object({
  name: z.string(),
  id: idSchema.optional(),
  email: text,
  phone: text,
  financialStatus: z.string().trim().toLowerCase().optional(),
  paidAt: importDateSchema.optional(),
  createdAt: importDateSchema,
  cancelledAt: importDateSchema.optional(),
  currency: currencySchema,
  total: decimalSchema,
  discountCode: text,
  refundedAmount: decimalSchema.optional(),
  acceptsMarketing: text,
  billingName: text,
  billingPhone: text,
  billingCompany: text,
  billingAddress1: text,
  billingAddress2: text,
  billingCity: text,
  billingProvince: text,
  billingZip: text,
  billingCountry: text,
  shippingName: text,
  shippingPhone: text,
  shippingCompany: text,
  shippingAddress1: text,
  shippingAddress2: text,
  shippingCity: text,
  shippingProvince: text,
  shippingZip: text,
  shippingCountry: text,
});

type ExportRow = z.output<typeof shopifyExportRowSchema>;

export function shopifyOrderKey(row: ImportRow): string | undefined {
  return pickColumns(row.fields, { name: orderColumns.name }).name;
}

export function mapShopifyOrdersCsv(rows: readonly ImportRow[], context: ImportContext): MappedOrder {
  const [first] = rows;
  if (first === undefined) return { line: 0, rejected: [] };
  const parsed = shopifyExportRowSchema.safeParse(pickColumns(first.fields, orderColumns));
  if (!parsed.success) return { line: first.line, rejected: [refusal(first.line, formatIssues(parsed.error))] };
  const row = parsed.data;
  const { currency } = row;
  const money = new MoneyReader();
  const totalMinor = money.nonNegative(row.total, currency, 'Total');
  for (const item of rows) {
    const price = pickColumns(item.fields, { price: ['lineitemprice'] }).price;
    checkLineAmounts(money, { 'Lineitem price': price }, currency, `line ${item.line}`);
  }
  const financialStatus = row.financialStatus;
  const refundedMinor =
    row.refundedAmount === undefined ? 0 : money.nonNegative(row.refundedAmount, currency, 'Refunded Amount');
  // A refunded order whose export left Refunded Amount blank returned everything.
  const refunded = refundedMinor === 0 && financialStatus === 'refunded' ? totalMinor : refundedMinor;
  const email = normalizeEmail(row.email);
  const phone = normalizePhone(row.phone) ?? normalizePhone(row.billingPhone) ?? normalizePhone(row.shippingPhone);
  const [firstName, ...lastNames] = (row.billingName ?? row.shippingName ?? '').split(/\s+/).filter(Boolean);
  const accepts = readYesNo(row.acceptsMarketing);
  const order: NormalizedOrder = compact({
    channelId: context.channelId,
    platform: context.platform,
    orderId: row.id ?? row.name,
    orderNumber: row.name,
    placedAt: row.createdAt.iso,
    placedDay: row.createdAt.day,
    // No export column says when the order last changed: its latest known date stands in.
    updatedAt: latestEarliest([row.createdAt, row.paidAt, row.cancelledAt]),
    status: row.cancelledAt !== undefined || financialStatus === 'voided' ? ('cancelled' as const) : ('open' as const),
    test: false,
    currency,
    totalMinor,
    refunds: importedRefunds(refunded),
    discountCodes: distinctCodes(splitCodes(row.discountCode)),
    lineItems: importedLines(rows, lineColumns),
    customer: compact({
      email,
      phone,
      firstName,
      lastName: cleanText(lastNames.join(' ')),
      // As at checkout: ticked is consent given then; unticked withdraws nothing.
      consent:
        accepts === true
          ? { state: 'subscribed' as const, at: row.createdAt.iso }
          : accepts === false
            ? { state: 'unknown' as const }
            : undefined,
      addresses: distinctAddresses([address(row, 'billing'), address(row, 'shipping')]),
    }),
  });
  const issues = orderIssues(order, money);
  if (email === undefined && phone === undefined) {
    issues.unshift(
      row.email !== undefined || row.phone !== undefined || row.billingPhone !== undefined
        ? 'Email, Phone: not a valid email address or phone number'
        : 'Email, Phone, Billing Phone: at least one is required',
    );
  }
  if (issues.length > 0) return { line: first.line, rejected: [refusal(first.line, issues)] };
  return { line: first.line, order, rejected: [] };
}

function address(row: ExportRow, kind: 'billing' | 'shipping'): Address | undefined {
  return compact({
    name: row[`${kind}Name`],
    company: row[`${kind}Company`],
    address1: row[`${kind}Address1`],
    address2: row[`${kind}Address2`],
    city: row[`${kind}City`],
    province: row[`${kind}Province`],
    zip: row[`${kind}Zip`],
    country: row[`${kind}Country`],
    phone: normalizePhone(row[`${kind}Phone`]),
  });
}
