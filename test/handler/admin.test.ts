import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpEvent, lambdaContext } from '../support/events';
import { setFunctionEnv } from '../support/handler-env';

setFunctionEnv('admin');

const dynamo = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
let handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body?: string }>;

const keyItem = (key: string) => ({ pk: `APIKEY#${createHash('sha256').update(key).digest('hex')}`, sk: 'APIKEY' });

function admin(method: string, path: string, key: string | undefined, body?: unknown) {
  return httpEvent({
    method,
    path,
    routeKey: 'ANY /admin/{proxy+}',
    headers: key ? { authorization: `Bearer ${key}` } : {},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

beforeAll(async () => {
  ({ handler } = (await import('../../functions/handlers/admin')) as never);
});

beforeEach(() => {
  dynamo.reset();
  sqs.reset();
  dynamo.on(GetCommand).resolves({});
  dynamo.on(GetCommand, { Key: keyItem('owner-key') }).resolves({ Item: { id: 'key_1', role: 'owner', createdAt: 'x' } });
  dynamo.on(GetCommand, { Key: keyItem('staff-key') }).resolves({ Item: { id: 'key_2', role: 'staff', createdAt: 'x' } });
  dynamo.on(PutCommand).resolves({});
  dynamo.on(UpdateCommand).resolves({});
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' });
});

describe('Handler: admin', () => {
  it('answers 401 without a bearer key and with an unknown one', async () => {
    const none = await handler(admin('GET', '/admin/customers', undefined), lambdaContext);
    const unknown = await handler(admin('GET', '/admin/customers', 'nope'), lambdaContext);

    expect([none.statusCode, unknown.statusCode]).toEqual([401, 401]);
    expect(JSON.parse(none.body!)).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('answers 403 when a staff key tries an owner route, and writes nothing', async () => {
    const result = await handler(admin('POST', '/admin/channels', 'staff-key', { platform: 'shopify', name: 'x', webhookSecret: 's' }), lambdaContext);

    expect(result.statusCode).toBe(403);
    expect(dynamo).not.toHaveReceivedCommand(PutCommand);
  });

  it('stores a new channel with its secret and answers without it', async () => {
    const result = await handler(
      admin('POST', '/admin/channels', 'owner-key', { platform: 'woocommerce', name: 'Woo', webhookSecret: 'wc-secret' }),
      lambdaContext,
    );

    expect(result.statusCode).toBe(201);
    expect(result.body).not.toContain('wc-secret');
    expect(JSON.parse(result.body!)).toMatchObject({ platform: 'woocommerce', webhookUrl: expect.stringMatching(/^https:\/\/api\.example\.com\/webhooks\/woocommerce\/ch_/) });
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ webhookSecrets: ['wc-secret'], listPk: 'CHANNELS' }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('stores only the hash of a new API key', async () => {
    const result = await handler(admin('POST', '/admin/keys', 'owner-key', { role: 'readonly' }), lambdaContext);
    const { key } = JSON.parse(result.body!) as { key: string };

    expect(result.statusCode).toBe(201);
    const stored = dynamo.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(stored['pk']).toBe(keyItem(key).pk);
    expect(JSON.stringify(stored)).not.toContain(key);
  });

  it('requeues a quarantined delivery with its original bytes', async () => {
    const body = gzipSync(Buffer.from('{"id":1')).toString('base64');
    dynamo.on(GetCommand, { Key: { pk: 'QUARANTINE#q_1', sk: 'QUARANTINE' } }).resolves({
      Item: { id: 'q_1', channelId: 'ch_1', platform: 'shopify', topic: 'orders/create', deliveryId: 'd1', receivedAt: 't', status: 'open', bodyGzip: body },
    });

    const result = await handler(admin('POST', '/admin/quarantine/q_1/replay', 'owner-key'), lambdaContext);

    expect(result.statusCode).toBe(202);
    const sent = JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!);
    expect(sent).toMatchObject({ channelId: 'ch_1', deliveryId: 'd1', bodyGzip: body, replayOf: 'q_1' });
  });

  it('answers 400 naming the field for a bad body and 404 for an unknown route', async () => {
    const bad = await handler(admin('POST', '/admin/channels', 'owner-key', { platform: 'shopify', name: '' }), lambdaContext);
    const unknown = await handler(admin('GET', '/admin/nothing', 'owner-key'), lambdaContext);

    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body!).error.message).toMatch(/webhookSecret/);
    expect(unknown.statusCode).toBe(404);
  });
});
