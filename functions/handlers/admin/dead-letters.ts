// Dead letters: deliveries that failed every retry, with the reason of the
// last failure, and the redrive that sends them back once the cause is fixed.
import { SqsDeadLetterQueue } from '../../adapters/dead-letter-queue';
import { DynamoFailureStore } from '../../adapters/failure-store';
import { redriveDeadLetters } from '../../app/dead-letters';
import { json } from '../../shared/http';
import { logger } from '../../shared/observability';
import { limitOf, query, type RouteTable, type ServedRouteKey } from './router';

export function deadLetterRoutes(input: {
  tableName: string;
  queueUrl: string;
  dlqUrl: string;
  /** How long a redrive may take new batches: it stops short of the function's timeout. */
  redriveBudgetMs: number;
}) {
  const failures = new DynamoFailureStore(input.tableName);
  return {
    'GET /admin/dead-letters': {
      right: 'read',
      run: async ({ event }) =>
        json(200, await failures.listDead({ cursor: query(event, 'cursor'), limit: limitOf(event) })),
    },
    'POST /admin/dead-letters/redrive': {
      right: 'redrive',
      run: async () => {
        const result = await redriveDeadLetters(
          { queue: new SqsDeadLetterQueue(input.dlqUrl, input.queueUrl), failures, now: Date.now },
          { deadlineMs: Date.now() + input.redriveBudgetMs },
        );
        logger.info('dead letters redriven', result);
        return json(200, result);
      },
    },
  } satisfies Partial<RouteTable<ServedRouteKey<'admin'>>>;
}
