// BigCommerce. Webhook bodies are thin ({ scope, store_id, data: { type, id },
// hash, created_at, producer }): they become fetch-order / fetch-customer, and
// the processor fetches the resource and maps it with normalizeBigCommerceOrder
// (GET /v2/orders/{id}) or normalizeBigCommerceCustomer (GET
// /v3/customers?id:in={id}, data[0]).

import * as z from 'zod';
import type { Address, EmailConsent, NormalizedOrder, OrderStatus } from '../model';
import { normalizeEmail, normalizePhone } from './identity';
import { convertMinorUnits } from './money';
import {
  MoneyReader,
  accepted,
  anySchema,
  checkLineAmounts,
  compact,
  currencySchema,
  dayOf,
  decimalSchema,
  distinctAddresses,
  distinctCodes,
  idSchema,
  isoDateTimeSchema,
  joinName,
  lineItemsOf,
  orderIssues,
  parseBody,
  rejected,
  rfc2822Schema,
  textSchema,
  unsupportedTopic,
  type NormalizeResult,
  type WebhookInput,
} from './common';

// ---- webhooks ----------------------------------------------------------------

export const bigCommerceWebhookSchema = z.looseObject({
  scope: z.string().trim().min(1).optional(),
  data: z
    .looseObject({
      type: z.string().nullish(),
      id: idSchema,
      /** Not in the documented examples (there data.id is the order), read if present. */
      order_id: idSchema.nullish(),
    })
    .optional(),
});

const ORDER_SCOPES = new Set([
  'store/order/created',
  'store/order/updated',
  'store/order/statusUpdated',
  'store/order/archived',
  // data.id is the order; data.refund.refund_id the refund. V2 only reports
  // the refunded aggregate, so the order is fetched again.
  'store/order/refund/created',
]);

const CUSTOMER_SCOPES = new Set(['store/customer/created', 'store/customer/updated']);

/** The topic is the body's scope; the `topic` argument is a fallback. */
export function normalizeBigCommerceWebhook(input: WebhookInput): NormalizeResult {
  const parsed = parseBody(bigCommerceWebhookSchema, input.body, 'invalid bigcommerce webhook body');
  if (!parsed.ok) return parsed.result;
  const { scope, data } = parsed.data;
  const topic = scope ?? input.topic.trim();
  if (topic === '') return rejected('invalid bigcommerce webhook body', ['scope: Required']);
  const reason = `invalid bigcommerce ${topic} payload`;

  if (ORDER_SCOPES.has(topic) || CUSTOMER_SCOPES.has(topic)) {
    if (data === undefined) return rejected(reason, ['data: Required']);
    if (ORDER_SCOPES.has(topic)) {
      return accepted({ kind: 'fetch-order', channelId: input.channelId, orderId: data.order_id ?? data.id });
    }
    return accepted({ kind: 'fetch-customer', channelId: input.channelId, customerId: data.id });
  }
  if (topic.startsWith('store/cart/')) {
    return accepted({ kind: 'ignored', reason: `bigcommerce ${topic}: carts are not used, orders are` });
  }
  if (topic === 'store/customer/deleted') {
    return accepted({
      kind: 'ignored',
      reason: 'bigcommerce store/customer/deleted: the customer and their orders are kept',
    });
  }
  return unsupportedTopic(topic);
}

// ---- GET /v2/orders/{id} -----------------------------------------------------

export const bigCommerceAddressSchema = z.looseObject({
  first_name: textSchema,
  last_name: textSchema,
  company: textSchema,
  street_1: textSchema,
  street_2: textSchema,
  city: textSchema,
  state: textSchema,
  zip: textSchema,
  country: textSchema,
  country_iso2: textSchema,
  phone: anySchema,
  email: anySchema,
});

