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
  await expect(page.getByTestId('settings-error')).toContainText('small-balance threshold');

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
