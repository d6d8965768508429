// The exact requests that create one single-use coupon at each platform, as
// the platforms document them. Pure: the adapters in adapters/coupons/ only
// send these and read the answers. Checked against (2025):
// - Shopify Admin GraphQL 2025-01: discountCodeBasicCreate(basicCodeDiscount:
//   DiscountCodeBasicInput!) -> {codeDiscountNode {id}, userErrors {field message
//   code}}; DiscountCodeBasicInput has title, code, startsAt, endsAt, usageLimit,
//   appliesOncePerCustomer, customerSelection (DiscountCustomerSelectionInput:
//   all | customers {add: [ID]}; `context` replaces it from 2025-04),
//   customerGets {value: {percentage: Float 0..1} | {discountAmount: {amount,
//   appliesOnEachItem}}, items: {all: true}} and minimumRequirement {subtotal:
//   {greaterThanOrEqualToSubtotal: Decimal}}; a code in use answers the
//   DiscountErrorCode TAKEN; codeDiscountNodeByCode(code) finds it again.
// - WooCommerce REST v3 coupons: POST /wp-json/wc/v3/coupons with code,
//   discount_type (percent | fixed_cart), amount (string), individual_use,
//   usage_limit, usage_limit_per_user, email_restrictions, date_expires,
//   minimum_amount (string), description; a used code answers 400
//   woocommerce_rest_coupon_code_already_exists; GET /coupons?code= lists it.
// - BigCommerce v3 promotions (bigcommerce/docs reference/promotions.v3.yml):
//   POST /promotions {name, redemption_type COUPON, rules [{action {cart_value
//   {discount {percentage_amount | fixed_amount}}}, condition {cart
//   {minimum_spend}}}], max_uses, status, start_date, end_date,
//   can_be_used_with_other_promotions, currency_code}; then POST
//   /promotions/{id}/codes {code, max_uses, max_uses_per_customer}.
import type { CouponSpec } from './campaign';
import { currencyExponent, toMinorUnits } from '../normalize/money';
import { ValidationError } from '../../shared/errors';

/** The Admin API version the Shopify provider speaks; pinned so field names do not move under it. */
export const shopifyApiVersion = '2025-01';

/** What a provider must create at the store: one single-use code for one customer. */
export interface CouponRequest {
  /** The code huitou generated (unguessable); the provider creates exactly this code. */
  code: string;
  spec: CouponSpec;
  /** ISO 8601: when the code stops working. */
  expiresAt: string;
  /** The customer's email, so platforms that can restrict a code to one buyer do. */
  email: string;
  /** The customer's id at this channel's platform, where the platform ties codes to customers by id. */
  platformCustomerId: string | null;
  /** Currency of a fixed-amount coupon (the channel's). */
  currency: string | null;
  /** Title or description shown to staff in the store admin. */
  title: string;
}

/** Minor units as the platforms' decimal strings: 1050 USD -> "10.50", 500 JPY -> "500". */
export function majorUnits(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const text = exponent === 0 ? whole : `${whole}.${digits.slice(-exponent)}`;
  return minor < 0 ? `-${text}` : text;
}

function currencyOf(terms: CouponRequest): string {
  if (terms.currency === null) throw new ValidationError('a fixed amount or a minimum subtotal needs the channel currency');
  return terms.currency;
}

/** A fixed coupon's value (major units of the channel currency) as a decimal string. */
function fixedAmount(terms: CouponRequest): string {
  const currency = currencyOf(terms);
  return majorUnits(toMinorUnits(terms.spec.value, currency), currency);
}

function minimumSubtotal(terms: CouponRequest): string | undefined {
  const { minSubtotalMinor } = terms.spec;
  return minSubtotalMinor === undefined ? undefined : majorUnits(minSubtotalMinor, currencyOf(terms));
}

/** 15 (percent) -> 0.15, read back through 12 significant digits so 33.3 gives 0.333 and not 0.33299999999999996. */
export function percentFraction(percent: number): number {
  return Number((percent / 100).toPrecision(12));
}

