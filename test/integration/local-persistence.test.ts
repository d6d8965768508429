// With a data directory, a restart of the local stack keeps the table and every
// queued message (local-aws-sqs itself is in memory only).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../bin/local/stack';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const tableName = `local-persist-${process.pid}`;
let dataDir = '';
let running: LocalStack | undefined;

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function start(processor: (event: SQSEvent) => Promise<unknown>): Promise<LocalStack> {
  const options: LocalStackOptions = {
    dataDir,
    port: 0,
    tableName,
    adminKey: 'test-admin-key',
    bootstrapAdminKey: async () => undefined,
    retryDelaySeconds: 1,
    handlers: {
      processor,
      webhook: async () => ({ statusCode: 200, body: '' }),
      admin: async () => ({ statusCode: 200, body: '' }),
    },
  };
  running = await startLocalStack(options);
  return running;
}

afterAll(async () => {
  await running?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('Local stack persistence', () => {
  it(
    'keeps table items and queued messages, with their attributes and receive counts, across a restart',
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'huitou-local-'));

      // Arrange: a consumer that is down (fails everything), one message in the queue, one in the DLQ.
      const firstDeliveries: SQSRecord[] = [];
      const first = await start(async (event) => {
        firstDeliveries.push(...event.Records);
        return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
      });
      const dynamodb = new DynamoDBClient({ endpoint: first.endpoints.dynamodb, region: 'us-east-1', credentials });
      await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'KEEP' }, sk: { S: 'ME' } } }));
      dynamodb.destroy();
      const sqs = new SQSClient({ endpoint: first.endpoints.sqs, region: 'us-east-1', credentials });
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: first.queueUrls.ingest,
          MessageBody: '{"order":1}',
          MessageAttributes: { topic: { DataType: 'String', StringValue: 'orders/create' } },
        }),
      );
      await sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrls.ingestDlq, MessageBody: '{"dead":1}' }));
      sqs.destroy();
      await waitFor('the first (failed) delivery', () => firstDeliveries.length >= 1);

      // Act: stop (drains the queues to files) and start again on the same data directory.
      await first.stop();
      running = undefined;
      const saved = JSON.parse(await readFile(join(dataDir, 'queues', `${tableName}-ingest.json`), 'utf8')) as {
        messages: { body: string; receiveCount: number }[];
      };
      expect(saved.messages.map((message) => message.body)).toEqual(['{"order":1}']);
      expect(existsSync(join(dataDir, 'queues', `${tableName}-ingest-dlq.json`))).toBe(true);

      const secondDeliveries: SQSRecord[] = [];
      const second = await start(async (event) => {
        secondDeliveries.push(...event.Records);
        return { batchItemFailures: [] };
      });

      // Assert: the message is delivered again, counting the deliveries before the restart.
      await waitFor('the delivery after the restart', () => secondDeliveries.length >= 1);
      const before = saved.messages[0]?.receiveCount ?? 0;
      expect(before).toBe(firstDeliveries.length);
      expect(secondDeliveries[0]).toMatchObject({
        body: '{"order":1}',
        attributes: { ApproximateReceiveCount: String(before + 1) },
        messageAttributes: { topic: { stringValue: 'orders/create', dataType: 'String' } },
      });
      expect(existsSync(join(dataDir, 'queues', `${tableName}-ingest.json`))).toBe(false);

      const sqsAgain = new SQSClient({ endpoint: second.endpoints.sqs, region: 'us-east-1', credentials });
      const dead = await sqsAgain.send(new ReceiveMessageCommand({ QueueUrl: second.queueUrls.ingestDlq, WaitTimeSeconds: 0 }));
      sqsAgain.destroy();
      expect(dead.Messages?.map((message) => message.Body)).toEqual(['{"dead":1}']);

      const dynamodbAgain = new DynamoDBClient({ endpoint: second.endpoints.dynamodb, region: 'us-east-1', credentials });
      const kept = await dynamodbAgain.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'KEEP' }, sk: { S: 'ME' } } }));
      dynamodbAgain.destroy();
      expect(kept.Item).toEqual({ pk: { S: 'KEEP' }, sk: { S: 'ME' } });
      expect(existsSync(join(dataDir, 'dynamodb', 'shared-local-instance.db'))).toBe(true);
    },
    120_000,
  );
});
