/**
 * Syncs the account's whole history without scanning every pair: deposits, withdrawals, dust
 * conversions and Binance Convert trades first (/sapi, production only; they name assets the
 * account once held), then myTrades for the
 * symbols between the assets the account holds or has held and the common quotes, plus symbols
 * the user added. Each symbol is paged with fromId and its cursor saved after every page, so a
 * sync stopped by a restart or a cancel resumes where it was; a later sync fetches only newer
 * trades. Before the request weight runs low (70 % of the minute's budget, below the 80 % at which
 * optional traffic is shed) the sync pauses itself until the next minute.
 */
import { z } from 'zod';
import type { HistorySyncProgress } from '../../shared/domain/pnl';
import { idSchema } from '../exchange/order-state';
import type { RestClient } from '../exchange/rest-client';
import type { HistoryRepository, TradeRow, TransferRow } from '../storage/history-repository';

const PAGE = 1000;
const MY_TRADES_WEIGHT = 20;
const DAY = 86_400_000;
/** /sapi deposit and withdrawal history take windows shorter than 90 days. */
const WINDOW = 89 * DAY;
/** Convert history takes windows of at most 30 days. */
const CONVERT_WINDOW = 30 * DAY;
export const COMMON_QUOTES: readonly string[] = ['USDT', 'USDC', 'FDUSD', 'BTC', 'ETH', 'BNB'];

const Dec = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .max(80);
const tradeSchema = z.object({
  symbol: z.string().max(40),
  id: idSchema,
  orderId: idSchema,
  price: Dec,
  qty: Dec,
  quoteQty: Dec,
  commission: Dec,
  commissionAsset: z.string().max(20).nullable(),
  time: z.number().int(),
  isBuyer: z.boolean(),
  isMaker: z.boolean(),
});
const depositSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  amount: Dec,
  coin: z.string().max(20),
  status: z.number().int(),
  insertTime: z.number().int(),
});
const withdrawalSchema = z.object({
  id: z.string().max(100),
  amount: Dec,
  transactionFee: Dec,
  coin: z.string().max(20),
  status: z.number().int(),
  applyTime: z.string().max(30),
});
const dustSchema = z.object({
  total: z.number().int(),
  userAssetDribblets: z.array(
    z.object({
      operateTime: z.number().int(),
      userAssetDribbletDetails: z.array(
        z.object({
          transId: z.union([z.string(), z.number()]).transform(String),
          serviceChargeAmount: Dec,
          amount: Dec,
          operateTime: z.number().int(),
          transferedAmount: Dec,
          fromAsset: z.string().max(20),
        }),
      ),
    }),
  ),
});

const convertFlowSchema = z.object({
  list: z
    .array(
      z.object({
        orderId: idSchema,
        orderStatus: z.string().max(40),
        fromAsset: z.string().max(20),
        fromAmount: Dec,
        toAsset: z.string().max(20),
        toAmount: Dec,
        createTime: z.number().int(),
      }),
    )
    .max(1000),
  moreData: z.boolean(),
});

export interface SymbolPair {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
}

/** The symbols worth asking myTrades about (see the file comment). */
export function chooseSymbols(o: {
  readonly symbols: readonly SymbolPair[];
  readonly assets: Iterable<string>;
  readonly known: Iterable<string>;
  readonly added: Iterable<string>;
}): string[] {
  const assets = new Set(o.assets);
  const exists = new Set(o.symbols.map((s) => s.symbol));
  const out = new Set<string>();
  for (const s of o.symbols) {
    if (assets.has(s.baseAsset) && (assets.has(s.quoteAsset) || COMMON_QUOTES.includes(s.quoteAsset))) out.add(s.symbol);
  }
  for (const s of [...o.known, ...o.added]) if (exists.has(s)) out.add(s);
  return [...out].sort();
}

