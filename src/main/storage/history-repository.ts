/**
 * The account's whole history for P&L: every trade of every synced symbol, deposits,
 * withdrawals and small-balance conversions, and the sync's progress per symbol, so a first
 * sync interrupted by a restart resumes where it stopped.
 *
 * Like orders-repository.ts, this feature keeps its own migration ledger (`pnl_schema`) so its
 * tables evolve without taking version numbers from database.ts's list. Ids are decimal strings
 * with a zero-padded sort key (node:sqlite reads INTEGER as JS numbers, unsafe above 2^53).
 */
import type { DatabaseSync } from 'node:sqlite';
import { migrate, type Migration } from './database';

export const HISTORY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'account trades, transfers, sync progress',
    sql: `
      CREATE TABLE pnl_trades (
        environment TEXT NOT NULL,
        symbol TEXT NOT NULL,
        trade_key TEXT NOT NULL,
        trade_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        time INTEGER NOT NULL,
        is_buyer INTEGER NOT NULL,
        is_maker INTEGER NOT NULL,
        price TEXT NOT NULL,
        qty TEXT NOT NULL,
        quote_qty TEXT NOT NULL,
        commission TEXT NOT NULL,
        commission_asset TEXT NOT NULL,
        PRIMARY KEY (environment, symbol, trade_key)
      );
      CREATE INDEX pnl_trades_time ON pnl_trades (environment, time);
      CREATE TABLE pnl_transfers (
        environment TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('deposit','withdrawal','convert')),
        id TEXT NOT NULL,
        time INTEGER NOT NULL,
        asset TEXT NOT NULL,
        amount TEXT NOT NULL,
        fee TEXT NOT NULL,
        to_asset TEXT,
        to_amount TEXT,
        PRIMARY KEY (environment, kind, id)
      );
      CREATE TABLE pnl_sync (
        environment TEXT NOT NULL,
        symbol TEXT NOT NULL,
        next_from_id TEXT NOT NULL,
        first_done INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (environment, symbol)
      );
      CREATE TABLE pnl_meta (
        environment TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (environment, key)
      );
    `,
  },
  {
    version: 2,
    name: 'minute closes at events (prices of fees and cross-pair trades)',
    sql: `
      CREATE TABLE pnl_minute_closes (
        environment TEXT NOT NULL,
        symbol TEXT NOT NULL,
        minute INTEGER NOT NULL,
        close TEXT,
        PRIMARY KEY (environment, symbol, minute)
      );
    `,
  },
];

export interface TradeRow {
  readonly symbol: string;
  readonly tradeId: string;
  readonly orderId: string;
  readonly time: number;
  readonly isBuyer: boolean;
  readonly isMaker: boolean;
  readonly price: string;
  readonly qty: string;
  readonly quoteQty: string;
  readonly commission: string;
  readonly commissionAsset: string;
}

export interface TransferRow {
  readonly kind: 'deposit' | 'withdrawal' | 'convert';
  readonly id: string;
  readonly time: number;
  readonly asset: string;
  readonly amount: string;
  /** Withdrawal network fee, or the conversion's service charge (in toAsset). */
  readonly fee: string;
  readonly toAsset: string | null;
  readonly toAmount: string | null;
}

export interface SymbolSyncState {
  readonly symbol: string;
  /** fromId of the next myTrades page. */
  readonly nextFromId: string;
  /** The first sync of this symbol reached its newest trade. */
  readonly firstDone: boolean;
  readonly updatedAt: number;
}

export interface HistoryRepository {
  /** Inserts trades not stored before; returns how many were new. */
  insertTrades(environment: string, rows: readonly TradeRow[]): number;
  trades(environment: string): TradeRow[];
  tradeCount(environment: string): number;
  insertTransfers(environment: string, rows: readonly TransferRow[]): number;
  transfers(environment: string): TransferRow[];
  symbolStates(environment: string): SymbolSyncState[];
  setSymbolState(environment: string, state: SymbolSyncState): void;
  meta(environment: string, key: string): string | null;
  setMeta(environment: string, key: string, value: string): void;
  /** The 1-minute closes stored for a symbol (minute open time -> close; null: no candle then). */
  minuteCloses(environment: string, symbol: string): Map<number, string | null>;
  putMinuteCloses(
    environment: string,
    symbol: string,
    rows: ReadonlyArray<{ readonly minute: number; readonly close: string | null }>,
  ): void;
}

export function idKey(id: string): string {
  if (!/^\d{1,20}$/.test(id)) throw new RangeError(`not an exchange id: ${id}`);
  return id.padStart(20, '0');
}

interface TradeDb {
  symbol: string;
  trade_id: string;
  order_id: string;
  time: number;
  is_buyer: number;
  is_maker: number;
  price: string;
  qty: string;
  quote_qty: string;
  commission: string;
  commission_asset: string;
}
interface TransferDb {
  kind: TransferRow['kind'];
  id: string;
  time: number;
  asset: string;
  amount: string;
  fee: string;
  to_asset: string | null;
  to_amount: string | null;
}

