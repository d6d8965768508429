// Runs a handler module the way the Lambda Node.js runtime does: the module is
// imported once (its top level is the cold start), each invocation gets a
// context with a deadline, and a run past the function's timeout is an error.
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Callback, Context } from 'aws-lambda';
import type { FunctionDefinition, FunctionName } from '../../lib/resources';

/** Any Lambda handler; `never` lets handlers with a precise event type fit. */
export type LocalHandler = (event: never, context: Context, callback: Callback) => unknown;

export type HandlerOverrides = Partial<Record<FunctionName, LocalHandler>>;

export class LambdaTimeoutError extends Error {
  constructor(functionName: string, seconds: number) {
    super(`${functionName}: Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = 'LambdaTimeoutError';
  }
}

export class HandlerLoadError extends Error {
  constructor(entry: string, options: { cause: unknown }) {
    super(`cannot load ${entry}: ${(options.cause as Error)?.message ?? String(options.cause)}`, options);
    this.name = 'HandlerLoadError';
  }
}

export interface LocalFunction {
  readonly name: FunctionName;
  readonly functionName: string;
  readonly definition: FunctionDefinition;
  invoke(event: unknown): Promise<unknown>;
}

const accountId = '123456789012';

export function createContext(functionName: string, definition: FunctionDefinition, region: string): Context {
  const deadline = Date.now() + definition.timeoutSeconds * 1000;
  const requestId = randomUUID();
  const today = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    memoryLimitInMB: String(definition.memoryMiB),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${today}/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Imports `entry` (a path from the project root) and returns its `handler` export. */
export async function importHandler(projectRoot: string, entry: string): Promise<LocalHandler> {
  try {
    const module = (await import(pathToFileURL(resolve(projectRoot, entry)).href)) as { handler?: unknown };
    if (typeof module.handler !== 'function') throw new Error('the module has no exported function `handler`');
    return module.handler as LocalHandler;
  } catch (error) {
    throw new HandlerLoadError(entry, { cause: error });
  }
}

/**
 * A function ready to invoke. A module that fails to load behaves as on Lambda:
 * the stack still runs and every invocation fails with the init error.
 */
export function createLocalFunction(input: {
  name: FunctionName;
  functionName: string;
  definition: FunctionDefinition;
  region: string;
  handler: Promise<LocalHandler>;
}): LocalFunction {
  const { functionName, definition, region } = input;
  // Keep a rejected load from being reported as unhandled before the first invocation.
  input.handler.catch(() => undefined);
  return {
    name: input.name,
    functionName,
    definition,
    async invoke(event: unknown): Promise<unknown> {
      const handler = await input.handler;
      const context = createContext(functionName, definition, region);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LambdaTimeoutError(functionName, definition.timeoutSeconds)), definition.timeoutSeconds * 1000);
      });
      try {
        return await Promise.race([callHandler(handler, event, context), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Supports async handlers and (legacy) callback handlers alike. */
function callHandler(handler: LocalHandler, event: unknown, context: Context): Promise<unknown> {
  return new Promise((resolvePromise, reject) => {
    const callback: Callback = (error, result) => (error ? reject(error) : resolvePromise(result));
    try {
      const returned = handler(event as never, context, callback);
      if (returned && typeof (returned as PromiseLike<unknown>).then === 'function') {
        (returned as PromiseLike<unknown>).then(resolvePromise, reject);
      } else if (handler.length < 3) {
        resolvePromise(returned);
      }
    } catch (error) {
      reject(error);
    }
  });
}
