/**
 * The P&L engine: a pure function from the account's history (trades, deposits, withdrawals,
 * conversions) and a historical price function to lots, cost basis, realized and unrealized P&L,
 * and the value over time. No I/O, no clock: everything it needs comes in, so the same history
 * always gives the same figures, and property tests can drive it with random sequences.
 *
 * Accounting rules (all amounts in the valuation currency `quote`, exact decimals):
 * - The valuation currency itself is cash: no lots, its cost is its amount.
 * - A swap (a trade, a conversion) disposes of what was sold at the swap's value V and acquires
 *   what was bought at cost V. V is the valuation-currency side when there is one, else the sold
 *   side at its price then, else the bought side at its price then.
 * - Fees are part of the cost: a fee taken from the bought asset just reduces the lot (same cost,
 *   fewer units); a fee in another asset (BNB) is a disposal of that asset at its value F then,
 *   and F is added to the bought lot's cost, or taken off the proceeds when the bought asset is the
 *   valuation currency.
 * - Deposits add lots at their cost: entered by the user, or the value at deposit time (marked
 *   "cost unknown" until the user enters one or chooses the value at deposit time).
 * - Withdrawals are disposals at their value then (net deposits fall by that value); the network
 *   fee is a loss of its cost.
 * So at every moment: total cost basis = net invested + realized, hence
 * realized + unrealized = value − net invested.
 *
 * Same-time events are ordered by a defined rule (time, deposits first, then trades and
 * conversions, then withdrawals, then the event id, numerically when both ids are numbers), so the
 * input order never changes a figure.
 */
import { Decimal } from '../../shared/money';
import { runLedger, type Ledger, type LedgerDisposal } from './pnl-ledger';
import { decimalNumbers, scaledNumbers, scaledToDecimal, Unrepresentable, type Numbers } from './pnl-numbers';

export type CostMethod = 'average' | 'fifo';

/** How a deposit's cost is known. */
export type DepositCost = { readonly kind: 'unknown' } | { readonly kind: 'market' } | { readonly kind: 'entered'; readonly total: string };

export interface TradeEvent {
  readonly kind: 'trade';
  readonly id: string;
  readonly time: number;
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly side: 'BUY' | 'SELL';
  readonly qty: string;
  readonly quoteQty: string;
  readonly fee: string;
  readonly feeAsset: string;
}

export interface DepositEvent {
  readonly kind: 'deposit';
  readonly id: string;
  readonly time: number;
  readonly asset: string;
  readonly amount: string;
  /** Absent: unknown. */
  readonly cost?: DepositCost;
}

export interface WithdrawalEvent {
  readonly kind: 'withdrawal';
  readonly id: string;
  readonly time: number;
  readonly asset: string;
  /** What left the account besides the fee. */
  readonly amount: string;
  /** Network fee, in the same asset (the balance falls by amount + fee). */
  readonly fee: string;
}

/** A conversion (small balances to BNB, Convert): `toAmount` is what arrived, after the fee. */
export interface ConvertEvent {
  readonly kind: 'convert';
  readonly id: string;
  readonly time: number;
  readonly from: string;
  readonly fromAmount: string;
  readonly to: string;
  readonly toAmount: string;
  /** Fee in `to`, already taken off toAmount. */
  readonly fee: string;
}

export type HistoryEvent = TradeEvent | DepositEvent | WithdrawalEvent | ConvertEvent;

/** Value of one unit of `asset` in the valuation currency at `time`; undefined when not known. */
export type PriceAt = (asset: string, time: number) => Decimal | undefined;

/**
 * Which candles a price at an event came from: the event's own minute (1-minute candles), else
 * its hour, else its day (when finer candles were not available).
 */
export type PriceSource = 'minute' | 'hour' | 'day';

/** A price at an event's time and where it came from. */
export type EventPriceAt = (asset: string, time: number) => { readonly price: Decimal; readonly source: PriceSource } | undefined;

export interface PnlInput {
  /** The valuation currency (the user's quote currency), e.g. USDT. */
  readonly quote: string;
  readonly method: CostMethod;
  readonly events: readonly HistoryEvent[];
  readonly priceAt: PriceAt;
  /**
   * Prices at an event's exact time (a fee in another asset, a trade or conversion with no side in
   * the valuation currency, a deposit or withdrawal), with their source. Absent: `priceAt`, source
   * not known. Value samples always use `priceAt`.
   */
  readonly eventPriceAt?: EventPriceAt;
  /** Holdings are valued at this time (now). */
  readonly asOf: number;
  /** Times at which to sample value, net invested and P&L (ascending not required). */
  readonly sampleTimes?: readonly number[];
  /**
   * False for an asset with no price source at all (no market): it is left out of sampled values
   * (and reported as unpriced in the holdings) instead of turning every sample into a gap.
   */
  readonly hasPriceSource?: (asset: string) => boolean;
  /** Record this asset's quantity and cost basis after every event that changes it (the per-asset chart). */
  readonly trailAsset?: string;
}

