// Over 500 lines on purpose: everything one session starts (sockets, resyncs, timers, the flush) is released by its one stop().
/**
 * The exchange side for one environment and one key: time sync, REST, exchangeInfo, market
 * streams, the user data stream and the portfolio they feed. Building a new session is how
 * Perch switches environment or key; `stop()` releases every socket and timer of the old one
 * first, so nothing of it can deliver into the new one.
 *
 * Data flows in on the client's hot paths (maps updated in place) and is pulled out here at a
 * fixed, low rate: each flush drains the changed tickers, re-values only the affected holdings
 * and hands one coalesced event to the core.
 */
import { z } from 'zod';
import type { MarketQuote } from '../../shared/domain/orders';
import { TEXT_MAX_LENGTH } from '../../shared/domain/primitives';
import type { ConnectionState, ConnectionStatus, ConnectionsStatus, EnvironmentId, PortfolioEvent } from '../../shared/domain';
import { createConnectionBudget, createBackoff, type BackoffOptions, type ConnectionBudgetOptions } from '../exchange/backoff';
import { createConnectionState, type ConnectionInfo } from '../exchange/connection-state';
import type { Credentials } from '../exchange/credentials';
import type { Environment } from '../exchange/environments';
import { createExchangeInfo, type ExchangeInfo } from '../exchange/exchange-info';
import type { OrderStateStore } from '../exchange/order-state';
import { createStreamsLifecycle } from '../exchange/lifecycle';
import { createMarketStreams, type MarketStreams, type MarketStreamsOptions } from '../exchange/market-streams';
import { createRateLimitGovernor } from '../exchange/rate-limit';
import { createRestClient, type RestClient } from '../exchange/rest-client';
import { createTimeSync, type TimeSync } from '../exchange/time-sync';
import { createUserDataStream, type UserDataStream } from '../exchange/user-data-stream';
import { createWsApiConnection, type WsApiConnectionOptions } from '../exchange/ws-api-connection';
import { createPortfolioState, type PortfolioState, type TickerInput } from '../portfolio/portfolio-state';
import type { SymbolInput } from '../portfolio/valuation';
import type { RedactingLogger } from './redacting-logger';
import { describeError } from './redacting-logger';

/** Above this many watched markets one all-market stream is cheaper than one stream each. */
const ALL_MARKET_THRESHOLD = 200;
const ALL_MINI_TICKERS = '!miniTicker@arr';
/** Status events also go out this often while live, so "age of data" moves on screen. */
const STATUS_REFRESH_MS = 5_000;

const MiniTicker24h = z.object({
  symbol: z.string(),
  openPrice: z.string(),
  lastPrice: z.string(),
  closeTime: z.number(),
});
const MiniTicker24hList = z.array(MiniTicker24h);
const BookTickerRest = z.object({ symbol: z.string(), bidPrice: z.string(), askPrice: z.string() });
const PriceRest = z.object({ symbol: z.string(), price: z.string() });
/** How often the portfolio is asked for prices silent long enough to re-read by REST. */
const PRICE_RECHECK_SCAN_MS = 30_000;
/** At most this many symbols' books are watched for order forms at once. */
const MAX_BOOK_SYMBOLS = 8;

export interface ExchangeSessionOptions {
  readonly environment: EnvironmentId;
  readonly env: Environment;
  readonly credentials: Credentials;
  readonly quote: string;
  readonly logger: RedactingLogger;
  readonly now: () => number;
  readonly fetchImpl?: typeof fetch;
  readonly flushIntervalMs: number;
  readonly onPortfolioEvent: (event: PortfolioEvent) => void;
  readonly onStatus: (status: ConnectionsStatus) => void;
  /**
   * Every flush: the tickers that changed since the last one (the alerts' coalesced price path)
   * and whether the market feed is live; 'rest' for prices read by REST (seeds and re-checks).
   */
  readonly onTickers?: (tickers: readonly TickerInput[], marketLive: boolean, source: 'stream' | 'rest') => void;
  /** Tests: faster heartbeats and backoff against the simulator. */
  readonly tuning?: {
    readonly market?: Partial<
      Pick<MarketStreamsOptions, 'staleAfterMs' | 'pingIntervalMs' | 'pongTimeoutMs' | 'dataSilenceLimitMs' | 'backoff'>
    >;
    readonly wsApi?: Partial<
      Pick<WsApiConnectionOptions, 'staleAfterMs' | 'pingIntervalMs' | 'pongTimeoutMs' | 'requestTimeoutMs' | 'backoff'>
    >;
    readonly restTimeoutMs?: number;
    readonly bootBackoff?: BackoffOptions;
    /** Connection attempts allowed per window, all sockets together (a time-compressed soak scales the window). */
    readonly connectionBudget?: Pick<ConnectionBudgetOptions, 'maxAttempts' | 'windowMs'>;
  };
}

