import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bigCommerceCodeBody,
  bigCommercePromotionBody,
  bigCommercePromotionName,
  isoSeconds,
  majorUnits,
  percentFraction,
  shopifyApiVersion,
  shopifyCreateMutation,
  shopifyCustomerGid,
  shopifyDiscountVariables,
  shopifyLookupQuery,
  wooCommerceCouponBody,
} from '../../functions/domain/campaigns/coupon-requests';
import { toMinorUnits } from '../../functions/domain/normalize/money';
import { ValidationError } from '../../functions/shared/errors';
import { aCouponRequest } from '../support/builders';

const terms = aCouponRequest;
const fixed = (value: number, minSubtotalMinor?: number) => ({
  spec: { kind: 'fixed' as const, value, expiresInDays: 7, ...(minSubtotalMinor === undefined ? {} : { minSubtotalMinor }) },
});
const startsAt = '2026-03-01T09:30:15.123Z';

describe('majorUnits', () => {
  it('writes minor units as the decimal string of the currency', () => {
    expect(majorUnits(1050, 'USD')).toBe('10.50');
    expect(majorUnits(5, 'USD')).toBe('0.05');
    expect(majorUnits(0, 'USD')).toBe('0.00');
    expect(majorUnits(500, 'JPY')).toBe('500');
    expect(majorUnits(1234, 'KWD')).toBe('1.234');
    expect(majorUnits(-1050, 'EUR')).toBe('-10.50');
  });

  it('reads back to the same minor units', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.constantFrom('USD', 'JPY', 'KWD', 'EUR'), (minor, currency) => {
        expect(toMinorUnits(majorUnits(minor, currency), currency)).toBe(minor);
      }),
    );
  });
});

describe('percentFraction', () => {
  it('turns a percentage into the fraction Shopify wants, without float noise', () => {
    expect(percentFraction(15)).toBe(0.15);
    expect(percentFraction(33.3)).toBe(0.333);
    expect(percentFraction(100)).toBe(1);
    expect(percentFraction(0.5)).toBe(0.005);
  });

  it('stays within (0, 1] for every valid percent', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 100, noNaN: true }), (percent) => {
        const fraction = percentFraction(percent);
        expect(fraction).toBeGreaterThan(0);
        expect(fraction).toBeLessThanOrEqual(1);
        expect(Math.abs(fraction * 100 - percent)).toBeLessThan(1e-9);
      }),
    );
  });
});

describe('isoSeconds', () => {
  it('drops milliseconds and keeps UTC with Z', () => {
    expect(isoSeconds('2026-03-15T12:00:00.999Z')).toBe('2026-03-15T12:00:00Z');
    expect(isoSeconds('2026-03-15T14:00:00+02:00')).toBe('2026-03-15T12:00:00Z');
  });
});

describe('shopifyCustomerGid', () => {
  it('builds the Customer gid from a numeric id and keeps a gid as it is', () => {
    expect(shopifyCustomerGid('7008')).toBe('gid://shopify/Customer/7008');
    expect(shopifyCustomerGid('gid://shopify/Customer/7008')).toBe('gid://shopify/Customer/7008');
  });

  it('gives no gid for anything else', () => {
    for (const id of [null, '', '0', '07', '12a', 'gid://shopify/Order/1', 'gid://shopify/Customer/', 'x gid://shopify/Customer/1', 'gid://shopify/Customer/1 x', '1\n']) {
      expect(shopifyCustomerGid(id), String(id)).toBeUndefined();
    }
  });
});

