import { describe, expect, it } from 'vitest';
import { applyPortfolioEvent, PortfolioEvent, type PortfolioSnapshot } from '../../../src/shared/domain';
import { createPortfolioState, deriveFreshness } from '../../../src/main/portfolio/portfolio-state';
import type { SymbolInput } from '../../../src/main/portfolio/valuation';

function sym(base: string, quote: string, status = 'TRADING'): SymbolInput {
  return { symbol: base + quote, baseAsset: base, quoteAsset: quote, status };
}
const SYMBOLS = [sym('BTC', 'USDT'), sym('ETH', 'USDT'), sym('ETH', 'BTC'), sym('XRP', 'BTC'), sym('BNB', 'USDT')];
const bal = (asset: string, free: string, locked = '0') => ({ asset, free, locked });
const tick = (symbol: string, last: string, open = last) => ({ symbol, last, open });

function setup(now = { t: 1_000 }) {
  const state = createPortfolioState({ environment: 'demo', quote: 'USDT', now: () => now.t });
  state.setSymbols(SYMBOLS);
  return { state, now };
}

function live(state: ReturnType<typeof setup>['state']) {
  state.setConnections({ market: 'live', account: 'live' });
}

describe('portfolio state', () => {
  it('produces nothing until a complete balance list arrives', () => {
    const { state } = setup();
    state.applyTickers([tick('BTCUSDT', '100')]);
    live(state);
    expect(state.commit()).toBeNull();
    expect(state.snapshot()).toBeNull();
  });

  it('emits a full snapshot first, then deltas with only what changed', () => {
    const { state } = setup();
    state.replaceBalances([bal('BTC', '1'), bal('ETH', '2'), bal('USDT', '100')]);
    state.applyTickers([tick('BTCUSDT', '100', '50'), tick('ETHUSDT', '10')]);
    live(state);
    const first = state.commit();
    expect(first?.kind).toBe('full');
    const snap = first?.kind === 'full' ? first.snapshot : null;
    expect(PortfolioEvent.safeParse(first).success).toBe(true);
    expect(snap).toMatchObject({ environment: 'demo', quote: 'USDT', total: '220', seq: 1, freshness: { state: 'live' } });
    expect(snap?.holdings.map((h) => h.asset)).toEqual(['BTC', 'USDT', 'ETH']); // by value

    expect(state.commit()).toBeNull(); // nothing changed

    state.applyTickers([tick('ETHUSDT', '20')]);
    const delta = state.commit();
    expect(PortfolioEvent.safeParse(delta).success).toBe(true);
    expect(delta).toMatchObject({ kind: 'delta', baseSeq: 1, seq: 2, total: '240', removed: [] });
    const changedAssets = delta?.kind === 'delta' ? delta.changed.map((h) => h.asset).sort() : [];
    // ETH's price moved; BTC and USDT only changed share, which is part of the holding
    expect(changedAssets).toContain('ETH');
    const applied = applyPortfolioEvent(snap, delta!);
    expect(applied?.holdings.find((h) => h.asset === 'ETH')).toMatchObject({ price: '20', value: '40' });
    expect(applied).toEqual(state.snapshot());
  });

  it('ignores a ticker of an unrelated market', () => {
    const { state } = setup();
    state.replaceBalances([bal('BTC', '1')]);
    state.applyTickers([tick('BTCUSDT', '100')]);
    live(state);
    state.commit();
    state.applyTickers([tick('BNBUSDT', '300')]);
    expect(state.commit()).toBeNull();
  });

  it('applies a balance update and removes an emptied asset', () => {
    const { state } = setup();
    state.replaceBalances([bal('BTC', '1'), bal('ETH', '1')]);
    state.applyTickers([tick('BTCUSDT', '100'), tick('ETHUSDT', '10')]);
    live(state);
    const full = state.commit();
    let snap: PortfolioSnapshot | null = full?.kind === 'full' ? full.snapshot : null;

    state.applyBalances([bal('BTC', '0.5', '0.5'), bal('ETH', '0', '0')]);
    const delta = state.commit();
    expect(delta).toMatchObject({ kind: 'delta', removed: ['ETH'], total: '100' });
    snap = applyPortfolioEvent(snap, delta!);
    expect(snap?.holdings).toHaveLength(1);
    expect(snap?.holdings[0]).toMatchObject({ asset: 'BTC', free: '0.5', locked: '0.5', total: '1', share: '100' });
  });

  it('a REST snapshot replaces the balances: missing assets disappear', () => {
    const { state } = setup();
    state.replaceBalances([bal('BTC', '1'), bal('ETH', '1')]);
    state.applyTickers([tick('BTCUSDT', '100'), tick('ETHUSDT', '10')]);
    live(state);
    state.commit();
    state.replaceBalances([bal('ETH', '3')]);
    const delta = state.commit();
    expect(delta).toMatchObject({ kind: 'delta', removed: ['BTC'], total: '30' });
  });

  it('watches exactly the markets needed for valuation, bridges included, and follows the balances', () => {
    const { state } = setup();
    const seen: string[][] = [];
    state.onWatchedSymbolsChange((s) => seen.push([...s].sort()));
    state.replaceBalances([bal('BTC', '1'), bal('USDT', '5')]);
    expect([...state.watchedSymbols()]).toEqual(['BTCUSDT']);
    state.applyBalances([bal('XRP', '10')]);
    expect([...state.watchedSymbols()].sort()).toEqual(['BTCUSDT', 'XRPBTC']);
    state.applyBalances([bal('BTC', '0'), bal('XRP', '0')]);
    expect([...state.watchedSymbols()]).toEqual([]);
    expect(seen).toEqual([['BTCUSDT'], ['BTCUSDT', 'XRPBTC'], []]);
  });

  it('values a new asset from prices received before it was held', () => {
    const { state } = setup();
    state.replaceBalances([bal('USDT', '1')]);
    state.applyTickers([tick('BNBUSDT', '300')]);
    live(state);
    state.commit();
    state.applyBalances([bal('BNB', '2')]);
    const delta = state.commit();
    expect(delta?.kind === 'delta' && delta.changed.find((h) => h.asset === 'BNB')).toMatchObject({ value: '600' });
  });

  it('re-values everything in a new quote currency with a full snapshot', () => {
    const { state } = setup();
    state.replaceBalances([bal('ETH', '1'), bal('USDT', '100')]);
    state.applyTickers([tick('ETHUSDT', '2000'), tick('ETHBTC', '0.05'), tick('BTCUSDT', '40000')]);
    live(state);
    state.commit();
    state.setQuote('BTC');
    const ev = state.commit();
    expect(ev?.kind).toBe('full');
    const snap = ev?.kind === 'full' ? ev.snapshot : null;
    expect(snap?.quote).toBe('BTC');
    expect(snap?.holdings.find((h) => h.asset === 'ETH')).toMatchObject({ price: '0.05', priceRoute: 'direct' });
    expect(snap?.holdings.find((h) => h.asset === 'USDT')).toMatchObject({ price: '0.000025', priceRoute: 'inverse', value: '0.0025' });
  });

  it('drops a route when its market stops trading (symbol list refresh)', () => {
    const { state } = setup();
    state.replaceBalances([bal('XRP', '10')]);
    state.applyTickers([tick('XRPBTC', '0.00001'), tick('BTCUSDT', '50000')]);
    live(state);
    state.commit();
    state.setSymbols(SYMBOLS.map((s) => (s.symbol === 'XRPBTC' ? { ...s, status: 'HALT' } : s)));
    const ev = state.commit();
    expect(ev?.kind === 'delta' && ev.changed[0]).toMatchObject({ asset: 'XRP', price: null, priceRoute: 'none' });
    expect([...state.watchedSymbols()]).toEqual([]);
  });

  it('carries freshness: connecting, live, stale since T, offline, live again', () => {
    const { state, now } = setup();
    state.replaceBalances([bal('BTC', '1')]);
    state.applyTickers([tick('BTCUSDT', '100')]);
    state.setConnections({ market: 'connecting', account: 'live' });
    expect(state.commit()).toMatchObject({ kind: 'full', snapshot: { freshness: { state: 'connecting', since: null } } });

    now.t = 2_000;
    live(state);
    // The price from before the market stream was live loses its stale marker.
    const liveEv = state.commit();
    expect(liveEv).toMatchObject({ kind: 'delta', changed: [{ asset: 'BTC', price: '100' }], freshness: { state: 'live', since: 2_000 } });
    expect(liveEv?.kind === 'delta' ? liveEv.changed[0] : null).not.toHaveProperty('stale');

    now.t = 3_000;
    state.setConnections({ market: 'reconnecting', account: 'live' });
    expect(state.commit()).toMatchObject({ freshness: { state: 'stale', since: 3_000 } });

    now.t = 9_000;
    state.setConnections({ market: 'offline', account: 'stale' });
    // offline keeps the moment the data stopped
    expect(state.commit()).toMatchObject({ freshness: { state: 'offline', since: 3_000 } });
    expect(state.snapshot()?.holdings[0]).toMatchObject({ value: '100' }); // last known values stay

    now.t = 10_000;
    live(state);
    expect(state.commit()).toMatchObject({ freshness: { state: 'live', since: 10_000 } });
  });

  describe('stale prices', () => {
    const MIN = 60_000;

    it('marks every price stale while the market stream is not live, with the time it was last confirmed', () => {
      const { state, now } = setup();
      state.replaceBalances([bal('BTC', '1'), bal('USDT', '5')]);
      live(state);
      state.applyTickers([tick('BTCUSDT', '100')]);
      const first = state.commit();
      expect(first?.kind === 'full' ? first.snapshot.holdings.find((h) => h.asset === 'BTC') : null).not.toHaveProperty('stale');
      now.t = 4_000;
      state.setConnections({ market: 'reconnecting', account: 'live' });
      const ev = state.commit();
      expect(ev?.kind === 'delta' ? ev.changed : []).toEqual([expect.objectContaining({ asset: 'BTC', stale: true, priceAt: 1_000 })]);
      expect(PortfolioEvent.safeParse(ev).success).toBe(true);
      // The quote asset has no market price: never stale.
      expect(state.snapshot()?.holdings.find((h) => h.asset === 'USDT')).not.toHaveProperty('stale');
      now.t = 5_000;
      live(state);
      const back = state.commit();
      expect(back?.kind === 'delta' ? back.changed[0] : null).toMatchObject({ asset: 'BTC' });
      expect(state.snapshot()?.holdings.find((h) => h.asset === 'BTC')).not.toHaveProperty('stale');
    });

    it('re-reads a silent symbol by REST: the same price back means quiet, not stale', () => {
      const { state, now } = setup();
      state.replaceBalances([bal('BTC', '1')]);
      live(state);
      state.applyTickers([tick('BTCUSDT', '100')]);
      state.commit();
      now.t += 4 * MIN;
      expect(state.silentSymbols()).toEqual([]);
      now.t += 2 * MIN;
      expect(state.silentSymbols()).toEqual(['BTCUSDT']);
      expect(state.silentSymbols()).toEqual([]); // asked once per period
      state.verifyTickers([tick('BTCUSDT', '100')]);
      now.t += 6 * MIN; // 12 min after the last stream update, 6 after the REST confirmation
      state.commit();
      expect(state.snapshot()?.holdings[0]).not.toHaveProperty('stale');
      expect(state.valuation()?.asOf).toBe(now.t);
    });

    it('a price no stream or REST read has confirmed for 10 minutes is stale (quiet is not forever)', () => {
      const { state, now } = setup();
      state.replaceBalances([bal('BTC', '1')]);
      live(state);
      state.applyTickers([tick('BTCUSDT', '100')]);
      state.commit();
      now.t += 9 * MIN;
      expect(state.commit()).toBeNull();
      now.t += 2 * MIN;
      const ev = state.commit();
      expect(ev?.kind === 'delta' ? ev.changed[0] : null).toMatchObject({ asset: 'BTC', stale: true, priceAt: 1_000 });
      // Not confirmed as of now: the value recorder must not date these totals now.
      expect(state.valuation()?.asOf).toBeLessThan(now.t);
      state.applyTickers([tick('BTCUSDT', '101')]);
      const fresh = state.commit();
      expect(fresh?.kind === 'delta' ? fresh.changed[0] : null).toMatchObject({ asset: 'BTC', price: '101' });
      expect(state.snapshot()?.holdings[0]).not.toHaveProperty('stale');
    });

    it('a REST re-read that finds a different price means the stream missed it: stale until the stream delivers', () => {
      const { state, now } = setup();
      state.replaceBalances([bal('BTC', '1')]);
      live(state);
      state.applyTickers([tick('BTCUSDT', '100')]);
      state.commit();
      now.t += 6 * MIN;
      expect(state.silentSymbols()).toEqual(['BTCUSDT']);
      state.verifyTickers([tick('BTCUSDT', '130')]);
      const ev = state.commit();
      expect(ev?.kind === 'delta' ? ev.changed[0] : null).toMatchObject({ asset: 'BTC', price: '130', stale: true, priceAt: now.t });
      state.applyTickers([tick('BTCUSDT', '131')]);
      state.commit();
      expect(state.snapshot()?.holdings[0]).toMatchObject({ price: '131' });
      expect(state.snapshot()?.holdings[0]).not.toHaveProperty('stale');
    });
  });

  it('keeps the event chain consistent: snapshot() never advances seq', () => {
    const { state } = setup();
    state.replaceBalances([bal('BTC', '1')]);
    state.applyTickers([tick('BTCUSDT', '100')]);
    live(state);
    state.commit();
    state.applyTickers([tick('BTCUSDT', '101')]);
    const before = state.snapshot();
    expect(before?.seq).toBe(1);
    expect(before?.total).toBe('100');
    const ev = state.commit();
    expect(ev).toMatchObject({ kind: 'delta', baseSeq: 1, seq: 2 });
    expect(applyPortfolioEvent(before, ev!)?.total).toBe('101');
  });

  it('keeps every event valid against the contract across many random updates (300 assets)', () => {
    const { state } = setup();
    const symbols: SymbolInput[] = [sym('BTC', 'USDT')];
    const balances = [];
    for (let i = 0; i < 300; i++) {
      symbols.push(sym(`C${i}`, i % 2 ? 'USDT' : 'BTC'));
      balances.push(bal(`C${i}`, `${i + 1}`));
    }
    state.setSymbols(symbols);
    state.replaceBalances(balances);
    live(state);
    let rng = 7;
    const rand = () => (rng = (rng * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let mirror: PortfolioSnapshot | null = null;
    for (let round = 0; round < 20; round++) {
      const tickers = [];
      for (let k = 0; k < 40; k++) {
        const i = Math.floor(rand() * 300);
        tickers.push(tick(`C${i}${i % 2 ? 'USDT' : 'BTC'}`, (rand() * 10 + 0.01).toFixed(4), '5'));
      }
      tickers.push(tick('BTCUSDT', (50000 + rand() * 1000).toFixed(2), '50000'));
      state.applyTickers(tickers);
      if (round % 5 === 0) state.applyBalances([bal(`C${round}`, `${round * 3}`)]);
      const ev = state.commit();
      if (ev === null) continue;
      expect(PortfolioEvent.safeParse(ev).success).toBe(true);
      mirror = applyPortfolioEvent(mirror, ev);
      expect(mirror).not.toBeNull();
    }
    const snap = state.snapshot()!;
    // the renderer's mirror built only from events equals main's snapshot (order aside)
    const sortByAsset = (s: PortfolioSnapshot) => [...s.holdings].sort((a, b) => a.asset.localeCompare(b.asset));
    expect(sortByAsset(mirror!)).toEqual(sortByAsset(snap));
    expect(mirror!.total).toBe(snap.total);
  });
});

describe('deriveFreshness', () => {
  const connecting = { state: 'connecting' as const, since: null };
  it('is connecting until both feeds have been live once', () => {
    expect(deriveFreshness({ market: 'live', account: 'resyncing' }, connecting, false, 5)).toEqual(connecting);
  });
  it('returns the same object when nothing changed (cheap change detection)', () => {
    const live = { state: 'live' as const, since: 1 };
    expect(deriveFreshness({ market: 'live', account: 'live' }, live, true, 5)).toBe(live);
  });
  it('treats resyncing account data as stale', () => {
    expect(deriveFreshness({ market: 'live', account: 'resyncing' }, { state: 'live', since: 1 }, true, 5)).toEqual({
      state: 'stale',
      since: 5,
    });
  });
});

describe('ticker ordering', () => {
  it('never lets an older update (a late REST seed) replace a newer stream price', () => {
    const state = createPortfolioState({ environment: 'demo', quote: 'USDT', now: () => 0 });
    state.setSymbols([sym('BTC', 'USDT')]);
    state.replaceBalances([bal('BTC', '1')]);
    state.setConnections({ market: 'live', account: 'live' });
    state.applyTickers([{ symbol: 'BTCUSDT', last: '200', open: '200', eventTime: 2_000 }]);
    state.applyTickers([{ symbol: 'BTCUSDT', last: '100', open: '100', eventTime: 1_000 }]);
    state.commit();
    expect(state.snapshot()?.total).toBe('200');
  });
});
