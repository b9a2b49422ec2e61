import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, openApp, openDemo, startHost, test } from './web-host-fixture';

// An automated accessibility check (axe-core, WCAG 2.1 A/AA and best practices) on every screen
// and dialog: no serious or critical finding. Each finding is listed with the elements it is on.

const checked: string[] = [];

async function expectAccessible(page: Page, screen: string, light = true): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => `${n.target.join(' ')}: ${n.any[0]?.message ?? n.failureSummary ?? ''}`)
          .slice(0, 6)
          .join(' | ')}`,
    );
  // soft: one run lists the findings of every screen
  expect.soft(serious, `${screen}${light ? '' : ' (dark)'}`).toEqual([]);
  // the check saw the screen: axe ran its rules on it and some passed
  expect(result.passes.length, screen).toBeGreaterThan(10);
  checked.push(screen);
}

const tab = (page: Page, name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name });

test('welcome and key setup screens', async ({ page, host }) => {
  await openApp(page, host);
  await expect(page.getByRole('button', { name: /Explore the demo/ })).toBeVisible();
  await expectAccessible(page, 'welcome');
  await page.getByRole('button', { name: /Connect a Binance key/ }).click();
  await expect(page.getByRole('textbox', { name: 'API key' })).toBeVisible();
  await expectAccessible(page, 'key setup');
});

test('holdings, orders (form, confirmation), settings, shortcuts and about, light and dark', async ({ page, host }) => {
  await openDemo(page, host);
  for (const theme of ['light', 'dark'] as const) {
    const dark = theme === 'dark';
    await tab(page, 'Holdings').click();
    await expect(page.locator('.hbody .hrow').first()).toBeVisible();
    await expectAccessible(page, 'holdings', !dark);

    await tab(page, 'Orders').click();
    const turnOn = page.getByRole('button', { name: 'Turn trading on' });
    if (await turnOn.count()) await turnOn.click();
    await expect(page.getByTestId('market-quote')).toContainText(/Bid \d/);
    const form = page.getByTestId('order-form');
    await form.getByRole('textbox', { name: 'Price', exact: true }).fill('60000');
    await form.getByRole('textbox', { name: 'Quantity', exact: true }).fill('0.001');
    await expect(page.getByTestId('review-order')).toBeEnabled();
    await expectAccessible(page, 'orders with the form filled', !dark);
    await page.getByTestId('review-order').click();
    await expect(page.getByRole('dialog', { name: 'Confirm buy order' })).toBeVisible();
    await expectAccessible(page, 'order confirmation dialog', !dark);
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);

    await tab(page, 'Settings').click();
    const settings = page.getByTestId('settings');
    await expect(settings).toBeVisible();
    await expectAccessible(page, 'settings', !dark);

    await page.getByTestId('shortcuts-button').click();
    await expect(page.getByTestId('shortcuts-dialog')).toBeVisible();
    await expectAccessible(page, 'shortcuts dialog', !dark);
    await page.getByTestId('about-button').click();
    const about = page.getByTestId('about-dialog');
    await expect(about.getByRole('cell', { name: 'react', exact: true })).toBeVisible();
    await expectAccessible(page, 'about dialog', !dark);
    await about.getByRole('button', { name: 'Close' }).click();

    if (!dark) {
      await tab(page, 'Settings').click();
      await settings.getByRole('combobox').filter({ hasText: 'System' }).selectOption('dark');
      await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    }
  }
  expect(checked.filter((s) => s !== 'welcome' && s !== 'key setup')).toHaveLength(12);
});

test('the status bar announces state changes only: the ages that tick every second are outside any live region', async ({ page, host }) => {
  await openDemo(page, host);
  const announcement = page.getByRole('status').filter({ hasText: 'market' });
  await expect(announcement).toHaveText('Demo (simulated) — market live, account live');
  const ages = [page.getByTestId('data-age'), page.getByTestId('conn-market'), page.getByTestId('conn-account')];
  for (const age of ages) {
    await expect(age).toBeVisible();
    const live = await age.evaluate(
      (el) => el.closest('[role="status"], [role="alert"], [role="log"], [role="timer"], [aria-live]')?.outerHTML.slice(0, 80) ?? null,
    );
    expect(live).toBeNull();
  }
});

test('radio groups: Tab reaches the checked option, the arrow keys move the choice', async ({ page, host }) => {
  await openDemo(page, host);
  await tab(page, 'Orders').click();
  await page.getByRole('button', { name: 'Turn trading on' }).click();
  const side = page.getByRole('radiogroup', { name: 'Side' });
  const buy = side.getByRole('radio', { name: 'Buy' });
  const sell = side.getByRole('radio', { name: 'Sell' });
  await expect(buy).toHaveAttribute('aria-checked', 'true');
  await expect(sell).toHaveAttribute('tabindex', '-1');
  await expect(buy).toBeEnabled(); // trading switched on
  await buy.focus();
  await page.keyboard.press('ArrowRight');
  await expect(sell).toHaveAttribute('aria-checked', 'true');
  await expect(sell).toBeFocused();
  await expect(buy).toHaveAttribute('tabindex', '-1');
  await page.keyboard.press('ArrowRight'); // wraps
  await expect(buy).toHaveAttribute('aria-checked', 'true');
  await expect(buy).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(sell).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('review-order')).toHaveClass(/side-sell/);

  await page.getByRole('combobox', { name: 'Order type' }).selectOption('MARKET');
  const by = page.getByRole('radiogroup', { name: 'Market order by' });
  const first = by.getByRole('radio').first();
  await expect(first).toBeChecked();
  await first.focus();
  await page.keyboard.press('ArrowDown');
  await expect(by.getByRole('radio').nth(1)).toBeChecked();
  await expect(by.getByRole('radio').nth(1)).toBeFocused();
});

test('the virtualised holdings table says where each drawn row is (aria-rowindex of aria-rowcount)', async ({ page }) => {
  const host = await startHost(['--symbols', '300', '--holdings', '200']);
  try {
    await openDemo(page, host);
    const table = page.getByRole('table', { name: 'Holdings' });
    // the header, the demo's own assets and the 200 synthetic ones
    await expect(table).toHaveAttribute('aria-rowcount', /^2\d\d$/);
    const count = Number(await table.getAttribute('aria-rowcount'));
    await expect(table.getByRole('row').first()).toHaveAttribute('aria-rowindex', '1');
    const drawn = page.locator('.hbody .hrow');
    expect(await drawn.count()).toBeLessThan(count - 1); // virtualised: not every row exists
    await expect(drawn.first()).toHaveAttribute('aria-rowindex', '2');
    await page.getByTestId('holdings-scroll').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect(table.locator(`[aria-rowindex="${count}"]`)).toBeVisible();
    const indexes = await drawn.evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('aria-rowindex'))));
    expect(indexes.every((i) => i >= 2 && i <= count)).toBe(true);
    expect(new Set(indexes).size).toBe(indexes.length);
  } finally {
    await host.stop();
  }
});
