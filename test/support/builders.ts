// Builders for domain objects: a valid default, overridden per test.
import type { NormalizedOrder, NormalizedRefund } from '../../functions/domain/model';
import type { CouponRequest } from '../../functions/app/campaign-ports';

export function anOrder(overrides: Partial<NormalizedOrder> = {}): NormalizedOrder {
  return {
    channelId: 'ch_shop',
    platform: 'shopify',
    orderId: '1001',
    orderNumber: '#1001',
    placedAt: '2026-03-01T10:00:00-05:00',
    placedDay: '2026-03-01',
    updatedAt: '2026-03-01T10:00:00-05:00',
    status: 'open',
    test: false,
    currency: 'USD',
    totalMinor: 5000,
    refunds: {},
    discountCodes: [],
    customer: { channelCustomerId: '42', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' },
    ...overrides,
  };
}

export function aRefund(overrides: Partial<NormalizedRefund> = {}): NormalizedRefund {
  return {
    channelId: 'ch_shop',
    orderId: '1001',
    refundId: 'r1',
    amountMinor: 1000,
    currency: 'USD',
    createdAt: '2026-03-02T10:00:00-05:00',
    ...overrides,
  };
}

/** A 15 % coupon request for a known Shopify-style customer id, in USD. */
export function aCouponRequest(overrides: Partial<CouponRequest> = {}): CouponRequest {
  return {
    code: 'HT7QX2M9KD4P',
    spec: { kind: 'percent', value: 15, expiresInDays: 14 },
    expiresAt: '2026-03-15T12:00:00.000Z',
    email: 'ada@example.com',
    platformCustomerId: '7008',
    currency: 'USD',
    title: 'huitou win_back',
    ...overrides,
  };
}
