// Runs a function the way Lambda does: the bundle that deploys (same esbuild
// settings as the CDK's NodejsFunction), in an execution environment of its
// own (a worker thread) whose process.env is exactly the function's env, so a
// variable the cloud stack does not give fails here too. Its top level runs
// once (the cold start); each invocation gets a context with a deadline; a run
// past the timeout is an error and, as on Lambda, the environment is replaced.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import type { Callback, Context } from 'aws-lambda';
import { functionBundling, type FunctionDefinition, type FunctionName } from '../../lib/resources';
import { callHandler, lambdaContext } from './lambda-runtime.mjs';

/** Any Lambda handler; `never` lets handlers with a precise event type fit. */
export type LocalHandler = (event: never, context: Context, callback: Callback) => unknown;

/** In-process stand-ins for functions, for tests of the harness itself. */
export type HandlerOverrides = Partial<Record<FunctionName, LocalHandler>>;

export class LambdaTimeoutError extends Error {
  constructor(functionName: string, seconds: number) {
    super(`${functionName}: Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = 'LambdaTimeoutError';
  }
}

export class HandlerLoadError extends Error {
  constructor(functionName: string, options: { cause: unknown }) {
    super(`${functionName}: init failed: ${(options.cause as Error)?.message ?? String(options.cause)}`, options);
    this.name = 'HandlerLoadError';
  }
}

/** An error thrown inside a function, rebuilt on this side with its name and stack. */
export class FunctionError extends Error {
  constructor(serialized: SerializedError) {
    super(serialized.message);
    this.name = serialized.name;
    if (serialized.stack) this.stack = serialized.stack;
  }
}

interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export interface LocalFunction {
  readonly name: FunctionName;
  readonly functionName: string;
  readonly definition: FunctionDefinition;
  /** Resolves once the first environment initialized; rejects with its init error. */
  readonly ready: Promise<void>;
  invoke(event: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

const workerScript = fileURLToPath(new URL('./function-worker.mjs', import.meta.url));

/**
 * Bundles a function's entry as NodejsFunction does and returns the bundle's
 * path (under node_modules/.cache, named by a hash of its content, so
 * concurrent stacks never overwrite each other's bundle).
 */
export async function bundleFunction(projectRoot: string, name: FunctionName, definition: FunctionDefinition): Promise<string> {
  const result = await build({
    entryPoints: [resolve(projectRoot, definition.entry)],
    bundle: true,
    platform: 'node',
    format: functionBundling.format,
    target: functionBundling.target,
    minify: functionBundling.minify,
    keepNames: functionBundling.keepNames,
    sourcemap: functionBundling.sourceMap ? 'external' : false,
    sourcesContent: false,
    external: [...functionBundling.externalModules],
    outfile: 'index.js',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles.find((file) => file.path.endsWith('.js'));
  const map = result.outputFiles.find((file) => file.path.endsWith('.js.map'));
  if (!code) throw new Error(`esbuild produced no bundle for ${definition.entry}`);
  const hash = createHash('sha256').update(code.contents).digest('hex').slice(0, 16);
  const dir = join(projectRoot, 'node_modules', '.cache', 'huitou-local', `${name}-${hash}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'index.js'), code.contents);
  if (map) await writeFile(join(dir, 'index.js.map'), map.contents);
  return join(dir, 'index.js');
}

/** The project's node_modules: stands in for the runtime's /var/runtime/node_modules, which holds the AWS SDK. */
export const runtimeModules = resolve(fileURLToPath(new URL('../../node_modules', import.meta.url)));

/** What the Lambda runtime itself puts in every function's env (credentials and region included). */
export function lambdaRuntimeEnvironment(input: {
  functionName: string;
  definition: FunctionDefinition;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}): Record<string, string> {
  return {
    NODE_PATH: runtimeModules,
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
    AWS_ACCESS_KEY_ID: input.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: input.credentials.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: input.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(input.definition.memoryMiB),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  };
}

/**
 * A function in its own worker thread with exactly `env`. An init failure
 * behaves as on Lambda: every invocation fails with it, and the next one
 * starts a fresh environment that tries the init again.
 */
