import type { Holding } from '../../../shared/domain';
import { compareDecimal } from '../../app/format';

export const SORT_KEYS = ['asset', 'free', 'locked', 'total', 'price', 'value', 'change24hPct', 'share'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';

export interface HoldingsQuery {
  readonly sortKey: SortKey;
  readonly sortDir: SortDir;
  readonly search: string;
  readonly hideSmall: boolean;
  /** in the quote currency, a decimal string */
  readonly threshold: string;
}

/**
 * Holdings whose value is known and below the threshold are "small". A holding without a price
 * is never hidden: Perch cannot tell how much it is worth, so it stays visible as "no price".
 */
export function isSmall(h: Holding, threshold: string): boolean {
  return h.value !== null && compareDecimal(h.value, threshold) < 0;
}

function field(h: Holding, key: SortKey): string | null {
  switch (key) {
    case 'asset':
      return h.asset;
    case 'free':
      return h.free;
    case 'locked':
      return h.locked;
    case 'total':
      return h.total;
    case 'price':
      return h.price;
    case 'value':
      return h.value;
    case 'change24hPct':
      return h.change24hPct;
    case 'share':
      return h.share;
  }
}

/** Filter and sort for display. Missing figures (no price) sort last in both directions. */
export function selectHoldings(holdings: readonly Holding[], q: HoldingsQuery): Holding[] {
  const needle = q.search.trim().toUpperCase();
  const rows = holdings.filter((h) => (needle === '' || h.asset.includes(needle)) && !(q.hideSmall && isSmall(h, q.threshold)));
  const dir = q.sortDir === 'asc' ? 1 : -1;
  rows.sort((a, b) => {
    const fa = field(a, q.sortKey);
    const fb = field(b, q.sortKey);
    if (fa === null || fb === null) {
      if (fa === fb) return a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0;
      return fa === null ? 1 : -1;
    }
    const c = q.sortKey === 'asset' ? (fa < fb ? -1 : fa > fb ? 1 : 0) : compareDecimal(fa, fb);
    if (c !== 0) return c * dir;
    return a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0;
  });
  return rows;
}
