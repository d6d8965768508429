// Staff's campaigns: create one, read and list them, change one. Written
// against a CampaignStore port; the DynamoDB adapter only reads and writes.
// Input arrives parsed by the campaign schemas (domain/campaigns/campaign.ts);
// what the schemas cannot see (a status move against the stored one, a
// stale revision) is checked here.
import type * as z from 'zod';
import type {
  Campaign,
  CampaignPatch,
  CampaignStatus,
  campaignInputSchema,
} from '../domain/campaigns/campaign';
import { canMoveCampaign } from '../domain/campaigns/status';
import { ConflictError, NotFoundError } from '../shared/errors';

export interface CampaignPage {
  items: Campaign[];
  nextCursor: string | null;
}

export interface CampaignStore {
  /** Stores a new campaign; its id is new. */
  create(campaign: Campaign): Promise<void>;
  /** Strongly consistent: a change just made is seen. */
  get(campaignId: string): Promise<Campaign | undefined>;
  /** Newest first, optionally of one status; `cursor` is one this list returned. */
  list(query: { status?: CampaignStatus | undefined; cursor?: string | undefined; limit: number }): Promise<CampaignPage>;
  /** Writes `next` if the stored campaign still has `expectedRev`; ConflictError otherwise. */
  update(campaignId: string, next: Campaign, expectedRev: number): Promise<void>;
  /** Every active campaign (few): what the matcher matches against. */
  active(): Promise<Campaign[]>;
}

export interface CampaignAdminPorts {
  campaigns: CampaignStore;
  now: () => Date;
  newId: () => string;
}

/** A campaign as the input schema leaves it: defaults filled in. */
export type NewCampaign = z.output<typeof campaignInputSchema>;

export async function createCampaign(ports: CampaignAdminPorts, input: NewCampaign): Promise<Campaign> {
  const at = ports.now().toISOString();
  const campaign: Campaign = { ...input, id: ports.newId(), createdAt: at, updatedAt: at, rev: 0 };
  await ports.campaigns.create(campaign);
  return campaign;
}

export async function getCampaign(campaigns: Pick<CampaignStore, 'get'>, campaignId: string): Promise<Campaign> {
  const campaign = await campaigns.get(campaignId);
  if (!campaign) throw new NotFoundError(`no campaign ${campaignId}`);
  return campaign;
}

export function listCampaigns(
  campaigns: Pick<CampaignStore, 'list'>,
  query: { status?: CampaignStatus | undefined; cursor?: string | undefined; limit: number },
): Promise<CampaignPage> {
  return campaigns.list(query);
}

/**
 * Applies `patch` to a campaign and stores it with the next revision. An
 * archived campaign is never changed again, a status moves only as
 * domain/campaigns/status.ts allows, and `expectedRev` (the revision the
 * caller last read) must still be the stored one: each is a 409.
 */
export async function patchCampaign(
  ports: Omit<CampaignAdminPorts, 'newId'>,
  campaignId: string,
  patch: CampaignPatch,
  expectedRev?: number,
): Promise<Campaign> {
  const current = await getCampaign(ports.campaigns, campaignId);
  if (expectedRev !== undefined && expectedRev !== current.rev) {
    throw new ConflictError(`campaign ${campaignId} is at revision ${current.rev}, not ${expectedRev}; read it again`);
  }
  if (current.status === 'archived') throw new ConflictError(`campaign ${campaignId} is archived and cannot change`);
  if (patch.status !== undefined && !canMoveCampaign(current.status, patch.status)) {
    throw new ConflictError(`campaign ${campaignId} cannot go from ${current.status} to ${patch.status}`);
  }
  const next: Campaign = { ...current, ...patch, updatedAt: ports.now().toISOString(), rev: current.rev + 1 };
  await ports.campaigns.update(campaignId, next, current.rev);
  return next;
}