describe('Shopify discountCodeBasicCreate', () => {
  it('pins the API version and asks for the node id and the user errors', () => {
    expect(shopifyApiVersion).toBe('2025-01');
    expect(shopifyCreateMutation).toMatch(/^mutation discountCodeBasicCreate\(\$basicCodeDiscount: DiscountCodeBasicInput!\) \{/);
    expect(shopifyCreateMutation).toContain('discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount)');
    expect(shopifyCreateMutation.replace(/\s+/g, ' ')).toContain('codeDiscountNode { id } userErrors { field message code }');
    expect(shopifyLookupQuery.replace(/\s+/g, ' ')).toBe('query codeDiscountNodeByCode($code: String!) { codeDiscountNodeByCode(code: $code) { id } }');
  });

  it('builds a one-use, once-per-customer percent discount for the customer', () => {
    expect(shopifyDiscountVariables(terms(), startsAt)).toEqual({
      basicCodeDiscount: {
        title: 'huitou win_back',
        code: 'HT7QX2M9KD4P',
        startsAt: '2026-03-01T09:30:15Z',
        endsAt: '2026-03-15T12:00:00Z',
        usageLimit: 1,
        appliesOncePerCustomer: true,
        customerSelection: { customers: { add: ['gid://shopify/Customer/7008'] } },
        customerGets: { value: { percentage: 0.15 }, items: { all: true } },
      },
    });
  });

  it('builds a fixed amount off the order with a minimum subtotal, open to all when the customer is unknown', () => {
    const { basicCodeDiscount } = shopifyDiscountVariables(terms({ ...fixed(7.5, 3000), platformCustomerId: null }), startsAt);

    expect(basicCodeDiscount.customerGets.value).toEqual({ discountAmount: { amount: '7.50', appliesOnEachItem: false } });
    expect(basicCodeDiscount.customerSelection).toEqual({ all: true });
    expect(basicCodeDiscount).toMatchObject({ minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: '30.00' } } });
  });

  it('refuses a fixed amount or a minimum subtotal without a currency', () => {
    expect(() => shopifyDiscountVariables(terms({ ...fixed(5), currency: null }), startsAt)).toThrow(ValidationError);
    expect(() =>
      shopifyDiscountVariables(terms({ spec: { kind: 'percent', value: 5, expiresInDays: 1, minSubtotalMinor: 100 }, currency: null }), startsAt),
    ).toThrow(/needs the channel currency/);
  });
});

describe('WooCommerce coupon body', () => {
  it('builds a percent coupon for the customer email, one use, alone in the cart', () => {
    expect(wooCommerceCouponBody(terms())).toStrictEqual({
      code: 'HT7QX2M9KD4P',
      discount_type: 'percent',
      amount: '15',
      description: 'huitou win_back',
      individual_use: true,
      usage_limit: 1,
      usage_limit_per_user: 1,
      email_restrictions: ['ada@example.com'],
      date_expires: '2026-03-15T12:00:00Z',
    });
  });

  it('builds a fixed cart coupon in the channel currency with a minimum amount', () => {
    expect(wooCommerceCouponBody(terms(fixed(12.5)))).toMatchObject({ discount_type: 'fixed_cart', amount: '12.50' });
    expect(wooCommerceCouponBody(terms({ ...fixed(1000, 5000), currency: 'JPY' }))).toMatchObject({
      discount_type: 'fixed_cart',
      amount: '1000',
      minimum_amount: '5000',
    });
  });
});

describe('BigCommerce promotion and code', () => {
  it('names the promotion by title and code, the title cut to 100 characters', () => {
    expect(bigCommercePromotionName(terms())).toBe('huitou win_back (HT7QX2M9KD4P)');
    expect(bigCommercePromotionName(terms({ title: 'x'.repeat(150) }))).toBe(`${'x'.repeat(100)} (HT7QX2M9KD4P)`);
  });

  it('builds a single-use coupon promotion on the cart value', () => {
    expect(bigCommercePromotionBody(terms(), startsAt)).toEqual({
      name: 'huitou win_back (HT7QX2M9KD4P)',
      redemption_type: 'COUPON',
      rules: [{ action: { cart_value: { discount: { percentage_amount: '15' } } }, apply_once: true }],
      max_uses: 1,
      status: 'ENABLED',
      start_date: '2026-03-01T09:30:15Z',
      end_date: '2026-03-15T12:00:00Z',
      can_be_used_with_other_promotions: false,
      currency_code: 'USD',
    });
  });

  it('sends a fixed amount with a minimum spend, and no currency code when the channel has none', () => {
    const body = bigCommercePromotionBody(terms({ ...fixed(20, 10000), currency: 'EUR' }), startsAt);
    expect(body.rules).toEqual([
      { action: { cart_value: { discount: { fixed_amount: '20.00' } } }, apply_once: true, condition: { cart: { minimum_spend: '100.00' } } },
    ]);
    expect(bigCommercePromotionBody(terms({ currency: null }), startsAt)).not.toHaveProperty('currency_code');
  });

  it('creates exactly one use of the code, once per customer', () => {
    expect(bigCommerceCodeBody(terms())).toEqual({ code: 'HT7QX2M9KD4P', max_uses: 1, max_uses_per_customer: 1 });
  });
});
