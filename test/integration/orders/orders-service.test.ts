/**
 * The orders service against the real simulator: each order type, filter failures, cancels, OCO,
 * partial fills, unknown outcomes, double submits, read-only mode, restart recovery, history.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { dec, formatDecimal } from '../../../src/shared/money';
import { AppError } from '../../../src/shared/ipc/result';
import { orderCommands } from '../../../src/shared/ipc/orders-contract';
import {
  buildService,
  confirm,
  createClient,
  dbFile,
  place,
  posts,
  priceAt,
  settled,
  simOrders,
  until,
  type Client,
  type Harness,
} from './orders-service-harness';

let sim: Simulator;
let client: Client;
const cleanups: Array<() => void> = [];
const harnesses: Harness[] = [];

beforeAll(async () => {
  // Prices stay put unless a test moves them.
  sim = await startSimulator({ seed: 11, marketStepMs: 3_600_000 });
  client = await createClient(sim);
}, 60_000);

afterAll(async () => {
  client.dispose();
  await sim.stop();
});

afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
  for (const c of cleanups.splice(0)) c();
  sim.faults.reset();
  sim.accounts.reset(sim.demoAccountId);
});

async function service(o: Parameters<typeof buildService>[3] = {}): Promise<Harness> {
  const f = dbFile();
  cleanups.push(f.cleanup);
  const h = buildService(sim, client, f.path, o);
  harnesses.push(h);
  await h.service.start();
  return h;
}

describe('order types', () => {
  it('a LIMIT buy below the market rests, is journaled, appears in open orders and cancels', async () => {
    const h = await service();
    const price = priceAt(sim, 'BTCUSDT', '0.9');
    const before = posts(client);
    const out = await place(h, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price, timeInForce: 'GTC' });
    expect(out.status).toBe('accepted');
    // the demo exchange answered, not Binance: the outcome says so
    expect(out.message).toBe('The demo exchange accepted the order; it is open.');
    expect(out.orders[0]?.price).toBe(price);
    expect(posts(client) - before).toBe(1);
    const intent = h.db.orderIntents.get(out.clientOrderId);
    expect(intent?.state).toBe('accepted');
    expect(intent?.exchangeOrderId).toBe(out.orders[0]?.orderId);
    const open = await h.service.handlers['orders:listOpen']({ symbol: 'BTCUSDT' });
    expect(open.orders.map((o) => o.clientOrderId)).toContain(out.clientOrderId);
    await until(() => h.events.some((e) => e.name === 'orders:open'), 'an orders:open event');

    const orderId = out.orders[0]!.orderId;
    const c = await h.service.handlers['orders:cancel']({ symbol: 'BTCUSDT', orderId, confirmed: true });
    expect(c.status).toBe('canceled');
    expect((await h.service.handlers['orders:listOpen']({ symbol: 'BTCUSDT' })).orders.map((o) => o.orderId)).not.toContain(orderId);
    expect((await simOrders(client, 'BTCUSDT')).find((o) => o.orderId === orderId)?.status).toBe('CANCELED');
  });

  it('the order history follows a place and a cancel by itself (no manual sync)', async () => {
    const h = await service();
    const historyOf = async () => (await h.service.handlers['orders:history']({ symbol: 'BTCUSDT' })).orders;
    const ids = async () => (await historyOf()).map((o) => `${o.orderId}:${o.status}`);
    const before = await ids(); // the first look syncs the symbol once
    const out = await place(h, {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.001',
      price: priceAt(sim, 'BTCUSDT', '0.9'),
      timeInForce: 'GTC',
    });
    const orderId = out.orders[0]!.orderId;
    await until(async () => (await ids()).includes(`${orderId}:NEW`), 'the placed order in the history');
    expect((await ids()).length).toBe(before.length + 1);
    await h.service.handlers['orders:cancel']({ symbol: 'BTCUSDT', orderId, confirmed: true });
    await until(async () => (await ids()).includes(`${orderId}:CANCELED`), 'the canceled order in the history');
  });

  it('a MARKET buy by quote total fills, and a MARKET sell by quantity fills; fills raise a notice', async () => {
    const h = await service();
    const buy = await place(h, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '50' });
    expect(buy.status).toBe('filled');
    expect(h.notices.some((n) => n.code === 'order-filled' && n.message.includes('BTCUSDT'))).toBe(true);
    const sell = await place(h, { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.001' });
    expect(sell.status).toBe('filled');
    expect(sell.orders[0]?.executedQty).toBe('0.001');
  });

  it('STOP_LOSS_LIMIT, TAKE_PROFIT_LIMIT and LIMIT_MAKER sells are accepted with exactly the confirmed values', async () => {
    const h = await service();
    const drafts = [
      {
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'STOP_LOSS_LIMIT',
        quantity: '0.001',
        stopPrice: priceAt(sim, 'BTCUSDT', '0.95'),
        price: priceAt(sim, 'BTCUSDT', '0.94'),
        timeInForce: 'GTC',
      },
      {
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'TAKE_PROFIT_LIMIT',
        quantity: '0.001',
        stopPrice: priceAt(sim, 'BTCUSDT', '1.05'),
        price: priceAt(sim, 'BTCUSDT', '1.06'),
        timeInForce: 'GTC',
      },
      { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT_MAKER', quantity: '0.001', price: priceAt(sim, 'BTCUSDT', '1.1') },
    ] as const;
    for (const d of drafts) {
      const c = await confirm(h, d);
      const out = await h.service.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true });
      expect(out.status, d.type).toBe('accepted');
      const sent = client.sent.filter((r) => r.method === 'POST' && r.params.get('newClientOrderId') === c.token);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.params.get('type')).toBe(d.type);
      expect(sent[0]!.params.get('price')).toBe(c.order.price);
      expect(sent[0]!.params.get('quantity')).toBe('0.001');
      if ('stopPrice' in d) expect(sent[0]!.params.get('stopPrice')).toBe(c.order.stopPrice);
    }
  });

  it('an OCO sell places both legs once, shows them together, and cancelling one leg cancels both', async () => {
    const h = await service();
    const c = await confirm(h, {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'OCO',
      quantity: '0.002',
      price: priceAt(sim, 'BTCUSDT', '1.08'),
      stopPrice: priceAt(sim, 'BTCUSDT', '0.93'),
      stopLimitPrice: priceAt(sim, 'BTCUSDT', '0.92'),
    });
    const out = await h.service.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true });
    expect(out.kind).toBe('oco');
    expect(out.status).toBe('accepted');
    expect(out.orders).toHaveLength(2);
    expect(posts(client, c.token)).toBe(1);
    const open = await h.service.handlers['orders:listOpen']({ symbol: 'BTCUSDT' });
    const list = open.lists.find((l) => l.orderListId === out.orderListId);
    expect(list?.orderIds).toHaveLength(2);
    const r = await h.service.handlers['orders:cancel']({ symbol: 'BTCUSDT', orderId: list!.orderIds[0]!, confirmed: true });
    expect(r.status).toBe('canceled');
    const rows = (await simOrders(client, 'BTCUSDT')).filter((o) => list!.orderIds.includes(o.orderId));
    expect(rows.map((o) => o.status)).toEqual(['CANCELED', 'CANCELED']);
    const final = await settled(h, c.token);
    expect(final.status).toBe('canceled');
  });

  it('cancel-all cancels every open order of the symbol (and needs the confirmation flag in the contract)', async () => {
    const h = await service();
    await place(h, { symbol: 'ETHUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: priceAt(sim, 'ETHUSDT', '0.8') });
    await place(h, { symbol: 'ETHUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: priceAt(sim, 'ETHUSDT', '0.85') });
    const r = await h.service.handlers['orders:cancelAll']({ symbol: 'ETHUSDT', confirmed: true });
    expect(r).toMatchObject({ status: 'done', canceled: 2, stillOpen: 0 });
    expect((await h.service.handlers['orders:listOpen']({ symbol: 'ETHUSDT' })).orders).toHaveLength(0);
    expect(orderCommands['orders:cancelAll'].input.safeParse({ symbol: 'ETHUSDT' }).success).toBe(false);
    expect(orderCommands['orders:cancel'].input.safeParse({ symbol: 'ETHUSDT', orderId: '1', confirmed: false }).success).toBe(false);
  });

  it('a resting limit that the market crosses fills partially, then fully (user data stream)', async () => {
    const h = await service({ userData: true });
    await until(() => h.userData?.isSynced() === true, 'user data stream synced');
    const limit = priceAt(sim, 'BNBUSDT', '0.97');
    const out = await place(h, { symbol: 'BNBUSDT', side: 'BUY', type: 'LIMIT', quantity: '2', price: limit });
    expect(out.status).toBe('accepted');
    sim.market.setPrice('BNBUSDT', priceAt(sim, 'BNBUSDT', '0.95'));
    await until(
      async () => (await h.service.handlers['orders:outcome']({ clientOrderId: out.clientOrderId }))?.status !== 'accepted',
      'a fill',
    );
    const seen = h.events
      .filter((e) => e.name === 'orders:outcome')
      .map((e) => e.payload as { clientOrderId: string; status: string })
      .filter((p) => p.clientOrderId === out.clientOrderId)
      .map((p) => p.status);
    // The engine fills at most half per tick: the first fill is partial.
    expect(seen).toContain('partially-filled');
    for (let i = 0; i < 5 && (await h.service.handlers['orders:outcome']({ clientOrderId: out.clientOrderId }))?.status !== 'filled'; i++) {
      sim.market.setPrice('BNBUSDT', priceAt(sim, 'BNBUSDT', '0.999'));
      await new Promise((r) => setTimeout(r, 100));
    }
    const final = await settled(h, out.clientOrderId);
    expect(['partially-filled', 'filled']).toContain(final.status);
  });
});

describe('pre-flight against the simulator rules', () => {
  it('explains each filter failure with a one-click correction that then passes', async () => {
    const h = await service();
    const before = posts(client);
    const price = priceAt(sim, 'BTCUSDT', '0.9');
    const cases = [
      { draft: { quantity: '0.000015', price }, code: 'LOT_SIZE', field: 'quantity' },
      // Half a tick above a valid price: off the 0.01 grid whatever the market price is (appending
      // a digit to the text was on-grid, or 10x the price, when the price had fewer decimals).
      { draft: { quantity: '0.001', price: formatDecimal(dec(price).plus('0.005')) }, code: 'PRICE_FILTER', field: 'price' },
      { draft: { quantity: '0.00001', price }, code: 'NOTIONAL', field: 'quantity' },
      { draft: { quantity: '0.001', price: priceAt(sim, 'BTCUSDT', '6') }, code: 'PERCENT_PRICE_BY_SIDE', field: 'price' },
      { draft: { quantity: '5', price }, code: 'BALANCE', field: 'quantity' },
    ] as const;
    for (const c of cases) {
      const draft = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', ...c.draft } as const;
      const r = await h.service.handlers['orders:preflight']({ draft });
      const issue = r.issues.find((i) => i.code === c.code);
      expect(issue, c.code).toBeDefined();
      expect(issue!.field).toBe(c.field);
      expect(issue!.correction).not.toBeNull();
      expect(r.ok).toBe(false);
      expect(r.order).toBeNull();
      const fixed = await h.service.handlers['orders:preflight']({
        draft: { ...draft, [issue!.correction!.field]: issue!.correction!.value },
      });
      expect(
        fixed.issues.filter((i) => i.code === c.code),
        `${c.code} after correction`,
      ).toEqual([]);
    }
    expect(posts(client)).toBe(before);
  });

  it('only lists symbols that are trading and permitted', async () => {
    const h = await service();
    sim.market.setStatus('ETHBTC', 'HALT');
    await client.exchangeInfo.refresh('test');
    const list = await h.service.handlers['orders:symbols']({ query: 'eth' });
    expect(list.map((s) => s.symbol)).toContain('ETHUSDT');
    expect(list.map((s) => s.symbol)).not.toContain('ETHBTC');
    expect(list[0]?.baseAsset).toBe('ETH');
    sim.market.setStatus('ETHBTC', 'TRADING');
    await client.exchangeInfo.refresh('test');
  });
});

describe('one confirmation, one order', () => {
  it('the same token submitted three times (two at once) sends one order and returns the first outcome', async () => {
    const h = await service();
    const c = await confirm(h, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '20' });
    const input = { token: c.token, order: c.order, confirmed: true as const };
    const [a, b] = await Promise.all([h.service.handlers['orders:submit'](input), h.service.handlers['orders:submit'](input)]);
    const again = await h.service.handlers['orders:submit'](input);
    expect(a.clientOrderId).toBe(c.token);
    expect(b.clientOrderId).toBe(c.token);
    expect(again.status).toBe('filled');
    expect(posts(client, c.token)).toBe(1);
    expect((await simOrders(client, 'BTCUSDT')).filter((o) => o.clientOrderId === c.token)).toHaveLength(1);
  });

  it('refuses an order that differs from the confirmed one, and an unknown token', async () => {
    const h = await service();
    const before = posts(client);
    const c = await confirm(h, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: priceAt(sim, 'BTCUSDT', '0.9') });
    await expect(
      h.service.handlers['orders:submit']({ token: c.token, order: { ...c.order, quantity: '0.002' }, confirmed: true }),
    ).rejects.toMatchObject({ code: 'confirmation-required' });
    await expect(
      h.service.handlers['orders:submit']({ token: 'perch-unknown-token', order: c.order, confirmed: true }),
    ).rejects.toMatchObject({ code: 'confirmation-required' });
    expect(posts(client)).toBe(before);
  });
});

describe('read-only mode', () => {
  it('trading switched off: pre-flight says why, submit and cancel refuse with not-allowed, nothing is sent', async () => {
    const h = await service();
    const resting = await place(h, {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.001',
      price: priceAt(sim, 'BTCUSDT', '0.9'),
    });
    const c = await confirm(h, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '20' });
    h.settings = { tradingEnabled: false };
    const pf = await h.service.handlers['orders:preflight']({
      draft: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '20' },
      confirm: true,
    });
    expect(pf.ok).toBe(false);
    expect(pf.disabledReason).toMatch(/Settings/);
    expect(pf.confirmation).toBeNull();
    const before = posts(client);
    const refused = h.service.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true });
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({ code: 'not-allowed' });
    await expect(
      h.service.handlers['orders:cancel']({ symbol: 'BTCUSDT', orderId: resting.orders[0]!.orderId, confirmed: true }),
    ).rejects.toMatchObject({ code: 'not-allowed' });
    await expect(h.service.handlers['orders:cancelAll']({ symbol: 'BTCUSDT', confirmed: true })).rejects.toMatchObject({
      code: 'not-allowed',
    });
    expect(posts(client)).toBe(before);
    expect(h.db.orderIntents.get(c.token)).toBeNull();
  });

  it('a key that cannot trade: the reason names the key', async () => {
    const h = await service({ canTrade: false });
    const pf = await h.service.handlers['orders:preflight']({
      draft: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '20' },
    });
    expect(pf.disabledReason).toMatch(/key/);
    expect(pf.ok).toBe(false);
  });
});

describe('unknown outcomes end in the true state with no second order', () => {
  const market = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '25' } as const;

  it('executed but answered -1007: unknown, then filled', async () => {
    const h = await service();
    sim.faults.state.orderFaults.push({ kind: 'code-1007', execute: true });
    const c = await confirm(h, market);
    const first = await h.service.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true });
    expect(first.status).toBe('unknown');
    expect((await settled(h, c.token)).status).toBe('filled');
    expect(posts(client, c.token)).toBe(1);
    expect((await simOrders(client, 'BTCUSDT')).filter((o) => o.clientOrderId === c.token)).toHaveLength(1);
    expect(h.db.orderIntents.get(c.token)?.state).toBe('accepted');
  });

  it('not executed, answered 500: unknown, then not placed after the grace window, nothing on the exchange', async () => {
    const h = await service();
    sim.faults.state.orderFaults.push({ kind: 'http500', execute: false });
    const c = await confirm(h, market);
    await h.service.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true });
    const final = await settled(h, c.token);
    expect(final.status).toBe('not-placed');
    expect(posts(client, c.token)).toBe(1);
    expect((await simOrders(client, 'BTCUSDT')).filter((o) => o.clientOrderId === c.token)).toHaveLength(0);
    // its own state, with the time of the conclusion: a restart resumes the follow-up from it
    expect(h.db.orderIntents.get(c.token)?.state).toBe('not-placed');
    expect(h.notices.some((n) => n.code === 'order-not-placed')).toBe(true);
  });

  it('after "probably not placed", the same order again needs an explicit acknowledgement (a new token would not be a duplicate to Binance)', async () => {
    const h = await service();
    sim.faults.state.orderFaults.push({ kind: 'http500', execute: false });
    const c = await confirm(h, market);
    await h.service.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true });
    const final = await settled(h, c.token);
    expect(final.status).toBe('not-placed');
    expect(final.message).toMatch(/^Probably not placed: .*Check Open orders before placing it again/);
    expect(final.message).not.toMatch(/send it again/i);

    const again = await h.service.handlers['orders:preflight']({ draft: market, confirm: true });
    expect(again.warnings.map((w) => w.code)).toContain('possible-duplicate');
    const token2 = again.confirmation!.token;
    const refused = await h.service.handlers['orders:submit']({ token: token2, order: again.confirmation!.order, confirmed: true }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'confirmation-required' });
    expect(posts(client, token2)).toBe(0);
    expect(h.db.orderIntents.get(token2)).toBeNull();

    // A different order is not held up.
    const other = await h.service.handlers['orders:preflight']({ draft: { ...market, quoteOrderQty: '26' } });
    expect(other.warnings.map((w) => w.code)).not.toContain('possible-duplicate');

    // With the acknowledgement, the same token goes through, once.
    const sent = await h.service.handlers['orders:submit']({
      token: token2,
      order: again.confirmation!.order,
      confirmed: true,
      acknowledgePossibleDuplicate: true,
    });
    expect(sent.status).toBe('filled');
    expect(posts(client, token2)).toBe(1);
    expect(
      orderCommands['orders:submit'].input.safeParse({ token: token2, order: again.confirmation!.order, confirmed: true }).success,
    ).toBe(true);
    expect(
      orderCommands['orders:submit'].input.safeParse({
        token: token2,
        order: again.confirmation!.order,
        confirmed: true,
        acknowledgePossibleDuplicate: false,
      }).success,
    ).toBe(false);
  });

  it('the answer arrives after the client timeout: unknown, then the order is found', async () => {
    const h = await service({ placeTimeoutMs: 500 });
    const c = await confirm(h, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: priceAt(sim, 'BTCUSDT', '0.9') });
    sim.faults.state.latencyMs = 1_200;
    const first = await h.service.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true });
    expect(first.status).toBe('unknown');
    const final = await settled(h, c.token);
    sim.faults.state.latencyMs = 0;
    expect(final.status).toBe('accepted');
    expect(posts(client, c.token)).toBe(1);
  });

  it('-2013 for the first queries of an order that exists: reconciled without a second order', async () => {
    const h = await service({ graceMs: 2_000 });
    const c = await confirm(h, market);
    sim.faults.state.orderFaults.push({ kind: 'http503', execute: true });
    sim.faults.state.unknownOrderQueries.set(c.token, 3);
    await h.service.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true });
    expect((await settled(h, c.token)).status).toBe('filled');
    expect(sim.faults.state.unknownOrderQueries.has(c.token)).toBe(false);
    expect(posts(client, c.token)).toBe(1);
  });

  it('an OCO whose answer is lost is reconciled through the order list', async () => {
    const h = await service();
    const c = await confirm(h, {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'OCO',
      quantity: '0.001',
      price: priceAt(sim, 'BTCUSDT', '1.08'),
      stopPrice: priceAt(sim, 'BTCUSDT', '0.93'),
      stopLimitPrice: priceAt(sim, 'BTCUSDT', '0.92'),
    });
    sim.faults.state.orderFaults.push({ kind: 'code-1006', execute: true });
    const first = await h.service.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true });
    expect(first.status).toBe('unknown');
    const final = await settled(h, c.token);
    expect(final.status).toBe('accepted');
    expect(final.orders).toHaveLength(2);
    expect(posts(client, c.token)).toBe(1);
  });
});

describe('restart in the middle', () => {
  it('an intent journaled but unanswered when the app stopped is reconciled by the next start', async () => {
    const f = dbFile();
    cleanups.push(f.cleanup);
    const first = buildService(sim, client, f.path, { placeTimeoutMs: 20_000 });
    await first.service.start();
    const c = await confirm(first, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '30' });
    sim.faults.state.orderFaults.push({ kind: 'timeout-hang', execute: true });
    const pending = first.service.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true });
    await until(() => posts(client, c.token) === 1, 'the POST to leave');
    const journaled = first.db.orderIntents.get(c.token);
    expect(journaled?.state === 'pending' || journaled?.state === 'sent').toBe(true);
    first.stop();
    // The first process is gone; its hung request no longer matters.
    pending.catch(() => undefined);

    const second = buildService(sim, client, f.path);
    harnesses.push(second);
    expect(second.db.orderIntents.listUnfinished('demo').map((i) => i.clientOrderId)).toContain(c.token);
    await second.service.start();
    const view = await second.service.handlers['orders:outcome']({ clientOrderId: c.token });
    expect(view?.status).toBe('filled');
    expect(second.db.orderIntents.get(c.token)?.state).toBe('accepted');
    expect(second.db.orderIntents.listUnfinished('demo')).toHaveLength(0);
    // Submitting the old confirmation again returns that outcome and sends nothing.
    const again = await second.service.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true });
    expect(again.status).toBe('filled');
    expect(posts(client, c.token)).toBe(1);
    expect((await simOrders(client, 'BTCUSDT')).filter((o) => o.clientOrderId === c.token)).toHaveLength(1);
  });
});

describe('restart after "probably not placed"', () => {
  const market = { symbol: 'BTCUSDT', side: 'BUY' as const, type: 'MARKET' as const, quoteOrderQty: '25' };

  async function concludedNotPlaced(path: string): Promise<{ token: string }> {
    const first = buildService(sim, client, path);
    await first.service.start();
    sim.faults.state.orderFaults.push({ kind: 'http500', execute: false });
    const c = await confirm(first, market);
    await first.service.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true });
    expect((await settled(first, c.token)).status).toBe('not-placed');
    first.stop();
    return { token: c.token };
  }

  it('the duplicate guard holds across a restart: the same order again needs the acknowledgement', async () => {
    const f = dbFile();
    cleanups.push(f.cleanup);
    const { token } = await concludedNotPlaced(f.path);
    const second = buildService(sim, client, f.path);
    harnesses.push(second);
    await second.service.start();
    const again = await second.service.handlers['orders:preflight']({ draft: market, confirm: true });
    expect(again.warnings.map((w) => w.code)).toContain('possible-duplicate');
    const refused = await second.service.handlers['orders:submit']({
      token: again.confirmation!.token,
      order: again.confirmation!.order,
      confirmed: true,
    }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'confirmation-required' });
    expect(posts(client, again.confirmation!.token)).toBe(0);
    // the old intent is still what it was, and its outcome is answered from the follow-up
    expect((await second.service.handlers['orders:outcome']({ clientOrderId: token }))?.status).toBe('not-placed');
  });

  it('the guard comes from the journal: a "not placed" another checker records after this session started still guards the same order', async () => {
    const f = dbFile();
    cleanups.push(f.cleanup);
    const h = buildService(sim, client, f.path);
    harnesses.push(h);
    await h.service.start();
    const first = await confirm(h, market);
    expect(first.result.warnings.map((w) => w.code)).not.toContain('possible-duplicate');
    // A background checker (an earlier session's, with its own key) concludes on an intent this
    // session never tracked: it only writes the journal.
    const at = Date.now();
    h.db.orderIntents.insert({
      clientOrderId: 'bg_checked_elsewhere_1',
      createdAt: at - 5_000,
      environment: 'demo',
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      payload: { kind: 'order', order: first.order, confirmedAt: at - 5_000 },
    });
    h.db.orderIntents.updateState('bg_checked_elsewhere_1', { state: 'not-placed', at });
    const again = await h.service.handlers['orders:preflight']({ draft: market, confirm: true });
    expect(again.warnings.map((w) => w.code)).toContain('possible-duplicate');
    const refused = await h.service.handlers['orders:submit']({
      token: again.confirmation!.token,
      order: again.confirmation!.order,
      confirmed: true,
    }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'confirmation-required' });
    expect(posts(client, again.confirmation!.token)).toBe(0);
  });

  it('the "placed after all" follow-up resumes after a restart and reports the order when Binance shows it', async () => {
    const f = dbFile();
    cleanups.push(f.cleanup);
    const { token } = await concludedNotPlaced(f.path);
    const second = buildService(sim, client, f.path, { followUpBackoff: { baseMs: 50, capMs: 200, minMs: 20 } });
    harnesses.push(second);
    await second.service.start();
    // Binance shows the order late (with the intent's own clientOrderId): the follow-up must find it.
    await client.rest.request({
      method: 'POST',
      path: '/api/v3/order',
      security: 'TRADE',
      weight: 1,
      params: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '25', newClientOrderId: token },
    });
    await until(
      async () => (await second.service.handlers['orders:outcome']({ clientOrderId: token }))?.status === 'filled',
      'the follow-up to find the order',
    );
    const view = await second.service.handlers['orders:outcome']({ clientOrderId: token });
    expect(view?.corrected).toBe(true);
    expect(second.notices.some((n) => n.code === 'order-placed-after-all')).toBe(true);
    expect(second.db.orderIntents.get(token)?.state).toBe('accepted');
  });
});

describe('history', () => {
  it('syncs orders and fills incrementally with progress and weight cost', async () => {
    const h = await service();
    await place(h, { symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '40' });
    await place(h, { symbol: 'ETHUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: priceAt(sim, 'ETHUSDT', '0.8') });
    const p = await h.service.handlers['orders:syncHistory']({ symbols: ['ETHUSDT'] });
    expect(p).toMatchObject({ running: false, done: 1, total: 1, error: null });
    expect(p.ordersAdded).toBeGreaterThanOrEqual(2);
    expect(p.fillsAdded).toBeGreaterThanOrEqual(1);
    expect(p.weightCost).toBe(40);
    expect(p.weightUsed).toBeGreaterThan(0);
    expect(h.events.some((e) => e.name === 'orders:syncProgress')).toBe(true);
    const page = await h.service.handlers['orders:history']({ symbol: 'ETHUSDT' });
    expect(page.orders.length).toBeGreaterThanOrEqual(2);
    expect(page.fills.length).toBeGreaterThanOrEqual(1);
    expect(page.lastSyncedAt).not.toBeNull();
    const again = await h.service.handlers['orders:syncHistory']({ symbols: ['ETHUSDT'] });
    expect(again.ordersAdded).toBe(0);
    expect(again.fillsAdded).toBe(0);
    // Candidates come from balances, open orders and Perch's own orders - never every symbol.
    const all = await h.service.handlers['orders:syncHistory']({});
    expect(all.total).toBeGreaterThan(0);
    expect(all.total).toBeLessThan(60);
  });
});
