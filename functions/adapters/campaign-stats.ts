// A campaign's counters: one item, moved by atomic ADDs from the flows that
// see each thing happen, so concurrent senders and feedback never lose a count.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignStatsStore, StatDeltas } from '../app/campaign-ports';
import { capacityMeter, documentClient } from './dynamo-client';
import { itemKeys } from './dynamo-keys';

export class DynamoCampaignStatsStore implements CampaignStatsStore {
  constructor(private readonly tableName: string) {}

  async add(campaignId: string, deltas: StatDeltas): Promise<void> {
    const entries = Object.entries(deltas).filter(([, value]) => value !== undefined && value !== 0);
    if (entries.length === 0) return;
    const result = await documentClient().send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: itemKeys.campaignStats(campaignId),
        UpdateExpression: `ADD ${entries.map((_, i) => `#c${i} :v${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#c${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
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
