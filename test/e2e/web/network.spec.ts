import { expect, openDemo, screenshot, test } from './web-host-fixture';

test('a network drop shows stale figures, then Perch recovers by itself when the fault clears', async ({ page, host }) => {
  test.setTimeout(150_000);
  await openDemo(page, host);
  await expect(page.getByTestId('conn-market')).toHaveAttribute('data-state', 'live');
  // The figures must have been live once (market AND account data): before that a drop is still
  // "Connecting…", not "stale since", and the test would race the account's first resync.
  await expect(page.getByTestId('conn-account')).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('freshness')).toHaveCount(0);

  // every socket drops and reconnects are refused
  await host.control('/faults', { refuseUpgrades: 503 });
  await host.control('/close-all', { kind: 'all' });

  const badge = page.getByTestId('freshness');
  await expect(badge).toHaveText(/^(Stale since \d\d:\d\d:\d\d|Offline — last known snapshot from \d\d:\d\d:\d\d)$/, { timeout: 60_000 });
  await expect(page.locator('.htable')).toHaveClass(/is-stale/);
  await expect(page.getByTestId('conn-market')).not.toHaveAttribute('data-state', 'live');
  // the last known figures stay on screen
  await expect(page.getByTestId('total-value')).toHaveText(/^[1-9][\d,]*\.\d{2} USDT$/);
  await screenshot(page, 'network-01-stale');

  await host.control('/faults', { refuseUpgrades: 0 });
  await expect(page.getByTestId('conn-market')).toHaveAttribute('data-state', 'live', { timeout: 90_000 });
  await expect(page.getByTestId('conn-account')).toHaveAttribute('data-state', 'live', { timeout: 90_000 });
  await expect(badge).toHaveCount(0);
  await expect(page.locator('.htable')).not.toHaveClass(/is-stale/);
  await expect(page.getByTestId('reconnects')).not.toHaveText('0');
  await screenshot(page, 'network-02-recovered');
});
