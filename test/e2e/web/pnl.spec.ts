import { readFileSync } from 'node:fs';
import type { Locator } from '@playwright/test';
import { Decimal } from '../../../src/shared/money';
import { expect, openDemo, screenshot, test } from './web-host-fixture';

/** Moves the mouse over a chart's plot, `fx` of the way from its left edge (scrolled into view). */
async function hoverPlot(chart: Locator, fx: number): Promise<void> {
  const svg = chart.locator('svg.recharts-surface').first();
  await svg.scrollIntoViewIfNeeded();
  const grid = (await chart.locator('.recharts-cartesian-grid').boundingBox())!;
  const box = (await svg.boundingBox())!;
  await svg.hover({ position: { x: grid.x - box.x + Math.min(grid.width - 1, grid.width * fx), y: grid.y - box.y + grid.height / 2 } });
}

/** What the app shows for a value in USDT: two decimals (half away from zero), thousands separated. */
const usdt = (v: string): string => {
  const [int, frac] = new Decimal(v).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2).split('.');
  return `${int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac!}`;
};
/** The app's time format (24-hour; the date when not today). */
const clock = (t: number): string => {
  const d = new Date(t);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return d.toDateString() === new Date().toDateString() ? hms : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hms}`;
};

test('P&L in demo mode at first start: totals, value chart back to the first trade, daily P&L, allocation, gains, trades, asset page, export, privacy', async ({
  page,
  host,
}) => {
  test.setTimeout(120_000);
  // Every pnl:overview answer as it crossed the socket: the series the chart was given.
  const overviewIds = new Set<number>();
  const seriesSent: Array<Array<{ t: number; value: string | null; pnl: string | null }>> = [];
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => {
      const m = JSON.parse(String(f.payload)) as { id?: number; name?: string };
      if (m.name === 'pnl:overview' && m.id !== undefined) overviewIds.add(m.id);
    });
    ws.on('framereceived', (f) => {
      const m = JSON.parse(String(f.payload)) as { t?: string; id?: number; result?: { value?: { series?: [] } } };
      if (m.t === 'result' && m.id !== undefined && overviewIds.has(m.id) && m.result?.value?.series)
        seriesSent.push(m.result.value.series);
    });
  });
  await openDemo(page, host);
  await page.getByRole('button', { name: 'P&L' }).click();
  const view = page.getByTestId('pnl-view');
  // The year of demo history is read from the simulator on its own, then the figures appear.
  await expect(view.getByText('Total return')).toBeVisible({ timeout: 60_000 });
  // Figures can show while the first sync still runs; the checks below are about the whole history.
  await expect(page.getByTestId('pnl-sync')).toContainText('History read', { timeout: 60_000 });
  // Times in the app's one format: 24-hour, with the date when it is not today.
  await expect(page.getByTestId('pnl-sync')).toContainText(/History read (\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}:\d{2} ·/);
  await expect(view).not.toContainText(/\d (AM|PM)\b/);
  await expect(view.getByText('Unrealized P&L')).toBeVisible();
  const holdings = page.getByTestId('pnl-holdings');
  await expect(holdings.getByRole('button', { name: 'BTC' })).toBeVisible();
  // Average cost and unrealized P&L of BTC are figures, not dashes.
  const btcRow = holdings.locator('tr', { has: page.getByRole('button', { name: 'BTC' }) });
  await expect(btcRow.locator('td').nth(2)).toHaveText(/^\d[\d,]*\.\d+$/);
  await expect(btcRow.locator('td').nth(4)).toHaveText(/^[+−-]?\d[\d,]*\.\d{2}$/);
  // The value chart is drawn and reaches back about a year (range "1 y" is the default).
  await expect(page.getByTestId('value-chart').locator('.recharts-line-curve').first()).toBeVisible();
  await page.getByRole('button', { name: 'All', exact: true }).click();
  await expect(page.getByTestId('value-chart').locator('.recharts-cartesian-axis-tick-value').first()).toBeVisible();
  const ticks = await page.getByTestId('value-chart').locator('.recharts-cartesian-axis-tick-value').allTextContents();
  // Dates from about a year ago to today on the time axis.
  const years = ticks.map((t) => /, (\d{2})$/.exec(t)?.[1]).filter((y) => y !== undefined);
  expect(new Set(years).size).toBeGreaterThanOrEqual(2);
  // P&L per period is known (no gap at the end of the history).
  await expect(view.getByLabel('P&L per period').locator('b').first()).toHaveText(/\d/);
  for (const t of await view.getByLabel('P&L per period').locator('b').allTextContents()) expect(t).toMatch(/\d/);
  // A bar for (nearly) every day of the history, drawn as two paths (gains, losses).
  expect(Number(await page.getByTestId('daily-chart').locator('.pnl-daily-bars').getAttribute('data-bars'))).toBeGreaterThan(100);
  await expect(page.getByTestId('daily-chart').locator('path.pnl-bar-up')).toHaveAttribute('d', /^M/);
  await expect(page.getByTestId('daily-chart').locator('path.pnl-bar-down')).toHaveAttribute('d', /^M/);
  await expect(page.getByTestId('allocation').locator('li')).not.toHaveCount(0);
  await expect(page.getByTestId('pnl-sync')).toContainText(
    'Deposits, withdrawals and conversions (Convert, small balances to BNB): included',
  );
  await page.getByTestId('pnl-sync').getByText('Covered symbols').click();
  await expect(page.getByTestId('pnl-sync').locator('.pnl-covered')).toContainText('ARDRBTC');
  await screenshot(page, 'pnl-01-overview-light');

  // The chart is given no more points than its plot is wide (and never over 2,000); a tooltip shows
  // one point's own time and figures, as main sent them (not a figure read back from the line).
  await page.getByRole('button', { name: '1 y', exact: true }).click();
  const chart = page.getByTestId('value-chart');
  await expect.poll(() => seriesSent.length).toBeGreaterThan(0);
  const plotWidth = (await chart.locator('.recharts-cartesian-grid').boundingBox())!.width;
  const sent = seriesSent.at(-1)!;
  expect(Number(await chart.getAttribute('data-points'))).toBe(sent.length);
  expect(sent.length).toBeLessThanOrEqual(Math.min(2000, Math.ceil(plotWidth) + 200));
  const tip = chart.locator('.recharts-tooltip-wrapper');
  for (const fx of [0.5, 1]) {
    await hoverPlot(chart, fx);
    await expect(tip.locator('.recharts-tooltip-label')).toHaveText(/\d{2}:\d{2}:\d{2}$/);
    const label = await tip.locator('.recharts-tooltip-label').innerText();
    const value = await tip
      .locator('.recharts-tooltip-item', { hasText: /^Value/ })
      .locator('.recharts-tooltip-item-value')
      .innerText();
    expect(
      sent.some((p) => clock(p.t) === label && p.value !== null && usdt(p.value) === value),
      `${label}: ${value}`,
    ).toBe(true);
  }
  await screenshot(page, 'pnl-01b-tooltip-light');
  await page.mouse.move(0, 0);
  // Its text alternative: the last value of each of the latest days, each with its date.
  await chart.locator('xpath=..').getByText('Figures as text').click();
  const textRows = chart.locator('xpath=..').locator('tbody tr');
  await expect(textRows).toHaveCount(30);
  const times = await textRows.locator('td:nth-child(1)').allTextContents();
  for (const t of times) expect(t).toMatch(/^(\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}:\d{2}$/);
  expect(new Set(times.map((t) => t.slice(0, 10))).size).toBe(30);
  await screenshot(page, 'pnl-01c-figures-as-text');
  await chart.locator('xpath=..').getByText('Figures as text').click();
  // Within a day the time axis reads hours and minutes.
  await page.getByRole('button', { name: '24 h', exact: true }).click();
  await expect(chart.locator('.recharts-cartesian-axis-tick-value').first()).toHaveText(/^(\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}$/);
  await screenshot(page, 'pnl-01d-24h');
  await page.getByRole('button', { name: '1 y', exact: true }).click();

  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'pnl-02-overview-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await page.setViewportSize({ width: 1024, height: 700 });
  await screenshot(page, 'pnl-03-overview-1024x700');

  // Export: realized gains per disposal as CSV.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Realized gains' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^perch-gains-average-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv.split('\n')[0]).toBe(
    'acquired,disposed,asset,quantity,proceeds,cost_basis,gain,method,kind,cost_assumed,price_source,value_currency',
  );
  expect(csv.split('\n').length).toBeGreaterThan(30);
  // Fees and cross-pair trades: valued at their minute, and the screen says so.
  await expect(view.getByTestId('pnl-price-sources')).toContainText('valued at the price of their minute');

  // The cost-basis method is a setting: chosen here, the figures, the export and Settings follow it.
  await view.getByLabel('Cost basis (setting)').selectOption('fifo');
  await expect(page.getByTestId('pnl-holdings').locator('caption')).toContainText('FIFO (first in, first out)');
  const [fifo] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Realized gains' }).click()]);
  expect(fifo.suggestedFilename()).toMatch(/^perch-gains-fifo-\d{4}-\d{2}-\d{2}\.csv$/);
  const fifoRows = readFileSync((await fifo.path())!, 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  expect(fifoRows.length).toBeGreaterThan(30);
  // The method column (the 8th) says fifo on every row.
  for (const row of fifoRows) expect(row.split(',')[7]).toBe('fifo');
  await screenshot(page, 'pnl-11-method-setting-fifo');
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('combobox', { name: /Cost basis/ })).toHaveValue('fifo');
  await page.getByRole('heading', { name: 'Profit and loss' }).scrollIntoViewIfNeeded();
  await screenshot(page, 'pnl-12-settings-cost-basis');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'pnl-13-settings-cost-basis-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByRole('combobox', { name: /Cost basis/ }).selectOption('average');
  await page.getByRole('button', { name: 'P&L' }).click();
  await expect(view.getByLabel('Cost basis (setting)')).toHaveValue('average');
  await expect(page.getByTestId('pnl-holdings').locator('caption')).toContainText('average cost');

  // Privacy mode: no amount in figures, tables, axes.
  await page.getByTestId('privacy-toggle').click();
  for (const t of await view.locator('[data-money]').allTextContents()) expect(t).not.toMatch(/\d/);
  const axis = await page.getByTestId('value-chart').locator('.recharts-cartesian-axis-tick-value').allTextContents();
  expect(axis.filter((t) => t === '•••••').length).toBeGreaterThan(2);
  for (const t of axis) expect(t === '•••••' || /^[A-Z][a-z]{2} \d{1,2}, \d{2}$/.test(t)).toBe(true);
  // Tooltips too: the time shows, the figures do not.
  await hoverPlot(chart, 0.5);
  await expect(tip).toContainText('Value : •••••');
  expect(await tip.innerText()).not.toMatch(/\d[\d,]*\.\d{2}/);
  await hoverPlot(page.getByTestId('daily-chart'), 0.5);
  await expect(page.getByTestId('daily-chart').locator('.recharts-tooltip-wrapper')).toContainText('P&L that day : •••••');
  for (const t of await page.getByTestId('daily-chart').locator('.recharts-cartesian-axis-tick-value').allTextContents())
    expect(t === '•••••' || /^[A-Z][a-z]{2} \d{1,2}, \d{2}$/.test(t)).toBe(true);
  await page.getByTestId('value-chart').scrollIntoViewIfNeeded();
  await hoverPlot(chart, 0.6);
  await screenshot(page, 'pnl-04-privacy');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'pnl-04b-privacy-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.mouse.move(0, 0);
  await page.getByTestId('privacy-toggle').click();

  // Per-asset page: price chart with fills, average cost, its trades.
  await page.getByTestId('pnl-holdings').getByRole('button', { name: 'BTC' }).click();
  const assetPage = page.getByTestId('pnl-asset');
  await expect(assetPage.getByRole('heading', { name: 'BTC', exact: true })).toBeVisible();
  // Fills marked on the price chart: one symbol per BTCUSDT trade.
  await expect
    .poll(() => page.getByTestId('asset-chart').locator('.recharts-scatter .recharts-symbols').count(), { timeout: 20_000 })
    .toBeGreaterThan(10);
  await expect(assetPage.getByTestId('pnl-trades').locator('tbody tr')).not.toHaveCount(0);
  await screenshot(page, 'pnl-05-asset-btc');

  // All trades, filtered by side; every row carries a date.
  await page.getByRole('button', { name: 'All trades' }).click();
  await page.getByLabel('Side').selectOption('SELL');
  const rows = page.getByTestId('pnl-trades').locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  await expect.poll(async () => (await rows.locator('td:nth-child(3)').allTextContents()).every((side) => side === 'Sell')).toBe(true);
  for (const date of (await rows.locator('td:nth-child(1)').allTextContents()).slice(0, 20))
    expect(date).toMatch(/^(\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}:\d{2}$/);
  await screenshot(page, 'pnl-06-trades');

  // A deposit of unknown cost: the person enters what it cost; figures follow, the row says which cost applies.
  await page.getByRole('button', { name: 'Overview' }).click();
  const unrealizedBefore = await view.locator('.pnl-figure', { hasText: 'Unrealized P&L' }).locator('.pnl-figure-value').innerText();
  await page.getByRole('button', { name: 'Deposits' }).click();
  const btcDeposit = page.getByTestId('pnl-deposits').locator('tr', { hasText: '0.25' }).filter({ hasText: 'BTC' }).first();
  await expect(btcDeposit).toContainText('unknown: counted at its value on arrival');
  await btcDeposit.getByRole('combobox').selectOption('entered');
  await btcDeposit.getByRole('textbox').fill('abc');
  await expect(btcDeposit).toContainText('Enter what you paid in USDT');
  await btcDeposit.getByRole('textbox').fill('5000');
  await btcDeposit.getByRole('button', { name: 'Save' }).click();
  await expect(btcDeposit).toContainText('Saved.');
  await screenshot(page, 'pnl-07-deposits');
  await page.getByRole('button', { name: 'Overview' }).click();
  await expect(view.locator('.pnl-figure', { hasText: 'Unrealized P&L' }).locator('.pnl-figure-value')).not.toHaveText(unrealizedBefore);
  await page.getByRole('button', { name: 'Deposits' }).click();
  await expect(page.getByTestId('pnl-deposits').locator('tr', { hasText: '0.25' }).filter({ hasText: 'BTC' }).first()).toContainText(
    'your cost',
  );
});

test('"Alert…" on the per-asset P&L page opens the alert form with that market', async ({ page, host }) => {
  test.setTimeout(120_000);
  await openDemo(page, host);
  await page.getByRole('button', { name: 'P&L' }).click();
  await expect(page.getByTestId('pnl-holdings').getByRole('button', { name: 'BTC' })).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('pnl-holdings').getByRole('button', { name: 'BTC' }).click();
  const assetPage = page.getByTestId('pnl-asset');
  await expect(assetPage.getByRole('heading', { name: 'BTC', exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(assetPage.getByRole('button', { name: 'Alert…' })).toBeVisible();
  await screenshot(page, 'pnl-08-asset-alert-action-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByTestId('privacy-toggle').click();
  await page.setViewportSize({ width: 1024, height: 700 });
  await screenshot(page, 'pnl-09-asset-alert-action-dark-privacy-1024x700');
  await page.getByTestId('privacy-toggle').click();
  await page.emulateMedia({ colorScheme: 'light' });

  await assetPage.getByRole('button', { name: 'Alert…' }).click();
  await expect(page.getByTestId('alert-form').getByLabel('Symbol')).toHaveValue('BTCUSDT');
  await screenshot(page, 'pnl-10-alert-form-from-asset');
});
