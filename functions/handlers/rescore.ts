// SQS consumer of the rescore queue: phase 1 of a rescore (functions/app/rescore.ts).
// The schedule, the admin API and the CLI all start a rescore with a message here.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { queues } from '../../lib/resources';
import { rescorePorts } from '../adapters/rescore-ports';
import { fitAndFanOut } from '../app/rescore';
import { functionConfig } from '../shared/config';
import { logger } from '../shared/observability';
import { rescoreMessageSchema } from '../shared/schemas';
import { parseQueueMessage, reportRecords } from './queue-records';

const { tableName, queueUrls } = functionConfig('rescore');
const ports = rescorePorts(tableName, queueUrls);

async function startRescore(record: SQSRecord): Promise<void> {
  const request = parseQueueMessage(record, rescoreMessageSchema, 'rescore request');
  try {
    const job = await fitAndFanOut(ports, request);
    logger.info('rescore fitted and fanned out', { jobId: job.id, asOf: job.asOf, shards: job.progress.shardsTotal });
  } catch (error) {
    // The last attempt marks the job failed, so staff polling it see why instead of "running" for ever.
    const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
    if (request.jobId && receiveCount >= queues.rescore.maxReceiveCount) {
      await ports.jobs.update(request.jobId, { status: 'failed', error: (error as Error).message, finishedAt: new Date().toISOString() });
    }
    throw error;
  }
}

export const handler = middy((event: SQSEvent) => reportRecords(event, startRescore, 'rescore')).use(injectLambdaContext(logger));
