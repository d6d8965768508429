// The one definition of huitou's table, indexes, queues, functions and routes.
// Plain data with no CDK import: the CDK stack (lib/huitou-stack.ts), the local
// stack (bin/local.ts) and the runtime (index names) all read it, so local and
// cloud cannot drift.

export type KeyType = 'S' | 'N' | 'B';
export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyType;
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
}

export interface TableDefinition {
  readonly id: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly timeToLiveAttribute: string;
  readonly indexes: readonly IndexDefinition[];
}

export const table = {
  id: 'Table',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  indexes: [
    // Lists of one kind of item, newest last: channels, customers, quarantine,
    // exports, and a channel's orders (for shop/redact).
    {
      indexName: 'listByKind',
      partitionKey: { name: 'listPk', type: 'S' },
      sortKey: { name: 'listSk', type: 'S' },
    },
    // A customer's orders by time: the profile page, privacy requests and scoring.
    {
      indexName: 'ordersByCustomer',
      partitionKey: { name: 'customerId', type: 'S' },
      sortKey: { name: 'placedAtUtc', type: 'S' },
    },
    // Customers of one segment or one lifecycle stage, by predicted CLV: the
    // scores item is listed under `SEGMENT#<segment>#<shard>`, a small stage
    // item under `STAGE#<stage>#<shard>` (functions/adapters/dynamo-keys.ts),
    // so `?segment=at_risk&sort=clv` is a Query of 16 shards, not a scan. The
    // sort key is the CLV in minor units, zero-padded, then the customer id:
    // unique, so the merged cursor of the shards is exact.
    {
      indexName: 'byScore',
      partitionKey: { name: 'scorePk', type: 'S' },
      sortKey: { name: 'scoreSk', type: 'S' },
    },
  ],
} as const satisfies TableDefinition;

export type IndexName = (typeof table.indexes)[number]['indexName'];

/**
 * How many listByKind partitions the customer list is spread over: a profile
 * goes to `CUSTOMERS#00`..`CUSTOMERS#15` by a hash of its id
 * (functions/adapters/dynamo-keys.ts). Why 16:
 * - Writes. Every profile write also writes its index entry, about 2 write
 *   units for a 1.1 KB profile, and one index partition takes about 1,000
 *   units/s: some 500 profile writes/s. 16 shards take about 8,000/s, above a
 *   busy store's ingest plus a rescore that rewrites changed customers.
 * - Reads. A page of the customer list is one Query per shard, run in
 *   parallel and merged: 16 small Queries per page is fine for staff, where
 *   hundreds would not be.
 * - Full passes. The rescore fans out one SQS segment per shard: 16 workers
 *   in parallel, about 625,000 customers each at 10 million, a few minutes
 *   of a Lambda at 5,000 customers/s (a segment can also stop and hand on
 *   its cursor).
 * Changing it moves most profiles to another shard, so it needs a migration
 * like the one from the single `CUSTOMERS` partition
 * (functions/adapters/customer-list-migration.ts).
 */
export const customerListShards = 16;

/** Names of huitou's queues; each has a definition in `queues` below. */
export type QueueName = 'ingest' | 'rescore' | 'scoring' | 'customerEvents';

export interface QueueDefinition {
  readonly id: string;
  /**
   * The function that consumes the queue, a key of `functions`; undefined for
   * a queue whose consumers arrive later (customer events wait for campaigns).
   */
  readonly consumer: FunctionName | undefined;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /** AWS guidance: at least 6 x the consumer's timeout, so a retry never overlaps a running batch. */
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly retentionDays: number;
  readonly dlqRetentionDays: number;
  /** SQS allows up to 1 MiB; webhook bodies travel gzipped within it. */
  readonly maxMessageBytes: number;
}

/**
 * What a function may do on the table. `get-only`: GetItem on the base table
 * and nothing else. `read`: item reads and Query on the table and its indexes.
 * `read-write`: `read` plus item writes.
 */
export type TableAccess = 'get-only' | 'read' | 'read-write';

