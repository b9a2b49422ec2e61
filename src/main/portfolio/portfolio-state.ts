/**
 * The portfolio as main knows it: balances (user data stream + REST resyncs), the latest
 * ticker per watched market, and the connection states that say how fresh all of it is.
 *
 * Work is proportional to what changed: a ticker marks only the holdings whose route uses
 * that market; a balance update marks only its asset. Nothing is computed until `commit()`,
 * which the core calls at a few Hz; it returns the event for the renderer (a full snapshot
 * first, then deltas with only the holdings that changed) or null when nothing did.
 *
 * When is a price stale (shown dimmed with "price as of HH:MM")? A ticker stream sends a symbol
 * only when it changed (Binance's per-symbol and all-market mini tickers, and the simulator), so
 * silence alone does not mean a dead feed: a quiet market is healthy. The rule:
 *  - the market stream is not live: every price is stale (nothing can update it);
 *  - a symbol silent for PRICE_RECHECK_AFTER_MS is re-read by REST (`silentSymbols`,
 *    `verifyTickers`). The same price back: it was only quiet, and is confirmed as of now.
 *    A different price: the stream missed changes (a subscription that failed silently, say), so
 *    the price is taken from REST but stays stale until the stream delivers that symbol again;
 *  - no confirmation at all (stream or REST) for PRICE_STALE_AFTER_MS: stale (the re-read failed).
 *
 * The committed snapshot and the events form one chain (each delta's baseSeq is the previous
 * event's seq), so `snapshot()` never advances the sequence by itself: it returns what the
 * last commit produced. A renderer that fetched it can apply the next delta.
 *
 * Over 500 lines on purpose: balances, tickers and freshness are marked and committed together so
 * each delta is consistent; the valuation itself is in valuation.ts.
 */
import type { ConnectionState, EnvironmentId, Freshness, Holding, PortfolioEvent, PortfolioSnapshot } from '../../shared/domain';
import {
  buildRouteTable,
  computeHolding,
  isEmptyBalance,
  summarize,
  type BalanceInput,
  type ComputedHolding,
  type PriceQuote,
  type RouteTable,
  type SymbolInput,
  type ValuedHolding,
} from './valuation';

export interface TickerInput {
  readonly symbol: string;
  /** last price (decimal string) */
  readonly last: string;
  /** open price of the rolling 24 h window (decimal string) */
  readonly open: string;
  /** exchange event time, ms; defaults to the local clock. An older update never replaces a newer one. */
  readonly eventTime?: number;
}

export interface ConnectionsInput {
  readonly market: ConnectionState;
  readonly account: ConnectionState;
}

/** The committed totals, for the value recorder. */
export interface PortfolioTotals {
  readonly environment: EnvironmentId;
  readonly quote: string;
  readonly total: string;
  /** Holdings with a route whose price has not arrived yet: the total is incomplete. */
  readonly pending: number;
  readonly holdings: number;
  readonly freshness: Freshness;
  readonly asOf: number;
}

export interface PortfolioStateOptions {
  readonly environment: EnvironmentId;
  readonly quote: string;
  readonly now?: () => number;
  readonly bridges?: readonly string[];
}

