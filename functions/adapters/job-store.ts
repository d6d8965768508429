// Long work (a rescore, a campaign run) as one item staff poll: status, progress and result.
// Shards report done into a string set, so a retried shard is counted once.
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Job } from '../app/rescore';
import { capacityMeter, documentClient } from './dynamo-client';
import { itemKeys } from './dynamo-keys';

/** Jobs are kept 30 days. */
const jobTtlSeconds = 30 * 86_400;

/** What every job item has: shards report into it. */
interface ShardedJob {
  id: string;
  createdAt: string;
  shardsDone: string[];
  shardReports: Record<string, unknown>;
}

function jobOf<J extends ShardedJob>(item: Record<string, unknown>): J {
  const { pk: _pk, sk: _sk, expiresAt: _expiresAt, shardsDone, shardReports, ...job } = item;
  return {
    ...(job as unknown as J),
    shardsDone: shardsDone instanceof Set ? [...(shardsDone as Set<string>)].sort() : [],
    shardReports: (shardReports as J['shardReports'] | undefined) ?? {},
  };
}

export class DynamoJobStore<J extends ShardedJob = Job> {
  constructor(private readonly tableName: string) {}

  async create(job: J): Promise<void> {
    const { shardsDone: _done, ...stored } = job;
    const result = await documentClient().send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...itemKeys.job(job.id), ...stored, expiresAt: Math.floor(Date.parse(job.createdAt) / 1000) + jobTtlSeconds },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    capacityMeter.record('write', result.ConsumedCapacity);
  }

  async get(jobId: string): Promise<J | undefined> {
    const result = await documentClient().send(
      new GetCommand({ TableName: this.tableName, Key: itemKeys.job(jobId), ConsistentRead: true }),
    );
    return result.Item ? jobOf<J>(result.Item) : undefined;
  }

  async update(jobId: string, fields: Partial<Omit<J, 'id' | 'shardsDone' | 'shardReports'>>): Promise<void> {
    const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return;
    const result = await documentClient().send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: itemKeys.job(jobId),
        ReturnConsumedCapacity: 'TOTAL',
        UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#f${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
      }),
    );
    capacityMeter.record('write', result.ConsumedCapacity);
  }

  async reportShard(jobId: string, shard: string, report: J['shardReports'][string]): Promise<J> {
    const result = await documentClient().send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: itemKeys.job(jobId),
        UpdateExpression: 'ADD shardsDone :shard SET shardReports.#shard = :report',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#shard': shard },
        ExpressionAttributeValues: { ':shard': new Set([shard]), ':report': report },
        ReturnValues: 'ALL_NEW',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    capacityMeter.record('write', result.ConsumedCapacity);
    return jobOf<J>(result.Attributes ?? {});
  }
}
