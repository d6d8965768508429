// Shopify webhooks. The body is the bare REST resource: an order for orders/*,
// a refund for refunds/create, a customer for customers/*, and the documented
// privacy payloads for the mandatory compliance topics.
//
// Money: shop currency throughout (`*_set.shop_money`), since that is what the
// store reports in and what huitou scores on.

import * as z from 'zod';
import type {
  Address,
  ConsentState,
  CustomerFacts,
  EmailConsent,
  LineItem,
  NormalizedOrder,
  NormalizedRefund,
  PrivacySubject,
} from '../model';
import { normalizeEmail, normalizePhone } from './identity';
import {
  MoneyReader,
  accepted,
  anySchema,
  checkLineAmounts,
  cleanText,
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
  optionalDateSchema,
  orderIssues,
  parseBody,
  rejected,
  textSchema,
  unsupportedTopic,
  type NormalizeResult,
  type WebhookInput,
} from './common';

// ---- schemas: only what huitou reads; everything else passes through --------

export const shopifyMoneyBagSchema = z.looseObject({
  shop_money: z.looseObject({ amount: decimalSchema, currency_code: currencySchema }),
});

export const shopifyAddressSchema = z.looseObject({
  name: textSchema,
  first_name: textSchema,
  last_name: textSchema,
  company: textSchema,
  address1: textSchema,
  address2: textSchema,
  city: textSchema,
  province: textSchema,
  zip: textSchema,
  country: textSchema,
  country_code: textSchema,
  phone: anySchema,
});

const consentSchema = z.looseObject({
  state: z.string().nullish(),
  consent_updated_at: optionalDateSchema,
});

/** The customer as embedded in an order: a guest order has none. */
const customerFieldsSchema = z.looseObject({
  email: anySchema,
  phone: anySchema,
  first_name: textSchema,
  last_name: textSchema,
  email_marketing_consent: consentSchema.nullish(),
  default_address: shopifyAddressSchema.nullish(),
  addresses: z.array(shopifyAddressSchema).nullish(),
});

export const shopifyCustomerSchema = customerFieldsSchema.extend({
  id: idSchema,
  updated_at: isoDateTimeSchema,
});

const transactionSchema = z.looseObject({
  kind: z.string().nullish(),
  status: z.string().nullish(),
  amount: decimalSchema.nullish(),
  currency: currencySchema.nullish(),
});

export const shopifyRefundSchema = z.looseObject({
  id: idSchema,
  created_at: isoDateTimeSchema.nullish(),
  processed_at: isoDateTimeSchema.nullish(),
  transactions: z.array(transactionSchema).nullish(),
  refund_line_items: z
    .array(
      z.looseObject({
        subtotal_set: shopifyMoneyBagSchema.nullish(),
        total_tax_set: shopifyMoneyBagSchema.nullish(),
      }),
    )
    .nullish(),
  refund_shipping_lines: z
    .array(
      z.looseObject({
        subtotal_amount_set: shopifyMoneyBagSchema.nullish(),
        tax_amount_set: shopifyMoneyBagSchema.nullish(),
      }),
    )
    .nullish(),
  order_adjustments: z
    .array(
      z.looseObject({
        amount_set: shopifyMoneyBagSchema.nullish(),
        tax_amount_set: shopifyMoneyBagSchema.nullish(),
      }),
    )
    .nullish(),
  total_duties_set: shopifyMoneyBagSchema.nullish(),
});

/** refunds/create: the refund must say which order and when. */
export const shopifyRefundWebhookSchema = shopifyRefundSchema.extend({
  order_id: idSchema,
  created_at: isoDateTimeSchema,
});

