/**
 * The orders feature of one exchange session: the order API on the session's REST client and
 * user data store, the orders service on top, the key's trading permission, and the quotes the
 * order forms watch. Built with the session and stopped before it, so an environment switch can
 * never leave an order service of the old session answering or reconciling.
 */
import { z } from 'zod';
import type { EnvironmentId, Notice } from '../../shared/domain';
import type { MarketQuote } from '../../shared/domain/orders';
import type { EventName } from '../../shared/ipc/channels';
import type { EventPayload } from '../../shared/ipc/contract';
import { systemClock } from '../exchange/backoff';
import { createOrderApi, type OrderApi, type OrderApiOptions } from '../exchange/order-api';
import { createOrdersService, type OrdersService, type OrdersServiceDeps } from '../orders/orders-service';
import type { PreflightContext } from '../orders/preflight';
import type { OrderIntentRepository } from '../storage/database';
import type { DatabaseSync } from 'node:sqlite';
import type { ExchangeSession } from './exchange-session';
import { ApiRestrictions } from './keys';
import type { RedactingLogger } from './redacting-logger';
import { describeError } from './redacting-logger';

/** How often watched quotes are compared and pushed as `orders:market`. */
const MARKET_PUSH_MS = 250;
/**
 * A quote older than this is read again by REST before a pre-flight uses it. A quiet market's
 * book stream can be silent for longer while healthy; one REST read per 5 s per symbol is cheap.
 */
const QUOTE_MAX_AGE_MS = 5_000;
/** While the market stream is not live its books can only get older: read again after 1 s. */
const QUOTE_MAX_AGE_NOT_LIVE_MS = 1_000;
/** The exchange's average price moves slowly (a 5-minute average): read at most this often. */
const AVG_PRICE_MAX_AGE_MS = 10_000;

/**
 * A pre-flight waits at most this long for a re-read (quote or average price): a hung request
 * must not freeze the form's verdict until the REST timeout; the old value, flagged, is better.
 */
const READ_WAIT_MS = 1_000;

/** p, or undefined once ms passed (p keeps running; its result still lands in the caches). */
function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const AvgPriceRest = z.object({ mins: z.number().optional(), price: z.string() }).passthrough();

const AccountTrading = z
  .object({
    canTrade: z.boolean().optional(),
    permissions: z.array(z.string()).optional(),
  })
  .passthrough();

export interface SessionOrdersOptions {
  readonly session: ExchangeSession;
  readonly environment: EnvironmentId;
  readonly database: { readonly db: DatabaseSync; readonly orderIntents: OrderIntentRepository };
  readonly tradingEnabled: () => boolean;
  readonly notify: (notice: Omit<Notice, 'at'>) => void;
  readonly emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  readonly logger: RedactingLogger;
  readonly now: () => number;
  /** Intents a background checker of an earlier session owns: this session leaves them alone. */
  readonly ownedElsewhere?: (clientOrderId: string) => boolean;
  /** The fingerprint of the session's key (recorded in intents; only its intents are checked). */
  readonly keyFingerprint?: string;
  /** Tests: faster reconciliation against the simulator. */
  readonly tuning?: {
    readonly orderApi?: Partial<
      Pick<OrderApiOptions, 'graceMs' | 'backoff' | 'placeTimeoutMs' | 'cancelCheckMs' | 'cancelBackoff' | 'followUpBackoff'>
    >;
    readonly service?: OrdersServiceDeps['tuning'];
  };
}

export interface SessionOrders {
  readonly service: OrdersService;
  readonly api: OrderApi;
  /** true once the service was started (after the user data stream) and its recovery is done. */
  isReady(): boolean;
  /** Resolves once start()'s reconciliation of unfinished intents is done. */
  recovered(): Promise<void>;
  /** The symbols the order forms show (all windows together). */
  watch(symbols: ReadonlySet<string>): void;
  /** The symbols whose books are watched now (listed symbols of what was asked). */
  watching(): ReadonlySet<string>;
  /**
   * The quote of a symbol; read again by REST when the streams have nothing for it, it is older
   * than 5 s, or the market stream is not live. `at` says how old what it answers is.
   */
  quote(symbol: string): Promise<MarketQuote | null>;
  /** What a pre-flight needs beyond the draft: a fresh quote first, the time, account state, avg price. */
  preflightContext(symbol: string): Promise<PreflightContext>;
  /** What a key check found (keys:health of this environment): false stops trading at once. */
  setKeyCanTrade(canTrade: boolean | null): void;
  stop(): void;
}

