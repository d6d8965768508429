import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file runs in its own process: integration suites start their own
    // emulators on free ports and their own table, so they never share state.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
