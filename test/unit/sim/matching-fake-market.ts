/**
 * Test doubles for the EXCHANGE part: a small deterministic MarketModel (prices set by the test,
 * a book of equal levels one tick apart around the last price), a Faults stand-in, and a helper
 * that calls route handlers the way the server does.
 */
import Decimal from 'decimal.js';
import { createClock, type SimClock } from '../../../src/main/sim/clock';
import { SimError } from '../../../src/main/sim/errors';
import { createExchangeModel, type ExchangeModel } from '../../../src/main/sim/matching/index';
import type {
  ApiKeyRecord,
  BookTicker,
  Faults,
  FaultsState,
  MarketModel,
  RestRequest,
  SymbolInfo,
  SymbolStatus,
  UserDataEvent,
} from '../../../src/main/sim/types';

const f8 = (v: Decimal.Value): string => new Decimal(v).toFixed(8);

function sym(base: string, quote: string, tick: string, step: string, minNotional: string, legacy = false): SymbolInfo {
  return {
    symbol: base + quote,
    status: 'TRADING',
    baseAsset: base,
    quoteAsset: quote,
    baseAssetPrecision: 8,
    quoteAssetPrecision: 8,
    priceDecimals: new Decimal(tick).decimalPlaces(),
    qtyDecimals: new Decimal(step).decimalPlaces(),
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
    permissionSets: [['SPOT']],
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: f8(tick), maxPrice: f8(1000000), tickSize: f8(tick) },
      { filterType: 'LOT_SIZE', minQty: f8(step), maxQty: f8(9000), stepSize: f8(step) },
      { filterType: 'ICEBERG_PARTS', limit: 10 },
      { filterType: 'MARKET_LOT_SIZE', minQty: f8(0), maxQty: f8(100), stepSize: f8(0) },
      {
        filterType: 'PERCENT_PRICE_BY_SIDE',
        bidMultiplierUp: '5',
        bidMultiplierDown: '0.2',
        askMultiplierUp: '5',
        askMultiplierDown: '0.2',
        avgPriceMins: 5,
      },
      legacy
        ? { filterType: 'MIN_NOTIONAL', minNotional: f8(minNotional), applyToMarket: true, avgPriceMins: 5 }
        : {
            filterType: 'NOTIONAL',
            minNotional: f8(minNotional),
            applyMinToMarket: true,
            maxNotional: f8(9000000),
            applyMaxToMarket: false,
            avgPriceMins: 5,
          },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
      { filterType: 'MAX_NUM_ORDER_LISTS', maxNumOrderLists: 20 },
      { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
    ],
  };
}

export interface FakeMarket extends MarketModel {
  /** Quantity of every book level of a symbol (default 1). */
  setLevelQty(symbol: string, qty: string): void;
  /** Number of levels per side (default 20). */
  setLevels(symbol: string, levels: number): void;
  setFilter(symbol: string, filterType: string, values: Record<string, string | number | boolean>): void;
}

