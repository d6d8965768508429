import type { Context } from 'aws-lambda';

export function lambdaContext(input: {
  functionName: string;
  memoryMiB: number;
  timeoutSeconds: number;
  region: string;
}): Context;

export function callHandler(
  handler: (event: never, context: Context, callback: (error?: unknown, result?: unknown) => void) => unknown,
  event: unknown,
  context: Context,
): Promise<unknown>;
