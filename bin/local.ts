// `npm start`: the whole of huitou on this machine, on emulators of the AWS
// APIs, with the same handler code as on Lambda. See bin/local/stack.ts.
//
// Environment: PORT (default 3000), HUITOU_DATA_DIR (default .huitou/),
// HUITOU_IN_MEMORY=1 (nothing on disk), HUITOU_ADMIN_KEY (owner key to create),
// HUITOU_LOCAL_RETRY_SECONDS (delay before a failed queue record is retried),
// HUITOU_RESCORE_SCHEDULE and HUITOU_RESCORE_TIME_ZONE (the rescore schedule),
// HUITOU_EMAIL_FROM (the From address of mail; default huitou@example.com).
// stdout carries only the lines below (and the handlers' own logs); progress
// goes to stderr.
import { announceStack } from './local/discovery';
import { DataDirInUseError } from './local/data-dir';
import { InvalidScheduleError } from '../lib/schedule-expression';
import { PortInUseError, startLocalStack, writeLocalConfig, type LocalStack } from './local/stack';

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a port number, not ${JSON.stringify(value)}`);
  }
  return port;
}

async function main(): Promise<void> {
  const port = parsePort(process.env.PORT);
  const inMemory = process.env.HUITOU_IN_MEMORY === '1';
  const dataDir = process.env.HUITOU_DATA_DIR || '.huitou/';

  let stack: LocalStack | undefined;
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    // The same signal often comes twice (the terminal signals the whole group
    // and tsx relays it to this process again), so repeats are ignored.
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    setTimeout(() => {
      log('huitou: the stack did not stop within 30 s; exiting anyway');
      process.exit(1);
    }, 30_000).unref();
    // While starting, exiting is enough: it kills the Java child ('exit' hook),
    // and every queued message is in the journal already.
    const stopped = stack ? stack.stop() : Promise.resolve();
    stopped.then(
      () => process.exit(0),
      (error: unknown) => {
        log(`stop failed: ${(error as Error).stack ?? String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  stack = await startLocalStack({
    port,
    dataDir,
    inMemory,
    ...(process.env.HUITOU_ADMIN_KEY ? { adminKey: process.env.HUITOU_ADMIN_KEY } : {}),
    log,
  });
  if (stack.dataDir) await writeLocalConfig(stack.dataDir, { apiUrl: stack.apiUrl, apiKey: stack.adminKey });
  // Lets the CLI find this stack from any directory; 'exit' covers every way out but SIGKILL.
  process.once('exit', announceStack({ apiUrl: stack.apiUrl, apiKey: stack.adminKey, dataDir: stack.dataDir }, { warn: log }));

  process.stdout.write(
    [
      `huitou ready ${stack.apiUrl}`,
      `dynamodb ${stack.endpoints.dynamodb}`,
      `sqs ${stack.endpoints.sqs}`,
      `ses ${stack.endpoints.ses}`,
      `mail view ${stack.endpoints.ses}/`,
      `admin key ${stack.adminKey}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  if (error instanceof PortInUseError) {
    log(`huitou: port ${error.port} is already in use; stop what runs there or set PORT to another port`);
  } else if (error instanceof DataDirInUseError) {
    log(`huitou: ${error.message}; stop it, or set HUITOU_DATA_DIR to another directory`);
  } else if (error instanceof InvalidScheduleError) {
    log(`huitou: ${error.message}`);
  } else {
    log(`huitou: cannot start the local stack: ${(error as Error).stack ?? String(error)}`);
  }
  process.exit(1);
});
