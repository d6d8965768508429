// huitou's own webhook schema, for any source that is not a supported
// marketplace and signs with Standard Webhooks. The topic is the body's `type`.
// Documented for integrators in the README ("Standard webhook schema").
//
// Conventions: ids are strings (JSON numbers are accepted and stringified);
// amounts are decimal strings in major units ("59.90"), never negative;
// date-times are ISO 8601 with an offset or Z; optional fields may be omitted
// or null; fields huitou does not know are ignored.

import * as z from 'zod';
import type { CustomerFacts, NormalizedOrder } from '../model';
import { normalizeEmail, normalizePhone } from './identity';
import {
  MoneyReader,
  accepted,
  cleanText,
  compact,
  currencySchema,
  dayOf,
  distinctCodes,
  idSchema,
  isoDateTimeSchema,
  lineItemsOf,
  orderIssues,
  parseBody,
  rejected,
  unsupportedTopic,
  type LineInput,
  type NormalizeResult,
  type WebhookInput,
} from './common';

export const standardEventTypes = [
  'order.created',
  'order.updated',
  'order.cancelled',
  'refund.created',
  'customer.created',
  'customer.updated',
] as const;
export type StandardEventType = (typeof standardEventTypes)[number];

/** "59.90", "0", "1200": a non-negative decimal string in major units. */
export const standardAmountSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'Required' : 'Invalid decimal amount') })
  .trim()
  .regex(/^\d+(?:\.\d+)?$/, { message: 'Invalid decimal amount (non-negative, e.g. "59.90")' });

export const standardEmailConsentSchema = z.looseObject({
  state: z.enum(['subscribed', 'unsubscribed', 'unknown']),
  /** When the customer gave or withdrew consent. */
  at: isoDateTimeSchema.nullish(),
});

export const standardCustomerSchema = z.looseObject({
  /** The source's customer id; omit for a guest. */
  id: idSchema.nullish(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  emailConsent: standardEmailConsentSchema.nullish(),
});

export const standardRefundLineSchema = z.looseObject({
  id: idSchema,
  amount: standardAmountSchema,
  createdAt: isoDateTimeSchema.nullish(),
});

export const standardOrderSchema = z.looseObject({
  id: idSchema,
  /** What staff see ("#1001"). */
  number: z.union([z.string(), z.number()]).nullish(),
  /** With the store's offset: its date is the purchase day. */
  placedAt: isoDateTimeSchema,
  /** Orders the versions of one order: a newer updatedAt wins. */
  updatedAt: isoDateTimeSchema,
  status: z.enum(['open', 'cancelled', 'failed']),
  test: z.boolean().nullish(),
  currency: currencySchema,
  /** The order total, tax and shipping included, before refunds. */
  total: standardAmountSchema,
  refunds: z.array(standardRefundLineSchema).nullish(),
  discountCodes: z.array(z.string()).nullish(),
  /**
   * `[{sku?, title, quantity}]`: the products bought. A line without a title
   * or a whole quantity is skipped, never a reason to refuse the order; the
   * first 50 are kept.
   */
  lineItems: z
    .unknown()
    .optional()
    .transform((lines) => (Array.isArray(lines) ? lineItemsOf(lines as (LineInput | null)[]) : undefined)),
  customer: standardCustomerSchema,
});

export const standardRefundSchema = z.looseObject({
  id: idSchema,
  orderId: idSchema,
  amount: standardAmountSchema,
  currency: currencySchema,
  createdAt: isoDateTimeSchema,
});

export const standardCustomerEventSchema = standardCustomerSchema.extend({
  updatedAt: isoDateTimeSchema,
});

const envelope = <T extends StandardEventType, D extends z.ZodType>(type: T, data: D) =>
  z.looseObject({ type: z.literal(type), timestamp: isoDateTimeSchema, data });

/** The whole body, one member per `type`. */
export const standardWebhookSchema = z.discriminatedUnion('type', [
  envelope('order.created', standardOrderSchema),
  envelope('order.updated', standardOrderSchema),
  envelope('order.cancelled', standardOrderSchema),
  envelope('refund.created', standardRefundSchema),
  envelope('customer.created', standardCustomerEventSchema),
  envelope('customer.updated', standardCustomerEventSchema),
]);
export type StandardWebhook = z.output<typeof standardWebhookSchema>;

const typeSchema = z.looseObject({ type: z.string().trim().min(1) });

export function normalizeStandard(input: WebhookInput): NormalizeResult {
  const typed = parseBody(typeSchema, input.body, 'invalid standard webhook body');
  if (!typed.ok) return typed.result;
  const type = typed.data.type;
  if (!(standardEventTypes as readonly string[]).includes(type)) return unsupportedTopic(type);

  const reason = `invalid standard ${type} payload`;
  const parsed = parseBody(standardWebhookSchema, input.body, reason);
  if (!parsed.ok) return parsed.result;
  const event = parsed.data;
  const { channelId } = input;
  const money = new MoneyReader();

  switch (event.type) {
    case 'order.created':
    case 'order.updated':
    case 'order.cancelled': {
      const data = event.data;
      const refunds: Record<string, number> = {};
      (data.refunds ?? []).forEach((refund, index) => {
        refunds[refund.id] = money.minor(refund.amount, data.currency, `data.refunds.${index}.amount`);
      });
      const order: NormalizedOrder = compact({
        channelId,
        platform: 'standard' as const,
        orderId: data.id,
        orderNumber: data.number == null ? undefined : cleanText(String(data.number)),
        placedAt: data.placedAt,
        placedDay: dayOf(data.placedAt),
        updatedAt: data.updatedAt,
        status: event.type === 'order.cancelled' ? ('cancelled' as const) : data.status,
        test: data.test === true,
        currency: data.currency,
        totalMinor: money.minor(data.total, data.currency, 'data.total'),
        refunds,
        discountCodes: distinctCodes(data.discountCodes ?? []),
        lineItems: data.lineItems,
        customer: customerFacts(data.customer),
      });
      const issues = orderIssues(order, money);
      if (issues.length > 0) return rejected(reason, issues);
      return accepted({ kind: 'order', order });
    }
    case 'refund.created': {
      const data = event.data;
      const amountMinor = money.minor(data.amount, data.currency, 'data.amount');
      if (money.issues.length > 0) return rejected(reason, money.issues);
      return accepted({
        kind: 'refund',
        refund: {
          channelId,
          orderId: data.orderId,
          refundId: data.id,
          amountMinor,
          currency: data.currency,
          createdAt: data.createdAt,
        },
      });
    }
    case 'customer.created':
    case 'customer.updated':
      return accepted({
        kind: 'customer',
        channelId,
        updatedAt: event.data.updatedAt,
        customer: customerFacts(event.data),
      });
  }
}

function customerFacts(customer: z.output<typeof standardCustomerSchema>): CustomerFacts {
  const consent = customer.emailConsent;
  return compact({
    channelCustomerId: customer.id ?? undefined,
    email: normalizeEmail(customer.email),
    phone: normalizePhone(customer.phone),
    firstName: cleanText(customer.firstName),
    lastName: cleanText(customer.lastName),
    consent: consent ? compact({ state: consent.state, at: consent.at ?? undefined }) : undefined,
  });
}
