/**
 * exchangeInfo: symbols, their status, permissionSets and parsed filters, cached and refreshed on
 * a schedule, and on demand for symbols the rest of the client marks stale (a -1013 filter
 * failure, a status change seen on a stream). Stale symbols are fetched together
 * (symbols=[...]) after a short debounce, so a burst of marks costs one request.
 */
import { z } from 'zod';
import { ExchangeError } from './errors';
import {
  FilterParseError,
  parseExchangeFilters,
  parseSymbolFilters,
  validateOrderDraft,
  type ExchangeFilters,
  type OrderDraft,
  type SymbolFilters,
  type ValidationContext,
  type ValidationResult,
} from './filters';
import type { RateLimitGovernor, RequestPriority } from './rate-limit';
import type { RestClient } from './rest-client';

const RateLimitSchema = z.object({
  rateLimitType: z.string(),
  interval: z.string(),
  intervalNum: z.number().int(),
  limit: z.number().int(),
});
const SymbolSchema = z.object({
  symbol: z.string().min(1),
  status: z.string(),
  baseAsset: z.string(),
  quoteAsset: z.string(),
  baseAssetPrecision: z.number().int(),
  quoteAssetPrecision: z.number().int().optional(),
  quotePrecision: z.number().int().optional(),
  orderTypes: z.array(z.string()),
  icebergAllowed: z.boolean().optional(),
  ocoAllowed: z.boolean().optional(),
  quoteOrderQtyMarketAllowed: z.boolean().optional(),
  allowTrailingStop: z.boolean().optional(),
  cancelReplaceAllowed: z.boolean().optional(),
  isSpotTradingAllowed: z.boolean().optional(),
  filters: z.array(z.record(z.string(), z.unknown())),
  permissions: z.array(z.string()).optional(),
  permissionSets: z.array(z.array(z.string())).optional(),
  defaultSelfTradePreventionMode: z.string().optional(),
  allowedSelfTradePreventionModes: z.array(z.string()).optional(),
});
export const ExchangeInfoSchema = z.object({
  timezone: z.string().optional(),
  serverTime: z.number().optional(),
  rateLimits: z.array(RateLimitSchema).default([]),
  exchangeFilters: z.array(z.record(z.string(), z.unknown())).default([]),
  symbols: z.array(SymbolSchema),
});
export type RawExchangeInfo = z.infer<typeof ExchangeInfoSchema>;

export type SymbolStatus = 'TRADING' | 'END_OF_DAY' | 'HALT' | 'BREAK' | 'CANCEL_ONLY' | (string & {});

export interface SymbolInfo {
  readonly symbol: string;
  readonly status: SymbolStatus;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly baseAssetPrecision: number;
  readonly quoteAssetPrecision: number;
  readonly orderTypes: readonly string[];
  readonly quoteOrderQtyMarketAllowed: boolean;
  readonly isSpotTradingAllowed: boolean;
  /** OR inside a set, AND across sets (permissionSets in https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § Exchange information). */
  readonly permissionSets: readonly (readonly string[])[];
  readonly filters: SymbolFilters;
  /** Local epoch ms when this entry was fetched. */
  readonly fetchedAt: number;
}

export interface ExchangeInfo {
  /** First full load and the refresh timer. */
  start(): Promise<void>;
  /** Releases the timers. */
  stop(): void;
  /** Full reload now (coalesced with one in flight). */
  refresh(reason: string): Promise<void>;
  /** Re-fetch this symbol soon (debounced); call on -1013 / -1121 or a status change. */
  markStale(symbol: string, reason?: string): void;
  /** Resolves once every symbol marked stale so far has been re-fetched (or failed). */
  flushStale(): Promise<void>;
  symbol(symbol: string): SymbolInfo | undefined;
  symbols(): readonly SymbolInfo[];
  exchangeFilters(): ExchangeFilters;
  isLoaded(): boolean;
  lastRefreshAt(): number | undefined;
  /** validateOrderDraft with this symbol's filters, status and order types filled in. */
  validate(draft: OrderDraft, extra?: Omit<ValidationContext, 'filters' | 'status' | 'orderTypes' | 'exchangeFilters'>): ValidationResult;
  /** Called with the symbols whose entry changed (status or filters), after each refresh. */
  onChange(listener: (changed: readonly string[]) => void): () => void;
}

