// The crash test of issue 5: a subprocess stack (`node --import tsx
// bin/local.ts`, in a process group of its own) is killed with SIGKILL at
// random moments while a store keeps posting signed orders, over several
// rounds, then started once more on the same HUITOU_DATA_DIR. Like a store,
// the sender delivers again whatever did not get 200. Every order must then be
// counted exactly once, the dead-letter queue keeps what it held, and no
// DynamoDB Local of a killed stack is left running: its watchdog ends it, or,
// when the watchdog was killed too, the next start does.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bin/local/emulators';
import { standardHeaders } from '../support/stack';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const adminKey = `hk_crash_${randomBytes(12).toString('hex')}`;
const secret = `whsec_${randomBytes(32).toString('base64')}`;
/** Enough people that two batches in flight rarely write the same customer. */
const customers = 60;
/** The sender stops making new orders here, so the last start has a bounded backlog. */
const maxOrders = 1500;

interface StackProcess {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exited: Promise<number | null>;
}

interface RunningStack extends StackProcess {
  readonly api: string;
  readonly sqs: string;
  readonly javaPid: number;
}

type Kill = 'group' | 'watchdog and group' | 'process';

const children: ChildProcess[] = [];
let dataDir = '';

afterAll(async () => {
  // Only if an assertion failed half way: leave no stack behind.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid ?? 0), 'SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether the process runs; a zombie counts as ended (only its parent has not collected it). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The pid of the one process whose command line matches. */
function pidOf(matches: (args: string) => boolean): number {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  const lines = ps.split('\n').filter(matches);
  expect(lines).toHaveLength(1);
  return Number(lines[0]?.trim().split(' ')[0]);
}

function spawnStack(port: number): StackProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HUITOU_DATA_DIR: dataDir,
      HUITOU_ADMIN_KEY: adminKey,
      HUITOU_LOCAL_RETRY_SECONDS: '0',
      HUITOU_IN_MEMORY: '',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return { child, output, exited };
}

async function startStack(port: number): Promise<RunningStack> {
  const stack = spawnStack(port);
  await waitFor(
    'the stack to be ready',
    () => {
      if (stack.child.exitCode !== null) throw new Error(`the stack exited: ${stack.output.stderr}`);
      return stack.output.stdout.includes('\nadmin key ');
    },
    120_000,
  );
  const line = (prefix: string): string =>
    stack.output.stdout.split('\n').find((l) => l.startsWith(`${prefix} `))?.slice(prefix.length + 1) ?? '';
  const javaPort = new URL(line('dynamodb')).port;
  return {
    ...stack,
    api: line('huitou ready'),
    sqs: line('sqs'),
    javaPid: pidOf((args) => args.includes('DynamoDBLocal.jar') && args.includes(`-port ${javaPort} `)),
  };
}

function kill(stack: RunningStack, how: Kill): void {
  if (how === 'watchdog and group') process.kill(pidOf((args) => args.endsWith(`huitou-watchdog ${stack.javaPid}`)), 'SIGKILL');
  process.kill(how === 'process' ? (stack.child.pid ?? 0) : -(stack.child.pid ?? 0), 'SIGKILL');
}

function orderOf(n: number): { email: string; totalMinor: number; body: string } {
  const email = `crash-${n % customers}@example.com`;
  const totalMinor = 100 * ((n % 5) + 1) + 25;
  const at = '2025-03-14T23:26:41+01:00';
  const body = JSON.stringify({
    type: 'order.created',
    timestamp: at,
    data: {
      id: `crash-${n}`,
      placedAt: at,
      updatedAt: at,
      status: 'open',
      currency: 'EUR',
      total: (totalMinor / 100).toFixed(2),
      customer: { email },
    },
  });
  return { email, totalMinor, body };
}

/** A store: posts orders, keeps every one that did not get 200 to deliver again. */
class Sender {
  readonly accepted = new Set<number>();
  private readonly pending: number[] = [];
  private next = 0;

  constructor(private readonly webhookUrl: string) {}

  get created(): number {
    return this.next;
  }

  /** Posts with `workers` at once until `stop` resolves (or, with `drain`, until all are accepted). */
  async run(input: { workers: number; stop?: Promise<void>; drain?: boolean }): Promise<void> {
    let stopped = false;
    void input.stop?.then(() => (stopped = true));
    const work = async (): Promise<void> => {
      while (!stopped) {
        const n = this.pending.shift() ?? (input.drain || this.next >= maxOrders ? undefined : this.next++);
        if (n === undefined) return;
        const { body } = orderOf(n);
        let status = 0;
        try {
          const response = await fetch(this.webhookUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...standardHeaders(body, secret, `crash-delivery-${n}`) },
            body,
            signal: AbortSignal.timeout(10_000),
          });
          await response.arrayBuffer();
          status = response.status;
        } catch {
          // Killed while in flight: the store does not know, so it delivers again.
        }
        if (status === 200) this.accepted.add(n);
        else this.pending.push(n);
        if (status !== 200 && input.drain) await new Promise((r) => setTimeout(r, 50));
      }
    };
    await Promise.all(Array.from({ length: input.workers }, work));
  }
}

