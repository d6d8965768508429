#!/usr/bin/env node
// Executable entry for `npx huitou`: loads the TypeScript CLI through tsx, so no build step is needed.
// It also exports `run`, so `import { run } from 'bin/huitou'` works even where `.js` wins resolution.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// A namespaced registration loads only what this import asks for, leaving the host's loader alone.
const tsx = register({
  namespace: 'huitou-cli',
  tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)),
});
const cli = await tsx.import('./huitou.ts', import.meta.url);

/** @type {typeof import('./huitou.ts').run} */
export const run = cli.run;

function isMainModule() {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  // `huitou … | head` closes the pipe early; that is not an error worth a stack trace.
  process.stdout.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = await run(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  });
}
