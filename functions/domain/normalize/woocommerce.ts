// WooCommerce webhooks. An order body is what GET /wp-json/wc/v3/orders/{id}
// returns (WC_Webhook builds it through the REST API); a customer body is GET
// /customers/{id}. A deleted resource arrives as just { id }.
//
// WooCommerce core has no test orders and no marketing consent: `test` is
// always false and consent is 'unknown' (a consent plugin's meta_data is not
// read).

import * as z from 'zod';
import type { Address, CustomerFacts, NormalizedOrder, OrderStatus } from '../model';
import { normalizeEmail, normalizePhone } from './identity';
import {
  MoneyReader,
  accepted,
  anySchema,
  asUtc,
  checkLineAmounts,
  cleanText,
  compact,
  currencySchema,
  dayOf,
  decimalSchema,
  distinctAddresses,
  distinctCodes,
  idSchema,
  joinName,
  lineItemsOf,
  localDateTimeSchema,
  orderIssues,
  parseBody,
  rejected,
  textSchema,
  unsupportedTopic,
  type NormalizeResult,
  type WebhookInput,
} from './common';

// ---- schemas -----------------------------------------------------------------

export const wooAddressSchema = z.looseObject({
  first_name: textSchema,
  last_name: textSchema,
  company: textSchema,
  address_1: textSchema,
  address_2: textSchema,
  city: textSchema,
  state: textSchema,
  postcode: textSchema,
  country: textSchema,
  email: anySchema,
  phone: anySchema,
});

export const wooOrderSchema = z.looseObject({
  id: idSchema,
  number: z
    .unknown()
    .optional()
    .transform((number) => (typeof number === 'number' ? String(number) : cleanText(number))),
  status: z.string().trim().min(1),
  currency: currencySchema,
  total: decimalSchema,
  /** Store-local wall clock, no offset. */
  date_created: localDateTimeSchema,
  /** UTC wall clock, no offset. */
  date_created_gmt: localDateTimeSchema,
  date_modified_gmt: localDateTimeSchema.nullish(),
  customer_id: idSchema.nullish(),
  billing: wooAddressSchema.nullish(),
  shipping: wooAddressSchema.nullish(),
  coupon_lines: z.array(z.looseObject({ code: z.string() })).nullish(),
  refunds: z.array(z.looseObject({ id: idSchema, total: decimalSchema })).nullish(),
  line_items: z
    .array(
      z.looseObject({
        price: anySchema,
        subtotal: anySchema,
        total: anySchema,
        sku: anySchema,
        name: anySchema,
        quantity: anySchema,
      }),
    )
    .nullish(),
});

export const wooCustomerSchema = z
  .looseObject({
    id: idSchema,
    email: anySchema,
    first_name: textSchema,
    last_name: textSchema,
    date_created_gmt: localDateTimeSchema.nullish(),
    date_modified_gmt: localDateTimeSchema.nullish(),
    billing: wooAddressSchema.nullish(),
    shipping: wooAddressSchema.nullish(),
  })
  .superRefine((customer, ctx) => {
    if (customer.date_modified_gmt == null && customer.date_created_gmt == null) {
      ctx.addIssue({ code: 'custom', path: ['date_modified_gmt'], message: 'Required (or date_created_gmt)' });
    }
  });

const deletedSchema = z.looseObject({ id: idSchema });

type WooOrder = z.output<typeof wooOrderSchema>;
type WooAddress = z.output<typeof wooAddressSchema>;

// ---- topics ------------------------------------------------------------------

export function normalizeWooCommerce(input: WebhookInput): NormalizeResult {
  const { topic, channelId, body, receivedAt } = input;
  const reason = `invalid woocommerce ${topic} payload`;
  switch (topic) {
    case 'order.created':
    case 'order.updated':
    case 'order.restored': {
      const parsed = parseBody(wooOrderSchema, body, reason);
      if (!parsed.ok) return parsed.result;
      return mapOrder(parsed.data, channelId, reason);
    }
    case 'order.deleted': {
      // Trash and permanent deletion both send { id }. The body has no date, so
      // the receipt time orders it against the order's own versions.
      const parsed = parseBody(deletedSchema, body, reason);
      if (!parsed.ok) return parsed.result;
      return accepted({ kind: 'order-removed', channelId, orderId: parsed.data.id, updatedAt: receivedAt });
    }
    case 'customer.created':
    case 'customer.updated': {
      const parsed = parseBody(wooCustomerSchema, body, reason);
      if (!parsed.ok) return parsed.result;
      const customer = parsed.data;
      const billing = customer.billing ?? undefined;
      const facts: CustomerFacts = compact({
        channelCustomerId: customer.id,
        email: normalizeEmail(customer.email) ?? normalizeEmail(billing?.email),
        phone: normalizePhone(billing?.phone) ?? normalizePhone(customer.shipping?.phone),
        firstName: customer.first_name ?? billing?.first_name,
        lastName: customer.last_name ?? billing?.last_name,
        consent: { state: 'unknown' as const },
        addresses: distinctAddresses([toAddress(billing), toAddress(customer.shipping ?? undefined)]),
      });
      const updatedAt = asUtc(customer.date_modified_gmt ?? customer.date_created_gmt ?? '');
      return accepted({ kind: 'customer', channelId, updatedAt, customer: facts });
    }
    case 'customer.deleted':
      // The store deleted the account; the person and their orders remain
      // facts. huitou keeps them: erasure is a privacy request, not a webhook.
      return accepted({
        kind: 'ignored',
        reason: 'woocommerce customer.deleted: the customer and their orders are kept',
      });
    default:
      return unsupportedTopic(topic);
  }
}

