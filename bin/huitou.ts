/**
 * huitou CLI: a thin client of the admin API, so it works the same against the local stack
 * (`npm start`) and a deployed one. `run` is exported so tests call it in-process.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ApiClient } from './cli/client';
import { COMMANDS, type Command, type OptionValues } from './cli/commands';
import { resolveConfig } from './cli/config';
import { ApiError, CliError, ConfigError, ConnectionError, UsageError } from './cli/errors';

export interface Io {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

const GLOBAL_OPTIONS: OptionsConfig = {
  'api-url': { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
};

/** Every option any command knows, so the first pass finds the command words whatever the flags. */
const ALL_OPTIONS: OptionsConfig = Object.assign({}, GLOBAL_OPTIONS, ...COMMANDS.map((c) => c.options));

const USAGE_LINE = 'usage: huitou <command> [options]';

function fullUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}\n    huitou ${c.usage}`);
  return [
    'huitou: command-line client of the huitou admin API',
    '',
    USAGE_LINE,
    '',
    'Commands:',
    ...lines,
    '',
    'Global options:',
    '  --api-url <url>  API base URL (env HUITOU_API_URL). Default: the running local stack',
    '                   (`npm start`) started in this directory, or the only one running;',
    '                   else the local.json in .huitou/ or $HUITOU_DATA_DIR',
    '  --api-key <key>  API key (env HUITOU_API_KEY). Default: the owner key of that local stack',
    '  --json           print the raw JSON response',
    '  -h, --help       show this help (or a command\'s: huitou <command> --help)',
    '  --version        print the version',
    '',
  ].join('\n');
}

function commandUsage(command: Command): string {
  return `usage: huitou ${command.usage} [--api-url <url>] [--api-key <key>] [--json]\n  ${command.summary}\n`;
}

function groupUsage(group: string): string {
  return COMMANDS.filter((c) => c.name.startsWith(`${group} `))
    .map((c) => `usage: huitou ${c.usage}`)
    .join('\n');
}

/** A command is one word (`import`) or two (`keys create`); two words win, so `model backtest` is not `model`. */
function findCommand(words: (string | undefined)[]): Command | undefined {
  const [first, second] = words;
  return (
    COMMANDS.find((c) => second !== undefined && c.name === `${first} ${second}`) ??
    COMMANDS.find((c) => c.name === first)
  );
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/** Runs one CLI invocation and answers the exit code: 0 ok, 1 the request failed, 2 a usage error. */
export async function run(argv: string[], io: Io): Promise<number> {
  const out = (text: string) => void io.stdout.write(text);
  const err = (text: string) => void io.stderr.write(text);
  try {
    return await dispatch(argv, io, out, err);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`error: ${error.message}\n${error.usage ? `usage: huitou ${error.usage}` : USAGE_LINE}\n`);
      err("Run 'huitou --help' for every command.\n");
      return 2;
    }
    if (error instanceof ConfigError) {
      err(`error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ApiError) {
      err(`error: ${error.message} (${error.status} ${error.code})\n`);
      return 1;
    }
    if (error instanceof ConnectionError || error instanceof CliError) {
      err(`error: ${error.message}\n`);
      return 1;
    }
    err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function dispatch(
  argv: string[],
  io: Io,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  // First pass: lenient, only to find the command words and --help / --version.
  const loose = parseArgs({ args: argv, options: ALL_OPTIONS, strict: false, allowPositionals: true });
  const [group, action] = loose.positionals;
  const wantsHelp = loose.values.help === true || group === 'help';

  if (loose.values.version === true) {
    out(`${version()}\n`);
    return 0;
  }
  const words = group === 'help' ? loose.positionals.slice(1, 3) : [group, action];
  const command = findCommand(words);
  if (wantsHelp) {
    out(command ? commandUsage(command) : fullUsage());
    return 0;
  }
  if (group === undefined) {
    err(`${USAGE_LINE}\n\n${fullUsage()}`);
    return 2;
  }
  if (!command) {
    const known = COMMANDS.some((c) => c.name.startsWith(`${group} `));
    if (known) {
      err(`error: ${action === undefined ? 'missing' : `unknown`} ${group} command${action ? ` '${action}'` : ''}\n`);
      err(`${groupUsage(group)}\n`);
    } else {
      err(`error: unknown command '${group}'\n${USAGE_LINE}\nRun 'huitou --help' for every command.\n`);
    }
    return 2;
  }

  // Second pass: strict, with only the options this command takes.
  let values: OptionValues;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: true,
    });
    values = parsed.values as OptionValues;
    positionals = parsed.positionals;
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/s, ''), command.usage);
  }

  const args = positionals.slice(command.name.split(' ').length);
  if (args.length < command.args.length) {
    throw new UsageError(`missing <${command.args[args.length]}>`, command.usage);
  }
  if (args.length > command.args.length) {
    throw new UsageError(`unexpected argument '${args[command.args.length]}'`, command.usage);
  }
  for (const name of command.required ?? []) {
    if (values[name] === undefined) throw new UsageError(`missing required option --${name}`, command.usage);
  }

  const config = resolveConfig(
    { apiUrl: values['api-url'] as string | undefined, apiKey: values['api-key'] as string | undefined },
    io.env,
    io.cwd,
    (message) => err(`${message}\n`),
  );
  const client = new ApiClient(config);
  await command.run({ client, values, args, json: values.json === true, out, err, isTTY: io.stderr.isTTY === true });
  return 0;
}

/** `tsx bin/huitou.ts …` (the npm script) runs the CLI directly; importing the module does not. */
function isMainModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  process.exitCode = await run(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  });
}
