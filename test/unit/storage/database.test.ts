// Seam: node:sqlite in a temp dir (real files, WAL), no mocks.
import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS, openDatabase, readUnfinishedIntents, type Database } from '../../../src/main/storage/database';

let dir: string;
let opened: Database[] = [];
const open = (file = join(dir, 'perch.sqlite')) => {
  const db = openDatabase(file);
  opened.push(db);
  return db;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perch-db-'));
});
afterEach(() => {
  for (const db of opened) {
    try {
      db.close();
    } catch {
      // already closed by the test
    }
  }
  opened = [];
  rmSync(dir, { recursive: true, force: true });
});

describe('schema', () => {
  it('creates the tables in WAL mode and records the migration', () => {
    const db = open();
    expect(db.schemaVersion).toBe(MIGRATIONS.length);
    expect((db.db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    const tables = (db.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
      (r) => r.name,
    );
    expect(tables).toEqual(expect.arrayContaining(['alert_log', 'migrations', 'order_intents', 'trades', 'value_snapshots']));
    expect(db.db.prepare('SELECT version, name FROM migrations').all()).toEqual([{ version: 1, name: MIGRATIONS[0]?.name }]);
  });

  it('reopening does not re-run migrations and keeps data', () => {
    const file = join(dir, 'p.sqlite');
    const a = open(file);
    a.valueSnapshots.record({ ts: 1, environment: 'demo', quote: 'USDT', total: '1' });
    a.close();
    const b = open(file);
    expect(b.db.prepare('SELECT COUNT(*) AS n FROM migrations').get()).toEqual({ n: 1 });
    expect(b.valueSnapshots.latest('demo', 'USDT')).toEqual({ ts: 1, environment: 'demo', quote: 'USDT', total: '1' });
  });

  it('applies only newer migrations, and a failing one rolls back completely', () => {
    const raw = new DatabaseSync(join(dir, 'm.sqlite'));
    try {
      expect(migrate(raw, [{ version: 1, name: 'a', sql: 'CREATE TABLE a (x)' }])).toBe(1);
      expect(
        migrate(raw, [
          { version: 1, name: 'a', sql: 'CREATE TABLE a (x)' },
          { version: 2, name: 'b', sql: 'CREATE TABLE b (x)' },
        ]),
      ).toBe(2);
      expect(() => migrate(raw, [{ version: 3, name: 'bad', sql: 'CREATE TABLE c (x); THIS IS NOT SQL' }])).toThrow();
      const names = (raw.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map((r) => r.name);
      expect(names).not.toContain('c');
      expect(raw.prepare('SELECT MAX(version) AS v FROM migrations').get()).toEqual({ v: 2 });
    } finally {
      raw.close();
    }
  });

  it('refuses a database from a newer Perch', () => {
    const raw = new DatabaseSync(join(dir, 'n.sqlite'));
    try {
      migrate(raw, [
        { version: 1, name: 'a', sql: 'SELECT 1' },
        { version: 2, name: 'b', sql: 'SELECT 1' },
      ]);
      expect(() => migrate(raw, [{ version: 1, name: 'a', sql: 'SELECT 1' }])).toThrow(/newer Perch/);
    } finally {
      raw.close();
    }
  });
});

describe('value snapshots', () => {
  it('records and queries a range in time order, per environment and quote', () => {
    const db = open();
    for (const [ts, total] of [
      [300, '3.5'],
      [100, '1.25'],
      [200, '2'],
    ] as const)
      db.valueSnapshots.record({ ts, environment: 'demo', quote: 'USDT', total });
    db.valueSnapshots.record({ ts: 150, environment: 'testnet', quote: 'USDT', total: '9' });
    db.valueSnapshots.record({ ts: 150, environment: 'demo', quote: 'BTC', total: '0.1' });
    expect(db.valueSnapshots.range({ environment: 'demo', quote: 'USDT', from: 100, to: 250 }).map((s) => [s.ts, s.total])).toEqual([
      [100, '1.25'],
      [200, '2'],
    ]);
    expect(db.valueSnapshots.range({ environment: 'demo', quote: 'USDT', from: 0, to: 1000, limit: 1 })).toHaveLength(1);
    expect(db.valueSnapshots.latest('demo', 'USDT')?.total).toBe('3.5');
    expect(db.valueSnapshots.latest('production', 'USDT')).toBeNull();
  });

  it('keeps totals as exact decimal strings', () => {
    const db = open();
    db.valueSnapshots.record({ ts: 1, environment: 'demo', quote: 'USDT', total: '12345678901234567890.123456789' });
    expect(db.valueSnapshots.latest('demo', 'USDT')?.total).toBe('12345678901234567890.123456789');
  });
});

describe('order intents', () => {
  const intent = (id: string, createdAt: number, environment: 'demo' | 'testnet' = 'demo') => ({
    clientOrderId: id,
    createdAt,
    environment,
    symbol: 'BTCUSDT',
    side: 'BUY' as const,
    type: 'LIMIT',
    payload: { quantity: '0.001', price: '50000.01' },
  });

  it('insert before send, then update state; unfinished lists pending/sent/unknown only', () => {
    const db = open();
    db.orderIntents.insert(intent('a', 1));
    db.orderIntents.insert(intent('b', 2));
    db.orderIntents.insert(intent('c', 3, 'testnet'));
    expect(db.orderIntents.get('a')).toMatchObject({
      state: 'pending',
      payload: { quantity: '0.001', price: '50000.01' },
      lastError: null,
      exchangeOrderId: null,
    });
    expect(db.orderIntents.updateState('a', { state: 'sent', at: 5 })).toBe(true);
    expect(db.orderIntents.updateState('b', { state: 'accepted', at: 6, exchangeOrderId: '9007199254740993' })).toBe(true);
    expect(db.orderIntents.updateState('zzz', { state: 'accepted', at: 6 })).toBe(false);
    expect(db.orderIntents.get('b')).toMatchObject({ state: 'accepted', updatedAt: 6, exchangeOrderId: '9007199254740993' });
    expect(db.orderIntents.listUnfinished().map((i) => i.clientOrderId)).toEqual(['a', 'c']);
    expect(db.orderIntents.listUnfinished('demo').map((i) => i.clientOrderId)).toEqual(['a']);
    db.orderIntents.updateState('a', { state: 'unknown', at: 7, lastError: 'timeout' });
    db.orderIntents.updateState('a', { state: 'rejected', at: 8 });
    expect(db.orderIntents.get('a')).toMatchObject({ state: 'rejected', lastError: 'timeout' });
  });

  it('the damaged-database notice lists "probably not placed" intents still inside their 10-minute follow-up', () => {
    const file = join(dir, 'perch.sqlite');
    const db = open(file);
    const now = 100 * 60_000;
    db.orderIntents.insert(intent('open', 1));
    db.orderIntents.updateState('open', { state: 'unknown', at: 2 });
    db.orderIntents.insert(intent('recent', 3, 'testnet'));
    db.orderIntents.updateState('recent', { state: 'not-placed', at: now - 9 * 60_000 });
    db.orderIntents.insert(intent('old', 4));
    db.orderIntents.updateState('old', { state: 'not-placed', at: now - 11 * 60_000 });
    db.orderIntents.insert(intent('done', 5));
    db.orderIntents.updateState('done', { state: 'accepted', at: 6 });
    expect(readUnfinishedIntents(file, now)).toEqual([
      { environment: 'demo', symbol: 'BTCUSDT', side: 'BUY', createdAt: 1 },
      { environment: 'testnet', symbol: 'BTCUSDT', side: 'BUY', createdAt: 3 },
    ]);
  });

  it('the intent written before an order is sent is durable: the connection commits with synchronous = FULL', () => {
    // NORMAL (1) in WAL mode syncs only at checkpoints: an OS crash could drop a committed intent.
    const db = open();
    const level = (): number => (db.db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous;
    expect((db.db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    expect(level()).toBe(2);
    db.orderIntents.insert(intent('durable', 1));
    expect(level()).toBe(2);
    db.orderIntents.updateState('durable', { state: 'sent', at: 2 });
    expect(level()).toBe(2);
    // and a database reopened (the next start) runs at the same level
    db.close();
    const again = open();
    expect((again.db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous).toBe(2);
    expect(again.orderIntents.get('durable')?.state).toBe('sent');
  });

  it('a duplicate client order id is refused', () => {
    const db = open();
    db.orderIntents.insert(intent('dup', 1));
    expect(() => db.orderIntents.insert(intent('dup', 2))).toThrow();
  });

  it('transaction rolls back on error', () => {
    const db = open();
    expect(() =>
      db.transaction(() => {
        db.orderIntents.insert(intent('t1', 1));
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(db.orderIntents.get('t1')).toBeNull();
    db.transaction(() => db.orderIntents.insert(intent('t2', 1)));
    expect(db.orderIntents.get('t2')).not.toBeNull();
  });
});
