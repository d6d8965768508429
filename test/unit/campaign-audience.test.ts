// Who a campaign is for: each given criterion must hold, absent or empty ones ask nothing.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { audienceMisses, instantOf, matchesAudience, wholeDays, type AudienceSubject } from '../../functions/domain/campaigns/audience';
import { audienceSchema, type Audience } from '../../functions/domain/campaigns/campaign';

const now = new Date('2026-05-10T12:00:00Z');

function subject(fields: Partial<AudienceSubject> = {}): AudienceSubject {
  return {
    figures: { orders: 3, firstOrderAt: '2025-01-05T09:00:00Z', lastOrderAt: '2026-04-10T12:00:00Z' },
    channels: ['ch_shop', 'ch_woo'],
    segment: 'at_risk',
    stage: 'repeat',
    scores: { pAlive: 0.4, clv12m: 120, nextOrderAt: '2026-06-01T00:00:00Z' },
    skus: ['SKU-1', ' SKU-2 '],
    ...fields,
  };
}

function figures(lastOrderAt: string | null, orders = 3): AudienceSubject['figures'] {
  return { orders, firstOrderAt: lastOrderAt, lastOrderAt };
}

describe('Function: matchesAudience', () => {
  it('takes everyone when the audience asks nothing, empty lists included', () => {
    const empty: Audience = { segments: [], stages: [], channels: [], skus: [] };
    const nobody = subject({ segment: null, stage: null, scores: null, channels: [], skus: [], figures: figures(null, 0) });

    expect(matchesAudience({}, nobody, now)).toBe(true);
    expect(matchesAudience(empty, nobody, now)).toBe(true);
    expect(audienceMisses(empty, nobody, now)).toEqual([]);
  });

  it('needs every given criterion (AND), any value within one (OR)', () => {
    const audience: Audience = { segments: ['at_risk', 'cannot_lose'], stages: ['repeat', 'loyal'], minOrders: 2 };

    expect(matchesAudience(audience, subject(), now)).toBe(true);
    expect(matchesAudience(audience, subject({ segment: 'cannot_lose', stage: 'loyal' }), now)).toBe(true);
    expect(matchesAudience(audience, subject({ segment: 'champions' }), now)).toBe(false);
    expect(matchesAudience(audience, subject({ stage: 'first_time' }), now)).toBe(false);
    expect(matchesAudience(audience, subject({ figures: { ...subject().figures, orders: 1 } }), now)).toBe(false);
  });
});

