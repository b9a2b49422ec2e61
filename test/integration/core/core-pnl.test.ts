/**
 * The P&L feature through the whole core in demo mode: the history is read on its own at start,
 * the overview answers with totals and a series within the contract's bounds, and the desktop
 * CSV export goes through the shell's save dialog (the web host, without one, downloads).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src/main/core/create-core';
import { startSimulator } from '../../../src/main/sim/simulator';
import { commands } from '../../../src/shared/ipc/contract';
import { createMemoryValuePointStore, type ValuePointStore } from '../../../src/main/history/value-recorder';
import { memoryLogger, memorySecrets, memorySettings, testSender } from '../../unit/core/fakes';
import { FAST_SESSION_TUNING, waitFor } from './core-harness';

let running: Core | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

function startDemo(
  shell?: {
    saveTextFile?: (f: { defaultName: string; content: string }) => Promise<{ saved: boolean; path: string | null }>;
  },
  valuePoints?: ValuePointStore,
): Core {
  const core = createCore(
    {
      secrets: memorySecrets(),
      settings: memorySettings({ environment: 'demo' }),
      logger: memoryLogger(),
      flushIntervalMs: 100,
      ...(valuePoints ? { valuePoints } : {}),
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

  it('1 y draws the values Perch recorded, cut to the plot’s width, each with the P&L of its own moment', async () => {
    const DAY = 86_400_000;
    // A year of values recorded every 6 hours before the demo starts (its history begins 365 days back).
    const start = Date.now() - 365 * DAY;
    const store = createMemoryValuePointStore();
    const recorded = new Map<number, string>();
    for (let t = start + 36 * 3_600_000, i = 0; t < Date.now() - DAY; t += 6 * 3_600_000, i++) {
      const total = i === 700 ? '250000.25' : (70_000 + (i % 50)).toFixed(2);
      recorded.set(t, total);
      store.insert({ at: t, environment: 'demo', quote: 'USDT', total });
    }
    const core = startDemo(undefined, store);
    await core.start();
    const ask = async (width: number) =>
      waitFor(
        'the P&L overview',
        async () => {
          try {
            const o = await core.handlers['pnl:overview']({ method: 'average', range: '1y', width }, testSender);
            return o.summary !== null && o.sync.phase === 'done' ? o : null;
          } catch {
            return null;
          }
        },
        60_000,
      );
    const wide = await ask(4000);
    // Wide enough for every point: all recorded values are there, with their own figures.
    const first = wide.series.find((p) => p.t === start + 36 * 3_600_000);
    expect(first).toEqual({ t: start + 36 * 3_600_000, value: '70000', pnl: '40000' });
    // 36 hours in, only the first deposit (30,000 USDT) had arrived: the P&L then is value − 30,000,
    // not value − today's net deposits.
    expect(wide.series.filter((p) => recorded.has(p.t))).toHaveLength(recorded.size);
    const narrow = await ask(300);
    expect(narrow.series.length).toBeLessThanOrEqual(300);
    expect(narrow.series.length).toBeGreaterThan(100);
    // Cut down, the spike is still there, and every point is one that was recorded (or a day end).
    const spike = [...recorded].find(([, v]) => v === '250000.25')![0];
    expect(narrow.series.find((p) => p.t === spike)?.value).toBe('250000.25');
    const dayEnds = new Set(wide.series.filter((p) => !recorded.has(p.t)).map((p) => p.t));
    for (const p of narrow.series) {
      if (recorded.has(p.t)) expect(p.value).toBe(String(Number(recorded.get(p.t))));
      else expect(dayEnds.has(p.t) || p.t > Date.now() - DAY).toBe(true);
    }
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
