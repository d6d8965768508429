// The backtest use case over in-memory ports: what it reads, what it refuses,
// and the CDNOW figures through the store's own orders.
import { describe, expect, it } from 'vitest';
import { backtestSampleLimit, modelBacktest } from '../../functions/app/model-backtest';
import type { RescorePorts } from '../../functions/app/rescore';
import { newProfile, type CustomerProfile } from '../../functions/domain/customers';
import type { OrderRecord } from '../../functions/domain/orders';
import { backtest } from '../../functions/domain/scoring/backtest';
import { cdnowHistories } from '../support/cdnow';

interface StoreOptions {
  /** Shards X0, X1, … after S0 and S1, each with 2,357 customers who never bought (cheap to sample). */
  extraShards?: number;
  /** The currency of the n-th CDNOW customer's profile and orders. */
  currencyOf?: (n: number) => string;
  /** Customers without an order (no currency yet), listed before the buyers. */
  prospects?: number;
}

function cdnowStore({ extraShards = 0, currencyOf = () => 'USD', prospects = 0 }: StoreOptions = {}) {
  const profiles: CustomerProfile[] = Array.from({ length: prospects }, (_, n) => newProfile(`cus_p${n}`, '1997-01-01T00:00:00Z'));
  const orders = new Map<string, OrderRecord[]>();
  for (const [n, [id, purchases]] of [...cdnowHistories()].entries()) {
    const customerId = `cus_${Number(id).toString(16)}`;
    const currency = currencyOf(n);
    profiles.push({ ...newProfile(customerId, '1997-01-01T00:00:00Z'), figures: { ...newProfile(customerId, '').figures, currency } });
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
        currency,
        totalMinor: purchase.valueMinor,
        refunds: {},
        discountCodes: [],
        placeholder: false,
        customerId,
      })),
    );
  }
  const neverBought = Array.from({ length: 2357 }, (_, n) => newProfile(`cus_x${n}`, '1997-01-01T00:00:00Z'));
  const pagesRead: string[] = [];
  const shards = ['S0', 'S1', ...Array.from({ length: extraShards }, (_, n) => `X${n}`)];
  const ports: Pick<RescorePorts, 'customers' | 'now'> = {
    customers: {
      shards,
      page: async (shard, cursor, limit) => {
        pagesRead.push(shard);
        const inShard = shard.startsWith('X') ? neverBought : profiles.filter((_, i) => `S${i % 2}` === shard);
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
    const { ports, pagesRead } = cdnowStore({ extraShards: Math.ceil(backtestSampleLimit / 2357) + 2 });

    const result = await modelBacktest(ports, { calibrationEnd: '1997-09-30', holdoutEnd: '1998-06-30' });

    expect(result.sampled).toBeGreaterThanOrEqual(backtestSampleLimit);
    expect(result.sampled).toBeLessThan(backtestSampleLimit + 2357);
    expect(result.customers).toBe(2357);
    expect(pagesRead.at(-1)).not.toBe(`X${Math.ceil(backtestSampleLimit / 2357) + 1}`);
  });

  it('reads money in the major unit of the currency most buyers pay in, whatever prospects without a currency say', async () => {
    // 100 buyers in dollars (read first), 2,257 in yen (no minor unit), and more prospects than buyers.
    const { ports } = cdnowStore({ currencyOf: (n) => (n < 100 ? 'USD' : 'JPY'), prospects: 3000 });
    const histories = [...cdnowHistories().values()];

    const result = await modelBacktest(ports, { calibrationEnd: '1997-09-30', holdoutEnd: '1998-06-30' });

    expect(result.sampled).toBe(5357);
    expect(result.customers).toBe(2357);
    const inYen = backtest(histories, '1997-09-30', '1998-06-30', 1).model.gammaGamma!;
    const inDollars = backtest(histories, '1997-09-30', '1998-06-30', 100).model.gammaGamma!;
    // The same fit up to the last digits (the shards hand the customers over in another order).
    expect(result.model.gammaGamma!.gamma / inYen.gamma).toBeCloseTo(1, 6);
    expect(result.model.gammaGamma!.p).toBeCloseTo(inYen.p, 6);
    expect(inYen.gamma).toBeGreaterThan(50 * inDollars.gamma);
  });

  it('answers "not enough data" for a store where nobody has bought yet', async () => {
    const { ports } = cdnowStore({ currencyOf: () => 'USD', prospects: 600 });
    const prospectsOnly: typeof ports = {
      ...ports,
      customers: {
        ...ports.customers,
        page: async (shard, cursor, limit) => {
          const page = await ports.customers.page(shard, cursor, limit);
          return { ...page, items: page.items.filter((profile) => profile.id.startsWith('cus_p')) };
        },
      },
    };

    const result = await modelBacktest(prospectsOnly, { calibrationEnd: '1997-09-30', holdoutEnd: '1998-06-30' });

    expect(result.customers).toBe(0);
    expect(result.model.sufficient).toBe(false);
    expect(result.totals).toBeNull();
  });

  it('says which field is wrong when it refuses a request', async () => {
    const { ports } = cdnowStore();

    await expect(modelBacktest(ports, { calibrationEnd: undefined, holdoutEnd: '1998-06-30' })).rejects.toThrow(
      'calibrationEnd and holdoutEnd are required, YYYY-MM-DD',
    );
    await expect(modelBacktest(ports, { calibrationEnd: '1997-09-30', holdoutEnd: '1997-09-30' })).rejects.toThrow(
      'holdoutEnd must come after calibrationEnd',
    );
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
