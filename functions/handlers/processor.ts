// SQS consumer: each verified delivery becomes orders, customers and figures.
// A body that cannot be read or fails the schema goes to quarantine (and the
// record succeeds); only a failure a retry may fix fails the record, which SQS
// redelivers and finally moves to the DLQ.
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  fetchBigCommerceCustomer,
  fetchBigCommerceOrder,
  StoreRefusedError,
} from '../adapters/bigcommerce-client';
import { getChannel, type Channel } from '../adapters/channel-store';
import { DynamoCustomerRepository } from '../adapters/customer-store';
import { capacityMeter } from '../adapters/dynamo-client';
import { gunzipBase64 } from '../adapters/ingest-queue';
import { privacyPorts } from '../adapters/privacy-store';
import { putQuarantine, quarantineId, setQuarantineStatus } from '../adapters/quarantine-store';
import { exportPersonData, redactPerson, redactShop } from '../app/privacy';
import type { ChannelEvent } from '../domain/model';
import {
  normalizeBigCommerceCustomer,
  normalizeBigCommerceOrder,
  normalizeWebhook,
  type NormalizeResult,
} from '../domain/normalize/index';
import { payloadDigests } from '../domain/privacy';
import { recordCustomerFacts, recordOrderChange } from '../app/record-events';
import type { DeliveryRef } from '../domain/ports';
import { functionConfig } from '../shared/config';
import { queues } from '../../lib/resources';
import { attemptDelivery } from '../app/dead-letters';
import { DynamoFailureStore } from '../adapters/failure-store';
import { HuitouError } from '../shared/errors';
import { logger, metrics } from '../shared/observability';
import { storeUrlPolicy } from '../shared/store-url-policy';
import { ingestMessageSchema, type IngestMessage } from '../shared/schemas';

const { tableName } = functionConfig('processor');
const repo = new DynamoCustomerRepository(tableName);
const failures = new DynamoFailureStore(tableName);

/** A queue message that is not an ingest message: only a bug of ours or a hand-sent message makes one. */
class MalformedMessageError extends HuitouError {}
const storeApi = { policy: storeUrlPolicy() };
const privacy = privacyPorts(tableName);

/** A delivery huitou cannot use as sent: kept for staff, never retried blindly. */
class Unreadable {
  constructor(
    readonly reason: string,
    readonly issues: string[] = [],
  ) {}
}

function parseBody(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new Unreadable('body is not JSON');
  }
}

function eventOf(result: NormalizeResult): ChannelEvent {
  if (!result.ok) throw new Unreadable(result.reason, result.issues);
  return result.event;
}

function bigCommerceAccess(channel: Channel) {
  if (!channel.apiBaseUrl || !channel.apiToken) {
    throw new Unreadable('channel has no BigCommerce API base URL or token to fetch the resource');
  }
  return { apiBaseUrl: channel.apiBaseUrl, apiToken: channel.apiToken };
}

async function fetched(load: () => Promise<unknown>): Promise<unknown> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof StoreRefusedError) throw new Unreadable(error.message);
    throw error;
  }
}

async function apply(
  event: ChannelEvent,
  message: IngestMessage,
  channel: Channel,
  raw: Buffer,
): Promise<string> {
  const delivery: DeliveryRef = {
    deliveryId: message.deliveryId,
    eventId: message.eventId,
    topic: message.topic,
    receivedAt: message.receivedAt,
  };
  const now = new Date().toISOString();
  const { platform } = message;
  switch (event.kind) {
    case 'order':
    case 'refund':
    case 'order-removed': {
      const result = await recordOrderChange(repo, { platform, change: event, delivery, raw, now });
      if (typeof result !== 'string') throw new Unreadable(result.reason, result.issues);
      return result;
    }
    case 'customer':
      return recordCustomerFacts(repo, {
        channelId: event.channelId,
        facts: event.customer,
        observedAt: event.updatedAt,
        now,
      });
    case 'fetch-order': {
      const order = await fetched(() => fetchBigCommerceOrder(bigCommerceAccess(channel), event.orderId, storeApi));
      const next = eventOf(normalizeBigCommerceOrder(order, { channelId: channel.id }));
      return apply(next, message, channel, Buffer.from(JSON.stringify(order)));
    }
    case 'fetch-customer': {
      const customer = await fetched(() =>
        fetchBigCommerceCustomer(bigCommerceAccess(channel), event.customerId, storeApi),
      );
      return apply(eventOf(normalizeBigCommerceCustomer(customer, { channelId: channel.id })), message, channel, raw);
    }
    case 'redact-customer':
      await redactPerson(privacy, { channelId: event.channelId, subject: event.subject, now });
      return 'redacted';
    case 'data-request':
      await exportPersonData(privacy, { channelId: event.channelId, requestId: event.requestId, subject: event.subject, now });
      return 'exported';
    case 'redact-shop':
      await redactShop(privacy, { channelId: event.channelId, now });
      return 'redacted';
    case 'ignored':
      return 'ignored';
  }
}

