/**
 * The P&L engine as it was before the scaled-integer ledger (decimal.js on every operation), kept
 * unchanged (but for the minute prices and net-invested steps added beside it) as the oracle of the equivalence properties (pnl-engine-equivalence.test.ts) and as the
 * "before" of npm run bench:history. Not used by the app.
 */
import { Decimal } from '../../../src/shared/money';
import type {
  Disposal,
  DisposalKind,
  Holding,
  HistoryEvent,
  PnlInput,
  PnlIssue,
  PnlResult,
  PriceSource,
  ValueSample,
} from '../../../src/main/history/pnl-engine';

const ZERO = new Decimal(0);
/**
 * A share of a lot's cost (cost × taken / held) is rounded to this many decimals of the valuation
 * currency: far below anything shown, and it keeps every later sum exact (the same rounded share
 * leaves the lot and enters the disposal, so cost basis = net invested + realized holds exactly)
 * and the figures short, which keeps a recompute of 100,000 trades fast.
 */
const COST_DECIMALS = 18;
const share = (cost: Decimal, take: Decimal, held: Decimal): Decimal =>
  take.eq(held) ? cost : cost.mul(take).div(held).toDecimalPlaces(COST_DECIMALS, Decimal.ROUND_HALF_EVEN);
/** x > 0 without building a Decimal for the 0 (the hot path compares a lot). */
const positive = (x: Decimal): boolean => x.isPositive() && !x.isZero();

interface Lot {
  qty: Decimal;
  cost: Decimal;
  time: number;
  assumed: boolean;
}

interface Position {
  /** FIFO: the lots from head on; average: unused (the pool is qty and cost below). */
  lots: Lot[];
  head: number;
  qty: Decimal;
  cost: Decimal;
  realized: Decimal;
  missingHistory: boolean;
  /** Average cost: the pool holds some cost of unknown-cost deposits; the pool's first acquisition. */
  assumed: boolean;
  since: number | null;
}

interface Removal {
  cost: Decimal;
  from: number | null;
  to: number | null;
  assumed: boolean;
  missing: boolean;
}

const KIND_RANK: Record<HistoryEvent['kind'], number> = { deposit: 0, trade: 1, convert: 1, withdrawal: 2 };
const NUMERIC = /^\d+$/;

