/**
 * Seam: the whole core (createCore) in demo mode against the real simulator on 127.0.0.1,
 * with in-memory keychain, settings and log. What a person sees is what the renderer would
 * rebuild from the events alone, so every assertion is made on that mirror.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import { createCore, type Core } from '../../../src/main/core/create-core';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { applyPortfolioEvent, type ConnectionsStatus, type PortfolioSnapshot } from '../../../src/shared/domain';
import { events as eventSchemas } from '../../../src/shared/ipc/contract';
import type { EventName } from '../../../src/shared/ipc/channels';
import { memoryLogger, memorySecrets, memorySettings, testSender } from '../../unit/core/fakes';
import { FAST_SESSION_TUNING, waitFor } from './core-harness';

const FAST = FAST_SESSION_TUNING;

interface Harness {
  core: Core;
  sim: () => Simulator;
  mirror: () => PortfolioSnapshot | null;
  statuses: ConnectionsStatus[];
  payloads: Array<{ name: EventName; payload: unknown }>;
  results: unknown[];
  logger: ReturnType<typeof memoryLogger>;
  secrets: ReturnType<typeof memorySecrets>;
  call<T>(p: Promise<T> | T): Promise<T>;
}

let running: Core | null = null;
// The core isolates its event listeners (a throwing listener cannot break main), so an expect()
// inside one could never fail a test: problems are collected and asserted after each test.
const eventProblems: string[] = [];
afterEach(async () => {
  const problems = eventProblems.splice(0);
  await running?.stop();
  running = null;
  expect(problems, 'events that break the contract or the delta chain').toEqual([]);
});

async function startDemo(): Promise<Harness> {
  const logger = memoryLogger();
  const secrets = memorySecrets();
  let sim: Simulator | null = null;
  const core = createCore(
    {
      secrets,
      settings: memorySettings({ environment: 'demo' }),
      logger,
      flushIntervalMs: 100,
      demo: {
        seed: 11,
        startSimulator: async (o) => {
          sim = await startSimulator({ seed: o.seed, marketStepMs: 200 });
          return sim;
        },
      },
    },
    { sessionTuning: FAST },
  );
  running = core;
  let mirror: PortfolioSnapshot | null = null;
  const statuses: ConnectionsStatus[] = [];
  const payloads: Harness['payloads'] = [];
  core.onEvent((name, payload) => {
    if (!eventSchemas[name].safeParse(payload).success) eventProblems.push(`${name} payload does not match its schema`);
    payloads.push({ name, payload });
    if (name === 'portfolio:snapshot') {
      const next = applyPortfolioEvent(mirror, payload as Parameters<typeof applyPortfolioEvent>[1]);
      // a delta that does not follow is what the renderer would refetch for: it must not happen here
      if (next === null && (payload as { kind?: string }).kind !== 'cleared')
        eventProblems.push(`portfolio delta seq ${(payload as { seq?: number }).seq} does not follow`);
      mirror = next;
    }
    if (name === 'status:connections') statuses.push(payload as ConnectionsStatus);
  });
  const results: unknown[] = [];
  await core.start();
  return {
    core,
    sim: () => sim as unknown as Simulator,
    mirror: () => mirror,
    statuses,
    payloads,
    results,
    logger,
    secrets,
    async call(p) {
      const r = await p;
      results.push(r);
      return r;
    },
  };
}

const holding = (s: PortfolioSnapshot | null, asset: string) => s?.holdings.find((h) => h.asset === asset);

describe('core in demo mode against the simulator', () => {
  it('starts on the simulator and shows holdings with a total, valued by every kind of route', async () => {
    const h = await startDemo();
    const snap = await waitFor('a live snapshot with prices', () => {
      const s = h.mirror();
      return s !== null && s.freshness.state === 'live' && holding(s, 'BTC')?.price != null && holding(s, 'ARDR')?.price != null ? s : null;
    });
    expect(snap.environment).toBe('demo');
    expect(new Decimal(snap.total).gt(10_000)).toBe(true);
    expect(holding(snap, 'USDT')).toMatchObject({ priceRoute: 'quote', price: '1', total: '25000' });
    expect(holding(snap, 'BTC')?.priceRoute).toBe('direct');
    expect(holding(snap, 'ARDR')).toMatchObject({ priceRoute: 'bridge', via: 'BTC' });
    expect(holding(snap, 'DUSTX')).toMatchObject({ priceRoute: 'none', price: null, value: null });
    // the total is exactly the sum of the priced holdings
    const sum = snap.holdings.reduce((a, x) => (x.value === null ? a : a.plus(x.value)), new Decimal(0));
    expect(sum.minus(snap.total).abs().lte('0.00001')).toBe(true);
    const state = await h.core.handlers['app:getState'](undefined, testSender);
    expect(state).toMatchObject({ demo: true, key: null });
    expect(state.portfolio?.seq).toBeGreaterThan(0);
  });

  it('the status carries the age of market and account data as soon as the first messages arrive', async () => {
    const t0 = Date.now();
    const h = await startDemo();
    // Well inside the 5 s periodic refresh: the first message itself must produce a status event.
    const st = await waitFor(
      'a status with both ages',
      () => h.statuses.find((s) => s.connections.every((c) => c.state === 'live' && c.lastMessageAt !== null)),
      4_000,
    );
    for (const c of st.connections) expect(c.lastMessageAt!).toBeGreaterThanOrEqual(t0 - 1_000);
  });

  it('a balance change on the exchange reaches the next snapshot', async () => {
    const h = await startDemo();
    await waitFor('BTC valued', () => holding(h.mirror(), 'BTC')?.value != null);
    const sim = h.sim();
    sim.accounts.adjustBalance(sim.demoAccountId, 'BTC', '1.25');
    await waitFor('BTC balance 1.75', () => holding(h.mirror(), 'BTC')?.total === '1.75');
    sim.accounts.adjustBalance(sim.demoAccountId, 'ETH', '-4');
    await waitFor('ETH gone', () => h.mirror() !== null && holding(h.mirror(), 'ETH') === undefined);
  });

  it('a price move on the exchange changes the value', async () => {
    const h = await startDemo();
    await waitFor('BNB valued', () => holding(h.mirror(), 'BNB')?.value != null);
    const before = new Decimal(holding(h.mirror(), 'BNB')!.price!);
    // Far from where the random walk is, so the move is unmistakable; the model keeps walking
    // from the new level, so "near 1000" is what the next snapshots show.
    const target = before.times(3).toDecimalPlaces(2);
    h.sim().market.setPrice('BNBUSDT', target.toFixed());
    const bnb = await waitFor('BNB near the new price', () => {
      const x = holding(h.mirror(), 'BNB');
      return x?.price != null && new Decimal(x.price).minus(target).abs().lte(target.times('0.05')) ? x : null;
    });
    expect(new Decimal(bnb.value!).eq(new Decimal(bnb.price!).times(12))).toBe(true);
  });

  it('demo:reset restores the opening balances', async () => {
    const h = await startDemo();
    await waitFor('BTC valued', () => holding(h.mirror(), 'BTC')?.value != null);
    const sim = h.sim();
    sim.accounts.adjustBalance(sim.demoAccountId, 'BTC', '3');
    await waitFor('BTC 3.5', () => holding(h.mirror(), 'BTC')?.total === '3.5');
    const r = await h.core.handlers['demo:reset'](undefined, testSender);
    expect(r.resetAt).toBeGreaterThan(0);
    expect(r.canceledOrders).toBe(0);
    await waitFor('BTC back to 0.5', () => holding(h.mirror(), 'BTC')?.total === '0.5');
  });

  it('silent sockets make the figures stale, and they recover by themselves', async () => {
    const h = await startDemo();
    await waitFor('live', () => h.mirror()?.freshness.state === 'live');
    h.sim().faults.state.silentSockets = true;
    const stale = await waitFor('stale', () => {
      const f = h.mirror()?.freshness;
      return f !== undefined && f.state !== 'live' ? f : null;
    });
    expect(stale.since).not.toBeNull();
    // the last known values stay visible while stale
    expect(h.mirror()?.holdings.length).toBeGreaterThan(0);
    h.sim().faults.state.silentSockets = false;
    await waitFor('live again', () => h.mirror()?.freshness.state === 'live', 30_000).catch((e: unknown) => {
      console.log(
        JSON.stringify(h.statuses.slice(-6).map((s) => s.connections.map((c) => `${c.id}:${c.state}:${c.reconnects}:${c.lastError}`))),
      );
      throw e;
    });
  }, 90_000);

  it('forced closes show reconnecting in the status, then live again', async () => {
    const h = await startDemo();
    await waitFor('live', () => h.mirror()?.freshness.state === 'live');
    const before = h.statuses.length;
    h.sim().faults.closeAll('all');
    await waitFor('reconnects counted', () => h.statuses.slice(before).some((s) => s.connections.some((c) => c.reconnects > 0)), 30_000);
    await waitFor(
      'live again',
      () => {
        const last = h.statuses.at(-1);
        return last !== undefined && last.connections.every((c) => c.state === 'live') && h.mirror()?.freshness.state === 'live';
      },
      30_000,
    );
  });

  it('no secret ever appears in an event, a handler result or a log line', async () => {
    const h = await startDemo();
    await waitFor('live', () => h.mirror()?.freshness.state === 'live');
    const sim = h.sim();
    const KNOWN_SECRET = 'KnownSecret0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR';
    const { apiKey } = sim.registerKey({ type: 'HMAC', secret: KNOWN_SECRET, accountId: sim.demoAccountId });
    const material = { kind: 'hmac' as const, apiKey, secret: KNOWN_SECRET };
    await h.call(h.core.handlers['keys:test']({ environment: 'demo', material }, testSender));
    await h.call(h.core.handlers['keys:save']({ environment: 'demo', material }, testSender));
    await h.core.inspect.idle();
    const seqBefore = h.payloads.length;
    await waitFor(
      'a session with the saved key delivers',
      () => h.payloads.slice(seqBefore).some((p) => p.name === 'portfolio:snapshot') && h.mirror()?.freshness.state === 'live',
    );
    await h.call(h.core.handlers['keys:health']({ environment: 'demo' }, testSender));
    await h.call(h.core.handlers['app:getState'](undefined, testSender));
    await h.call(h.core.handlers['portfolio:getSnapshot'](undefined, testSender));
    await h.call(h.core.handlers['keys:generateEd25519']({ environment: 'demo' }, testSender));
    const pendingPem = [...h.secrets.entries.entries()].find(([k]) => k.startsWith('ed25519-pending'))?.[1];
    expect(pendingPem).toBeDefined();
    const privateBody = (JSON.parse(pendingPem!).privateKeyPem as string).split('\n')[1]!;
    // a wrong key produces error messages: they must be clean too
    const wrong = await Promise.resolve(
      h.core.handlers['keys:test']({ environment: 'demo', material: { kind: 'hmac', apiKey, secret: `${KNOWN_SECRET}x` } }, testSender),
    ).catch((e: unknown) => ({ error: String(e) }));
    h.results.push(wrong);
    h.sim().faults.closeAll('all'); // reconnect paths log too
    await waitFor('live again', () => h.mirror()?.freshness.state === 'live', 30_000);
    await h.call(h.core.handlers['keys:remove']({ environment: 'demo' }, testSender));
    await h.core.inspect.idle();

    const everything = JSON.stringify(h.payloads) + JSON.stringify(h.results) + h.logger.text();
    for (const secret of [KNOWN_SECRET, sim.apiSecret, privateBody]) {
      expect(everything.includes(secret)).toBe(false);
    }
    expect(everything.includes(apiKey)).toBe(false); // only the masked form is ever shown
    expect(h.logger.lines.length).toBeGreaterThan(3); // the search looked at a real log
  });
});
