// @ts-check
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.unit.config.ts' },
  // The policy layers and the signature checks: what a wrong answer there costs
  // is a wrong figure or a forged delivery, and unit tests can reach all of it.
  mutate: [
    'functions/domain/**/*.ts',
    'functions/app/**/*.ts',
    'functions/adapters/signatures.ts',
  ],
  coverageAnalysis: 'perTest',
  // Reruns only the mutants whose code or covering tests changed since the
  // last run on this machine (about a minute instead of half an hour). It
  // keeps the old result of a static mutant (a schema built at module load),
  // which no test covers: score with `npm run test:mutation -- --force`.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  clearTextReporter: { allowColor: false, reportScoreTable: true, reportMutants: false, reportTests: false },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
