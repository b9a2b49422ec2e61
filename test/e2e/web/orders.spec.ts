import { createHmac } from 'node:crypto';
import type { Page } from '@playwright/test';
import { cell, expect, openDemo, screenshot, test, type RunningHost } from './web-host-fixture';

/** The simulator's own record of the demo account's orders on a symbol (signed REST, HMAC). */
async function simOrders(
  host: RunningHost,
  symbol: string,
): Promise<{ orderId: number; clientOrderId: string; status: string; side: string; type: string; origQty: string; price: string }[]> {
  const query = `symbol=${symbol}&timestamp=${Date.now()}&recvWindow=60000`;
  const signature = createHmac('sha256', host.simulator.apiSecret).update(query).digest('hex');
  const res = await fetch(`${host.simulator.restUrl}/api/v3/allOrders?${query}&signature=${signature}`, {
    headers: { 'X-MBX-APIKEY': host.simulator.apiKey },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

async function openOrdersTab(page: Page, host: RunningHost): Promise<void> {
  await openDemo(page, host);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Orders' }).click();
  const form = page.getByTestId('order-form');
  // Trading is off until the person turns it on: the form says so and is disabled.
  await expect(page.getByTestId('read-only-reason')).toContainText('read-only');
  await expect(form.getByRole('textbox', { name: 'Quantity' })).toBeDisabled();
  await page.getByRole('button', { name: 'Turn trading on' }).click();
  await expect(page.getByTestId('read-only-reason')).toHaveCount(0);
  // live best bid/ask for the default symbol
  await expect(page.getByTestId('market-quote')).toContainText(/Bid \d/);
}

async function fill(page: Page, label: string, value: string): Promise<void> {
  await page.getByTestId('order-form').getByRole('textbox', { name: label, exact: true }).fill(value);
}

const review = (page: Page) => page.getByTestId('review-order');

test('a limit buy below the market: exact confirmation, appears in open orders, then canceled', async ({ page, host, consoleErrors }) => {
  await openOrdersTab(page, host);
  await fill(page, 'Price', '60000');
  await fill(page, 'Quantity', '0.002');
  await expect(page.getByTestId('estimate')).toContainText('120 USDT');
  await expect(page.getByTestId('preflight-warning').filter({ hasText: 'below the market price' })).toBeVisible();
  await expect(review(page)).toBeEnabled();
  await screenshot(page, 'orders-01-limit-form');

  await review(page).click();
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('confirm-symbol')).toHaveText('BTCUSDT');
  await expect(dialog.getByTestId('confirm-side')).toHaveText('BUY');
  await expect(dialog.getByTestId('confirm-type')).toHaveText('LIMIT');
  await expect(dialog.getByTestId('confirm-quantity')).toHaveText('0.002 BTC');
  await expect(dialog.getByTestId('confirm-price')).toHaveText('60,000.00 USDT');
  await expect(dialog.getByTestId('confirm-time-in-force')).toHaveText('GTC');
  await expect(dialog.getByTestId('confirm-estimated-cost')).toHaveText('120 USDT');
  await expect(dialog.getByTestId('confirm-estimated-fee')).toHaveText(/^0\.000002 BTC/);
  await expect(dialog.getByTestId('confirm-submit')).toBeEnabled();
  await screenshot(page, 'orders-02-confirm');

  await dialog.getByTestId('confirm-submit').click();
  await expect(dialog.getByTestId('outcome-status')).toHaveText('Accepted');
  await dialog.getByTestId('confirm-close').click();

  const row = page.getByTestId('open-order');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('BTCUSDT');
  await expect(row).toContainText('60,000');
  await expect(row).toContainText('0.002');
  await expect(row).toContainText('Open');
  await expect(page.getByTestId('outcome').first()).toHaveAttribute('data-status', 'accepted');
  await screenshot(page, 'orders-03-open');
  const placed = await simOrders(host, 'BTCUSDT');
  expect(placed.map((o) => [o.side, o.type, Number(o.origQty), Number(o.price), o.status])).toEqual([
    ['BUY', 'LIMIT', 0.002, 60000, 'NEW'],
  ]);

  await row.getByRole('button', { name: 'Cancel' }).click();
  const cancel = page.getByTestId('cancel-dialog');
  await expect(cancel).toContainText('Buy 0.002 BTCUSDT · Limit at 60,000');
  await screenshot(page, 'orders-04-cancel-confirm');
  await cancel.getByTestId('cancel-confirm').click();
  await expect(page.getByTestId('cancel-message')).toHaveText('Canceled on the demo exchange.');
  await expect(page.getByTestId('no-open-orders')).toBeVisible();
  expect((await simOrders(host, 'BTCUSDT')).map((o) => o.status)).toEqual(['CANCELED']);
  expect(consoleErrors).toEqual([]);
});

test('cancel all on a symbol asks first and cancels every open order there', async ({ page, host }) => {
  await openOrdersTab(page, host);
  for (const price of ['59000', '58000']) {
    await fill(page, 'Price', price);
    await fill(page, 'Quantity', '0.001');
    await expect(review(page)).toBeEnabled();
    await review(page).click();
    await page.getByTestId('confirm-submit').click();
    await expect(page.getByTestId('confirm-dialog').getByTestId('outcome-status')).toHaveText('Accepted');
    await page.getByTestId('confirm-close').click();
  }
  await expect(page.getByTestId('open-order')).toHaveCount(2);
  await page.getByTestId('open-group').filter({ hasText: 'BTCUSDT' }).getByRole('button', { name: 'Cancel all' }).click();
  await expect(page.getByTestId('cancel-dialog')).toContainText('2 orders on BTCUSDT will be canceled');
  await page.getByTestId('cancel-confirm').click();
  await expect(page.getByTestId('cancel-message')).toHaveText('Canceled 2 orders on BTCUSDT.');
  await expect(page.getByTestId('no-open-orders')).toBeVisible();
});

test('a market buy fills and the holdings change', async ({ page, host }) => {
  await openDemo(page, host);
  await expect(cell(page, 'BTC', 3)).toHaveText('0.5');
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Orders' }).click();
  await page.getByRole('button', { name: 'Turn trading on' }).click();
  await page.getByRole('combobox', { name: 'Order type' }).selectOption('MARKET');
  await fill(page, 'Quantity', '0.01');
  await expect(page.getByTestId('preflight-warning').filter({ hasText: "market order's price is not known" })).toBeVisible();
  await expect(review(page)).toBeEnabled();
  await review(page).click();
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog.getByTestId('confirm-type')).toHaveText('MARKET');
  await expect(dialog.getByTestId('confirm-quantity')).toHaveText('0.01 BTC');
  await expect(dialog.getByTestId('confirm-submit')).toBeEnabled();
  await dialog.getByTestId('confirm-submit').click();
  await expect(dialog.getByTestId('outcome-status')).toHaveText('Filled');
  await expect(dialog.getByTestId('confirm-outcome')).toContainText('The demo exchange filled the order: 0.01');
  // the app's notice for a fill
  await expect(page.locator('.notice').filter({ hasText: 'Order filled' })).toBeVisible();
  await screenshot(page, 'orders-05-market-filled');
  await dialog.getByTestId('confirm-close').click();

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Holdings' }).click();
  // 0.5 + 0.01 (less the fee, when it is taken in BTC)
  await expect(cell(page, 'BTC', 3)).toHaveText(/^0\.5(1|099\d*)$/);
});

test('an invalid quantity shows the explanation and a correction that fixes the field only when clicked', async ({ page, host }) => {
  await openOrdersTab(page, host);
  await fill(page, 'Price', '60000');
  await fill(page, 'Quantity', '0.0012345');
  const issue = page.getByTestId('preflight-issue').filter({ hasText: /step/i });
  await expect(issue).toBeVisible();
  await expect(review(page)).toBeDisabled();
  await expect(review(page)).toHaveText('Fix the issues above');
  const fix = issue.getByRole('button', { name: /^Use / });
  const label = (await fix.textContent()) ?? '';
  const value = label.replace(/^Use /, '');
  expect(value).toMatch(/^0\.00123$/);
  // never changed silently
  await expect(page.getByRole('textbox', { name: 'Quantity', exact: true })).toHaveValue('0.0012345');
  await screenshot(page, 'orders-06-invalid-quantity');
  await fix.click();
  await expect(page.getByRole('textbox', { name: 'Quantity', exact: true })).toHaveValue(value);
  await expect(page.getByTestId('preflight-issue')).toHaveCount(0);
  await expect(review(page)).toBeEnabled();

  // too small for the minimum notional: explained, with the nearest valid size
  await fill(page, 'Quantity', '0.00001');
  await expect(page.getByTestId('preflight-issue').first()).toContainText(/minimum|at least/i);
  await screenshot(page, 'orders-07-min-notional');
});

test('a double click (and repeated Enter) on confirm places exactly one order', async ({ page, host }) => {
  await openOrdersTab(page, host);
  await fill(page, 'Price', '61000');
  await fill(page, 'Quantity', '0.001');
  await expect(review(page)).toBeEnabled();
  await review(page).click();
  const submit = page.getByTestId('confirm-submit');
  await expect(submit).toBeEnabled();
  await submit.dblclick();
  await expect(page.getByTestId('confirm-dialog').getByTestId('outcome-status')).toHaveText('Accepted');
  await expect(submit).toBeDisabled();
  await page.getByTestId('confirm-close').click();

  // second order: the confirm button focused, Enter pressed three times
  await fill(page, 'Price', '61500');
  await expect(review(page)).toBeEnabled();
  await review(page).click();
  await expect(submit).toBeEnabled();
  await submit.focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('confirm-dialog').getByTestId('outcome-status')).toHaveText('Accepted');
  await page.getByTestId('confirm-close').click();

  await expect(page.getByTestId('open-order')).toHaveCount(2);
  const placed = await simOrders(host, 'BTCUSDT');
  expect(placed.map((o) => Number(o.price)).sort()).toEqual([61000, 61500]);
  expect(await page.getByTestId('outcome').count()).toBe(2);
});

