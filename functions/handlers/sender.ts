// SQS consumer of the sends queue: one send task per record
// (functions/app/send-campaign.ts). A failure a retry may fix (the store's
// API, SES, a lost race) fails only its record; SQS retries it, and after
// the queue's maxReceiveCount it goes to the DLQ.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { emailSending } from '../../lib/resources';
import { senderPorts } from '../adapters/campaign-wiring';
import { retryTaskLater } from '../adapters/campaign-queue';
import { retryBackoffSeconds, sendCampaign } from '../app/send-campaign';
import { TransientError } from '../shared/errors';
import { functionConfig } from '../shared/config';
import { logger } from '../shared/observability';
import { sendTaskSchema } from '../shared/schemas';
import { pacedMailer } from '../shared/send-pacer';
import { parseQueueMessage, reportRecords } from './queue-records';

const config = functionConfig('sender');
const wired = senderPorts({ tableName: config.tableName, sendsQueueUrl: config.queueUrls.sends, publicUrl: config.publicUrl });
const ports = { ...wired, mailer: pacedMailer(wired.mailer, emailSending.maxSendRatePerSecond / emailSending.senderConcurrency) };

async function sendRecord(record: SQSRecord): Promise<void> {
  const task = parseQueueMessage(record, sendTaskSchema, 'send task');
  try {
    const outcome = await sendCampaign(ports, config.email, task);
    logger.info('send task done', { campaignId: task.campaignId, customerId: task.customerId, occurrence: task.occurrence, outcome: outcome.kind });
  } catch (error) {
    // A store or SES that is down gets more time before each retry, not one every visibility timeout.
    if (error instanceof TransientError) {
      const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
      await retryTaskLater(config.queueUrls.sends, record.receiptHandle, retryBackoffSeconds(receiveCount));
    }
    throw error;
  }
}

export const handler = middy((event: SQSEvent) => reportRecords(event, sendRecord, 'sends')).use(injectLambdaContext(logger));
