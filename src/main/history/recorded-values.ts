/**
 * The portfolio values Perch recorded while running, kept in memory for the P&L chart of one
 * session. Reading a year of them from the database takes most of a second, far too long for a
 * click on a range, so they are read once and afterwards only what was recorded since (values are
 * only ever added). They are held as parallel arrays, not an object per value: a year of
 * 5-minute values is ~105,000 of them.
 */
export interface RecordedRow {
  readonly ts: number;
  readonly total: string;
}

export interface RecordedSlice {
  readonly ts: readonly number[];
  /** the totals as numbers, only to choose which points the chart keeps */
  readonly v: readonly number[];
  /** the exact totals (decimal strings) */
  readonly total: readonly string[];
  /** the values with from <= ts <= to are at start <= i < end */
  readonly start: number;
  readonly end: number;
}

export interface RecordedValues {
  /** `key` names what the values are of (the quote currency): another key starts afresh. */
  between(key: string, from: number, to: number): RecordedSlice;
}

/** `read(from, to)`: stored values with from <= ts <= to, oldest first (it may stop early at a row limit). */
export function createRecordedValues(read: (from: number, to: number) => readonly RecordedRow[]): RecordedValues {
  let key: string | null = null;
  let loadedFrom = Infinity;
  let ts: number[] = [];
  let v: number[] = [];
  let total: string[] = [];

  const load = (from: number, to: number): RecordedRow[] => {
    const out: RecordedRow[] = [];
    let f = from;
    while (f <= to) {
      const rows = read(f, to);
      if (rows.length === 0) break;
      for (const r of rows) out.push(r);
      // A store with a row limit answers in pages: go on after the last row it gave.
      f = rows[rows.length - 1]!.ts + 1;
    }
    return out;
  };
  const firstAtOrAfter = (t: number): number => {
    let lo = 0;
    let hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  return {
    between(k, from, to) {
      if (k !== key) {
        key = k;
        loadedFrom = Infinity;
        ts = [];
        v = [];
        total = [];
      }
      if (from < loadedFrom) {
        const older = load(from, Math.min(to, loadedFrom - 1));
        ts = [...older.map((r) => r.ts), ...ts];
        v = [...older.map((r) => Number(r.total)), ...v];
        total = [...older.map((r) => r.total), ...total];
        loadedFrom = from;
      }
      // What was recorded since the last value held (dated by its data, so never before it).
      const newer = load(Math.max(loadedFrom, (ts[ts.length - 1] ?? -Infinity) + 1), to);
      for (const r of newer) {
        ts.push(r.ts);
        v.push(Number(r.total));
        total.push(r.total);
      }
      return { ts, v, total, start: firstAtOrAfter(from), end: firstAtOrAfter(to + 1) };
    },
  };
}
