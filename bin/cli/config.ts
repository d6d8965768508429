import { readFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { discoveryDir, findRunningStacks, type RunningStack } from '../local/discovery';
import { ConfigError } from './errors';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

export interface LocalStackInfo {
  apiUrl?: string;
  apiKey?: string;
}

export interface ResolvedConfig {
  apiUrl: string;
  apiKey: string;
  /** What to tell the user when nothing answers at apiUrl; undefined: the generic advice. */
  unreachableHint?: string;
}

type Env = Record<string, string | undefined>;

/** Where a stack with a data directory leaves its connection file: `$HUITOU_DATA_DIR/local.json`, else `<cwd>/.huitou/local.json`. */
export function localStackFile(env: Env, cwd: string): string {
  return resolve(cwd, env.HUITOU_DATA_DIR || '.huitou', 'local.json');
}

/** Reads local.json; a missing file means no local stack. A file that is not JSON yields a warning. */
export function readLocalStackInfo(path: string, warn: (message: string) => void): LocalStackInfo {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object') return {};
    const { apiUrl, apiKey } = parsed as Record<string, unknown>;
    return {
      ...(typeof apiUrl === 'string' && apiUrl ? { apiUrl } : {}),
      ...(typeof apiKey === 'string' && apiKey ? { apiKey } : {}),
    };
  } catch (error) {
    warn(`warning: ignoring ${path}: ${(error as Error).message}`);
    return {};
  }
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

function describe(stack: RunningStack): string {
  return `${stack.apiUrl}  pid ${stack.pid}  started in ${stack.cwd}  ${stack.dataDir ? `data in ${stack.dataDir}` : 'in memory'}`;
}

/**
 * The running stacks that belong to this invocation: the one with the data
 * directory HUITOU_DATA_DIR names, else those started in this directory, else
 * in the nearest directory above it (a CLI run from a subdirectory of the
 * checkout).
 */
function stacksHere(stacks: RunningStack[], env: Env, cwd: string): RunningStack[] {
  if (env.HUITOU_DATA_DIR) {
    const dataDir = resolve(cwd, env.HUITOU_DATA_DIR);
    return stacks.filter((s) => s.dataDir === dataDir);
  }
  const here = resolve(cwd);
  const above = stacks.filter((s) => here === s.cwd || here.startsWith(s.cwd.endsWith(sep) ? s.cwd : s.cwd + sep));
  const nearest = Math.max(...above.map((s) => s.cwd.length));
  return above.filter((s) => s.cwd.length === nearest);
}

function fromStack(stack: RunningStack, apiKey: string | undefined): ResolvedConfig {
  return {
    apiUrl: stack.apiUrl,
    apiKey: apiKey ?? stack.apiKey,
    unreachableHint:
      `The local stack started in ${stack.cwd} (pid ${stack.pid}, announced in ${stack.file}) does not answer: ` +
      'it may be stopping or stuck. Restart it with `npm start`.',
  };
}

/**
 * Where the API is and which key to send: the flag, else the environment, else
 * a running local stack (see bin/local/discovery.ts), else the local.json a
 * stack with a data directory left. A key is only taken from a stack or file
 * that names the same URL, so one stack's key is never sent to another. When
 * nothing fits, the ConfigError says exactly what to run or set.
 */
export function resolveConfig(
  flags: { apiUrl?: string | undefined; apiKey?: string | undefined },
  env: Env,
  cwd: string,
  warn: (message: string) => void,
): ResolvedConfig {
  const givenKey = flags.apiKey || env.HUITOU_API_KEY || undefined;
  const stacks = findRunningStacks(env, warn);
  const file = localStackFile(env, cwd);
  const local = readLocalStackInfo(file, warn);

  const givenUrl = flags.apiUrl
    ? { url: flags.apiUrl, source: '--api-url' }
    : env.HUITOU_API_URL
      ? { url: env.HUITOU_API_URL, source: 'HUITOU_API_URL' }
      : undefined;
  if (givenUrl) {
    const apiKey =
      givenKey ??
      stacks.find((s) => sameUrl(s.apiUrl, givenUrl.url))?.apiKey ??
      (local.apiUrl && sameUrl(local.apiUrl, givenUrl.url) ? local.apiKey : undefined);
    if (!apiKey) {
      throw new ConfigError(
        `no API key for ${givenUrl.url} (from ${givenUrl.source}): no running local stack serves that URL.\n` +
          'Pass --api-key <key> or set HUITOU_API_KEY (for a local stack: the "admin key" line `npm start` printed).',
      );
    }
    return { apiUrl: givenUrl.url, apiKey };
  }

  const here = stacksHere(stacks, env, cwd);
  if (here.length === 1) return fromStack(here[0] as RunningStack, givenKey);
  if (here.length > 1 || (stacks.length > 1 && !env.HUITOU_DATA_DIR)) {
    const which = here.length > 1 ? here : stacks;
    const where = here.length > 1 ? `were started in ${resolve(cwd)}` : `are running, none started in ${resolve(cwd)}`;
    throw new ConfigError(
      [
        `${which.length} local stacks ${where}:`,
        ...which.map((s) => `  ${describe(s)}`),
        `Pick one: set HUITOU_API_URL=${which[0]?.apiUrl} (or pass --api-url); the CLI reads that stack's key itself.`,
      ].join('\n'),
    );
  }
  if (stacks.length === 1 && !env.HUITOU_DATA_DIR) {
    const only = stacks[0] as RunningStack;
    warn(`using the local stack at ${only.apiUrl}, started in ${only.cwd}`);
    return fromStack(only, givenKey);
  }

  if (local.apiUrl) {
    const apiKey = givenKey ?? local.apiKey;
    if (!apiKey) throw new ConfigError(`${file} names ${local.apiUrl} but holds no key: pass --api-key or set HUITOU_API_KEY.`);
    return {
      apiUrl: local.apiUrl,
      apiKey,
      unreachableHint:
        `${file} names this URL, but no stack answers there. Start it again with \`npm start\` ` +
        `${env.HUITOU_DATA_DIR ? `and HUITOU_DATA_DIR=${dirname(file)}` : `in ${resolve(cwd)}`}, ` +
        'or point the CLI elsewhere with --api-url or HUITOU_API_URL.',
    };
  }
  if (givenKey) return { apiUrl: DEFAULT_API_URL, apiKey: givenKey };
  throw new ConfigError(
    [
      'no huitou stack found, and no API URL or key given.',
      `Looked for running local stacks in ${discoveryDir(env)} and for ${file}.`,
      'Start a local stack with `npm start` in the huitou checkout (the CLI then finds it by itself), or, for',
      'another stack, set HUITOU_API_URL and HUITOU_API_KEY (or pass --api-url and --api-key).',
    ].join('\n'),
  );
}
