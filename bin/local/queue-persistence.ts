// local-aws-sqs keeps messages in memory only. So that nothing accepted is lost
// across a restart, stop() drains every queue into <dataDir>/queues/<queue>.json
// (written before the messages are deleted) and the next start sends them again
// (the file is removed after). A crash (SIGKILL) still loses what was queued.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Log } from './emulators';

interface StoredAttribute {
  DataType: string;
  StringValue?: string;
  /** base64 */
  BinaryValue?: string;
}

interface StoredMessage {
  /** The id it had before the restart; SQS gives the re-sent copy a new one. */
  messageId: string;
  body: string;
  messageAttributes: Record<string, StoredAttribute>;
  /** Deliveries already made, so redrive still happens after maxReceiveCount in all. */
  receiveCount: number;
}

interface QueueFile {
  version: 1;
  queueName: string;
  savedAt: string;
  messages: StoredMessage[];
}

export function queueFile(dataDir: string, queueName: string): string {
  return join(dataDir, 'queues', `${queueName}.json`);
}

function storeAttributes(attributes: Record<string, MessageAttributeValue> | undefined): Record<string, StoredAttribute> {
  const stored: Record<string, StoredAttribute> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    stored[name] = {
      DataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { BinaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
    };
  }
  return stored;
}

function loadAttributes(stored: Record<string, StoredAttribute>): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(stored)) {
    attributes[name] = {
      DataType: value.DataType,
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { BinaryValue: Buffer.from(value.BinaryValue, 'base64') } : {}),
    };
  }
  return attributes;
}

async function countMessages(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes: a = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/**
 * Moves every message of the queue into its file and returns how many. Call it
 * after the consumers stopped; messages waiting out a retry delay become
 * visible within `waitSeconds`, anything still hidden after that is reported.
 */
export async function drainQueue(input: {
  sqs: SQSClient;
  queueUrl: string;
  queueName: string;
  dataDir: string;
  waitSeconds: number;
  receiveCount?: (messageId: string) => number | undefined;
  log: Log;
}): Promise<number> {
  const { sqs, queueUrl } = input;
  const taken = new Map<string, Message>();
  const deadline = Date.now() + input.waitSeconds * 1000;
  for (;;) {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 120,
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    for (const message of received.Messages ?? []) taken.set(message.MessageId ?? '', message);
    if ((received.Messages ?? []).length > 0) continue;
    const left = (await countMessages(sqs, queueUrl)) - taken.size;
    if (left <= 0) break;
    if (Date.now() > deadline) {
      input.log(`${input.queueName}: ${left} message(s) stayed invisible and are not saved`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (taken.size === 0) return 0;

  const file = queueFile(input.dataDir, input.queueName);
  const content: QueueFile = {
    version: 1,
    queueName: input.queueName,
    savedAt: new Date().toISOString(),
    messages: [...taken.values()].map((message) => ({
      messageId: message.MessageId ?? '',
      body: message.Body ?? '',
      messageAttributes: storeAttributes(message.MessageAttributes),
      receiveCount: input.receiveCount?.(message.MessageId ?? '') ?? 0,
    })),
  };
  await mkdir(join(input.dataDir, 'queues'), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(content, null, 2), { mode: 0o600 });
  await rename(`${file}.tmp`, file);

  const messages = [...taken.values()];
  for (let i = 0; i < messages.length; i += 10) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.slice(i, i + 10).map((message, j) => ({ Id: String(j), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
  return taken.size;
}

/**
 * Sends the messages saved by drainQueue again and removes the file. Returns
 * the delivery counts by new MessageId for the event source.
 */
export async function restoreQueue(input: {
  sqs: SQSClient;
  queueUrl: string;
  queueName: string;
  dataDir: string;
}): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const file = queueFile(input.dataDir, input.queueName);
  let content: QueueFile;
  try {
    content = JSON.parse(await readFile(file, 'utf8')) as QueueFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return counts;
    throw new Error(`cannot read saved messages from ${file}`, { cause: error });
  }
  for (const message of content.messages) {
    const attributes = loadAttributes(message.messageAttributes);
    const sent = await input.sqs.send(
      new SendMessageCommand({
        QueueUrl: input.queueUrl,
        MessageBody: message.body,
        ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
      }),
    );
    if (sent.MessageId && message.receiveCount > 0) counts.set(sent.MessageId, message.receiveCount);
  }
  // If we crash before this line, the next start sends them once more; consumers are idempotent.
  await rm(file, { force: true });
  return counts;
}