export const bigCommerceOrderSchema = z
  .looseObject({
    id: idSchema,
    /** 0 for a guest. */
    customer_id: idSchema.nullish(),
    date_created: rfc2822Schema,
    date_modified: rfc2822Schema,
    status_id: z.number().int().nullish(),
    status: z.string().nullish(),
    total_inc_tax: decimalSchema,
    refunded_amount: decimalSchema.nullish(),
    /** What the order's lines add up to; V2 keeps the lines themselves in a sub-resource. */
    subtotal_ex_tax: anySchema,
    subtotal_inc_tax: anySchema,
    /** Display currency. */
    currency_code: currencySchema.nullish(),
    /** Transactional currency: the one the order's amounts are in. */
    default_currency_code: currencySchema.nullish(),
    /** Store's default currency; only with Multi-Currency enabled. */
    store_default_currency_code: currencySchema.nullish(),
    /** transactional = store default * rate. */
    store_default_to_transactional_exchange_rate: decimalSchema.nullish(),
    is_deleted: z.boolean().nullish(),
    /** The checkout's newsletter box. */
    is_email_opt_in: z.boolean().nullish(),
    billing_address: bigCommerceAddressSchema.nullish(),
    /** A sub-resource link in V2; an array of { code } if the caller fetched it. */
    coupons: anySchema,
    /** Likewise: GET /v2/orders/{id}/products, an array of { sku, name, quantity } if fetched. */
    products: anySchema,
  })
  .superRefine((order, ctx) => {
    if (order.status_id == null && order.status == null) {
      ctx.addIssue({ code: 'custom', path: ['status_id'], message: 'Required (or status)' });
    }
    const transactional = order.default_currency_code ?? order.currency_code;
    if (transactional == null) {
      ctx.addIssue({ code: 'custom', path: ['default_currency_code'], message: 'Required (or currency_code)' });
    } else if (
      order.store_default_currency_code != null &&
      order.store_default_currency_code !== transactional &&
      order.store_default_to_transactional_exchange_rate == null
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['store_default_to_transactional_exchange_rate'],
        message: 'Required when the order is not in the store default currency',
      });
    }
  });

type BigCommerceOrder = z.output<typeof bigCommerceOrderSchema>;
type BigCommerceAddress = z.output<typeof bigCommerceAddressSchema>;

/** BigCommerce's system order statuses, by status_id. */
const STATUS_BY_ID: Record<number, OrderStatus> = {
  0: 'failed', // Incomplete
  1: 'failed', // Pending: checkout started, not completed
  5: 'cancelled', // Cancelled
  6: 'cancelled', // Declined
  7: 'failed', // Awaiting Payment
};
const STATUS_BY_NAME: Record<string, OrderStatus> = {
  incomplete: 'failed',
  pending: 'failed',
  'awaiting payment': 'failed',
  cancelled: 'cancelled',
  declined: 'cancelled',
};

/**
 * Archived (is_deleted) wins; then the system status: Cancelled and Declined
 * are 'cancelled'; Incomplete, Pending and Awaiting Payment never took money
 * and are 'failed'; every other status (Shipped, Completed, Awaiting
 * Fulfillment, Refunded...) is a real order, 'open'. status_id is preferred
 * over the name.
 */
export function bigCommerceOrderStatus(order: Pick<BigCommerceOrder, 'is_deleted' | 'status_id' | 'status'>): OrderStatus {
  if (order.is_deleted === true) return 'deleted';
  if (order.status_id != null) return STATUS_BY_ID[order.status_id] ?? 'open';
  return STATUS_BY_NAME[(order.status ?? '').trim().toLowerCase()] ?? 'open';
}

export function normalizeBigCommerceOrder(apiOrder: unknown, ctx: { channelId: string }): NormalizeResult {
  const reason = 'invalid bigcommerce order';
  const parsed = parseBody(bigCommerceOrderSchema, apiOrder, reason);
  if (!parsed.ok) return parsed.result;
  const order = parsed.data;

  // Amounts are in the transactional currency. huitou scores in the store's
  // default currency, so an order in another one is converted at the rate the
  // order carries (exactly, in decimal).
  const transactional = order.default_currency_code ?? order.currency_code ?? '';
  const currency = order.store_default_currency_code ?? transactional;
  const money = new MoneyReader();
  const inStoreCurrency = (amount: string | number, path: string): number => {
    const minor = money.nonNegative(amount, transactional, path);
    if (currency === transactional) return minor;
    try {
      return convertMinorUnits(minor, transactional, currency, order.store_default_to_transactional_exchange_rate ?? '');
    } catch (error) {
      money.issues.push(`store_default_to_transactional_exchange_rate: ${(error as Error).message}`);
      return 0;
    }
  };
  const totalMinor = inStoreCurrency(order.total_inc_tax, 'total_inc_tax');
  const refundedMinor = order.refunded_amount == null ? 0 : inStoreCurrency(order.refunded_amount, 'refunded_amount');
  checkLineAmounts(money, { subtotal_ex_tax: order.subtotal_ex_tax, subtotal_inc_tax: order.subtotal_inc_tax }, transactional, '');
  // V2 reports only the aggregate refunded_amount, not the refunds: it is kept
  // under one synthetic key, 'total', which each newer fetch replaces.
  const refunds: Record<string, number> = refundedMinor > 0 ? { total: refundedMinor } : {};
  const billing = order.billing_address ?? undefined;
  const customerId = order.customer_id ?? undefined;
  const normalized: NormalizedOrder = compact({
    channelId: ctx.channelId,
    platform: 'bigcommerce' as const,
    orderId: order.id,
    orderNumber: order.id,
    placedAt: order.date_created,
    placedDay: dayOf(order.date_created),
    updatedAt: order.date_modified,
    status: bigCommerceOrderStatus(order),
    // BigCommerce has no test orders.
    test: false,
    currency,
    totalMinor,
    refunds,
    discountCodes: Array.isArray(order.coupons)
      ? distinctCodes(order.coupons.map((coupon: unknown) => (coupon as { code?: unknown } | null)?.code))
      : [],
    lineItems: Array.isArray(order.products)
      ? lineItemsOf(
          order.products.map((product: unknown) => {
            const line = product as { sku?: unknown; name?: unknown; quantity?: unknown } | null;
            return { sku: line?.sku, title: line?.name, quantity: line?.quantity };
          }),
        )
      : undefined,
    customer: compact({
      channelCustomerId: customerId === '0' ? undefined : customerId,
      email: normalizeEmail(billing?.email),
      phone: normalizePhone(billing?.phone),
      firstName: billing?.first_name,
      lastName: billing?.last_name,
      consent: checkoutConsent(order.is_email_opt_in, order.date_created),
      addresses: distinctAddresses([toAddress(billing)]),
    }),
  });
  const issues = orderIssues(normalized, money);
  if (issues.length > 0) return rejected(reason, issues);
  return accepted({ kind: 'order', order: normalized });
}

