import { expect, openDemo, screenshot, test } from './web-host-fixture';

/**
 * Perch's backend going away must show within 5 s: the status bar says the connection to Perch
 * is lost, nothing says live, and the figures are marked stale. Two ways it goes: the web host
 * stops (its socket closes), or it hangs (the socket stays open, the heartbeats stop).
 */
test('the web host stopping: the status bar says the connection to Perch is lost, figures stale, within 5 s', async ({ page, host }) => {
  await openDemo(page, host);
  await expect(page.getByTestId('conn-account')).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('freshness')).toHaveCount(0);

  await host.stop();
  const lost = page.getByTestId('bridge-lost');
  await expect(lost).toBeVisible({ timeout: 5_000 });
  await expect(lost).toContainText('Connection to Perch lost');
  await expect(page.getByTestId('status-bar')).not.toContainText('live');
  await expect(page.getByTestId('freshness')).toContainText('Stale since');
  await screenshot(page, 'bridge-lost-01-host-stopped');
  // how it looks in the other theme, with amounts hidden, and in a small window
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'bridge-lost-01-host-stopped-dark');
  await page.keyboard.press('Control+Shift+H');
  await page.setViewportSize({ width: 1024, height: 700 });
  await expect(lost).toBeVisible();
  await screenshot(page, 'bridge-lost-01-host-stopped-dark-privacy-1024');
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshot(page, 'bridge-lost-01-host-stopped-light-privacy-1024');
});

test('the web host hanging: heartbeats stop, the bridge is lost within 5 s, and it comes back when the host does', async ({
  page,
  host,
}) => {
  await openDemo(page, host);
  await expect(page.getByTestId('conn-market')).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('conn-account')).toHaveAttribute('data-state', 'live');

  // The process is frozen: its socket stays open, nothing comes from it.
  process.kill(host.pid, 'SIGSTOP');
  try {
    await expect(page.getByTestId('bridge-lost')).toBeVisible({ timeout: 5_000 });
    await expect(page.getByTestId('conn-account')).toHaveAttribute('data-state', 'unknown');
    await expect(page.getByTestId('status-bar')).not.toContainText('live');
    await expect(page.getByTestId('freshness')).toContainText('Stale since');
    await screenshot(page, 'bridge-lost-02-host-hung');
  } finally {
    process.kill(host.pid, 'SIGCONT');
  }
  await expect(page.getByTestId('bridge-lost')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('conn-market')).not.toHaveAttribute('data-state', 'unknown');
  await expect(page.getByTestId('freshness')).toHaveCount(0, { timeout: 60_000 });
});
