/**
 * Per-order state that only moves forward (B13), fed by user data events and REST snapshots.
 *
 * Binance does not replay user events and may deliver them late, twice (our rollover overlap,
 * or the exchange itself) or out of order; REST snapshots race with events. So every update
 * goes through one merge rule:
 *  - a terminal status (FILLED, CANCELED, REJECTED, EXPIRED, EXPIRED_IN_MATCH) is final;
 *  - the cumulative filled quantity never decreases;
 *  - at equal filled quantity only a later stage wins (NEW < PARTIALLY_FILLED < terminal), or,
 *    at the same stage, a later update time (an amend changes quantities);
 *  - an execution id seen before is a duplicate; a trade id seen before is not counted again.
 * Ids are decimal strings (they may exceed 2^53).
 */
import Decimal from 'decimal.js';
import { z } from 'zod';

export type OrderStatus =
  'NEW' | 'PENDING_NEW' | 'PARTIALLY_FILLED' | 'PENDING_CANCEL' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED' | 'EXPIRED_IN_MATCH';

const TERMINAL: ReadonlySet<string> = new Set(['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED', 'EXPIRED_IN_MATCH']);

export function isTerminalStatus(status: string): boolean {
  return TERMINAL.has(status);
}

function stage(status: string): number {
  if (TERMINAL.has(status)) return 2;
  if (status === 'PARTIALLY_FILLED' || status === 'PENDING_CANCEL') return 1;
  return 0;
}

export interface OrderFill {
  readonly tradeId: string;
  readonly qty: string;
  readonly price: string;
  readonly quoteQty: string;
  readonly commission: string;
  readonly commissionAsset: string | null;
  readonly time: number;
  readonly maker: boolean;
}

/** What an order state and an update to it both carry. */
export interface OrderFields {
  readonly symbol: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly side: string;
  readonly type: string;
  readonly timeInForce: string;
  readonly price: string;
  readonly origQty: string;
  readonly stopPrice: string;
  readonly status: OrderStatus;
  readonly executedQty: string;
  readonly cumulativeQuoteQty: string;
  readonly orderListId: string;
  /** Order creation time, when known. */
  readonly createdAt: number | null;
  /** Exchange time of the update this state comes from. */
  readonly updateTime: number;
}

/** One order as the client knows it. */
export interface OrderState extends OrderFields {
  /** Trades of this order seen on the user data stream, each once. */
  readonly fills: readonly OrderFill[];
  /** Where the current state came from. */
  readonly source: OrderUpdateSource;
}

export type OrderUpdateSource = 'event' | 'snapshot' | 'query';

/** The normalised input of the merge: built from an executionReport or a REST order. */
export interface OrderUpdateInput extends OrderFields {
  readonly executionId?: string;
  readonly fill?: OrderFill;
}

// ------------------------------------------------------------------ payload schemas

/** Ids arrive as numbers, or as strings when the parser kept a value above 2^53. */
export const idSchema = z
  .union([z.string().regex(/^-?\d+$/), z.number().int().refine(Number.isSafeInteger, 'unsafe integer id')])
  .transform((v) => String(v));
const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/);
export const orderStatusSchema = z.enum([
  'NEW',
  'PENDING_NEW',
  'PARTIALLY_FILLED',
  'PENDING_CANCEL',
  'FILLED',
  'CANCELED',
  'REJECTED',
  'EXPIRED',
  'EXPIRED_IN_MATCH',
]);

/** executionReport (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/user-data-stream.md § Order Update); unknown fields pass through unchecked. */
export const executionReportSchema = z.object({
  e: z.literal('executionReport'),
  E: z.number(),
  s: z.string(),
  c: z.string(),
  S: z.string(),
  o: z.string(),
  f: z.string(),
  q: decimalString,
  p: decimalString,
  P: decimalString,
  g: idSchema,
  C: z.string().nullable().optional(),
  x: z.string(),
  X: orderStatusSchema,
  r: z.string(),
  i: idSchema,
  l: decimalString,
  z: decimalString,
  L: decimalString,
  n: decimalString,
  N: z.string().nullable(),
  T: z.number(),
  t: idSchema,
  I: idSchema,
  m: z.boolean(),
  O: z.number(),
  Z: decimalString,
  Y: decimalString,
});
export type ExecutionReport = z.infer<typeof executionReportSchema>;

