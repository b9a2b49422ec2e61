/**
 * Market streams against the simulator with injected faults (docs/behaviours.md):
 * B8 liveness, B9 backoff + budget, B10 rollover / serverShutdown, B16 lifecycle, B19 state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { createMarketStreams, type MarketStreams } from '../../../src/main/exchange/market-streams';
import { createConnectionBudget, type ConnectionBudget } from '../../../src/main/exchange/backoff';
import { createConnectionState, type ConnectionStateRegistry } from '../../../src/main/exchange/connection-state';
import { until } from '../../helpers/until';

let sim: Simulator | undefined;
let client: MarketStreams | undefined;

afterEach(async () => {
  client?.dispose();
  client = undefined;
  await sim?.stop();
  sim = undefined;
});

/** A budget that records when attempts were made. */
function countingBudget(maxAttempts = 200, windowMs = 300_000): ConnectionBudget & { attempts: number[] } {
  const inner = createConnectionBudget({ maxAttempts, windowMs });
  const attempts: number[] = [];
  return {
    attempts,
    maxAttempts: inner.maxAttempts,
    delayMs: () => inner.delayMs(),
    record: () => {
      attempts.push(Date.now());
      inner.record();
    },
    used: () => inner.used(),
  };
}

function statusLog(registry: ConnectionStateRegistry, id: string): string[] {
  const log: string[] = [];
  registry.subscribe((s) => {
    const st = s.connections.find((c) => c.id === id)?.status;
    if (st !== undefined && log[log.length - 1] !== st) log.push(st);
  });
  return log;
}

describe('B8: liveness', () => {
  it('a blackholed socket (no data, no pongs) goes stale, is replaced, and data resumes', async () => {
    sim = await startSimulator({ symbolCount: 10, marketStepMs: 50 });
    const registry = createConnectionState();
    const log = statusLog(registry, 'market#0');
    const budget = countingBudget();
    client = createMarketStreams({
      streamUrl: sim.streamUrl,
      id: 'market',
      connectionState: registry,
      budget,
      staleAfterMs: 600,
      pingIntervalMs: 400,
      pongTimeoutMs: 600,
      backoff: { baseMs: 100, capMs: 200 },
    });
    client.watch(['!miniTicker@arr']);
    await until(() => client!.tickers().size > 0, 'first data');
    sim.faults.state.silentSockets = true;
    await until(() => log.includes('stale'), 'stale');
    await until(() => budget.attempts.length >= 2, 'a reconnect attempt');
    sim.faults.state.silentSockets = false;
    const v = client.version();
    await until(() => client!.version() > v && client!.connections()[0]!.status === 'live', 'data after reconnect');
    expect(log.slice(log.indexOf('stale'))).toEqual(expect.arrayContaining(['stale', 'reconnecting', 'live']));
    expect(client.connections()[0]!.reconnectCount).toBeGreaterThanOrEqual(1);
  });

  it('data flowing but pings unanswered: no reconnect (data is liveness)', async () => {
    sim = await startSimulator({ symbolCount: 10, marketStepMs: 50 });
    sim.faults.state.noPongs = true;
    const budget = countingBudget();
    // Pings go out between the 1 s frames and are never answered; the frames keep it alive.
    const pings: number[] = [];
    client = createMarketStreams({
      streamUrl: sim.streamUrl,
      budget,
      staleAfterMs: 3000,
      pingIntervalMs: 300,
      pongTimeoutMs: 1500,
      onControlFrame: (k) => {
        if (k === 'ping') pings.push(Date.now());
      },
    });
    client.watch(['!miniTicker@arr']);
    await until(() => client!.tickers().size > 0, 'first data');
    const v0 = client.version();
    await until(() => client!.version() >= v0 + 4 && pings.length >= 3, 'four more frames and unanswered pings');
    expect(budget.attempts).toHaveLength(1);
    expect(client.connections()[0]!.status).toBe('live');
  });
});

describe('B9: backoff and budget', () => {
  it('refused upgrades (503, then 429): jittered, growing gaps within the budget; then every stream is restored', async () => {
    sim = await startSimulator({ symbolCount: 10, marketStepMs: 50 });
    // A short budget window so the test need not wait five minutes for it to refill.
    const budget = countingBudget(12, 6000);
    client = createMarketStreams({ streamUrl: sim.streamUrl, budget, backoff: { baseMs: 40, capMs: 400 } });
    sim.faults.state.refuseUpgrades = 503;
    const streams = [
      '!miniTicker@arr',
      ...sim.market
        .symbols()
        .slice(0, 5)
        .map((s) => `${s.symbol.toLowerCase()}@bookTicker`),
    ];
    client.watch(streams);
    await until(() => budget.attempts.length >= 6, 'six refused attempts');
    const gaps = budget.attempts.slice(1).map((t, i) => t - budget.attempts[i]!);
    expect(new Set(gaps).size).toBeGreaterThan(1); // jitter: not a fixed period
    sim.faults.state.refuseUpgrades = 429; // with Retry-After: 1
    const at429 = budget.attempts.length;
    await until(() => budget.attempts.length >= at429 + 2, 'attempts under 429');
    // Retry-After is honoured: a second apart at least.
    expect(budget.attempts[at429 + 1]! - budget.attempts[at429]!).toBeGreaterThanOrEqual(990);
    await until(() => budget.attempts.length >= 12, 'the budget used up');
    await new Promise((r) => setTimeout(r, 300));
    // The budget holds: no attempt beyond it within its window.
    expect(budget.used()).toBeLessThanOrEqual(12);
    expect(client.connections()[0]!.status).toMatch(/connecting|reconnecting/);
    expect(client.connections()[0]!.lastError).toMatch(/HTTP (503|429)/);
    sim.faults.state.refuseUpgrades = 0;
    await until(() => client!.connections()[0]!.status === 'live', 'connected');
    await until(() => client!.bookTickers().size === 5 && client!.tickers().size > 0, 'every stream delivering');
  });
});

