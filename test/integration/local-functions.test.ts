// The local stack's execution environments: each function in a worker thread
// of its own with exactly the env it is given, its own module state, and
// Lambda's behaviour on init errors and timeouts.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLocalFunction, HandlerLoadError, LambdaTimeoutError, type LocalFunction } from '../../bin/local/lambda';
import { functions } from '../../lib/resources';

let dir: string;
const started: LocalFunction[] = [];

async function bundle(name: string, code: string): Promise<string> {
  const file = join(dir, `${name}.js`);
  await writeFile(file, code);
  return file;
}

function start(bundlePath: string, env: Record<string, string>, timeoutSeconds = 5): LocalFunction {
  const fn = createLocalFunction({
    name: 'processor',
    functionName: 'test-fn',
    definition: { ...functions.processor, timeoutSeconds },
    region: 'us-east-1',
    bundle: bundlePath,
    env,
  });
  started.push(fn);
  return fn;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'huitou-fn-'));
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((fn) => fn.stop()));
});

describe('local functions', () => {
  it('runs each function with exactly its env and its own module state', async () => {
    const code = `let calls = 0;
      exports.handler = async () => ({ calls: ++calls, env: { ...process.env } });`;
    const path = await bundle('state', code);
    const a = start(path, { ONLY_A: 'a' });
    const b = start(path, { ONLY_B: 'b' });
    await a.invoke({});
    const fromA = (await a.invoke({})) as { calls: number; env: Record<string, string> };
    const fromB = (await b.invoke({})) as { calls: number; env: Record<string, string> };
    expect(fromA).toEqual({ calls: 2, env: { ONLY_A: 'a' } });
    expect(fromB).toEqual({ calls: 1, env: { ONLY_B: 'b' } });
  });

  it('fails every invocation of a function whose init fails, and tries the init again on the next', async () => {
    const path = await bundle('init', `if (!process.env.NEEDED) throw new Error('NEEDED is missing'); exports.handler = async () => 'ok';`);
    const fn = start(path, {});
    await expect(fn.ready).rejects.toThrow(HandlerLoadError);
    await expect(fn.invoke({})).rejects.toThrow(/NEEDED is missing/);
    await expect(fn.invoke({})).rejects.toThrow(/NEEDED is missing/);
  });

  it('hands back a thrown error with its name and message', async () => {
    const path = await bundle('throws', `exports.handler = async () => { const e = new Error('no'); e.name = 'OddError'; throw e; };`);
    await expect(start(path, {}).invoke({})).rejects.toMatchObject({ name: 'OddError', message: 'no' });
  });

  it('times out a run past the timeout and starts the next invocation cold', async () => {
    const code = `let calls = 0;
      exports.handler = async (event) => { calls += 1; if (event.hang) await new Promise(() => setInterval(() => {}, 1000)); return calls; };`;
    const fn = start(await bundle('timeout', code), {}, 1);
    expect(await fn.invoke({})).toBe(1);
    await expect(fn.invoke({ hang: true })).rejects.toThrow(LambdaTimeoutError);
    expect(await fn.invoke({})).toBe(1);
  });

  it('gives the handler a context with the function name and a deadline', async () => {
    const path = await bundle('context', `exports.handler = async (_e, ctx) => ({ name: ctx.functionName, left: ctx.getRemainingTimeInMillis() });`);
    const answer = (await start(path, {}, 3).invoke({})) as { name: string; left: number };
    expect(answer.name).toBe('test-fn');
    expect(answer.left).toBeGreaterThan(2000);
    expect(answer.left).toBeLessThanOrEqual(3000);
  });
});
