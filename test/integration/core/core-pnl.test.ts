/**
 * The P&L feature through the whole core in demo mode: the history is read on its own at start,
 * the overview answers with totals and a series within the contract's bounds, and the desktop
 * CSV export goes through the shell's save dialog (the web host, without one, downloads).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src/main/core/create-core';
import { startSimulator } from '../../../src/main/sim/simulator';
import { commands } from '../../../src/shared/ipc/contract';
import { memoryLogger, memorySecrets, memorySettings, testSender } from '../../unit/core/fakes';
import { FAST_SESSION_TUNING, waitFor } from './core-harness';

let running: Core | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

function startDemo(shell?: {
  saveTextFile?: (f: { defaultName: string; content: string }) => Promise<{ saved: boolean; path: string | null }>;
}): Core {
  const core = createCore(
    {
      secrets: memorySecrets(),
      settings: memorySettings({ environment: 'demo' }),
      logger: memoryLogger(),
      flushIntervalMs: 100,
      ...(shell ? { shell: { openExternal: () => true, setStartAtLogin: () => undefined, ...shell } } : {}),
      demo: { seed: 4, startSimulator: (o) => startSimulator({ seed: o.seed, marketStepMs: 200, demoHistory: true }) },
    },
    { sessionTuning: FAST_SESSION_TUNING },
  );
  running = core;
  return core;
}

describe('P&L through the core in demo mode', () => {
  it('reads the demo history on its own and answers the overview within the contract', async () => {
    const core = startDemo();
    await core.start();
    const overview = await waitFor(
      'the P&L overview',
      async () => {
        try {
          const o = await core.handlers['pnl:overview']({ method: 'fifo', range: 'all' }, testSender);
          return o.summary !== null && o.sync.phase === 'done' ? o : null;
        } catch {
          return null;
        }
      },
      60_000,
    );
    expect(commands['pnl:overview'].output.safeParse(overview).success).toBe(true);
    expect(overview.summary!.tradeCount).toBeGreaterThan(80);
    expect(overview.series.length).toBeGreaterThan(300);
    expect(overview.series.length).toBeLessThanOrEqual(2000);
    expect(overview.summary!.holdings.find((h) => h.asset === 'BTC')!.qty).toBe('0.5');
    // Fees in BNB and cross-pair trades valued at their minute (the first computations fetch those minutes).
    expect(overview.summary!.priceSources.minute).toBeGreaterThan(0);
    const trades = await core.handlers['pnl:exportCsv']({ kind: 'trades', method: 'fifo' }, testSender);
    const lines = trades.csv.trim().split('\n');
    expect(lines[0]).toBe('time,symbol,side,price,quantity,quote_amount,fee,fee_asset,fee_value,fee_price_source,value_currency');
    const sources = new Set(lines.slice(1).map((l) => l.split(',')[9]));
    expect(sources.has('minute')).toBe(true);
    for (const s of sources) expect(['minute', 'hour', 'day', 'trade price', 'amount']).toContain(s);
    // Without a desktop save dialog the window downloads the file itself.
    expect(await core.handlers['pnl:saveCsv']({ kind: 'trades', method: 'fifo' }, testSender)).toEqual({
      status: 'unavailable',
      path: null,
    });
  });

  it('desktop: CSV export goes through the save dialog port', async () => {
    const saved: Array<{ defaultName: string; content: string }> = [];
    const core = startDemo({
      saveTextFile: async (f) => {
        saved.push(f);
        return { saved: true, path: `/home/me/${f.defaultName}` };
      },
    });
    await core.start();
    await waitFor(
      'history read',
      async () => {
        try {
          return (await core.handlers['pnl:overview']({ method: 'average', range: '30d' }, testSender)).sync.phase === 'done' ? true : null;
        } catch {
          return null;
        }
      },
      60_000,
    );
    const r = await core.handlers['pnl:saveCsv']({ kind: 'gains', method: 'average' }, testSender);
    expect(r.status).toBe('saved');
    expect(saved[0]!.defaultName).toMatch(/^perch-gains-average-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(saved[0]!.content.split('\n')[0]).toBe(
      'acquired,disposed,asset,quantity,proceeds,cost_basis,gain,method,kind,cost_assumed,price_source,value_currency',
    );
  });
});