export function createHistoryRepository(db: DatabaseSync): HistoryRepository {
  migrate(db, HISTORY_MIGRATIONS, { table: 'pnl_schema', what: 'The P&L history tables were' });
  const insertTrade =
    db.prepare(`INSERT OR IGNORE INTO pnl_trades (environment, symbol, trade_key, trade_id, order_id, time, is_buyer, is_maker,
    price, qty, quote_qty, commission, commission_asset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const allTrades = db.prepare('SELECT * FROM pnl_trades WHERE environment = ? ORDER BY time ASC, symbol ASC, trade_key ASC');
  const countTrades = db.prepare('SELECT COUNT(*) AS n FROM pnl_trades WHERE environment = ?');
  const insertTransfer =
    db.prepare(`INSERT OR IGNORE INTO pnl_transfers (environment, kind, id, time, asset, amount, fee, to_asset, to_amount)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const allTransfers = db.prepare('SELECT * FROM pnl_transfers WHERE environment = ? ORDER BY time ASC, kind ASC, id ASC');
  const states = db.prepare('SELECT symbol, next_from_id, first_done, updated_at FROM pnl_sync WHERE environment = ? ORDER BY symbol');
  const putState = db.prepare(`INSERT INTO pnl_sync (environment, symbol, next_from_id, first_done, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(environment, symbol) DO UPDATE SET next_from_id = excluded.next_from_id, first_done = excluded.first_done, updated_at = excluded.updated_at`);
  const getMeta = db.prepare('SELECT value FROM pnl_meta WHERE environment = ? AND key = ?');
  const putMeta = db.prepare(`INSERT INTO pnl_meta (environment, key, value) VALUES (?, ?, ?)
    ON CONFLICT(environment, key) DO UPDATE SET value = excluded.value`);
  const getMinutes = db.prepare('SELECT minute, close FROM pnl_minute_closes WHERE environment = ? AND symbol = ?');
  const putMinute = db.prepare(`INSERT INTO pnl_minute_closes (environment, symbol, minute, close) VALUES (?, ?, ?, ?)
    ON CONFLICT(environment, symbol, minute) DO UPDATE SET close = excluded.close`);
  const inTransaction = <T>(fn: () => T): T => {
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
  return {
    insertTrades(environment, rows) {
      return inTransaction(() => {
        let added = 0;
        for (const t of rows) {
          const r = insertTrade.run(
            environment,
            t.symbol,
            idKey(t.tradeId),
            t.tradeId,
            t.orderId,
            t.time,
            t.isBuyer ? 1 : 0,
            t.isMaker ? 1 : 0,
            t.price,
            t.qty,
            t.quoteQty,
            t.commission,
            t.commissionAsset,
          );
          added += Number(r.changes);
        }
        return added;
      });
    },
    trades(environment) {
      return (allTrades.all(environment) as unknown as TradeDb[]).map((r) => ({
        symbol: r.symbol,
        tradeId: r.trade_id,
        orderId: r.order_id,
        time: r.time,
        isBuyer: r.is_buyer === 1,
        isMaker: r.is_maker === 1,
        price: r.price,
        qty: r.qty,
        quoteQty: r.quote_qty,
        commission: r.commission,
        commissionAsset: r.commission_asset,
      }));
    },
    tradeCount(environment) {
      return (countTrades.get(environment) as { n: number }).n;
    },
    insertTransfers(environment, rows) {
      return inTransaction(() => {
        let added = 0;
        for (const t of rows)
          added += Number(insertTransfer.run(environment, t.kind, t.id, t.time, t.asset, t.amount, t.fee, t.toAsset, t.toAmount).changes);
        return added;
      });
    },
    transfers(environment) {
      return (allTransfers.all(environment) as unknown as TransferDb[]).map((r) => ({
        kind: r.kind,
        id: r.id,
        time: r.time,
        asset: r.asset,
        amount: r.amount,
        fee: r.fee,
        toAsset: r.to_asset,
        toAmount: r.to_amount,
      }));
    },
    symbolStates(environment) {
      return (
        states.all(environment) as unknown as Array<{ symbol: string; next_from_id: string; first_done: number; updated_at: number }>
      ).map((r) => ({ symbol: r.symbol, nextFromId: r.next_from_id, firstDone: r.first_done === 1, updatedAt: r.updated_at }));
    },
    setSymbolState(environment, s) {
      putState.run(environment, s.symbol, s.nextFromId, s.firstDone ? 1 : 0, s.updatedAt);
    },
    meta(environment, key) {
      return (getMeta.get(environment, key) as { value: string } | undefined)?.value ?? null;
    },
    setMeta(environment, key, value) {
      putMeta.run(environment, key, value);
    },
    minuteCloses(environment, symbol) {
      const rows = getMinutes.all(environment, symbol) as unknown as Array<{ minute: number; close: string | null }>;
      return new Map(rows.map((r) => [r.minute, r.close]));
    },
    putMinuteCloses(environment, symbol, rows) {
      inTransaction(() => {
        for (const r of rows) putMinute.run(environment, symbol, r.minute, r.close);
      });
    },
  };
}
