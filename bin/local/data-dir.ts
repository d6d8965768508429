// The data directory of the local stack holds secrets (channel secrets and API
// key hashes in DynamoDB Local's file, the owner key in local.json) and
// customers' data (queued bodies in the SQS journal), so only its owner may
// read it: the directories are 0700 and the files 0600, also when it was
// created looser by an older version or by hand.
//
// One stack at a time may use it. <dataDir>/stack.pid names the stack and its
// DynamoDB Local (pid and start time, so a reused pid is not mistaken for
// them). A stack that starts while the one named is alive refuses; if that
// stack is gone but its DynamoDB Local is not (its watchdog was killed too),
// the orphan is killed first, so a new Java never runs beside an old one on
// the same files.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Log } from './emulators';

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`another local stack (pid ${pid}) is using ${dataDir}`);
    this.name = 'DataDirInUseError';
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** What the stack keeps in its data directory; anything else there is not ours to change. */
const stackEntries = ['dynamodb', 'queues', 'local.json', 'stack.pid'];

/** Makes `path` and everything below it private: directories 0700, files 0600. Symlinks are left alone. */
async function makeTreePrivate(path: string): Promise<void> {
  try {
    const stats = await lstat(path);
    if (stats.isSymbolicLink()) return;
    const mode = stats.isDirectory() ? 0o700 : 0o600;
    if ((stats.mode & 0o777) !== mode) await chmod(path, mode);
    if (stats.isDirectory()) await Promise.all((await readdir(path)).map((name) => makeTreePrivate(join(path, name))));
  } catch (error) {
    // DynamoDB Local creates and removes its rollback journals while we walk.
    if (!isMissing(error)) throw error;
  }
}

/**
 * Makes the data directory 0700 and what the stack keeps in it private. A
 * data directory pointed at a folder with other content (the project itself)
 * keeps that content's modes: a script there stays executable.
 */
export async function makePrivate(dataDir: string): Promise<void> {
  await chmod(dataDir, 0o700);
  await Promise.all(stackEntries.map((name) => makeTreePrivate(join(dataDir, name))));
}

/** Creates the data directory 0700 (with its parents if needed) and fixes the modes of what the stack keeps there. */
export async function preparePrivateDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await makePrivate(dataDir);
}

interface ProcessMark {
  pid: number;
  /** Start time as the OS reports it; a different value means another process reused the pid. */
  started: string;
}

interface PidFile {
  stack: ProcessMark;
  dynamodb?: ProcessMark;
}

interface ProcessInfo {
  started: string;
  commandLine: string;
}

/** A running process (not a zombie), or undefined. */
function processInfo(pid: number): ProcessInfo | undefined {
  if (existsSync('/proc/self/stat')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name, which may itself hold spaces and parentheses: state is field 3, starttime field 22.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') return undefined;
      return { started: fields[19] ?? '', commandLine: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ') };
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
      throw error;
    }
  }
  // Without /proc (macOS): ps prints state, start time (5 words) and command line, or fails.
  try {
    const line = execFileSync('ps', ['-o', 'stat=,lstart=,command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    const words = line.split(/\s+/);
    if (words[0]?.startsWith('Z')) return undefined;
    return { started: words.slice(1, 6).join(' '), commandLine: words.slice(6).join(' ') };
  } catch {
    return undefined;
  }
}

function alive(mark: ProcessMark | undefined): ProcessInfo | undefined {
  if (!mark) return undefined;
  const info = processInfo(mark.pid);
  return info?.started === mark.started ? info : undefined;
}

function markOf(pid: number): ProcessMark {
  return { pid, started: processInfo(pid)?.started ?? '' };
}

export interface DataDirClaim {
  /** Records the DynamoDB Local just spawned (synchronous: no moment without it on file). */
  recordDynamoDb(pid: number): void;
  /** Removes the pid file after a clean stop. */
  release(): Promise<void>;
}

/**
 * Claims the data directory for this process: refuses if a live stack holds
 * it, kills a DynamoDB Local left on `dbPath` by a stack that is gone.
 */
export async function claimDataDir(input: { dataDir: string; dbPath: string; log: Log }): Promise<DataDirClaim> {
  const path = join(input.dataDir, 'stack.pid');
  let previous: PidFile | undefined;
  try {
    previous = JSON.parse(await readFile(path, 'utf8')) as PidFile;
  } catch (error) {
    if (!isMissing(error) && !(error instanceof SyntaxError)) throw error;
  }
  if (previous && previous.stack.pid !== process.pid && alive(previous.stack)) {
    throw new DataDirInUseError(input.dataDir, previous.stack.pid);
  }
  const orphan = alive(previous?.dynamodb);
  if (previous?.dynamodb && orphan?.commandLine.includes('DynamoDBLocal.jar') && orphan.commandLine.includes(`-dbPath ${input.dbPath} `)) {
    const { pid } = previous.dynamodb;
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (alive(previous.dynamodb)) {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local (pid ${pid}) left by an earlier stack did not end`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    input.log(`killed DynamoDB Local (pid ${pid}) left running on ${input.dbPath} by a stack that ended without stopping it`);
  }

  const stack = markOf(process.pid);
  const write = (content: PidFile): void => writeFileSync(path, `${JSON.stringify(content)}\n`, { mode: 0o600 });
  write({ stack });
  return {
    recordDynamoDb(pid) {
      write({ stack, dynamodb: markOf(pid) });
    },
    async release() {
      await rm(path, { force: true });
    },
  };
}
