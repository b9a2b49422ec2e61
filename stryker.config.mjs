// Mutation testing of the money paths (npm run mutate; not in CI: it takes long).
// Restrict to one file with: npm run mutate -- --mutate src/main/exchange/order-outcome.ts
// The tests are the money-path tests of vitest.mutate.config.ts only (Stryker runs, per mutant,
// just the tests that cover it). Scores per file are printed by the clear-text reporter.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'src/main/exchange/filters.ts',
    'src/main/exchange/order-state.ts',
    'src/main/exchange/order-outcome.ts',
    'src/main/exchange/reconciler.ts',
    'src/main/exchange/order-api.ts',
    'src/main/orders/preflight.ts',
    'src/main/orders/preflight-amounts.ts',
    'src/main/alerts/engine.ts',
    'src/main/alerts/tray-model.ts',
    'src/main/history/pnl-engine.ts',
    'src/main/history/pnl-ledger.ts',
    'src/main/history/pnl-numbers.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  reporters: ['clear-text', 'progress-append-only', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  timeoutMS: 20000,
  thresholds: { high: 90, low: 80, break: null },
  ignorePatterns: ['out', 'dist', '.cache', 'test-results', 'playwright-report', 'reports', 'release', 'node_modules'],
};