export function createSessionOrders(o: SessionOrdersOptions): SessionOrders {
  const { session, logger, now } = o;
  const api = createOrderApi({ rest: session.rest, orders: session.orders, ...o.tuning?.orderApi });
  let accountCanTrade: boolean | null = null;
  let keyCanTrade: boolean | null = null;
  let accountPermissions: readonly string[] | undefined;
  let stopped = false;
  let ready = false;
  /** What the forms asked for; only symbols the exchange lists are watched (once it is loaded). */
  let requested: ReadonlySet<string> = new Set();
  let watched: ReadonlySet<string> = new Set();
  const lastPushed = new Map<string, string>();
  let pushTimer: ReturnType<typeof setInterval> | null = null;
  /** One REST read per symbol at a time (the form, the confirmation and other windows ask together). */
  const quoteReads = new Map<string, Promise<MarketQuote | undefined>>();
  const avgPrices = new Map<string, { price: string; at: number }>();
  const avgReads = new Map<string, Promise<string | undefined>>();

  const readQuote = (symbol: string): Promise<MarketQuote | undefined> => {
    const pending = quoteReads.get(symbol);
    if (pending !== undefined) return pending;
    const p = session.refreshQuote(symbol).finally(() => quoteReads.delete(symbol));
    quoteReads.set(symbol, p);
    return p;
  };

  const quote = async (symbol: string): Promise<MarketQuote | null> => {
    if (!session.exchangeInfo.isLoaded() || session.exchangeInfo.symbol(symbol) === undefined) return session.quote(symbol) ?? null;
    const known = session.quote(symbol);
    const maxAge = session.connectionStates().market === 'live' ? QUOTE_MAX_AGE_MS : QUOTE_MAX_AGE_NOT_LIVE_MS;
    const current = known !== undefined && known.bid !== null && known.ask !== null && known.at !== null && now() - known.at < maxAge;
    if (current) return known;
    // When the read fails or hangs this is the old quote, with its old `at`: the pre-flight says it is stale.
    await within(readQuote(symbol), READ_WAIT_MS);
    return session.quote(symbol) ?? null;
  };

  /** GET /api/v3/avgPrice, cached; undefined when it cannot be read (the last price stands in). */
  const avgPrice = async (symbol: string): Promise<string | undefined> => {
    const cached = avgPrices.get(symbol);
    if (cached !== undefined && now() - cached.at < AVG_PRICE_MAX_AGE_MS) return cached.price;
    const pending = avgReads.get(symbol);
    if (pending !== undefined) return pending;
    const p = (async (): Promise<string | undefined> => {
      try {
        const r = await session.rest.request({
          method: 'GET',
          path: '/api/v3/avgPrice',
          params: { symbol },
          security: 'NONE',
          weight: 2,
          priority: 'normal',
          schema: AvgPriceRest,
        });
        if (stopped) return undefined;
        avgPrices.delete(symbol);
        avgPrices.set(symbol, { price: r.price, at: now() });
        for (const k of avgPrices.keys()) {
          if (avgPrices.size <= 32) break;
          avgPrices.delete(k);
        }
        return r.price;
      } catch (e) {
        if (!stopped) logger.debug('could not read the average price', { symbol, error: describeError(e, logger) });
        return cached?.price;
      } finally {
        avgReads.delete(symbol);
      }
    })();
    avgReads.set(symbol, p);
    return p;
  };

  const preflightContext = async (symbol: string): Promise<PreflightContext> => {
    const listed = session.exchangeInfo.isLoaded() && session.exchangeInfo.symbol(symbol) !== undefined;
    const [, avg] = listed ? await Promise.all([quote(symbol), within(avgPrice(symbol), READ_WAIT_MS)]) : [null, undefined];
    return {
      now: now(),
      accountLive: session.connectionStates().account === 'live',
      ...(avg !== undefined ? { avgPrice: avg } : {}),
    };
  };

  const service = createOrdersService({
    environment: o.environment,
    rest: session.rest,
    exchangeInfo: session.exchangeInfo,
    orderApi: api,
    database: o.database,
    balances: () => session.freeBalances(),
    market: (symbol) => session.quote(symbol),
    preflightContext,
    settings: () => ({ tradingEnabled: o.tradingEnabled() }),
    permissions: () => ({
      // Either source saying "cannot trade" is enough; unknown is not a refusal (Binance decides).
      canTrade: accountCanTrade === false || keyCanTrade === false ? false : (accountCanTrade ?? keyCanTrade),
      ...(accountPermissions !== undefined ? { accountPermissions } : {}),
    }),
    notify: o.notify,
    ...(o.ownedElsewhere !== undefined ? { ownedElsewhere: o.ownedElsewhere } : {}),
    ...(o.keyFingerprint !== undefined ? { keyFingerprint: o.keyFingerprint } : {}),
    clock: { ...systemClock, now },
    ...(o.tuning?.service !== undefined ? { tuning: o.tuning.service } : {}),
  });
  const offEvents = service.onEvent((name, payload) => {
    if (!stopped) o.emit(name, payload);
  });

  /** Can this key trade? The account says canTrade; production also reports the key's own switch. */
  const loadPermissions = async (): Promise<void> => {
    try {
      const account = await session.rest.request({
        method: 'GET',
        path: '/api/v3/account',
        params: { omitZeroBalances: 'true' },
        security: 'USER_DATA',
        weight: 20,
        priority: 'normal',
        schema: AccountTrading,
      });
      if (stopped) return;
      if (account.canTrade !== undefined) accountCanTrade = account.canTrade;
      if (account.permissions !== undefined) accountPermissions = account.permissions;
      if (session.env.hasSapi) {
        const r = await session.rest.request({
          method: 'GET',
          path: '/sapi/v1/account/apiRestrictions',
          security: 'USER_DATA',
          weight: 1,
          priority: 'normal',
          schema: ApiRestrictions,
        });
        if (!stopped && !r.enableSpotAndMarginTrading) keyCanTrade = false;
      }
    } catch (e) {
      if (!stopped)
        logger.warn("could not read the key's trading permission; Binance will decide per order", { error: describeError(e, logger) });
    }
  };

  const applyWatch = (): void => {
    if (stopped) return;
    const info = session.exchangeInfo;
    watched = info.isLoaded() ? new Set([...requested].filter((s) => info.symbol(s) !== undefined)) : new Set();
    for (const s of [...lastPushed.keys()]) if (!watched.has(s)) lastPushed.delete(s);
    session.watchBooks(watched);
    if (watched.size > 0 && pushTimer === null) pushTimer = setInterval(pushQuotes, MARKET_PUSH_MS);
    if (watched.size === 0 && pushTimer !== null) {
      clearInterval(pushTimer);
      pushTimer = null;
    }
  };

  const pushQuotes = (): void => {
    if (stopped) return;
    for (const symbol of watched) {
      const q = session.quote(symbol);
      if (q === undefined) continue;
      // The time is part of it: a REST read of an unchanged book makes the quote on screen younger.
      const key = `${q.bid}|${q.ask}|${q.last}|${q.at}`;
      if (lastPushed.get(symbol) === key) continue;
      lastPushed.set(symbol, key);
      o.emit('orders:market', { symbol, quote: q });
    }
  };

  // Orders wait for the account stream: the service reconciles every unfinished intent first.
  void session.ready().then(async () => {
    if (stopped) return;
    applyWatch();
    void loadPermissions();
    try {
      await service.start();
      if (!stopped) {
        ready = true;
        logger.info('orders ready', { environment: o.environment });
      }
    } catch (e) {
      if (!stopped) logger.error('the orders service did not start', { error: describeError(e, logger) });
    }
  });

  return {
    service,
    api,
    isReady: () => ready,
    recovered: () => service.recovered(),

    watch(symbols) {
      requested = new Set(symbols);
      applyWatch();
    },

    watching: () => watched,

    quote,
    preflightContext,

    setKeyCanTrade(canTrade) {
      keyCanTrade = canTrade;
    },

    stop() {
      if (stopped) return;
      stopped = true;
      if (pushTimer !== null) clearInterval(pushTimer);
      pushTimer = null;
      offEvents();
      service.stop();
      api.dispose();
    },
  };
}
