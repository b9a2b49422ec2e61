import { expect, openDemo, screenshot, test } from './web-host-fixture';

/**
 * A real account is quiet for hours. The web host runs the core at its real settings (no test
 * tuning), so idling here crosses every threshold that could turn a healthy quiet account stale:
 * the market socket's 10 s, the account socket's 15 s ping, 30 s stale and 10 s pong deadline,
 * the 30 s silent-price re-check scan and the 60 s "healthy connection" mark. (The 5 and 10 min
 * thresholds for a single price that stops updating do not apply: demo prices keep moving.)
 */
const IDLE_MS = 65_000;

test('an idle account stays live past every stale threshold, and the order form does not refuse it', async ({ page, host }) => {
  test.setTimeout(IDLE_MS + 45_000);
  await openDemo(page, host);
  const account = page.getByTestId('conn-account');
  const market = page.getByTestId('conn-market');
  await expect(account).toHaveAttribute('data-state', 'live');
  await expect(market).toHaveAttribute('data-state', 'live');

  const nav = page.getByRole('navigation', { name: 'Sections' });
  await nav.getByRole('button', { name: 'Orders' }).click();
  await page.getByRole('button', { name: 'Turn trading on' }).click();
  await expect(page.getByTestId('market-quote')).toContainText(/Bid \d/);
  const form = page.getByTestId('order-form');
  await form.getByRole('textbox', { name: 'Price', exact: true }).fill('60000');
  await form.getByRole('textbox', { name: 'Quantity', exact: true }).fill('0.002');
  await expect(page.getByTestId('review-order')).toBeEnabled();

  // Idle: no order, no balance change, no click. Sample what the status bar says every second.
  const seen = new Set<string>();
  const until = Date.now() + IDLE_MS;
  while (Date.now() < until) {
    seen.add(`account ${await account.getAttribute('data-state')}`);
    await page.waitForTimeout(1_000);
  }
  expect([...seen]).toEqual(['account live']);
  await expect(account).toContainText('Account live');
  await expect(page.getByTestId('preflight-issue').filter({ hasText: 'not live' })).toHaveCount(0);
  await expect(page.getByTestId('review-order')).toBeEnabled();
  await screenshot(page, 'idle-01-order-form-after-65s');

  await nav.getByRole('button', { name: 'Holdings' }).click();
  await expect(page.getByTestId('total-value')).toBeVisible();
  await expect(page.getByTestId('freshness')).toHaveCount(0);
  await expect(account).toHaveAttribute('data-state', 'live');
});