/** The defined order of events (see the file comment). */
function compareEvents(a: HistoryEvent, b: HistoryEvent): number {
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

export function computePnlOracle(input: PnlInput): PnlResult {
  const { quote: Q, method, priceAt } = input;
  // History usually comes from the database already in order: checking is O(n), sorting is not.
  const inOrder = input.events.every((e, i) => i === 0 || compareEvents(input.events[i - 1]!, e) <= 0);
  const events = inOrder ? input.events : [...input.events].sort(compareEvents);
  const positions = new Map<string, Position>();
  let cash = ZERO;
  let deposits = ZERO;
  let withdrawals = ZERO;
  let realizedTotal = ZERO;
  let assumedDepositCost = ZERO;
  const disposals: Disposal[] = [];
  const issues: PnlIssue[] = [];
  const priceSources: Record<PriceSource, number> = { minute: 0, hour: 0, day: 0 };
  /** The source of the price valueOf used last (read right after the call). */
  let lastSource: PriceSource | null = null;

  const position = (asset: string): Position => {
    let p = positions.get(asset);
    if (!p) {
      p = { lots: [], head: 0, qty: ZERO, cost: ZERO, realized: ZERO, missingHistory: false, assumed: false, since: null };
      positions.set(asset, p);
    }
    return p;
  };

  const acquire = (asset: string, qty: Decimal, cost: Decimal, time: number, assumed: boolean): void => {
    if (asset === Q) {
      cash = cash.plus(qty);
      return;
    }
    const p = position(asset);
    p.qty = p.qty.plus(qty);
    p.cost = p.cost.plus(cost);
    if (method === 'fifo') {
      p.lots.push({ qty, cost, time, assumed });
    } else {
      // The pool is the position itself; it keeps the time of the asset's first acquisition.
      p.assumed = p.assumed || assumed;
      p.since ??= time;
    }
  };

  /** Takes qty out of the asset's lots and returns the cost that leaves with it. */
  const remove = (asset: string, qty: Decimal): Removal => {
    if (asset === Q) {
      cash = cash.minus(qty);
      return { cost: qty, from: null, to: null, assumed: false, missing: false };
    }
    const p = position(asset);
    if (method === 'average') {
      const held = p.qty;
      if (!positive(held)) {
        const missing = positive(qty);
        if (missing) p.missingHistory = true;
        p.qty = ZERO;
        p.cost = ZERO;
        return { cost: ZERO, from: null, to: null, assumed: false, missing };
      }
      const missing = qty.gt(held);
      // The whole pool leaves with its whole cost, so nothing is left behind by rounding.
      const cost = share(p.cost, missing ? held : qty, held);
      const assumed = p.assumed;
      if (missing) p.missingHistory = true;
      const rest = held.minus(qty);
      if (rest.isZero() || rest.isNegative()) {
        p.qty = ZERO;
        p.cost = ZERO;
        p.assumed = false;
      } else {
        p.qty = rest;
        p.cost = p.cost.minus(cost);
      }
      return { cost, from: null, to: null, assumed, missing };
    }
    let left = qty;
    let cost = ZERO;
    let from: number | null = null;
    let to: number | null = null;
    let assumed = false;
    {
      while (positive(left) && p.head < p.lots.length) {
        const lot = p.lots[p.head]!;
        const take = left.lt(lot.qty) ? left : lot.qty;
        const c = share(lot.cost, take, lot.qty);
        lot.qty = lot.qty.minus(take);
        lot.cost = lot.cost.minus(c);
        cost = cost.plus(c);
        left = left.minus(take);
        from ??= lot.time;
        to = lot.time;
        assumed = assumed || lot.assumed;
        if (lot.qty.isZero()) p.head += 1;
      }
      if (p.head > 64 && p.head * 2 > p.lots.length) {
        p.lots = p.lots.slice(p.head);
        p.head = 0;
      }
    }
    const missing = positive(left);
    if (missing) p.missingHistory = true;
    const rest = p.qty.minus(qty);
    p.qty = rest.isNegative() ? ZERO : rest;
    p.cost = p.cost.minus(cost);
    if (p.qty.isZero()) p.cost = ZERO;
    return { cost, from, to, assumed, missing };
  };

  /** The value of qty units at an event's time (see `eventPriceAt`); sets lastSource. */
  const valueOf = (asset: string, qty: Decimal, time: number): Decimal | undefined => {
    lastSource = null;
    if (asset === Q) return qty;
    if (input.eventPriceAt) {
      const p = input.eventPriceAt(asset, time);
      if (p === undefined) return undefined;
      lastSource = p.source;
      priceSources[p.source] += 1;
      return p.price.mul(qty);
    }
    const price = priceAt(asset, time);
    return price === undefined ? undefined : price.mul(qty);
  };

  const recordDisposal = (
    e: HistoryEvent,
    kind: DisposalKind,
    asset: string,
    qty: Decimal,
    proceeds: Decimal,
    r: Removal,
    priceSource: PriceSource | null,
  ): void => {
    if (asset === Q) return;
    const gain = proceeds.minus(r.cost);
    realizedTotal = realizedTotal.plus(gain);
    const pos = position(asset);
    pos.realized = pos.realized.plus(gain);
    if (r.missing) issues.push({ eventId: e.id, time: e.time, problem: 'missing-history', asset });
    disposals.push({
      eventId: e.id,
      kind,
      time: e.time,
      asset,
      qty,
      proceeds,
      costBasis: r.cost,
      gain,
      method,
      acquiredFrom: r.from,
      acquiredTo: r.to,
      costAssumed: r.assumed,
      missingHistory: r.missing,
      priceSource,
    });
  };

  const swap = (
    e: HistoryEvent,
    kind: 'trade' | 'convert',
    sold: { asset: string; amount: Decimal },
    bought: { asset: string; amount: Decimal },
    fee: { asset: string; amount: Decimal } | null,
  ): void => {
    const valued =
      sold.asset === Q
        ? sold.amount
        : bought.asset === Q
          ? bought.amount
          : (valueOf(sold.asset, sold.amount, e.time) ?? valueOf(bought.asset, bought.amount, e.time));
    const swapSource = sold.asset === Q || bought.asset === Q ? null : lastSource;
    const soldOut = remove(sold.asset, sold.amount);
    if (valued === undefined) issues.push({ eventId: e.id, time: e.time, problem: 'no-price', asset: sold.asset });
    // Without any price the swap carries its cost over: no gain is invented.
    const value = valued ?? soldOut.cost;
    let proceeds = value;
    let boughtQty = bought.amount;
    let boughtCost = value;
    if (fee && positive(fee.amount)) {
      if (fee.asset === bought.asset) {
        // The fee came out of what was bought: fewer units for the same cost.
        boughtQty = boughtQty.minus(fee.amount);
        if (bought.asset === Q) proceeds = proceeds.minus(fee.amount);
      } else {
        const feeValued = valueOf(fee.asset, fee.amount, e.time);
        const feeSource = lastSource;
        const feeOut = remove(fee.asset, fee.amount);
        if (feeValued === undefined) issues.push({ eventId: e.id, time: e.time, problem: 'no-price', asset: fee.asset });
        const feeValue = feeValued ?? feeOut.cost;
        recordDisposal(e, 'fee', fee.asset, fee.amount, feeValue, feeOut, feeSource);
        if (bought.asset === Q) proceeds = proceeds.minus(feeValue);
        else boughtCost = boughtCost.plus(feeValue);
      }
    }
    recordDisposal(e, kind, sold.asset, sold.amount, proceeds, soldOut, swapSource);
    acquire(bought.asset, boughtQty.isNegative() ? ZERO : boughtQty, boughtCost, e.time, soldOut.assumed && sold.asset !== Q);
  };

  const apply = (e: HistoryEvent): void => {
    switch (e.kind) {
      case 'trade': {
        const qty = new Decimal(e.qty);
        const quoteQty = new Decimal(e.quoteQty);
        const base = { asset: e.base, amount: qty };
        const quoteSide = { asset: e.quote, amount: quoteQty };
        const fee = { asset: e.feeAsset, amount: new Decimal(e.fee) };
        if (e.side === 'BUY') swap(e, 'trade', quoteSide, base, fee);
        else swap(e, 'trade', base, quoteSide, fee);
        return;
      }
      case 'convert': {
        const fee = new Decimal(e.fee);
        swap(
          e,
          'convert',
          { asset: e.from, amount: new Decimal(e.fromAmount) },
          { asset: e.to, amount: new Decimal(e.toAmount).plus(fee) },
          { asset: e.to, amount: fee },
        );
        return;
      }
      case 'deposit': {
        const amount = new Decimal(e.amount);
        const costKind = e.cost?.kind ?? 'unknown';
        let cost: Decimal;
        let assumed = false;
        if (e.asset === Q) cost = amount;
        else if (e.cost?.kind === 'entered') cost = new Decimal(e.cost.total);
        else {
          const v = valueOf(e.asset, amount, e.time);
          if (v === undefined) issues.push({ eventId: e.id, time: e.time, problem: 'no-price', asset: e.asset });
          cost = v ?? ZERO;
          assumed = costKind === 'unknown';
          if (assumed) assumedDepositCost = assumedDepositCost.plus(cost);
        }
        deposits = deposits.plus(cost);
        acquire(e.asset, amount, cost, e.time, assumed);
        return;
      }
      case 'withdrawal': {
        const amount = new Decimal(e.amount);
        const fee = new Decimal(e.fee);
        const valued = valueOf(e.asset, amount, e.time);
        const source = lastSource;
        const out = remove(e.asset, amount);
        if (valued === undefined) issues.push({ eventId: e.id, time: e.time, problem: 'no-price', asset: e.asset });
        const value = valued ?? out.cost;
        withdrawals = withdrawals.plus(value);
        recordDisposal(e, 'withdrawal', e.asset, amount, value, out, source);
        if (positive(fee)) {
          const feeOut = remove(e.asset, fee);
          if (e.asset === Q) realizedTotal = realizedTotal.minus(fee);
          else recordDisposal(e, 'fee', e.asset, fee, ZERO, feeOut, null);
        }
        return;
      }
    }
  };

  const snapshot = (time: number): ValueSample => {
    let value: Decimal | null = cash;
    for (const [asset, p] of positions) {
      if (!positive(p.qty)) continue;
      const price = priceAt(asset, time);
      if (price === undefined) {
        if (input.hasPriceSource?.(asset) === false) continue;
        value = null;
        break;
      }
      value = value.plus(price.mul(p.qty));
    }
    const netInvested = deposits.minus(withdrawals);
    return { time, value, netInvested, realized: realizedTotal, pnl: value === null ? null : value.minus(netInvested) };
  };

  const sampleTimes = [...(input.sampleTimes ?? [])].sort((a, b) => a - b);
  const samples: ValueSample[] = [];
  let si = 0;
  const trail: Array<{ time: number; qty: Decimal; cost: Decimal }> = [];
  const netInvestedSteps: Array<{ time: number; netInvested: Decimal }> = [];
  const trailed = input.trailAsset;
  for (const e of events) {
    // A sample at time t includes every event at or before t.
    while (si < sampleTimes.length && sampleTimes[si]! < e.time) samples.push(snapshot(sampleTimes[si++]!));
    const before = trailed !== undefined ? positions.get(trailed)?.qty : undefined;
    apply(e);
    if (e.kind === 'deposit' || e.kind === 'withdrawal') netInvestedSteps.push({ time: e.time, netInvested: deposits.minus(withdrawals) });
    if (trailed !== undefined) {
      const p = positions.get(trailed);
      if (p && (before === undefined || !before.eq(p.qty))) trail.push({ time: e.time, qty: p.qty, cost: p.cost });
    }
  }
  while (si < sampleTimes.length) samples.push(snapshot(sampleTimes[si++]!));

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
  for (const [asset, p] of [...positions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!p.qty.gt(0) && p.realized.isZero()) continue;
    const price = p.qty.gt(0) ? (priceAt(asset, input.asOf) ?? null) : null;
    const v = price === null ? (p.qty.gt(0) ? null : ZERO) : price.mul(p.qty);
    const u = v === null ? null : v.minus(p.cost);
    if (v === null) valueComplete = false;
    else {
      value = value.plus(v);
      unrealized = unrealized.plus(u!);
    }
    const costAssumed = method === 'fifo' ? p.lots.slice(p.head).some((l) => l.assumed && l.qty.gt(0)) : p.assumed && p.qty.gt(0);
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
      costAssumed,
      missingHistory: p.missingHistory,
      lots:
        method === 'fifo'
          ? p.lots
              .slice(p.head)
              .filter((l) => l.qty.gt(0))
              .map((l) => ({ qty: l.qty, cost: l.cost, time: l.time }))
          : p.qty.gt(0)
            ? [{ qty: p.qty, cost: p.cost, time: p.since ?? 0 }]
            : [],
    });
  }
  const netInvested = deposits.minus(withdrawals);
  return {
    quote: Q,
    method,
    holdings,
    disposals,
    realized: realizedTotal,
    unrealized,
    value,
    valueComplete,
    deposits,
    withdrawals,
    netInvested,
    totalReturn: value.minus(netInvested),
    assumedDepositCost,
    samples,
    issues,
    priceSources,
    trail,
    netInvestedSteps,
  };
}
