// Where a delivery's body travels: in the message up to the queue's limit, in
// the inbox beyond it, and not at all for a replay (its quarantine entry has it).
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { queues } from '../../lib/resources';
import { enqueueDelivery, gunzipBase64, gzipBase64, inboxTtlSeconds, MessageTooLargeError } from '../../functions/adapters/ingest-queue';
import type { IngestMessage } from '../../functions/shared/schemas';
import '../support/handler-env';

const sqs = mockClient(SQSClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/huitou-ingest';
const limit = queues.ingest.maxMessageBytes;

/** A message of exactly `bytes` bytes once serialized. */
function messageOf(bytes: number, extra: Partial<IngestMessage> = {}): IngestMessage {
  const envelope: IngestMessage = {
    v: 1,
    channelId: 'ch_1',
    platform: 'shopify',
    topic: 'orders/create',
    deliveryId: 'd1',
    receivedAt: '2026-01-01T00:00:00Z',
    bodyGzip: '',
    ...extra,
  };
  return { ...envelope, bodyGzip: 'A'.repeat(bytes - Buffer.byteLength(JSON.stringify(envelope))) };
}

function sent(): IngestMessage & { inboxId?: string } {
  return JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!);
}

beforeEach(() => {
  sqs.reset();
  dynamo.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' });
  dynamo.on(PutCommand).resolves({});
});

describe('Adapter: ingest queue', () => {
  it('sends a message of exactly the queue limit as it is', async () => {
    const message = messageOf(limit);

    await enqueueDelivery(queueUrl, message, { tableName: 'huitou-test' });

    expect(sent()).toEqual(message);
    expect(dynamo).not.toHaveReceivedCommand(PutCommand);
  });

  it('puts the body of a message one byte over the limit in the inbox, with a TTL, and sends its id', async () => {
    const message = messageOf(limit + 1);
    const before = Math.floor(Date.now() / 1000);

    await enqueueDelivery(queueUrl, message, { tableName: 'huitou-test' });

    const { bodyGzip: _body, ...header } = message;
    const { inboxId, ...rest } = sent();
    expect(rest).toEqual(header);
    const heads = dynamo.commandCalls(PutCommand).map((call) => call.args[0].input.Item!).filter((item) => item['sk'] === 'INBOX');
    expect(heads).toEqual([expect.objectContaining({ pk: `INBOX#${inboxId}`, expiresAt: expect.any(Number) })]);
    expect(heads[0]!['expiresAt']).toBeGreaterThanOrEqual(before + inboxTtlSeconds);
  });

  it('keeps an inbox body as long as the queue and then its DLQ may hold the message', () => {
    expect(inboxTtlSeconds).toBe((queues.ingest.retentionDays + queues.ingest.dlqRetentionDays) * 86_400);
  });

  it('sends a replay too large for a message without its body', async () => {
    const message = messageOf(limit + 1, { replayOf: 'q_1' });

    await enqueueDelivery(queueUrl, message);

    expect(sent()).toMatchObject({ replayOf: 'q_1', deliveryId: 'd1' });
    expect(sent().bodyGzip).toBeUndefined();
    expect(dynamo).not.toHaveReceivedCommand(PutCommand);
  });

  it('refuses a delivery too large for a message when it has no inbox', async () => {
    await expect(enqueueDelivery(queueUrl, messageOf(limit + 1))).rejects.toThrow(MessageTooLargeError);
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('gives back the exact bytes of any body it gzipped', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (body) => {
        expect(gunzipBase64(gzipBase64(body)).equals(Buffer.from(body))).toBe(true);
      }),
    );
  });

  it('gzips at the fastest level, as its header says (XFL 4)', () => {
    const header = Buffer.from(gzipBase64(Buffer.from('{"id":1}'.repeat(100))), 'base64');

    expect(header[8]).toBe(4);
  });
});
