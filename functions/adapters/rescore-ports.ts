// The rescore's ports on DynamoDB and SQS, wired once for the functions that
// score: the rescore, the scorer and the processor's refresh.
import { randomBytes } from 'node:crypto';
import type { CurrentModel, RescorePorts } from '../app/rescore';
import { listCustomerShard, ordersOfCustomer } from './customer-queries';
import { lists } from './dynamo-keys';
import { DynamoJobStore } from './job-store';
import { getCurrentModel, putCurrentModel } from './model-store';
import { DynamoScoreStore } from './score-store';
import { publishCustomerEvents, sendRescoreRequest, sendScoringTasks } from './scoring-queue';

export interface RescoreQueues {
  rescore?: string | undefined;
  scoring?: string | undefined;
  customerEvents?: string | undefined;
}

function needs(url: string | undefined, queue: string): string {
  // Only a wiring bug reaches this: the function's definition does not send to the queue.
  if (url === undefined) throw new Error(`this function does not send to the ${queue} queue`);
  return url;
}

export function rescorePorts(tableName: string, queueUrls: RescoreQueues): RescorePorts {
  return {
    customers: {
      shards: lists.customerShards,
      page: (shard, cursor, limit) => listCustomerShard(tableName, shard, { cursor, limit }),
      ordersOf: (customerId) => ordersOfCustomer(tableName, customerId),
    },
    scores: new DynamoScoreStore(tableName),
    models: { get: () => getCurrentModel(tableName), put: (model: CurrentModel) => putCurrentModel(tableName, model) },
    jobs: new DynamoJobStore(tableName),
    queue: {
      requestRescore: (request) => sendRescoreRequest(needs(queueUrls.rescore, 'rescore'), request),
      startScoring: (tasks) => sendScoringTasks(needs(queueUrls.scoring, 'scoring'), tasks),
      publish: (events) => publishCustomerEvents(needs(queueUrls.customerEvents, 'customerEvents'), events),
    },
    now: () => new Date(),
    newJobId: () => `job_${randomBytes(12).toString('hex')}`,
  };
}