/** An order as GET /api/v3/order and /api/v3/openOrders return it (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md). */
export const restOrderSchema = z.object({
  symbol: z.string(),
  orderId: idSchema,
  orderListId: idSchema.optional(),
  clientOrderId: z.string(),
  price: decimalString,
  origQty: decimalString,
  executedQty: decimalString,
  cummulativeQuoteQty: decimalString,
  status: orderStatusSchema,
  timeInForce: z.string(),
  type: z.string(),
  side: z.string(),
  stopPrice: decimalString.optional(),
  time: z.number().optional(),
  updateTime: z.number(),
  workingTime: z.number().optional(),
});
export type RestOrder = z.infer<typeof restOrderSchema>;

export function orderUpdateFromExecutionReport(ev: ExecutionReport): OrderUpdateInput {
  // On a cancel, `c` is the cancel request's id and `C` the order's own client id.
  const original = typeof ev.C === 'string' && ev.C !== '' ? ev.C : null;
  const clientOrderId = original ?? ev.c;
  const traded = ev.x === 'TRADE' && ev.t !== '-1';
  return {
    symbol: ev.s,
    orderId: ev.i,
    clientOrderId,
    side: ev.S,
    type: ev.o,
    timeInForce: ev.f,
    price: ev.p,
    origQty: ev.q,
    stopPrice: ev.P,
    status: ev.X,
    executedQty: ev.z,
    cumulativeQuoteQty: ev.Z,
    orderListId: ev.g,
    createdAt: ev.O,
    updateTime: ev.T,
    executionId: ev.I,
    fill: traded
      ? { tradeId: ev.t, qty: ev.l, price: ev.L, quoteQty: ev.Y, commission: ev.n, commissionAsset: ev.N, time: ev.T, maker: ev.m }
      : undefined,
  };
}

export function orderUpdateFromRest(o: RestOrder): OrderUpdateInput {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    side: o.side,
    type: o.type,
    timeInForce: o.timeInForce,
    price: o.price,
    origQty: o.origQty,
    stopPrice: o.stopPrice ?? '0',
    status: o.status,
    executedQty: o.executedQty,
    cumulativeQuoteQty: o.cummulativeQuoteQty,
    orderListId: o.orderListId ?? '-1',
    createdAt: o.time ?? null,
    updateTime: o.updateTime,
  };
}

// ------------------------------------------------------------------ store

export interface OrderUpdateNotice {
  readonly order: Readonly<OrderState>;
  readonly previous: Readonly<OrderState> | undefined;
  readonly source: OrderUpdateSource;
}

export interface OrderStateStore {
  /** Merge one update; returns the new state if anything changed, undefined if it was stale or a duplicate. */
  apply(update: OrderUpdateInput, source: OrderUpdateSource): Readonly<OrderState> | undefined;
  /** By orderId or clientOrderId. */
  get(idOrClientOrderId: string): Readonly<OrderState> | undefined;
  all(): readonly Readonly<OrderState>[];
  open(): readonly Readonly<OrderState>[];
  /**
   * Merge a complete open-orders snapshot (optionally of one symbol). Returns the orders the
   * store believes open that the snapshot does not list: they ended while we were not looking
   * and need a query (GET /api/v3/order) to learn how.
   */
  applyOpenOrdersSnapshot(orders: readonly OrderUpdateInput[], symbol?: string): readonly Readonly<OrderState>[];
  onOrderUpdate(listener: (notice: OrderUpdateNotice) => void): () => void;
  listenerCount(): number;
  clear(): void;
}

export interface OrderStateOptions {
  /** Terminal orders kept for lookups; the oldest are forgotten beyond this. */
  readonly maxTerminalOrders?: number;
}

interface Entry {
  state: OrderState;
  readonly executionIds: Set<string>;
  readonly tradeIds: Set<string>;
}

function cmp(a: string, b: string): number {
  if (a === b) return 0;
  return new Decimal(a).cmp(new Decimal(b));
}

