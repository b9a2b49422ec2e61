// Seam: node:sqlite in a temp dir (real files), the repositories reading rows a damaged or
// foreign file could hold. A row of the wrong shape is refused by name, never passed on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/main/storage/database';
import { RowShapeError } from '../../../src/main/storage/rows';

let dir: string;
let db: Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perch-rows-'));
  db = openDatabase(join(dir, 'perch.sqlite'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const intent = {
  clientOrderId: 'perch-1',
  createdAt: 1_000,
  environment: 'demo' as const,
  symbol: 'BTCUSDT',
  side: 'BUY' as const,
  type: 'LIMIT',
  payload: { q: '1' },
};

describe('typed row readers', () => {
  it('read a well-formed intent with its types', () => {
    db.orderIntents.insert(intent);
    expect(db.orderIntents.get('perch-1')).toMatchObject({
      clientOrderId: 'perch-1',
      createdAt: 1_000,
      environment: 'demo',
      side: 'BUY',
      state: 'pending',
      payload: { q: '1' },
    });
  });

  it('refuse a state the app does not know, naming the table and column, not the value', () => {
    db.orderIntents.insert(intent);
    db.db.prepare("UPDATE order_intents SET state = 'exploded-secret' WHERE client_order_id = 'perch-1'").run();
    expect(() => db.orderIntents.get('perch-1')).toThrow(RowShapeError);
    expect(() => db.orderIntents.get('perch-1')).toThrow(/order_intents has an unexpected state/);
    expect(() => db.orderIntents.get('perch-1')).not.toThrow(/exploded-secret/);
  });

  it('refuse text where a number belongs', () => {
    db.valueSnapshots.record({ ts: 5, environment: 'demo', quote: 'USDT', total: '12.5' });
    expect(db.valueSnapshots.latest('demo', 'USDT')).toEqual({ ts: 5, environment: 'demo', quote: 'USDT', total: '12.5' });
    // an INTEGER column keeps text SQLite cannot read as a number
    db.db.prepare("INSERT INTO value_snapshots (ts, environment, quote, total) VALUES ('yesterday', 'demo', 'EUR', '1')").run();
    expect(() => db.valueSnapshots.latest('demo', 'EUR')).toThrow(/value_snapshots has an unexpected ts \(expected an integer\)/);
  });
});
