// The local SQS event source: Lambda's batch semantics (partial batch failure,
// whole-batch retry, redrive to the DLQ after maxReceiveCount) on local-aws-sqs.
import { createHash } from 'node:crypto';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queues } from '../../lib/resources';
import { startLocalStack, type LocalStack } from '../../bin/local/stack';

type Mode = 'ok' | 'fail-once' | 'always-fail' | 'throw-once' | 'bad-id-once';

const maxReceiveCount = queues.ingest.maxReceiveCount;
/** Every delivery of every message, by its test id. */
const deliveries = new Map<string, SQSRecord[]>();
/** The test ids of each batch, in order. */
const batches: string[][] = [];

function testId(record: SQSRecord): string {
  return (JSON.parse(record.body) as { id: string }).id;
}

async function processor(event: SQSEvent): Promise<SQSBatchResponse> {
  const ids = event.Records.map(testId);
  batches.push(ids);
  const failures: string[] = [];
  let throwBatch = false;
  let badId = false;
  for (const record of event.Records) {
    const id = testId(record);
    const seen = deliveries.get(id) ?? [];
    seen.push(record);
    deliveries.set(id, seen);
    const mode = (JSON.parse(record.body) as { mode: Mode }).mode;
    if (mode === 'always-fail' || (mode === 'fail-once' && seen.length === 1)) failures.push(record.messageId);
    if (mode === 'throw-once' && seen.length === 1) throwBatch = true;
    if (mode === 'bad-id-once' && seen.length === 1) badId = true;
  }
  if (throwBatch) throw new Error('the whole batch fails');
  if (badId) return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const retryDelaySeconds = 1;
let stack: LocalStack;
let sqs: SQSClient;

async function messagesIn(queueUrl: string): Promise<number> {
  const { Attributes: a = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return (
    Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) + Number(a.ApproximateNumberOfMessagesDelayed)
  );
}

async function sendBatch(messages: { id: string; mode: Mode }[]): Promise<void> {
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: stack.queueUrls.ingest,
      Entries: messages.map((message, i) => ({ Id: String(i), MessageBody: JSON.stringify(message) })),
    }),
  );
}

function count(id: string): number {
  return deliveries.get(id)?.length ?? 0;
}

/** Every id of the batch in which `id` was first delivered was delivered again later. */
function expectWholeBatchRetried(id: string): void {
  const first = batches.findIndex((batch) => batch.includes(id));
  expect(first).toBeGreaterThanOrEqual(0);
  for (const other of batches[first] ?? []) {
    expect(batches.slice(first + 1).some((batch) => batch.includes(other)), `${other} retried`).toBe(true);
  }
}

beforeAll(async () => {
  stack = await startLocalStack({
    inMemory: true,
    port: 0,
    tableName: `local-sqs-${process.pid}`,
    adminKey: 'test-admin-key',
    bootstrapAdminKey: async () => undefined,
    retryDelaySeconds,
    handlers: {
      processor,
      webhook: async () => ({ statusCode: 200, body: '' }),
      admin: async () => ({ statusCode: 200, body: '' }),
    },
  });
  sqs = new SQSClient({
    endpoint: stack.endpoints.sqs,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
});

describe('Local SQS event source', () => {
  it('hands the consumer a Lambda SQS event', async () => {
    const body = JSON.stringify({ id: 'shape', mode: 'ok' });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.queueUrls.ingest,
        MessageBody: body,
        MessageAttributes: {
          topic: { DataType: 'String', StringValue: 'orders/create' },
          raw: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
        },
      }),
    );

    await waitFor('the delivery', () => count('shape') === 1);
    const record = deliveries.get('shape')?.[0];
    expect(record).toMatchObject({
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: expect.stringMatching(new RegExp(`:${stack.tableName}-ingest$`)),
      awsRegion: 'us-east-1',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d+$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/),
      },
      messageAttributes: {
        topic: { stringValue: 'orders/create', dataType: 'String' },
        raw: { binaryValue: Buffer.from([1, 2, 3]).toString('base64'), dataType: 'Binary' },
      },
    });
    expect(record?.messageId).toEqual(expect.any(String));
    expect(record?.receiptHandle).toEqual(expect.any(String));
  });

  it('deletes the successes of a partial batch failure and retries only the failures', async () => {
    await sendBatch([
      { id: 'p-ok-1', mode: 'ok' },
      { id: 'p-fail', mode: 'fail-once' },
      { id: 'p-ok-2', mode: 'ok' },
    ]);

    await waitFor('the retry of p-fail', () => count('p-fail') === 2);
    await sleep((retryDelaySeconds + 1.5) * 1000);

    expect(count('p-ok-1')).toBe(1);
    expect(count('p-ok-2')).toBe(1);
    expect(count('p-fail')).toBe(2);
    expect(deliveries.get('p-fail')?.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    expect(await messagesIn(stack.queueUrls.ingest)).toBe(0);
  });

  it('retries the whole batch when the handler throws', async () => {
    await sendBatch([
      { id: 't-throw', mode: 'throw-once' },
      { id: 't-ok-1', mode: 'ok' },
      { id: 't-ok-2', mode: 'ok' },
    ]);

    await waitFor('the retries', () => count('t-throw') === 2 && count('t-ok-1') >= 2 && count('t-ok-2') >= 2);
    await waitFor('an empty queue', async () => (await messagesIn(stack.queueUrls.ingest)) === 0, 10_000);

    expectWholeBatchRetried('t-throw');
  });

  it('retries the whole batch when a batchItemFailures id is not in the batch', async () => {
    await sendBatch([
      { id: 'b-bad', mode: 'bad-id-once' },
      { id: 'b-ok', mode: 'ok' },
    ]);

    await waitFor('the retries', () => count('b-bad') === 2 && count('b-ok') >= 2);

    expectWholeBatchRetried('b-bad');
  });

  it(
    'moves a record that always fails to the DLQ after maxReceiveCount deliveries',
    async () => {
      const body = JSON.stringify({ id: 'poison', mode: 'always-fail' });
      await sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrls.ingest, MessageBody: body }));

      let inDlq: string[] = [];
      await waitFor(
        'the message in the DLQ',
        async () => {
          const received = await sqs.send(
            new ReceiveMessageCommand({ QueueUrl: stack.queueUrls.ingestDlq, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
          );
          inDlq = (received.Messages ?? []).map((message) => message.Body ?? '');
          return inDlq.length > 0;
        },
        60_000,
      );

      expect(inDlq).toEqual([body]);
      expect(count('poison')).toBe(maxReceiveCount);
      expect(deliveries.get('poison')?.map((r) => Number(r.attributes.ApproximateReceiveCount))).toEqual(
        Array.from({ length: maxReceiveCount }, (_, i) => i + 1),
      );
      expect(await messagesIn(stack.queueUrls.ingest)).toBe(0);
      await sleep((retryDelaySeconds + 1.5) * 1000);
      expect(count('poison')).toBe(maxReceiveCount);
    },
    90_000,
  );
});