export interface RouteDefinition {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'ANY';
  /** API Gateway route path, with {param} and a trailing {proxy+}. */
  readonly path: string;
}

/**
 * A function and all of its wiring. The CDK stack and the local stack derive
 * its environment (functionEnvironment) and its grants from this and nothing
 * else, so a function cannot need a variable or a right that neither gives it.
 */
export interface FunctionDefinition {
  readonly id: string;
  /** Path from the project root to the handler file; the export is `handler`. */
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
  readonly description: string;
  readonly table: TableAccess;
  /** Queues it sends to: it gets their URL and sqs:SendMessage on each. */
  readonly sendsTo: readonly QueueName[];
  /** Queues whose dead letters it lists and redrives: it gets the DLQ's URL, receives and deletes there. */
  readonly redrives: readonly QueueName[];
  /** HTTP API routes it serves. */
  readonly routes: readonly RouteDefinition[];
  /** Partition-key prefixes where it may also PutItem, whatever its table access (IAM dynamodb:LeadingKeys). */
  readonly putsUnder?: readonly string[];
  /** Schedules that start it, each by a message on a queue it consumes (EventBridge Scheduler in the cloud). */
  readonly schedules?: readonly ScheduleDefinition[];
}

/**
 * A recurring start of a function: EventBridge Scheduler sends `message` to
 * `queue` on `expression` in `timeZone`; the local stack does the same from
 * this definition. A deployment overrides expression and time zone with the
 * CDK context keys, the local stack with the env names in `settings`.
 */
export interface ScheduleDefinition {
  readonly id: string;
  readonly description: string;
  /** EventBridge Scheduler syntax: `cron(min hour day-of-month month day-of-week year)` or `rate(n unit)`. */
  readonly expression: string;
  /** IANA time zone the cron expression is read in. */
  readonly timeZone: string;
  readonly queue: QueueName;
  readonly message: Readonly<Record<string, unknown>>;
  readonly settings: {
    readonly expression: { readonly context: string; readonly env: string };
    readonly timeZone: { readonly context: string; readonly env: string };
  };
}

/**
 * Partition keys of the inbox: bodies too large for an SQS message wait there
 * for the processor. The webhook may PutItem only under this prefix
 * (IAM dynamodb:LeadingKeys).
 */
export const inboxPartitionPrefix = 'INBOX#';