export type DisposalKind = 'trade' | 'convert' | 'fee' | 'withdrawal';

export interface Disposal {
  readonly eventId: string;
  readonly kind: DisposalKind;
  readonly time: number;
  readonly asset: string;
  readonly qty: Decimal;
  readonly proceeds: Decimal;
  readonly costBasis: Decimal;
  readonly gain: Decimal;
  readonly method: CostMethod;
  /** Earliest and latest acquisition among the lots used (FIFO); null for average cost. */
  readonly acquiredFrom: number | null;
  readonly acquiredTo: number | null;
  /** Some of the cost came from deposits of unknown cost (valued at deposit time). */
  readonly costAssumed: boolean;
  /** More was disposed of than the history shows was held: the excess has no cost (history incomplete). */
  readonly missingHistory: boolean;
  /**
   * Where the proceeds' price came from; null when no price was needed (an amount in the valuation
   * currency: the trade's own quote side) or the price function does not say.
   */
  readonly priceSource: PriceSource | null;
}

export interface Holding {
  readonly asset: string;
  readonly qty: Decimal;
  readonly costBasis: Decimal;
  /** costBasis / qty; null when nothing is held. */
  readonly averageCost: Decimal | null;
  readonly price: Decimal | null;
  readonly value: Decimal | null;
  readonly unrealized: Decimal | null;
  /** unrealized / costBasis × 100; null when the cost is zero or the value unknown. */
  readonly unrealizedPct: Decimal | null;
  readonly realized: Decimal;
  readonly costAssumed: boolean;
  readonly missingHistory: boolean;
  /** Open lots, oldest first (FIFO), or the one pooled lot (average cost). */
  readonly lots: ReadonlyArray<{ readonly qty: Decimal; readonly cost: Decimal; readonly time: number }>;
}

export interface ValueSample {
  readonly time: number;
  /** null: some holding had no price then (a gap, never an invented value). */
  readonly value: Decimal | null;
  readonly netInvested: Decimal;
  readonly realized: Decimal;
  /** value − net invested; null with value. */
  readonly pnl: Decimal | null;
}

export interface PnlIssue {
  readonly eventId: string;
  readonly time: number;
  readonly problem: 'no-price' | 'missing-history';
  readonly asset: string;
}

export interface PnlResult {
  readonly quote: string;
  readonly method: CostMethod;
  readonly holdings: readonly Holding[];
  readonly disposals: readonly Disposal[];
  readonly realized: Decimal;
  /** Sum over priced holdings; complete only when `valueComplete`. */
  readonly unrealized: Decimal;
  readonly value: Decimal;
  readonly valueComplete: boolean;
  readonly deposits: Decimal;
  readonly withdrawals: Decimal;
  readonly netInvested: Decimal;
  /** value − net invested. */
  readonly totalReturn: Decimal;
  /** Cost basis of the deposits whose cost is assumed (value at deposit time, user chose nothing). */
  readonly assumedDepositCost: Decimal;
  readonly samples: readonly ValueSample[];
  readonly issues: readonly PnlIssue[];
  /** How many event valuations used a price of each source (see `eventPriceAt`). */
  readonly priceSources: Readonly<Record<PriceSource, number>>;
  /** The trailed asset's position after each event that touched it. */
  readonly trail: ReadonlyArray<{ readonly time: number; readonly qty: Decimal; readonly cost: Decimal }>;
  /**
   * Net invested after each deposit or withdrawal, oldest first: what a value recorded at any
   * moment (not only at a sample time) is compared with to give the P&L of that moment.
   */
  readonly netInvestedSteps: ReadonlyArray<{ readonly time: number; readonly netInvested: Decimal }>;
}

const KIND_RANK: Record<HistoryEvent['kind'], number> = { deposit: 0, trade: 1, convert: 1, withdrawal: 2 };
const NUMERIC = /^\d+$/;