describe('Function: audienceMisses', () => {
  it('names each failing criterion in the schema order', () => {
    const audience: Audience = {
      segments: ['champions'],
      stages: ['loyal'],
      minDaysSinceLastOrder: 60,
      maxDaysSinceLastOrder: 10,
      minOrders: 4,
      minClv: 500,
      maxPAlive: 0.1,
      channels: ['ch_other'],
      skus: ['SKU-9'],
    };

    expect(audienceMisses(audience, subject(), now)).toEqual([
      'segments',
      'stages',
      'minDaysSinceLastOrder',
      'maxDaysSinceLastOrder',
      'minOrders',
      'minClv',
      'maxPAlive',
      'channels',
      'skus',
    ]);
  });

  it('fails segment and stage criteria for a customer without a segment or stage', () => {
    expect(audienceMisses({ segments: ['at_risk'], stages: ['repeat'] }, subject({ segment: null, stage: null }), now)).toEqual([
      'segments',
      'stages',
    ]);
  });

  it('counts whole UTC days of 24 hours since the last order, bounds included', () => {
    const audience: Audience = { minDaysSinceLastOrder: 30, maxDaysSinceLastOrder: 30 };
    const at = (iso: string) => audienceMisses(audience, subject({ figures: figures(iso) }), now);

    expect(at('2026-04-10T12:00:00Z')).toEqual([]);
    expect(at('2026-04-09T12:00:01Z')).toEqual([]);
    expect(at('2026-04-09T12:00:00Z')).toEqual(['maxDaysSinceLastOrder']);
    expect(at('2026-04-10T12:00:01Z')).toEqual(['minDaysSinceLastOrder']);
  });

  it('fails both day bounds for a customer with no order, or an unreadable time', () => {
    const audience: Audience = { minDaysSinceLastOrder: 0, maxDaysSinceLastOrder: 3650 };

    expect(audienceMisses(audience, subject({ figures: figures(null) }), now)).toEqual(['minDaysSinceLastOrder', 'maxDaysSinceLastOrder']);
    expect(audienceMisses(audience, subject({ figures: figures('yesterday') }), now)).toEqual([
      'minDaysSinceLastOrder',
      'maxDaysSinceLastOrder',
    ]);
  });

  it('takes the minimum order count inclusively', () => {
    expect(audienceMisses({ minOrders: 3 }, subject(), now)).toEqual([]);
    expect(audienceMisses({ minOrders: 4 }, subject(), now)).toEqual(['minOrders']);
  });

  it('compares CLV and P(alive) inclusively and fails them without scores', () => {
    expect(audienceMisses({ minClv: 120, maxPAlive: 0.4 }, subject(), now)).toEqual([]);
    expect(audienceMisses({ minClv: 120.01, maxPAlive: 0.39 }, subject(), now)).toEqual(['minClv', 'maxPAlive']);
    expect(audienceMisses({ minClv: 0, maxPAlive: 1 }, subject({ scores: null }), now)).toEqual(['minClv', 'maxPAlive']);
    const unscored = { pAlive: null, clv12m: null, nextOrderAt: null };
    expect(audienceMisses({ minClv: 0, maxPAlive: 1 }, subject({ scores: unscored }), now)).toEqual(['minClv', 'maxPAlive']);
  });

  it('takes a channel overlap', () => {
    expect(audienceMisses({ channels: ['ch_x', 'ch_woo'] }, subject(), now)).toEqual([]);
    expect(audienceMisses({ channels: ['ch_x'] }, subject(), now)).toEqual(['channels']);
    expect(audienceMisses({ channels: ['ch_x'] }, subject({ channels: [] }), now)).toEqual(['channels']);
  });

  it('takes a SKU overlap, trimmed on both sides and case-sensitive', () => {
    expect(audienceMisses({ skus: ['SKU-2'] }, subject(), now)).toEqual([]);
    expect(audienceMisses({ skus: [' SKU-1\t'] }, subject(), now)).toEqual([]);
    expect(audienceMisses({ skus: ['sku-1'] }, subject(), now)).toEqual(['skus']);
    expect(audienceMisses({ skus: ['SKU-1'] }, subject({ skus: [] }), now)).toEqual(['skus']);
  });

  it('agrees with matchesAudience for arbitrary audiences and customers', () => {
    const isoTime = fc
      .integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') })
      .map((ms) => new Date(ms).toISOString());
    const audiences = fc.record(
      {
        segments: fc.subarray(['at_risk', 'champions', 'lost'] as const),
        minDaysSinceLastOrder: fc.nat(400),
        maxDaysSinceLastOrder: fc.nat(400),
        minOrders: fc.nat(5),
        minClv: fc.nat(300),
        maxPAlive: fc.double({ min: 0, max: 1, noNaN: true }),
        channels: fc.subarray(['ch_shop', 'ch_x']),
      },
      { requiredKeys: [] },
    );
    const subjects = fc.record({
      lastOrderAt: fc.option(isoTime),
      orders: fc.nat(6),
      segment: fc.constantFrom('at_risk', 'champions', null),
      clv: fc.option(fc.nat(300)),
    });
    fc.assert(
      fc.property(audiences, subjects, (generated, s) => {
        const audience: Audience = generated;
        const customer = subject({
          figures: figures(s.lastOrderAt, s.orders),
          segment: s.segment as AudienceSubject['segment'],
          scores: { pAlive: 0.5, clv12m: s.clv, nextOrderAt: null },
        });
        const misses = audienceMisses(audience, customer, now);
        expect(matchesAudience(audience, customer, now)).toBe(misses.length === 0);
        // Each criterion alone fails exactly when it is among the misses.
        for (const key of Object.keys(audience) as (keyof Audience)[]) {
          const alone = audienceSchema.safeParse({ [key]: audience[key] });
          if (alone.success) expect(matchesAudience(alone.data, customer, now)).toBe(!misses.includes(key));
        }
      }),
    );
  });
});

describe('Function: wholeDays', () => {
  it('rounds down, also before the start', () => {
    expect(wholeDays(0, 86_400_000 - 1)).toBe(0);
    expect(wholeDays(0, 86_400_000)).toBe(1);
    expect(wholeDays(0, -1)).toBe(-1);
  });
});

describe('Function: instantOf', () => {
  it('reads ISO times and gives null for none or garbage', () => {
    expect(instantOf('2026-05-10T12:00:00Z')).toBe(now.getTime());
    expect(instantOf(null)).toBeNull();
    expect(instantOf('soon')).toBeNull();
  });
});