export const functions = {
  webhook: {
    id: 'WebhookFunction',
    entry: 'functions/handlers/webhook.ts',
    timeoutSeconds: 10,
    memoryMiB: 512,
    description: 'Verifies marketplace webhooks and enqueues them',
    table: 'get-only',
    sendsTo: ['ingest'],
    redrives: [],
    routes: [{ method: 'POST', path: '/webhooks/{platform}/{channelId}' }],
    putsUnder: [inboxPartitionPrefix],
  },
  processor: {
    id: 'ProcessorFunction',
    entry: 'functions/handlers/processor.ts',
    timeoutSeconds: 60,
    memoryMiB: 1024,
    description: 'Turns queued webhooks into orders and customers, and refreshes their scores',
    table: 'read-write',
    sendsTo: ['customerEvents'],
    redrives: [],
    routes: [],
  },
  admin: {
    id: 'AdminFunction',
    entry: 'functions/handlers/admin.ts',
    timeoutSeconds: 29,
    memoryMiB: 512,
    description: 'Admin API for store staff and the huitou CLI',
    table: 'read-write',
    sendsTo: ['ingest', 'rescore'],
    redrives: ['ingest'],
    // Each route the admin function serves (functions/handlers/admin/), and a
    // catch-all after them: API Gateway sends a path or method no route
    // declares there too, so the function answers it (401 before anything is
    // revealed, then 404 or 405) instead of the gateway's bare 404.
    routes: [
      { method: 'POST', path: '/admin/keys' },
      { method: 'DELETE', path: '/admin/keys/{keyId}' },
      { method: 'POST', path: '/admin/channels' },
      { method: 'GET', path: '/admin/channels' },
      { method: 'GET', path: '/admin/channels/{channelId}' },
      { method: 'PATCH', path: '/admin/channels/{channelId}' },
      { method: 'POST', path: '/admin/channels/{channelId}/test-delivery' },
      { method: 'POST', path: '/admin/channels/{channelId}/orders/import' },
      { method: 'GET', path: '/admin/customers' },
      { method: 'GET', path: '/admin/customers/{customerId}' },
      { method: 'POST', path: '/admin/customers/{customerId}/unsubscribe' },
      { method: 'POST', path: '/admin/customers/{customerId}/complaints' },
      { method: 'GET', path: '/admin/customers/{customerId}/complaints' },
      { method: 'PATCH', path: '/admin/customers/{customerId}/complaints/{complaintId}' },
      { method: 'POST', path: '/admin/campaigns' },
      { method: 'GET', path: '/admin/campaigns' },
      { method: 'GET', path: '/admin/campaigns/{campaignId}' },
      { method: 'PATCH', path: '/admin/campaigns/{campaignId}' },
      { method: 'GET', path: '/admin/quarantine' },
      { method: 'GET', path: '/admin/quarantine/{quarantineId}' },
      { method: 'POST', path: '/admin/quarantine/{quarantineId}/replay' },
      { method: 'GET', path: '/admin/dead-letters' },
      { method: 'POST', path: '/admin/dead-letters/redrive' },
      { method: 'GET', path: '/admin/exports' },
      { method: 'GET', path: '/admin/exports/{exportId}' },
      { method: 'POST', path: '/admin/rescore' },
      { method: 'GET', path: '/admin/jobs/{jobId}' },
      { method: 'GET', path: '/admin/model' },
      { method: 'GET', path: '/admin/model/backtest' },
      { method: 'GET', path: '/admin/segments' },
      { method: 'ANY', path: '/admin/{proxy+}' },
    ],
  },
  rescore: {
    id: 'RescoreFunction',
    entry: 'functions/handlers/rescore.ts',
    // Phase 1 reads a uniform sample of the base and fits the models: minutes
    // at millions of customers, so Lambda's longest timeout and room to fit.
    timeoutSeconds: 900,
    memoryMiB: 3008,
    description: 'Rescore phase 1: fits the store model and fans the scoring out',
    table: 'read-write',
    sendsTo: ['scoring'],
    redrives: [],
    routes: [],
    schedules: [
      {
        id: 'DailyRescore',
        description: 'Scores every customer again, every day',
        expression: 'cron(0 3 * * ? *)',
        timeZone: 'UTC',
        queue: 'rescore',
        message: { trigger: 'schedule' },
        settings: {
          expression: { context: 'rescoreSchedule', env: 'HUITOU_RESCORE_SCHEDULE' },
          timeZone: { context: 'rescoreTimeZone', env: 'HUITOU_RESCORE_TIME_ZONE' },
        },
      },
    ],
  },
  scorer: {
    id: 'ScorerFunction',
    entry: 'functions/handlers/scorer.ts',
    timeoutSeconds: 900,
    memoryMiB: 1024,
    description: 'Rescore phase 2: scores one shard of the customers and emits their transitions',
    table: 'read-write',
    // A shard that runs out of time hands its cursor on to the scoring queue.
    sendsTo: ['scoring', 'customerEvents'],
    redrives: [],
    routes: [],
  },
} as const satisfies Record<string, FunctionDefinition>;

export type FunctionName = keyof typeof functions;

