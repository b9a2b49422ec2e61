/**
 * Seam: the whole core in demo mode against the real simulator. Alerts are evaluated in main on
 * the live price path: a price moved through the simulator's handle fires within 2 s; a frozen
 * (stale) feed fires nothing until it is live again; a "night" (the machine asleep, the clock
 * jumped, the price crossing the level and coming back) gives exactly one catch-up report.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import { createCore, type Core } from '../../../src/main/core/create-core';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import {
  AlertRuleInput,
  applyPortfolioEvent,
  type AlertLogEntry,
  type ConnectionsStatus,
  type PortfolioSnapshot,
} from '../../../src/shared/domain';
import { memoryLogger, memorySecrets, memorySettings, testSender } from '../../unit/core/fakes';
import { FAST_SESSION_TUNING, waitFor } from './core-harness';

let running: Core | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

interface Harness {
  core: Core;
  sim: () => Simulator;
  fired: AlertLogEntry[];
  banners: Array<{ title: string; body: string }>;
  statuses: ConnectionsStatus[];
  mirror: () => PortfolioSnapshot | null;
  skew: { ms: number };
}

async function startDemo(): Promise<Harness> {
  let sim: Simulator | null = null;
  const skew = { ms: 0 };
  const banners: Harness['banners'] = [];
  const core = createCore(
    {
      secrets: memorySecrets(),
      settings: memorySettings({ environment: 'demo' }),
      logger: memoryLogger(),
      flushIntervalMs: 100,
      clock: { now: () => Date.now() + skew.ms },
      offsetMinutes: () => 0,
      notifications: { show: (n) => banners.push({ title: n.title, body: n.body }) },
      demo: {
        seed: 5,
        startSimulator: async (o) => {
          sim = await startSimulator({ seed: o.seed, marketStepMs: 200 });
          return sim;
        },
      },
    },
    { sessionTuning: FAST_SESSION_TUNING },
  );
  running = core;
  const fired: AlertLogEntry[] = [];
  const statuses: ConnectionsStatus[] = [];
  let mirror: PortfolioSnapshot | null = null;
  core.onEvent((name, payload) => {
    if (name === 'alerts:fired') fired.push(payload as AlertLogEntry);
    if (name === 'status:connections') statuses.push(payload as ConnectionsStatus);
    if (name === 'portfolio:snapshot') mirror = applyPortfolioEvent(mirror, payload as Parameters<typeof applyPortfolioEvent>[1]);
  });
  await core.start();
  return { core, sim: () => sim as unknown as Simulator, fired, banners, statuses, mirror: () => mirror, skew };
}

const marketState = (h: Harness): string | undefined => h.statuses.at(-1)?.connections.find((c) => c.id === 'market')?.state;

async function btcPrice(h: Harness): Promise<Decimal> {
  const p = await waitFor('a live BTC price', () => h.mirror()?.holdings.find((x) => x.asset === 'BTC')?.price);
  await waitFor('market live', () => marketState(h) === 'live');
  return new Decimal(p);
}

// several live-price waits in a row: a loaded 2-core machine needs more than the default 30 s
describe('alerts against the simulator', { timeout: 90_000 }, () => {
  it('a price moved on the exchange fires its alert within 2 s, once, with a banner and a log entry', async () => {
    const h = await startDemo();
    const now = await btcPrice(h);
    const level = now.times(1.1).toDecimalPlaces(2);
    await expect(
      h.core.handlers['alerts:create'](AlertRuleInput.parse({ kind: 'price-above', symbol: 'NOPEUSDT', level: '1' }), testSender),
    ).rejects.toThrow(/NOPEUSDT is not a market/);
    const rule = await h.core.handlers['alerts:create'](
      AlertRuleInput.parse({ kind: 'price-above', symbol: 'BTCUSDT', level: level.toFixed() }),
      testSender,
    );
    expect(
      await h.core.handlers['alerts:check'](
        AlertRuleInput.parse({ kind: 'price-above', symbol: 'BTCUSDT', level: now.times(0.9).toDecimalPlaces(2).toFixed() }),
        testSender,
      ),
    ).toMatchObject({ wouldFireNow: true });
    h.sim().market.setPrice('BTCUSDT', level.times(1.05).toFixed(2));
    const entry = await waitFor('the alert', () => h.fired.find((e) => e.ruleId === rule.id), 2_000);
    expect(entry.message).toMatch(/^BTCUSDT crossed above [\d,]+(\.\d+)? \(now [\d,.]+\)$/);
    expect(h.banners.map((b) => b.body)).toEqual([entry.message]);
    const state = await h.core.handlers['alerts:get'](undefined, testSender);
    expect(state.log[0]?.ruleId).toBe(rule.id);
    expect(state.rules.find((r) => r.id === rule.id)).toMatchObject({ done: true });
  });

  it('a frozen feed (stale) fires nothing, not even from a REST read; once it is live again the alert fires', async () => {
    const h = await startDemo();
    await btcPrice(h);
    const sim = h.sim();
    const sol = new Decimal(sim.market.lastPrice('SOLUSDT') ?? '0');
    const level = sol.times(0.9).toDecimalPlaces(2);
    sim.faults.state.silentSockets = true;
    await waitFor('the market feed stale', () => marketState(h) !== 'live' && marketState(h) !== undefined);
    sim.market.setPrice('SOLUSDT', level.times(0.95).toFixed(2));
    // SOL is not held: the alert puts it on the streams, and its price is read by REST at once
    await h.core.handlers['alerts:create'](
      AlertRuleInput.parse({ kind: 'price-below', symbol: 'SOLUSDT', level: level.toFixed() }),
      testSender,
    );
    await waitFor('the REST read of SOLUSDT', () => h.core.inspect.alerts().lastPrice('SOLUSDT'));
    // many flushes while stale: nothing may fire
    const seen = h.statuses.length;
    await waitFor('more status reports while stale', () => h.statuses.length >= seen + 4);
    expect(h.fired).toEqual([]);
    sim.faults.state.silentSockets = false;
    await waitFor('the alert after the feed is live again', () => h.fired.length === 1, 20_000);
    expect(h.fired[0]?.message).toMatch(/^SOLUSDT crossed below/);
  });

  it('an order filled on the exchange (placed outside Perch) is a fill alert; in privacy mode without amounts', async () => {
    const h = await startDemo();
    await btcPrice(h);
    const session = h.core.inspect.session()!;
    await waitFor('the account stream', () => h.statuses.at(-1)?.connections.find((c) => c.id === 'account')?.state === 'live');
    await session.rest.request({
      method: 'POST',
      path: '/api/v3/order',
      security: 'TRADE',
      weight: 1,
      changesState: true,
      params: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' },
    });
    const fill = await waitFor('the fill alert', () => h.fired.find((e) => e.kind === 'order'));
    expect(fill).toMatchObject({ title: 'Order filled', view: 'orders' });
    expect(fill.message).toBe('Order filled: Buy BTCUSDT, 0.01 of 0.01 filled');
    await h.core.handlers['settings:update']({ privacyMode: true }, testSender);
    await session.rest.request({
      method: 'POST',
      path: '/api/v3/order',
      security: 'TRADE',
      weight: 1,
      changesState: true,
      params: { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.01' },
    });
    const second = await waitFor('the second fill alert', () => h.fired.filter((e) => e.kind === 'order')[1]);
    expect(second.message).toBe('Order filled: Sell BTCUSDT');
    expect(h.banners.map((b) => b.body)).toContain('Order filled: Sell BTCUSDT');
  });

  it('a night asleep with the price crossing and coming back gives exactly one catch-up report', async () => {
    const h = await startDemo();
    const now = await btcPrice(h);
    const level = now.times(1.1).toDecimalPlaces(2);
    await h.core.handlers['alerts:create'](
      AlertRuleInput.parse({
        kind: 'price-above',
        symbol: 'BTCUSDT',
        level: level.toFixed(),
        repeat: true,
        rearmPercent: '1',
        cooldownMs: 0,
      }),
      testSender,
    );
    // the checkpoint of how far prices were evaluated is written while live
    await waitFor('a checkpoint', () => h.statuses.filter((s) => s.connections[0]?.state === 'live').length > 3);
    const sim = h.sim();
    h.core.suspend();
    const step = 30 * 60_000;
    const night = [level.times(1.04), level.times(0.9), level.times(1.05), level.times(0.85)];
    for (const p of night) {
      sim.clock.jump(step);
      h.skew.ms += step;
      sim.market.setPrice('BTCUSDT', p.toFixed(2));
    }
    sim.clock.jump(step);
    h.skew.ms += step;
    await h.core.resume();
    await waitFor('the catch-up report', () => h.fired.find((e) => e.kind === 'catch-up'), 20_000);
    await h.core.inspect.alerts().idle();
    // live again and well below the level: a few more seconds of live prices add nothing
    const seen = h.statuses.length;
    // (a live, unchanged status is re-sent every 5 s: two more mean ~10 s of live prices)
    await waitFor('more live status reports', () => h.statuses.length >= seen + 2 && marketState(h) === 'live', 30_000);
    expect(h.fired.map((e) => e.kind)).toEqual(['catch-up']);
    // the night may cross midnight: then the time carries its date
    expect(h.fired[0]?.message).toMatch(
      /^While you were away: BTCUSDT crossed [\d,.]+ between (\d{1,2} [A-Z][a-z]{2} )?\d\d:\d\d and (\d{1,2} [A-Z][a-z]{2} )?\d\d:\d\d$/,
    );
  });
});
