/**
 * The duplicate guard. 'not-placed' after an unknown outcome is an inference: Binance can show
 * an order a minute or more late. While such an intent is still being checked, the same order
 * (symbol, side, type, quantity, price) again is a possible duplicate: a new confirmation means a
 * new clientOrderId, which Binance would not catch. Pure bookkeeping over a clock.
 */
import type { ConfirmedOrder } from '../../shared/domain/orders';
import { formatDecimal } from '../../shared/money';

export interface NotPlacedGuard {
  readonly clientOrderId: string;
  readonly order: ConfirmedOrder;
  readonly at: number;
  readonly until: number;
}

export interface DuplicateGuard {
  /** How long after an inferred "not placed" the same order stays guarded against (0 = never). */
  readonly guardMs: number;
  /** The order behind an intent (sent now, or read back from the journal). */
  remember(clientOrderId: string, order: ConfirmedOrder): void;
  /** An outcome: an inferred 'not-placed' starts the guard; any later evidence of the order ends it. */
  track(clientOrderId: string, status: string, inferred: boolean, at: number): void;
  /** An intent concluded "probably not placed" at `at`, before a restart: guarded for what is left of the window. */
  restore(clientOrderId: string, order: ConfirmedOrder, at: number): void;
  /** The guard an identical order falls under now, if any. */
  possibleDuplicateOf(order: ConfirmedOrder): NotPlacedGuard | undefined;
  /** What the person reads about it. */
  message(guard: NotPlacedGuard): string;
}

/** What makes two orders "the same order" for the duplicate guard. */
function contentKey(o: ConfirmedOrder): string {
  const d = (v: string | undefined): string | null => (v === undefined ? null : formatDecimal(v));
  return JSON.stringify([o.symbol, o.side, o.type, d(o.quantity), d(o.quoteOrderQty), d(o.price)]);
}

/** An intent the journal holds as concluded "probably not placed" at `at`. */
export interface JournaledNotPlaced {
  readonly clientOrderId: string;
  readonly order: ConfirmedOrder;
  readonly at: number;
}

export function createDuplicateGuard(deps: {
  readonly now: () => number;
  readonly guardMs: number;
  /**
   * The journal is the authority: an intent concluded "probably not placed" by anyone (this
   * session, an earlier one, a background checker that owns it) guards for its window, whoever
   * follows it up. Returns those concluded since `since`.
   */
  readonly journaled?: (since: number) => Iterable<JournaledNotPlaced>;
}): DuplicateGuard {
  const { now, guardMs } = deps;
  /** The order behind each tracked intent. */
  const sentOrders = new Map<string, ConfirmedOrder>();
  /** Intents concluded "probably not placed" that are still being checked, by clientOrderId. */
  const guards = new Map<string, NotPlacedGuard>();
  return {
    guardMs,
    remember(clientOrderId, order) {
      sentOrders.set(clientOrderId, order);
    },
    track(clientOrderId, status, inferred, at) {
      if (status !== 'not-placed') {
        guards.delete(clientOrderId);
        return;
      }
      const order = sentOrders.get(clientOrderId);
      if (!inferred || order === undefined || guardMs <= 0) return;
      guards.set(clientOrderId, { clientOrderId, order, at, until: at + guardMs });
    },
    restore(clientOrderId, order, at) {
      sentOrders.set(clientOrderId, order);
      if (guardMs > 0 && at + guardMs > now()) guards.set(clientOrderId, { clientOrderId, order, at, until: at + guardMs });
    },
    possibleDuplicateOf(order) {
      const key = contentKey(order);
      const t = now();
      for (const [id, g] of guards) {
        if (g.until <= t) guards.delete(id);
        else if (contentKey(g.order) === key) return g;
      }
      if (guardMs <= 0 || deps.journaled === undefined) return undefined;
      for (const j of deps.journaled(t - guardMs)) {
        if (j.at + guardMs > t && contentKey(j.order) === key)
          return { clientOrderId: j.clientOrderId, order: j.order, at: j.at, until: j.at + guardMs };
      }
      return undefined;
    },
    message(g) {
      const secs = Math.max(0, Math.round((now() - g.at) / 1000));
      const when = secs < 120 ? `${secs} s` : `${Math.round(secs / 60)} min`;
      const amount = g.order.quantity ?? (g.order.quoteOrderQty !== undefined ? `${g.order.quoteOrderQty} (quote)` : '');
      return `The same order (${g.order.side} ${amount} ${g.order.symbol}) was concluded "probably not placed" ${when} ago, and Binance may still show it late. Check Open orders and your history first: if it was placed after all, this one would trade a second time.`;
    },
  };
}
