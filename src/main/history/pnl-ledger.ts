/**
 * The event loop of the P&L engine (the accounting rules are described in pnl-engine.ts): lots,
 * disposals, cash, deposits and withdrawals, value samples and the trailed asset, in any of the
 * arithmetics of pnl-numbers.ts. computePnl runs it with scaled integers and, when a value does not
 * fit them, again with decimal.js; the results are the same.
 */
import type { Decimal } from '../../shared/money';
import type { Numbers } from './pnl-numbers';
import type { CostMethod, DisposalKind, HistoryEvent, PnlInput, PnlIssue, PriceSource } from './pnl-engine';

interface Lot<N> {
  qty: N;
  cost: N;
  time: number;
  assumed: boolean;
}

export interface Position<N> {
  /** FIFO: the lots from head on; average: unused (the pool is qty and cost below). */
  lots: Array<Lot<N>>;
  head: number;
  qty: N;
  cost: N;
  realized: N;
  missingHistory: boolean;
  /** Average cost: the pool holds some cost of unknown-cost deposits; the pool's first acquisition. */
  assumed: boolean;
  since: number | null;
}

interface Removal<N> {
  cost: N;
  from: number | null;
  to: number | null;
  assumed: boolean;
  missing: boolean;
}

export interface LedgerDisposal<N> {
  readonly eventId: string;
  readonly kind: DisposalKind;
  readonly time: number;
  readonly asset: string;
  readonly qty: N;
  readonly proceeds: N;
  readonly costBasis: N;
  readonly gain: N;
  readonly method: CostMethod;
  readonly acquiredFrom: number | null;
  readonly acquiredTo: number | null;
  readonly costAssumed: boolean;
  readonly missingHistory: boolean;
  readonly priceSource: PriceSource | null;
}

export interface Ledger<N> {
  readonly positions: Map<string, Position<N>>;
  readonly cash: N;
  readonly deposits: N;
  readonly withdrawals: N;
  readonly realized: N;
  readonly assumedDepositCost: N;
  readonly disposals: Array<LedgerDisposal<N>>;
  readonly issues: PnlIssue[];
  readonly samples: Array<{ time: number; value: N | null; netInvested: N; realized: N }>;
  readonly trail: Array<{ time: number; qty: N; cost: N }>;
  readonly priceSources: Record<PriceSource, number>;
  readonly netInvestedSteps: Array<{ time: number; netInvested: N }>;
}

