// SQS consumer of the scoring queue: phase 2 of a rescore, one shard of the
// customers per message (functions/app/rescore.ts).
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { rescorePorts } from '../adapters/rescore-ports';
import { scoreShard } from '../app/rescore';
import { functionConfig } from '../shared/config';
import { logger } from '../shared/observability';
import { scoringTaskSchema } from '../shared/schemas';
import { parseQueueMessage, reportRecords } from './queue-records';

const { tableName, queueUrls } = functionConfig('scorer');
const ports = rescorePorts(tableName, queueUrls);

function scoreRecord(context: Context) {
  return async (record: SQSRecord): Promise<void> => {
    const task = parseQueueMessage(record, scoringTaskSchema, 'scoring task');
    await scoreShard(ports, task, () => context.getRemainingTimeInMillis());
    logger.info('shard scored', { jobId: task.jobId, shard: task.shard });
  };
}

export const handler = middy((event: SQSEvent, context: Context) => reportRecords(event, scoreRecord(context), 'scoring')).use(
  injectLambdaContext(logger),
);
