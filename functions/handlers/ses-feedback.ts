// SQS consumer of the sesEvents queue: one SES event per message, applied to
// its message record, the campaign's counters and the address's suppression
// (functions/app/ses-feedback.ts). Logs carry ids, never addresses.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoMessageEventStore } from '../adapters/message-events';
import { DynamoAddressSuppressions } from '../adapters/suppression-store';
import { applySesEvent } from '../app/ses-feedback';
import { sesEventSchema } from '../domain/campaigns/ses-events';
import { functionConfig } from '../shared/config';
import { logger } from '../shared/observability';
import { parseQueueMessage, reportRecords } from './queue-records';

const { tableName } = functionConfig('sesFeedback');
const ports = { messages: new DynamoMessageEventStore(tableName), suppressions: new DynamoAddressSuppressions(tableName) };

async function applyRecord(record: SQSRecord): Promise<void> {
  const event = parseQueueMessage(record, sesEventSchema, 'SES event');
  const result = await applySesEvent(ports, event, new Date());
  if (result.outcome === 'unknown_message') {
    logger.warn('SES event for a message huitou has no record of; dropped', {
      eventId: event.id,
      eventType: event.detail.eventType,
      messageId: result.messageId,
    });
    return;
  }
  logger.info('SES event applied', { eventId: event.id, ...result });
}

export const handler = middy((event: SQSEvent) => reportRecords(event, applyRecord, 'sesEvents')).use(injectLambdaContext(logger));
