// SQS consumer: each verified delivery becomes orders, customers and figures
// (functions/app/ingest-delivery.ts). This handler parses the queue message,
// wires the ports, and reports each record: a failure a retry may fix fails
// only its record, which SQS redelivers and finally moves to the DLQ.
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { queues } from '../../lib/resources';
import { fetchBigCommerceCustomer, fetchBigCommerceOrder } from '../adapters/bigcommerce-client';
import { getChannel } from '../adapters/channel-store';
import { DynamoCustomerRepository } from '../adapters/customer-store';
import { capacityMeter } from '../adapters/dynamo-client';
import { DynamoFailureStore } from '../adapters/failure-store';
import { deliveryBody, discardInboxBody } from '../adapters/ingest-queue';
import { privacyPorts } from '../adapters/privacy-store';
import { putQuarantine, setQuarantineStatus } from '../adapters/quarantine-store';
import { attemptDelivery } from '../app/dead-letters';
import { ingestDelivery, type IngestPorts } from '../app/ingest-delivery';
import { attributeOrder } from '../app/attribute-order';
import { refreshCustomer } from '../app/rescore';
import { attributionPorts } from '../adapters/send-store';
import { rescorePorts } from '../adapters/rescore-ports';
import { cachedFor } from '../shared/cache';
import { quarantineId } from '../domain/quarantine';
import { functionConfig } from '../shared/config';
import { HuitouError } from '../shared/errors';
import { logger, metrics } from '../shared/observability';
import { ingestMessageSchema, type IngestMessage } from '../shared/schemas';
import { storeUrlPolicy } from '../shared/store-url-policy';

const { tableName, queueUrls } = functionConfig('processor');
const failures = new DynamoFailureStore(tableName);
const storeApi = { policy: storeUrlPolicy() };
const customers = new DynamoCustomerRepository(tableName);
const scoring = rescorePorts(tableName, queueUrls);
// The model changes once a day; a minute's cache spares a read per delivery.
const currentModel = cachedFor(60_000, scoring.models.get);

const attribution = attributionPorts(tableName);

const ports: IngestPorts<IngestMessage> = {
  channels: { get: (channelId) => getChannel(tableName, channelId) },
  bodies: {
    read: (message) => deliveryBody(tableName, message),
    discard: (message) => discardInboxBody(tableName, message),
  },
  quarantine: {
    idOf: quarantineId,
    put: (entry, body) => putQuarantine(tableName, entry, body),
    markResolved: (entryId) => setQuarantineStatus(tableName, entryId, 'resolved'),
  },
  customers,
  privacy: privacyPorts(tableName),
  storeApi: {
    fetchOrder: (access, orderId) => fetchBigCommerceOrder(access, orderId, storeApi),
    fetchCustomer: (access, customerId) => fetchBigCommerceCustomer(access, customerId, storeApi),
  },
  scores: {
    refresh: async (customerId) => {
      const profile = await customers.getProfile(customerId);
      if (profile) await refreshCustomer({ ...scoring, model: currentModel }, profile);
    },
  },
  attribution: {
    orderChanged: async (order) => {
      await attributeOrder(attribution, order);
    },
  },
  now: () => new Date(),
};

/** A queue message that is not an ingest message: only a bug of ours or a hand-sent message makes one. */
class MalformedMessageError extends HuitouError {}

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
  const done = await ingestDelivery(ports, message);
  const ids = { channelId: message.channelId, deliveryId: message.deliveryId };
  switch (done.result) {
    case 'processed':
      metrics.addMetric(`Deliveries_${done.outcome}`, MetricUnit.Count, 1);
      logger.info('delivery processed', { ...ids, kind: done.kind, outcome: done.outcome });
      return;
    case 'quarantined':
      metrics.addMetric('DeliveriesQuarantined', MetricUnit.Count, 1);
      logger.warn('delivery quarantined', { ...ids, reason: done.reason, issueCount: done.issues.length });
      return;
    case 'skipped':
      logger.info('delivery skipped', { ...ids, why: done.why });
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
