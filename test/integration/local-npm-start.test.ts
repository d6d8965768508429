// `npm start` as a user runs it: two stacks at once on different ports, which
// the CLI finds, a port already in use, and a clean stop on SIGTERM that leaves
// no Java and no discovery file behind.
// This uses the real handler modules and functions/adapters/api-keys.ts.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { run as huitou } from '../../bin/huitou';
import { freePort } from '../../bin/local/emulators';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tsx = join(root, 'node_modules/.bin/tsx');

interface Run {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const runs: Run[] = [];
/** The stacks' discovery files go here, not among stacks running on this machine. */
const runtimeDir = mkdtempSync(join(tmpdir(), 'huitou-npm-start-'));

function run(command: string, args: string[], env: Record<string, string>, options: { detached?: boolean } = {}): Run {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, HUITOU_IN_MEMORY: '1', XDG_RUNTIME_DIR: runtimeDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const result: Run = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolvePromise) => child.once('exit', (code, signal) => resolvePromise({ code, signal }))),
  };
  child.stdout?.on('data', (chunk: Buffer) => (result.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (result.stderr += chunk.toString()));
  runs.push(result);
  return result;
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The five lines of a ready stack, by their first words. */
function readyLines(stdout: string): { api: string; dynamodb: string; sqs: string; ses: string; key: string } {
  const line = (prefix: string): string => {
    const found = stdout.split('\n').find((l) => l.startsWith(`${prefix} `));
    if (!found) throw new Error(`no "${prefix}" line in ${stdout}`);
    return found.slice(prefix.length + 1);
  };
  return { api: line('huitou ready'), dynamodb: line('dynamodb'), sqs: line('sqs'), ses: line('ses'), key: line('admin key') };
}

function javaArgsOnPort(port: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return ps.split('\n').filter((args) => args.includes('DynamoDBLocal.jar') && args.includes(`-port ${port}`));
}

afterAll(() => {
  // Only if an assertion failed half way: do not leave stacks running.
  for (const { child } of runs) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(runtimeDir, { recursive: true, force: true });
});

/** The CLI, in-process, as a user in the checkout runs it. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await huitou(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { XDG_RUNTIME_DIR: runtimeDir, ...env },
    cwd: root,
  });
  return { code, stdout, stderr };
}

describe('npm start (bin/local.ts)', () => {
  it(
    'runs two stacks at once that the CLI finds, refuses a port in use, and stops cleanly on SIGTERM',
    async () => {
      const [portA, portB] = [await freePort(), await freePort()];
      // A runs as `npx tsx bin/local.ts` in its own process group, stopped the way a
      // terminal does (the group gets the signal); B runs tsx directly and gets SIGTERM alone.
      const a = run('npx', ['tsx', 'bin/local.ts'], { PORT: String(portA), HUITOU_ADMIN_KEY: 'hk_test_a' }, { detached: true });
      const b = run(tsx, ['bin/local.ts'], { PORT: String(portB) });

      await waitFor('both stacks ready', () => a.stdout.includes('admin key ') && b.stdout.includes('admin key '), 90_000);
      const readyA = readyLines(a.stdout);
      const readyB = readyLines(b.stdout);
      expect(readyA.api).toBe(`http://127.0.0.1:${portA}`);
      expect(readyB.api).toBe(`http://127.0.0.1:${portB}`);
      expect(readyA.key).toBe('hk_test_a');
      expect(readyB.key).toMatch(/\S{20,}/);
      expect(new Set([readyA.dynamodb, readyA.sqs, readyA.ses, readyB.dynamodb, readyB.sqs, readyB.ses]).size).toBe(6);
      // The first six lines on stdout, in this order (handlers may log after them).
      expect(a.stdout.split('\n').slice(0, 6).map((line) => line.split(' ')[0])).toEqual(['huitou', 'dynamodb', 'sqs', 'ses', 'mail', 'admin']);
      expect(a.stdout).toContain(`mail view ${readyA.ses}/`);

      for (const api of [readyA.api, readyB.api]) {
        const answer = await fetch(`${api}/no/such/route`);
        expect(answer.status).toBe(404);
        expect(await answer.json()).toMatchObject({ error: { code: 'not_found' } });
      }
      const mailView = await fetch(`${readyA.ses}/store`);
      expect(mailView.status).toBe(200);

      // Two stacks in memory on other ports than 3000, both started here: the CLI
      // names both, and takes the key of the one HUITOU_API_URL picks.
      const ambiguous = await cli(['channels', 'list']);
      expect(ambiguous.code).toBe(2);
      expect(ambiguous.stderr).toContain(`2 local stacks were started in ${root}`);
      expect(ambiguous.stderr).toContain(readyA.api);
      expect(ambiguous.stderr).toContain(readyB.api);
      const picked = await cli(['channels', 'list'], { HUITOU_API_URL: readyB.api });
      expect(picked).toMatchObject({ code: 0, stdout: expect.stringContaining('No channels yet') });

      const clash = run(tsx, ['bin/local.ts'], { PORT: String(portA) });
      expect((await clash.exited).code).toBe(1);
      const errors = clash.stderr.split('\n').filter((line) => line.startsWith('huitou:'));
      expect(errors).toEqual([expect.stringContaining(`port ${portA} is already in use`)]);
      expect(clash.stdout).toBe('');

      const javaPorts = [readyA.dynamodb, readyB.dynamodb].map((url) => new URL(url).port);
      expect(javaArgsOnPort(javaPorts[0] ?? '')).toHaveLength(1);

      process.kill(-(a.child.pid ?? 0), 'SIGTERM');
      b.child.kill('SIGTERM');

      expect(await b.exited).toEqual({ code: 0, signal: null });
      await a.exited; // npm itself dies of the signal; the stack below it stops on its own
      await waitFor('stack A stopped', () => a.stderr.includes('\nstopped'), 30_000);
      await waitFor('no Java left', () => javaPorts.every((port) => javaArgsOnPort(port).length === 0), 10_000);
      expect(readdirSync(join(runtimeDir, 'huitou'))).toEqual([]);
    },
    180_000,
  );
});
