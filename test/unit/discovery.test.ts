import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { announceStack, discoveryDir, findRunningStacks } from '../../bin/local/discovery';

let runtimeDir: string;
let env: Record<string, string>;
let warnings: string[];
const warn = (message: string) => void warnings.push(message);

beforeEach(() => {
  runtimeDir = mkdtempSync(join(tmpdir(), 'huitou-discovery-'));
  env = { XDG_RUNTIME_DIR: runtimeDir };
  warnings = [];
});

afterEach(() => {
  rmSync(runtimeDir, { recursive: true, force: true });
});

function exitedPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid as number;
}

describe('Module: discovery', () => {
  it('keeps running-stack files in $XDG_RUNTIME_DIR/huitou, else in a per-user directory under tmpdir', () => {
    expect(discoveryDir(env)).toBe(join(runtimeDir, 'huitou'));
    expect(discoveryDir({})).toBe(join(tmpdir(), `huitou-${process.getuid?.()}`));
    expect(discoveryDir({ XDG_RUNTIME_DIR: 'relative' })).toBe(join(tmpdir(), `huitou-${process.getuid?.()}`));
  });

  it('writes the URL, key, pid, directory and data dir in a file only this user can read', () => {
    const remove = announceStack({ apiUrl: 'http://127.0.0.1:3005', apiKey: 'hk_1', dataDir: undefined }, { env, warn });

    const dir = join(runtimeDir, 'huitou');
    const file = join(dir, 'stack-3005.json');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      apiUrl: 'http://127.0.0.1:3005',
      apiKey: 'hk_1',
      pid: process.pid,
      cwd: process.cwd(),
      dataDir: null,
    });
    expect(findRunningStacks(env)).toEqual([expect.objectContaining({ apiUrl: 'http://127.0.0.1:3005', file })]);
    expect(readdirSync(dir)).toEqual(['stack-3005.json']);

    remove();

    expect(readdirSync(dir)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('removes the files of stacks that died without cleaning up', () => {
    const dir = join(runtimeDir, 'huitou');
    mkdirSync(dir, { mode: 0o700 });
    const stale = { apiUrl: 'http://127.0.0.1:3001', apiKey: 'k', pid: exitedPid(), cwd: '/', dataDir: null, startedAt: 'x' };
    writeFileSync(join(dir, 'stack-3001.json'), JSON.stringify(stale), { mode: 0o600 });

    expect(findRunningStacks(env)).toEqual([]);
    announceStack({ apiUrl: 'http://127.0.0.1:3002', apiKey: 'k2', dataDir: '/data' }, { env, warn });

    expect(readdirSync(dir)).toEqual(['stack-3002.json']);
  });

  it('makes a directory of its own private again', () => {
    const dir = join(runtimeDir, 'huitou');
    mkdirSync(dir);
    chmodSync(dir, 0o755);

    announceStack({ apiUrl: 'http://127.0.0.1:3002', apiKey: 'k', dataDir: undefined }, { env, warn });

    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('warns and leaves the stack running when it cannot write its file', () => {
    writeFileSync(join(runtimeDir, 'huitou'), 'not a directory');

    const remove = announceStack({ apiUrl: 'http://127.0.0.1:3002', apiKey: 'k', dataDir: undefined }, { env, warn });
    remove();

    expect(warnings).toEqual([expect.stringContaining('the CLI will not find this stack by itself')]);
  });

  it('skips files that are not a stack announcement', () => {
    const dir = join(runtimeDir, 'huitou');
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'stack-3001.json'), '{"apiUrl": "file:///etc/passwd", "apiKey": "k", "pid": 1}');
    writeFileSync(join(dir, 'stack-3002.json'), 'not json');

    expect(findRunningStacks(env)).toEqual([]);
  });

  it('leaves a file that another stack on the same port wrote since', () => {
    const remove = announceStack({ apiUrl: 'http://127.0.0.1:3005', apiKey: 'mine', dataDir: undefined }, { env, warn });
    const file = join(runtimeDir, 'huitou', 'stack-3005.json');
    const theirs = { apiUrl: 'http://127.0.0.1:3005', apiKey: 'theirs', pid: process.ppid, cwd: '/', dataDir: null, startedAt: 'x' };
    writeFileSync(file, JSON.stringify(theirs));

    remove();

    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ apiKey: 'theirs' });
  });
});
