import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

export interface LocalStackInfo {
  apiUrl?: string;
  apiKey?: string;
}

export interface ResolvedConfig {
  apiUrl: string;
  apiKey: string | undefined;
  /** Where the values came from, for messages ("flag", "env", the local.json path, "default"). */
  apiUrlSource: string;
}

/** Where the local stack writes its connection file: `$HUITOU_DATA_DIR/local.json`, else `<cwd>/.huitou/local.json`. */
export function localStackFile(env: Record<string, string | undefined>, cwd: string): string {
  const dataDir = env.HUITOU_DATA_DIR;
  return dataDir ? resolve(cwd, dataDir, 'local.json') : resolve(cwd, '.huitou', 'local.json');
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

/** Flag, then environment, then the local stack's local.json, then the default URL. */
export function resolveConfig(
  flags: { apiUrl?: string | undefined; apiKey?: string | undefined },
  env: Record<string, string | undefined>,
  cwd: string,
  warn: (message: string) => void,
): ResolvedConfig {
  const file = localStackFile(env, cwd);
  let local: LocalStackInfo | undefined;
  const loadLocal = () => (local ??= readLocalStackInfo(file, warn));

  let apiUrl: string;
  let apiUrlSource: string;
  if (flags.apiUrl) [apiUrl, apiUrlSource] = [flags.apiUrl, '--api-url'];
  else if (env.HUITOU_API_URL) [apiUrl, apiUrlSource] = [env.HUITOU_API_URL, 'HUITOU_API_URL'];
  else if (loadLocal().apiUrl) [apiUrl, apiUrlSource] = [loadLocal().apiUrl as string, file];
  else [apiUrl, apiUrlSource] = [DEFAULT_API_URL, 'default'];

  const apiKey = flags.apiKey || env.HUITOU_API_KEY || loadLocal().apiKey;
  return { apiUrl, apiKey, apiUrlSource };
}