export function createOrderStateStore(options: OrderStateOptions = {}): OrderStateStore {
  const maxTerminal = options.maxTerminalOrders ?? 5_000;
  const byOrderId = new Map<string, Entry>();
  const byClientId = new Map<string, Entry>();
  const listeners = new Set<(notice: OrderUpdateNotice) => void>();
  let terminalCount = 0;

  const emit = (notice: OrderUpdateNotice): void => {
    for (const listener of [...listeners]) {
      try {
        listener(notice);
      } catch {
        // One faulty listener must not stop the others or the merge.
      }
    }
  };

  const prune = (): void => {
    if (terminalCount <= maxTerminal) return;
    for (const [id, entry] of byOrderId) {
      if (terminalCount <= maxTerminal) break;
      if (!TERMINAL.has(entry.state.status)) continue;
      byOrderId.delete(id);
      if (byClientId.get(entry.state.clientOrderId) === entry) byClientId.delete(entry.state.clientOrderId);
      terminalCount--;
    }
  };

  const apply = (u: OrderUpdateInput, source: OrderUpdateSource): Readonly<OrderState> | undefined => {
    let entry = byOrderId.get(u.orderId);
    if (entry === undefined) {
      const fills: OrderFill[] = u.fill !== undefined ? [u.fill] : [];
      const state: OrderState = { ...stateFields(u), fills, source };
      entry = { state, executionIds: new Set(), tradeIds: new Set() };
      if (u.executionId !== undefined) entry.executionIds.add(u.executionId);
      if (u.fill !== undefined) entry.tradeIds.add(u.fill.tradeId);
      byOrderId.set(u.orderId, entry);
      byClientId.set(u.clientOrderId, entry);
      if (TERMINAL.has(state.status)) {
        terminalCount++;
        prune();
      }
      emit({ order: state, previous: undefined, source });
      return state;
    }
    if (u.executionId !== undefined) {
      if (entry.executionIds.has(u.executionId)) return undefined;
      entry.executionIds.add(u.executionId);
    }
    const cur = entry.state;
    let fills = cur.fills;
    if (u.fill !== undefined && !entry.tradeIds.has(u.fill.tradeId)) {
      entry.tradeIds.add(u.fill.tradeId);
      fills = [...cur.fills, u.fill];
    }
    const filled = cmp(u.executedQty, cur.executedQty);
    const stageCur = stage(cur.status);
    const stageNew = stage(u.status);
    const advances =
      stageCur < 2 &&
      (filled > 0 || (filled === 0 && stageNew > stageCur) || (filled === 0 && stageNew === stageCur && u.updateTime > cur.updateTime));
    if (!advances && fills === cur.fills) return undefined;
    const next: OrderState = advances
      ? {
          ...stateFields(u),
          // Keep what a sparser source (a REST snapshot) may lack.
          createdAt: u.createdAt ?? cur.createdAt,
          status: stageNew >= stageCur ? u.status : cur.status,
          fills,
          source,
        }
      : { ...cur, fills };
    entry.state = next;
    if (next.clientOrderId !== cur.clientOrderId) byClientId.set(next.clientOrderId, entry);
    if (!TERMINAL.has(cur.status) && TERMINAL.has(next.status)) {
      terminalCount++;
      prune();
    }
    emit({ order: next, previous: cur, source });
    return next;
  };

  return {
    apply,
    get(key) {
      return (byOrderId.get(key) ?? byClientId.get(key))?.state;
    },
    all: () => [...byOrderId.values()].map((e) => e.state),
    open: () => [...byOrderId.values()].filter((e) => !TERMINAL.has(e.state.status)).map((e) => e.state),
    applyOpenOrdersSnapshot(orders, symbol) {
      const listed = new Set<string>();
      for (const o of orders) {
        listed.add(o.orderId);
        apply(o, 'snapshot');
      }
      const missing: OrderState[] = [];
      for (const entry of byOrderId.values()) {
        const s = entry.state;
        if (TERMINAL.has(s.status) || listed.has(s.orderId)) continue;
        if (symbol !== undefined && s.symbol !== symbol) continue;
        missing.push(s);
      }
      return missing;
    },
    onOrderUpdate(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    listenerCount: () => listeners.size,
    clear() {
      byOrderId.clear();
      byClientId.clear();
      terminalCount = 0;
    },
  };
}

function stateFields(u: OrderUpdateInput): Omit<OrderState, 'fills' | 'source'> {
  return {
    symbol: u.symbol,
    orderId: u.orderId,
    clientOrderId: u.clientOrderId,
    side: u.side,
    type: u.type,
    timeInForce: u.timeInForce,
    price: u.price,
    origQty: u.origQty,
    stopPrice: u.stopPrice,
    status: u.status,
    executedQty: u.executedQty,
    cumulativeQuoteQty: u.cumulativeQuoteQty,
    orderListId: u.orderListId,
    createdAt: u.createdAt,
    updateTime: u.updateTime,
  };
}
