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
    // A customer's orders by time: the profile page and privacy requests.
    {
      indexName: 'ordersByCustomer',
      partitionKey: { name: 'customerId', type: 'S' },
      sortKey: { name: 'placedAtUtc', type: 'S' },
    },
  ],
} as const satisfies TableDefinition;

export type IndexName = (typeof table.indexes)[number]['indexName'];

export interface QueueDefinition {
  readonly id: string;
  /** Env variable through which functions learn the queue URL. */
  readonly urlEnv: string;
  /** The function that consumes the queue, a key of `functions`. */
  readonly consumer: FunctionName;
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

export interface FunctionDefinition {
  readonly id: string;
  /** Path from the project root to the handler file; the export is `handler`. */
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
  readonly description: string;
}

export const functions = {
  webhook: {
    id: 'WebhookFunction',
    entry: 'functions/handlers/webhook.ts',
    timeoutSeconds: 10,
    memoryMiB: 512,
    description: 'Verifies marketplace webhooks and enqueues them',
  },
  processor: {
    id: 'ProcessorFunction',
    entry: 'functions/handlers/processor.ts',
    timeoutSeconds: 60,
    memoryMiB: 1024,
    description: 'Turns queued webhooks into orders and customers',
  },
  admin: {
    id: 'AdminFunction',
    entry: 'functions/handlers/admin.ts',
    timeoutSeconds: 29,
    memoryMiB: 512,
    description: 'Admin API for store staff and the huitou CLI',
  },
} as const satisfies Record<string, FunctionDefinition>;

export type FunctionName = keyof typeof functions;

export const queues = {
  ingest: {
    id: 'IngestQueue',
    urlEnv: 'INGEST_QUEUE_URL',
    consumer: 'processor',
    batchSize: 10,
    maxBatchingWindowSeconds: 1,
    visibilityTimeoutSeconds: 6 * functions.processor.timeoutSeconds,
    maxReceiveCount: 5,
    retentionDays: 14,
    dlqRetentionDays: 14,
    maxMessageBytes: 1024 * 1024,
  },
} as const satisfies Record<string, QueueDefinition>;

export interface RouteDefinition {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'ANY';
  /** API Gateway route path, with {param} and a trailing {proxy+}. */
  readonly path: string;
  readonly function: FunctionName;
}

export const routes = [
  { method: 'POST', path: '/webhooks/{platform}/{channelId}', function: 'webhook' },
  { method: 'ANY', path: '/admin/{proxy+}', function: 'admin' },
] as const satisfies readonly RouteDefinition[];

/** Env variable that carries the table name to every function. */
export const tableNameEnv = 'TABLE_NAME';

/** The largest webhook body huitou accepts (API Gateway's own limit is 10 MB). */
export const maxWebhookBodyBytes = 1024 * 1024;

/**
 * Partition keys of the inbox: bodies too large for an SQS message wait there
 * for the processor. The webhook may PutItem only under this prefix
 * (IAM dynamodb:LeadingKeys).
 */
export const inboxPartitionPrefix = 'INBOX#';
