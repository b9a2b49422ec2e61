import { defineConfig } from 'vitest/config';

// The tests of the money paths only: mutation testing (npm run mutate, stryker.config.mjs) and
// their branch coverage (npm run coverage:money) run these, not the whole suite.
export const MONEY_PATH_FILES = [
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
];

export default defineConfig({
  test: {
    include: [
      'test/unit/exchange/filters.test.ts',
      'test/unit/exchange/filters-messages.test.ts',
      'test/unit/exchange/order-state.test.ts',
      'test/unit/exchange/order-state-store-edges.test.ts',
      'test/unit/exchange/order-outcome.test.ts',
      'test/unit/exchange/order-outcome-edges.test.ts',
      'test/unit/exchange/reconciler-grace.test.ts',
      'test/unit/exchange/reconciler-edges.test.ts',
      'test/unit/exchange/order-api.test.ts',
      'test/unit/exchange/order-api-edges.test.ts',
      'test/unit/exchange/money.test.ts',
      'test/unit/orders/preflight.test.ts',
      'test/unit/orders/preflight-edges.test.ts',
      'test/unit/orders/oco-reconcile.test.ts',
      'test/unit/alerts/alert-engine.test.ts',
      'test/unit/alerts/alert-engine-model.test.ts',
      'test/unit/alerts/alert-engine-edges.test.ts',
      'test/unit/alerts/alerts-service.test.ts',
      'test/unit/alerts/tray-model.test.ts',
      'test/unit/history/pnl-engine.test.ts',
      'test/unit/history/pnl-engine-equivalence.test.ts',
      'test/unit/history/pnl-numbers.test.ts',
      'test/unit/history/pnl-engine-edges.test.ts',
      // The order API's retry rules and the reconciler are exercised end to end against the simulator.
      ...(process.env.PERCH_MONEY_INTEGRATION === '1'
        ? ['test/integration/exchange/orders-cancel.test.ts', 'test/integration/exchange/orders-unknown.test.ts']
        : []),
    ],
    // Stryker's dry run needs every selected test green; PERCH_MUTATE_SKIP names test files to leave out.
    exclude: (process.env.PERCH_MUTATE_SKIP ?? '').split(',').filter((s) => s !== ''),
    environment: 'node',
    testTimeout: 30_000,
    pool: 'forks',
    coverage: { provider: 'v8', include: MONEY_PATH_FILES, reporter: ['text'] },
  },
});