export interface ExchangeSession {
  readonly environment: EnvironmentId;
  readonly env: Environment;
  readonly rest: RestClient;
  readonly portfolio: PortfolioState;
  readonly exchangeInfo: ExchangeInfo;
  /** Live order state, fed by the user data stream (the order API reconciles against it). */
  readonly orders: OrderStateStore;
  /** Free balance per asset, from the user data stream (decimal strings). */
  freeBalances(): Readonly<Record<string, string>>;
  /**
   * Best bid/ask (book ticker stream or the last REST read, whichever is newer) and last price of
   * a symbol, when known. `at` is when that bid/ask arrived here (local clock), however old.
   */
  quote(symbol: string): MarketQuote | undefined;
  /** The market and account connection states right now (not the last status event). */
  connectionStates(): { readonly market: ConnectionState; readonly account: ConnectionState };
  /** Symbols watched beside the holdings (alerts, the watchlist): they count towards the stream budget. */
  watchExtra(symbols: ReadonlySet<string>): void;
  /** Symbols whose book (and last price) the order forms show: watched on the market streams. */
  watchBooks(symbols: ReadonlySet<string>): void;
  /** Read the quote by REST now (a symbol not yet on the streams); resolves to what is known. */
  refreshQuote(symbol: string): Promise<MarketQuote | undefined>;
  /** Begin connecting; returns at once (boot retries in the background until stop). */
  start(): void;
  /** Resolves once symbols are loaded and the account stream has been started. */
  ready(): Promise<void>;
  stop(): Promise<void>;
  suspend(): void;
  resume(): Promise<void>;
  setQuote(quote: string): void;
  /** Re-read balances by REST now (after a demo reset, for instance). */
  resyncAccount(reason: string): Promise<void>;
  status(): ConnectionsStatus;
  /** One flush now (tests and benchmarks; the timer does this on its own). */
  flush(): void;
}

const SEVERITY: Readonly<Record<ConnectionState, number>> = {
  live: 0,
  connecting: 1,
  resyncing: 2,
  stale: 3,
  reconnecting: 4,
  offline: 5,
};

function worst(infos: readonly ConnectionInfo[]): ConnectionInfo | null {
  let w: ConnectionInfo | null = null;
  for (const i of infos) if (w === null || SEVERITY[i.status] > SEVERITY[w.status]) w = i;
  return w;
}

function toSymbolInput(s: { symbol: string; baseAsset: string; quoteAsset: string; status: string }): SymbolInput {
  return { symbol: s.symbol, baseAsset: s.baseAsset, quoteAsset: s.quoteAsset, status: s.status };
}

