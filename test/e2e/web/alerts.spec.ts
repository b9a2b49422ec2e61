import { expect, openDemo, screenshot, test } from './web-host-fixture';

test('create a price alert in the UI, move the simulated price: the notification, the log entry; the tray model masks in privacy mode', async ({
  page,
  host,
  consoleErrors,
}) => {
  await openDemo(page, host);
  // the tray model (as the core computes it for the OS tray) is in the page in the web host
  await expect(page.getByTestId('tray-tooltip')).toHaveText(/^Perch — [\d,]+\.\d{2} USDT/);

  // "Alert…" on a holding row opens the alert form for its market
  await page.locator('.hbody .hrow[data-asset="BTC"]').hover();
  await page.locator('.hbody .hrow[data-asset="BTC"]').getByRole('button', { name: 'Alert…' }).click();
  await expect(page.getByTestId('no-alerts')).toBeVisible();
  await expect(page.getByTestId('alert-form').getByLabel('Symbol')).toHaveValue('BTCUSDT');
  await screenshot(page, 'alerts-01-empty');

  const sol = (await host.control('/price', { symbol: 'SOLUSDT', price: '150.00' })) as { price: string };
  expect(sol.price).toMatch(/^150/);
  const form = page.getByTestId('alert-form');
  await form.getByLabel('Symbol').fill('SOLUSDT');
  // a "crosses above" level below the current price would fire at once: said before saving
  await page.getByTestId('alert-level').fill('120');
  await expect(page.getByTestId('alert-fires-now')).toContainText('would fire at once');
  await page.getByTestId('alert-level').fill('160');
  await expect(page.getByTestId('alert-fires-now')).toHaveCount(0);
  await form.getByLabel('Note (optional)').fill('take profit');
  await page.getByTestId('alert-save').click();
  await expect(page.getByTestId('alert-rules')).toContainText('SOLUSDT crosses above 160');
  await expect(page.getByTestId('alert-rules')).toContainText('Active');
  await screenshot(page, 'alerts-02-rule');

  await host.control('/price', { symbol: 'SOLUSDT', price: '165.00' });
  await expect(page.getByTestId('notifications')).toContainText(/SOLUSDT crossed above 160 \(now 16\d/, { timeout: 5_000 });
  await expect(page.getByTestId('alert-log')).toContainText('SOLUSDT crossed above 160');
  await expect(page.getByTestId('alert-log')).toContainText('take profit');
  await expect(page.getByTestId('alert-rules')).toContainText('Fired (done)');
  await screenshot(page, 'alerts-03-fired');

  // the tray model updates (at most every few seconds) and masks the total in privacy mode
  await page.getByTestId('privacy-toggle').click();
  // masked at once, not after the tray's few-second pace
  await expect(page.getByTestId('tray-tooltip')).toHaveText(/^Perch — •••••$/, { timeout: 1_000 });
  await expect(page.getByTestId('tray-tooltip')).not.toContainText(/\d[\d,]*\.\d{2} USDT/);
  await page.locator('.tray-preview summary').click();
  await expect(page.getByTestId('tray-menu')).toContainText('☑ Hide amounts');
  await expect(page.getByTestId('tray-menu')).toContainText('Pause alerts for 1 hour');
  await screenshot(page, 'alerts-04-privacy');
  expect(consoleErrors).toEqual([]);
});

test('watchlist: add from the symbol search, reorder, remove; live prices; persisted', async ({ page, host }) => {
  await openDemo(page, host);
  await page.getByRole('button', { name: 'Watchlist', exact: true }).click();
  await expect(page.getByTestId('watch-empty')).toBeVisible();
  for (const s of ['SOLUSDT', 'XRPUSDT', 'DOGEUSDT']) {
    await page.getByTestId('watch-search').fill(s.slice(0, 4));
    await page.getByRole('button', { name: s, exact: true }).click();
    await expect(page.getByTestId('watch-table')).toContainText(s);
  }
  await host.control('/price', { symbol: 'XRPUSDT', price: '0.6000' });
  const rows = page.getByTestId('watch-table').locator('tbody tr');
  await expect(rows.nth(1)).toContainText(/XRPUSDT\s*0\.6\d*/, { timeout: 5_000 });
  await page.getByRole('button', { name: 'Move DOGEUSDT up' }).click();
  await expect(rows.nth(1)).toContainText('DOGEUSDT');
  await rows.nth(0).getByRole('button', { name: 'Remove' }).click();
  await expect(rows).toHaveCount(2);
  await screenshot(page, 'watchlist-01');
  await page.reload();
  await page.getByRole('button', { name: 'Watchlist', exact: true }).click();
  await expect(rows.nth(0)).toContainText('DOGEUSDT');
  await expect(rows.nth(1)).toContainText('XRPUSDT');
  // "Alert" on a watch symbol opens the alert form with it
  await rows.nth(0).getByRole('button', { name: 'Alert' }).click();
  await expect(page.getByTestId('alert-form').getByLabel('Symbol')).toHaveValue('DOGEUSDT');
});

for (const scheme of ['light', 'dark'] as const) {
  test(`alerts and watchlist screens, ${scheme}, 1024x700`, async ({ page, host }) => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.emulateMedia({ colorScheme: scheme });
    await openDemo(page, host);
    await page.getByRole('button', { name: 'Watchlist', exact: true }).click();
    for (const s of ['SOLUSDT', 'ETHBTC']) {
      await page.getByTestId('watch-search').fill(s);
      await page.getByRole('button', { name: s, exact: true }).click();
    }
    await expect(page.getByTestId('watch-table').locator('tbody tr')).toHaveCount(2);
    await expect(page.getByTestId('watch-table')).not.toContainText('no price yet');
    await screenshot(page, `watchlist-${scheme}-1024`);
    await page.getByTestId('privacy-toggle').click();
    await expect(page.getByTestId('tray-tooltip')).toHaveText(/^Perch — •••••$/);
    await screenshot(page, `watchlist-${scheme}-1024-privacy`);
    await page.getByTestId('privacy-toggle').click();
    await page.getByRole('button', { name: 'Alerts', exact: true }).click();
    await page.getByTestId('alert-form').getByLabel('Symbol').fill('SOLUSDT');
    await page.getByTestId('alert-level').fill('100');
    await page.getByTestId('alert-save').click();
    const ruleRows = page.getByTestId('alert-rules').locator('tbody tr');
    await expect(ruleRows).toHaveCount(1);
    await page.getByTestId('alert-kind').selectOption('change-window');
    await page.getByTestId('alert-form').getByLabel('Symbol').fill('ETHBTC');
    await page.getByTestId('alert-level').fill('5');
    await page.getByLabel('Repeat (otherwise it fires once)').check();
    await page.getByTestId('alert-save').click();
    await expect(ruleRows).toHaveCount(2);
    await page.getByTestId('alert-kind').selectOption('portfolio-below');
    await page.getByTestId('alert-level').fill('10000');
    await page.getByTestId('alert-save').click();
    await expect(ruleRows).toHaveCount(3);
    await expect(page.getByTestId('alert-log')).toContainText('SOLUSDT crossed above 100');
    await page.getByTestId('alert-kind').selectOption('price-above');
    await page.getByTestId('alert-form').getByLabel('Symbol').fill('SOLUSDT');
    await page.getByTestId('alert-level').fill('1');
    await expect(page.getByTestId('alert-fires-now')).toBeVisible();
    await screenshot(page, `alerts-${scheme}-1024`);
    await page.getByTestId('privacy-toggle').click();
    await expect(page.getByTestId('alert-rules')).toContainText('Portfolio total below ••••• USDT');
    await expect(page.getByTestId('tray-tooltip')).toHaveText(/^Perch — •••••$/);
    await screenshot(page, `alerts-${scheme}-1024-privacy`);
  });
}