export const queues = {
  ingest: {
    id: 'IngestQueue',
    consumer: 'processor',
    batchSize: 10,
    maxBatchingWindowSeconds: 1,
    visibilityTimeoutSeconds: 6 * functions.processor.timeoutSeconds,
    maxReceiveCount: 5,
    retentionDays: 14,
    dlqRetentionDays: 14,
    maxMessageBytes: 1024 * 1024,
  },
  rescore: {
    id: 'RescoreQueue',
    consumer: 'rescore',
    batchSize: 1,
    maxBatchingWindowSeconds: 0,
    visibilityTimeoutSeconds: 6 * functions.rescore.timeoutSeconds,
    maxReceiveCount: 3,
    retentionDays: 4,
    dlqRetentionDays: 14,
    maxMessageBytes: 256 * 1024,
  },
  scoring: {
    id: 'ScoringQueue',
    consumer: 'scorer',
    batchSize: 1,
    maxBatchingWindowSeconds: 0,
    visibilityTimeoutSeconds: 6 * functions.scorer.timeoutSeconds,
    maxReceiveCount: 3,
    retentionDays: 4,
    dlqRetentionDays: 14,
    maxMessageBytes: 256 * 1024,
  },
  customerEvents: {
    id: 'CustomerEventsQueue',
    consumer: undefined,
    batchSize: 10,
    maxBatchingWindowSeconds: 1,
    visibilityTimeoutSeconds: 900,
    maxReceiveCount: 5,
    retentionDays: 14,
    dlqRetentionDays: 14,
    maxMessageBytes: 256 * 1024,
  },
} as const satisfies Record<QueueName, QueueDefinition>;

/** A route with the function that serves it. */
export interface ApiRoute extends RouteDefinition {
  readonly function: FunctionName;
}

/** Every route of every function, for the two stacks' gateways. */
export const routes: readonly ApiRoute[] = (Object.keys(functions) as FunctionName[]).flatMap((name) =>
  functions[name].routes.map((route: RouteDefinition) => ({ ...route, function: name })),
);

/** The largest webhook body huitou accepts (API Gateway's own limit is 10 MB). */
export const maxWebhookBodyBytes = 1024 * 1024;

// --- Environment ------------------------------------------------------------

/** Env names, one place: the runtime parses exactly these (functions/shared/config.ts). */
export const envNames = {
  table: 'TABLE_NAME',
  queueUrl: (queue: QueueName): string => `${queue.toUpperCase()}_QUEUE_URL`,
  dlqUrl: (queue: QueueName): string => `${queue.toUpperCase()}_DLQ_URL`,
} as const;

/** Env every function gets, whatever it does (Powertools names; no secrets). */
export const commonEnvironment = {
  POWERTOOLS_SERVICE_NAME: 'huitou',
  POWERTOOLS_METRICS_NAMESPACE: 'huitou',
  // Stack traces point into the TypeScript sources through the .map file next
  // to the bundle. Measured cost: about 20 ms more to load a 0.5 MB bundle.
  NODE_OPTIONS: '--enable-source-maps',
} as const;

/**
 * How every function is bundled, on AWS (NodejsFunction) and locally (the
 * local stack runs the same bundles). The nodejs22.x runtime ships AWS SDK v3,
 * so it stays external.
 */
export const functionBundling = {
  format: 'cjs',
  target: 'node22',
  minify: true,
  // Error classes name themselves after their class (shared/errors.ts); the
  // names reach logs and dead-letter reasons, so minification must keep them.
  keepNames: true,
  sourceMap: true,
  externalModules: ['@aws-sdk/*'],
} as const;

/** Where a stack's resources are: CDK tokens in the cloud, emulator URLs locally. */
export interface ResourceLocations {
  readonly tableName: string;
  queueUrl(queue: QueueName): string;
  dlqUrl(queue: QueueName): string;
}

/** Exactly the env a function's definition gives it; both stacks set this and nothing more of huitou's own. */
export function functionEnvironment(name: FunctionName, where: ResourceLocations): Record<string, string> {
  const definition: FunctionDefinition = functions[name];
  const environment: Record<string, string> = { ...commonEnvironment, [envNames.table]: where.tableName };
  for (const queue of definition.sendsTo) environment[envNames.queueUrl(queue)] = where.queueUrl(queue);
  for (const queue of definition.redrives) {
    environment[envNames.queueUrl(queue)] = where.queueUrl(queue);
    environment[envNames.dlqUrl(queue)] = where.dlqUrl(queue);
  }
  return environment;
}
