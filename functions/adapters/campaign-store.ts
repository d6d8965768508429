// Campaigns in the table: one item each, listed newest first under
// lists.campaigns. Every write is conditional (a new id, or the revision the
// writer read), and a lost race becomes ConflictError here.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignPage, CampaignStore } from '../app/campaign-admin';
import type { Campaign, CampaignStatus } from '../domain/campaigns/campaign';
import { ConflictError } from '../shared/errors';
import { capacityMeter, documentClient } from './dynamo-client';
import { indexes, itemKeys, lists } from './dynamo-keys';
import { listAll, listPage, type Item, type ListQuery } from './pagination';

function campaignItem(campaign: Campaign): Item {
  return {
    ...itemKeys.campaign(campaign.id),
    ...campaign,
    listPk: lists.campaigns,
    listSk: `${campaign.createdAt}#${campaign.id}`,
  };
}

function campaignOf(item: Item): Campaign {
  const { pk: _pk, sk: _sk, listPk: _listPk, listSk: _listSk, ...campaign } = item;
  return campaign as unknown as Campaign;
}

export class DynamoCampaignStore implements CampaignStore {
  constructor(private readonly tableName: string) {}

  private listQuery(status: CampaignStatus | undefined): ListQuery {
    return {
      tableName: this.tableName,
      index: indexes.listByKind,
      partition: lists.campaigns,
      newestFirst: true,
      filter: status === undefined ? undefined : { expression: '#status = :status', names: { '#status': 'status' }, values: { ':status': status } },
    };
  }

  private async put(input: ConstructorParameters<typeof PutCommand>[0], conflict: string): Promise<void> {
    try {
      const result = await documentClient().send(new PutCommand({ ...input, ReturnConsumedCapacity: 'TOTAL' }));
      capacityMeter.record('write', result.ConsumedCapacity);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ConflictError(conflict, { cause: error });
      throw error;
    }
  }

  create(campaign: Campaign): Promise<void> {
    return this.put(
      { TableName: this.tableName, Item: campaignItem(campaign), ConditionExpression: 'attribute_not_exists(pk)' },
      `campaign ${campaign.id} exists already`,
    );
  }

  async get(campaignId: string): Promise<Campaign | undefined> {
    const result = await documentClient().send(
      new GetCommand({ TableName: this.tableName, Key: itemKeys.campaign(campaignId), ConsistentRead: true }),
    );
    return result.Item ? campaignOf(result.Item) : undefined;
  }

  async list(query: { status?: CampaignStatus | undefined; cursor?: string | undefined; limit: number }): Promise<CampaignPage> {
    const page = await listPage(this.listQuery(query.status), { cursor: query.cursor, limit: query.limit });
    return { items: page.items.map(campaignOf), nextCursor: page.nextCursor };
  }

  update(campaignId: string, next: Campaign, expectedRev: number): Promise<void> {
    return this.put(
      {
        TableName: this.tableName,
        Item: campaignItem({ ...next, id: campaignId }),
        ConditionExpression: '#rev = :expectedRev',
        ExpressionAttributeNames: { '#rev': 'rev' },
        ExpressionAttributeValues: { ':expectedRev': expectedRev },
      },
      `campaign ${campaignId} changed meanwhile; read it again`,
    );
  }

  /** From the list index, so at most a moment behind a status change. */
  async active(): Promise<Campaign[]> {
    return (await listAll(this.listQuery('active'))).map(campaignOf);
  }
}
