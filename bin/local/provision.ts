// Creates the local table and queues from the one definition in lib/resources.ts.
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { queues, table, type KeyAttribute, type QueueDefinition } from '../../lib/resources';

export type QueueName = keyof typeof queues;

export interface LocalQueue {
  readonly key: QueueName;
  readonly definition: QueueDefinition;
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly dlq: { readonly name: string; readonly url: string; readonly arn: string };
}

/** Creates the table with both indexes and TTL unless it exists (a persisted data dir). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'existing'> {
  let created: 'created' | 'existing' = 'existing';
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    const keys: KeyAttribute[] = [
      table.partitionKey,
      table.sortKey,
      ...table.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ];
    const attributes = new Map<string, AttributeDefinition>();
    for (const key of keys) attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes.values()],
        KeySchema: [
          { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: table.sortKey.name, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: table.indexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    created = 'created';
  }
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
  return created;
}

export function queueNames(tableName: string, key: QueueName): { name: string; dlqName: string } {
  return { name: `${tableName}-${key}`, dlqName: `${tableName}-${key}-dlq` };
}

/**
 * Creates every queue of the definition and its DLQ. The source queue gets no
 * RedrivePolicy inside the emulator: local-aws-sqs counts a
 * ChangeMessageVisibility as one more receive, so its own redrive would fire
 * after about half of maxReceiveCount deliveries. The SQS event source
 * (sqs-event-source.ts) redrives with the definition's maxReceiveCount instead.
 */
export async function ensureQueues(client: SQSClient, tableName: string): Promise<Record<QueueName, LocalQueue>> {
  const result = {} as Record<QueueName, LocalQueue>;
  for (const key of Object.keys(queues) as QueueName[]) {
    const definition: QueueDefinition = queues[key];
    const { name, dlqName } = queueNames(tableName, key);
    // The DLQ takes every message its queue takes, or a redrive could fail.
    const maximumMessageSize = String(definition.maxMessageBytes);
    const dlqUrl = await createQueue(client, dlqName, {
      MessageRetentionPeriod: String(definition.dlqRetentionDays * 86_400),
      MaximumMessageSize: maximumMessageSize,
    });
    const url = await createQueue(client, name, {
      VisibilityTimeout: String(definition.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(definition.retentionDays * 86_400),
      MaximumMessageSize: maximumMessageSize,
    });
    result[key] = {
      key,
      definition,
      name,
      url,
      arn: await queueArn(client, url),
      dlq: { name: dlqName, url: dlqUrl, arn: await queueArn(client, dlqUrl) },
    };
  }
  return result;
}

async function createQueue(client: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  const created = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!created.QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
  return created.QueueUrl;
}

async function queueArn(client: SQSClient, url: string): Promise<string> {
  const attributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = attributes.Attributes?.QueueArn;
  if (!arn) throw new Error(`GetQueueAttributes ${url} returned no QueueArn`);
  return arn;
}
