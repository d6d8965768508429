// Puts verified deliveries on the ingest queue. The raw body travels gzipped,
// so a 1 MiB webhook fits in one SQS message and is never re-serialized.
import { gunzipSync, gzipSync } from 'node:zlib';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { queues } from '../../lib/resources';
import type { IngestMessage } from '../shared/schemas';
import { HuitouError } from '../shared/errors';

let client: SQSClient | undefined;

function sqs(): SQSClient {
  client ??= new SQSClient({});
  return client;
}

export class MessageTooLargeError extends HuitouError {}

export function gzipBase64(body: Uint8Array): string {
  return gzipSync(body).toString('base64');
}

export function gunzipBase64(encoded: string): Buffer {
  return gunzipSync(Buffer.from(encoded, 'base64'));
}

export async function enqueueDelivery(queueUrl: string, message: IngestMessage): Promise<void> {
  const body = JSON.stringify(message);
  if (Buffer.byteLength(body) > queues.ingest.maxMessageBytes) {
    throw new MessageTooLargeError(`delivery is ${Buffer.byteLength(body)} bytes once compressed`);
  }
  await sqs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
}