export function createLocalFunction(input: {
  name: FunctionName;
  functionName: string;
  definition: FunctionDefinition;
  region: string;
  bundle: string;
  env: Record<string, string>;
}): LocalFunction {
  const { functionName, definition } = input;
  let current: Environment | undefined;

  interface Environment {
    worker: Worker;
    ready: Promise<void>;
    pending: Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;
  }

  let nextId = 0;
  function start(): Environment {
    const worker = new Worker(workerScript, {
      env: input.env,
      workerData: {
        bundle: input.bundle,
        functionName,
        memoryMiB: definition.memoryMiB,
        timeoutSeconds: definition.timeoutSeconds,
        region: input.region,
      },
    });
    const pending: Environment['pending'] = new Map();
    const ready = new Promise<void>((resolveReady, rejectReady) => {
      worker.on('message', (message: { type?: string; id?: number; result?: unknown; error?: SerializedError }) => {
        if (message.type === 'ready') return resolveReady();
        if (message.type === 'init-error') {
          rejectReady(new HandlerLoadError(functionName, { cause: new FunctionError(message.error as SerializedError) }));
          return;
        }
        const waiting = pending.get(message.id ?? -1);
        if (!waiting) return;
        pending.delete(message.id ?? -1);
        if (message.error) waiting.reject(new FunctionError(message.error));
        else waiting.resolve(message.result);
      });
      worker.on('error', (error) => {
        rejectReady(new HandlerLoadError(functionName, { cause: error }));
        for (const waiting of pending.values()) waiting.reject(error);
        pending.clear();
      });
      worker.on('exit', (code) => {
        const error = new Error(`${functionName}: execution environment exited with code ${code}`);
        rejectReady(error);
        for (const waiting of pending.values()) waiting.reject(error);
        pending.clear();
        if (current?.worker === worker) current = undefined;
      });
    });
    ready.catch(() => undefined);
    return { worker, ready, pending };
  }

  function replace(environment: Environment): void {
    if (current === environment) current = undefined;
    void environment.worker.terminate();
  }

  current = start();
  const firstReady = current.ready;

  return {
    name: input.name,
    functionName,
    definition,
    ready: firstReady,
    async invoke(event: unknown): Promise<unknown> {
      const environment = (current ??= start());
      try {
        await environment.ready;
      } catch (error) {
        replace(environment);
        throw error;
      }
      const id = nextId++;
      let timer: NodeJS.Timeout | undefined;
      const answer = new Promise<unknown>((resolveAnswer, rejectAnswer) => {
        environment.pending.set(id, { resolve: resolveAnswer, reject: rejectAnswer });
        timer = setTimeout(() => {
          environment.pending.delete(id);
          // Lambda ends the sandbox of a timed-out invocation; the next one starts cold.
          replace(environment);
          rejectAnswer(new LambdaTimeoutError(functionName, definition.timeoutSeconds));
        }, definition.timeoutSeconds * 1000);
      });
      environment.worker.postMessage({ id, event });
      try {
        return await answer;
      } finally {
        clearTimeout(timer);
      }
    },
    async stop(): Promise<void> {
      const environment = current;
      current = undefined;
      if (environment) await environment.worker.terminate();
    },
  };
}

/** A stand-in handler run in this process (tests of the harness; benchmarks that skip a function's work). */
export function createInProcessFunction(input: {
  name: FunctionName;
  functionName: string;
  definition: FunctionDefinition;
  region: string;
  handler: LocalHandler;
}): LocalFunction {
  const { functionName, definition, region, handler } = input;
  return {
    name: input.name,
    functionName,
    definition,
    ready: Promise.resolve(),
    async invoke(event: unknown): Promise<unknown> {
      const context = lambdaContext({
        functionName,
        memoryMiB: definition.memoryMiB,
        timeoutSeconds: definition.timeoutSeconds,
        region,
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new LambdaTimeoutError(functionName, definition.timeoutSeconds)),
          definition.timeoutSeconds * 1000,
        );
      });
      try {
        return await Promise.race([callHandler(handler, event, context), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    stop: async () => undefined,
  };
}
