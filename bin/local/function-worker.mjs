// One Lambda function's execution environment, locally: a worker thread with
// its own process.env (exactly the env the function's definition gives it),
// its own module state, and the bundle AWS would run. Plain JavaScript: it runs
// without a TypeScript loader, as the bundle does on Lambda.
//
// workerData: { bundle: absolute path of the CommonJS bundle, functionName,
// memoryMiB, timeoutSeconds, region }. Messages in: { id, event }. Messages
// out: { type: 'ready' } | { type: 'init-error', error } | { id, result } |
// { id, error }.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { callHandler, lambdaContext } from './lambda-runtime.mjs';

const { bundle } = workerData;

// NODE_OPTIONS cannot reach a thread; honour the one flag functions set.
if ((process.env.NODE_OPTIONS ?? '').includes('--enable-source-maps')) process.setSourceMapsEnabled(true);

function serializeError(error) {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

let handler;
try {
  // The module's top level is the cold start: a missing variable fails here, as on Lambda.
  const loaded = createRequire(bundle)(bundle);
  handler = loaded.handler;
  if (typeof handler !== 'function') throw new Error('the bundle exports no function `handler`');
  parentPort.postMessage({ type: 'ready' });
} catch (error) {
  parentPort.postMessage({ type: 'init-error', error: serializeError(error) });
}

parentPort.on('message', async ({ id, event }) => {
  if (!handler) return;
  try {
    const result = await callHandler(handler, event, lambdaContext(workerData));
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: serializeError(error) });
  }
});