export function createFakeMarket(): FakeMarket {
  const infos = new Map<string, SymbolInfo>(
    [
      ['BTCUSDT', sym('BTC', 'USDT', '0.01', '0.00001', '5')],
      ['ETHUSDT', sym('ETH', 'USDT', '0.01', '0.0001', '5')],
      ['BNBUSDT', sym('BNB', 'USDT', '0.01', '0.001', '5')],
      ['ETHBTC', sym('ETH', 'BTC', '0.00001', '0.0001', '0.0001')],
      ['ARDRBTC', sym('ARDR', 'BTC', '0.00000001', '1', '0.0001', true)],
    ].map(([k, v]) => [k as string, v as SymbolInfo]),
  );
  const prices = new Map<string, Decimal>([
    ['BTCUSDT', new Decimal('60000')],
    ['ETHUSDT', new Decimal('3000')],
    ['BNBUSDT', new Decimal('600')],
    ['ETHBTC', new Decimal('0.05')],
    ['ARDRBTC', new Decimal('0.00000112')],
  ]);
  const levelQty = new Map<string, string>();
  const levelCount = new Map<string, number>();
  const listeners = new Set<(changed: readonly string[]) => void>();
  const tickOf = (s: string) => new Decimal(String(infos.get(s)!.filters[0]!['tickSize']));
  const get = (s: string): SymbolInfo => {
    const i = infos.get(s);
    if (!i) throw new Error(`fake market: unknown ${s}`);
    return i;
  };
  const book = (s: string): BookTicker => {
    const p = prices.get(s)!;
    const t = tickOf(s);
    const q = levelQty.get(s) ?? '1';
    return { bidPrice: f8(p.minus(t)), bidQty: f8(q), askPrice: f8(p.plus(t)), askQty: f8(q) };
  };
  return {
    symbols: () => [...infos.values()],
    symbol: (s) => infos.get(s),
    setStatus(s, status: SymbolStatus) {
      get(s).status = status;
    },
    lastPrice: (s) => f8(prices.get(s)!),
    bookTicker: book,
    ticker24h: () => {
      throw new Error('not in fake');
    },
    avgPrice: (s) => ({ mins: 5, price: f8(prices.get(s)!), closeTime: 0 }),
    klines: () => [],
    depth(s, limit) {
      const p = prices.get(s)!;
      const t = tickOf(s);
      const q = f8(levelQty.get(s) ?? '1');
      const n = Math.min(limit, levelCount.get(s) ?? 20);
      const asks: [string, string][] = [];
      const bids: [string, string][] = [];
      for (let i = 1; i <= n; i++) {
        asks.push([f8(p.plus(t.mul(i))), q]);
        if (p.minus(t.mul(i)).isPositive()) bids.push([f8(p.minus(t.mul(i))), q]);
      }
      return { lastUpdateId: 1, bids, asks };
    },
    setPrice(s, price) {
      get(s);
      prices.set(s, new Decimal(price));
      for (const l of [...listeners]) l([s]);
    },
    onTick(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {},
    stop() {},
    setLevelQty(s, qty) {
      levelQty.set(s, qty);
    },
    setLevels(s, n) {
      levelCount.set(s, n);
    },
    setFilter(s, filterType, values) {
      const info = get(s);
      const filters = info.filters.map((f) => (f['filterType'] === filterType ? { filterType, ...values } : f));
      if (!filters.some((f) => f['filterType'] === filterType)) filters.push({ filterType, ...values });
      infos.set(s, { ...info, filters });
    },
  };
}

export function createFakeFaults(): Faults {
  const fresh = (): FaultsState => ({
    latencyMs: 0,
    hangPaths: [],
    orderFaults: [],
    unknownOrderQueries: new Map(),
    force429: 0,
    banUntil: 0,
    silentSockets: false,
    noPongs: false,
    refuseUpgrades: 0,
    reorderUserEvents: false,
    duplicateUserEvents: false,
    bigIds: false,
  });
  const state = fresh();
  return {
    state,
    takeOrderFault: () => state.orderFaults.shift(),
    takeUnknownOrderQuery(keys) {
      for (const k of keys) {
        const n = state.unknownOrderQueries.get(k);
        if (n !== undefined && n > 0) {
          state.unknownOrderQueries.set(k, n - 1);
          return true;
        }
      }
      return false;
    },
    reset() {
      Object.assign(state, fresh());
    },
    closeAll() {},
    serverShutdown() {},
    eventStreamTerminated() {},
    onAction: () => () => undefined,
  };
}

export interface Harness {
  readonly market: FakeMarket;
  readonly faults: Faults;
  readonly clock: SimClock;
  readonly model: ExchangeModel;
  /** Events published to this account since the last drain. */
  events(accountId?: string): UserDataEvent[];
  drain(accountId?: string): UserDataEvent[];
  call(method: RestRequest['method'], path: string, params?: Record<string, string>, accountId?: string): Promise<unknown>;
  /** The SimError a call fails with (fails the test when it succeeds). */
  error(method: RestRequest['method'], path: string, params?: Record<string, string>, accountId?: string): Promise<SimError>;
  balance(asset: string, accountId?: string): { free: string; locked: string };
}

export const ACCOUNT = 'acc1';

export interface HarnessOptions {
  /** Exchange filters the engine enforces (small limits, so tests need not place 1,000 orders). */
  readonly exchangeFilters?: readonly Readonly<Record<string, string | number>>[];
}

export function createHarness(
  balances: Record<string, string> = { USDT: '100000', BTC: '2', ETH: '10', BNB: '50' },
  opts: HarnessOptions = {},
): Harness {
  const market = createFakeMarket();
  const faults = createFakeFaults();
  const clock = createClock({ fixedAtMs: Date.UTC(2026, 4, 20, 12, 0, 0) });
  const model = createExchangeModel({
    clock,
    faults,
    market,
    ...(opts.exchangeFilters !== undefined ? { exchangeFilters: opts.exchangeFilters } : {}),
    orderRateUsage: () => [
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100, count: 3 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000, count: 7 },
    ],
  });
  model.accounts.createAccount(ACCOUNT, balances);
  const buffers = new Map<string, UserDataEvent[]>();
  const ensure = (id: string): UserDataEvent[] => {
    let b = buffers.get(id);
    if (!b) {
      b = [];
      buffers.set(id, b);
      const buf = b;
      model.userData.subscribe(id, (ev) => buf.push(ev));
    }
    return b;
  };
  ensure(ACCOUNT);
  const key = (accountId: string): ApiKeyRecord => ({
    apiKey: 'test-key',
    type: 'HMAC',
    secret: 's',
    accountId,
    createdAt: 0,
    permissions: { reading: true, spotTrading: true, withdrawals: false, ipRestrict: true },
  });
  const call = async (
    method: RestRequest['method'],
    path: string,
    params: Record<string, string> = {},
    accountId = ACCOUNT,
  ): Promise<unknown> => {
    ensure(accountId);
    const route = model.engine.routes().find((r) => r.method === method && r.path === path);
    if (!route) throw new Error(`no route ${method} ${path}`);
    return await route.handler({ method, path, params, key: key(accountId), receivedAt: clock.now() });
  };
  return {
    market,
    faults,
    clock,
    model,
    events: (accountId = ACCOUNT) => [...ensure(accountId)],
    drain: (accountId = ACCOUNT) => ensure(accountId).splice(0),
    call,
    async error(method, path, params = {}, accountId = ACCOUNT) {
      try {
        await call(method, path, params, accountId);
      } catch (e) {
        if (e instanceof SimError) return e;
        throw e;
      }
      throw new Error(`${method} ${path} succeeded but an error was expected`);
    },
    balance(asset, accountId = ACCOUNT) {
      const b = model.accounts.balances(accountId).find((x) => x.asset === asset);
      return b ? { free: b.free, locked: b.locked } : { free: '0.00000000', locked: '0.00000000' };
    },
  };
}

/** Narrow an unknown reply to a JSON object for assertions. */
export function obj(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`not an object: ${String(v)}`);
  return v as Record<string, unknown>;
}

export function arr(v: unknown): Record<string, unknown>[] {
  if (!Array.isArray(v)) throw new Error('not an array');
  return v.map(obj);
}