test('an order whose answer is lost shows "Outcome unknown — checking…" and then the true state, with no second order', async ({
  page,
  host,
}) => {
  await openOrdersTab(page, host);
  await fill(page, 'Price', '60500');
  await fill(page, 'Quantity', '0.001');
  await expect(review(page)).toBeEnabled();
  await review(page).click();
  await expect(page.getByTestId('confirm-submit')).toBeEnabled();
  // Record every outcome label the person sees, however briefly.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __seen: string[] }).__seen = seen;
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[data-testid="outcome-status"]')) {
        const t = el.textContent ?? '';
        if (seen[seen.length - 1] !== t) seen.push(t);
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  // The simulator executes the order but answers -1007 (timeout waiting for the backend); the
  // user data stream stays silent and the first queries answer -2013, so Perch has to keep checking.
  const token = await page.getByTestId('confirm-dialog').getAttribute('data-client-order-id');
  expect(token).toBeTruthy();
  await host.control('/faults/order', { kind: 'code-1007', execute: true });
  await host.control('/faults/unknown-order', { key: token, count: 2 });
  await host.control('/faults', { silentSockets: true });
  await page.getByTestId('confirm-submit').click();
  const status = page.getByTestId('confirm-dialog').getByTestId('outcome-status');
  await expect(status).toHaveText('Outcome unknown — checking…');
  await expect(page.getByTestId('confirm-outcome')).toContainText(/./);
  await expect(page.getByTestId('confirm-submit')).toBeDisabled();
  await screenshot(page, 'orders-08-unknown');
  await expect(status).toHaveText('Accepted', { timeout: 60_000 });
  await host.control('/faults', { silentSockets: false });
  const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
  expect(seen).toContain('Outcome unknown — checking…');
  expect(seen[seen.length - 1]).toBe('Accepted');
  await screenshot(page, 'orders-09-unknown-resolved');
  await page.getByTestId('confirm-close').click();
  await expect(page.getByTestId('open-order')).toHaveCount(1);
  expect((await simOrders(host, 'BTCUSDT')).length).toBe(1);
});

