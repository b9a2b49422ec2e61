/**
 * Seam: orders through the whole core (createCore -> exchange session -> order API -> orders
 * service) in demo mode against the real simulator on 127.0.0.1. Commands go through
 * core.handlers with a router context, and what the renderer would see is read from the events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCore, type Core } from '../../../src/main/core/create-core';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { openDatabase, type Database } from '../../../src/main/storage/database';
import { applyPortfolioEvent, type PortfolioSnapshot, type Settings } from '../../../src/shared/domain';
import type { OpenOrdersEvent, OrderDraftInput, OrderOutcomeView } from '../../../src/shared/domain/orders';
import type { EventName } from '../../../src/shared/ipc/channels';
import { events as eventSchemas } from '../../../src/shared/ipc/contract';
import { AppError } from '../../../src/shared/ipc/result';
import { dec, floorToStep, formatDecimal } from '../../../src/shared/money';
import { memoryLogger, memorySecrets, memorySettings, testSender } from '../../unit/core/fakes';
import { FAST_SESSION_TUNING, waitFor } from './core-harness';

const FAST = FAST_SESSION_TUNING;

const SimOrderRow = z.object({
  orderId: z.union([z.string(), z.number()]).transform(String),
  clientOrderId: z.string(),
  status: z.string(),
});

let sim: Simulator;
const dirs: string[] = [];
const running: Core[] = [];
const databases: Database[] = [];

beforeAll(async () => {
  // Prices stay put, so a limit below the market rests.
  sim = await startSimulator({ seed: 11, marketStepMs: 3_600_000 });
}, 60_000);

// The core isolates its event listeners (a throwing listener cannot break main), so an expect()
// inside one could never fail a test: problems are collected and asserted after each test.
const eventProblems: string[] = [];

afterEach(async () => {
  const problems = eventProblems.splice(0);
  for (const c of running.splice(0)) await c.stop();
  for (const d of databases.splice(0)) d.close();
  sim.faults.reset();
  sim.accounts.reset(sim.demoAccountId);
  expect(problems, 'events that break the contract').toEqual([]);
});

afterAll(async () => {
  await sim.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Harness {
  core: Core;
  settings: ReturnType<typeof memorySettings>;
  payloads: Array<{ name: EventName; payload: unknown }>;
  mirror: () => PortfolioSnapshot | null;
  lastOpen: () => OpenOrdersEvent | null;
}

function dbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'perch-core-orders-'));
  dirs.push(dir);
  return join(dir, 'perch.sqlite');
}

async function startCore(
  opts: { settings?: Partial<Settings>; database?: Database; placeTimeoutMs?: number; waitReady?: boolean } = {},
): Promise<Harness> {
  const settings = memorySettings({ environment: 'demo', tradingEnabled: true, ...opts.settings });
  const core = createCore(
    {
      secrets: memorySecrets(),
      settings,
      logger: memoryLogger(),
      flushIntervalMs: 100,
      ...(opts.database !== undefined ? { database: opts.database } : {}),
      // One simulator for the file: a core's stop must not stop it (a restart keeps the exchange).
      demo: { seed: 11, startSimulator: async () => ({ ...sim, stop: async () => undefined }) },
    },
    {
      sessionTuning: FAST,
      ordersTuning: {
        orderApi: {
          graceMs: 400,
          backoff: { baseMs: 40, capMs: 160, minMs: 20 },
          placeTimeoutMs: opts.placeTimeoutMs ?? 5_000,
          cancelCheckMs: 3_000,
        },
        service: { openCoalesceMs: 20, placeTimeoutMs: opts.placeTimeoutMs ?? 5_000, ocoGraceMs: 400 },
      },
    },
  );
  running.push(core);
  const payloads: Harness['payloads'] = [];
  let mirror: PortfolioSnapshot | null = null;
  let lastOpen: OpenOrdersEvent | null = null;
  core.onEvent((name, payload) => {
    // every event is what the contract promises the renderer
    if (!eventSchemas[name].safeParse(payload).success) eventProblems.push(`${name} payload does not match its schema`);
    payloads.push({ name, payload });
    if (name === 'portfolio:snapshot') mirror = applyPortfolioEvent(mirror, payload as Parameters<typeof applyPortfolioEvent>[1]);
    if (name === 'orders:open') lastOpen = payload as OpenOrdersEvent;
  });
  await core.start();
  if (opts.waitReady !== false) await waitFor('orders ready (intents reconciled)', () => core.inspect.orders()?.isReady());
  return { core, settings, payloads, mirror: () => mirror, lastOpen: () => lastOpen };
}

function priceAt(symbol: string, factor: string, tick = '0.01'): string {
  return formatDecimal(floorToStep(dec(sim.market.lastPrice(symbol)).mul(factor), tick));
}

async function confirmDraft(
  h: Harness,
  draft: OrderDraftInput,
): Promise<{ token: string; order: NonNullable<Awaited<ReturnType<Core['handlers']['orders:preflight']>>['order']> }> {
  const r = await h.core.handlers['orders:preflight']({ draft, confirm: true }, testSender);
  if (r.confirmation === null) throw new Error(`not confirmable: ${JSON.stringify({ issues: r.issues, disabled: r.disabledReason })}`);
  return { token: r.confirmation.token, order: r.confirmation.order };
}

async function simOrders(h: Harness, symbol: string): Promise<z.infer<typeof SimOrderRow>[]> {
  const session = h.core.inspect.session();
  if (session === null) throw new Error('no session');
  return session.rest.request({
    method: 'GET',
    path: '/api/v3/allOrders',
    params: { symbol, limit: 1000 },
    security: 'USER_DATA',
    weight: 20,
    schema: z.array(SimOrderRow),
  });
}

async function refusal(p: unknown): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('orders through the core (demo mode, built-in simulator)', () => {
  it('pre-flight -> confirm -> submit a limit buy: it shows in orders:open, then cancel removes it', async () => {
    const h = await startCore();
    const price = priceAt('BTCUSDT', '0.9');
    const pre = await h.core.handlers['orders:preflight'](
      { draft: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price } },
      testSender,
    );
    expect(pre.ok).toBe(true);
    expect(pre.disabledReason).toBeNull();
    // main read a quote for the checks even though no form watches the symbol yet
    expect(pre.market?.bid).not.toBeNull();
    expect(dec(pre.market!.bid!).lt(pre.market!.ask!)).toBe(true);

    const c = await confirmDraft(h, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price });
    expect(c.order).toMatchObject({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price });
    const out: OrderOutcomeView = await h.core.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true }, testSender);
    expect(out.status).toBe('accepted');
    const orderId = out.orders[0]!.orderId;
    expect(h.payloads.some((p) => p.name === 'orders:outcome' && (p.payload as OrderOutcomeView).clientOrderId === c.token)).toBe(true);

    await waitFor('the order in an orders:open event', () => h.lastOpen()?.orders.some((o) => o.orderId === orderId && o.price === price));
    const listed = await h.core.handlers['orders:listOpen']({ symbol: 'BTCUSDT' }, testSender);
    expect(listed.orders.map((o) => o.clientOrderId)).toContain(c.token);

    const cancel = await h.core.handlers['orders:cancel']({ symbol: 'BTCUSDT', orderId, confirmed: true }, testSender);
    expect(cancel.status).toBe('canceled');
    await waitFor(
      'an orders:open event without it',
      () => h.lastOpen() !== null && !h.lastOpen()!.orders.some((o) => o.orderId === orderId),
    );
    expect((await simOrders(h, 'BTCUSDT')).filter((o) => o.clientOrderId === c.token).map((o) => o.status)).toEqual(['CANCELED']);
  });

  it('a market buy fills once, raises an app:notice and changes the holdings in the portfolio snapshot', async () => {
    const h = await startCore();
    const btcBefore = await waitFor('BTC in the portfolio', () => h.mirror()?.holdings.find((x) => x.asset === 'BTC')?.total);
    const usdtBefore = h.mirror()!.holdings.find((x) => x.asset === 'USDT')!.total;
    const c = await confirmDraft(h, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '100' });
    const out = await h.core.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true }, testSender);
    expect(out.status).toBe('filled');
    const bought = dec(out.orders[0]!.executedQty);
    expect(bought.gt(0)).toBe(true);

    // a repeated submit of the same confirmation answers the same outcome and sends nothing
    const again = await h.core.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true }, testSender);
    expect(again.clientOrderId).toBe(c.token);
    expect((await simOrders(h, 'BTCUSDT')).filter((o) => o.clientOrderId === c.token)).toHaveLength(1);

    await waitFor('an order-filled notice', () =>
      h.payloads.some((p) => p.name === 'app:notice' && (p.payload as { code: string }).code === 'order-filled'),
    );
    const after = await waitFor('the holdings to change', () => {
      const s = h.mirror();
      const btc = s?.holdings.find((x) => x.asset === 'BTC');
      return btc !== undefined && !new Decimal(btc.total).eq(btcBefore) ? s : null;
    });
    const btcAfter = after!.holdings.find((x) => x.asset === 'BTC')!.total;
    // what the order spent (at most the 100 asked for, after step rounding) left USDT
    const spent = new Decimal(out.orders[0]!.cumulativeQuoteQty);
    expect(spent.gt(0) && spent.lte(100)).toBe(true);
    await waitFor('USDT to drop by what was spent', () => {
      const u = h.mirror()?.holdings.find((x) => x.asset === 'USDT')?.total;
      return u !== undefined && new Decimal(usdtBefore).minus(u).eq(spent);
    });
    // the bought quantity (less a fee in BTC, if any) landed in BTC
    expect(new Decimal(btcAfter).gt(btcBefore)).toBe(true);
    expect(new Decimal(btcAfter).minus(btcBefore).lte(bought)).toBe(true);
  });

  it("orders:watchMarket pushes orders:market with the live book of the form's symbol, until the form closes (only listed symbols)", async () => {
    const h = await startCore();
    const q = await h.core.handlers['orders:watchMarket']({ symbol: 'ETHUSDT' }, testSender);
    expect(q).not.toBeNull();
    expect(dec(q!.bid!).lt(q!.ask!)).toBe(true);
    await waitFor('an orders:market event for ETHUSDT', () =>
      h.payloads.some((p) => p.name === 'orders:market' && (p.payload as { symbol: string }).symbol === 'ETHUSDT'),
    );
    const orders = h.core.inspect.orders()!;
    expect([...orders.watching()]).toEqual(['ETHUSDT']);
    // a symbol the exchange does not list is never subscribed
    await h.core.handlers['orders:watchMarket']({ symbol: 'NOSUCHPAIR' }, testSender);
    expect([...orders.watching()]).toEqual([]);
    await h.core.handlers['orders:watchMarket']({ symbol: 'ETHUSDT' }, testSender);
    expect([...orders.watching()]).toEqual(['ETHUSDT']);
    // the form closed: nothing is watched any more
    expect(await h.core.handlers['orders:watchMarket']({ symbol: null }, testSender)).toBeNull();
    expect([...orders.watching()]).toEqual([]);
  });

  it('read-only mode (trading off in Settings) refuses submit and cancel, and pre-flight says why', async () => {
    const h = await startCore();
    const c = await confirmDraft(h, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: priceAt('BTCUSDT', '0.9') });
    await h.core.handlers['settings:update']({ tradingEnabled: false }, testSender);
    const pre = await h.core.handlers['orders:preflight'](
      { draft: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: priceAt('BTCUSDT', '0.9') }, confirm: true },
      testSender,
    );
    expect(pre.ok).toBe(false);
    expect(pre.confirmation).toBeNull();
    expect(pre.disabledReason).toMatch(/read-only/);
    const e = await refusal(h.core.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true }, testSender));
    expect(e.code).toBe('not-allowed');
    expect((await simOrders(h, 'BTCUSDT')).filter((o) => o.clientOrderId === c.token)).toHaveLength(0);
    const e2 = await refusal(h.core.handlers['orders:cancelAll']({ symbol: 'BTCUSDT', confirmed: true }, testSender));
    expect(e2.code).toBe('not-allowed');
  });

  it('a restart with unfinished intents in the database reconciles them on start (and never sends them again)', async () => {
    const path = dbPath();
    const db1 = openDatabase(path);
    const first = await startCore({ database: db1 });
    const rest = first.core.inspect.session()!.rest;
    // The state a crash leaves: two intents journaled, one of which reached the exchange.
    const reached = 'perch-restart-reached';
    const lost = 'perch-restart-lost';
    const order = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '30' } as const;
    for (const [id, state] of [
      [reached, 'sent'],
      [lost, 'pending'],
    ] as const) {
      db1.orderIntents.insert({
        clientOrderId: id,
        createdAt: Date.now(),
        environment: 'demo',
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        payload: { kind: 'order', order, confirmedAt: Date.now() },
        state,
      });
    }
    await rest.request({
      method: 'POST',
      path: '/api/v3/order',
      security: 'TRADE',
      weight: 1,
      params: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '30', newClientOrderId: reached },
    });
    await first.core.stop();
    db1.close();

    const db2 = openDatabase(path);
    databases.push(db2);
    expect(
      db2.orderIntents
        .listUnfinished('demo')
        .map((i) => i.clientOrderId)
        .sort(),
    ).toEqual([lost, reached].sort());
    const second = await startCore({ database: db2 });
    // ready means every unfinished intent was reconciled first
    expect(db2.orderIntents.listUnfinished('demo')).toHaveLength(0);
    expect(db2.orderIntents.get(reached)?.state).toBe('accepted');
    // its own state, so the "placed after all" follow-up resumes after a restart
    expect(db2.orderIntents.get(lost)?.state).toBe('not-placed');
    expect((await second.core.handlers['orders:outcome']({ clientOrderId: reached }, testSender))?.status).toBe('filled');
    expect((await second.core.handlers['orders:outcome']({ clientOrderId: lost }, testSender))?.status).toBe('not-placed');
    // a resend of either confirmation answers the known outcome and sends nothing
    const again = await second.core.handlers['orders:submit']({ token: reached, order, confirmed: true }, testSender);
    expect(again.status).toBe('filled');
    const againLost = await second.core.handlers['orders:submit']({ token: lost, order, confirmed: true }, testSender);
    expect(againLost.status).toBe('not-placed');
    const rows = await simOrders(second, 'BTCUSDT');
    expect(rows.filter((o) => o.clientOrderId === reached)).toHaveLength(1);
    expect(rows.filter((o) => o.clientOrderId === lost)).toHaveLength(0);
  });
});

describe('confirming while no session is ready', () => {
  it('a switch to an environment without a key in between: submit says "nothing was sent", and orders:outcome answers "not sent"', async () => {
    const database = openDatabase(dbPath());
    databases.push(database);
    const h = await startCore({ database });
    const c = await confirmDraft(h, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: priceAt('BTCUSDT', '0.9') });
    await h.core.handlers['settings:update']({ environment: 'testnet' }, testSender);
    await waitFor('no session (no Testnet key)', () => h.core.inspect.orders() === null);

    const e = await refusal(h.core.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true }, testSender));
    expect(e.code).toBe('not-sent');
    expect(e.message).toMatch(/^Nothing was sent\. No API key is saved/);
    expect(database.orderIntents.get(c.token)).toBeNull();
    // The renderer's poll says what it shows: a definite "not sent", so it stops checking.
    const view = await h.core.handlers['orders:outcome']({ clientOrderId: c.token, symbol: 'BTCUSDT', kind: 'order' }, testSender);
    expect(view).toMatchObject({ clientOrderId: c.token, symbol: 'BTCUSDT', status: 'not-placed', orders: [] });
    expect(view?.message).toMatch(/^Not sent/);
    // Without what it shows, the old answer: nothing known.
    expect(await h.core.handlers['orders:outcome']({ clientOrderId: c.token }, testSender)).toBeNull();
  }, 60_000);

  it('while the session is still connecting: "still connecting; nothing was sent", never an unknown outcome', async () => {
    // The account never answers, so the session (and its orders) never become ready.
    sim.faults.state.hangPaths = ['/api/v3/account'];
    const h = await startCore({ waitReady: false });
    await waitFor('an orders service that is not ready', () => h.core.inspect.orders() !== null);
    expect(h.core.inspect.orders()?.isReady()).toBe(false);
    const order = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: '1000', timeInForce: 'GTC' } as const;
    const e = await refusal(h.core.handlers['orders:submit']({ token: 'web_notjournaled000001', order, confirmed: true }, testSender));
    expect(e.code).toBe('not-sent');
    expect(e.message).toBe('Perch is still connecting to the demo exchange; nothing was sent. Try again in a moment.');
    expect(
      (await h.core.handlers['orders:outcome']({ clientOrderId: 'web_notjournaled000001', symbol: 'BTCUSDT' }, testSender))?.status,
    ).toBe('not-placed');
  }, 60_000);
});
