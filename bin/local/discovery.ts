// How the CLI finds a running local stack, wherever it runs: in memory, on any
// PORT, started from another directory. Each stack leaves one file, named by
// its port, in a per-user runtime directory, and removes it when it stops. The
// files hold an owner key, so the directory must be this user's alone: a file
// planted by someone else would point the CLI, and every secret typed into it,
// at their server.
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import * as z from 'zod';

const runningStackSchema = z.object({
  apiUrl: z.url({ protocol: /^https?$/ }),
  apiKey: z.string().min(1),
  pid: z.number().int().positive(),
  cwd: z.string().min(1),
  /** Absolute; null for a stack in memory. */
  dataDir: z.string().min(1).nullable(),
  startedAt: z.string(),
});

export type RunningStackInfo = z.infer<typeof runningStackSchema>;

export interface RunningStack extends RunningStackInfo {
  /** The discovery file it was read from. */
  file: string;
}

type Env = Record<string, string | undefined>;

/** `$XDG_RUNTIME_DIR/huitou` (per user, cleared at logout), else `<tmpdir>/huitou-<uid>`. */
export function discoveryDir(env: Env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && isAbsolute(runtime)) return join(runtime, 'huitou');
  return join(tmpdir(), `huitou-${process.getuid?.() ?? userInfo().username}`);
}

function stackFile(dir: string, port: string): string {
  return join(dir, `stack-${port}.json`);
}

/**
 * Why `dir` cannot be trusted with keys (undefined: a directory only this user
 * can enter). `ownMode`: ours, but open to others, which chmod can fix.
 */
function untrusted(dir: string): { reason: string; ownMode: boolean } | undefined {
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) return { reason: 'it is not a directory', ownMode: false };
  const uid = process.getuid?.();
  if (uid === undefined) return undefined; // Windows: the profile's temp directory is the user's own
  if (stat.uid !== uid) return { reason: `it belongs to uid ${stat.uid}`, ownMode: false };
  if ((stat.mode & 0o077) !== 0) return { reason: `its mode is ${(stat.mode & 0o777).toString(8)}, not 700`, ownMode: true };
  return undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readStack(file: string): RunningStack | undefined {
  try {
    const stat = lstatSync(file);
    const uid = process.getuid?.();
    if (!stat.isFile() || (uid !== undefined && stat.uid !== uid)) return undefined;
    const parsed = runningStackSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? { ...parsed.data, file } : undefined;
  } catch {
    return undefined;
  }
}

function stackFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /^stack-\d+\.json$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/**
 * The stacks whose process is alive. Files of stacks that died without
 * cleaning up are skipped. A directory that is not private is ignored, with a
 * warning, rather than trusted.
 */
export function findRunningStacks(env: Env, warn: (message: string) => void = () => undefined): RunningStack[] {
  const dir = discoveryDir(env);
  let problem: ReturnType<typeof untrusted>;
  try {
    problem = untrusted(dir);
  } catch {
    return []; // no directory: no stack has run since the last reboot
  }
  if (problem) {
    warn(`warning: ignoring running-stack files in ${dir}: ${problem.reason}`);
    return [];
  }
  return stackFiles(dir)
    .map(readStack)
    .filter((stack): stack is RunningStack => stack !== undefined && isAlive(stack.pid));
}

/**
 * Writes this process's discovery file (and removes files of stacks that are
 * gone). Answers a function that removes it again: call it when the stack
 * stops; it is synchronous so a process 'exit' hook can run it. A directory it
 * cannot trust costs only the discovery, with a warning: the stack runs on.
 */
export function announceStack(
  stack: { apiUrl: string; apiKey: string; dataDir: string | undefined },
  { env = process.env, warn }: { env?: Env; warn: (message: string) => void },
): () => void {
  const dir = discoveryDir(env);
  const file = stackFile(dir, new URL(stack.apiUrl).port);
  try {
    writeStackFile(dir, file, stack);
  } catch (error) {
    warn(`the CLI will not find this stack by itself: cannot use ${dir}: ${(error as Error).message}`);
    return () => undefined;
  }
  return () => {
    // Only our own: a stack that started on this port after us owns the file now.
    if (readStack(file)?.pid === process.pid) unlinkQuietly(file);
  };
}

function writeStackFile(dir: string, file: string, stack: { apiUrl: string; apiKey: string; dataDir: string | undefined }): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const problem = untrusted(dir);
  if (problem?.ownMode) chmodSync(dir, 0o700);
  else if (problem) throw new Error(`${problem.reason}; set XDG_RUNTIME_DIR to a private directory`);

  for (const other of stackFiles(dir)) {
    const found = readStack(other);
    if (found && !isAlive(found.pid)) unlinkQuietly(other);
  }

  const info: RunningStackInfo = {
    apiUrl: stack.apiUrl,
    apiKey: stack.apiKey,
    pid: process.pid,
    cwd: process.cwd(),
    dataDir: stack.dataDir ?? null,
    startedAt: new Date().toISOString(),
  };
  // Written aside and renamed: the CLI never reads half a file.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  chmodSync(partial, 0o600); // the mode applies only when writeFile creates the file
  renameSync(partial, file);
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}
