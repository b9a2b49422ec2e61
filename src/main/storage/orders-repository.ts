/**
 * Orders storage: each intent's detailed outcome (next to database.ts's order_intents journal),
 * and the per-symbol order history and fills cache that the incremental sync fills.
 *
 * database.ts runs one global list of migrations; this feature keeps its own ledger
 * (`orders_schema`) so its tables can evolve without taking version numbers from that list.
 * Ids are 64-bit decimal strings; they are stored as text with a zero-padded sort key, because
 * node:sqlite returns INTEGER columns as JS numbers (unsafe above 2^53).
 */
import type { DatabaseSync } from 'node:sqlite';
import { EXCHANGE_ID_PATTERN } from '../../shared/domain/orders';
import { migrate, type Migration } from './database';
import { readRow, readRows, type Columns } from './rows';

export type OrdersMigration = Migration;

export const ORDERS_MIGRATIONS: readonly OrdersMigration[] = [
  {
    version: 1,
    name: 'order outcomes, order history, fills, sync state',
    sql: `
      CREATE TABLE order_outcomes (
        client_order_id TEXT PRIMARY KEY,
        environment TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('order','oco')),
        symbol TEXT NOT NULL,
        status TEXT NOT NULL,
        view TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE order_history (
        environment TEXT NOT NULL,
        symbol TEXT NOT NULL,
        order_key TEXT NOT NULL,
        order_id TEXT NOT NULL,
        client_order_id TEXT NOT NULL,
        order_list_id TEXT NOT NULL,
        side TEXT NOT NULL,
        type TEXT NOT NULL,
        time_in_force TEXT NOT NULL,
        price TEXT NOT NULL,
        stop_price TEXT NOT NULL,
        orig_qty TEXT NOT NULL,
        executed_qty TEXT NOT NULL,
        cum_quote_qty TEXT NOT NULL,
        status TEXT NOT NULL,
        time INTEGER,
        update_time INTEGER NOT NULL,
        PRIMARY KEY (environment, symbol, order_key)
      ) WITHOUT ROWID;
      CREATE TABLE order_fills (
        environment TEXT NOT NULL,
        symbol TEXT NOT NULL,
        trade_key TEXT NOT NULL,
        trade_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        side TEXT NOT NULL,
        price TEXT NOT NULL,
        qty TEXT NOT NULL,
        quote_qty TEXT NOT NULL,
        commission TEXT NOT NULL,
        commission_asset TEXT NOT NULL,
        time INTEGER NOT NULL,
        is_maker INTEGER NOT NULL,
        PRIMARY KEY (environment, symbol, trade_key)
      ) WITHOUT ROWID;
      CREATE TABLE order_sync (
        environment TEXT NOT NULL,
        symbol TEXT NOT NULL,
        synced_at INTEGER NOT NULL,
        PRIMARY KEY (environment, symbol)
      ) WITHOUT ROWID;
    `,
  },
];

/** Applies this feature's migrations above its recorded version (its own table, orders_schema). */
export function migrateOrders(db: DatabaseSync, migrations: readonly OrdersMigration[] = ORDERS_MIGRATIONS): number {
  return migrate(db, migrations, { table: 'orders_schema', what: 'The orders tables were' });
}

/**
 * Zero-padded sort key of a non-negative 64-bit id ("42" -> "00000000000000000042"). The pattern
 * is the IPC contract's ExchangeId: every id the contract lets through is one this takes.
 */
export function idKey(id: string): string {
  if (!EXCHANGE_ID_PATTERN.test(id)) throw new RangeError(`not an exchange id: ${id}`);
  return id.padStart(20, '0');
}

export interface StoredOutcome {
  readonly clientOrderId: string;
  readonly environment: string;
  readonly kind: 'order' | 'oco';
  readonly symbol: string;
  readonly status: string;
  /** The OrderOutcomeView as JSON-compatible data. */
  readonly view: unknown;
  readonly updatedAt: number;
}

export interface HistoryOrderRow {
  readonly symbol: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly orderListId: string;
  readonly side: string;
  readonly type: string;
  readonly timeInForce: string;
  readonly price: string;
  readonly stopPrice: string;
  readonly origQty: string;
  readonly executedQty: string;
  readonly cumulativeQuoteQty: string;
  readonly status: string;
  readonly time: number | null;
  readonly updateTime: number;
}

export interface FillRow {
  readonly symbol: string;
  readonly tradeId: string;
  readonly orderId: string;
  readonly side: 'BUY' | 'SELL';
  readonly price: string;
  readonly qty: string;
  readonly quoteQty: string;
  readonly commission: string;
  readonly commissionAsset: string;
  readonly time: number;
  readonly isMaker: boolean;
}