export const shopifyOrderSchema = z
  .looseObject({
    id: idSchema,
    name: textSchema,
    email: anySchema,
    contact_email: anySchema,
    phone: anySchema,
    created_at: isoDateTimeSchema,
    processed_at: isoDateTimeSchema.nullish(),
    updated_at: isoDateTimeSchema,
    cancelled_at: isoDateTimeSchema.nullish(),
    test: z.boolean().nullish(),
    currency: currencySchema.nullish(),
    total_price: decimalSchema.nullish(),
    total_price_set: shopifyMoneyBagSchema.nullish(),
    discount_codes: z.array(z.looseObject({ code: z.string() })).nullish(),
    buyer_accepts_marketing: z.boolean().nullish(),
    customer: customerFieldsSchema.extend({ id: idSchema.nullish() }).nullish(),
    billing_address: shopifyAddressSchema.nullish(),
    shipping_address: shopifyAddressSchema.nullish(),
    refunds: z.array(shopifyRefundSchema).nullish(),
    line_items: z
      .array(
        z.looseObject({
          price: anySchema,
          price_set: anySchema,
          sku: anySchema,
          title: anySchema,
          name: anySchema,
          quantity: anySchema,
        }),
      )
      .nullish(),
  })
  .superRefine((order, ctx) => {
    if (order.total_price_set == null && (order.total_price == null || order.currency == null)) {
      ctx.addIssue({
        code: 'custom',
        path: ['total_price_set'],
        message: 'Required (or total_price with currency)',
      });
    }
  });

const privacyCustomerSchema = z
  .looseObject({ id: idSchema.nullish(), email: anySchema, phone: anySchema })
  .nullish();

export const shopifyCustomersRedactSchema = z.looseObject({
  customer: privacyCustomerSchema,
  orders_to_redact: z.array(idSchema).nullish(),
});

export const shopifyDataRequestSchema = z.looseObject({
  customer: privacyCustomerSchema,
  orders_requested: z.array(idSchema).nullish(),
  data_request: z.looseObject({ id: idSchema }),
});

type ShopifyOrder = z.output<typeof shopifyOrderSchema>;
type ShopifyRefund = z.output<typeof shopifyRefundSchema>;
type ShopifyAddress = z.output<typeof shopifyAddressSchema>;
type ShopifyConsent = z.output<typeof consentSchema>;

// ---- topics ------------------------------------------------------------------

/** Every one of these carries the full order. */
const ORDER_TOPICS = new Set([
  'orders/create',
  'orders/updated',
  'orders/paid',
  'orders/cancelled',
  'orders/fulfilled',
  'orders/partially_fulfilled',
]);

export function normalizeShopify(input: WebhookInput): NormalizeResult {
  const { topic, channelId, body, receivedAt } = input;
  const reason = `invalid shopify ${topic} payload`;
  if (ORDER_TOPICS.has(topic)) {
    const parsed = parseBody(shopifyOrderSchema, body, reason);
    if (!parsed.ok) return parsed.result;
    return mapOrder(parsed.data, channelId, reason);
  }
  switch (topic) {
    case 'orders/delete': {
      // The body is just { id }: the order left the store.
      const parsed = parseBody(z.looseObject({ id: idSchema }), body, reason);
      if (!parsed.ok) return parsed.result;
      return accepted({ kind: 'order-removed', channelId, orderId: parsed.data.id, updatedAt: receivedAt });
    }
    case 'refunds/create': {
      const parsed = parseBody(shopifyRefundWebhookSchema, body, reason);
      if (!parsed.ok) return parsed.result;
      return mapRefundWebhook(parsed.data, channelId, reason);
    }
    case 'customers/create':
    case 'customers/update': {
      const parsed = parseBody(shopifyCustomerSchema, body, reason);
      if (!parsed.ok) return parsed.result;
      const customer = parsed.data;
      return accepted({
        kind: 'customer',
        channelId,
        updatedAt: customer.updated_at,
        customer: customerFacts(customer, {
          channelCustomerId: customer.id,
          addresses: [customer.default_address, ...(customer.addresses ?? [])],
        }),
      });
    }
    case 'customers/redact': {
      const parsed = parseBody(shopifyCustomersRedactSchema, body, reason);
      if (!parsed.ok) return parsed.result;
      return accepted({
        kind: 'redact-customer',
        channelId,
        subject: privacySubject(parsed.data.customer, parsed.data.orders_to_redact),
      });
    }
    case 'customers/data_request': {
      const parsed = parseBody(shopifyDataRequestSchema, body, reason);
      if (!parsed.ok) return parsed.result;
      return accepted({
        kind: 'data-request',
        channelId,
        requestId: parsed.data.data_request.id,
        subject: privacySubject(parsed.data.customer, parsed.data.orders_requested),
      });
    }
    case 'shop/redact': {
      const parsed = parseBody(z.looseObject({}), body, reason);
      if (!parsed.ok) return parsed.result;
      return accepted({ kind: 'redact-shop', channelId });
    }
    default:
      return unsupportedTopic(topic);
  }
}