export interface PortfolioState {
  readonly environment: EnvironmentId;
  quote(): string;
  /** A new symbol list (exchangeInfo refresh, status change): rebuilds the route table. */
  setSymbols(symbols: Iterable<SymbolInput>): void;
  /** Changing the quote currency re-values everything; the next event is a full snapshot. */
  setQuote(quote: string): void;
  /** A complete balance list (REST account snapshot): assets not in it are gone. */
  replaceBalances(balances: Iterable<BalanceInput>): void;
  /** Absolute balances of some assets (outboundAccountPosition). */
  applyBalances(balances: Iterable<BalanceInput>): void;
  applyTickers(tickers: Iterable<TickerInput>): void;
  /** REST re-reads of silent symbols (see silentSymbols): confirm a quiet price or catch a missed one. */
  verifyTickers(tickers: Iterable<TickerInput>): void;
  /**
   * Watched symbols silent for PRICE_RECHECK_AFTER_MS and not asked about for as long: to be
   * re-read by REST. Each is returned once per period.
   */
  silentSymbols(): string[];
  setConnections(connections: ConnectionsInput): void;
  /** True once a complete balance list has been received. */
  hasBalances(): boolean;
  /** Markets needed to value the current balances (route legs, bridges included). */
  watchedSymbols(): ReadonlySet<string>;
  /** Called when watchedSymbols() changes. Returns unsubscribe. */
  onWatchedSymbolsChange(listener: (symbols: ReadonlySet<string>) => void): () => void;
  /** Recompute what changed; returns the event to send, or null when nothing changed. */
  commit(): PortfolioEvent | null;
  /** The last committed snapshot (null before the first complete balance list). */
  snapshot(): PortfolioSnapshot | null;
  /** The last computed totals, decimals kept (for the value recorder). */
  valuation(): PortfolioTotals | null;
  freshness(): Freshness;
}

/** A symbol silent this long is re-read by REST to tell a quiet market from a dead feed. */
export const PRICE_RECHECK_AFTER_MS = 5 * 60_000;
/** A price not confirmed (stream or REST) for this long is stale. */
export const PRICE_STALE_AFTER_MS = 10 * 60_000;
/** How often the age of every price is looked at (commit runs at a few Hz). */
const STALE_SCAN_MS = 1_000;

interface PriceEntry {
  last: string;
  open: string;
  /** Local time the price was last confirmed (stream update or REST read): "price as of". */
  updatedAt: number;
  /** Exchange time of that update: an older one never replaces a newer one. */
  eventAt: number;
  stale: boolean;
  /** A REST re-read found a price the stream never sent: stale until the stream sends it. */
  missed: boolean;
  /** When a REST re-read was last asked for. */
  checkedAt: number;
}

function toDomainHolding(h: ValuedHolding): Holding {
  const out: Holding = {
    asset: h.asset,
    free: h.free,
    locked: h.locked,
    total: h.total,
    price: h.price,
    value: h.value,
    change24hPct: h.change24hPct,
    share: h.share,
    priceRoute: h.route,
  };
  // The contract carries one bridge asset; for a two-bridge route it is the first hop.
  if (h.route === 'bridge' && h.via[0] !== undefined) out.via = h.via[0];
  // Only a stale price carries its time: a live one would change every holding on every tick.
  if (h.stale && h.price !== null) {
    out.stale = true;
    if (h.priceAt !== null) out.priceAt = h.priceAt;
  }
  return out;
}

function sameHolding(a: Holding, b: Holding): boolean {
  return (
    a.free === b.free &&
    a.locked === b.locked &&
    a.price === b.price &&
    a.value === b.value &&
    a.change24hPct === b.change24hPct &&
    a.share === b.share &&
    a.priceRoute === b.priceRoute &&
    a.via === b.via &&
    a.stale === b.stale &&
    a.priceAt === b.priceAt
  );
}

/**
 * Holdings by value, largest first. Display order only (the renderer re-sorts as the person
 * asks), so a float key is fine here; each key is parsed once, not per comparison.
 */
function sortedByValue(holdings: Iterable<Holding>): Holding[] {
  const keyed: Array<{ k: number; h: Holding }> = [];
  for (const h of holdings) keyed.push({ k: h.value === null ? -1 : Number(h.value), h });
  keyed.sort((a, b) => (a.k !== b.k ? b.k - a.k : a.h.asset < b.h.asset ? -1 : a.h.asset > b.h.asset ? 1 : 0));
  return keyed.map((x) => x.h);
}

/**
 * What a person should be told about the figures: live only while both the market data and
 * the account data are live; stale since the moment either stopped; offline when the client
 * has given up for now (the last known snapshot stays visible with its time).
 */
