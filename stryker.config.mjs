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
  reporters: ['clear-text', 'progress', 'html', 'json'],
  clearTextReporter: { allowColor: false, reportScoreTable: true, reportMutants: false },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