/** The defined order of events (see the file comment). */
export function compareEvents(a: HistoryEvent, b: HistoryEvent): number {
  if (a.time !== b.time) return a.time - b.time;
  const r = KIND_RANK[a.kind] - KIND_RANK[b.kind];
  if (r !== 0) return r;
  const sa = a.kind === 'trade' ? a.symbol : '';
  const sb = b.kind === 'trade' ? b.symbol : '';
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (NUMERIC.test(a.id) && NUMERIC.test(b.id)) {
    if (a.id.length !== b.id.length) return a.id.length - b.id.length;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The figures of the history. The ledger runs on integers scaled to 18 decimals (several times
 * faster than decimal.js); when some value does not fit them (more than 18 decimals, more than 60
 * digits, an exponent form), it runs again on decimal.js. Both give the same figures (pnl-numbers.ts).
 */
export function computePnl(input: PnlInput): PnlResult {
  // History usually comes from the database already in order: checking is O(n), sorting is not.
  const inOrder = input.events.every((e, i) => i === 0 || compareEvents(input.events[i - 1]!, e) <= 0);
  const events = inOrder ? input.events : [...input.events].sort(compareEvents);
  const S = scaledNumbers();
  let scaled: Ledger<bigint>;
  try {
    scaled = runLedger(S, input, events);
  } catch (e) {
    if (!(e instanceof Unrepresentable)) throw e;
    return assemble(input, decimalNumbers, runLedger(decimalNumbers, input, events), (d) => d);
  }
  return assemble(input, S, scaled, (d) => new ScaledDisposal(d));
}

const ZERO = new Decimal(0);

/**
 * A disposal of the scaled ledger: its amounts become Decimals when first read, as most of a long
 * history's disposals are only summed or never looked at. Its fields are getters: copy it field by
 * field, not with a spread, should it ever leave the main process.
 */
class ScaledDisposal implements Disposal {
  #qty: Decimal | undefined;
  #proceeds: Decimal | undefined;
  #costBasis: Decimal | undefined;
  #gain: Decimal | undefined;
  readonly eventId: string;
  readonly kind: DisposalKind;
  readonly time: number;
  readonly asset: string;
  readonly method: CostMethod;
  readonly acquiredFrom: number | null;
  readonly acquiredTo: number | null;
  readonly costAssumed: boolean;
  readonly missingHistory: boolean;
  readonly priceSource: PriceSource | null;
  readonly #raw: LedgerDisposal<bigint>;
  constructor(raw: LedgerDisposal<bigint>) {
    this.#raw = raw;
    this.eventId = raw.eventId;
    this.kind = raw.kind;
    this.time = raw.time;
    this.asset = raw.asset;
    this.method = raw.method;
    this.acquiredFrom = raw.acquiredFrom;
    this.acquiredTo = raw.acquiredTo;
    this.costAssumed = raw.costAssumed;
    this.missingHistory = raw.missingHistory;
    this.priceSource = raw.priceSource;
  }
  get qty(): Decimal {
    return (this.#qty ??= scaledToDecimal(this.#raw.qty));
  }
  get proceeds(): Decimal {
    return (this.#proceeds ??= scaledToDecimal(this.#raw.proceeds));
  }
  get costBasis(): Decimal {
    return (this.#costBasis ??= scaledToDecimal(this.#raw.costBasis));
  }
  get gain(): Decimal {
    return (this.#gain ??= scaledToDecimal(this.#raw.gain));
  }
  /** The gain as a scaled integer, when d is a disposal of the scaled ledger (realizedBetween sums these). */
  static scaledGain(d: Disposal): bigint | undefined {
    return #raw in d ? d.#raw.gain : undefined;
  }
  /** The same text as a plain disposal (JSON does not read getters). */
  toJSON(): Disposal {
    const {
      eventId,
      kind,
      time,
      asset,
      qty,
      proceeds,
      costBasis,
      gain,
      method,
      acquiredFrom,
      acquiredTo,
      costAssumed,
      missingHistory,
      priceSource,
    } = this;
    return {
      eventId,
      kind,
      time,
      asset,
      qty,
      proceeds,
      costBasis,
      gain,
      method,
      acquiredFrom,
      acquiredTo,
      costAssumed,
      missingHistory,
      priceSource,
    };
  }
}

/** The result from the ledger: holdings valued now, totals and samples as Decimals. */
function assemble<N>(input: PnlInput, A: Numbers<N>, l: Ledger<N>, disposal: (d: LedgerDisposal<N>) => Disposal): PnlResult {
  const { quote: Q, method, priceAt } = input;
  const D = A.toDecimal;
  const cash = D(l.cash);
  const deposits = D(l.deposits);
  const withdrawals = D(l.withdrawals);
  const realizedTotal = D(l.realized);
  const holdings: Holding[] = [];
  let value = cash;
  let unrealized = ZERO;
  let valueComplete = true;
  if (!cash.isZero()) {
    holdings.push({
      asset: Q,
      qty: cash,
      costBasis: cash,
      averageCost: new Decimal(1),
      price: new Decimal(1),
      value: cash,
      unrealized: ZERO,
      unrealizedPct: cash.gt(0) ? ZERO : null,
      realized: ZERO,
      costAssumed: false,
      missingHistory: cash.lt(0),
      lots: [],
    });
  }
  for (const [asset, pos] of [...l.positions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const p = { qty: D(pos.qty), cost: D(pos.cost), realized: D(pos.realized) };
    if (!p.qty.gt(0) && p.realized.isZero()) continue;
    const price = p.qty.gt(0) ? (priceAt(asset, input.asOf) ?? null) : null;
    const v = price === null ? (p.qty.gt(0) ? null : ZERO) : price.mul(p.qty);
    const u = v === null ? null : v.minus(p.cost);
    if (v === null) valueComplete = false;
    else {
      value = value.plus(v);
      unrealized = unrealized.plus(u!);
    }
    const open = pos.lots.slice(pos.head).filter((lot) => A.pos(lot.qty));
    holdings.push({
      asset,
      qty: p.qty,
      costBasis: p.cost,
      averageCost: p.qty.gt(0) ? p.cost.div(p.qty) : null,
      price,
      value: v,
      unrealized: u,
      unrealizedPct: u !== null && p.cost.gt(0) ? u.div(p.cost).mul(100) : null,
      realized: p.realized,
      costAssumed: method === 'fifo' ? open.some((lot) => lot.assumed) : pos.assumed && p.qty.gt(0),
      missingHistory: pos.missingHistory,
      lots:
        method === 'fifo'
          ? open.map((lot) => ({ qty: D(lot.qty), cost: D(lot.cost), time: lot.time }))
          : p.qty.gt(0)
            ? [{ qty: p.qty, cost: p.cost, time: pos.since ?? 0 }]
            : [],
    });
  }
  const netInvested = deposits.minus(withdrawals);
  return {
    quote: Q,
    method,
    holdings,
    disposals: l.disposals.map(disposal),
    realized: realizedTotal,
    unrealized,
    value,
    valueComplete,
    deposits,
    withdrawals,
    netInvested,
    totalReturn: value.minus(netInvested),
    assumedDepositCost: D(l.assumedDepositCost),
    samples: l.samples.map((s) => {
      const v = s.value === null ? null : D(s.value);
      const net = D(s.netInvested);
      return { time: s.time, value: v, netInvested: net, realized: D(s.realized), pnl: v === null ? null : v.minus(net) };
    }),
    issues: l.issues,
    priceSources: l.priceSources,
    trail: l.trail.map((t) => ({ time: t.time, qty: D(t.qty), cost: D(t.cost) })),
    netInvestedSteps: l.netInvestedSteps.map((n) => ({ time: n.time, netInvested: D(n.netInvested) })),
  };
}

/** Realized gains with from <= time < to, per asset and in total. */
export function realizedBetween(
  disposals: readonly Disposal[],
  from: number,
  to: number,
): { total: Decimal; byAsset: Map<string, Decimal> } {
  // The scaled ledger's gains are summed as they are (the same sums: see pnl-numbers.ts), not made
  // into a Decimal each; anything else (another kind of disposal, a sum beyond 60 digits) with decimal.js.
  try {
    const S = scaledNumbers();
    let total = 0n;
    const byAsset = new Map<string, bigint>();
    for (const d of disposals) {
      if (d.time < from || d.time >= to) continue;
      const gain = ScaledDisposal.scaledGain(d);
      if (gain === undefined) throw new Unrepresentable('a disposal of the decimal.js ledger');
      total = S.add(total, gain);
      byAsset.set(d.asset, S.add(byAsset.get(d.asset) ?? 0n, gain));
    }
    return { total: S.toDecimal(total), byAsset: new Map([...byAsset].map(([asset, g]) => [asset, S.toDecimal(g)])) };
  } catch (e) {
    if (!(e instanceof Unrepresentable)) throw e;
  }
  let total = ZERO;
  const byAsset = new Map<string, Decimal>();
  for (const d of disposals) {
    if (d.time < from || d.time >= to) continue;
    total = total.plus(d.gain);
    byAsset.set(d.asset, (byAsset.get(d.asset) ?? ZERO).plus(d.gain));
  }
  return { total, byAsset };
}

/** Daily P&L from samples at consecutive day ends: the change of (value − net invested); null across a gap. */
export function dailyPnl(samples: readonly ValueSample[]): Array<{ time: number; pnl: Decimal | null }> {
  const out: Array<{ time: number; pnl: Decimal | null }> = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!.pnl;
    const b = samples[i]!.pnl;
    out.push({ time: samples[i]!.time, pnl: a === null || b === null ? null : b.minus(a) });
  }
  return out;
}
