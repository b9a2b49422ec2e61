import { describe, expect, it } from 'vitest';
import { createRecordedValues, type RecordedRow } from '../../../src/main/history/recorded-values';

/** A store that answers at most `limit` rows per read, like the database's repository. */
function store(limit: number) {
  const rows: RecordedRow[] = [];
  const reads: Array<[number, number]> = [];
  return {
    rows,
    reads,
    read: (from: number, to: number): RecordedRow[] => {
      reads.push([from, to]);
      return rows.filter((r) => r.ts >= from && r.ts <= to).slice(0, limit);
    },
  };
}

describe('recorded values', () => {
  it('reads past a store’s row limit, page after page', () => {
    const s = store(1000);
    for (let i = 0; i < 2500; i++) s.rows.push({ ts: i * 10, total: `${i}.5` });
    const slice = createRecordedValues(s.read).between('USDT', 0, 30_000);
    expect(slice.end - slice.start).toBe(2500);
    expect(slice.total[2499]).toBe('2499.5');
    expect(slice.v[10]).toBe(10.5);
  });

  it('reads once, then only what was recorded since; a wider range reads the older part only', () => {
    const s = store(100_000);
    for (let i = 0; i < 100; i++) s.rows.push({ ts: 1000 + i, total: String(i) });
    const values = createRecordedValues(s.read);
    let slice = values.between('USDT', 1050, 2000);
    expect([slice.ts[slice.start], slice.end - slice.start]).toEqual([1050, 50]);
    s.reads.length = 0;
    s.rows.push({ ts: 1100, total: '100' });
    slice = values.between('USDT', 1050, 2001);
    expect(s.reads.every(([from]) => from >= 1100)).toBe(true);
    expect(slice.total[slice.end - 1]).toBe('100');
    s.reads.length = 0;
    slice = values.between('USDT', 1000, 2002);
    expect(slice.end - slice.start).toBe(101);
    expect(s.reads[0]).toEqual([1000, 1049]);
  });

  it('another quote currency starts afresh', () => {
    const s = store(100_000);
    s.rows.push({ ts: 5, total: '1' });
    const values = createRecordedValues(s.read);
    values.between('USDT', 0, 10);
    s.rows.length = 0;
    s.rows.push({ ts: 6, total: '2' });
    const slice = values.between('BTC', 0, 10);
    expect(slice.total.slice(slice.start, slice.end)).toEqual(['2']);
  });
});