async function quarantine(message: IngestMessage, problem: Unreadable, raw: Buffer): Promise<void> {
  const now = new Date().toISOString();
  await putQuarantine(tableName, {
    id: message.replayOf ?? quarantineId(message.channelId, message.deliveryId),
    channelId: message.channelId,
    platform: message.platform,
    topic: message.topic,
    deliveryId: message.deliveryId,
    eventId: message.eventId,
    receivedAt: message.receivedAt,
    reason: problem.reason,
    issues: problem.issues,
    status: 'open',
    updatedAt: now,
    bodyGzip: message.bodyGzip,
    identityDigests: payloadDigests({ channelId: message.channelId, topic: message.topic, raw }),
  });
  metrics.addMetric('DeliveriesQuarantined', MetricUnit.Count, 1);
  logger.warn('delivery quarantined', {
    channelId: message.channelId,
    deliveryId: message.deliveryId,
    reason: problem.reason,
    issueCount: problem.issues.length,
  });
}

/** Our own envelope: a record that does not fit fails on its own, and after maxReceiveCount the DLQ keeps it. */
function parseMessage(record: SQSRecord): IngestMessage {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch (error) {
    throw new MalformedMessageError('the queue message is not JSON', { cause: error });
  }
  const parsed = ingestMessageSchema.safeParse(body);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(body)').join(', ');
    throw new MalformedMessageError(`the queue message is not an ingest message: ${fields}`);
  }
  return parsed.data;
}

function processRecord(record: SQSRecord): Promise<void> {
  return attemptDelivery(
    failures,
    { messageId: record.messageId, body: record.body, receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1 },
    { queue: 'ingest', maxReceiveCount: queues.ingest.maxReceiveCount, now: () => new Date().toISOString() },
    () => processMessage(parseMessage(record)),
  );
}

async function processMessage(message: IngestMessage): Promise<void> {
  const channel = await getChannel(tableName, message.channelId);
  if (!channel || channel.status !== 'active') {
    logger.info('delivery for a removed channel skipped', { channelId: message.channelId });
    return;
  }
  const raw = gunzipBase64(message.bodyGzip);
  try {
    const body = parseBody(raw);
    const event = eventOf(
      normalizeWebhook({
        platform: message.platform,
        topic: message.topic,
        channelId: message.channelId,
        body,
        receivedAt: message.receivedAt,
      }),
    );
    const outcome = await apply(event, message, channel, raw);
    metrics.addMetric(`Deliveries_${outcome}`, MetricUnit.Count, 1);
    logger.info('delivery processed', { channelId: message.channelId, deliveryId: message.deliveryId, kind: event.kind, outcome });
    if (message.replayOf) await setQuarantineStatus(tableName, message.replayOf, 'resolved');
  } catch (error) {
    if (error instanceof Unreadable) return quarantine(message, error, raw);
    throw error;
  }
}

async function processBatch(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const { writeUnits, readUnits } = capacityMeter;
  // A processor per invocation: it keeps the batch's results on itself, and two
  // invocations in one environment must never report each other's records.
  const response = await processPartialResponse(event, processRecord, new BatchProcessor(EventType.SQS), { context });
  metrics.addMetric('WriteCapacityUnits', MetricUnit.Count, capacityMeter.writeUnits - writeUnits);
  metrics.addMetric('ReadCapacityUnits', MetricUnit.Count, capacityMeter.readUnits - readUnits);
  return response;
}

export const handler = middy(processBatch).use(injectLambdaContext(logger)).use(logMetrics(metrics));