describe('B8/B9: control-message pacing', () => {
  it("thirty separate watch() calls never trip the simulator's 5 messages/s limit", async () => {
    sim = await startSimulator({ symbolCount: 30, marketStepMs: 50 });
    const budget = countingBudget();
    client = createMarketStreams({ streamUrl: sim.streamUrl, budget, subscribeBatchSize: 1 });
    const names = sim.market
      .symbols()
      .slice(0, 30)
      .map((s) => `${s.symbol.toLowerCase()}@bookTicker`);
    client.watch([names[0]!]);
    await until(() => client!.connections()[0]!.status === 'live', 'connected');
    for (const n of names.slice(1)) client.watch([n]);
    await until(() => client!.bookTickers().size === 30, 'all thirty delivering', 40_000);
    // One connection all along: the server never cut us for flooding it.
    expect(budget.attempts).toHaveLength(1);
    expect(client.connections()[0]!.lastError).toBeNull();
  }, 60_000);
});

describe('B10: rollover', () => {
  it('replaces the connection before the server cuts it: no reconnecting state, values never go back or repeat', async () => {
    sim = await startSimulator({ symbolCount: 5, marketStepMs: 20, connectionLifetimeMs: 2500 });
    const registry = createConnectionState();
    const log = statusLog(registry, 'market#0');
    const budget = countingBudget();
    const perSymbol = new Map<string, number[]>();
    client = createMarketStreams({
      streamUrl: sim.streamUrl,
      id: 'market',
      connectionState: registry,
      budget,
      maxLifetimeMs: 400,
      onApply: (u) => {
        if (u.kind !== 'miniTicker') return;
        const list = perSymbol.get(u.value.symbol) ?? [];
        list.push(u.value.eventTime);
        perSymbol.set(u.value.symbol, list);
      },
    });
    client.watch(['!miniTicker@arr']);
    await until(() => budget.attempts.length >= 5, 'four rollovers');
    await until(() => client!.connections()[0]!.status === 'live', 'live');
    for (const times of perSymbol.values()) {
      for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
    }
    expect(log, log.join(' ')).not.toContain('reconnecting');
    expect(client.connections()[0]!.reconnectCount).toBe(0);
  });

  it('serverShutdown: the replacement opens and takes over before the old socket is closed', async () => {
    sim = await startSimulator({ symbolCount: 5, marketStepMs: 20 });
    const registry = createConnectionState();
    const log = statusLog(registry, 'market#0');
    const budget = countingBudget();
    const times: number[] = [];
    client = createMarketStreams({
      streamUrl: sim.streamUrl,
      id: 'market',
      connectionState: registry,
      budget,
      onApply: (u) => {
        if (u.kind === 'miniTicker' && u.value.symbol === sim!.market.symbols()[0]!.symbol) times.push(u.value.eventTime);
      },
    });
    client.watch([`${sim.market.symbols()[0]!.symbol.toLowerCase()}@miniTicker`]);
    await until(() => times.length > 3, 'data');
    sim.faults.serverShutdown();
    await until(() => budget.attempts.length === 2, 'replacement opened');
    const mark = times.length;
    await until(() => times.length > mark + 3, 'data after the switch');
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
    expect(log).not.toContain('reconnecting');
  });
});

describe('B16 + B19: lifecycle and observable state', () => {
  it('suspend goes offline with no sockets; resume reconnects at once, skipping the backoff', async () => {
    sim = await startSimulator({ symbolCount: 5, marketStepMs: 50 });
    const registry = createConnectionState();
    const log = statusLog(registry, 'market#0');
    const budget = countingBudget();
    client = createMarketStreams({
      streamUrl: sim.streamUrl,
      id: 'market',
      connectionState: registry,
      budget,
      backoff: { baseMs: 60_000, capMs: 60_000, minMs: 60_000 },
    });
    client.watch(['!miniTicker@arr']);
    await until(() => client!.tickers().size > 0, 'data');
    client.suspend();
    expect(client.connections()[0]!.status).toBe('offline');
    const v = client.version();
    await new Promise((r) => setTimeout(r, 200));
    expect(client.version()).toBe(v);
    client.resume();
    await until(() => client!.version() > v, 'data after resume');
    expect(budget.attempts).toHaveLength(2);
    expect(log).toEqual(['offline', 'connecting', 'live', 'offline', 'reconnecting', 'live']);
    const info = client.connections()[0]!;
    expect(info.ageMs).not.toBeNull();
    expect(info.lastMessageAt).not.toBeNull();
  });
});
