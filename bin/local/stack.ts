// The local stack: emulators, the table and queues from lib/resources.ts, the
// functions' real bundles behind an API Gateway-like HTTP server, and SQS event
// sources. Each function runs in a worker thread of its own with exactly the
// env its definition gives it (lib/resources.ts functionEnvironment), plus what
// the Lambda runtime adds and the emulators' endpoints; no module state is
// shared between functions. DynamoDB Local is a Java child process.
//
// This process's own AWS clients (the admin key bootstrap) find the emulators
// through the AWS_ENDPOINT_URL_* variables set in process.env, so one stack per
// process: tests run each suite in its own vitest fork.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { functionEnvironment, functions, type FunctionName } from '../../lib/resources';
import { shardCustomerList } from '../../functions/adapters/customer-list-migration';
import { allowLoopbackStoreApiEnv } from '../../functions/shared/store-url-policy';
import {
  localCredentials,
  localRegion,
  startDynamoDbLocal,
  startSesEmulator,
  type Emulator,
  type Log,
} from './emulators';
import { createHttpGateway } from './http-gateway';
import {
  bundleFunction,
  createInProcessFunction,
  createLocalFunction,
  lambdaRuntimeEnvironment,
  type HandlerOverrides,
  type LocalFunction,
} from './lambda';
import { claimDataDir, makePrivate, preparePrivateDir } from './data-dir';
import { startLocalSqs } from './local-sqs';
import { ensureQueues, ensureTable, type LocalQueue, type QueueName } from './provision';
import { startLocalScheduler } from './scheduler';
import { startSesEventSource } from './ses-events';
import { startSqsEventSource, type SqsEventSource } from './sqs-event-source';

export { PortInUseError } from './http-gateway';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface LocalStackOptions {
  /** HTTP API port on 127.0.0.1; 0 picks a free one. Default 0. */
  port?: number;
  /** Default `.huitou/` (relative to the working directory). */
  dataDir?: string;
  /** Nothing on disk: DynamoDB in memory, no SQS journal, no local.json. */
  inMemory?: boolean;
  /** Owner API key to create; else HUITOU_ADMIN_KEY, else the one in local.json, else a new one. */
  adminKey?: string;
  /** Default `huitou`; queues are named `<tableName>-<queue>` and `<tableName>-<queue>-dlq`. */
  tableName?: string;
  /** Delay before a failed SQS record is retried; default HUITOU_LOCAL_RETRY_SECONDS or 2. */
  retryDelaySeconds?: number;
  /** Handlers to use instead of the modules in functions/handlers (tests of the harness). */
  handlers?: HandlerOverrides;
  /** Stores the admin key; default ensureApiKey from functions/adapters/api-keys.ts. */
  bootstrapAdminKey?: (key: string) => Promise<void>;
  /** The From address of mail; default HUITOU_EMAIL_FROM, else defaultEmailFrom. */
  emailFrom?: string;
  /** Progress and errors, one line each. Default: silent. */
  log?: Log;
}

/** The sender when neither the options nor HUITOU_EMAIL_FROM name one: the local SES takes any address. */
export const defaultEmailFrom = 'huitou@example.com';

export type QueueUrls = Record<QueueName | `${QueueName}Dlq`, string>;

export interface LocalStack {
  readonly apiUrl: string;
  /** `ses` is the SES endpoint the functions use; GET / there is the mail view, GET /store the sent mail as JSON. */
  readonly endpoints: { readonly dynamodb: string; readonly sqs: string; readonly ses: string };
  /** The sender and the configuration set the functions that mail are given. */
  readonly email: { readonly from: string; readonly configurationSet: string };
  readonly tableName: string;
  readonly queueUrls: QueueUrls;
  readonly adminKey: string;
  /** Absolute data directory, undefined in memory. */
  readonly dataDir: string | undefined;
  /** Sends a schedule's message (lib/resources.ts, by id) to its queue now, as its due time would. */
  fireSchedule(id: string): Promise<void>;
  stop(): Promise<void>;
}

/** What bin/local.ts leaves in <dataDir>/local.json for the CLI. */
export interface LocalConfig {
  apiUrl: string;
  apiKey: string;
}

export function localConfigPath(dataDir: string): string {
  return join(resolve(dataDir), 'local.json');
}

export async function readLocalConfig(dataDir: string): Promise<LocalConfig | undefined> {
  try {
    return JSON.parse(await readFile(localConfigPath(dataDir), 'utf8')) as LocalConfig;
  } catch {
    return undefined;
  }
}

export async function writeLocalConfig(dataDir: string, config: LocalConfig): Promise<void> {
  const path = localConfigPath(dataDir);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600); // writeFile's mode applies only when it creates the file
}

