import { cell, expect, screenshot, test } from './web-host-fixture';

test('demo start shows holdings with a total, the Demo badge and a live status bar', async ({ page, host, consoleErrors }) => {
  await page.goto(host.url);
  await expect(page.getByTestId('welcome')).toBeVisible();
  await screenshot(page, 'demo-01-welcome');
  await page.getByRole('button', { name: /Explore the demo/ }).click();

  await expect(page.getByTestId('demo-badge')).toHaveText('Demo');
  const total = page.getByTestId('total-value');
  // a real figure, e.g. "58,123.45 USDT", not a placeholder
  await expect(total).toHaveText(/^[1-9][\d,]*\.\d{2} USDT$/);
  await expect(cell(page, 'BTC', 0)).toContainText('BTC');
  await expect(cell(page, 'USDT', 3)).toHaveText('25,000');
  // the asset without any market is shown as such, never as 0
  await expect(cell(page, 'DUSTX', 5)).toHaveText('no price');
  // the bridge-only asset is valued through BTC
  await expect(page.locator('.hrow[data-asset="ARDR"] .route-tag')).toHaveText('via BTC');
  await expect(page.getByTestId('conn-market')).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('conn-account')).toHaveAttribute('data-state', 'live');
  await screenshot(page, 'demo-02-holdings');

  // the bridge exposes exactly call and on, and refuses names outside the contract
  const surface = await page.evaluate(async () => {
    const w = window as unknown as { perch: { call(n: string): Promise<unknown>; on(n: string, l: () => void): () => void } };
    let threw = false;
    try {
      w.perch.on('not:an-event', () => undefined);
    } catch {
      threw = true;
    }
    return { keys: Object.keys(w.perch).sort(), unknown: await w.perch.call('shell:exec'), threw };
  });
  expect(surface.keys).toEqual(['call', 'on']);
  expect(surface.unknown).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
  expect(surface.threw).toBe(true);
  expect(consoleErrors).toEqual([]);
});