export interface AccountHistorySyncOptions {
  readonly rest: Pick<RestClient, 'requestWithMeta'>;
  readonly repo: HistoryRepository;
  readonly environment: string;
  readonly symbols: () => readonly SymbolPair[];
  /** Assets with a balance now. */
  readonly heldAssets: () => readonly string[];
  /** Deposits, withdrawals and dust (/sapi) exist on this environment. */
  readonly transfersAvailable: boolean;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly onProgress?: (p: HistorySyncProgress) => void;
  /** REQUEST_WEIGHT per minute (6,000 on Binance). */
  readonly weightLimit?: number;
  /** Fraction of the limit at which the sync pauses until the next minute. */
  readonly pauseAt?: number;
  /** How far back deposit and withdrawal history is read on the first sync. */
  readonly historyDays?: number;
}

export interface AccountHistorySync {
  /** Runs a sync (first or incremental); a call while one runs joins it. */
  sync(): Promise<HistorySyncProgress>;
  /** Stops after the request in flight; progress is kept for the next sync. */
  cancel(): void;
  progress(): HistorySyncProgress;
  /** The symbols a sync covers now. */
  coveredSymbols(): string[];
  /** A symbol the user wants covered; false when the exchange has no such symbol. */
  addSymbol(symbol: string): boolean;
  /** A fill from the user data stream; stored at once (the next page fetch skips it as known). */
  ingestFill(row: TradeRow): boolean;
  /**
   * New trades of one symbol now (an order of it just filled): one myTrades page from its cursor,
   * after a running sync. A symbol not covered yet is covered from then on.
   */
  refreshSymbol(symbol: string): Promise<number>;
}

class Cancelled extends Error {}

