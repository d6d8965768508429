// The local SQS event source against a scripted SQS: what it does with one
// receive of large messages, and with a message its DLQ refuses.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queues } from '../../lib/resources';
import type { LocalFunction } from '../../bin/local/lambda';
import type { LocalQueue } from '../../bin/local/provision';
import {
  invocationGroups,
  invocationPayloadLimitBytes,
  startSqsEventSource,
  toSqsRecord,
  type SqsEventSource,
} from '../../bin/local/sqs-event-source';

const sqs = mockClient(SQSClient);
const client = new SQSClient({ region: 'us-east-1' });
const queue: LocalQueue = {
  key: 'ingest',
  definition: queues.ingest,
  name: 'q',
  url: 'http://sqs.local/q',
  arn: 'arn:aws:sqs:us-east-1:123456789012:q',
  dlq: { name: 'q-dlq', url: 'http://sqs.local/q-dlq', arn: 'arn:aws:sqs:us-east-1:123456789012:q-dlq' },
};

function message(id: string, bodyBytes = 100): Message {
  return { MessageId: id, ReceiptHandle: `rh-${id}`, Body: JSON.stringify({ id, pad: 'x'.repeat(bodyBytes) }) };
}

/** One receive returns `messages`, every later one nothing (after a pause, like a long poll). */
function receiveOnce(messages: Message[]): void {
  let served = false;
  sqs.on(ReceiveMessageCommand).callsFake(async () => {
    if (served) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { Messages: [] };
    }
    served = true;
    return { Messages: messages };
  });
}

const events: SQSEvent[] = [];
const logLines: string[] = [];
let source: SqsEventSource | undefined;

function start(receiveCounts = new Map<string, number>()): void {
  const consumer = {
    functionName: 'processor',
    invoke: async (event: unknown) => {
      events.push(event as SQSEvent);
      return { batchItemFailures: [] };
    },
  } satisfies Pick<LocalFunction, 'functionName' | 'invoke'>;
  source = startSqsEventSource({
    sqs: client,
    queue,
    consumer: consumer as unknown as LocalFunction,
    region: 'us-east-1',
    retryDelaySeconds: 0,
    concurrency: 1,
    receiveCounts,
    log: (line) => logLines.push(line),
  });
}

async function until(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeEach(() => {
  sqs.reset();
  events.length = 0;
  logLines.length = 0;
  sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [] });
  sqs.on(DeleteMessageCommand).resolves({});
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [] });
});

afterEach(async () => {
  await source?.stop();
  source = undefined;
});

describe('invocationGroups', () => {
  const record = (id: string, bodyBytes: number): SQSRecord => toSqsRecord(message(id, bodyBytes), 1, queue.arn, 'us-east-1');

  it('keeps a batch whose event fits the limit in one invocation', () => {
    const records = ['a', 'b', 'c'].map((id) => record(id, 100));

    expect(invocationGroups(records)).toEqual([records]);
  });

  it('starts a new invocation where the next record would pass the limit, by one byte', () => {
    const records = ['a', 'b'].map((id) => record(id, 1000));
    const exact = Buffer.byteLength(JSON.stringify({ Records: records }));

    expect(invocationGroups(records, exact)).toEqual([records]);
    expect(invocationGroups(records, exact - 1)).toEqual([[records[0]], [records[1]]]);
  });
});

describe('Local SQS event source', () => {
  it('splits ten messages of 1 MB into invocations under the 6 MB payload limit, each message once', async () => {
    const large = Array.from({ length: 10 }, (_, i) => message(`m${i}`, 1_000_000));
    receiveOnce(large);

    start();
    await until(() => events.flatMap((event) => event.Records).length === 10);

    expect(events.length).toBeGreaterThan(1);
    for (const event of events) expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(invocationPayloadLimitBytes);
    expect(events.flatMap((event) => event.Records.map((r) => r.messageId))).toEqual(large.map((m) => m.MessageId));
    await until(() => sqs.commandCalls(DeleteMessageBatchCommand).length === events.length);
  });

  it('keeps a message its DLQ refuses in the queue, logs why, and still runs the rest of the receive', async () => {
    const refused = message('refused');
    const poison = message('poison');
    const fresh = message('fresh');
    receiveOnce([refused, poison, fresh]);
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-copy' });
    sqs
      .on(SendMessageCommand, { QueueUrl: queue.dlq.url, MessageBody: refused.Body })
      .rejects(new Error('Message must be shorter than 1024 bytes.'));

    start(new Map([['refused', queues.ingest.maxReceiveCount], ['poison', queues.ingest.maxReceiveCount]]));
    await until(() => events.length === 1);

    expect(events[0]!.Records.map((r) => r.messageId)).toEqual(['fresh']);
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { ReceiptHandle: 'rh-poison' });
    expect(sqs).not.toHaveReceivedCommandWith(DeleteMessageCommand, { ReceiptHandle: 'rh-refused' });
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityBatchCommand, {
      Entries: [expect.objectContaining({ ReceiptHandle: 'rh-refused' })],
    });
    expect(logLines).toContainEqual(expect.stringMatching(/refused could not move to q-dlq and stays: Message must be shorter/));
  });
});