// ---- mappers -----------------------------------------------------------------

function mapOrder(order: ShopifyOrder, channelId: string, reason: string): NormalizeResult {
  const money = new MoneyReader();
  const shop = order.total_price_set?.shop_money;
  // The superRefine guarantees one of the two pairs.
  const currency = shop?.currency_code ?? order.currency ?? '';
  const totalMinor = shop
    ? money.nonNegative(shop.amount, currency, 'total_price_set.shop_money.amount')
    : money.nonNegative(order.total_price ?? '', currency, 'total_price');
  (order.line_items ?? []).forEach((line, index) => {
    const shopPrice = shopifyMoneyBagSchema.safeParse(line.price_set);
    checkLineAmounts(
      money,
      shopPrice.success ? { 'price_set.shop_money.amount': shopPrice.data.shop_money.amount } : { price: line.price },
      currency,
      `line_items.${index}`,
    );
  });

  const refunds: Record<string, number> = {};
  (order.refunds ?? []).forEach((refund, index) => {
    refunds[refund.id] = refundMinor(refund, currency, money, `refunds.${index}`);
  });

  // processed_at, not created_at: Shopify documents processed_at as the date
  // the order shows and reports use, and an order imported from another
  // platform carries its original date there while created_at is the import.
  // For a live checkout the two are the same.
  const placedAt = order.processed_at ?? order.created_at;
  const normalized: NormalizedOrder = compact({
    channelId,
    platform: 'shopify' as const,
    orderId: order.id,
    orderNumber: order.name,
    placedAt,
    placedDay: dayOf(placedAt),
    updatedAt: order.updated_at,
    status: order.cancelled_at ? ('cancelled' as const) : ('open' as const),
    test: order.test === true,
    currency,
    totalMinor,
    refunds,
    discountCodes: distinctCodes((order.discount_codes ?? []).map((discount) => discount.code)),
    lineItems: lineItems(order.line_items),
    customer: orderCustomer(order, placedAt),
  });
  const issues = orderIssues(normalized, money);
  if (issues.length > 0) return rejected(reason, issues);
  return accepted({ kind: 'order', order: normalized });
}

/** The product's title ("IPod Nano - 8gb"); name adds the variant and stands in for a line without a title. */
function lineItems(lines: ShopifyOrder['line_items']): LineItem[] | undefined {
  if (lines == null) return undefined;
  return lineItemsOf(lines.map((line) => ({ sku: line.sku, title: cleanText(line.title) ?? line.name, quantity: line.quantity })));
}

function mapRefundWebhook(
  refund: z.output<typeof shopifyRefundWebhookSchema>,
  channelId: string,
  reason: string,
): NormalizeResult {
  const currency = refundShopCurrency(refund);
  if (currency === undefined) {
    return rejected(reason, ['transactions: no amount in a known currency to tell the shop currency by']);
  }
  const money = new MoneyReader();
  const amountMinor = refundMinor(refund, currency, money, '(root)');
  if (money.issues.length > 0) return rejected(reason, money.issues);
  const normalized: NormalizedRefund = {
    channelId,
    orderId: refund.order_id,
    refundId: refund.id,
    amountMinor,
    currency,
    createdAt: refund.processed_at ?? refund.created_at,
  };
  return accepted({ kind: 'refund', refund: normalized });
}

