import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { EnvironmentId } from '../../shared/domain';
import { ENVIRONMENT_IDS } from '../../shared/domain/environment';
import { readRow, readRows, type Columns } from './rows';

/**
 * History on node:sqlite (built into Node 24 / Electron 45's Node; no native module to rebuild).
 * WAL so reads never wait for the writer, synchronous = FULL so a committed order intent survives
 * an OS crash; every migration runs in a transaction and is recorded in `migrations`, so a
 * half-applied schema cannot happen.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'value snapshots, order intents, trades, alert log',
    sql: `
      CREATE TABLE value_snapshots (
        ts INTEGER NOT NULL,
        environment TEXT NOT NULL,
        quote TEXT NOT NULL,
        total TEXT NOT NULL,
        PRIMARY KEY (environment, quote, ts)
      ) WITHOUT ROWID;
      CREATE TABLE order_intents (
        client_order_id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        environment TEXT NOT NULL,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('BUY','SELL')),
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL,
        last_error TEXT,
        exchange_order_id TEXT
      );
      CREATE INDEX order_intents_state ON order_intents (environment, state);
      CREATE TABLE trades (
        environment TEXT NOT NULL,
        symbol TEXT NOT NULL,
        trade_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        ts INTEGER NOT NULL,
        side TEXT NOT NULL,
        price TEXT NOT NULL,
        qty TEXT NOT NULL,
        quote_qty TEXT NOT NULL,
        commission TEXT NOT NULL,
        commission_asset TEXT NOT NULL,
        is_maker INTEGER NOT NULL,
        PRIMARY KEY (environment, symbol, trade_id)
      );
      CREATE INDEX trades_ts ON trades (environment, ts);
      CREATE TABLE alert_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts INTEGER NOT NULL,
        rule_id TEXT NOT NULL,
        environment TEXT NOT NULL,
        symbol TEXT NOT NULL,
        message TEXT NOT NULL,
        payload TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX alert_log_ts ON alert_log (ts);
    `,
  },
];

export interface Database {
  readonly db: DatabaseSync;
  readonly schemaVersion: number;
  readonly valueSnapshots: ValueSnapshotRepository;
  readonly orderIntents: OrderIntentRepository;
  /** runs fn in one transaction (rolled back when it throws) */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/** The SQLite synchronous level every connection runs at (2 = FULL); see openDatabase. */
export const DURABLE_SYNCHRONOUS = 'FULL';

/** Opens (creating if needed) and migrates. `path` ':memory:' works for tests. */
export function openDatabase(path: string, migrations: readonly Migration[] = MIGRATIONS): Database {
  const db = new DatabaseSync(path);
  try {
    // synchronous = FULL: every commit is on disk before it returns. With NORMAL, WAL commits are
    // synced only at checkpoints, so an OS crash or power loss could drop the order intent written
    // just before the order was sent, and Perch would not know to reconcile an order that exists.
    // The write volume (intents, outcomes, a value snapshot a minute, history pages in batches) is
    // tiny, so the whole connection pays the fsync rather than switching modes per write.
    db.exec(
      `PRAGMA journal_mode = WAL; PRAGMA synchronous = ${DURABLE_SYNCHRONOUS}; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;`,
    );
    const schemaVersion = migrate(db, migrations);
    const transaction = <T>(fn: () => T): T => {
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
      db,
      schemaVersion,
      valueSnapshots: createValueSnapshotRepository(db),
      orderIntents: createOrderIntentRepository(db),
      transaction,
      close: () => db.close(),
    };
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * Applies the migrations above the recorded version, each in its own transaction. A feature may
 * keep its own version table (`table`, a constant identifier of ours) beside the main one.
 */
export function migrate(
  db: DatabaseSync,
  migrations: readonly Migration[],
  opts: { readonly table?: string; readonly what?: string } = {},
): number {
  const table = opts.table ?? 'migrations';
  if (!/^[a-z_]+$/.test(table)) throw new Error(`bad migrations table name: ${table}`);
  const what = opts.what ?? 'The history database was';
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const row = db.prepare(`SELECT MAX(version) AS v FROM ${table}`).get() as { v: number | null } | undefined;
  let current = row?.v ?? 0;
  const known = Math.max(0, ...migrations.map((m) => m.version));
  if (current > known) throw new NewerSchemaError(what, current, known);
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(m.sql);
      db.prepare(`INSERT INTO ${table} (version, name, applied_at) VALUES (?, ?, ?)`).run(m.version, m.name, Date.now());
      db.exec('COMMIT');
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
    current = m.version;
  }
  return current;
}

/** The database was written by a newer Perch: this version must not touch it. */
export class NewerSchemaError extends Error {
  readonly found: number;
  readonly known: number;
  constructor(what: string, found: number, known: number) {
    super(`${what} created by a newer Perch (schema ${found}, this version knows ${known}).`);
    this.name = 'NewerSchemaError';
    this.found = found;
    this.known = known;
  }
}

/** An unfinished order intent as read from a database Perch is about to set aside. */
export interface IntentSummary {
  readonly environment: string;
  readonly symbol: string;
  readonly side: string;
  readonly createdAt: number;
}

export interface DatabasePeek {
  /** MAX(version) of the migrations table; null when there is none (a new or foreign file) */
  readonly schemaVersion: number | null;
  /** MAX(version) of each feature ledger asked for (alerts, orders, P&L keep their own); null when absent */
  readonly features?: Readonly<Record<string, number | null>>;
}

/**
 * Looks at an existing database file without writing to it (read-only: no WAL switch, no
 * migration), so a newer Perch's database can be refused untouched. Throws SQLite's error for a
 * file that is not a database.
 */
export function peekDatabase(path: string, featureTables: readonly string[] = []): DatabasePeek {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const version = (table: string): number | null => {
      if (!/^[a-z_]+$/.test(table)) throw new Error(`bad migrations table name: ${table}`);
      const found = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
      if (found === undefined) return null;
      const row = db.prepare(`SELECT MAX(version) AS v FROM ${table}`).get() as { v: number | null } | undefined;
      return row?.v ?? null;
    };
    const features: Record<string, number | null> = {};
    for (const t of featureTables) features[t] = version(t);
    return { schemaVersion: version('migrations'), features };
  } finally {
    db.close();
  }
}

