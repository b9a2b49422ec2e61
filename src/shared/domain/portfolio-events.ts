/**
 * Portfolio logic the renderer runs. This module must stay free of zod (and of any runtime import
 * of the schema modules): the renderer imports it directly, and pulling the schemas in would put
 * zod into the renderer bundle. The schemas in ./portfolio re-export it for main-side callers.
 */
import type { Holding, PortfolioEvent, PortfolioSnapshot } from './portfolio';

/**
 * Applies a portfolio event. Returns null when the event clears the portfolio (kind 'cleared':
 * nothing to show until the next full event) or when a delta does not follow `prev` (missed
 * event): the caller then fetches a full snapshot with portfolio:getSnapshot. Callers that must
 * tell the two apart look at `event.kind` first.
 */
export function applyPortfolioEvent(prev: PortfolioSnapshot | null, event: PortfolioEvent): PortfolioSnapshot | null {
  if (event.kind === 'full') return event.snapshot;
  if (event.kind === 'cleared') return null;
  if (prev === null || prev.seq !== event.baseSeq) return null;
  const removed = new Set(event.removed);
  const changed = new Map(event.changed.map((h) => [h.asset, h]));
  const holdings: Holding[] = [];
  for (const h of prev.holdings) {
    if (removed.has(h.asset)) continue;
    const next = changed.get(h.asset);
    holdings.push(next ?? h);
    changed.delete(h.asset);
  }
  for (const h of changed.values()) holdings.push(h);
  return {
    ...prev,
    seq: event.seq,
    holdings,
    total: event.total,
    total24hChange: event.total24hChange,
    total24hChangePct: event.total24hChangePct,
    asOf: event.asOf,
    freshness: event.freshness,
  };
}