/**
 * Money actually returned, in shop currency: the sum of the refund's
 * transactions with kind "refund" and status "success". That is what left the
 * store's account, and it is what the fixtures bear out: refund 929361472 (the
 * refunds/create example) returned 41.94 through its transaction while its
 * line items add up to 0.00 (the item was refunded at no value, the money was
 * a custom amount), and refund 509562969 on order 450789469 paid back 209.00
 * while its line items add up to 399.29.
 *
 * Transaction amounts are in the presentment currency. When any paid
 * transaction is in another currency than the shop's, fall back to the shop
 * money of what was refunded: line items (subtotal + tax), shipping lines
 * (subtotal + tax) and duties, less order adjustments (Shopify's record of the
 * difference between that calculation and what was actually paid back).
 *
 * A refund whose transaction is still pending counts 0 now; the next orders/*
 * webhook carries it again under the same refund id, with its final state.
 */
function refundMinor(refund: ShopifyRefund, shopCurrency: string, money: MoneyReader, path: string): number {
  const at = (suffix: string) => (path === '(root)' ? suffix : `${path}.${suffix}`);
  const paid = (refund.transactions ?? [])
    .map((transaction, index) => ({ transaction, index }))
    .filter(({ transaction }) => transaction.kind === 'refund' && transaction.status === 'success');
  const inShopCurrency = paid.every(
    ({ transaction }) => transaction.currency == null || transaction.currency === shopCurrency,
  );
  if (inShopCurrency) {
    return paid.reduce((sum, { transaction, index }) => {
      const amountPath = at(`transactions.${index}.amount`);
      if (transaction.amount == null) {
        money.issues.push(`${amountPath}: Required for a successful refund transaction`);
        return sum;
      }
      return sum + money.nonNegative(transaction.amount, shopCurrency, amountPath);
    }, 0);
  }

  // Refunded lines, shipping and duties are never negative; an adjustment is a
  // correction and may go either way, but not below nothing refunded.
  const bag = (set: z.output<typeof shopifyMoneyBagSchema> | null | undefined, bagPath: string): number =>
    set ? money.nonNegative(set.shop_money.amount, shopCurrency, at(`${bagPath}.shop_money.amount`)) : 0;
  const adjustment = (set: z.output<typeof shopifyMoneyBagSchema> | null | undefined, bagPath: string): number =>
    set ? money.minor(set.shop_money.amount, shopCurrency, at(`${bagPath}.shop_money.amount`)) : 0;
  let total = bag(refund.total_duties_set, 'total_duties_set');
  (refund.refund_line_items ?? []).forEach((line, i) => {
    total += bag(line.subtotal_set, `refund_line_items.${i}.subtotal_set`);
    total += bag(line.total_tax_set, `refund_line_items.${i}.total_tax_set`);
  });
  (refund.refund_shipping_lines ?? []).forEach((line, i) => {
    total += bag(line.subtotal_amount_set, `refund_shipping_lines.${i}.subtotal_amount_set`);
    total += bag(line.tax_amount_set, `refund_shipping_lines.${i}.tax_amount_set`);
  });
  (refund.order_adjustments ?? []).forEach((line, i) => {
    total -= adjustment(line.amount_set, `order_adjustments.${i}.amount_set`);
    total -= adjustment(line.tax_amount_set, `order_adjustments.${i}.tax_amount_set`);
  });
  if (total < 0) money.issues.push(`${path}: refunds a negative amount after its order adjustments`);
  return total;
}