function retryDelayFromEnv(): number {
  const value = Number(process.env.HUITOU_LOCAL_RETRY_SECONDS ?? 2);
  return Number.isFinite(value) && value >= 0 ? value : 2;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log: Log = options.log ?? (() => undefined);
  const inMemory = options.inMemory ?? false;
  const dataDir = inMemory ? undefined : resolve(options.dataDir ?? '.huitou');
  const tableName = options.tableName ?? 'huitou';
  const retryDelaySeconds = options.retryDelaySeconds ?? retryDelayFromEnv();

  // Everything started so far, stopped in reverse order if a later step fails.
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => log(`stop: ${(error as Error).message}`));
    }
    cleanups.length = 0;
  };

  try {
    // Bind the API port first: a port in use fails at once, before Java starts.
    const gateway = createHttpGateway({ log });
    const port = await gateway.listen(options.port ?? 0);
    cleanups.push(() => gateway.close());
    const apiUrl = `http://127.0.0.1:${port}`;

    // The data directory is private and this stack's alone (data-dir.ts).
    if (dataDir) await preparePrivateDir(dataDir);
    const claim = dataDir ? await claimDataDir({ dataDir, dbPath: join(dataDir, 'dynamodb'), log }) : undefined;
    if (claim) cleanups.push(() => claim.release());

    log(inMemory ? 'starting DynamoDB Local (in memory)…' : `starting DynamoDB Local (data in ${join(dataDir ?? '', 'dynamodb')})…`);
    const started = Date.now();
    const [dynamodb, sqsEmulator, ses] = await Promise.all([
      track(
        startDynamoDbLocal({
          ...(dataDir ? { dbPath: join(dataDir, 'dynamodb') } : {}),
          onSpawn: (pid) => claim?.recordDynamoDb(pid),
          log,
        }),
      ),
      track(startLocalSqs({ ...(dataDir ? { journalDir: join(dataDir, 'queues') } : {}), log })),
      track(startSesEmulator()),
    ]);
    log(`emulators ready in ${Date.now() - started} ms`);

    const dynamoClient = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: localRegion, credentials: localCredentials });
    const sqs = new SQSClient({ endpoint: sqsEmulator.endpoint, region: localRegion, credentials: localCredentials });
    cleanups.push(async () => {
      dynamoClient.destroy();
      sqs.destroy();
    });

    const tableState = await ensureTable(dynamoClient, tableName);
    log(`table ${tableName} ${tableState === 'created' ? 'created' : 'found'}`);
    if (tableState === 'existing') {
      const moved = await shardCustomerList(tableName, DynamoDBDocumentClient.from(dynamoClient));
      if (moved > 0) log(`moved ${moved} customers of an earlier version to their list shards`);
    }
    if (dataDir) await makePrivate(dataDir); // DynamoDB Local's file exists by now
    const localQueues = await ensureQueues(sqs, tableName);
    const queueUrls = {} as QueueUrls;
    for (const queue of Object.values(localQueues)) {
      queueUrls[queue.key] = queue.url;
      queueUrls[`${queue.key}Dlq`] = queue.dlq.url;
    }

    // SES's event publishing: mail sent with this configuration set gives the
    // events SES would, on the sesEvents queue (ses-events.ts).
    const email = { from: options.emailFrom ?? (process.env.HUITOU_EMAIL_FROM || defaultEmailFrom), configurationSet: tableName };
    const sesWithEvents = await track(
      startSesEventSource({
        emulator: ses.endpoint,
        configurationSet: email.configurationSet,
        region: localRegion,
        publish: async (event) => {
          await sqs.send(
            new SendMessageCommand({ QueueUrl: localQueues.sesEvents.url, MessageBody: event.body, DelaySeconds: event.delaySeconds }),
          );
        },
        log,
      }),
    );

    // The emulators, for the AWS SDK's own AWS_ENDPOINT_URL_<SERVICE> variables.
    const endpointEnvironment = {
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SQS: sqsEmulator.endpoint,
      AWS_ENDPOINT_URL_SESV2: sesWithEvents.endpoint,
    };
    Object.assign(process.env, {
      ...endpointEnvironment,
      AWS_REGION: localRegion,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    });
    delete process.env.AWS_SESSION_TOKEN;

    // Messages journaled before the last stop (or crash) go back before any consumer runs.
    const receiveCounts = await sqsEmulator.restore();

    // A function that fails to initialize is reported here; its invocations fail like a Lambda init error.
    const localFunctions = await startFunctions({
      stackName: tableName,
      overrides: options.handlers,
      log,
      environmentOf: (name) => ({
        ...functionEnvironment(name, {
          tableName,
          queueUrl: (queue) => localQueues[queue].url,
          dlqUrl: (queue) => localQueues[queue].dlq.url,
          email: () => email,
          publicUrl: () => apiUrl,
        }),
        ...endpointEnvironment,
        // Local only: store API fakes listen on loopback over http.
        [allowLoopbackStoreApiEnv]: '1',
        ...developerKnobs(),
      }),
    });
    cleanups.push(async () => {
      await Promise.all(Object.values(localFunctions).map((fn) => fn.stop()));
    });

    const adminKey = await bootstrapAdminKey(options, tableName, dataDir);
    log('admin key ready');

    const eventSources: { queue: LocalQueue; source: SqsEventSource }[] = [];
    for (const queue of Object.values(localQueues)) {
      const consumer = localFunctions[queue.definition.consumer];
      eventSources.push({
        queue,
        source: startSqsEventSource({
          sqs,
          queue,
          consumer,
          concurrency: queue.definition.maxConcurrency,
          region: localRegion,
          retryDelaySeconds,
          receiveCounts: receiveCounts.get(queue.name) ?? new Map(),
          log,
        }),
      });
    }

    gateway.setInvoke((fn, event) => localFunctions[fn].invoke(event));

    // EventBridge Scheduler's part: the schedules send to their queues (scheduler.ts).
    const scheduler = startLocalScheduler({
      send: async (queue, body) => {
        await sqs.send(new SendMessageCommand({ QueueUrl: localQueues[queue].url, MessageBody: body }));
      },
      log,
    });
    cleanups.push(async () => scheduler.stop());

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        log('stopping…');
        scheduler.stop();
        // No new requests, then no new batches; what is left in the queues is in the journal.
        await gateway.close();
        await Promise.all(eventSources.map(({ source }) => source.stop()));
        await cleanUp();
        log('stopped');
      })();
      return stopping;
    };

    return {
      apiUrl,
      endpoints: { dynamodb: dynamodb.endpoint, sqs: sqsEmulator.endpoint, ses: sesWithEvents.endpoint },
      email,
      tableName,
      queueUrls,
      adminKey,
      dataDir,
      fireSchedule: (id) => scheduler.fire(id),
      stop,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }

  async function track<T extends Emulator>(starting: Promise<T>): Promise<T> {
    const emulator = await starting;
    cleanups.push(() => emulator.stop());
    return emulator;
  }
}

