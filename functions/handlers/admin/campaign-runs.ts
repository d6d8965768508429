// A campaign at work: preview one customer's mail, dry-run the audience,
// start a run, and read what it did.
import * as z from 'zod';
import { DynamoCampaignStatsStore } from '../../adapters/campaign-stats';
import { DynamoCampaignStore } from '../../adapters/campaign-store';
import { customerFacts, matcherPorts, storeNameOf } from '../../adapters/campaign-wiring';
import { listCustomerShard } from '../../adapters/customer-queries';
import { lists } from '../../adapters/dynamo-keys';
import { scoresOf } from '../../adapters/score-store';
import { campaignStats, dryRunCampaign, previewCampaign, type InsightPorts } from '../../app/campaign-insight';
import { startRun } from '../../app/match-campaigns';
import { isId } from '../../domain/ids';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import { json } from '../../shared/http';
import { parseBody, type RouteTable, type ServedRouteKey } from './router';

const previewBody = z.object({ customerId: z.string().min(1).max(100) }).strict();

type CampaignRunRoute =
  | 'POST /admin/campaigns/{campaignId}/preview'
  | 'POST /admin/campaigns/{campaignId}/dry-run'
  | 'POST /admin/campaigns/{campaignId}/run'
  | 'GET /admin/campaigns/{campaignId}/stats';

export function campaignRunRoutes({
  tableName,
  campaignRunsQueueUrl,
  budgetMs,
}: {
  tableName: string;
  campaignRunsQueueUrl: string;
  /** How long a dry run may walk the customers before it answers with what it saw. */
  budgetMs: number;
}): RouteTable<Extract<ServedRouteKey<'admin'>, CampaignRunRoute>> {
  const campaigns = new DynamoCampaignStore(tableName);
  const insight: InsightPorts = {
    campaigns,
    customers: {
      facts: (customerId, campaignId) => customerFacts(tableName, customerId, campaignId),
      shards: lists.customerShards,
      page: (shard, cursor, limit) => listCustomerShard(tableName, shard, { cursor, limit }),
      scoresOf: (customerIds) => scoresOf(tableName, customerIds),
    },
    storeName: (profile) => storeNameOf(tableName, profile),
    stats: new DynamoCampaignStatsStore(tableName),
    now: () => new Date(),
  };
  const runs = matcherPorts({ tableName, campaignRunsQueueUrl });
  return {
    'POST /admin/campaigns/{campaignId}/preview': {
      right: 'read',
      ids: { campaignId: 'campaign' },
      run: async ({ event, params: { campaignId } }) => {
        const { customerId } = parseBody(previewBody, event);
        if (!isId('customer', customerId)) throw new ValidationError('customerId is not a customer id', ['customerId']);
        return json(200, await previewCampaign(insight, campaignId, customerId));
      },
    },
    'POST /admin/campaigns/{campaignId}/dry-run': {
      right: 'read',
      ids: { campaignId: 'campaign' },
      run: async ({ params: { campaignId } }) => {
        const deadline = Date.now() + budgetMs;
        return json(200, await dryRunCampaign(insight, campaignId, () => deadline - Date.now()));
      },
    },
    'POST /admin/campaigns/{campaignId}/run': {
      right: 'run-campaigns',
      ids: { campaignId: 'campaign' },
      run: async ({ params: { campaignId } }) => {
        const campaign = await campaigns.get(campaignId);
        if (!campaign) throw new NotFoundError(`no campaign ${campaignId}`);
        if (campaign.status !== 'active') throw new ConflictError(`the campaign is ${campaign.status}: activate it before a run`);
        const job = await startRun(runs, campaign, { trigger: 'api', occurrence: `run:${new Date().toISOString()}` });
        return json(202, { jobId: job.id });
      },
    },
    'GET /admin/campaigns/{campaignId}/stats': {
      right: 'read',
      ids: { campaignId: 'campaign' },
      run: async ({ params: { campaignId } }) => json(200, await campaignStats(insight, campaignId)),
    },
  };
}