/** A bare refund does not name the shop currency; its shop money does. */
function refundShopCurrency(refund: ShopifyRefund): string | undefined {
  const bags = [
    refund.total_duties_set,
    ...(refund.refund_line_items ?? []).flatMap((line) => [line.subtotal_set, line.total_tax_set]),
    ...(refund.refund_shipping_lines ?? []).map((line) => line.subtotal_amount_set),
    ...(refund.order_adjustments ?? []).map((adjustment) => adjustment.amount_set),
  ];
  const fromShopMoney = bags.find((set) => set != null)?.shop_money.currency_code;
  return fromShopMoney ?? refund.transactions?.find((transaction) => transaction.currency)?.currency ?? undefined;
}

function orderCustomer(order: ShopifyOrder, placedAt: string): CustomerFacts {
  const customer = order.customer ?? undefined;
  const billing = order.billing_address ?? undefined;
  return compact({
    channelCustomerId: customer?.id ?? undefined,
    email:
      normalizeEmail(order.email) ?? normalizeEmail(order.contact_email) ?? normalizeEmail(customer?.email),
    phone: normalizePhone(order.phone) ?? normalizePhone(customer?.phone) ?? normalizePhone(billing?.phone),
    firstName: customer?.first_name ?? billing?.first_name,
    lastName: customer?.last_name ?? billing?.last_name,
    consent: emailConsent(customer?.email_marketing_consent) ?? checkoutConsent(order.buyer_accepts_marketing, placedAt),
    addresses: distinctAddresses([toAddress(billing), toAddress(order.shipping_address ?? undefined)]),
  });
}

function customerFacts(
  customer: z.output<typeof customerFieldsSchema>,
  extra: { channelCustomerId: string; addresses: (ShopifyAddress | null | undefined)[] },
): CustomerFacts {
  return compact({
    channelCustomerId: extra.channelCustomerId,
    email: normalizeEmail(customer.email),
    phone: normalizePhone(customer.phone),
    firstName: customer.first_name,
    lastName: customer.last_name,
    consent: emailConsent(customer.email_marketing_consent),
    addresses: distinctAddresses(extra.addresses.map((address) => toAddress(address ?? undefined))),
  });
}

/**
 * customer.email_marketing_consent.state: subscribed is consent;
 * not_subscribed, unsubscribed and redacted are not (an explicit no);
 * pending (double opt-in not confirmed) and invalid say nothing.
 */
function emailConsent(consent: ShopifyConsent | null | undefined): EmailConsent | undefined {
  if (!consent?.state) return undefined;
  const states: Record<string, ConsentState> = {
    subscribed: 'subscribed',
    not_subscribed: 'unsubscribed',
    unsubscribed: 'unsubscribed',
    redacted: 'unsubscribed',
  };
  return compact({ state: states[consent.state] ?? 'unknown', at: consent.consent_updated_at });
}

/**
 * buyer_accepts_marketing is the checkout box. Ticked is consent given at
 * checkout. Unticked only means the buyer did not opt in on this order; it is
 * no withdrawal of a consent given elsewhere, so it says 'unknown'.
 */
function checkoutConsent(accepts: boolean | null | undefined, placedAt: string): EmailConsent | undefined {
  if (accepts === true) return { state: 'subscribed', at: placedAt };
  if (accepts === false) return { state: 'unknown' };
  return undefined;
}

function toAddress(address: ShopifyAddress | undefined): Address | undefined {
  if (address === undefined) return undefined;
  return compact({
    name: address.name ?? joinName(address.first_name, address.last_name),
    company: address.company,
    address1: address.address1,
    address2: address.address2,
    city: address.city,
    province: address.province,
    zip: address.zip,
    // The ISO code when there is one: it is what a time zone or a locale needs.
    country: address.country_code ?? address.country,
    phone: normalizePhone(address.phone),
  });
}

function privacySubject(
  customer: z.output<typeof privacyCustomerSchema>,
  orderIds: string[] | null | undefined,
): PrivacySubject {
  return compact({
    channelCustomerId: customer?.id ?? undefined,
    email: normalizeEmail(customer?.email),
    phone: normalizePhone(customer?.phone),
    orderIds: orderIds ?? [],
  });
}