// ---- mappers -----------------------------------------------------------------

/**
 * Only paid orders count. pending (awaiting payment), checkout-draft (block
 * checkout in progress) and failed never took money: 'failed'. trash is
 * 'deleted'. processing, completed, on-hold (manual payment promised, stock
 * held) and refunded are real orders: 'open' (refunds are subtracted from the
 * refunds map, not by status). Statuses added by plugins ("shipped",
 * "delivered"...) are post-payment steps in practice: 'open'.
 */
export function wooOrderStatus(status: string): OrderStatus {
  switch (status) {
    case 'cancelled':
      return 'cancelled';
    case 'pending':
    case 'checkout-draft':
    case 'failed':
      return 'failed';
    case 'trash':
      return 'deleted';
    default:
      return 'open';
  }
}

function mapOrder(order: WooOrder, channelId: string, reason: string): NormalizeResult {
  const money = new MoneyReader();
  const currency = order.currency;
  const totalMinor = money.nonNegative(order.total, currency, 'total');
  (order.line_items ?? []).forEach(({ price, subtotal, total }, index) => {
    checkLineAmounts(money, { price, subtotal, total }, currency, `line_items.${index}`);
  });
  const refunds: Record<string, number> = {};
  (order.refunds ?? []).forEach((refund, index) => {
    // Refund totals are negative ("-10.00"): money returned. The model keeps
    // amounts refunded, so a positive total is a refund taking money back.
    const path = `refunds.${index}.total`;
    const minor = money.minor(refund.total, currency, path);
    if (minor > 0) money.issues.push(`${path}: must not be positive (WooCommerce records a refund as a negative total)`);
    refunds[refund.id] = Math.abs(minor);
  });

  const billing = order.billing ?? undefined;
  const customerId = order.customer_id ?? undefined;
  const normalized: NormalizedOrder = compact({
    channelId,
    platform: 'woocommerce' as const,
    orderId: order.id,
    orderNumber: order.number,
    // The instant in UTC; the purchase day is the store's local date.
    placedAt: asUtc(order.date_created_gmt),
    placedDay: dayOf(order.date_created),
    updatedAt: asUtc(order.date_modified_gmt ?? order.date_created_gmt),
    status: wooOrderStatus(order.status),
    test: false,
    currency,
    totalMinor,
    refunds,
    discountCodes: distinctCodes((order.coupon_lines ?? []).map((line) => line.code)),
    lineItems:
      order.line_items == null
        ? undefined
        : lineItemsOf(order.line_items.map(({ sku, name, quantity }) => ({ sku, title: plainText(name), quantity }))),
    customer: compact({
      // 0 is a guest checkout.
      channelCustomerId: customerId === '0' ? undefined : customerId,
      email: normalizeEmail(billing?.email),
      phone: normalizePhone(billing?.phone) ?? normalizePhone(order.shipping?.phone),
      firstName: billing?.first_name,
      lastName: billing?.last_name,
      consent: { state: 'unknown' as const },
      addresses: distinctAddresses([toAddress(billing), toAddress(order.shipping ?? undefined)]),
    }),
  });
  const issues = orderIssues(normalized, money);
  if (issues.length > 0) return rejected(reason, issues);
  return accepted({ kind: 'order', order: normalized });
}

const namedEntities: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ndash: '\u2013',
  mdash: '\u2014',
};

/**
 * A product name as the REST API sends it, HTML entities and all ("Ship Your
 * Idea &ndash; Color: Black"), as the text it shows. An entity it does not
 * know stays as written.
 */
export function plainText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (entity, body: string) => {
    const code = /^#x/i.test(body) ? parseInt(body.slice(2), 16) : body.startsWith('#') ? Number(body.slice(1)) : NaN;
    if (Number.isNaN(code)) return namedEntities[body] ?? entity;
    // A surrogate on its own is no character.
    const character = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
    return character ? String.fromCodePoint(code) : entity;
  });
}

function toAddress(address: WooAddress | undefined): Address | undefined {
  if (address === undefined) return undefined;
  return compact({
    name: joinName(address.first_name, address.last_name),
    company: address.company,
    address1: address.address_1,
    address2: address.address_2,
    city: address.city,
    province: address.state,
    zip: address.postcode,
    country: address.country,
    phone: normalizePhone(address.phone),
  });
}