/** Variables a developer may set for the local stack's functions (log level, metrics off). */
const developerKnobNames = ['POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_DEV'] as const;

function developerKnobs(): Record<string, string> {
  const knobs: Record<string, string> = {};
  for (const name of developerKnobNames) {
    const value = process.env[name];
    if (value !== undefined) knobs[name] = value;
  }
  return knobs;
}

async function startFunctions(input: {
  stackName: string;
  overrides: HandlerOverrides | undefined;
  log: Log;
  environmentOf: (name: FunctionName) => Record<string, string>;
}): Promise<Record<FunctionName, LocalFunction>> {
  const names = Object.keys(functions) as FunctionName[];
  const started = await Promise.all(
    names.map(async (name) => {
      const definition = functions[name];
      const functionName = `${input.stackName}-${definition.id}`;
      const override = input.overrides?.[name];
      if (override) {
        return createInProcessFunction({ name, functionName, definition, region: localRegion, handler: override });
      }
      const env = {
        ...lambdaRuntimeEnvironment({ functionName, definition, region: localRegion, credentials: localCredentials }),
        ...input.environmentOf(name),
      };
      const bundle = await bundleFunction(projectRoot, name, definition);
      return createLocalFunction({ name, functionName, definition, region: localRegion, bundle, env });
    }),
  );
  await Promise.all(
    started.map((fn) => fn.ready.catch((error: unknown) => input.log(`${fn.name}: ${(error as Error).message}`))),
  );
  return Object.fromEntries(started.map((fn) => [fn.name, fn])) as Record<FunctionName, LocalFunction>;
}

async function bootstrapAdminKey(options: LocalStackOptions, tableName: string, dataDir: string | undefined): Promise<string> {
  const stored = dataDir ? (await readLocalConfig(dataDir))?.apiKey : undefined;
  const given = options.adminKey ?? process.env.HUITOU_ADMIN_KEY ?? stored;
  if (options.bootstrapAdminKey) {
    const key = given ?? `hk_${randomBytes(32).toString('base64url')}`;
    await options.bootstrapAdminKey(key);
    return key;
  }
  // Imported only now: its DynamoDB client is configured from the env set above.
  const apiKeys = await import('../../functions/adapters/api-keys');
  const key = given ?? apiKeys.generateApiKey();
  await apiKeys.ensureApiKey({ tableName, key, role: 'owner' });
  return key;
}