/** Runs the (ordered) events through the lots with the arithmetic A. */
export function runLedger<N>(A: Numbers<N>, input: PnlInput, events: readonly HistoryEvent[]): Ledger<N> {
  const { quote: Q, method, priceAt } = input;
  const ZERO = A.zero;
  const positions = new Map<string, Position<N>>();
  let cash = ZERO;
  let deposits = ZERO;
  let withdrawals = ZERO;
  let realizedTotal = ZERO;
  let assumedDepositCost = ZERO;
  const disposals: Array<LedgerDisposal<N>> = [];
  const issues: PnlIssue[] = [];
  const priceSources: Record<PriceSource, number> = { minute: 0, hour: 0, day: 0 };
  /** The source of the price valueOf used last (read right after the call). */
  let lastSource: PriceSource | null = null;

  const position = (asset: string): Position<N> => {
    let p = positions.get(asset);
    if (!p) {
      p = { lots: [], head: 0, qty: ZERO, cost: ZERO, realized: ZERO, missingHistory: false, assumed: false, since: null };
      positions.set(asset, p);
    }
    return p;
  };

  const acquire = (asset: string, qty: N, cost: N, time: number, assumed: boolean): void => {
    if (asset === Q) {
      cash = A.add(cash, qty);
      return;
    }
    const p = position(asset);
    p.qty = A.add(p.qty, qty);
    p.cost = A.add(p.cost, cost);
    if (method === 'fifo') {
      p.lots.push({ qty, cost, time, assumed });
    } else {
      // The pool is the position itself; it keeps the time of the asset's first acquisition.
      p.assumed = p.assumed || assumed;
      p.since ??= time;
    }
  };

  /** Takes qty out of the asset's lots and returns the cost that leaves with it. */
  const remove = (asset: string, qty: N): Removal<N> => {
    if (asset === Q) {
      cash = A.sub(cash, qty);
      return { cost: qty, from: null, to: null, assumed: false, missing: false };
    }
    const p = position(asset);
    if (method === 'average') {
      const held = p.qty;
      if (!A.pos(held)) {
        const missing = A.pos(qty);
        if (missing) p.missingHistory = true;
        p.qty = ZERO;
        p.cost = ZERO;
        return { cost: ZERO, from: null, to: null, assumed: false, missing };
      }
      const missing = A.lt(held, qty);
      // The whole pool leaves with its whole cost, so nothing is left behind by rounding.
      const cost = A.share(p.cost, missing ? held : qty, held);
      const assumed = p.assumed;
      if (missing) p.missingHistory = true;
      const rest = A.sub(held, qty);
      if (A.isZero(rest) || A.neg(rest)) {
        p.qty = ZERO;
        p.cost = ZERO;
        p.assumed = false;
      } else {
        p.qty = rest;
        p.cost = A.sub(p.cost, cost);
      }
      return { cost, from: null, to: null, assumed, missing };
    }
    let left = qty;
    let cost = ZERO;
    let from: number | null = null;
    let to: number | null = null;
    let assumed = false;
    while (A.pos(left) && p.head < p.lots.length) {
      const lot = p.lots[p.head]!;
      const take = A.lt(left, lot.qty) ? left : lot.qty;
      const c = A.share(lot.cost, take, lot.qty);
      lot.qty = A.sub(lot.qty, take);
      lot.cost = A.sub(lot.cost, c);
      cost = A.add(cost, c);
      left = A.sub(left, take);
      from ??= lot.time;
      to = lot.time;
      assumed = assumed || lot.assumed;
      if (A.isZero(lot.qty)) p.head += 1;
    }
    if (p.head > 64 && p.head * 2 > p.lots.length) {
      p.lots = p.lots.slice(p.head);
      p.head = 0;
    }
    const missing = A.pos(left);
    if (missing) p.missingHistory = true;
    const rest = A.sub(p.qty, qty);
    p.qty = A.neg(rest) ? ZERO : rest;
    p.cost = A.sub(p.cost, cost);
    if (A.isZero(p.qty)) p.cost = ZERO;
    return { cost, from, to, assumed, missing };
  };

  /** The value of qty units at an event's time (see `eventPriceAt`); sets lastSource. */
  const valueOf = (asset: string, qty: N, time: number): N | undefined => {
    lastSource = null;
    if (asset === Q) return qty;
    if (input.eventPriceAt) {
      const p = input.eventPriceAt(asset, time);
      if (p === undefined) return undefined;
      lastSource = p.source;
      priceSources[p.source] += 1;
      return A.mul(A.fromDecimal(p.price), qty);
    }
    const price = priceAt(asset, time);
    return price === undefined ? undefined : A.mul(A.fromDecimal(price), qty);
  };

  const recordDisposal = (
    e: HistoryEvent,
    kind: DisposalKind,
    asset: string,
    qty: N,
    proceeds: N,
    r: Removal<N>,
    priceSource: PriceSource | null,
  ): void => {
    if (asset === Q) return;
    const gain = A.sub(proceeds, r.cost);
    realizedTotal = A.add(realizedTotal, gain);
    const pos = position(asset);
    pos.realized = A.add(pos.realized, gain);
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
    soldAsset: string,
    sold: N,
    boughtAsset: string,
    bought: N,
    feeAsset: string,
    fee: N,
  ): void => {
    const valued =
      soldAsset === Q ? sold : boughtAsset === Q ? bought : (valueOf(soldAsset, sold, e.time) ?? valueOf(boughtAsset, bought, e.time));
    const swapSource = soldAsset === Q || boughtAsset === Q ? null : lastSource;
    const soldOut = remove(soldAsset, sold);
    if (valued === undefined) issues.push({ eventId: e.id, time: e.time, problem: 'no-price', asset: soldAsset });
    // Without any price the swap carries its cost over: no gain is invented.
    const value = valued ?? soldOut.cost;
    let proceeds = value;
    let boughtQty = bought;
    let boughtCost = value;
    if (A.pos(fee)) {
      if (feeAsset === boughtAsset) {
        // The fee came out of what was bought: fewer units for the same cost.
        boughtQty = A.sub(boughtQty, fee);
        if (boughtAsset === Q) proceeds = A.sub(proceeds, fee);
      } else {
        const feeValued = valueOf(feeAsset, fee, e.time);
        const feeSource = lastSource;
        const feeOut = remove(feeAsset, fee);
        if (feeValued === undefined) issues.push({ eventId: e.id, time: e.time, problem: 'no-price', asset: feeAsset });
        const feeValue = feeValued ?? feeOut.cost;
        recordDisposal(e, 'fee', feeAsset, fee, feeValue, feeOut, feeSource);
        if (boughtAsset === Q) proceeds = A.sub(proceeds, feeValue);
        else boughtCost = A.add(boughtCost, feeValue);
      }
    }
    recordDisposal(e, kind, soldAsset, sold, proceeds, soldOut, swapSource);
    acquire(boughtAsset, A.neg(boughtQty) ? ZERO : boughtQty, boughtCost, e.time, soldOut.assumed && soldAsset !== Q);
  };

  const apply = (e: HistoryEvent): void => {
    switch (e.kind) {
      case 'trade': {
        const qty = A.parse(e.qty);
        const quoteQty = A.parse(e.quoteQty);
        const fee = A.parse(e.fee);
        if (e.side === 'BUY') swap(e, 'trade', e.quote, quoteQty, e.base, qty, e.feeAsset, fee);
        else swap(e, 'trade', e.base, qty, e.quote, quoteQty, e.feeAsset, fee);
        return;
      }
      case 'convert': {
        const fee = A.parse(e.fee);
        swap(e, 'convert', e.from, A.parse(e.fromAmount), e.to, A.add(A.parse(e.toAmount), fee), e.to, fee);
        return;
      }
      case 'deposit': {
        const amount = A.parse(e.amount);
        let cost: N;
        let assumed = false;
        if (e.asset === Q) cost = amount;
        else if (e.cost?.kind === 'entered') cost = A.parse(e.cost.total);
        else {
          const v = valueOf(e.asset, amount, e.time);
          if (v === undefined) issues.push({ eventId: e.id, time: e.time, problem: 'no-price', asset: e.asset });
          cost = v ?? ZERO;
          assumed = (e.cost?.kind ?? 'unknown') === 'unknown';
          if (assumed) assumedDepositCost = A.add(assumedDepositCost, cost);
        }
        deposits = A.add(deposits, cost);
        acquire(e.asset, amount, cost, e.time, assumed);
        return;
      }
      case 'withdrawal': {
        const amount = A.parse(e.amount);
        const fee = A.parse(e.fee);
        const valued = valueOf(e.asset, amount, e.time);
        const source = lastSource;
        const out = remove(e.asset, amount);
        if (valued === undefined) issues.push({ eventId: e.id, time: e.time, problem: 'no-price', asset: e.asset });
        const value = valued ?? out.cost;
        withdrawals = A.add(withdrawals, value);
        recordDisposal(e, 'withdrawal', e.asset, amount, value, out, source);
        if (A.pos(fee)) {
          const feeOut = remove(e.asset, fee);
          if (e.asset === Q) realizedTotal = A.sub(realizedTotal, fee);
          else recordDisposal(e, 'fee', e.asset, fee, ZERO, feeOut, null);
        }
        return;
      }
    }
  };

  const snapshot = (time: number): Ledger<N>['samples'][number] => {
    let value: N | null = cash;
    for (const [asset, p] of positions) {
      if (!A.pos(p.qty)) continue;
      const price: Decimal | undefined = priceAt(asset, time);
      if (price === undefined) {
        if (input.hasPriceSource?.(asset) === false) continue;
        value = null;
        break;
      }
      value = A.add(value, A.mul(A.fromDecimal(price), p.qty));
    }
    return { time, value, netInvested: A.sub(deposits, withdrawals), realized: realizedTotal };
  };

  const sampleTimes = [...(input.sampleTimes ?? [])].sort((a, b) => a - b);
  const samples: Ledger<N>['samples'] = [];
  let si = 0;
  const trail: Ledger<N>['trail'] = [];
  const netInvestedSteps: Ledger<N>['netInvestedSteps'] = [];
  const trailed = input.trailAsset;
  for (const e of events) {
    // A sample at time t includes every event at or before t.
    while (si < sampleTimes.length && sampleTimes[si]! < e.time) samples.push(snapshot(sampleTimes[si++]!));
    const before = trailed !== undefined ? positions.get(trailed)?.qty : undefined;
    apply(e);
    if (e.kind === 'deposit' || e.kind === 'withdrawal') netInvestedSteps.push({ time: e.time, netInvested: A.sub(deposits, withdrawals) });
    if (trailed !== undefined) {
      const p = positions.get(trailed);
      if (p && (before === undefined || !A.eq(before, p.qty))) trail.push({ time: e.time, qty: p.qty, cost: p.cost });
    }
  }
  while (si < sampleTimes.length) samples.push(snapshot(sampleTimes[si++]!));
  return {
    positions,
    cash,
    deposits,
    withdrawals,
    realized: realizedTotal,
    assumedDepositCost,
    disposals,
    issues,
    samples,
    trail,
    priceSources,
    netInvestedSteps,
  };
}
