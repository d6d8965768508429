// What staff see of a campaign before and after it runs: the mail one
// customer would get (preview), who the campaign would reach now and why the
// others would be left out (dry run), and what it did (stats, with the uplift
// over the holdout). Preview and dry run decide exactly as the sender does,
// with the same facts and guardrails, and write nothing.
import type { Campaign } from '../domain/campaigns/campaign';
import { audienceMisses, matchesAudience } from '../domain/campaigns/audience';
import { checkGuardrails } from '../domain/campaigns/guardrails';
import { renderMessage } from '../domain/campaigns/templates';
import { conversionUplift } from '../domain/campaigns/uplift';
import type { CustomerProfile } from '../domain/customers';
import { NotFoundError } from '../shared/errors';
import { dropReasons, type CampaignStatsStore } from './campaign-ports';
import type { StoredScore } from './rescore';
import { audienceSubjectOf, guardrailFactsOf, listAudience, type CustomerFacts } from './send-campaign';

export interface InsightPorts {
  campaigns: { get(campaignId: string): Promise<Campaign | undefined> };
  customers: {
    facts(customerId: string, campaignId: string): Promise<CustomerFacts | undefined>;
    shards: readonly string[];
    page(shard: string, cursor: string | undefined, limit: number): Promise<{ items: CustomerProfile[]; nextCursor: string | null }>;
    scoresOf(customerIds: readonly string[]): Promise<Map<string, StoredScore>>;
  };
  storeName(profile: CustomerProfile): Promise<string>;
  stats: CampaignStatsStore;
  now(): Date;
}

/** Stands in for the code and the link a real send would carry. */
export const previewCouponCode = 'HT-PREVIEW-CODE';
export const previewUnsubscribeUrl = 'https://unsubscribe.link/preview';

async function campaignOf(ports: Pick<InsightPorts, 'campaigns'>, campaignId: string): Promise<Campaign> {
  const campaign = await ports.campaigns.get(campaignId);
  if (!campaign) throw new NotFoundError(`no campaign ${campaignId}`);
  return campaign;
}

export async function previewCampaign(ports: InsightPorts, campaignId: string, customerId: string) {
  const campaign = await campaignOf(ports, campaignId);
  const facts = await ports.customers.facts(customerId, campaignId);
  if (!facts) throw new NotFoundError(`no customer ${customerId}`);
  const now = ports.now();
  const subject = audienceSubjectOf(facts);
  const verdict = checkGuardrails(campaign, customerId, guardrailFactsOf(campaign, 'once', facts, now), now);
  const rendered = renderMessage(campaign.message, {
    name: facts.profile.firstName ?? null,
    store: await ports.storeName(facts.profile),
    coupon: campaign.coupon
      ? {
          code: previewCouponCode,
          expiresAt: new Date(now.getTime() + campaign.coupon.expiresInDays * 86_400_000).toISOString(),
          kind: campaign.coupon.kind,
          value: campaign.coupon.value,
          currency: facts.profile.figures.currency,
        }
      : null,
    products: facts.products,
    unsubscribeUrl: previewUnsubscribeUrl,
  });
  return {
    to: facts.profile.email ?? null,
    ...rendered,
    inAudience: matchesAudience(campaign.audience, subject, now),
    audienceMisses: audienceMisses(campaign.audience, subject, now),
    verdict: verdict.kind === 'drop' ? { kind: 'drop', reason: verdict.reason } : verdict.kind === 'defer' ? { kind: 'defer', until: verdict.until.toISOString() } : verdict,
  };
}

export interface DryRunResult {
  audience: number;
  wouldSend: number;
  holdout: number;
  dropped: Record<string, number>;
  customers: number;
  /** False when the time ran out before every customer was seen: the figures cover `customers`. */
  complete: boolean;
}

/** Who the campaign would reach now, walking every shard until `remainingMs` runs short. */
export async function dryRunCampaign(ports: InsightPorts, campaignId: string, remainingMs: () => number): Promise<DryRunResult> {
  const campaign = await campaignOf(ports, campaignId);
  const result: DryRunResult = { audience: 0, wouldSend: 0, holdout: 0, dropped: {}, customers: 0, complete: true };
  const walkShard = async (shard: string): Promise<void> => {
    let cursor: string | undefined;
    do {
      if (remainingMs() <= 0) {
        result.complete = false;
        return;
      }
      const page = await ports.customers.page(shard, cursor, 200);
      const scores = await ports.customers.scoresOf(page.items.map((profile) => profile.id));
      const now = ports.now();
      result.customers += page.items.length;
      for (const profile of page.items) {
        const listed = audienceSubjectOf({ profile, score: scores.get(profile.id), skus: [] });
        if (!matchesAudience(listAudience(campaign.audience), listed, now)) continue;
        const facts = await ports.customers.facts(profile.id, campaign.id);
        if (!facts || !matchesAudience(campaign.audience, audienceSubjectOf(facts), now)) continue;
        result.audience += 1;
        const verdict = checkGuardrails(campaign, profile.id, guardrailFactsOf(campaign, 'once', facts, now), now);
        if (verdict.kind === 'drop') result.dropped[verdict.reason] = (result.dropped[verdict.reason] ?? 0) + 1;
        else if (verdict.kind === 'holdout') result.holdout += 1;
        else result.wouldSend += 1;
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  };
  await Promise.all(ports.customers.shards.map(walkShard));
  return result;
}

export async function campaignStats(ports: Pick<InsightPorts, 'campaigns' | 'stats'>, campaignId: string) {
  await campaignOf(ports, campaignId);
  const counters = await ports.stats.read(campaignId);
  const count = (name: string): number => counters[name] ?? 0;
  const suppressed = Object.fromEntries(
    dropReasons.filter((reason) => count(`suppressed.${reason}`) > 0).map((reason) => [reason, count(`suppressed.${reason}`)]),
  );
  const treated = { converted: count('convertedTreated'), total: count('sent') };
  const holdout = { converted: count('convertedHoldout'), total: count('holdout') };
  return {
    sent: count('sent'),
    holdout: count('holdout'),
    suppressed,
    delivered: count('delivered'),
    bounced: count('bounced'),
    complained: count('complained'),
    opened: count('opened'),
    clicked: count('clicked'),
    unsubscribed: count('unsubscribed'),
    unconfirmed: count('unconfirmed'),
    redeemed: count('redeemed'),
    revenueMinor: count('revenueMinor'),
    conversion: {
      ...conversionUplift(treated, holdout),
      treatedConverted: treated.converted,
      holdoutConverted: holdout.converted,
    },
  };
}