/** ISO 8601 to the second, with Z: the form every platform parses as UTC (WooCommerce reads an offset-less date in the site's zone). */
export function isoSeconds(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19)}Z`;
}

/** A Shopify customer's GraphQL id from its numeric id (or the id as given when it is one already). */
export function shopifyCustomerGid(platformCustomerId: string | null): string | undefined {
  // Stryker disable next-line ConditionalExpression: equivalent, null matches neither pattern below
  if (platformCustomerId === null) return undefined;
  if (/^[1-9]\d*$/.test(platformCustomerId)) return `gid://shopify/Customer/${platformCustomerId}`;
  return /^gid:\/\/shopify\/Customer\/[1-9]\d*$/.test(platformCustomerId) ? platformCustomerId : undefined;
}

export const shopifyCreateMutation = `mutation discountCodeBasicCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
    codeDiscountNode { id }
    userErrors { field message code }
  }
}`;

export const shopifyLookupQuery = `query codeDiscountNodeByCode($code: String!) {
  codeDiscountNodeByCode(code: $code) { id }
}`;

/**
 * The variables of discountCodeBasicCreate. The code is tied to the customer
 * when huitou knows their Shopify id; otherwise any customer may use it, once
 * (usageLimit 1), which is as far as a code without a known buyer can go.
 */
export function shopifyDiscountVariables(terms: CouponRequest, startsAt: string) {
  const customer = shopifyCustomerGid(terms.platformCustomerId);
  const minimum = minimumSubtotal(terms);
  return {
    basicCodeDiscount: {
      title: terms.title,
      code: terms.code,
      startsAt: isoSeconds(startsAt),
      endsAt: isoSeconds(terms.expiresAt),
      usageLimit: 1,
      appliesOncePerCustomer: true,
      customerSelection: customer === undefined ? { all: true } : { customers: { add: [customer] } },
      customerGets: {
        value:
          terms.spec.kind === 'percent'
            ? { percentage: percentFraction(terms.spec.value) }
            : { discountAmount: { amount: fixedAmount(terms), appliesOnEachItem: false } },
        items: { all: true },
      },
      ...(minimum === undefined ? {} : { minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: minimum } } }),
    },
  };
}

/** The body of POST /wp-json/wc/v3/coupons: one use, by the customer's email only, alone in the cart. */
export function wooCommerceCouponBody(terms: CouponRequest) {
  const minimum = minimumSubtotal(terms);
  return {
    code: terms.code,
    discount_type: terms.spec.kind === 'percent' ? 'percent' : 'fixed_cart',
    amount: terms.spec.kind === 'percent' ? String(terms.spec.value) : fixedAmount(terms),
    description: terms.title,
    individual_use: true,
    usage_limit: 1,
    usage_limit_per_user: 1,
    email_restrictions: [terms.email],
    date_expires: isoSeconds(terms.expiresAt),
    ...(minimum === undefined ? {} : { minimum_amount: minimum }),
  };
}

/**
 * The promotion's name, unique per code so a retry after a crash between the
 * two BigCommerce calls finds the promotion it already created.
 */
export function bigCommercePromotionName(terms: CouponRequest): string {
  return `${terms.title.slice(0, 100)} (${terms.code})`;
}

/**
 * The body of POST /v3/promotions. BigCommerce ties promotions to customer
 * groups or segments, never to one customer: single use comes from the code
 * (max_uses 1) and from the promotion itself (max_uses 1).
 */
export function bigCommercePromotionBody(terms: CouponRequest, startsAt: string) {
  const minimum = minimumSubtotal(terms);
  const discount =
    terms.spec.kind === 'percent' ? { percentage_amount: String(terms.spec.value) } : { fixed_amount: fixedAmount(terms) };
  return {
    name: bigCommercePromotionName(terms),
    redemption_type: 'COUPON',
    rules: [
      {
        action: { cart_value: { discount } },
        apply_once: true,
        ...(minimum === undefined ? {} : { condition: { cart: { minimum_spend: minimum } } }),
      },
    ],
    max_uses: 1,
    status: 'ENABLED',
    start_date: isoSeconds(startsAt),
    end_date: isoSeconds(terms.expiresAt),
    can_be_used_with_other_promotions: false,
    ...(terms.currency === null ? {} : { currency_code: terms.currency }),
  };
}

/** The body of POST /v3/promotions/{id}/codes. */
export function bigCommerceCodeBody(terms: CouponRequest) {
  return { code: terms.code, max_uses: 1, max_uses_per_customer: 1 };
}