export function createAccountHistorySync(o: AccountHistorySyncOptions): AccountHistorySync {
  const env = o.environment;
  const limit = o.weightLimit ?? 6000;
  const pauseAt = Math.floor(limit * (o.pauseAt ?? 0.7));
  const historyDays = o.historyDays ?? 400;
  const base = (): HistorySyncProgress => ({
    phase: 'idle',
    symbolsDone: 0,
    symbolsTotal: 0,
    symbol: null,
    tradesFound: 0,
    weightCost: 0,
    weightUsed: null,
    weightLimit: limit,
    etaMs: null,
    pausedUntil: null,
    firstSyncDone: o.repo.meta(env, 'firstSyncDone') === '1',
    lastSyncedAt: Number(o.repo.meta(env, 'lastSyncedAt') ?? '') || null,
    transfers: o.transfersAvailable ? 'synced' : 'not-available',
    error: null,
  });
  let current = base();
  let running: Promise<HistorySyncProgress> | null = null;
  let cancelled = false;

  const report = (p: Partial<HistorySyncProgress>): void => {
    current = { ...current, ...p };
    o.onProgress?.(current);
  };

  const get = async <T>(path: string, params: Record<string, string | number>, weight: number, schema: z.ZodType<T>): Promise<T> => {
    if (cancelled) throw new Cancelled();
    if (current.weightUsed !== null && current.weightUsed >= pauseAt) {
      const until = Math.floor(o.now() / 60_000) * 60_000 + 61_000;
      const phase = current.phase;
      report({ phase: 'paused', pausedUntil: until });
      await o.sleep(Math.max(0, until - o.now()));
      if (cancelled) throw new Cancelled();
      report({ phase, pausedUntil: null, weightUsed: 0 });
    }
    const res = await o.rest.requestWithMeta({ method: 'GET', path, security: 'USER_DATA', weight, priority: 'normal', params, schema });
    const used = Number(res.headers['x-mbx-used-weight-1m']);
    report({ weightCost: current.weightCost + weight, weightUsed: Number.isFinite(used) ? used : current.weightUsed });
    return res.data;
  };

  const userSymbols = (): string[] => JSON.parse(o.repo.meta(env, 'userSymbols') ?? '[]') as string[];

  const coveredSymbols = (): string[] => {
    const symbols = o.symbols();
    const bySymbol = new Map(symbols.map((s) => [s.symbol, s]));
    const assets = new Set(o.heldAssets());
    for (const t of o.repo.transfers(env)) {
      assets.add(t.asset);
      if (t.toAsset) assets.add(t.toAsset);
    }
    const known = o.repo.symbolStates(env).map((s) => s.symbol);
    for (const s of [...known, ...userSymbols()]) {
      const info = bySymbol.get(s);
      if (info) assets.add(info.baseAsset).add(info.quoteAsset);
    }
    return chooseSymbols({ symbols, assets, known, added: userSymbols() });
  };

  const syncTransfers = async (): Promise<void> => {
    const now = o.now();
    const since = Number(o.repo.meta(env, 'transfersSyncedTo') ?? '') || now - historyDays * DAY;
    // Overlap a day: a deposit can be recorded with an insert time slightly in the past.
    const rows: TransferRow[] = [];
    for (let start = since - DAY; start < now; start += WINDOW) {
      const end = Math.min(now, start + WINDOW);
      for (let offset = 0; ; offset += PAGE) {
        const page = await get(
          '/sapi/v1/capital/deposit/hisrec',
          { startTime: start, endTime: end, offset, limit: PAGE },
          1,
          z.array(depositSchema),
        );
        // 1 success, 6 credited but cannot withdraw yet: both are in the balance.
        for (const d of page)
          if (d.status === 1 || d.status === 6)
            rows.push({
              kind: 'deposit',
              id: d.id,
              time: d.insertTime,
              asset: d.coin,
              amount: d.amount,
              fee: '0',
              toAsset: null,
              toAmount: null,
            });
        if (page.length < PAGE) break;
      }
      for (let offset = 0; ; offset += PAGE) {
        const page = await get(
          '/sapi/v1/capital/withdraw/history',
          { startTime: start, endTime: end, offset, limit: PAGE },
          1,
          z.array(withdrawalSchema),
        );
        for (const w of page) {
          if (w.status !== 6) continue;
          rows.push({
            kind: 'withdrawal',
            id: w.id,
            time: Date.parse(`${w.applyTime.replace(' ', 'T')}Z`),
            asset: w.coin,
            amount: w.amount,
            fee: w.transactionFee,
            toAsset: null,
            toAmount: null,
          });
        }
        if (page.length < PAGE) break;
      }
    }
    const dust = await get('/sapi/v1/asset/dribblet', { startTime: since - DAY, endTime: now }, 1, dustSchema);
    for (const d of dust.userAssetDribblets) {
      for (const x of d.userAssetDribbletDetails) {
        rows.push({
          kind: 'convert',
          id: x.transId,
          time: x.operateTime,
          asset: x.fromAsset,
          amount: x.amount,
          fee: x.serviceChargeAmount,
          toAsset: 'BNB',
          toAmount: x.transferedAmount,
        });
      }
    }
    rows.push(...(await convertHistory(since - DAY, now)));
    o.repo.insertTransfers(env, rows);
    o.repo.setMeta(env, 'transfersSyncedTo', String(now));
  };

  /**
   * Binance Convert trades (GET /sapi/v1/convert/tradeFlow): 30-day windows, 1,000 a page, newest
   * first; while a window has more, it is asked again up to the oldest time seen (the overlap is
   * dropped by id). Its weight is per UID (3,000 a call), a budget apart from the IP's request
   * weight this sync paces, so it counts 1 here. Only completed conversions moved balances.
   */
  const convertHistory = async (from: number, to: number): Promise<TransferRow[]> => {
    const rows: TransferRow[] = [];
    for (let start = from; start < to; start += CONVERT_WINDOW) {
      let end = Math.min(to, start + CONVERT_WINDOW);
      for (;;) {
        const page = await get('/sapi/v1/convert/tradeFlow', { startTime: start, endTime: end, limit: PAGE }, 1, convertFlowSchema);
        for (const c of page.list) {
          if (c.orderStatus !== 'SUCCESS') continue;
          rows.push({
            kind: 'convert',
            id: `convert-${c.orderId}`,
            time: c.createTime,
            asset: c.fromAsset,
            amount: c.fromAmount,
            fee: '0',
            toAsset: c.toAsset,
            toAmount: c.toAmount,
          });
        }
        const oldest = Math.min(...page.list.map((c) => c.createTime));
        if (!page.moreData || page.list.length === 0) break;
        // Same-time records cut off by the limit: ask up to that time again, unless nothing older came.
        end = oldest < end ? oldest : end - 1;
        if (end < start) break;
      }
    }
    return rows;
  };

  const syncSymbol = async (symbol: string): Promise<void> => {
    const state = o.repo.symbolStates(env).find((s) => s.symbol === symbol);
    let fromId = state?.nextFromId ?? '0';
    for (;;) {
      const page = await get('/api/v3/myTrades', { symbol, fromId, limit: PAGE }, MY_TRADES_WEIGHT, z.array(tradeSchema));
      const rows: TradeRow[] = page.map((t) => ({
        symbol,
        tradeId: t.id,
        orderId: t.orderId,
        time: t.time,
        isBuyer: t.isBuyer,
        isMaker: t.isMaker,
        price: t.price,
        qty: t.qty,
        quoteQty: t.quoteQty,
        commission: t.commission,
        commissionAsset: t.commissionAsset ?? '',
      }));
      const added = o.repo.insertTrades(env, rows);
      const lastRow = rows.at(-1);
      if (lastRow) fromId = (BigInt(lastRow.tradeId) + 1n).toString();
      const done = page.length < PAGE;
      o.repo.setSymbolState(env, { symbol, nextFromId: fromId, firstDone: done || (state?.firstDone ?? false), updatedAt: o.now() });
      report({ tradesFound: current.tradesFound + added });
      if (done) return;
    }
  };

  const run = async (): Promise<HistorySyncProgress> => {
    cancelled = false;
    current = { ...base(), phase: o.transfersAvailable ? 'transfers' : 'trades' };
    report({});
    try {
      if (o.transfersAvailable) await syncTransfers();
      const symbols = coveredSymbols();
      report({ phase: 'trades', symbolsTotal: symbols.length });
      // Symbols whose first sync is not finished go first: that is what a resumed sync owes.
      const states = new Map(o.repo.symbolStates(env).map((s) => [s.symbol, s]));
      const ordered = [...symbols].sort((a, b) => Number(states.get(a)?.firstDone ?? false) - Number(states.get(b)?.firstDone ?? false));
      const tradesStart = o.now();
      for (const [i, symbol] of ordered.entries()) {
        report({ symbol });
        await syncSymbol(symbol);
        const per = (o.now() - tradesStart) / (i + 1);
        report({ symbolsDone: i + 1, etaMs: Math.round(per * (ordered.length - i - 1)) });
      }
      o.repo.setMeta(env, 'firstSyncDone', '1');
      o.repo.setMeta(env, 'lastSyncedAt', String(o.now()));
      report({ phase: 'done', symbol: null, etaMs: 0, firstSyncDone: true, lastSyncedAt: o.now() });
    } catch (e) {
      if (e instanceof Cancelled) report({ phase: 'cancelled', symbol: null, pausedUntil: null });
      else report({ phase: 'error', symbol: null, error: e instanceof Error ? e.message.slice(0, 200) : 'The history could not be read.' });
    }
    return current;
  };

  return {
    sync() {
      running ??= run().finally(() => {
        running = null;
      });
      return running;
    },
    cancel() {
      cancelled = true;
    },
    progress: () => current,
    coveredSymbols,
    addSymbol(symbol) {
      const s = symbol.trim().toUpperCase();
      if (!o.symbols().some((x) => x.symbol === s)) return false;
      const list = userSymbols();
      if (!list.includes(s)) o.repo.setMeta(env, 'userSymbols', JSON.stringify([...list, s].sort()));
      return true;
    },
    ingestFill(row) {
      return o.repo.insertTrades(env, [row]) > 0;
    },
    async refreshSymbol(symbol) {
      if (!o.symbols().some((x) => x.symbol === symbol)) return 0;
      await (running ?? Promise.resolve()).catch(() => undefined);
      const before = o.repo.tradeCount(env);
      cancelled = false;
      try {
        await syncSymbol(symbol);
      } catch (e) {
        if (!(e instanceof Cancelled))
          report({ error: e instanceof Error ? e.message.slice(0, 200) : 'The new trades could not be read.' });
      }
      return o.repo.tradeCount(env) - before;
    },
  };
}