async function admin<T>(api: string, path: string, init: { body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${api}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

interface Figures {
  orders: number;
  grossMinor: number;
}

async function figuresByEmail(api: string): Promise<Map<string, Figures>> {
  const result = new Map<string, Figures>();
  let cursor: string | null = null;
  do {
    const page: { status: number; body: { items: { email: string; figures: Figures }[]; nextCursor: string | null } } = await admin(
      api,
      `/admin/customers?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(page.status).toBe(200);
    for (const { email, figures } of page.body.items) result.set(email, { orders: figures.orders, grossMinor: figures.grossMinor });
    cursor = page.body.nextCursor;
  } while (cursor);
  return result;
}

describe('Local stack crash (kill -9)', () => {
  it(
    'counts every order answered 200 exactly once after SIGKILLs at random moments, keeps the DLQ and leaves no Java',
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'huitou-crash-'));
      const began = Date.now();
      const seconds = (): string => `${((Date.now() - began) / 1000).toFixed(1)} s`;
      const port = await freePort();
      const deadLetters = ['{"dead":"a"}', '{"dead":"b"}', '{"dead":"c"}'];
      const rounds: Kill[] = ['group', 'group', 'watchdog and group', 'process'];
      let sender: Sender | undefined;
      let orphan: number | undefined;

      for (const [index, how] of rounds.entries()) {
        const stack = await startStack(port);
        if (orphan !== undefined) {
          // Assert: the DynamoDB Local that lost its watchdog did not outlive this start.
          expect(running(orphan)).toBe(false);
          expect(stack.output.stderr).toContain(`killed DynamoDB Local (pid ${orphan})`);
          orphan = undefined;
        }
        if (!sender) {
          const channel = await admin<{ webhookUrl: string }>(stack.api, '/admin/channels', {
            body: { platform: 'standard', name: 'Crash shop', webhookSecret: secret },
          });
          expect(channel.status).toBe(201);
          sender = new Sender(channel.body.webhookUrl);
          const sqs = new SQSClient({ endpoint: stack.sqs, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
          const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'huitou-ingest-dlq' }));
          for (const body of deadLetters) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
          sqs.destroy();
        }

        // Act: post for a random while, then SIGKILL.
        const killAfterMs = 300 + Math.floor(Math.random() * 2500);
        const killed = new Promise<void>((resolveKill) =>
          setTimeout(() => {
            kill(stack, how);
            resolveKill();
          }, killAfterMs),
        );
        await sender.run({ workers: 8, stop: killed });
        await stack.exited;
        console.log(`${seconds()}: round ${index + 1}, killed the ${how} after ${killAfterMs} ms; ${sender.accepted.size} of ${sender.created} accepted`);

        if (how === 'watchdog and group') {
          // Nothing is left to end DynamoDB Local now but the next start.
          await new Promise((r) => setTimeout(r, 500));
          expect(running(stack.javaPid)).toBe(true);
          orphan = stack.javaPid;
        } else {
          // Assert: the watchdog took DynamoDB Local down with the stack.
          await waitFor(`DynamoDB Local (pid ${stack.javaPid}) of round ${index + 1} to end`, () => !running(stack.javaPid), 10_000);
        }
      }
      if (!sender) throw new Error('no round ran');

      // Act: start again, deliver what never got 200, let the queue drain.
      const last = await startStack(port);
      console.log(`${seconds()}: started again`);
      await sender.run({ workers: 8, drain: true });
      expect(sender.accepted.size).toBe(sender.created);

      const expected = new Map<string, Figures>();
      for (let n = 0; n < sender.created; n++) {
        const { email, totalMinor } = orderOf(n);
        const figures = expected.get(email) ?? { orders: 0, grossMinor: 0 };
        expected.set(email, { orders: figures.orders + 1, grossMinor: figures.grossMinor + totalMinor });
      }
      const total = (figures: Map<string, Figures>): number => [...figures.values()].reduce((sum, f) => sum + f.orders, 0);
      let counted = new Map<string, Figures>();
      await waitFor(
        `${sender.created} orders counted`,
        async () => {
          counted = await figuresByEmail(last.api);
          return total(counted) >= sender.created;
        },
        120_000,
      ).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}: ${total(counted)} counted; the stack said: ${last.output.stderr.slice(-3000)}`);
      });
      console.log(`${seconds()}: all ${sender.created} counted`);

      // Assert: exact counts per customer, and the dead letters are still there.
      expect(counted).toEqual(expected);
      const sqs = new SQSClient({ endpoint: last.sqs, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'huitou-ingest-dlq' }));
      const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      sqs.destroy();
      expect((dead.Messages ?? []).map((message) => message.Body).sort()).toEqual(deadLetters);

      // Assert: a second stack on the same data directory refuses to start.
      const second = spawnStack(await freePort());
      expect(await second.exited).toBe(1);
      expect(second.output.stderr).toContain(`another local stack (pid ${last.child.pid}) is using`);

      process.kill(last.child.pid ?? 0, 'SIGTERM');
      await last.exited;
      await waitFor('the last DynamoDB Local to end', () => !running(last.javaPid), 10_000);
    },
    400_000,
  );
});
