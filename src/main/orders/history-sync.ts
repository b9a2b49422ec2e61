/**
 * Order history and fills per symbol, cached in the database and synced incrementally: allOrders
 * from the oldest order not yet finished (else the newest stored one), myTrades from the newest
 * stored trade id + 1, page by page. Never a scan of every symbol on the exchange: the caller
 * passes the candidates (balances, open orders, symbols traded in Perch). Each request's weight is
 * counted and X-MBX-USED-WEIGHT-1M reported, so the UI can show what a sync costs.
 */
import { z } from 'zod';
import type { SyncProgress } from '../../shared/domain/orders';
import { idSchema, restOrderSchema } from '../exchange/order-state';
import type { RestClient } from '../exchange/rest-client';
import type { FillRow, HistoryOrderRow, OrdersRepository } from '../storage/orders-repository';

const PAGE = 1000;
const ALL_ORDERS_WEIGHT = 20;
const MY_TRADES_WEIGHT = 20;

const Dec = z.string().regex(/^-?\d+(\.\d+)?$/);
const tradeSchema = z.object({
  symbol: z.string(),
  id: idSchema,
  orderId: idSchema,
  price: Dec,
  qty: Dec,
  quoteQty: Dec,
  commission: Dec,
  commissionAsset: z.string().nullable(),
  time: z.number(),
  isBuyer: z.boolean(),
  isMaker: z.boolean(),
});

export interface HistorySync {
  /**
   * Sync these symbols. One sync runs at a time and each symbol once in it: a call while one runs
   * joins it, its symbols not in that run yet are added to the run's end (a symbol already synced
   * or being synced in this run is never fetched twice), and it resolves when the run is done.
   */
  sync(symbols: readonly string[]): Promise<SyncProgress>;
  progress(): SyncProgress;
}

export interface HistorySyncOptions {
  readonly rest: Pick<RestClient, 'requestWithMeta'>;
  readonly repo: OrdersRepository;
  readonly environment: string;
  readonly now: () => number;
  readonly onProgress: (p: SyncProgress) => void;
  /** Requests per page loop are bounded so a bad cursor cannot loop for ever. */
  readonly maxPagesPerSymbol?: number;
}

const idle = (): SyncProgress => ({
  running: false,
  done: 0,
  total: 0,
  symbol: null,
  weightCost: 0,
  weightUsed: null,
  ordersAdded: 0,
  fillsAdded: 0,
  error: null,
});

export function createHistorySync(o: HistorySyncOptions): HistorySync {
  let current: SyncProgress = idle();
  let running: Promise<SyncProgress> | null = null;
  const maxPages = o.maxPagesPerSymbol ?? 50;

  const report = (p: Partial<SyncProgress>): void => {
    current = { ...current, ...p };
    o.onProgress(current);
  };

  const get = async <T>(path: string, params: Record<string, string | number>, weight: number, schema: z.ZodType<T>): Promise<T> => {
    const res = await o.rest.requestWithMeta({ method: 'GET', path, security: 'USER_DATA', weight, priority: 'normal', params, schema });
    const used = Number(res.headers['x-mbx-used-weight-1m']);
    report({ weightCost: current.weightCost + weight, weightUsed: Number.isFinite(used) ? used : current.weightUsed });
    return res.data;
  };

  const syncSymbol = async (symbol: string): Promise<void> => {
    let cursor = o.repo.orderCursor(o.environment, symbol) ?? '0';
    for (let page = 0; page < maxPages; page++) {
      const list = await get('/api/v3/allOrders', { symbol, orderId: cursor, limit: PAGE }, ALL_ORDERS_WEIGHT, z.array(restOrderSchema));
      const rows: HistoryOrderRow[] = list.map((r) => ({
        symbol: r.symbol,
        orderId: r.orderId,
        clientOrderId: r.clientOrderId,
        orderListId: r.orderListId ?? '-1',
        side: r.side,
        type: r.type,
        timeInForce: r.timeInForce,
        price: r.price,
        stopPrice: r.stopPrice ?? '0',
        origQty: r.origQty,
        executedQty: r.executedQty,
        cumulativeQuoteQty: r.cummulativeQuoteQty,
        status: r.status,
        time: r.time ?? null,
        updateTime: r.updateTime,
      }));
      const added = o.repo.upsertOrders(o.environment, rows);
      report({ ordersAdded: current.ordersAdded + added });
      const lastRow = rows.at(-1);
      if (list.length < PAGE || lastRow === undefined) break;
      cursor = (BigInt(lastRow.orderId) + 1n).toString();
    }
    const lastTrade = o.repo.lastTradeId(o.environment, symbol);
    let fromId = lastTrade === null ? '0' : (BigInt(lastTrade) + 1n).toString();
    for (let page = 0; page < maxPages; page++) {
      const trades = await get('/api/v3/myTrades', { symbol, fromId, limit: PAGE }, MY_TRADES_WEIGHT, z.array(tradeSchema));
      const rows: FillRow[] = trades.map((t) => ({
        symbol: t.symbol,
        tradeId: t.id,
        orderId: t.orderId,
        side: t.isBuyer ? 'BUY' : 'SELL',
        price: t.price,
        qty: t.qty,
        quoteQty: t.quoteQty,
        commission: t.commission,
        commissionAsset: t.commissionAsset ?? '',
        time: t.time,
        isMaker: t.isMaker,
      }));
      const added = o.repo.insertFills(o.environment, rows);
      report({ fillsAdded: current.fillsAdded + added });
      const lastRow = rows.at(-1);
      if (trades.length < PAGE || lastRow === undefined) break;
      fromId = (BigInt(lastRow.tradeId) + 1n).toString();
    }
    o.repo.markSynced(o.environment, symbol, o.now());
  };

  /** The symbols of the running sync, in order; later calls append to it. */
  let queue: string[] = [];

  const run = async (): Promise<SyncProgress> => {
    current = { ...idle(), running: true, total: queue.length };
    o.onProgress(current);
    let error: string | null = null;
    // queue can grow while this runs (joined calls): read its length each time round.
    for (let i = 0; i < queue.length; i++) {
      const symbol = queue[i]!;
      report({ symbol, done: i, total: queue.length });
      try {
        await syncSymbol(symbol);
      } catch (e) {
        // One symbol failing (rate limit, network) stops the sync: the next one resumes from the cursors.
        error = `Syncing ${symbol} failed: ${e instanceof Error ? e.message : String(e)}`;
        break;
      }
    }
    report({ running: false, symbol: null, total: queue.length, done: error === null ? queue.length : current.done, error });
    return current;
  };

  return {
    sync(symbols) {
      const wanted = [...new Set(symbols)];
      if (running !== null) {
        const fresh = wanted.filter((s) => !queue.includes(s));
        if (fresh.length > 0) {
          queue.push(...fresh);
          report({ total: queue.length });
        }
        return running;
      }
      queue = wanted;
      running = run().finally(() => {
        running = null;
      });
      return running;
    },
    progress: () => current,
  };
}
