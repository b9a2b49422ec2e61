import { cell, expect, openDemo, screenshot, test } from './web-host-fixture';

test('prices and balances change live after a simulated trade, and Reset demo account restores them', async ({ page, host }) => {
  await openDemo(page, host);
  await expect(cell(page, 'BTC', 3)).toHaveText('0.5');
  const totalBefore = await page.getByTestId('total-value').textContent();

  // a fill credits 1.5 BTC; ETH trades at 4000 USDT
  await host.control('/balance', { asset: 'BTC', delta: '1.5' });
  await host.control('/price', { symbol: 'ETHUSDT', price: '4000.00' });

  await expect(cell(page, 'BTC', 1)).toHaveText('2');
  await expect(cell(page, 'BTC', 3)).toHaveText('2');
  // the market keeps moving from the new level: near 4,000, and the value follows the price
  await expect(cell(page, 'ETH', 4)).toHaveText(/^(3,9[5-9]\d|4,0[0-4]\d)\.\d\d$/);
  await expect(cell(page, 'ETH', 5)).toHaveText(/^1[56],\d{3}\.\d\d$/);
  const row = await page.locator('.hrow[data-asset="ETH"] [role="cell"]').allTextContents();
  const num = (s: string | undefined): number => Number((s ?? '').replace(/,/g, ''));
  expect(Math.abs(num(row[5]) - 4 * num(row[4]))).toBeLessThanOrEqual(0.011);
  await expect(page.getByTestId('total-value')).not.toHaveText(totalBefore ?? '');
  await screenshot(page, 'live-01-after-trade');

  await page.getByRole('button', { name: 'Reset demo account' }).click();
  await page.getByTestId('reset-demo-confirm').click();
  await expect(page.getByTestId('reset-demo-result')).toHaveText(
    'Demo account reset: opening balances restored, there were no open orders to cancel.',
  );
  await page.getByRole('button', { name: 'Close' }).click();
  await expect(cell(page, 'BTC', 3)).toHaveText('0.5');
  await screenshot(page, 'live-02-after-reset');
});

test('sorting, search and hiding small balances', async ({ page, host }) => {
  await openDemo(page, host);
  const assets = page.locator('.hbody .hrow .asset-code');
  // default: by value, largest first; the unpriced asset last
  await expect(assets.first()).toHaveText('BTC');
  await expect(assets.last()).toHaveText('DUSTX');
  await page.getByRole('button', { name: /^Asset/ }).click();
  await expect(assets.first()).toHaveText('ARDR');
  await page.getByRole('button', { name: /^Asset/ }).click();
  await expect(assets.first()).toHaveText('USDT');

  await page.getByRole('searchbox', { name: 'Search asset' }).fill('usd');
  await expect(assets).toHaveText(['USDT', 'USDC']);
  await page.getByRole('searchbox', { name: 'Search asset' }).fill('');

  // threshold 100 USDT: ARDR (~58 USDT) hides, DUSTX (no price) stays
  await page.getByRole('button', { name: 'Settings' }).click();
  const threshold = page.getByRole('textbox', { name: 'Small-balance threshold' });
  await threshold.fill('100');
  await threshold.press('Enter');
  await page.getByRole('button', { name: 'Holdings' }).click();
  await page.getByRole('checkbox', { name: /Hide small balances/ }).check();
  await expect(page.locator('.hrow[data-asset="ARDR"]')).toHaveCount(0);
  await expect(page.locator('.hrow[data-asset="DUSTX"]')).toHaveCount(1);
  await expect(page.getByText(/1 hidden/)).toBeVisible();
  await screenshot(page, 'live-03-hide-small');
});
