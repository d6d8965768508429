// The backtest use case over in-memory ports: what it reads, what it refuses,
// and the CDNOW figures through the store's own orders.
import { describe, expect, it } from 'vitest';
import { backtestSampleLimit, modelBacktest } from '../../functions/app/model-backtest';
import type { RescorePorts } from '../../functions/app/rescore';
import { newProfile, type CustomerProfile } from '../../functions/domain/customers';
import type { OrderRecord } from '../../functions/domain/orders';
import { cdnowHistories } from '../support/cdnow';

function cdnowStore(extraShards = 0) {
  const profiles: CustomerProfile[] = [];
  const orders = new Map<string, OrderRecord[]>();
  for (const [id, purchases] of cdnowHistories()) {
    const customerId = `cus_${Number(id).toString(16)}`;
    profiles.push({ ...newProfile(customerId, '1997-01-01T00:00:00Z'), figures: { ...newProfile(customerId, '').figures, currency: 'USD' } });
    orders.set(
      customerId,
      purchases.map((purchase, n) => ({
        channelId: 'ch_1',
        platform: 'standard',
        orderId: `${id}-${n}`,
        placedAt: purchase.at,
        placedDay: purchase.at.slice(0, 10),
        updatedAt: purchase.at,
        status: 'open',
        test: false,
        currency: 'USD',
        totalMinor: purchase.valueMinor,
        refunds: {},
        discountCodes: [],
        placeholder: false,
        customerId,
      })),
    );
  }
  const pagesRead: string[] = [];
  const shards = ['S0', 'S1', ...Array.from({ length: extraShards }, (_, n) => `X${n}`)];
  const ports: Pick<RescorePorts, 'customers' | 'now'> = {
    customers: {
      shards,
      page: async (shard, cursor, limit) => {
        pagesRead.push(shard);
        const inShard = shard.startsWith('X') ? profiles : profiles.filter((_, i) => `S${i % 2}` === shard);
        const start = Number(cursor ?? 0);
        return { items: inShard.slice(start, start + limit), nextCursor: start + limit < inShard.length ? String(start + limit) : null };
      },
      ordersOf: async (customerId) => orders.get(customerId) ?? [],
    },
    now: () => new Date('2026-01-01T00:00:00Z'),
  };
  return { ports, pagesRead };
}

describe('Use case: modelBacktest', () => {
  it('reproduces the CDNOW tracking figures from the store orders: 4,160.6 expected against 4,339', async () => {
    const { ports } = cdnowStore();

    const result = await modelBacktest(ports, { calibrationEnd: '1997-09-30', holdoutEnd: '1998-06-30' });

    expect(result.sampled).toBe(2357);
    expect(result.customers).toBe(2357);
    expect(result.totals!.actual).toBe(4339);
    expect(result.totals!.predicted).toBeCloseTo(4160.6, 0);
    expect(result.perCustomer!.mae).toBeLessThan(result.perCustomer!.naiveMae);
  });

  it('stops reading whole shards once the sample is large enough', async () => {
    const { ports, pagesRead } = cdnowStore(Math.ceil(backtestSampleLimit / 2357) + 2);

    const result = await modelBacktest(ports, { calibrationEnd: '1997-09-30', holdoutEnd: '1998-06-30' });

    expect(result.sampled).toBeGreaterThanOrEqual(backtestSampleLimit);
    expect(result.sampled).toBeLessThan(backtestSampleLimit + 2357);
    expect(pagesRead.at(-1)).not.toBe(`X${Math.ceil(backtestSampleLimit / 2357) + 1}`);
  });

  it('refuses missing, impossible or future days, and a holdout that does not come after the calibration', async () => {
    const { ports, pagesRead } = cdnowStore();
    const refused = [
      { calibrationEnd: undefined, holdoutEnd: '1998-06-30' },
      { calibrationEnd: '1997-09-30', holdoutEnd: undefined },
      { calibrationEnd: '1997-02-30', holdoutEnd: '1998-06-30' },
      { calibrationEnd: '1997-09-30', holdoutEnd: '2030-01-01' },
      { calibrationEnd: '1997-09-30', holdoutEnd: '1997-09-30' },
    ];

    for (const request of refused) {
      await expect(modelBacktest(ports, request), JSON.stringify(request)).rejects.toMatchObject({ name: 'ValidationError' });
    }
    expect(pagesRead).toEqual([]);
  });
});
