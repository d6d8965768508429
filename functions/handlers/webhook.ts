// POST /webhooks/{platform}/{channelId}: verify, enqueue, answer in milliseconds.
// Nothing is parsed here: a signed body that fails the schema is the
// processor's to quarantine, so a processing bug never becomes a non-2xx.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { maxWebhookBodyBytes } from '../../lib/resources';
import { getChannel } from '../adapters/channel-store';
import { enqueueDelivery, gzipBase64, MessageTooLargeError } from '../adapters/ingest-queue';
import { verifyDelivery } from '../adapters/webhook-delivery';
import { isId } from '../domain/ids';
import { platforms, type Platform } from '../domain/model';
import { functionConfig } from '../shared/config';
import { httpError, httpErrors, json, rawBody, type HttpResult } from '../shared/http';
import { logger } from '../shared/observability';

const { tableName, queueUrls } = functionConfig('webhook');
const ingestQueueUrl = queueUrls.ingest;

function isPlatform(value: string | undefined): value is Platform {
  return (platforms as readonly string[]).includes(value ?? '');
}

async function acceptWebhook(event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const platform = event.pathParameters?.['platform'];
  const channelId = event.pathParameters?.['channelId'] ?? '';
  if (!isPlatform(platform)) return httpError(404, 'not_found', `unknown platform ${platform ?? ''}`);

  const body = rawBody(event);
  if (body.length > maxWebhookBodyBytes) {
    return httpError(413, 'payload_too_large', `body is over ${maxWebhookBodyBytes} bytes`);
  }

  // One strongly consistent read per delivery, no cache: a replaced secret, an
  // ended rotation or an erased channel holds for the very next delivery.
  const channel = isId('channel', channelId) ? await getChannel(tableName, channelId) : undefined;
  if (!channel || channel.platform !== platform || channel.status !== 'active') {
    return httpError(404, 'not_found', 'no such channel');
  }
  const verdict = verifyDelivery(platform, channel.webhookSecrets, event.headers, body, Math.floor(Date.now() / 1000));
  if (verdict.kind === 'rejected') {
    logger.warn('webhook rejected', { channelId, platform, reason: verdict.reason });
    return httpError(401, 'bad_signature', 'signature is missing or does not match');
  }
  if (verdict.kind === 'ping') return json(200, { ok: true, ping: true });

  try {
    await enqueueDelivery(ingestQueueUrl, {
      v: 1,
      channelId,
      platform,
      topic: verdict.topic,
      deliveryId: verdict.deliveryId,
      eventId: verdict.eventId,
      receivedAt: new Date().toISOString(),
      bodyGzip: gzipBase64(body),
    });
  } catch (error) {
    if (error instanceof MessageTooLargeError) {
      return httpError(413, 'payload_too_large', error.message);
    }
    // Not accepted: a non-2xx makes the store deliver again later.
    logger.error('could not enqueue a delivery', { channelId, error: error as Error });
    return httpError(503, 'unavailable', 'could not accept the delivery now; retry later');
  }
  logger.info('webhook accepted', { channelId, platform, topic: verdict.topic, deliveryId: verdict.deliveryId });
  return json(200, { ok: true });
}

export const handler = middy(acceptWebhook).use(injectLambdaContext(logger)).use(httpErrors());
