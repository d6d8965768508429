import { gunzipSync } from 'node:zlib';
import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signBodyHmac, signStandardWebhook } from '../../functions/adapters/signatures';
import { httpEvent, lambdaContext } from '../support/events';
import { setFunctionEnv } from '../support/handler-env';

setFunctionEnv('webhook');

const dynamo = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
let handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body?: string }>;

const shopify = { id: 'ch_5b0f', platform: 'shopify', name: 'Main', webhookSecrets: ['hush'], status: 'active' };
const woo = { id: 'ch_40c', platform: 'woocommerce', name: 'Woo', webhookSecrets: ['woo-secret'], status: 'active' };
const standard = { id: 'ch_57d', platform: 'standard', name: 'Any', webhookSecrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], status: 'active' };
const body = Buffer.from('{"id":450789469,"total_price":"10.00"}');

function webhook(platform: string, channelId: string, headers: Record<string, string>, payload: Buffer = body, base64 = false) {
  return httpEvent({
    method: 'POST',
    path: `/webhooks/${platform}/${channelId}`,
    routeKey: 'POST /webhooks/{platform}/{channelId}',
    pathParameters: { platform, channelId },
    headers,
    body: payload,
    base64,
  });
}

beforeAll(async () => {
  ({ handler } = (await import('../../functions/handlers/webhook')) as never);
});

beforeEach(() => {
  dynamo.reset();
  sqs.reset();
  for (const channel of [shopify, woo, standard]) {
    dynamo.on(GetCommand, { Key: { pk: `CHANNEL#${channel.id}`, sk: 'CHANNEL' } }).resolves({ Item: channel });
  }
  dynamo.on(GetCommand, { Key: { pk: 'CHANNEL#ch_dead', sk: 'CHANNEL' } }).resolves({});
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' });
});