/** How long a "probably not placed" intent is still looked for after its conclusion (the reconciler's follow-up). */
export const NOT_PLACED_FOLLOW_UP_MS = 10 * 60_000;

/**
 * Best effort: the unfinished intents a damaged database still lets us read (often none can be
 * read at all), with the "probably not placed" ones still inside their follow-up window (Binance
 * may yet show them). Never throws.
 */
export function readUnfinishedIntents(path: string, now: number = Date.now()): IntentSummary[] {
  try {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      const placeholders = UNFINISHED.map(() => '?').join(',');
      const rows = db
        .prepare(
          `SELECT environment, symbol, side, created_at FROM order_intents WHERE state IN (${placeholders}) OR (state = 'not-placed' AND updated_at >= ?) ORDER BY created_at ASC LIMIT 50`,
        )
        .all(...(UNFINISHED as SQLInputValue[]), now - NOT_PLACED_FOLLOW_UP_MS);
      return readRows('order_intents', rows, (c) => ({
        environment: c.text('environment'),
        symbol: c.text('symbol'),
        side: c.text('side'),
        createdAt: c.int('created_at'),
      }));
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
}

// ------------------------------------------------------------------------------------------
// value snapshots

export interface ValueSnapshot {
  readonly ts: number;
  readonly environment: EnvironmentId;
  readonly quote: string;
  /** decimal string */
  readonly total: string;
}

export interface ValueSnapshotRepository {
  /** one point per (environment, quote, ts); recording the same ts again replaces it */
  record(snapshot: ValueSnapshot): void;
  range(query: { environment: EnvironmentId; quote: string; from: number; to: number; limit?: number }): ValueSnapshot[];
  latest(environment: EnvironmentId, quote: string): ValueSnapshot | null;
}

const readSnapshot = (c: Columns): ValueSnapshot => ({
  ts: c.int('ts'),
  environment: c.oneOf('environment', ENVIRONMENT_IDS),
  quote: c.text('quote'),
  total: c.text('total'),
});

function createValueSnapshotRepository(db: DatabaseSync): ValueSnapshotRepository {
  const insert = db.prepare('INSERT OR REPLACE INTO value_snapshots (ts, environment, quote, total) VALUES (?, ?, ?, ?)');
  const range = db.prepare(
    'SELECT ts, environment, quote, total FROM value_snapshots WHERE environment = ? AND quote = ? AND ts >= ? AND ts <= ? ORDER BY ts ASC LIMIT ?',
  );
  const latest = db.prepare(
    'SELECT ts, environment, quote, total FROM value_snapshots WHERE environment = ? AND quote = ? ORDER BY ts DESC LIMIT 1',
  );
  return {
    record(s) {
      insert.run(s.ts, s.environment, s.quote, s.total);
    },
    range(q) {
      return readRows('value_snapshots', range.all(q.environment, q.quote, q.from, q.to, q.limit ?? 100_000), readSnapshot);
    },
    latest(environment, quote) {
      return readRow('value_snapshots', latest.get(environment, quote), readSnapshot) ?? null;
    },
  };
}

// ------------------------------------------------------------------------------------------
// order intents (written before an order is sent, so a crash never forgets an order)

/**
 * pending: written, not yet sent; sent: request out, answer unknown; not-placed: concluded
 * "probably not placed" at updated_at and still looked for (and guarded against a duplicate) for
 * the follow-up window after that; the rest are final.
 */
export const INTENT_STATES = ['pending', 'sent', 'unknown', 'accepted', 'rejected', 'failed', 'not-placed'] as const;
export type IntentState = (typeof INTENT_STATES)[number];
const UNFINISHED: readonly IntentState[] = ['pending', 'sent', 'unknown'];

export interface OrderIntent {
  readonly clientOrderId: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly environment: EnvironmentId;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly type: string;
  /** the order draft as sent (decimal strings), JSON-serialisable */
  readonly payload: unknown;
  readonly state: IntentState;
  readonly lastError: string | null;
  readonly exchangeOrderId: string | null;
}

export interface OrderIntentRepository {
  insert(intent: Omit<OrderIntent, 'updatedAt' | 'state' | 'lastError' | 'exchangeOrderId'> & { state?: IntentState }): void;
  updateState(
    clientOrderId: string,
    update: { state: IntentState; at: number; lastError?: string | null; exchangeOrderId?: string | null },
  ): boolean;
  get(clientOrderId: string): OrderIntent | null;
  listUnfinished(environment?: EnvironmentId): OrderIntent[];
  /** Intents concluded 'not-placed' at or after `since` (their updatedAt), oldest first. */
  listNotPlacedSince(environment: EnvironmentId, since: number): OrderIntent[];
}

interface IntentRow {
  client_order_id: string;
  created_at: number;
  updated_at: number;
  environment: EnvironmentId;
  symbol: string;
  side: 'BUY' | 'SELL';
  type: string;
  payload: string;
  state: IntentState;
  last_error: string | null;
  exchange_order_id: string | null;
}

const readIntentRow = (c: Columns): IntentRow => ({
  client_order_id: c.text('client_order_id'),
  created_at: c.int('created_at'),
  updated_at: c.int('updated_at'),
  environment: c.oneOf('environment', ENVIRONMENT_IDS),
  symbol: c.text('symbol'),
  side: c.oneOf('side', SIDES),
  type: c.text('type'),
  payload: c.text('payload'),
  state: c.oneOf('state', INTENT_STATES),
  last_error: c.textOrNull('last_error'),
  exchange_order_id: c.textOrNull('exchange_order_id'),
});
const SIDES = ['BUY', 'SELL'] as const;

function fromRow(r: IntentRow): OrderIntent {
  return {
    clientOrderId: r.client_order_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    environment: r.environment,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    payload: JSON.parse(r.payload) as unknown,
    state: r.state,
    lastError: r.last_error,
    exchangeOrderId: r.exchange_order_id,
  };
}

function createOrderIntentRepository(db: DatabaseSync): OrderIntentRepository {
  const insert = db.prepare(
    `INSERT INTO order_intents (client_order_id, created_at, updated_at, environment, symbol, side, type, payload, state)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const update = db.prepare(
    `UPDATE order_intents SET state = ?, updated_at = ?,
       last_error = COALESCE(?, last_error), exchange_order_id = COALESCE(?, exchange_order_id)
     WHERE client_order_id = ?`,
  );
  const get = db.prepare('SELECT * FROM order_intents WHERE client_order_id = ?');
  const placeholders = UNFINISHED.map(() => '?').join(',');
  const unfinishedAll = db.prepare(`SELECT * FROM order_intents WHERE state IN (${placeholders}) ORDER BY created_at ASC`);
  const unfinishedEnv = db.prepare(
    `SELECT * FROM order_intents WHERE environment = ? AND state IN (${placeholders}) ORDER BY created_at ASC`,
  );
  const notPlacedSince = db.prepare(
    "SELECT * FROM order_intents WHERE environment = ? AND state = 'not-placed' AND updated_at >= ? ORDER BY created_at ASC",
  );
  return {
    listNotPlacedSince(environment, since) {
      return readRows('order_intents', notPlacedSince.all(environment, since), readIntentRow).map(fromRow);
    },
    insert(i) {
      if (!(INTENT_STATES as readonly string[]).includes(i.state ?? 'pending')) throw new RangeError('unknown intent state');
      insert.run(
        i.clientOrderId,
        i.createdAt,
        i.createdAt,
        i.environment,
        i.symbol,
        i.side,
        i.type,
        JSON.stringify(i.payload),
        i.state ?? 'pending',
      );
    },
    updateState(id, u) {
      if (!(INTENT_STATES as readonly string[]).includes(u.state)) throw new RangeError('unknown intent state');
      const res = update.run(u.state, u.at, u.lastError ?? null, u.exchangeOrderId ?? null, id);
      return Number(res.changes) > 0;
    },
    get(id) {
      const row = readRow('order_intents', get.get(id), readIntentRow);
      return row ? fromRow(row) : null;
    },
    listUnfinished(environment) {
      const rows = environment
        ? unfinishedEnv.all(environment, ...(UNFINISHED as SQLInputValue[]))
        : unfinishedAll.all(...(UNFINISHED as SQLInputValue[]));
      return readRows('order_intents', rows, readIntentRow).map(fromRow);
    },
  };
}
