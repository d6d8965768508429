import { describe, expect, it } from 'vitest';
import { attributeOrder, attributionWindowDays, type AttributionPorts, type ConversionGroup, type IssuedCouponRecord } from '../../functions/app/attribute-order';
import type { SendRecord } from '../../functions/app/send-campaign';
import type { OrderRecord } from '../../functions/domain/orders';

function anOrder(overrides: Partial<OrderRecord & { customerId: string }> = {}): OrderRecord & { customerId?: string } {
  return {
    channelId: 'ch_shop',
    platform: 'shopify',
    orderId: '5001',
    placedAt: '2026-03-12T10:00:00Z',
    placedDay: '2026-03-12',
    updatedAt: '2026-03-12T10:00:00Z',
    status: 'open',
    test: false,
    currency: 'EUR',
    totalMinor: 8000,
    refunds: { r1: 1500 },
    discountCodes: [],
    customerId: 'cus_1',
    ...overrides,
  } as OrderRecord & { customerId?: string };
}

function aSend(overrides: Partial<SendRecord>): SendRecord {
  return {
    campaignId: 'cmp_1',
    customerId: 'cus_1',
    occurrence: 'once',
    triggerId: 'job_1',
    state: 'sent',
    createdAt: '2026-03-10T09:00:00.000Z',
    updatedAt: '2026-03-10T09:00:00.000Z',
    sentAt: '2026-03-10T09:00:00.000Z',
    ...overrides,
  };
}

function world(options: { coupons?: IssuedCouponRecord[]; sends?: SendRecord[] } = {}) {
  const coupons = new Map((options.coupons ?? []).map((c) => [c.code, { ...c }]));
  const credited: { code: string; campaignId: string; netMinor: number; orderId: string }[] = [];
  const conversions = new Map<string, ConversionGroup>();
  const ports: AttributionPorts = {
    coupons: {
      get: async (code) => (coupons.has(code) ? { ...coupons.get(code)! } : undefined),
      redeem: async (coupon, order, at) => {
        const stored = coupons.get(coupon.code)!;
        if (stored.redeemedAt) return false;
        stored.redeemedAt = at;
        credited.push({ code: coupon.code, campaignId: coupon.campaignId, netMinor: order.netMinor, orderId: order.orderId });
        return true;
      },
    },
    sends: { ofCustomer: async (customerId) => (options.sends ?? []).filter((s) => s.customerId === customerId) },
    conversions: {
      exists: async (campaignId, customerId) => conversions.has(`${campaignId}#${customerId}`),
      record: async (campaignId, customerId, group) => {
        const key = `${campaignId}#${customerId}`;
        if (conversions.has(key)) return false;
        conversions.set(key, group);
        return true;
      },
    },
    now: () => new Date('2026-03-12T10:05:00.000Z'),
  };
  return { ports, coupons, credited, conversions };
}

const issued = (code: string, campaignId = 'cmp_1'): IssuedCouponRecord => ({ code, campaignId, customerId: 'cus_1', channelId: 'ch_shop' });

describe('Use case: attributeOrder', () => {
  it('marks an issued code redeemed, whatever its case, and credits its campaign with the net revenue once', async () => {
    const w = world({ coupons: [issued('HT-ABCDE-FGHJK')] });
    const order = anOrder({ discountCodes: [' ht-abcde-fghjk ', 'SUMMER10'] });

    const first = await attributeOrder(w.ports, order);
    const again = await attributeOrder(w.ports, order);

    expect(first.redeemed).toEqual(['HT-ABCDE-FGHJK']);
    expect(again.redeemed).toEqual([]);
    expect(w.credited).toEqual([{ code: 'HT-ABCDE-FGHJK', campaignId: 'cmp_1', netMinor: 6500, orderId: '5001' }]);
    expect(w.coupons.get('HT-ABCDE-FGHJK')!.redeemedAt).toBe('2026-03-12T10:05:00.000Z');
  });

  it('counts a mailed customer who orders within the window as converted for the campaign, once', async () => {
    const w = world({ sends: [aSend({})] });

    expect((await attributeOrder(w.ports, anOrder())).converted).toEqual([{ campaignId: 'cmp_1', group: 'treated' }]);
    expect((await attributeOrder(w.ports, anOrder({ orderId: '5002' }))).converted).toEqual([]);
    expect([...w.conversions]).toEqual([['cmp_1#cus_1', 'treated']]);
  });

  it('counts a holdout customer from the time they were held out', async () => {
    const w = world({ sends: [aSend({ state: 'holdout', sentAt: undefined, updatedAt: '2026-03-11T00:00:00.000Z' })] });

    expect((await attributeOrder(w.ports, anOrder())).converted).toEqual([{ campaignId: 'cmp_1', group: 'holdout' }]);
  });

  it('counts only orders placed within the window after the send, and only sends that reached a group', async () => {
    const edge = new Date(Date.parse('2026-03-10T09:00:00.000Z') + attributionWindowDays * 86_400_000).toISOString();
    const sends = [aSend({}), aSend({ campaignId: 'cmp_2', state: 'dropped', sentAt: undefined }), aSend({ campaignId: 'cmp_3', state: 'mail_pending', sentAt: undefined })];

    expect((await attributeOrder(world({ sends }).ports, anOrder({ placedAt: edge }))).converted).toEqual([{ campaignId: 'cmp_1', group: 'treated' }]);
    expect((await attributeOrder(world({ sends }).ports, anOrder({ placedAt: '2026-03-10T09:00:00.000Z' }))).converted).toHaveLength(1);
    expect((await attributeOrder(world({ sends }).ports, anOrder({ placedAt: '2026-03-17T09:00:01.000Z' }))).converted).toEqual([]);
    expect((await attributeOrder(world({ sends }).ports, anOrder({ placedAt: '2026-03-10T08:59:59.000Z' }))).converted).toEqual([]);
  });

  it('attributes nothing for an order that does not count (cancelled, test) or has no customer', async () => {
    const w = world({ coupons: [issued('HT-X')], sends: [aSend({})] });

    for (const order of [anOrder({ status: 'cancelled', discountCodes: ['HT-X'] }), anOrder({ test: true, discountCodes: ['HT-X'] }), anOrder({ customerId: undefined, discountCodes: ['HT-X'] })]) {
      expect(await attributeOrder(w.ports, order)).toEqual({ redeemed: [], converted: [] });
    }
    expect(w.credited).toEqual([]);
  });

  it('credits never less than nothing: an order refunded in full adds 0 revenue', async () => {
    const w = world({ coupons: [issued('HT-Y')] });

    await attributeOrder(w.ports, anOrder({ discountCodes: ['HT-Y'], refunds: { r1: 9000 } }));

    expect(w.credited[0]!.netMinor).toBe(0);
  });
});
