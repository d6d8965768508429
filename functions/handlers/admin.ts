// /admin/*: the API store staff and the huitou CLI use. Each route is declared
// in lib/resources.ts and served by the module of its resource
// (handlers/admin/); this entry only composes them with the shared router,
// which checks the key on every request and the right each route names.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { findApiKey } from '../adapters/api-keys';
import { functions } from '../../lib/resources';
import { functionConfig } from '../shared/config';
import { httpErrors } from '../shared/http';
import { logger } from '../shared/observability';
import { storeUrlPolicy } from '../shared/store-url-policy';
import { campaignRoutes } from './admin/campaigns';
import { channelRoutes } from './admin/channels';
import { complaintRoutes } from './admin/complaints';
import { customerRoutes } from './admin/customers';
import { deadLetterRoutes } from './admin/dead-letters';
import { exportRoutes } from './admin/exports';
import { importRoutes } from './admin/import';
import { keyRoutes } from './admin/keys';
import { quarantineRoutes } from './admin/quarantine';
import { scoringRoutes } from './admin/scoring';
import { bearerKey, createRouter, type RouteTable, type ServedRouteKey } from './admin/router';

const { tableName, queueUrls, dlqUrls } = functionConfig('admin');

/** Every declared admin route, each served by its resource's module: a route left out fails the compiler. */
const routes: RouteTable<ServedRouteKey<'admin'>> = {
  ...keyRoutes({ tableName }),
  ...channelRoutes({ tableName, urlPolicy: storeUrlPolicy() }),
  ...customerRoutes({ tableName }),
  ...complaintRoutes({ tableName }),
  ...campaignRoutes({ tableName }),
  ...quarantineRoutes({ tableName, ingestQueueUrl: queueUrls.ingest }),
  ...deadLetterRoutes({
    tableName,
    queueUrl: queueUrls.ingest,
    dlqUrl: dlqUrls.ingest,
    // A redrive stops taking new batches 9 s before the function's timeout.
    redriveBudgetMs: (functions.admin.timeoutSeconds - 9) * 1000,
  }),
  ...exportRoutes({ tableName }),
  ...scoringRoutes({ tableName, rescoreQueueUrl: queueUrls.rescore }),
  // A batch stops starting orders 9 s before the function's timeout; the CLI sends the rest again.
  ...importRoutes({ tableName, budgetMs: (functions.admin.timeoutSeconds - 9) * 1000 }),
};

const serveAdmin = createRouter({
  routes,
  authenticate: bearerKey(async (key) => (await findApiKey(tableName, key))?.role),
});

export const handler = middy(serveAdmin).use(injectLambdaContext(logger)).use(httpErrors());
