// Lambda's SQS event source mapping, locally: poll the queue, hand batches to
// the consumer, delete what succeeded, retry what failed (partial batch
// responses, ReportBatchItemFailures), and move a message to the DLQ once it
// has been received more than maxReceiveCount times.
//
// The one deliberate local difference: a failed record is made visible again
// after `retryDelaySeconds` (ChangeMessageVisibility) instead of after the
// queue's visibility timeout, so a local retry takes seconds, not minutes.
//
// Redrive is done here, not by local-aws-sqs: the emulator counts a
// ChangeMessageVisibility as one more receive, so its own RedrivePolicy would
// move a message after about half of maxReceiveCount deliveries. This poller
// counts the deliveries itself, puts that count in ApproximateReceiveCount, and
// moves the message when a receive would exceed maxReceiveCount, as SQS does.
// The message in the DLQ is a copy with a new MessageId; a message the DLQ
// refuses stays in the queue, is logged with the reason, and is tried again.
//
// As Lambda does, an invocation never carries more than the synchronous
// payload limit (6 MB): ten large messages go to the function in several
// invocations, not in one event that Lambda could not deliver.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import type { Log } from './emulators';
import type { LocalFunction } from './lambda';
import type { LocalQueue } from './provision';

export interface SqsEventSourceOptions {
  readonly sqs: SQSClient;
  readonly queue: LocalQueue;
  readonly consumer: LocalFunction;
  readonly region: string;
  readonly retryDelaySeconds: number;
  /** Batches in flight at once (Lambda scales out; two keep ordering effects visible). */
  readonly concurrency?: number;
  /** Deliveries already made before a restart, by MessageId. */
  readonly receiveCounts?: Map<string, number>;
  readonly log: Log;
}

/** Lambda's limit on a synchronous invocation's payload; event source mappings keep their batches under it. */
export const invocationPayloadLimitBytes = 6 * 1024 * 1024;

export interface SqsEventSource {
  /** Deliveries so far of a message still in the queue. */
  receiveCount(messageId: string): number | undefined;
  /** Stops polling and waits for the batches in flight. */
  stop(): Promise<void>;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

function toLambdaAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    result[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      dataType: value.DataType ?? 'String',
    };
  }
  return result;
}

export function toSqsRecord(message: Message, receiveCount: number, queueArn: string, region: string): SQSRecord {
  const record: SQSRecord = {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ...(message.Attributes as Partial<SQSRecordAttributes> | undefined),
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: message.Attributes?.SenderId ?? 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: toLambdaAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
  if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

/**
 * The records in groups, in order, whose events stay within `limitBytes`
 * (Lambda fills a batch up to its payload limit, then starts the next).
 */
export function invocationGroups(records: readonly SQSRecord[], limitBytes: number = invocationPayloadLimitBytes): SQSRecord[][] {
  const envelope = Buffer.byteLength(JSON.stringify({ Records: [] }));
  const groups: SQSRecord[][] = [];
  let current: SQSRecord[] = [];
  let size = envelope;
  for (const record of records) {
    const bytes = Buffer.byteLength(JSON.stringify(record));
    // A record after the first also adds a comma.
    if (current.length > 0 && size + 1 + bytes > limitBytes) {
      groups.push(current);
      current = [];
      size = envelope;
    }
    size += (current.length > 0 ? 1 : 0) + bytes;
    current.push(record);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * The message ids to retry, after Lambda's rules: no response, an empty or null
 * list succeed; an identifier that is empty or not in the batch fails it all.
 */
export function failedMessageIds(result: unknown, batchIds: readonly string[]): Set<string> {
  const all = new Set(batchIds);
  if (result === undefined || result === null || typeof result !== 'object') return new Set();
  const failures = (result as Partial<SQSBatchResponse>).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return all;
  const failed = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !all.has(id)) return all;
    failed.add(id);
  }
  return failed;
}

export function startSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  const { sqs, queue, consumer, region, log } = options;
  const counts = options.receiveCounts ?? new Map<string, number>();
  const definition = queue.definition;
  let running = true;

  async function poll(): Promise<void> {
    while (running) {
      let messages: Message[];
      try {
        const received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: definition.batchSize,
            // local-aws-sqs waits the whole time unless the batch fills, which
            // is what Lambda's batching window does.
            WaitTimeSeconds: Math.max(1, definition.maxBatchingWindowSeconds),
            AttributeNames: ['All'], // local-aws-sqs knows only the older name
            MessageAttributeNames: ['All'],
          }),
        );
        messages = received.Messages ?? [];
      } catch (error) {
        if (!running) break;
        log(`${queue.name}: ReceiveMessage failed: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      // Messages received while stopping are still processed: they are already invisible.
      if (messages.length === 0) continue;
      try {
        await handleBatch(messages);
      } catch (error) {
        // What was not deleted comes back after its visibility timeout.
        log(`${queue.name}: batch handling failed: ${(error as Error).message}`);
      }
    }
  }

  async function handleBatch(messages: Message[]): Promise<void> {
    const due = new Map<string, Message>();
    const records: SQSRecord[] = [];
    for (const message of messages) {
      const id = message.MessageId ?? '';
      const count = (counts.get(id) ?? 0) + 1;
      if (count > definition.maxReceiveCount) {
        await moveToDlq(message);
        continue;
      }
      counts.set(id, count);
      due.set(id, message);
      records.push(toSqsRecord(message, count, queue.arn, region));
    }
    for (const group of invocationGroups(records)) {
      await invoke(group.map((record) => due.get(record.messageId) as Message), group);
    }
  }

  async function invoke(batch: Message[], records: SQSRecord[]): Promise<void> {
    const ids = records.map((record) => record.messageId);
    let failed: Set<string>;
    try {
      const event: SQSEvent = { Records: records };
      failed = failedMessageIds(await consumer.invoke(event), ids);
    } catch (error) {
      log(`${consumer.functionName}: ${(error as Error).stack ?? String(error)}`);
      failed = new Set(ids);
    }

    const succeeded = batch.filter((message) => !failed.has(message.MessageId ?? ''));
    const retried = batch.filter((message) => failed.has(message.MessageId ?? ''));
    for (const part of chunks(succeeded, 10)) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: part.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
      for (const message of part) counts.delete(message.MessageId ?? '');
    }
    await retryLater(retried);
  }

  async function retryLater(messages: Message[], delaySeconds = options.retryDelaySeconds): Promise<void> {
    for (const part of chunks(messages, 10)) {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queue.url,
          Entries: part.map((message, i) => ({
            Id: String(i),
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: delaySeconds,
          })),
        }),
      );
    }
  }

  async function moveToDlq(message: Message): Promise<void> {
    try {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.dlq.url,
          MessageBody: message.Body ?? '',
          ...(message.MessageAttributes && Object.keys(message.MessageAttributes).length > 0
            ? { MessageAttributes: message.MessageAttributes }
            : {}),
        }),
      );
    } catch (error) {
      // Deleting it now would lose it: it stays, and the next receive tries the DLQ again.
      log(`${queue.name}: message ${message.MessageId} could not move to ${queue.dlq.name} and stays: ${(error as Error).message}`);
      await retryLater([message], Math.max(1, options.retryDelaySeconds));
      return;
    }
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }));
    counts.delete(message.MessageId ?? '');
    log(`${queue.name}: message ${message.MessageId} moved to ${queue.dlq.name} after ${definition.maxReceiveCount} receives`);
  }

  const workers = Array.from({ length: options.concurrency ?? 2 }, () => poll());

  return {
    receiveCount: (messageId) => counts.get(messageId),
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}
