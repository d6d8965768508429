// What the Lambda Node.js runtime gives a handler: a context with a deadline,
// and the calling convention for async and (legacy) callback handlers. Plain
// JavaScript, shared by the worker threads (function-worker.mjs), which run
// without a TypeScript loader, and by in-process stand-ins (lambda.ts).
import { randomUUID } from 'node:crypto';

const accountId = '123456789012';

/** A Lambda context for one invocation of `functionName`. */
export function lambdaContext({ functionName, memoryMiB, timeoutSeconds, region }) {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const requestId = randomUUID();
  const today = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    memoryLimitInMB: String(memoryMiB),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${today}/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Calls an async or a callback handler; resolves with its result. */
export function callHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (error, result) => (error ? reject(error) : resolve(result));
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
      else if (handler.length < 3) resolve(returned);
    } catch (error) {
      reject(error);
    }
  });
}