export function createExchangeSession(o: ExchangeSessionOptions): ExchangeSession {
  const { env, credentials, logger, now } = o;
  const clock = { now };
  const governor = createRateLimitGovernor({ now });
  const timeSync: TimeSync = createTimeSync({ env, fetchImpl: o.fetchImpl, governor, localNow: now });
  const rest = createRestClient({
    env,
    credentials,
    timeSync,
    governor,
    fetchImpl: o.fetchImpl,
    timeoutMs: o.tuning?.restTimeoutMs,
    log: (e) => {
      if (e.errorKind !== undefined)
        logger.debug('REST request failed', {
          method: e.method,
          path: e.path,
          status: e.httpStatus,
          kind: e.errorKind,
          code: e.binanceCode,
        });
    },
  });
  const registry = createConnectionState({
    clock,
    weightUsed: () => governor.weightUsed(),
    clockOffsetMs: () => timeSync.offsetMs(),
  });
  const budget = createConnectionBudget({ clock, ...o.tuning?.connectionBudget });
  const exchangeInfo: ExchangeInfo = createExchangeInfo({
    rest,
    governor,
    now,
    onError: (e) => logger.warn('exchangeInfo refresh failed (keeping the last good copy)', { error: describeError(e, logger) }),
  });
  let bookSymbols: ReadonlySet<string> = new Set();
  const market: MarketStreams = createMarketStreams({
    streamUrl: env.streamUrl,
    connectionState: registry,
    id: 'market',
    budget,
    ...o.tuning?.market,
    // The book record carries no time: a quote's age is when its last update arrived here.
    // Only the few watched books are stamped, so the all-market tickers stay cheap.
    onApply: (u) => {
      if (u.kind === 'bookTicker' && bookSymbols.has(u.value.symbol)) bookArrived.set(u.value.symbol, now());
    },
  });
  const wsApi = createWsApiConnection({ url: env.wsApiUrl, connectionState: registry, id: 'ws-api', budget, ...o.tuning?.wsApi });
  const userData: UserDataStream = createUserDataStream({ wsApi, rest, credentials, timeSync, connectionState: registry, id: 'account' });
  const lifecycle = createStreamsLifecycle({
    market,
    wsApi,
    userData,
    timeSync,
    onError: (e) => logger.warn('clock resync failed', { error: describeError(e, logger) }),
  });
  const portfolio = createPortfolioState({ environment: o.environment, quote: o.quote, now });

  let started = false;
  let stopped = false;
  let flushTimer: ReturnType<typeof setInterval> | null = null;
  let bootTimer: ReturnType<typeof setTimeout> | null = null;
  let readyResolve: () => void = () => undefined;
  const readyPromise = new Promise<void>((resolve) => {
    readyResolve = resolve;
  });
  const unsubscribers: Array<() => void> = [];
  let currentStreams = new Set<string>();
  let portfolioSymbols: ReadonlySet<string> = new Set();
  let extraSymbols: ReadonlySet<string> = new Set();
  /** Quotes read by REST (until the streams deliver), and when each watched book last arrived. */
  const restQuotes = new Map<string, MarketQuote>();
  const bookArrived = new Map<string, number>();
  let seedInFlight = 0;
  /** Markets whose price was already requested by REST (once per session is enough). */
  const seeded = new Set<string>();
  let lastStatusKey = '';
  let lastStatusAt = 0;
  let lastRecheckAt = 0;

  const connectionStatus = (id: 'market' | 'account', info: ConnectionInfo | null, fallback: ConnectionState): ConnectionStatus => ({
    id,
    state: info?.status ?? fallback,
    lastMessageAt: info?.lastMessageAt ?? null,
    reconnects: info?.reconnectCount ?? 0,
    // bounded like every string in the contract (an error may quote a long response body)
    lastError: info?.lastError === null || info?.lastError === undefined ? null : logger.redact(info.lastError).slice(0, TEXT_MAX_LENGTH),
  });

  const computeStatus = (): ConnectionsStatus => {
    const snap = registry.get();
    const marketConns = snap.connections.filter((c) => c.id.startsWith('market'));
    const accountInfo = snap.connections.find((c) => c.id === 'account') ?? null;
    // The account stream's messages arrive on the WS API socket: its last message is the age, and
    // a socket gone quiet (stale, reconnecting) makes the account no better than that, even while
    // the subscription itself still counts as live (it learns of a dead socket only at its close).
    const wsApi = snap.connections.find((c) => c.id === 'ws-api');
    const socketWorse = accountInfo !== null && wsApi !== undefined && SEVERITY[wsApi.status] > SEVERITY[accountInfo.status] ? wsApi : null;
    const account =
      accountInfo === null
        ? null
        : {
            ...accountInfo,
            lastMessageAt: Math.max(accountInfo.lastMessageAt ?? 0, wsApi?.lastMessageAt ?? 0) || null,
            ...(socketWorse !== null ? { status: socketWorse.status, lastError: socketWorse.lastError ?? accountInfo.lastError } : {}),
          };
    // Nothing to watch (an empty account) is not a market outage.
    const marketFallback: ConnectionState = currentStreams.size === 0 && started ? 'live' : 'connecting';
    const marketWorst = currentStreams.size === 0 ? null : worst(marketConns);
    const g = governor.state();
    return {
      environment: o.environment,
      connections: [connectionStatus('market', marketWorst, marketFallback), connectionStatus('account', account, 'connecting')],
      weightUsed: Math.max(0, Math.round(g.weightUsed)),
      weightLimit: g.weightLimit > 0 ? Math.round(g.weightLimit) : null,
      clockOffsetMs: timeSync.state().syncCount > 0 ? Math.round(timeSync.offsetMs()) : null,
      asOf: now(),
    };
  };

  /** Read prices by REST: a seed for new markets, or a check of silent ones (`verify`). */
  const seedPrices = async (symbols: readonly string[], verify = false): Promise<void> => {
    if (symbols.length === 0) return;
    seedInFlight++;
    try {
      // Quiet markets send nothing on the all-market stream: seed every watched price by REST.
      const params = symbols.length > 100 ? { type: 'MINI' } : { symbols: [...symbols], type: 'MINI' };
      const weight = symbols.length > 100 ? 80 : symbols.length > 20 ? 40 : 2;
      const list = await rest.request({
        method: 'GET',
        path: '/api/v3/ticker/24hr',
        params,
        security: 'NONE',
        weight,
        priority: 'normal',
        schema: MiniTicker24hList,
      });
      if (stopped) return;
      const wanted = new Set(symbols);
      const tickers = list
        .filter((t) => wanted.has(t.symbol))
        .map((t) => ({ symbol: t.symbol, last: t.lastPrice, open: t.openPrice, eventTime: t.closeTime }));
      if (verify) portfolio.verifyTickers(tickers);
      else portfolio.applyTickers(tickers);
      o.onTickers?.(tickers, false, 'rest');
    } catch (e) {
      if (stopped) return;
      if (verify)
        logger.warn('could not re-read silent prices; they turn stale if nothing confirms them', {
          symbols: symbols.length,
          error: describeError(e, logger),
        });
      else logger.warn('could not load initial prices; waiting for the market stream', { error: describeError(e, logger) });
    } finally {
      seedInFlight--;
    }
  };

  /** One set of streams for both needs: the portfolio's prices and the order forms' books. */
  const applyStreams = (): void => {
    if (stopped) return;
    const next = new Set<string>();
    const watched = extraSymbols.size === 0 ? portfolioSymbols : new Set([...portfolioSymbols, ...extraSymbols]);
    const all = watched.size > ALL_MARKET_THRESHOLD;
    if (all) next.add(ALL_MINI_TICKERS);
    else for (const s of watched) next.add(`${s.toLowerCase()}@miniTicker`);
    for (const s of bookSymbols) {
      next.add(`${s.toLowerCase()}@bookTicker`);
      if (!all) next.add(`${s.toLowerCase()}@miniTicker`);
    }
    const add = [...next].filter((s) => !currentStreams.has(s));
    const remove = [...currentStreams].filter((s) => !next.has(s));
    if (remove.length > 0) market.unwatch(remove);
    if (add.length > 0) market.watch(add);
    // An all-market frame lists every symbol; only the watched ones are applied, the rest is
    // skipped without being parsed (a symbol leaving the watch loses its record: see updateWatch).
    market.focus(all ? new Set([...watched, ...bookSymbols]) : null);
    currentStreams = next;
  };

  const updateWatch = (symbols: ReadonlySet<string>): void => {
    if (stopped) return;
    const previous = portfolioSymbols;
    portfolioSymbols = new Set(symbols);
    applyStreams();
    // Under the all-market focus a symbol watched again got no updates meanwhile: read it anew.
    // (The focus is on when holdings and extra symbols together pass the threshold.)
    const focused = portfolioSymbols.size + extraSymbols.size > ALL_MARKET_THRESHOLD;
    const newlyWatched = [...symbols].filter((s) => !seeded.has(s) || (focused && !previous.has(s)));
    for (const s of newlyWatched) seeded.add(s);
    void seedPrices(newlyWatched);
  };

  const quote = (symbol: string): MarketQuote | undefined => {
    const book = market.bookTickers().get(symbol);
    const ticker = market.tickers().get(symbol);
    const rq = restQuotes.get(symbol);
    if (book === undefined && ticker === undefined && rq === undefined) return undefined;
    // A book of a symbol no longer watched has no arrival time: its age is unknown (null).
    const bookAt = book !== undefined ? (bookArrived.get(symbol) ?? null) : null;
    // The newer of the stream's book and the REST read wins.
    const useRest = rq !== undefined && (book === undefined || bookAt === null || (rq.at ?? 0) > bookAt);
    return {
      bid: useRest ? rq.bid : (book?.bidPrice ?? null),
      ask: useRest ? rq.ask : (book?.askPrice ?? null),
      last: useRest ? (rq.last ?? ticker?.last ?? null) : (ticker?.last ?? rq?.last ?? null),
      at: useRest ? rq.at : bookAt,
    };
  };

  const refreshQuote = async (symbol: string): Promise<MarketQuote | undefined> => {
    try {
      const [book, price] = await Promise.all([
        rest.request({
          method: 'GET',
          path: '/api/v3/ticker/bookTicker',
          params: { symbol },
          security: 'NONE',
          weight: 2,
          priority: 'normal',
          schema: BookTickerRest,
        }),
        rest.request({
          method: 'GET',
          path: '/api/v3/ticker/price',
          params: { symbol },
          security: 'NONE',
          weight: 2,
          priority: 'normal',
          schema: PriceRest,
        }),
      ]);
      if (!stopped) {
        restQuotes.delete(symbol);
        restQuotes.set(symbol, { bid: book.bidPrice, ask: book.askPrice, last: price.price, at: now() });
        // Oldest first: a search through many symbols must not grow this without bound.
        for (const k of restQuotes.keys()) {
          if (restQuotes.size <= 32) break;
          restQuotes.delete(k);
        }
      }
    } catch (e) {
      if (!stopped) logger.debug('could not read a quote by REST', { symbol, error: describeError(e, logger) });
    }
    return quote(symbol);
  };

  const flush = (): void => {
    if (stopped) return;
    const changed = market.takeChangedTickers();
    portfolio.applyTickers(changed);
    const status = computeStatus();
    const [m, a] = status.connections;
    o.onTickers?.(changed, m?.state === 'live', 'stream');
    portfolio.setConnections({ market: m?.state ?? 'connecting', account: a?.state ?? 'connecting' });
    const ev = portfolio.commit();
    if (ev !== null) o.onPortfolioEvent(ev);
    // Status goes out when a state, a counter or an error changed, and now and then while
    // messages flow so the age of the data shown stays true.
    // The first message of a connection counts as a change, so the age shows at once instead of
    // "no message yet" until the next refresh.
    const key = JSON.stringify([
      status.connections.map((c) => [c.state, c.reconnects, c.lastError, c.lastMessageAt === null]),
      status.clockOffsetMs,
    ]);
    const t = now();
    // A ticker stream only sends what changed: a long-silent symbol is asked for by REST, so a
    // quiet market is confirmed and a feed that silently lost it is caught (portfolio-state).
    if (m?.state === 'live' && t - lastRecheckAt >= PRICE_RECHECK_SCAN_MS) {
      lastRecheckAt = t;
      void seedPrices(portfolio.silentSymbols(), true);
    }
    if (key !== lastStatusKey || t - lastStatusAt >= STATUS_REFRESH_MS) {
      lastStatusKey = key;
      lastStatusAt = t;
      o.onStatus(status);
    }
  };

  const bootBackoff = createBackoff(o.tuning?.bootBackoff ?? { baseMs: 500, capMs: 30_000, minMs: 100 });
  const boot = async (): Promise<void> => {
    if (stopped) return;
    try {
      await timeSync.start();
      if (!exchangeInfo.isLoaded()) await exchangeInfo.start();
      if (stopped) return;
      portfolio.setSymbols(exchangeInfo.symbols().map(toSymbolInput));
      userData.start();
      readyResolve();
      logger.info('exchange session started', { environment: o.environment, symbols: exchangeInfo.symbols().length });
    } catch (e) {
      if (stopped) return;
      const delay = bootBackoff.next();
      logger.warn('could not reach the exchange; retrying', {
        environment: o.environment,
        error: describeError(e, logger),
        retryInMs: delay,
      });
      bootTimer = setTimeout(() => {
        bootTimer = null;
        void boot();
      }, delay);
    }
  };

  return {
    environment: o.environment,
    env,
    rest,
    portfolio,
    exchangeInfo,
    orders: userData.orders,

    freeBalances() {
      const out: Record<string, string> = {};
      for (const [asset, b] of userData.balances()) out[asset] = b.free;
      return out;
    },

    quote,
    refreshQuote,

    connectionStates() {
      const [m, a] = computeStatus().connections;
      return { market: m?.state ?? 'connecting', account: a?.state ?? 'connecting' };
    },

    watchExtra(symbols) {
      const next = new Set(symbols);
      if (next.size === extraSymbols.size && [...next].every((s) => extraSymbols.has(s))) return;
      extraSymbols = next;
      if (!started) return;
      applyStreams();
      const fresh = [...next].filter((s) => !seeded.has(s) && !portfolioSymbols.has(s));
      for (const s of fresh) seeded.add(s);
      void seedPrices(fresh);
    },

    watchBooks(symbols) {
      const next = new Set([...symbols].slice(0, MAX_BOOK_SYMBOLS));
      if (next.size === bookSymbols.size && [...next].every((s) => bookSymbols.has(s))) return;
      bookSymbols = next;
      for (const s of [...bookArrived.keys()]) if (!next.has(s)) bookArrived.delete(s);
      if (started) applyStreams();
    },

    start() {
      if (started || stopped) return;
      started = true;
      unsubscribers.push(portfolio.onWatchedSymbolsChange(updateWatch));
      unsubscribers.push(exchangeInfo.onChange(() => portfolio.setSymbols(exchangeInfo.symbols().map(toSymbolInput))));
      unsubscribers.push(
        userData.onEvent((ev) => {
          if (ev.type === 'balances') portfolio.applyBalances(ev.changed);
          else if (ev.type === 'resynced') portfolio.replaceBalances(userData.balances().values());
        }),
      );
      flushTimer = setInterval(flush, o.flushIntervalMs);
      if (bookSymbols.size > 0 || extraSymbols.size > 0) applyStreams();
      if (extraSymbols.size > 0) {
        for (const s of extraSymbols) seeded.add(s);
        void seedPrices([...extraSymbols]);
      }
      void boot();
    },

    ready: () => readyPromise,

    async stop() {
      if (stopped) return;
      stopped = true;
      if (flushTimer !== null) clearInterval(flushTimer);
      if (bootTimer !== null) clearTimeout(bootTimer);
      flushTimer = null;
      bootTimer = null;
      for (const u of unsubscribers.splice(0)) u();
      lifecycle.dispose();
      exchangeInfo.stop();
      timeSync.stop();
      // Let a price seed in flight settle so nothing outlives the session.
      for (let i = 0; i < 50 && seedInFlight > 0; i++) await new Promise((r) => setTimeout(r, 20));
    },

    suspend() {
      if (stopped) return;
      lifecycle.suspend();
      flush();
    },

    async resume() {
      if (stopped) return;
      await lifecycle.resume();
    },

    setQuote(quote) {
      portfolio.setQuote(quote);
    },

    resyncAccount: (reason) => userData.resync(reason),

    // Fresh on request (app:getState): the last emitted status may be seconds old.
    status: () => computeStatus(),
    flush,
  };
}
