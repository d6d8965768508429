// SQS consumer of the customer-events and campaign-runs queues: turns segment
// and stage changes, ticks and campaign runs into send tasks
// (functions/app/match-campaigns.ts).
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { matcherPorts } from '../adapters/campaign-wiring';
import { matchCustomerEvent, runShard, tick } from '../app/match-campaigns';
import { functionConfig } from '../shared/config';
import { logger } from '../shared/observability';
import { matcherMessageSchema } from '../shared/schemas';
import { parseQueueMessage, reportRecords } from './queue-records';

const { tableName, queueUrls } = functionConfig('matcher');
const ports = matcherPorts({ tableName, sendsQueueUrl: queueUrls.sends, campaignRunsQueueUrl: queueUrls.campaignRuns });

function matchRecord(context: Context) {
  return async (record: SQSRecord): Promise<void> => {
    const message = parseQueueMessage(record, matcherMessageSchema, 'customer event or campaign run');
    if ('type' in message) {
      const tasks = await matchCustomerEvent(ports, message);
      if (tasks.length > 0) logger.info('customer event matched', { eventId: message.id, tasks: tasks.length });
    } else if (message.kind === 'tick') {
      const started = await tick(ports);
      if (started.length > 0) logger.info('campaign runs started', { jobs: started.map((job) => job.id) });
    } else {
      await runShard(ports, message, () => context.getRemainingTimeInMillis());
    }
  };
}

export const handler = middy((event: SQSEvent, context: Context) =>
  reportRecords(event, matchRecord(context), ['customerEvents', 'campaignRuns']),
).use(
  injectLambdaContext(logger),
);