export interface ExchangeInfoOptions {
  readonly rest: RestClient;
  readonly governor?: RateLimitGovernor;
  /** Default 1 h. */
  readonly refreshIntervalMs?: number;
  /** Delay that gathers markStale calls into one request. Default 250 ms. */
  readonly staleDebounceMs?: number;
  readonly now?: () => number;
  /** Background refresh failures (the cache keeps its last good data). */
  readonly onError?: (error: unknown) => void;
}

const EXCHANGE_INFO_WEIGHT = 20;
const PATH = '/api/v3/exchangeInfo';

export function createExchangeInfo(opts: ExchangeInfoOptions): ExchangeInfo {
  const now = opts.now ?? Date.now;
  const cache = new Map<string, SymbolInfo>();
  const listeners = new Set<(changed: readonly string[]) => void>();
  let exchangeFilters: ExchangeFilters = { unknown: [] };
  let loadedAt: number | undefined;
  let fullInFlight: Promise<void> | undefined;
  let refreshTimer: ReturnType<typeof setInterval> | undefined;
  let staleTimer: ReturnType<typeof setTimeout> | undefined;
  const stale = new Set<string>();
  let staleInFlight: Promise<void> | undefined;
  let staleWaiters: Array<() => void> = [];
  let unsubscribeErrors: (() => void) | undefined;
  const markStale = (symbol: string): void => {
    stale.add(symbol);
    scheduleStaleFlush();
  };

  async function fetchInfo(params: Record<string, string | readonly string[]>, priority: RequestPriority): Promise<RawExchangeInfo> {
    const raw = await opts.rest.request({
      method: 'GET',
      path: PATH,
      params,
      security: 'NONE',
      weight: EXCHANGE_INFO_WEIGHT,
      priority,
      schema: ExchangeInfoSchema,
    });
    if (raw.rateLimits.length > 0) opts.governor?.setLimits(raw.rateLimits);
    return raw;
  }

  function apply(raw: RawExchangeInfo, full: boolean): void {
    const t = now();
    const changed: string[] = [];
    const seen = new Set<string>();
    for (const s of raw.symbols) {
      let filters: SymbolFilters;
      try {
        filters = parseSymbolFilters(s.filters);
      } catch (e) {
        if (e instanceof FilterParseError) {
          throw new ExchangeError({
            kind: 'bad-response',
            method: 'GET',
            path: PATH,
            message: `Binance sent trading rules for ${s.symbol} that Perch cannot read (${e.message}). Perch may need an update.`,
          });
        }
        throw e;
      }
      const info: SymbolInfo = {
        symbol: s.symbol,
        status: s.status,
        baseAsset: s.baseAsset,
        quoteAsset: s.quoteAsset,
        baseAssetPrecision: s.baseAssetPrecision,
        quoteAssetPrecision: s.quoteAssetPrecision ?? s.quotePrecision ?? 8,
        orderTypes: s.orderTypes,
        quoteOrderQtyMarketAllowed: s.quoteOrderQtyMarketAllowed ?? false,
        isSpotTradingAllowed: s.isSpotTradingAllowed ?? true,
        permissionSets: s.permissionSets ?? (s.permissions && s.permissions.length > 0 ? [s.permissions] : []),
        filters,
        fetchedAt: t,
      };
      const before = cache.get(s.symbol);
      if (!before || before.status !== info.status || JSON.stringify(before.filters) !== JSON.stringify(info.filters))
        changed.push(s.symbol);
      cache.set(s.symbol, info);
      seen.add(s.symbol);
    }
    if (full) {
      for (const symbol of [...cache.keys()]) {
        if (!seen.has(symbol)) {
          cache.delete(symbol);
          changed.push(symbol);
        }
      }
      exchangeFilters = parseExchangeFilters(raw.exchangeFilters);
      loadedAt = t;
    }
    if (changed.length > 0) for (const l of listeners) l(changed);
  }

  function refresh(reason: string, priority: RequestPriority = 'normal'): Promise<void> {
    void reason;
    if (!fullInFlight) {
      fullInFlight = fetchInfo({}, priority)
        .then((raw) => apply(raw, true))
        .finally(() => {
          fullInFlight = undefined;
        });
    }
    return fullInFlight;
  }

  function scheduleStaleFlush(): void {
    if (staleTimer || staleInFlight) return;
    staleTimer = setTimeout(() => {
      staleTimer = undefined;
      void flushNow();
    }, opts.staleDebounceMs ?? 250);
    staleTimer.unref?.();
  }

  async function flushNow(): Promise<void> {
    const symbols = [...stale];
    stale.clear();
    const waiters = staleWaiters;
    staleWaiters = [];
    if (symbols.length > 0) {
      staleInFlight = fetchInfo({ symbols }, 'normal')
        .then((raw) => apply(raw, false))
        .catch((e: unknown) => opts.onError?.(e))
        .finally(() => {
          staleInFlight = undefined;
        });
      await staleInFlight;
    }
    for (const w of waiters) w();
    if (stale.size > 0) scheduleStaleFlush();
  }

  return {
    async start() {
      // A filter failure or an unknown symbol means our copy of the rules may be out of date.
      unsubscribeErrors ??= opts.rest.onError?.((error, req) => {
        const symbol = req.params?.symbol;
        if (typeof symbol === 'string' && (error.kind === 'filter' || error.binanceCode === -1121 || error.binanceCode === -1220))
          markStale(symbol);
      });
      if (!refreshTimer) {
        refreshTimer = setInterval(
          () => {
            refresh('periodic', 'optional').catch((e: unknown) => opts.onError?.(e));
          },
          opts.refreshIntervalMs ?? 60 * 60_000,
        );
        refreshTimer.unref?.();
      }
      await refresh('start');
    },
    stop() {
      unsubscribeErrors?.();
      unsubscribeErrors = undefined;
      if (refreshTimer) clearInterval(refreshTimer);
      if (staleTimer) clearTimeout(staleTimer);
      refreshTimer = undefined;
      staleTimer = undefined;
      stale.clear();
      const waiters = staleWaiters;
      staleWaiters = [];
      for (const w of waiters) w();
    },
    refresh: (reason) => refresh(reason),
    markStale: (symbol) => markStale(symbol),
    flushStale() {
      if (stale.size === 0 && !staleInFlight && !staleTimer) return Promise.resolve();
      return new Promise<void>((resolve) => {
        staleWaiters.push(resolve);
        if (!staleTimer && !staleInFlight) scheduleStaleFlush();
      });
    },
    symbol: (symbol) => cache.get(symbol),
    symbols: () => [...cache.values()],
    exchangeFilters: () => exchangeFilters,
    isLoaded: () => loadedAt !== undefined,
    lastRefreshAt: () => loadedAt,
    validate(draft, extra = {}) {
      const info = cache.get(draft.symbol);
      if (!info) {
        return {
          ok: false,
          order: draft,
          adjustments: [],
          issues: [
            {
              filter: 'SYMBOL',
              field: 'symbol',
              message: `${draft.symbol} is not a symbol Binance lists${loadedAt === undefined ? ' (trading rules not loaded yet)' : ''}.`,
            },
          ],
        };
      }
      return validateOrderDraft(draft, {
        ...extra,
        filters: info.filters,
        exchangeFilters,
        status: info.status,
        orderTypes: info.orderTypes,
        quoteOrderQtyMarketAllowed: extra.quoteOrderQtyMarketAllowed ?? info.quoteOrderQtyMarketAllowed,
        quoteAssetPrecision: extra.quoteAssetPrecision ?? info.quoteAssetPrecision,
      });
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Does an account with these permissions satisfy the symbol's permissionSets? */
export function isPermitted(permissionSets: readonly (readonly string[])[], accountPermissions: readonly string[]): boolean {
  const have = new Set(accountPermissions);
  return permissionSets.every((set) => set.some((p) => have.has(p)));
}
