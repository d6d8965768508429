// A campaign's counters: one item, moved by atomic ADDs from the flows that
// see each thing happen, so concurrent senders and feedback never lose a count.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignStatsStore, StatDeltas } from '../app/campaign-ports';
import { capacityMeter, documentClient } from './dynamo-client';
import { itemKeys } from './dynamo-keys';

/**
 * The ADD of `deltas` to a campaign's counters, as an update for UpdateItem
 * or for a transaction that keeps the counters with the items they count.
 * Undefined when there is nothing to add.
 */
export function statsUpdate(tableName: string, campaignId: string, deltas: StatDeltas) {
  const entries = Object.entries(deltas).filter(([, value]) => value !== undefined && value !== 0);
  if (entries.length === 0) return undefined;
  return {
    TableName: tableName,
    Key: itemKeys.campaignStats(campaignId),
    UpdateExpression: `ADD ${entries.map((_, i) => `#c${i} :v${i}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#c${i}`, name])),
    ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
  };
}

export class DynamoCampaignStatsStore implements CampaignStatsStore {
  constructor(private readonly tableName: string) {}

  async add(campaignId: string, deltas: StatDeltas): Promise<void> {
    const update = statsUpdate(this.tableName, campaignId, deltas);
    if (!update) return;
    const result = await documentClient().send(new UpdateCommand({ ...update, ReturnConsumedCapacity: 'TOTAL' }));
    capacityMeter.record('write', result.ConsumedCapacity);
  }

  async read(campaignId: string): Promise<Record<string, number>> {
    const result = await documentClient().send(
      new GetCommand({ TableName: this.tableName, Key: itemKeys.campaignStats(campaignId), ConsistentRead: true }),
    );
    const { pk: _pk, sk: _sk, ...counters } = result.Item ?? {};
    return Object.fromEntries(Object.entries(counters).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
  }
}
