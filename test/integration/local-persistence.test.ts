// With a data directory, a restart of the local stack keeps the table and every
// queued message (local-aws-sqs is in memory; the SQS journal keeps them), and
// the directory is private to its owner.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, writeLocalConfig, type LocalStack, type LocalStackOptions } from '../../bin/local/stack';
import { replayJournal } from '../../bin/local/sqs-journal';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const tableName = `local-persist-${process.pid}`;
let dataDir = '';
const dataDirs: string[] = [];
let running: LocalStack | undefined;

async function newDataDir(): Promise<string> {
  dataDir = await mkdtemp(join(tmpdir(), 'huitou-local-'));
  dataDirs.push(dataDir);
  return dataDir;
}

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
  for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
});

/** Every path below `dir` (itself included) with its permission bits in octal. */
async function modes(dir: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  for (const entry of ['.', ...(await readdir(dir, { recursive: true }))]) {
    result.set(entry, ((await stat(join(dir, entry))).mode & 0o777).toString(8));
  }
  return result;
}

describe('Local stack persistence', () => {
  it(
    'keeps table items and queued messages, with their attributes and receive counts, across a restart',
    async () => {
      await newDataDir();

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

      // Act: stop (nothing to drain: the journal has it all) and start again on the same data directory.
      await first.stop();
      running = undefined;
      const journaled = replayJournal(await readFile(join(dataDir, 'queues', 'journal'), 'utf8')).messages;
      expect(journaled.map((message) => [message.queue, message.entry.MessageBody])).toEqual([
        [`${tableName}-ingest`, '{"order":1}'],
        [`${tableName}-ingest-dlq`, '{"dead":1}'],
      ]);

      const secondDeliveries: SQSRecord[] = [];
      const second = await start(async (event) => {
        secondDeliveries.push(...event.Records);
        return { batchItemFailures: [] };
      });

      // Assert: the message is delivered again, counting the deliveries before the restart.
      await waitFor('the delivery after the restart', () => secondDeliveries.length >= 1);
      const before = journaled[0]?.receives ?? 0;
      expect(before).toBe(firstDeliveries.length);
      expect(secondDeliveries[0]).toMatchObject({
        body: '{"order":1}',
        attributes: { ApproximateReceiveCount: String(before + 1) },
        messageAttributes: { topic: { stringValue: 'orders/create', dataType: 'String' } },
      });

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

  it(
    'makes the data directory private (0700) and every file the stack keeps in it 0600, also when it existed with looser modes',
    async () => {
      // Arrange: a data directory an older version left world-readable.
      await newDataDir();
      await mkdir(join(dataDir, 'dynamodb'), { recursive: true });
      await chmod(dataDir, 0o755);
      await chmod(join(dataDir, 'dynamodb'), 0o755);
      await writeFile(join(dataDir, 'local.json'), '{}', { mode: 0o644 });
      await writeFile(join(dataDir, 'not-ours.sh'), '#!/bin/sh\n', { mode: 0o755 });

      // Act
      const stack = await start(async () => ({ batchItemFailures: [] }));
      await writeLocalConfig(dataDir, { apiUrl: stack.apiUrl, apiKey: stack.adminKey });

      // Assert
      const found = await modes(dataDir);
      const private_ = new Map<string, string>();
      for (const path of found.keys()) private_.set(path, (await stat(join(dataDir, path))).isDirectory() ? '700' : '600');
      private_.set('not-ours.sh', '755'); // a file the stack does not keep is left as it was
      expect(found).toEqual(private_);
      expect([...found.keys()]).toEqual(
        expect.arrayContaining(['local.json', 'stack.pid', join('queues', 'journal'), join('dynamodb', 'shared-local-instance.db')]),
      );
      await stack.stop();
      running = undefined;
      expect(existsSync(join(dataDir, 'stack.pid'))).toBe(false);
    },
    120_000,
  );
});