test('a submit whose answer is lost with the connection says "Outcome unknown — checking…", never "Not sent"', async ({ page, host }) => {
  // The page's connection to the host drops right after the submit left it: the order may well
  // have been placed (here it is), so the answer must not read "Not sent".
  await page.routeWebSocket(/\/__perch\/ws/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      server.send(message);
      if (typeof message === 'string' && message.includes('"orders:submit"')) setTimeout(() => void ws.close({ code: 1006 }), 50);
    });
    server.onMessage((message) => ws.send(message));
  });
  await openOrdersTab(page, host);
  await fill(page, 'Price', '60500');
  await fill(page, 'Quantity', '0.001');
  await expect(review(page)).toBeEnabled();
  await review(page).click();
  await expect(page.getByTestId('confirm-submit')).toBeEnabled();
  // the host answers slowly, so the connection is gone before the answer arrives
  await host.control('/faults', { latencyMs: 1_500 });
  await page.getByTestId('confirm-submit').click();
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog.getByTestId('outcome-status')).toHaveText('Outcome unknown — checking…');
  await expect(dialog.getByTestId('confirm-outcome')).toContainText('could not confirm whether this order reached Binance');
  await expect(dialog.getByText('Not sent')).toHaveCount(0);
  await expect(dialog.getByTestId('confirm-close')).toBeEnabled();
  await screenshot(page, 'orders-10-connection-lost-unknown');
  await host.control('/faults', { latencyMs: 0 });
  await expect.poll(async () => (await simOrders(host, 'BTCUSDT')).length).toBe(1);
});