export interface OrdersRepository {
  putOutcome(o: StoredOutcome): void;
  getOutcome(clientOrderId: string): StoredOutcome | null;
  /** Upserts; returns how many rows were new. */
  upsertOrders(environment: string, rows: readonly HistoryOrderRow[]): number;
  /** Inserts fills not seen before; returns how many were new. */
  insertFills(environment: string, rows: readonly FillRow[]): number;
  /** Newest first; `beforeOrderId` pages to older orders. */
  orders(environment: string, symbol: string, limit: number, beforeOrderId?: string): HistoryOrderRow[];
  fillsOfOrders(environment: string, symbol: string, orderIds: readonly string[]): FillRow[];
  /** Where the next allOrders page starts: the oldest order not finished yet, else the newest order. */
  orderCursor(environment: string, symbol: string): string | null;
  /** The newest trade id stored. */
  lastTradeId(environment: string, symbol: string): string | null;
  markSynced(environment: string, symbol: string, at: number): void;
  syncedAt(environment: string, symbol: string): number | null;
  /** Symbols with any stored order, fill or outcome. */
  knownSymbols(environment: string): string[];
}

const TERMINAL = ['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED', 'EXPIRED_IN_MATCH'];

interface OrderRowDb {
  symbol: string;
  order_id: string;
  client_order_id: string;
  order_list_id: string;
  side: string;
  type: string;
  time_in_force: string;
  price: string;
  stop_price: string;
  orig_qty: string;
  executed_qty: string;
  cum_quote_qty: string;
  status: string;
  time: number | null;
  update_time: number;
}
interface FillRowDb {
  symbol: string;
  trade_id: string;
  order_id: string;
  side: 'BUY' | 'SELL';
  price: string;
  qty: string;
  quote_qty: string;
  commission: string;
  commission_asset: string;
  time: number;
  is_maker: number;
}

const readOrderRow = (c: Columns): OrderRowDb => ({
  symbol: c.text('symbol'),
  order_id: c.text('order_id'),
  client_order_id: c.text('client_order_id'),
  order_list_id: c.text('order_list_id'),
  side: c.text('side'),
  type: c.text('type'),
  time_in_force: c.text('time_in_force'),
  price: c.text('price'),
  stop_price: c.text('stop_price'),
  orig_qty: c.text('orig_qty'),
  executed_qty: c.text('executed_qty'),
  cum_quote_qty: c.text('cum_quote_qty'),
  status: c.text('status'),
  time: c.intOrNull('time'),
  update_time: c.int('update_time'),
});
const readFillRow = (c: Columns): FillRowDb => ({
  symbol: c.text('symbol'),
  trade_id: c.text('trade_id'),
  order_id: c.text('order_id'),
  side: c.oneOf('side', ['BUY', 'SELL'] as const),
  price: c.text('price'),
  qty: c.text('qty'),
  quote_qty: c.text('quote_qty'),
  commission: c.text('commission'),
  commission_asset: c.text('commission_asset'),
  time: c.int('time'),
  is_maker: c.int('is_maker'),
});