/** Like Shopify's buyer_accepts_marketing: ticked is consent, unticked says nothing. */
function checkoutConsent(optIn: boolean | null | undefined, at: string): EmailConsent | undefined {
  if (optIn === true) return { state: 'subscribed', at };
  if (optIn === false) return { state: 'unknown' };
  return undefined;
}

function toAddress(address: BigCommerceAddress | undefined): Address | undefined {
  if (address === undefined) return undefined;
  return compact({
    name: joinName(address.first_name, address.last_name),
    company: address.company,
    address1: address.street_1,
    address2: address.street_2,
    city: address.city,
    province: address.state,
    zip: address.zip,
    country: address.country_iso2 ?? address.country,
    phone: normalizePhone(address.phone),
  });
}

// ---- GET /v3/customers?id:in={id} -> data[0] -------------------------------

export const bigCommerceCustomerAddressSchema = z.looseObject({
  first_name: textSchema,
  last_name: textSchema,
  company: textSchema,
  address1: textSchema,
  address2: textSchema,
  city: textSchema,
  state_or_province: textSchema,
  postal_code: textSchema,
  country_code: textSchema,
  country: textSchema,
  phone: anySchema,
});

export const bigCommerceCustomerSchema = z.looseObject({
  id: idSchema,
  email: anySchema,
  first_name: textSchema,
  last_name: textSchema,
  phone: anySchema,
  date_modified: isoDateTimeSchema,
  accepts_product_review_abandoned_cart_emails: z.boolean().nullish(),
  /** Only with ?include=addresses. */
  addresses: z.array(bigCommerceCustomerAddressSchema).nullish(),
});

/**
 * accepts_product_review_abandoned_cart_emails is the only consent a V3
 * customer carries: true is consent to the store's marketing email; false may
 * just be the default for an account created without the box, so it says
 * 'unknown', not 'unsubscribed'. Absent: no consent fact at all.
 */
export function normalizeBigCommerceCustomer(apiCustomer: unknown, ctx: { channelId: string }): NormalizeResult {
  const parsed = parseBody(bigCommerceCustomerSchema, apiCustomer, 'invalid bigcommerce customer');
  if (!parsed.ok) return parsed.result;
  const customer = parsed.data;
  const accepts = customer.accepts_product_review_abandoned_cart_emails;
  return accepted({
    kind: 'customer',
    channelId: ctx.channelId,
    updatedAt: customer.date_modified,
    customer: compact({
      channelCustomerId: customer.id,
      email: normalizeEmail(customer.email),
      phone: normalizePhone(customer.phone),
      firstName: customer.first_name,
      lastName: customer.last_name,
      consent: accepts == null ? undefined : { state: accepts ? ('subscribed' as const) : ('unknown' as const) },
      addresses: distinctAddresses(
        (customer.addresses ?? []).map((address) =>
          compact({
            name: joinName(address.first_name, address.last_name),
            company: address.company,
            address1: address.address1,
            address2: address.address2,
            city: address.city,
            province: address.state_or_province,
            zip: address.postal_code,
            country: address.country_code ?? address.country,
            phone: normalizePhone(address.phone),
          }),
        ),
      ),
    }),
  });
}