export function deriveFreshness(connections: ConnectionsInput, previous: Freshness, everLive: boolean, now: number): Freshness {
  const states = [connections.market, connections.account];
  let state: Freshness['state'];
  if (states.every((s) => s === 'live')) state = 'live';
  else if (!everLive) state = 'connecting';
  else if (states.includes('offline')) state = 'offline';
  else state = 'stale';
  if (state === previous.state) return previous;
  if (state === 'connecting') return { state, since: null };
  // Offline after stale keeps the moment the data stopped: that is what "since" tells a person.
  if (state === 'offline' && previous.state === 'stale' && previous.since !== null) return { state, since: previous.since };
  return { state, since: now };
}

export function createPortfolioState(options: PortfolioStateOptions): PortfolioState {
  const now = options.now ?? Date.now;
  let quote = options.quote;
  let symbols: SymbolInput[] = [];
  let routes: RouteTable = buildRouteTable(symbols, quote, { bridges: options.bridges });

  const balances = new Map<string, BalanceInput>();
  let haveBalances = false;
  const prices = new Map<string, PriceEntry>();
  // PriceEntry has PriceQuote's shape: hand it out as is, no copy per lookup.
  const priceLookup: { get(symbol: string): PriceQuote | undefined } = prices;

  /** asset -> its computed value; only for non-empty balances */
  const computed = new Map<string, ComputedHolding>();
  /** market -> assets whose route uses it */
  const assetsBySymbol = new Map<string, Set<string>>();
  const dirty = new Set<string>();
  let structureChanged = true;
  let watched: ReadonlySet<string> = new Set();
  const watchListeners = new Set<(symbols: ReadonlySet<string>) => void>();

  let connections: ConnectionsInput = { market: 'connecting', account: 'connecting' };
  let everLive = false;
  let freshness: Freshness = { state: 'connecting', since: null };
  let freshnessChanged = false;
  let dataAt = 0;

  let seq = 0;
  let committedByAsset = new Map<string, Holding>();
  let needFull = true;
  let lastTotals: PortfolioTotals | null = null;
  let lastScanAt = 0;
  /** Any committed holding priced through a stale market. */
  let anyStale = false;
  /** Last commit at which everything was live and no price stale: the totals hold as of then. */
  let confirmedAt = 0;

  const isStale = (e: PriceEntry, t: number): boolean =>
    connections.market !== 'live' || e.missed || t - e.updatedAt > PRICE_STALE_AFTER_MS;

  const markSymbol = (symbol: string): void => {
    const assets = assetsBySymbol.get(symbol);
    if (assets !== undefined) for (const a of assets) dirty.add(a);
  };

  /** Re-derive every price's staleness; a change re-values the holdings that use it. */
  const scanStale = (t: number): void => {
    lastScanAt = t;
    for (const [symbol, e] of prices) {
      const stale = isStale(e, t);
      if (stale !== e.stale) {
        e.stale = stale;
        markSymbol(symbol);
      }
    }
  };

  const applyTicker = (tk: TickerInput, t: number, verifying: boolean): void => {
    const at = tk.eventTime ?? t;
    const entry = prices.get(tk.symbol);
    if (entry === undefined) {
      prices.set(tk.symbol, {
        last: tk.last,
        open: tk.open,
        updatedAt: t,
        eventAt: at,
        stale: connections.market !== 'live',
        missed: false,
        checkedAt: 0,
      });
    } else {
      // A REST seed that answers after the stream delivered must not move the price back.
      if (at < entry.eventAt) return;
      entry.eventAt = at;
      entry.updatedAt = t;
      const changed = entry.last !== tk.last || entry.open !== tk.open;
      const wasStale = entry.stale;
      entry.missed = verifying ? entry.missed || entry.last !== tk.last : false;
      entry.stale = entry.missed || connections.market !== 'live';
      entry.last = tk.last;
      entry.open = tk.open;
      // A stale price re-confirmed still changes on screen: its "as of" time moved.
      if (!changed && !wasStale && !entry.stale) return;
    }
    if (assetsBySymbol.has(tk.symbol)) {
      markSymbol(tk.symbol);
      dataAt = t;
    }
  };

  const indexRoutes = (): void => {
    assetsBySymbol.clear();
    for (const asset of balances.keys()) {
      for (const leg of routes.route(asset).legs) {
        let set = assetsBySymbol.get(leg.symbol);
        if (set === undefined) {
          set = new Set();
          assetsBySymbol.set(leg.symbol, set);
        }
        set.add(asset);
      }
    }
    const next = new Set(assetsBySymbol.keys());
    const same = next.size === watched.size && [...next].every((s) => watched.has(s));
    if (!same) {
      watched = next;
      for (const l of [...watchListeners]) l(watched);
    }
  };

  /** Returns true when the asset appeared or disappeared (the route index must change). */
  const setBalance = (b: BalanceInput): boolean => {
    if (isEmptyBalance(b)) {
      if (!balances.has(b.asset)) return false;
      balances.delete(b.asset);
      dirty.add(b.asset);
      return true;
    }
    const prev = balances.get(b.asset);
    if (prev !== undefined && prev.free === b.free && prev.locked === b.locked) return false;
    balances.set(b.asset, { asset: b.asset, free: b.free, locked: b.locked });
    dirty.add(b.asset);
    return prev === undefined;
  };

  const revalueAll = (): void => {
    for (const asset of balances.keys()) dirty.add(asset);
    for (const asset of computed.keys()) dirty.add(asset);
  };

  const recompute = (): void => {
    for (const asset of dirty) {
      const b = balances.get(asset);
      if (b === undefined) computed.delete(asset);
      else computed.set(asset, computeHolding(b, routes.route(asset), priceLookup));
    }
    dirty.clear();
  };

  /** The committed snapshot without its holdings array, which is built only when asked for. */
  let head: Omit<PortfolioSnapshot, 'holdings'> | null = null;
  let materialized: PortfolioSnapshot | null = null;
  const materialize = (): PortfolioSnapshot | null => {
    if (head === null) return null;
    if (materialized === null || materialized.seq !== head.seq)
      materialized = { ...head, holdings: sortedByValue(committedByAsset.values()) };
    return materialized;
  };

  const buildHead = (totals: ReturnType<typeof summarize>): Omit<PortfolioSnapshot, 'holdings'> => ({
    environment: options.environment,
    seq,
    quote,
    total: totals.total,
    // No priced holding with a known 24 h open: the change is unknown, not zero.
    total24hChange: totals.change24hPct === null ? null : totals.change24hValue,
    total24hChangePct: totals.change24hPct,
    asOf: dataAt,
    freshness,
  });

  return {
    environment: options.environment,
    quote: () => quote,

    setSymbols(list) {
      symbols = [...list];
      routes = buildRouteTable(symbols, quote, { bridges: options.bridges });
      revalueAll();
      indexRoutes();
      structureChanged = true;
    },

    setQuote(next) {
      if (next === quote) return;
      quote = next;
      routes = buildRouteTable(symbols, quote, { bridges: options.bridges });
      revalueAll();
      indexRoutes();
      structureChanged = true;
      needFull = true;
    },

    replaceBalances(list) {
      const seen = new Set<string>();
      let added = false;
      for (const b of list) {
        seen.add(b.asset);
        if (setBalance(b)) added = true;
      }
      for (const asset of [...balances.keys()]) {
        if (!seen.has(asset)) {
          balances.delete(asset);
          dirty.add(asset);
          added = true;
        }
      }
      haveBalances = true;
      dataAt = now();
      if (added) indexRoutes();
    },

    applyBalances(list) {
      let structural = false;
      for (const b of list) if (setBalance(b)) structural = true;
      dataAt = now();
      if (structural) indexRoutes();
    },

    applyTickers(tickers) {
      const t = now();
      for (const tk of tickers) applyTicker(tk, t, false);
    },

    verifyTickers(tickers) {
      const t = now();
      for (const tk of tickers) applyTicker(tk, t, true);
    },

    silentSymbols() {
      const t = now();
      const out: string[] = [];
      for (const symbol of watched) {
        const e = prices.get(symbol);
        if (e === undefined || t - e.updatedAt < PRICE_RECHECK_AFTER_MS || t - e.checkedAt < PRICE_RECHECK_AFTER_MS) continue;
        e.checkedAt = t;
        out.push(symbol);
      }
      return out;
    },

    setConnections(next) {
      const marketChanged = next.market !== connections.market;
      connections = next;
      if (marketChanged) scanStale(now());
      if (next.market === 'live' && next.account === 'live') everLive = true;
      const f = deriveFreshness(connections, freshness, everLive, now());
      if (f !== freshness) {
        freshness = f;
        freshnessChanged = true;
      }
    },

    hasBalances: () => haveBalances,
    watchedSymbols: () => watched,
    onWatchedSymbolsChange(listener) {
      watchListeners.add(listener);
      return () => {
        watchListeners.delete(listener);
      };
    },

    commit() {
      if (!haveBalances) return null;
      const t = now();
      if (t - lastScanAt >= STALE_SCAN_MS) scanStale(t);
      if (dirty.size === 0 && !freshnessChanged && !structureChanged && !needFull) {
        if (freshness.state === 'live' && !anyStale) confirmedAt = t;
        return null;
      }
      recompute();
      structureChanged = false;
      freshnessChanged = false;

      const totals = summarize(quote, computed.values());
      anyStale = totals.stale;
      if (freshness.state === 'live' && !anyStale) confirmedAt = t;
      const next = new Map<string, Holding>();
      const changed: Holding[] = [];
      for (const v of totals.holdings) {
        const h = toDomainHolding(v);
        const prev = committedByAsset.get(h.asset);
        if (prev !== undefined && sameHolding(prev, h)) {
          next.set(h.asset, prev);
        } else {
          next.set(h.asset, h);
          changed.push(h);
        }
      }
      const removed: string[] = [];
      for (const asset of committedByAsset.keys()) if (!next.has(asset)) removed.push(asset);

      const prevSnap = head;
      const totalsSame =
        prevSnap !== null &&
        prevSnap.total === totals.total &&
        prevSnap.total24hChangePct === totals.change24hPct &&
        prevSnap.freshness === freshness;
      if (!needFull && changed.length === 0 && removed.length === 0 && totalsSame) return null;

      const baseSeq = seq;
      seq += 1;
      committedByAsset = next;
      const committed = buildHead(totals);
      head = committed;
      lastTotals = {
        environment: options.environment,
        quote,
        total: totals.total,
        pending: totals.pendingAssets.length,
        holdings: next.size,
        freshness: committed.freshness,
        asOf: committed.asOf,
      };
      if (needFull || prevSnap === null) {
        needFull = false;
        return { kind: 'full', snapshot: materialize() as PortfolioSnapshot };
      }
      return {
        kind: 'delta',
        baseSeq,
        seq,
        changed,
        removed,
        total: committed.total,
        total24hChange: committed.total24hChange,
        total24hChangePct: committed.total24hChangePct,
        asOf: committed.asOf,
        freshness: committed.freshness,
      };
    },

    snapshot: materialize,
    // Nothing moved since the last change while everything stayed live: the totals hold as of
    // the last commit that saw that, not only as of the last change.
    valuation: () => (lastTotals === null || confirmedAt <= lastTotals.asOf ? lastTotals : { ...lastTotals, asOf: confirmedAt }),
    freshness: () => freshness,
  };
}
