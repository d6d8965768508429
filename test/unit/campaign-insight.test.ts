import { describe, expect, it } from 'vitest';
import { campaignStats, dryRunCampaign, previewCampaign, previewCouponCode, type InsightPorts } from '../../functions/app/campaign-insight';
import type { CustomerFacts } from '../../functions/app/send-campaign';
import type { Campaign } from '../../functions/domain/campaigns/campaign';
import type { CustomerProfile } from '../../functions/domain/customers';
import { NotFoundError } from '../../functions/shared/errors';
import { aCampaign, aCustomer } from '../support/memory-campaigns';

const now = new Date('2026-03-10T12:00:00.000Z');

function factsOf(profile: CustomerProfile, overrides: Partial<CustomerFacts> = {}): CustomerFacts {
  return {
    profile,
    score: undefined,
    skus: [],
    products: ['Green tea'],
    suppression: null,
    openComplaint: false,
    contact: { sentAt: [], rev: 0 },
    priorSends: [],
    ...overrides,
  };
}

function ports(options: { campaign?: Campaign; customers: { profile: CustomerProfile; facts?: Partial<CustomerFacts> }[]; counters?: Record<string, number> }): InsightPorts {
  const campaign = options.campaign ?? aCampaign();
  return {
    campaigns: { get: async (id) => (id === campaign.id ? campaign : undefined) },
    customers: {
      facts: async (customerId) => {
        const found = options.customers.find((c) => c.profile.id === customerId);
        return found ? factsOf(found.profile, found.facts) : undefined;
      },
      shards: ['S0', 'S1'],
      page: async (shard, cursor) => {
        const all = options.customers.map((c) => c.profile).filter((_, i) => (i % 2 === 0 ? 'S0' : 'S1') === shard);
        return cursor ? { items: all.slice(1), nextCursor: null } : { items: all.slice(0, 1), nextCursor: all.length > 1 ? 'next' : null };
      },
      scoresOf: async () => new Map(),
    },
    storeName: async () => 'Tea Shop',
    stats: { add: async () => undefined, read: async () => options.counters ?? {} },
    now: () => now,
  };
}

describe('Use case: previewCampaign', () => {
  it('renders the customer’s mail with a stand-in code and link, and says what the guardrails would do', async () => {
    const preview = await previewCampaign(ports({ customers: [{ profile: aCustomer() }] }), 'cmp_1', 'cus_1');

    expect(preview).toMatchObject({ to: 'ada@example.com', inAudience: true, audienceMisses: [], verdict: { kind: 'send' } });
    expect(preview.text).toContain(previewCouponCode);
    expect(preview.text).toContain('Tea Shop');
    expect(preview.text).toContain('Ada');
    // The campaign's coupon runs 14 days from now.
    expect(preview.text).toContain('24 March 2026');
  });

  it('names the guardrail that would drop the customer, and the audience rules they miss', async () => {
    const campaign = aCampaign({ audience: { minOrders: 5 } });
    const preview = await previewCampaign(ports({ campaign, customers: [{ profile: aCustomer({ consent: { state: 'unsubscribed' } }) }] }), 'cmp_1', 'cus_1');

    expect(preview).toMatchObject({ inAudience: false, audienceMisses: ['minOrders'], verdict: { kind: 'drop', reason: 'no_consent' } });
  });

  it('says when quiet hours would hold the mail back, and until when', async () => {
    const campaign = aCampaign({ quietHours: { start: '11:00', end: '14:00' } });
    const preview = await previewCampaign(ports({ campaign, customers: [{ profile: aCustomer() }] }), 'cmp_1', 'cus_1');

    expect(preview.verdict).toEqual({ kind: 'defer', until: '2026-03-10T14:00:00.000Z' });
  });

  it('answers 404 for an unknown campaign or customer, naming it', async () => {
    const p = ports({ customers: [{ profile: aCustomer() }] });
    await expect(previewCampaign(p, 'cmp_9', 'cus_1')).rejects.toThrow(new NotFoundError('no campaign cmp_9'));
    await expect(previewCampaign(p, 'cmp_1', 'cus_9')).rejects.toThrow(new NotFoundError('no customer cus_9'));
  });
});

