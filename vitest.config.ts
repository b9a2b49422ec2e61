import { defineConfig } from 'vitest/config';

// Unit and integration tests run in plain Node 24 with real sockets on 127.0.0.1.
// Browser end-to-end tests live in test/e2e and run under Playwright, not Vitest.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
