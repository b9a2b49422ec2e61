/**
 * README screenshots from the running app: starts the web host in demo mode (its own simulator,
 * a fresh temporary data folder), opens it in Debian's Chromium and writes the main screens
 * (holdings, P&L, orders, alerts, settings),
 * light and dark, to docs/screenshots/. `npm run screenshots` builds first; run it again after a
 * UI change and the pictures follow the app.
 *
 * Usage: tsx scripts/screenshots.ts [--out DIR]
 */
import { spawn } from 'node:child_process';
import { execSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Page } from '@playwright/test';

const root = join(import.meta.dirname, '..');
const VIEWPORT = { width: 1280, height: 800 };

function chromiumPath(): string {
  try {
    const found = execSync('command -v chromium', { encoding: 'utf8', shell: '/bin/sh' }).trim();
    if (found) return found;
  } catch {
    // the Debian default below
  }
  return '/usr/bin/chromium';
}

async function startHost(): Promise<{ url: string; stop: () => void }> {
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  // seed 1: the same demo account and prices every run, so a refresh changes only what the UI changed
  const child = spawn(tsx, ['src/webhost/cli.ts', '--json', '--seed', '1'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the web host did not start within 60 s')), 60_000);
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`the web host exited with ${String(code)} before it started`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

const tab = (page: Page, name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name });

async function shoot(page: Page, dir: string, name: string): Promise<void> {
  // the mouse away from anything with a hover state or a tooltip
  await page.mouse.move(VIEWPORT.width - 2, VIEWPORT.height - 2);
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  console.log(`${path} (${Math.round(statSync(path).size / 1024)} KB)`);
}

async function main(argv: readonly string[]): Promise<void> {
  const outIndex = argv.indexOf('--out');
  const dir = outIndex >= 0 && argv[outIndex + 1] !== undefined ? argv[outIndex + 1]! : join(root, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const host = await startHost();
  const browser = await chromium.launch({ executablePath: chromiumPath() });
  try {
    const page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    await page.goto(host.url);
    await page.getByRole('button', { name: /Explore the demo/ }).click();
    await page.getByTestId('total-value').waitFor();
    for (const scheme of ['light', 'dark'] as const) {
      // the app's theme follows the system by default: the browser's colour scheme is the system's
      await page.emulateMedia({ colorScheme: scheme });
      await tab(page, 'Holdings').click();
      await page.locator('.hbody .hrow').nth(4).waitFor();
      await shoot(page, dir, `holdings-${scheme}`);

      await tab(page, 'Orders').click();
      const turnOn = page.getByRole('button', { name: 'Turn trading on' });
      if ((await turnOn.count()) > 0) await turnOn.click();
      await page
        .getByTestId('market-quote')
        .getByText(/Bid \d/)
        .waitFor();
      const form = page.getByTestId('order-form');
      await form.getByRole('textbox', { name: 'Price', exact: true }).fill('60000');
      await form.getByRole('textbox', { name: 'Quantity', exact: true }).fill('0.001');
      await page.getByTestId('review-order').and(page.locator(':enabled')).waitFor();
      await page.locator(':focus').blur();
      await shoot(page, dir, `orders-${scheme}`);

      await tab(page, 'P&L').click();
      // the year of demo history is read on its own at start; then the figures and the chart appear
      await page.getByTestId('pnl-sync').getByText('History read').waitFor({ timeout: 90_000 });
      await page.getByTestId('value-chart').locator('.recharts-line-curve').first().waitFor();
      await shoot(page, dir, `pnl-${scheme}`);

      await tab(page, 'Alerts').click();
      await page.getByTestId('alert-form').waitFor();
      await shoot(page, dir, `alerts-${scheme}`);

      await tab(page, 'Settings').click();
      await page.getByTestId('settings').waitFor();
      await shoot(page, dir, `settings-${scheme}`);
    }
  } finally {
    await browser.close();
    host.stop();
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
