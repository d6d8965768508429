// Puts verified deliveries on the ingest queue and gets their bodies back. The
// raw body travels gzipped in the message; one that would not fit (an
// incompressible body near the 1 MiB webhook limit) waits in the inbox, a blob
// in the table with a TTL, and the message names it.
import { randomBytes } from 'node:crypto';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { queues } from '../../lib/resources';
import type { IngestMessage } from '../shared/schemas';
import { HuitouError } from '../shared/errors';
import { deleteBlob, getBlob, putBlob } from './blob-store';
import { itemKeys } from './dynamo-keys';
import { readQuarantineBody } from './quarantine-store';

let client: SQSClient | undefined;

function sqs(): SQSClient {
  client ??= new SQSClient({});
  return client;
}

export class MessageTooLargeError extends HuitouError {}

/** The inbox item of a message is gone: processed already (it is deleted then) or expired. */
export class InboxBodyMissingError extends HuitouError {}

/**
 * How long an inbox body is kept: the longest a message can wait, in the queue
 * and then in its DLQ, so a redriven message still finds its body.
 */
export const inboxTtlSeconds = (queues.ingest.retentionDays + queues.ingest.dlqRetentionDays) * 86_400;

/**
 * The fastest level: the webhook gzips every body while the store waits, and
 * the message lives only until the processor reads it (it compresses what it
 * keeps on its own). Level 1 took 0.099 ms of CPU where the default took 0.181 ms for
 * the bench's 17 KB order, for a message 16 % larger (BENCHMARKS.md).
 */
export function gzipBase64(body: Uint8Array): string {
  return gzipSync(body, { level: constants.Z_BEST_SPEED }).toString('base64');
}

export function gunzipBase64(encoded: string): Buffer {
  return gunzipSync(Buffer.from(encoded, 'base64'));
}

function messageBytes(message: IngestMessage): number {
  return Buffer.byteLength(JSON.stringify(message));
}

/** The message without its body, which waits elsewhere: in the inbox, or for a replay in its quarantine entry. */
async function bodyOutOfLine(message: IngestMessage, inbox: { tableName: string } | undefined): Promise<IngestMessage> {
  const { bodyGzip, ...rest } = message;
  if (message.replayOf !== undefined) return rest;
  if (inbox === undefined || bodyGzip === undefined) {
    throw new MessageTooLargeError(`delivery is ${messageBytes(message)} bytes once compressed`);
  }
  const inboxId = randomBytes(16).toString('hex');
  await putBlob(inbox.tableName, {
    key: itemKeys.inbox(inboxId),
    data: Buffer.from(bodyGzip, 'base64'),
    expiresAt: Math.floor(Date.now() / 1000) + inboxTtlSeconds,
  });
  return { ...rest, inboxId };
}

/**
 * Sends the delivery. When its message would exceed the queue's limit, the
 * body goes to the inbox of `inbox.tableName` first (without an inbox such a
 * delivery fails with MessageTooLargeError); a replay goes without its body.
 */
export async function enqueueDelivery(
  queueUrl: string,
  message: IngestMessage,
  inbox?: { tableName: string },
): Promise<void> {
  const sent = messageBytes(message) > queues.ingest.maxMessageBytes ? await bodyOutOfLine(message, inbox) : message;
  await sqs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(sent) }));
}

/**
 * The raw body of a queued delivery, wherever it waits. Undefined only for a
 * replay whose quarantined body a privacy request erased meanwhile.
 */
export async function deliveryBody(tableName: string, message: IngestMessage): Promise<Buffer | undefined> {
  if (message.bodyGzip !== undefined) return gunzipBase64(message.bodyGzip);
  if (message.inboxId !== undefined) {
    const stored = await getBlob(tableName, itemKeys.inbox(message.inboxId));
    if (!stored) throw new InboxBodyMissingError(`inbox body ${message.inboxId} is gone (processed already, or expired)`);
    return gunzipSync(stored.data);
  }
  return message.replayOf === undefined ? undefined : readQuarantineBody(tableName, message.replayOf);
}

/** After processing: the body now lives on in the order's payload or in quarantine, where erasure reaches it. */
export async function discardInboxBody(tableName: string, message: IngestMessage): Promise<void> {
  if (message.inboxId !== undefined) await deleteBlob(tableName, itemKeys.inbox(message.inboxId));
}
