import { defineConfig } from 'vitest/config';

// The unit layer alone: what `npm run test:mutation` runs against each mutant.
// Handler and integration suites start emulators and would make every mutant
// cost seconds, and the issue asks what the unit tests kill.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    // Stryker's instrumented dry run on two shared cores takes several times
    // the plain run: a rescore test passed 30 s there at a load of 22.
    testTimeout: 120_000,
  },
});
