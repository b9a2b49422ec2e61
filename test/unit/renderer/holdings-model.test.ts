// Seam: sorting, search and small-balance filtering of holdings, on decimal strings.
import { describe, expect, it } from 'vitest';
import type { Holding } from '../../../src/shared/domain';
import { isSmall, selectHoldings } from '../../../src/renderer/features/holdings/holdings-model';

const h = (asset: string, value: string | null, total = '1'): Holding => ({
  asset,
  free: total,
  locked: '0',
  total,
  price: value === null ? null : '1',
  value,
  change24hPct: value === null ? null : '0',
  share: null,
  priceRoute: value === null ? 'none' : 'direct',
});

const rows = [h('BTC', '32125.5'), h('DUSTX', null, '42'), h('ARDR', '57.57'), h('USDT', '25000'), h('TINY', '0.5')];
const q = { sortKey: 'value' as const, sortDir: 'desc' as const, search: '', hideSmall: false, threshold: '1' };

describe('selectHoldings', () => {
  it('sorts by value with unpriced holdings last in both directions', () => {
    expect(selectHoldings(rows, q).map((r) => r.asset)).toEqual(['BTC', 'USDT', 'ARDR', 'TINY', 'DUSTX']);
    expect(selectHoldings(rows, { ...q, sortDir: 'asc' }).map((r) => r.asset)).toEqual(['TINY', 'ARDR', 'USDT', 'BTC', 'DUSTX']);
  });
  it('compares decimals numerically, not as text', () => {
    // "9" > "10000" as text
    const r = selectHoldings([h('A', '9'), h('B', '10000')], q);
    expect(r.map((x) => x.asset)).toEqual(['B', 'A']);
  });
  it('searches case-insensitively by asset', () => {
    expect(selectHoldings(rows, { ...q, search: 'us' }).map((r) => r.asset)).toEqual(['USDT', 'DUSTX']);
  });
  it('hides small balances but never an asset without a price', () => {
    expect(selectHoldings(rows, { ...q, hideSmall: true, threshold: '100' }).map((r) => r.asset)).toEqual(['BTC', 'USDT', 'DUSTX']);
    expect(isSmall(h('X', null), '100')).toBe(false);
    expect(isSmall(h('X', '99.99'), '100')).toBe(true);
    expect(isSmall(h('X', '100'), '100')).toBe(false);
  });
  it('does not reorder the input', () => {
    const copy = [...rows];
    selectHoldings(rows, q);
    expect(rows).toEqual(copy);
  });
});
