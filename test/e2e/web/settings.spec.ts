import { cell, expect, openDemo, screenshot, test } from './web-host-fixture';

test('settings: dark theme, quote currency, validation errors shown', async ({ page, host }) => {
  await openDemo(page, host);
  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByTestId('settings');

  await settings.getByRole('combobox').filter({ hasText: 'System' }).selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await screenshot(page, 'settings-01-dark');

  const threshold = page.getByRole('textbox', { name: 'Small-balance threshold' });
  await threshold.fill('abc');
  await threshold.press('Enter');
  await expect(page.getByTestId('setting-error')).toHaveText('“abc” is not a number: enter one like 1 or 0.5. It stays 1 USDT.');
  await expect(threshold).toHaveValue('1');

  await settings.getByRole('combobox').filter({ hasText: 'USDT' }).selectOption('BTC');
  await page.getByRole('button', { name: 'Holdings' }).click();
  await expect(page.getByTestId('total-value')).toHaveText(/^\d+\.\d{8} BTC$/);
  // ETH is valued through ETHBTC once that market's price arrives (never a wrong number before)
  await expect(cell(page, 'ETH', 4)).toHaveText(/^0\.0\d+$/);
  await expect(cell(page, 'USDT', 4)).toHaveText(/^0\.0000\d+$/);
  await screenshot(page, 'settings-02-dark-holdings-btc');

  // the theme is stored by main: a reload keeps it
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('settings: an invalid threshold is put back on blur with the reason beside the field, and nothing moves', async ({ page, host }) => {
  await openDemo(page, host);
  await page.getByRole('button', { name: 'Settings' }).click();
  const threshold = page.getByRole('textbox', { name: 'Small-balance threshold' });
  const below = page.getByRole('checkbox', { name: /Hide small balances/ });
  const before = await below.boundingBox();
  const panelTop = (await page.getByRole('heading', { name: 'Environment and key' }).boundingBox())?.y;

  await threshold.fill('12abc');
  await threshold.blur();
  const error = page.getByTestId('setting-error');
  await expect(error).toHaveText('“12abc” is not a number: enter one like 1 or 0.5. It stays 1 USDT.');
  await expect(threshold).toHaveValue('1');
  await expect(threshold).toHaveAttribute('aria-invalid', 'true');
  // the error sits beside its field (in the threshold's row), not at the top of the page
  const row = page.locator('form.setting').filter({ has: threshold });
  await expect(row.getByTestId('setting-error')).toBeVisible();
  expect((await page.getByRole('heading', { name: 'Environment and key' }).boundingBox())?.y).toBe(panelTop);
  expect((await below.boundingBox())?.y).toBe(before?.y);
  await screenshot(page, 'settings-03-threshold-error');

  // a valid value is applied on blur and the error goes
  await threshold.fill('100');
  await threshold.blur();
  await expect(error).toHaveCount(0);
  await expect(page.getByText('In USDT; applied when you press Enter or leave the field.')).toBeVisible();

  // the quote changes: 100 USDT is converted at the current price, and the person is told
  await page.getByTestId('settings').getByRole('combobox').filter({ hasText: 'USDT' }).selectOption('BTC');
  await expect(threshold).toHaveValue(/^0\.00\d+$/);
  // said beside the threshold, not in a bar at the top that pushes the page down
  await expect(row.getByTestId('threshold-note')).toContainText(
    /^The small-balance threshold is now 0\.00\d+ BTC \(100 USDT at the current price\)/,
  );
  await expect(page.locator('.notices')).toHaveCount(0);
  await screenshot(page, 'settings-04-threshold-converted');
});