test('privacy mode masks order amounts and totals', async ({ page, host }) => {
  await openOrdersTab(page, host);
  await fill(page, 'Price', '60000');
  await fill(page, 'Quantity', '0.002');
  await expect(review(page)).toBeEnabled();
  await review(page).click();
  await page.getByTestId('confirm-submit').click();
  await expect(page.getByTestId('confirm-dialog').getByTestId('outcome-status')).toHaveText('Accepted');
  await page.getByTestId('confirm-close').click();
  await expect(page.getByTestId('open-order')).toHaveCount(1);

  await page.getByTestId('privacy-toggle').click();
  await expect(page.getByTestId('open-order')).not.toContainText('0.002');
  await expect(page.getByTestId('estimate')).not.toContainText('120');
  for (const t of await page.locator('.orders [data-money]').allTextContents()) expect(t).not.toMatch(/\d/);
  await screenshot(page, 'orders-10-privacy');
});

test('order history syncs on request and shows its progress and request-weight cost', async ({ page, host }) => {
  await openOrdersTab(page, host);
  await page.getByRole('combobox', { name: 'Order type' }).selectOption('MARKET');
  await fill(page, 'Quantity', '0.001');
  await expect(review(page)).toBeEnabled();
  await review(page).click();
  await page.getByTestId('confirm-submit').click();
  await expect(page.getByTestId('confirm-dialog').getByTestId('outcome-status')).toHaveText('Filled');
  await page.getByTestId('confirm-close').click();
  await page.getByRole('button', { name: 'Sync history' }).click();
  await expect(page.getByTestId('sync-status')).toContainText(/Synced \d+ symbols?: \d+ new orders?, \d+ new fills? · request weight \d+/);
  await expect(page.getByTestId('history-order').first()).toContainText('Filled');
  await expect(page.getByTestId('history-fill').first()).toContainText('Taker');
  // the free balance the form draws on follows the fill
  await expect(page.getByTestId('order-form')).not.toContainText('Available: 25,000 USDT');
  await screenshot(page, 'orders-11-history');
});

test('the order history follows a place and a cancel by itself, without Sync history', async ({ page, host }) => {
  await openOrdersTab(page, host);
  const history = page.getByTestId('order-history');
  await expect(history).toContainText('No orders on BTCUSDT yet.');
  await fill(page, 'Price', '60000');
  await fill(page, 'Quantity', '0.002');
  await expect(review(page)).toBeEnabled();
  await review(page).click();
  await page.getByTestId('confirm-submit').click();
  await expect(page.getByTestId('confirm-dialog').getByTestId('outcome-status')).toHaveText('Accepted');
  await page.getByTestId('confirm-close').click();

  const rows = history.getByTestId('history-order');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Open');
  await screenshot(page, 'orders-12-history-after-place');

  await page.getByTestId('open-order').getByRole('button', { name: 'Cancel' }).click();
  await page.getByTestId('cancel-confirm').click();
  await expect(page.getByTestId('no-open-orders')).toBeVisible();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Canceled');
  await screenshot(page, 'orders-13-history-after-cancel');
});

test('Sync history is locked while a sync runs, and ten requests at once cost one sync', async ({ page, host }) => {
  await openOrdersTab(page, host);
  await expect(page.getByTestId('order-history')).toContainText('No orders on BTCUSDT yet.');
  // every REST answer takes a while, so the sync is still running while we look
  await host.control('/faults', { latencyMs: 300 });
  const button = page.getByTestId('sync-history');
  await button.click();
  await expect(button).toBeDisabled();
  await expect(button).toHaveText('Syncing…');
  await expect(page.getByTestId('sync-status')).toContainText('Syncing');
  // nine more asks straight to main while it runs (what ten clicks would send): they join it
  const results = await page.evaluate(async () => {
    const perch = (
      window as unknown as { perch: { call(n: string): Promise<{ ok: boolean; value: { weightCost: number; total: number } }> } }
    ).perch;
    return Promise.all(Array.from({ length: 9 }, () => perch.call('orders:syncHistory')));
  });
  await expect(button).toBeEnabled({ timeout: 60_000 });
  await host.control('/faults', { latencyMs: 0 });
  expect(results.every((r) => r.ok)).toBe(true);
  const first = results[0]!.value;
  // one sync: allOrders and myTrades (20 weight each) once per symbol, whatever the number of asks
  expect(first.weightCost).toBe(40 * first.total);
  expect(results.every((r) => r.value.weightCost === first.weightCost)).toBe(true);
  await expect(page.getByTestId('sync-status')).toContainText(`request weight ${first.weightCost}`);
});
