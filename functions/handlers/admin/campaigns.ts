// Campaigns: create, list, show and change one (status moves included).
// Previews, dry runs, runs and stats read what the sender reads, and are
// served beside these once the sender exists.
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { DynamoCampaignStore } from '../../adapters/campaign-store';
import { createCampaign, getCampaign, listCampaigns, patchCampaign } from '../../app/campaign-admin';
import { campaignInputSchema, campaignPatchSchema, campaignStatuses } from '../../domain/campaigns/campaign';
import { idPrefixes } from '../../domain/ids';
import { ValidationError } from '../../shared/errors';
import { json } from '../../shared/http';
import { limitOf, parseBody, query, type RouteTable, type ServedRouteKey } from './router';

const statusQuery = z.enum(campaignStatuses).optional();

/** `If-Match: <rev>` (quoted or not): the revision the client last read; absent, the change applies to the current one. */
function expectedRevOf(event: APIGatewayProxyEventV2): number | undefined {
  const header = event.headers['if-match'];
  if (header === undefined) return undefined;
  const match = /^\s*"?(\d{1,9})"?\s*$/.exec(header);
  if (!match?.[1]) throw new ValidationError('If-Match must be the campaign revision (rev) last read');
  return Number(match[1]);
}

export function campaignRoutes({ tableName }: { tableName: string }) {
  const campaigns = new DynamoCampaignStore(tableName);
  const now = () => new Date();
  const newId = () => `${idPrefixes.campaign}${randomBytes(8).toString('hex')}`;

  return {
    'POST /admin/campaigns': {
      right: 'run-campaigns',
      run: async ({ event }) => json(201, await createCampaign({ campaigns, now, newId }, parseBody(campaignInputSchema, event))),
    },
    'GET /admin/campaigns': {
      right: 'read',
      run: async ({ event }) => {
        const status = statusQuery.safeParse(query(event, 'status'));
        if (!status.success) throw new ValidationError(`status must be one of ${campaignStatuses.join(', ')}`);
        const page = await listCampaigns(campaigns, { status: status.data, cursor: query(event, 'cursor'), limit: limitOf(event) });
        return json(200, page);
      },
    },
    'GET /admin/campaigns/{campaignId}': {
      right: 'read',
      ids: { campaignId: 'campaign' },
      run: async ({ params: { campaignId } }) => json(200, await getCampaign(campaigns, campaignId)),
    },
    'PATCH /admin/campaigns/{campaignId}': {
      right: 'run-campaigns',
      ids: { campaignId: 'campaign' },
      run: async ({ event, params: { campaignId } }) => {
        const patch = parseBody(campaignPatchSchema, event);
        return json(200, await patchCampaign({ campaigns, now }, campaignId, patch, expectedRevOf(event)));
      },
    },
  } satisfies Partial<RouteTable<ServedRouteKey<'admin'>>>;
}
