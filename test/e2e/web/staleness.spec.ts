import { expect, openDemo, screenshot, test } from './web-host-fixture';

test('quiet sockets: the order form dims its bid/ask with their time, and holdings rows show their prices as stale', async ({
  page,
  host,
}) => {
  test.setTimeout(150_000);
  await openDemo(page, host);
  const nav = page.getByRole('navigation', { name: 'Sections' });
  await nav.getByRole('button', { name: 'Orders' }).click();
  await page.getByRole('button', { name: 'Turn trading on' }).click();
  const quote = page.getByTestId('market-quote');
  await expect(quote).toContainText(/Bid \d/);
  await expect(page.getByTestId('quote-age')).toHaveText(/^bid\/ask as of \d\d:\d\d:\d\d$/);
  await expect(quote).not.toHaveAttribute('data-stale', 'true');
  const form = page.getByTestId('order-form');
  await form.getByRole('textbox', { name: 'Price', exact: true }).fill('60000');
  await form.getByRole('textbox', { name: 'Quantity', exact: true }).fill('0.002');
  await expect(page.getByTestId('review-order')).toBeEnabled();

  // Streams go quiet and the quote cannot be re-read by REST either.
  await host.control('/faults', { silentSockets: true, hangPaths: ['/api/v3/ticker/bookTicker'] });
  await expect(quote).toHaveAttribute('data-stale', 'true', { timeout: 60_000 });
  await expect(page.getByTestId('quote-age')).toHaveText(/^bid\/ask as of \d\d:\d\d:\d\d \(stale\)$/, { timeout: 30_000 });
  await expect(
    page
      .getByTestId('preflight-warning')
      .filter({ hasText: 'could not be refreshed' })
      .or(page.getByTestId('preflight-issue').filter({ hasText: 'account data is not live' }))
      .first(),
  ).toBeVisible({ timeout: 60_000 });
  await screenshot(page, 'stale-01-order-form-quote-age');

  await nav.getByRole('button', { name: 'Holdings' }).click();
  const staleRow = page.locator('.hrow[data-stale="true"]').first();
  await expect(staleRow).toBeVisible({ timeout: 60_000 });
  await expect(staleRow).toHaveAttribute('title', /^Price as of \d\d:\d\d:\d\d/);
  await expect(staleRow.getByTestId('stale-price')).toHaveText(/^as of \d\d:\d\d$/);
  await screenshot(page, 'stale-02-holdings-rows');

  await host.control('/faults', { silentSockets: false, hangPaths: [] });
  await expect(page.locator('.hrow[data-stale="true"]')).toHaveCount(0, { timeout: 90_000 });
});
