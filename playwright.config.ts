import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/** Debian's Chromium: Playwright's own browsers cannot be downloaded here. */
function chromiumPath(): string {
  try {
    const found = execSync('command -v chromium', { encoding: 'utf8', shell: '/bin/sh' }).trim();
    if (found) return found;
  } catch {
    // fall through to the Debian default
  }
  return '/usr/bin/chromium';
}

const executablePath = chromiumPath();

export default defineConfig({
  // builds out/ when missing (scripts/test.sh builds before running Playwright)
  globalSetup: './test/e2e/web/global-setup.ts',
  outputDir: 'test-results/artifacts',
  // a 2-core machine: the web host, its simulator and Chromium share it
  workers: 2,
  retries: 0,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  // list for people; json for the suite's one-line summary (scripts/test-summary.mjs)
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: {
    screenshot: 'only-on-failure',
    // A failed test leaves its trace (actions, DOM snapshots, console, network) in outputDir;
    // open it with `npx playwright show-trace <zip>`. Passing tests keep nothing.
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'web',
      testDir: 'test/e2e/web',
      testMatch: /.*\.spec\.ts$/,
      use: {
        browserName: 'chromium',
        viewport: { width: 1280, height: 800 },
        launchOptions: {
          executablePath: existsSync(executablePath) ? executablePath : '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
        },
      },
    },
    {
      name: 'electron',
      testDir: 'test/e2e/electron',
      testMatch: /.*\.spec\.ts$/,
    },
  ],
});