describe('Use case: dryRunCampaign', () => {
  it('counts the audience, who would get it, the holdout and each drop reason, over every shard and page', async () => {
    const customers = [
      { profile: aCustomer({ id: 'cus_1' }) },
      { profile: aCustomer({ id: 'cus_2', consent: { state: 'unknown' } }) },
      { profile: aCustomer({ id: 'cus_3' }), facts: { openComplaint: true } },
      { profile: aCustomer({ id: 'cus_4', figures: { ...aCustomer().figures, orders: 0 } }) },
      { profile: aCustomer({ id: 'cus_5' }) },
    ];
    const campaign = aCampaign({ audience: { minOrders: 1 } });

    const result = await dryRunCampaign(ports({ campaign, customers }), 'cmp_1', () => 10_000);

    expect(result).toEqual({ audience: 4, wouldSend: 2, holdout: 0, dropped: { no_consent: 1, open_complaint: 1 }, customers: 5, complete: true });
  });

  it('counts past buyers of a SKU from their orders, not from the customer list', async () => {
    const campaign = aCampaign({ audience: { skus: ['TEA-GREEN'] } });
    const customers = [{ profile: aCustomer({ id: 'cus_1' }), facts: { skus: ['TEA-GREEN'] } }, { profile: aCustomer({ id: 'cus_2' }) }];

    expect(await dryRunCampaign(ports({ campaign, customers }), 'cmp_1', () => 10_000)).toMatchObject({ audience: 1, wouldSend: 1, customers: 2 });
  });

  it('counts the holdout apart from who would get the mail', async () => {
    const campaign = aCampaign({ holdoutPercent: 100 });
    const result = await dryRunCampaign(ports({ campaign, customers: [{ profile: aCustomer() }] }), 'cmp_1', () => 10_000);

    expect(result).toMatchObject({ audience: 1, wouldSend: 0, holdout: 1, dropped: {} });
  });

  it('says it is incomplete when its time runs out, with what it saw', async () => {
    const result = await dryRunCampaign(ports({ customers: [{ profile: aCustomer() }] }), 'cmp_1', () => 0);

    expect(result).toMatchObject({ customers: 0, complete: false });
  });
});

describe('Use case: campaignStats', () => {
  it('shapes the counters, names only the drop reasons that happened, and gives the uplift over the holdout', async () => {
    const stats = await campaignStats(
      ports({
        customers: [],
        counters: {
          sent: 70,
          holdout: 80,
          convertedTreated: 56,
          convertedHoldout: 48,
          'suppressed.no_consent': 3,
          'suppressed.frequency_cap': 0,
          redeemed: 20,
          revenueMinor: 123_400,
          delivered: 69,
          bounced: 1,
          complained: 2,
          opened: 40,
          clicked: 12,
          unsubscribed: 4,
          unconfirmed: 5,
        },
      }),
      'cmp_1',
    );

    const { conversion, ...counts } = stats;
    expect(counts).toEqual({
      sent: 70,
      holdout: 80,
      suppressed: { no_consent: 3 },
      delivered: 69,
      bounced: 1,
      complained: 2,
      opened: 40,
      clicked: 12,
      unsubscribed: 4,
      unconfirmed: 5,
      redeemed: 20,
      revenueMinor: 123_400,
    });
    expect(conversion).toMatchObject({ treated: 0.8, holdout: 0.6, treatedConverted: 56, holdoutConverted: 48 });
    expect(conversion.uplift).toBeCloseTo(0.2, 10);
    expect(conversion.ci![0]).toBeCloseTo(0.0524, 4);
    expect(conversion.ci![1]).toBeCloseTo(0.3339, 4);
  });

  it('answers null rates before anyone is in a group, and 404 for an unknown campaign', async () => {
    expect((await campaignStats(ports({ customers: [] }), 'cmp_1')).conversion).toMatchObject({ treated: null, holdout: null, uplift: null, ci: null });
    await expect(campaignStats(ports({ customers: [] }), 'cmp_9')).rejects.toBeInstanceOf(NotFoundError);
  });
});