describe('Handler: webhook', () => {
  it('answers 200 and enqueues the raw bytes of a signed Shopify delivery', async () => {
    const headers = {
      'x-shopify-hmac-sha256': signBodyHmac(body, 'hush'),
      'x-shopify-topic': 'orders/create',
      'x-shopify-webhook-id': 'wh-1',
      'x-shopify-event-id': 'ev-1',
    };

    const result = await handler(webhook('shopify', 'ch_5b0f', headers), lambdaContext);

    expect(result.statusCode).toBe(200);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    const sent = JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!);
    expect(sent).toMatchObject({ channelId: 'ch_5b0f', platform: 'shopify', topic: 'orders/create', deliveryId: 'wh-1', eventId: 'ev-1' });
    expect(gunzipSync(Buffer.from(sent.bodyGzip, 'base64')).equals(body)).toBe(true);
  });

  it('verifies a body API Gateway passed base64-encoded', async () => {
    const headers = { 'x-shopify-hmac-sha256': signBodyHmac(body, 'hush'), 'x-shopify-topic': 'orders/create' };

    const result = await handler(webhook('shopify', 'ch_5b0f', headers, body, true), lambdaContext);

    expect(result.statusCode).toBe(200);
  });

  it('answers 401 and stores nothing when the signature is wrong or missing', async () => {
    const wrong = await handler(webhook('shopify', 'ch_5b0f', { 'x-shopify-hmac-sha256': signBodyHmac(body, 'other') }), lambdaContext);
    const missing = await handler(webhook('shopify', 'ch_5b0f', {}), lambdaContext);

    expect([wrong.statusCode, missing.statusCode]).toEqual([401, 401]);
    expect(JSON.parse(wrong.body!)).toMatchObject({ error: { code: 'bad_signature' } });
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('answers 401 to the very next delivery signed with a secret that was just replaced', async () => {
    const rotating = { ...shopify, id: 'ch_0a7e', webhookSecrets: ['old-secret'] };
    const key = { pk: 'CHANNEL#ch_0a7e', sk: 'CHANNEL' };
    const signedWithOld = { 'x-shopify-hmac-sha256': signBodyHmac(body, 'old-secret'), 'x-shopify-topic': 'orders/create' };
    dynamo.on(GetCommand, { Key: key }).resolves({ Item: rotating });
    const before = await handler(webhook('shopify', 'ch_0a7e', signedWithOld), lambdaContext);

    dynamo.on(GetCommand, { Key: key }).resolves({ Item: { ...rotating, webhookSecrets: ['new-secret'] } });
    const after = await handler(webhook('shopify', 'ch_0a7e', signedWithOld), lambdaContext);

    expect([before.statusCode, after.statusCode]).toEqual([200, 401]);
  });

  it('answers 401 to the previous secret as soon as the rotation ends', async () => {
    const rotating = { ...shopify, id: 'ch_0b7e', webhookSecrets: ['new-secret', 'old-secret'] };
    const key = { pk: 'CHANNEL#ch_0b7e', sk: 'CHANNEL' };
    const signedWithOld = { 'x-shopify-hmac-sha256': signBodyHmac(body, 'old-secret'), 'x-shopify-topic': 'orders/create' };
    dynamo.on(GetCommand, { Key: key }).resolves({ Item: rotating });
    const during = await handler(webhook('shopify', 'ch_0b7e', signedWithOld), lambdaContext);

    dynamo.on(GetCommand, { Key: key }).resolves({ Item: { ...rotating, webhookSecrets: ['new-secret'] } });
    const after = await handler(webhook('shopify', 'ch_0b7e', signedWithOld), lambdaContext);

    expect([during.statusCode, after.statusCode]).toEqual([200, 401]);
  });

  it('answers 404 to the very next delivery once the channel is redacted', async () => {
    const closing = { ...shopify, id: 'ch_0c7e' };
    const key = { pk: 'CHANNEL#ch_0c7e', sk: 'CHANNEL' };
    const signed = { 'x-shopify-hmac-sha256': signBodyHmac(body, 'hush'), 'x-shopify-topic': 'orders/create' };
    dynamo.on(GetCommand, { Key: key }).resolves({ Item: closing });
    const before = await handler(webhook('shopify', 'ch_0c7e', signed), lambdaContext);

    dynamo.on(GetCommand, { Key: key }).resolves({ Item: { ...closing, webhookSecrets: [], status: 'redacted' } });
    const after = await handler(webhook('shopify', 'ch_0c7e', signed), lambdaContext);

    expect([before.statusCode, after.statusCode]).toEqual([200, 404]);
  });

  it('reads the channel with a strongly consistent read for every delivery', async () => {
    const signed = { 'x-shopify-hmac-sha256': signBodyHmac(body, 'hush'), 'x-shopify-topic': 'orders/create' };

    for (let i = 0; i < 3; i += 1) await handler(webhook('shopify', 'ch_5b0f', signed), lambdaContext);

    const reads = dynamo.commandCalls(GetCommand).filter((call) => call.args[0].input.Key?.['pk'] === 'CHANNEL#ch_5b0f');
    expect(reads).toHaveLength(3);
    expect(reads.every((call) => call.args[0].input.ConsistentRead === true)).toBe(true);
  });

  it('answers 404 for an unknown channel or a channel of another platform', async () => {
    const unknown = await handler(webhook('shopify', 'ch_dead', {}), lambdaContext);
    const mismatch = await handler(webhook('woocommerce', 'ch_5b0f', {}), lambdaContext);

    expect([unknown.statusCode, mismatch.statusCode]).toEqual([404, 404]);
  });

  it('answers 404 without a read for a channel id huitou never hands out', async () => {
    const statuses = [];
    for (const channelId of ['x'.repeat(3000), 'ch_%', 'CH_5B0F', '']) {
      statuses.push((await handler(webhook('shopify', channelId, {}), lambdaContext)).statusCode);
    }

    expect(statuses).toEqual([404, 404, 404, 404]);
    expect(dynamo).not.toHaveReceivedCommand(GetCommand);
  });

  it('answers 413 for a body over 1 MiB before reading the channel', async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 0x20);

    const result = await handler(webhook('shopify', 'ch_5b0f', {}, big), lambdaContext);

    expect(result.statusCode).toBe(413);
    expect(dynamo).not.toHaveReceivedCommand(GetCommand);
  });

  it('answers 200 to the unsigned WooCommerce ping and enqueues nothing', async () => {
    const result = await handler(webhook('woocommerce', 'ch_40c', {}, Buffer.from('webhook_id=15')), lambdaContext);

    expect(result.statusCode).toBe(200);
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('accepts a Standard Webhooks delivery and rejects a stale timestamp', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (at: number) => ({
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(at),
      'webhook-signature': signStandardWebhook(body, standard.webhookSecrets[0]!, 'msg_1', at),
    });

    const fresh = await handler(webhook('standard', 'ch_57d', sign(now)), lambdaContext);
    const stale = await handler(webhook('standard', 'ch_57d', sign(now - 600)), lambdaContext);

    expect([fresh.statusCode, stale.statusCode]).toEqual([200, 401]);
  });

  it('answers 503 when the queue refuses, so the store delivers again', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('throttled'));
    const headers = { 'x-shopify-hmac-sha256': signBodyHmac(body, 'hush'), 'x-shopify-topic': 'orders/create' };

    const result = await handler(webhook('shopify', 'ch_5b0f', headers), lambdaContext);

    expect(result.statusCode).toBe(503);
  });
});