export function createOrdersRepository(db: DatabaseSync): OrdersRepository {
  migrateOrders(db);
  const putOutcome = db.prepare(`INSERT INTO order_outcomes (client_order_id, environment, kind, symbol, status, view, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(client_order_id) DO UPDATE SET status = excluded.status, view = excluded.view, updated_at = excluded.updated_at`);
  const getOutcome = db.prepare('SELECT * FROM order_outcomes WHERE client_order_id = ?');
  const existsOrder = db.prepare('SELECT 1 AS x FROM order_history WHERE environment = ? AND symbol = ? AND order_key = ?');
  const upsertOrder =
    db.prepare(`INSERT INTO order_history (environment, symbol, order_key, order_id, client_order_id, order_list_id, side, type,
      time_in_force, price, stop_price, orig_qty, executed_qty, cum_quote_qty, status, time, update_time)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(environment, symbol, order_key) DO UPDATE SET client_order_id = excluded.client_order_id,
      executed_qty = excluded.executed_qty, cum_quote_qty = excluded.cum_quote_qty, status = excluded.status,
      update_time = excluded.update_time, time = COALESCE(excluded.time, order_history.time)
    WHERE excluded.update_time >= order_history.update_time`);
  const insertFill =
    db.prepare(`INSERT OR IGNORE INTO order_fills (environment, symbol, trade_key, trade_id, order_id, side, price, qty, quote_qty,
      commission, commission_asset, time, is_maker) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const ordersNewest = db.prepare('SELECT * FROM order_history WHERE environment = ? AND symbol = ? ORDER BY order_key DESC LIMIT ?');
  const ordersBefore = db.prepare(
    'SELECT * FROM order_history WHERE environment = ? AND symbol = ? AND order_key < ? ORDER BY order_key DESC LIMIT ?',
  );
  const terminalList = TERMINAL.map((t) => `'${t}'`).join(',');
  const oldestOpen = db.prepare(
    `SELECT order_id FROM order_history WHERE environment = ? AND symbol = ? AND status NOT IN (${terminalList}) ORDER BY order_key ASC LIMIT 1`,
  );
  const newest = db.prepare('SELECT order_id FROM order_history WHERE environment = ? AND symbol = ? ORDER BY order_key DESC LIMIT 1');
  const newestTrade = db.prepare('SELECT trade_id FROM order_fills WHERE environment = ? AND symbol = ? ORDER BY trade_key DESC LIMIT 1');
  const markSynced = db.prepare(`INSERT INTO order_sync (environment, symbol, synced_at) VALUES (?, ?, ?)
    ON CONFLICT(environment, symbol) DO UPDATE SET synced_at = excluded.synced_at`);
  const syncedAt = db.prepare('SELECT synced_at FROM order_sync WHERE environment = ? AND symbol = ?');
  const known =
    db.prepare(`SELECT symbol FROM order_history WHERE environment = ?1 UNION SELECT symbol FROM order_fills WHERE environment = ?1
    UNION SELECT symbol FROM order_outcomes WHERE environment = ?1`);

  const tx = <T>(fn: () => T): T => {
    if (db.isTransaction) return fn();
    db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      db.exec('COMMIT');
      return out;
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
  };

  const toOrder = (r: OrderRowDb): HistoryOrderRow => ({
    symbol: r.symbol,
    orderId: r.order_id,
    clientOrderId: r.client_order_id,
    orderListId: r.order_list_id,
    side: r.side,
    type: r.type,
    timeInForce: r.time_in_force,
    price: r.price,
    stopPrice: r.stop_price,
    origQty: r.orig_qty,
    executedQty: r.executed_qty,
    cumulativeQuoteQty: r.cum_quote_qty,
    status: r.status,
    time: r.time,
    updateTime: r.update_time,
  });
  const toFill = (r: FillRowDb): FillRow => ({
    symbol: r.symbol,
    tradeId: r.trade_id,
    orderId: r.order_id,
    side: r.side,
    price: r.price,
    qty: r.qty,
    quoteQty: r.quote_qty,
    commission: r.commission,
    commissionAsset: r.commission_asset,
    time: r.time,
    isMaker: r.is_maker === 1,
  });

  return {
    putOutcome(o) {
      putOutcome.run(o.clientOrderId, o.environment, o.kind, o.symbol, o.status, JSON.stringify(o.view), o.updatedAt);
    },
    getOutcome(id) {
      const r = readRow('order_outcomes', getOutcome.get(id), (c) => ({
        clientOrderId: c.text('client_order_id'),
        environment: c.text('environment'),
        kind: c.oneOf('kind', ['order', 'oco'] as const),
        symbol: c.text('symbol'),
        status: c.text('status'),
        view: JSON.parse(c.text('view')) as unknown,
        updatedAt: c.int('updated_at'),
      }));
      return r ?? null;
    },
    upsertOrders(environment, rows) {
      return tx(() => {
        let added = 0;
        for (const o of rows) {
          const key = idKey(o.orderId);
          if (existsOrder.get(environment, o.symbol, key) === undefined) added++;
          upsertOrder.run(
            environment,
            o.symbol,
            key,
            o.orderId,
            o.clientOrderId,
            o.orderListId,
            o.side,
            o.type,
            o.timeInForce,
            o.price,
            o.stopPrice,
            o.origQty,
            o.executedQty,
            o.cumulativeQuoteQty,
            o.status,
            o.time,
            o.updateTime,
          );
        }
        return added;
      });
    },
    insertFills(environment, rows) {
      return tx(() => {
        let added = 0;
        for (const f of rows) {
          const res = insertFill.run(
            environment,
            f.symbol,
            idKey(f.tradeId),
            f.tradeId,
            f.orderId,
            f.side,
            f.price,
            f.qty,
            f.quoteQty,
            f.commission,
            f.commissionAsset,
            f.time,
            f.isMaker ? 1 : 0,
          );
          added += Number(res.changes);
        }
        return added;
      });
    },
    orders(environment, symbol, limit, beforeOrderId) {
      const rows =
        beforeOrderId === undefined
          ? ordersNewest.all(environment, symbol, limit)
          : ordersBefore.all(environment, symbol, idKey(beforeOrderId), limit);
      return readRows('order_history', rows, readOrderRow).map(toOrder);
    },
    fillsOfOrders(environment, symbol, orderIds) {
      if (orderIds.length === 0) return [];
      const marks = orderIds.map(() => '?').join(',');
      const rows = db
        .prepare(`SELECT * FROM order_fills WHERE environment = ? AND symbol = ? AND order_id IN (${marks}) ORDER BY trade_key DESC`)
        .all(environment, symbol, ...orderIds);
      return readRows('order_fills', rows, readFillRow).map(toFill);
    },
    orderCursor(environment, symbol) {
      const orderId = (c: Columns): string => c.text('order_id');
      return (
        readRow('order_history', oldestOpen.get(environment, symbol), orderId) ??
        readRow('order_history', newest.get(environment, symbol), orderId) ??
        null
      );
    },
    lastTradeId(environment, symbol) {
      return readRow('order_fills', newestTrade.get(environment, symbol), (c) => c.text('trade_id')) ?? null;
    },
    markSynced(environment, symbol, at) {
      markSynced.run(environment, symbol, at);
    },
    syncedAt(environment, symbol) {
      return readRow('order_sync', syncedAt.get(environment, symbol), (c) => c.int('synced_at')) ?? null;
    },
    knownSymbols(environment) {
      return readRows('order_history', known.all(environment), (c) => c.text('symbol'));
    },
  };
}
