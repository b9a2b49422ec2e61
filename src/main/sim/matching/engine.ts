/**
 * The matching engine: the account's orders against the simulated market. Takers fill against
 * market.depth() level by level (slippage); resting orders fill as makers when a market tick
 * crosses their price, at most half their size per tick so partial fills happen; stop and
 * take-profit orders wait for the last price to reach their stop price. Every state change
 * produces the user data events Binance sends, in Binance's order.
 *
 * Over 500 lines on purpose: one engine owns every order's state change and the events it emits, in
 * Binance's order; split, the ordering guarantees would span files.
 */
import type { SimClock } from '../clock';
import type { MarketModel, SymbolInfo, UserDataBus, UserDataEvent } from '../types';
import type { Ledger } from '../account/accounts';
import type { CommissionBook } from '../account/commission';
import { DISCOUNT_ASSET } from '../account/commission';
import { Decimal, ZERO, dec, floorToStep, maxDec, minDec, round8, roundToStep } from '../account/money';
import { errors, SimError } from '../errors';
import { EXCHANGE_FILTERS } from '../market/symbols';
import { ALGO_TYPES, checkFilters, filterValue, lotStep, marketStep, type FilterSubject } from './filters';
import type { IdSource } from './ids';
import {
  hasLimitPrice,
  isLive,
  isOpen,
  isStopType,
  type Amendment,
  type ExpiryReason,
  type Fill,
  type Lock,
  type SimOrder,
  type SimOrderList,
  type SimTrade,
} from './model';
import { isLimitLeg, rejected, type OcoRequest, type OrderRequest } from './order-input';
import { executionReport, listStatusEvent, type ReportFields } from './reports';

export interface EngineDeps {
  readonly clock: SimClock;
  readonly market: MarketModel;
  readonly ledger: Ledger;
  readonly userData: UserDataBus;
  readonly commission: CommissionBook;
  readonly ids: IdSource;
  readonly newClientId: () => string;
  /** exchangeInfo's exchangeFilters (default the published ones; tests pass small limits). */
  readonly exchangeFilters?: readonly Readonly<Record<string, string | number>>[];
}

interface Batch {
  readonly accountId: string;
  readonly now: number;
  readonly reports: UserDataEvent[];
  readonly lists: UserDataEvent[];
  readonly assets: Set<string>;
}

interface Book {
  readonly orders: Map<bigint, SimOrder>;
  readonly lists: Map<bigint, SimOrderList>;
  readonly trades: SimTrade[];
}

export interface PlaceResult {
  readonly order: SimOrder;
  readonly fills: Fill[];
  readonly transactTime: number;
}
export interface OcoResult {
  readonly list: SimOrderList;
  readonly transactTime: number;
}
export interface OtoRequest {
  readonly info: SymbolInfo;
  readonly listClientOrderId?: string;
  readonly working: OrderRequest;
  /** OTO: one pending order; OTOCO: the pending OCO pair. */
  readonly pending: { readonly kind: 'OTO'; readonly order: OrderRequest } | { readonly kind: 'OTOCO'; readonly pair: OcoRequest };
}

export interface Engine {
  /** Validate (filters; and, unless test, the matching engine's checks) and execute. */
  place(accountId: string, req: OrderRequest, test: boolean): PlaceResult | undefined;
  placeOco(accountId: string, req: OcoRequest): OcoResult;
  /**
   * Amend keep priority: reduce an open (or pending) order's quantity in place, with a new client
   * id; both legs of an OCO pair together. Returns the REPLACED report's executionId.
   */
  amend(accountId: string, order: SimOrder, newQty: Decimal, newClientOrderId: string): { transactTime: number; executionId: number };
  amendments(accountId: string, orderId: bigint): readonly Amendment[];
  /** OTO (one pending order) or OTOCO (a pending OCO pair) behind a LIMIT / LIMIT_MAKER working order. */
  placeOtoList(accountId: string, req: OtoRequest): OcoResult;
  /** Cancel an open order (and its whole order list). Throws -2011 when it is not open. */
  cancel(accountId: string, order: SimOrder, cancelClientOrderId: string): { transactTime: number };
  cancelList(accountId: string, list: SimOrderList, cancelClientOrderId: string): { transactTime: number };
  cancelAll(accountId: string, symbol?: string): void;
  book(accountId: string): Book;
  openOrders(accountId: string, symbol?: string): SimOrder[];
  onTick(changed: readonly string[]): void;
}

const byId = (a: SimOrder, b: SimOrder): number => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0);

export function createEngine(deps: EngineDeps): Engine {
  const { clock, market, ledger, userData, commission, ids } = deps;
  const books = new Map<string, Book>();
  const openBySymbol = new Map<string, Set<SimOrder>>();
  let executionId = 0;

  const book = (accountId: string): Book => {
    let b = books.get(accountId);
    if (!b) {
      b = { orders: new Map(), lists: new Map(), trades: [] };
      books.set(accountId, b);
    }
    return b;
  };
  const newBatch = (accountId: string, now = clock.now()): Batch => ({ accountId, now, reports: [], lists: [], assets: new Set() });
  const flush = (b: Batch): void => {
    for (const ev of b.reports) userData.publish(b.accountId, ev);
    for (const ev of b.lists) userData.publish(b.accountId, ev);
    if (b.assets.size > 0) {
      ledger.touch(b.accountId, b.now);
      userData.publish(b.accountId, ledger.positionEvent(b.accountId, b.assets, b.now));
    }
  };
  const report = (b: Batch, o: SimOrder, f: Omit<ReportFields, 'now' | 'executionId'>): void => {
    executionId += 1;
    b.reports.push(executionReport(o, { ...f, now: b.now, executionId }));
  };

  const openOrders = (accountId: string, symbol?: string): SimOrder[] =>
    [...book(accountId).orders.values()].filter((o) => isLive(o) && (!symbol || o.symbol === symbol)).sort(byId);

  // ---- market access --------------------------------------------------------------------

  const levels = (symbol: string, side: 'BUY' | 'SELL'): Array<{ price: Decimal; qty: Decimal }> => {
    const depth = market.depth(symbol, 100);
    const raw = side === 'BUY' ? depth.asks : depth.bids;
    return raw.map(([p, q]) => ({ price: dec(p), qty: dec(q) })).filter((l) => l.qty.gt(0) && l.price.gt(0));
  };
  const crosses = (side: 'BUY' | 'SELL', levelPrice: Decimal, limit: Decimal | undefined): boolean =>
    limit === undefined || (side === 'BUY' ? levelPrice.lessThanOrEqualTo(limit) : levelPrice.greaterThanOrEqualTo(limit));

  /** What a taker of `qty` would get from the book: fills per level (no state change). */
  const simulateTake = (symbol: string, side: 'BUY' | 'SELL', qty: Decimal, limit?: Decimal) => {
    let remaining = qty;
    let cost = ZERO;
    for (const l of levels(symbol, side)) {
      if (!remaining.gt(0) || !crosses(side, l.price, limit)) break;
      const take = minDec(l.qty, remaining);
      cost = cost.plus(take.mul(l.price));
      remaining = remaining.minus(take);
    }
    return { filled: qty.minus(remaining), cost };
  };

  /** Base quantity a quoteOrderQty MARKET order executes: notional as close as possible, on the step grid. */
  const quantityForQuote = (info: SymbolInfo, side: 'BUY' | 'SELL', quote: Decimal): Decimal => {
    let remaining = quote;
    let qty = ZERO;
    for (const l of levels(info.symbol, side)) {
      if (!remaining.gt(0)) break;
      const take = minDec(l.qty, remaining.div(l.price));
      qty = qty.plus(take);
      remaining = remaining.minus(take.mul(l.price));
    }
    const step = marketStep(info);
    // BUY must not spend more than quoteOrderQty; SELL may round to the nearest step.
    return side === 'BUY' ? floorToStep(qty, step) : roundToStep(qty, step);
  };

  const refPrice =
    (symbol: string) =>
    (mins: number): Decimal =>
      dec(mins > 0 ? market.avgPrice(symbol).price : market.lastPrice(symbol));

  // ---- funds -----------------------------------------------------------------------------

  const makeLock = (accountId: string, info: SymbolInfo, side: 'BUY' | 'SELL', perUnit: Decimal, qty: Decimal, b: Batch): Lock => {
    const asset = side === 'BUY' ? info.quoteAsset : info.baseAsset;
    const amount = side === 'BUY' ? round8(perUnit.mul(qty), Decimal.ROUND_UP) : qty;
    ledger.lock(accountId, asset, amount);
    b.assets.add(asset);
    return { asset, amount, perUnit: side === 'BUY' ? perUnit : new Decimal(1), holders: 0 };
  };

  const closeOrder = (o: SimOrder, b: Batch): void => {
    openBySymbol.get(o.symbol)?.delete(o);
    const lock = o.lock;
    if (lock) {
      lock.holders -= 1;
      if (lock.holders <= 0 && lock.amount.gt(0)) {
        ledger.unlock(o.accountId, lock.asset, lock.amount);
        lock.amount = ZERO;
        b.assets.add(lock.asset);
      }
    }
  };

  const applyFill = (o: SimOrder, price: Decimal, qty: Decimal, isMaker: boolean, b: Batch, fills: Fill[]): void => {
    const { baseAsset: base, quoteAsset: quote } = o.info;
    const quoteQty = price.mul(qty);
    let received: Decimal;
    let receivedAsset: string;
    const lock = o.lock;
    if (o.side === 'BUY') {
      const spend = round8(quoteQty, Decimal.ROUND_UP);
      if (lock) {
        const use = minDec(lock.amount, round8(lock.perUnit.mul(qty), Decimal.ROUND_UP));
        lock.amount = lock.amount.minus(use);
        ledger.addLocked(o.accountId, quote, use.neg());
        ledger.addFree(o.accountId, quote, use.minus(spend));
      } else {
        ledger.addFree(o.accountId, quote, spend.neg());
      }
      ledger.addFree(o.accountId, base, qty);
      received = qty;
      receivedAsset = base;
    } else {
      if (lock) {
        const use = minDec(lock.amount, qty);
        lock.amount = lock.amount.minus(use);
        ledger.addLocked(o.accountId, base, use.neg());
        ledger.addFree(o.accountId, base, use.minus(qty));
      } else {
        ledger.addFree(o.accountId, base, qty.neg());
      }
      received = round8(quoteQty, Decimal.ROUND_DOWN);
      receivedAsset = quote;
      ledger.addFree(o.accountId, quote, received);
    }
    const fee = commission.charge({
      accountId: o.accountId,
      side: o.side,
      isMaker,
      receivedAsset,
      received,
      bnbFree: ledger.free(o.accountId, DISCOUNT_ASSET),
    });
    ledger.addFree(o.accountId, fee.asset, fee.amount.neg());
    b.assets.add(base).add(quote).add(fee.asset);

    o.executedQty = o.executedQty.plus(qty);
    o.cumQuote = o.cumQuote.plus(quoteQty);
    o.updateTime = b.now;
    o.status = o.executedQty.greaterThanOrEqualTo(o.origQty) ? 'FILLED' : 'PARTIALLY_FILLED';
    const tradeId = ids.nextTradeId();
    book(o.accountId).trades.push({
      symbol: o.symbol,
      id: tradeId,
      orderId: o.orderId,
      orderListId: o.list?.orderListId ?? -1,
      price,
      qty,
      quoteQty,
      commission: fee.amount,
      commissionAsset: fee.asset,
      time: b.now,
      isBuyer: o.side === 'BUY',
      isMaker,
    });
    fills.push({ price, qty, commission: fee.amount, commissionAsset: fee.asset, tradeId });
    report(b, o, { x: 'TRADE', last: { qty, price, commission: fee.amount, commissionAsset: fee.asset, tradeId, isMaker } });
    if (o.status === 'FILLED') {
      closeOrder(o, b);
      releasePending(o, b);
    }
  };

  /**
   * The working order of an OTO / OTOCO filled completely: its pending order(s) go on the book
   * now, holding their funds from now on (one shared lock for an OTOCO's OCO pair). An OTO has
   * no contingency left (ALL_DONE); an OTOCO stays EXECUTING until one of its pair executes.
   */
  function releasePending(o: SimOrder, b: Batch): void {
    const list = o.list;
    if (!list || (list.contingencyType !== 'OTO' && list.contingencyType !== 'OTOCO') || list.orders[0] !== o) return;
    const pending = list.orders.slice(1).filter((p) => p.status === 'PENDING_NEW');
    if (pending.length === 0) return;
    const first = pending[0]!;
    const perUnit =
      first.side === 'BUY'
        ? pending.map((p) => (hasLimitPrice(p.type) ? p.price : p.stopPrice)).reduce((a, x) => maxDec(a, x), ZERO)
        : new Decimal(1);
    const asset = first.side === 'BUY' ? first.info.quoteAsset : first.info.baseAsset;
    const needed =
      first.type === 'MARKET' && first.side === 'BUY'
        ? simulateTake(first.symbol, 'BUY', first.origQty).cost
        : first.side === 'BUY'
          ? perUnit.mul(first.origQty)
          : first.origQty;
    if (ledger.free(o.accountId, asset).lessThan(round8(needed, Decimal.ROUND_UP))) {
      for (const p of pending) expire(p, 'INSUFFICIENT_LIQUIDITY', b);
      finishList(list, b);
      return;
    }
    if (first.type !== 'MARKET') {
      const lock = makeLock(o.accountId, first.info, first.side, perUnit, first.origQty, b);
      for (const p of pending) {
        p.lock = lock;
        lock.holders += 1;
      }
    }
    for (const p of pending) {
      p.status = 'NEW';
      p.updateTime = b.now;
      if (!isStopType(p.type)) p.workingTime = b.now;
      report(b, p, { x: 'NEW' });
    }
    if (list.contingencyType === 'OTO') finishList(list, b);
    for (const p of pending) {
      if (!isOpen(p)) continue;
      if (p.type === 'MARKET') workMarket(p, b, []);
      else if (p.type === 'LIMIT') workLimit(p, b, []);
    }
  }

  function finishList(list: SimOrderList, b: Batch): void {
    if (list.listOrderStatus === 'ALL_DONE') return;
    list.listStatusType = 'ALL_DONE';
    list.listOrderStatus = 'ALL_DONE';
    list.transactionTime = b.now;
    b.lists.push(listStatusEvent(list, b.now));
  }

  /** Take liquidity from the book up to `limit` (none = market). */
  const takeFromBook = (o: SimOrder, b: Batch, fills: Fill[], limit?: Decimal): void => {
    const marketLike = o.type === 'MARKET' || o.type === 'STOP_LOSS' || o.type === 'TAKE_PROFIT';
    const step = marketLike ? marketStep(o.info) : lotStep(o.info);
    for (const l of levels(o.symbol, o.side)) {
      const remaining = o.origQty.minus(o.executedQty);
      if (!remaining.gt(0) || !crosses(o.side, l.price, limit)) break;
      let take = minDec(l.qty, remaining);
      if (o.side === 'BUY') {
        // Never spend more quote than the order holds plus what is free (stop-market slippage).
        const available = (o.lock?.amount ?? ZERO).plus(ledger.free(o.accountId, o.info.quoteAsset));
        take = minDec(take, floorToStep(available.div(l.price), step));
      }
      if (!take.gt(0)) break;
      applyFill(o, l.price, take, false, b, fills);
    }
  };

  const expire = (o: SimOrder, reason: ExpiryReason, b: Batch): void => {
    o.status = 'EXPIRED';
    o.expiryReason = reason;
    o.updateTime = b.now;
    report(b, o, { x: 'EXPIRED' });
    closeOrder(o, b);
    // A working order that expires unfilled takes its pending orders with it.
    const list = o.list;
    if (list && (list.contingencyType === 'OTO' || list.contingencyType === 'OTOCO') && list.orders[0] === o) {
      for (const p of list.orders.slice(1)) if (p.status === 'PENDING_NEW') expire(p, reason, b);
      finishList(list, b);
    }
  };

  /**
   * The contingent part of an OCO: one leg starts working, the other expires. In an OTOCO the
   * OCO pair is the two pending orders; the working order of an OTO / OTOCO triggers nothing
   * here (its pending orders are placed when it fills: releasePending).
   */
  const activateList = (o: SimOrder, b: Batch): void => {
    const list = o.list;
    if (!list || list.listOrderStatus === 'ALL_DONE') return;
    if (list.contingencyType === 'OTO') return;
    if (list.contingencyType === 'OTOCO' && o === list.orders[0]) return;
    for (const other of list.orders) {
      if (other !== o && other !== (list.contingencyType === 'OTOCO' ? list.orders[0] : undefined) && isOpen(other))
        expire(other, 'OCO_TRIGGER', b);
    }
    list.listStatusType = 'ALL_DONE';
    list.listOrderStatus = 'ALL_DONE';
    list.transactionTime = b.now;
    b.lists.push(listStatusEvent(list, b.now));
  };

  /** A working order at its limit price: marketable part as taker, then TIF for the rest. */
  const workLimit = (o: SimOrder, b: Batch, fills: Fill[]): void => {
    const bt = market.bookTicker(o.symbol);
    const touch = dec(o.side === 'BUY' ? bt.askPrice : bt.bidPrice);
    const marketable = touch.gt(0) && crosses(o.side, touch, o.price);
    if (o.timeInForce === 'FOK') {
      const sim = marketable ? simulateTake(o.symbol, o.side, o.origQty.minus(o.executedQty), o.price) : { filled: ZERO };
      if (sim.filled.lessThan(o.origQty.minus(o.executedQty))) {
        expire(o, 'UNFILLED_FOK_ORDER_EXPIRED', b);
        return;
      }
    }
    if (marketable) takeFromBook(o, b, fills, o.price);
    if (isOpen(o) && o.timeInForce !== 'GTC')
      expire(o, o.timeInForce === 'FOK' ? 'UNFILLED_FOK_ORDER_EXPIRED' : 'UNFILLED_IOC_QUANTITY_EXPIRED', b);
  };

  const workMarket = (o: SimOrder, b: Batch, fills: Fill[]): void => {
    takeFromBook(o, b, fills);
    if (isOpen(o)) expire(o, 'INSUFFICIENT_LIQUIDITY', b);
  };

  const triggerHit = (o: SimOrder, last: Decimal): boolean => {
    const stopLoss = o.type === 'STOP_LOSS' || o.type === 'STOP_LOSS_LIMIT';
    const above = stopLoss ? o.side === 'BUY' : o.side === 'SELL';
    return above ? last.greaterThanOrEqualTo(o.stopPrice) : last.lessThanOrEqualTo(o.stopPrice);
  };

  const trigger = (o: SimOrder, b: Batch): void => {
    activateList(o, b);
    o.triggered = true;
    o.workingTime = b.now;
    o.updateTime = b.now;
    report(b, o, { x: 'NEW' });
    if (o.type === 'STOP_LOSS' || o.type === 'TAKE_PROFIT') workMarket(o, b, []);
    else workLimit(o, b, []);
  };

  const makerFill = (o: SimOrder, b: Batch): void => {
    const bt = market.bookTicker(o.symbol);
    const touch = dec(o.side === 'BUY' ? bt.askPrice : bt.bidPrice);
    if (!touch.gt(0) || !crosses(o.side, touch, o.price)) return;
    const step = lotStep(o.info);
    const chunk = maxDec(step.isZero() ? o.origQty : step, floorToStep(o.origQty.div(2), step));
    const available = floorToStep(dec(o.side === 'BUY' ? bt.askQty : bt.bidQty), step);
    const qty = minDec(minDec(o.origQty.minus(o.executedQty), chunk), available);
    if (!qty.gt(0)) return;
    activateList(o, b);
    applyFill(o, o.price, qty, true, b, []);
  };

  // ---- validation shared by orders and OCO legs -------------------------------------------

  const openCounts = (accountId: string, symbol: string) => {
    const open = openOrders(accountId, symbol);
    const lists = new Set(open.filter((o) => o.list).map((o) => o.list));
    return {
      total: open.length,
      algo: open.filter((o) => ALGO_TYPES.has(o.type)).length,
      iceberg: open.filter((o) => o.icebergQty?.gt(0)).length,
      lists: lists.size,
    };
  };

  const position = (accountId: string, info: SymbolInfo): Decimal =>
    openOrders(accountId, info.symbol)
      .filter((o) => o.side === 'BUY')
      .reduce(
        (acc, o) => acc.plus(o.origQty.minus(o.executedQty)),
        ledger.free(accountId, info.baseAsset).plus(ledger.locked(accountId, info.baseAsset)),
      );

  const subjectOf = (req: OrderRequest, quantity: Decimal | undefined): FilterSubject => ({
    side: req.side,
    type: req.type,
    ...(req.price ? { price: req.price } : {}),
    ...(req.stopPrice ? { stopPrice: req.stopPrice } : {}),
    ...(quantity ? { quantity } : {}),
    ...(req.quoteOrderQty ? { quoteOrderQty: req.quoteOrderQty } : {}),
    ...(req.icebergQty ? { icebergQty: req.icebergQty } : {}),
  });

  const checkTradable = (info: SymbolInfo): void => {
    if (info.status !== 'TRADING') throw rejected('Market is closed.');
    const sets = info.permissionSets;
    if (sets.length > 0 && !sets.every((set) => set.includes('SPOT'))) throw rejected('This symbol is not permitted for this account.');
  };

  const checkDuplicate = (accountId: string, clientOrderId: string | undefined): void => {
    if (clientOrderId && openOrders(accountId).some((o) => o.clientOrderId === clientOrderId)) throw rejected('Duplicate order sent.');
  };

  const exchangeLimit = (type: string, key: string): number | undefined => {
    const f = (deps.exchangeFilters ?? EXCHANGE_FILTERS).find((x) => x['filterType'] === type);
    const v = f?.[key];
    return v === undefined ? undefined : Number(v);
  };

  /** https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/filters.md § Exchange Filters: open orders of the account on all symbols, after this request. */
  const checkExchangeFilters = (accountId: string, adds: { total: number; algo: number }): void => {
    const open = openOrders(accountId);
    const maxOrders = exchangeLimit('EXCHANGE_MAX_NUM_ORDERS', 'maxNumOrders');
    if (maxOrders !== undefined && open.length + adds.total > maxOrders) throw errors.filterFailure('EXCHANGE_MAX_NUM_ORDERS');
    const maxAlgo = exchangeLimit('EXCHANGE_MAX_NUM_ALGO_ORDERS', 'maxNumAlgoOrders');
    const algo = open.filter((o) => ALGO_TYPES.has(o.type)).length;
    if (maxAlgo !== undefined && adds.algo > 0 && algo + adds.algo > maxAlgo) throw errors.filterFailure('EXCHANGE_MAX_NUM_ALGO_ORDERS');
  };

  const insufficient = () => rejected('Account has insufficient balance for requested action.');

  const newOrder = (accountId: string, req: OrderRequest, quantity: Decimal, b: Batch, list?: SimOrderList): SimOrder => {
    const stop = isStopType(req.type);
    const o: SimOrder = {
      accountId,
      info: req.info,
      symbol: req.info.symbol,
      orderId: ids.nextOrderId(),
      list,
      clientOrderId: req.clientOrderId ?? deps.newClientId(),
      side: req.side,
      type: req.type,
      timeInForce: req.timeInForce,
      price: req.price ?? ZERO,
      origQty: quantity,
      quoteOrderQty: req.quoteOrderQty ?? ZERO,
      stopPrice: req.stopPrice ?? ZERO,
      icebergQty: req.icebergQty,
      executedQty: ZERO,
      cumQuote: ZERO,
      status: 'NEW',
      time: b.now,
      updateTime: b.now,
      workingTime: stop ? -1 : b.now,
      stp: req.stp,
      strategyId: req.strategyId,
      strategyType: req.strategyType,
      expiryReason: undefined,
      lock: undefined,
      triggered: !stop,
    };
    book(accountId).orders.set(o.orderId, o);
    if (req.type !== 'MARKET') {
      let set = openBySymbol.get(o.symbol);
      if (!set) {
        set = new Set();
        openBySymbol.set(o.symbol, set);
      }
      set.add(o);
    }
    return o;
  };

  const place = (accountId: string, req: OrderRequest, test: boolean): PlaceResult | undefined => {
    const { info } = req;
    let quantity = req.quantity;
    if (req.type === 'MARKET' && req.quoteOrderQty && !test) {
      quantity = quantityForQuote(info, req.side, req.quoteOrderQty);
    }
    checkFilters(info, subjectOf(req, quantity), {
      refPrice: refPrice(info.symbol),
      open: openCounts(accountId, info.symbol),
      adds: { total: 1, algo: ALGO_TYPES.has(req.type) ? 1 : 0, iceberg: req.icebergQty ? 1 : 0, lists: 0 },
      position: position(accountId, info),
    });
    checkExchangeFilters(accountId, { total: 1, algo: ALGO_TYPES.has(req.type) ? 1 : 0 });
    if (req.quoteOrderQty && quantity && !test) {
      // The executed quantity of a quote-amount order still obeys the lot filters.
      const minQty = filterValue(info, 'MARKET_LOT_SIZE', 'minQty') ?? ZERO;
      if (levels(info.symbol, req.side).length === 0) throw rejected('Order book liquidity is less than symbol minimum quantity.');
      if (!quantity.gt(0) || quantity.lessThan(minQty)) throw errors.filterFailure('MARKET_LOT_SIZE');
      if (quantity.lessThan(filterValue(info, 'LOT_SIZE', 'minQty') ?? ZERO)) throw errors.filterFailure('LOT_SIZE');
    }
    if (test) return undefined;
    const qty = quantity ?? ZERO;

    checkTradable(info);
    checkDuplicate(accountId, req.clientOrderId);
    const bt = market.bookTicker(info.symbol);
    if (req.type === 'LIMIT_MAKER' && req.price) {
      const touch = dec(req.side === 'BUY' ? bt.askPrice : bt.bidPrice);
      if (touch.gt(0) && crosses(req.side, touch, req.price)) throw rejected('Order would immediately match and take.');
    }
    if (isStopType(req.type) && req.stopPrice) {
      const probe = { type: req.type, side: req.side, stopPrice: req.stopPrice } as SimOrder;
      if (triggerHit(probe, dec(market.lastPrice(info.symbol)))) throw rejected('Order would trigger immediately.');
    }
    // Balance: what the order needs to hold (or, for MARKET, to spend) right now.
    const quoteFree = ledger.free(accountId, info.quoteAsset);
    const baseFree = ledger.free(accountId, info.baseAsset);
    let lockPerUnit: Decimal | undefined;
    if (req.side === 'BUY') {
      if (req.type === 'MARKET') {
        const need = req.quoteOrderQty ?? simulateTake(info.symbol, 'BUY', qty).cost;
        if (quoteFree.lessThan(round8(need, Decimal.ROUND_UP))) throw insufficient();
      } else {
        lockPerUnit = hasLimitPrice(req.type) ? (req.price ?? ZERO) : (req.stopPrice ?? ZERO);
        if (quoteFree.lessThan(round8(lockPerUnit.mul(qty), Decimal.ROUND_UP))) throw insufficient();
      }
    } else {
      if (baseFree.lessThan(qty)) throw insufficient();
      if (req.type !== 'MARKET') lockPerUnit = new Decimal(1);
    }

    const b = newBatch(accountId);
    const o = newOrder(accountId, req, qty, b);
    if (lockPerUnit) {
      o.lock = makeLock(accountId, info, req.side, lockPerUnit, qty, b);
      o.lock.holders = 1;
    }
    report(b, o, { x: 'NEW' });
    const fills: Fill[] = [];
    if (req.type === 'MARKET') workMarket(o, b, fills);
    else if (req.type === 'LIMIT') workLimit(o, b, fills);
    flush(b);
    return { order: o, fills, transactTime: b.now };
  };

  /** The OCO pair's prices against the last price, and a LIMIT_MAKER leg that would take. */
  const checkOcoPrices = (req: OcoRequest): void => {
    const { info } = req;
    const side = req.side;
    // Price relationship (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § New Order list - OCO): limit leg beyond the last price, stop leg on the other side.
    const last = dec(market.lastPrice(info.symbol));
    const limitLeg = isLimitLeg(req.above.type) ? req.above : req.below;
    const stopLeg = limitLeg === req.above ? req.below : req.above;
    const limitRef = limitLeg.type === 'TAKE_PROFIT' ? limitLeg.stopPrice : limitLeg.price;
    const ok = (x: Decimal | undefined, cmp: 'gt' | 'lt'): boolean => !!x && (cmp === 'gt' ? x.greaterThan(last) : x.lessThan(last));
    const good =
      side === 'SELL'
        ? ok(limitRef, 'gt') && ok(stopLeg.stopPrice, 'lt') && (limitLeg.type !== 'TAKE_PROFIT_LIMIT' || ok(limitLeg.stopPrice, 'gt'))
        : ok(limitRef, 'lt') && ok(stopLeg.stopPrice, 'gt') && (limitLeg.type !== 'TAKE_PROFIT_LIMIT' || ok(limitLeg.stopPrice, 'lt'));
    if (!good) throw rejected('The relationship of the prices for the orders is not correct.');
    if (limitLeg.type === 'LIMIT_MAKER' && limitLeg.price) {
      const bt = market.bookTicker(info.symbol);
      const touch = dec(side === 'BUY' ? bt.askPrice : bt.bidPrice);
      if (touch.gt(0) && crosses(side, touch, limitLeg.price)) throw rejected('Order would immediately match and take.');
    }
  };

  const placeOco = (accountId: string, req: OcoRequest): OcoResult => {
    const { info } = req;
    for (const leg of [req.below, req.above]) {
      checkFilters(info, subjectOf(leg, req.quantity), {
        refPrice: refPrice(info.symbol),
        open: openCounts(accountId, info.symbol),
        adds: {
          total: 2,
          algo: [req.above, req.below].filter((l) => ALGO_TYPES.has(l.type)).length,
          iceberg: [req.above, req.below].filter((l) => l.icebergQty).length,
          lists: 1,
        },
        position: position(accountId, info),
      });
    }
    checkExchangeFilters(accountId, { total: 2, algo: [req.above, req.below].filter((l) => ALGO_TYPES.has(l.type)).length });
    checkTradable(info);
    const open = openOrders(accountId);
    const ids2 = [req.above.clientOrderId, req.below.clientOrderId].filter((x): x is string => !!x);
    if (ids2.length === 2 && ids2[0] === ids2[1]) throw rejected('Duplicate order sent.');
    for (const id of ids2) checkDuplicate(accountId, id);
    if (req.listClientOrderId && open.some((o) => o.list?.listClientOrderId === req.listClientOrderId))
      throw rejected('Duplicate order sent.');

    checkOcoPrices(req);
    const side = req.side;
    let perUnit = new Decimal(1);
    if (side === 'BUY') {
      const prices = [req.above, req.below].map((l) => (hasLimitPrice(l.type) ? l.price : l.stopPrice) ?? ZERO);
      perUnit = prices.reduce((a, p) => maxDec(a, p), ZERO);
      if (ledger.free(accountId, info.quoteAsset).lessThan(round8(perUnit.mul(req.quantity), Decimal.ROUND_UP))) throw insufficient();
    } else if (ledger.free(accountId, info.baseAsset).lessThan(req.quantity)) {
      throw insufficient();
    }

    const b = newBatch(accountId);
    const list: SimOrderList = {
      accountId,
      symbol: info.symbol,
      orderListId: ids.nextOrderListId(),
      listClientOrderId: req.listClientOrderId ?? deps.newClientId(),
      listStatusType: 'EXEC_STARTED',
      listOrderStatus: 'EXECUTING',
      transactionTime: b.now,
      orders: [],
    };
    const lock = makeLock(accountId, info, side, perUnit, req.quantity, b);
    for (const leg of [req.below, req.above]) {
      const o = newOrder(accountId, leg, req.quantity, b, list);
      o.lock = lock;
      lock.holders += 1;
      list.orders.push(o);
    }
    book(accountId).lists.set(list.orderListId, list);
    for (const o of list.orders) report(b, o, { x: 'NEW' });
    b.lists.push(listStatusEvent(list, b.now));
    flush(b);
    return { list, transactTime: b.now };
  };

  const placeOtoList = (accountId: string, req: OtoRequest): OcoResult => {
    const { info, working } = req;
    const pendingOrders = req.pending.kind === 'OTO' ? [req.pending.order] : [req.pending.pair.below, req.pending.pair.above];
    const all = [working, ...pendingOrders];
    const qtyOf = (r: OrderRequest): Decimal | undefined =>
      req.pending.kind === 'OTOCO' && r !== working ? req.pending.pair.quantity : r.quantity;
    const adds = {
      total: all.length,
      algo: all.filter((r) => ALGO_TYPES.has(r.type)).length,
      iceberg: all.filter((r) => r.icebergQty).length,
      lists: 1,
    };
    for (const r of all) {
      checkFilters(info, subjectOf(r, qtyOf(r)), {
        refPrice: refPrice(info.symbol),
        open: openCounts(accountId, info.symbol),
        adds,
        position: position(accountId, info),
      });
    }
    checkExchangeFilters(accountId, { total: adds.total, algo: adds.algo });
    checkTradable(info);
    const clientIds = all.map((r) => r.clientOrderId).filter((x): x is string => !!x);
    if (new Set(clientIds).size !== clientIds.length) throw rejected('Duplicate order sent.');
    for (const id of clientIds) checkDuplicate(accountId, id);
    if (req.listClientOrderId && openOrders(accountId).some((o) => o.list?.listClientOrderId === req.listClientOrderId))
      throw rejected('Duplicate order sent.');
    if (req.pending.kind === 'OTOCO') checkOcoPrices(req.pending.pair);
    const qty = working.quantity ?? ZERO;
    const price = working.price ?? ZERO;
    if (working.type === 'LIMIT_MAKER') {
      const bt = market.bookTicker(info.symbol);
      const touch = dec(working.side === 'BUY' ? bt.askPrice : bt.bidPrice);
      if (touch.gt(0) && crosses(working.side, touch, price)) throw rejected('Order would immediately match and take.');
    }
    // Only the working order holds funds now; the pending ones hold theirs once they are placed.
    if (working.side === 'BUY') {
      if (ledger.free(accountId, info.quoteAsset).lessThan(round8(price.mul(qty), Decimal.ROUND_UP))) throw insufficient();
    } else if (ledger.free(accountId, info.baseAsset).lessThan(qty)) {
      throw insufficient();
    }

    const b = newBatch(accountId);
    const list: SimOrderList = {
      accountId,
      symbol: info.symbol,
      orderListId: ids.nextOrderListId(),
      listClientOrderId: req.listClientOrderId ?? deps.newClientId(),
      listStatusType: 'EXEC_STARTED',
      listOrderStatus: 'EXECUTING',
      transactionTime: b.now,
      orders: [],
      contingencyType: req.pending.kind,
    };
    const w = newOrder(accountId, working, qty, b, list);
    w.lock = makeLock(accountId, info, working.side, working.side === 'BUY' ? price : new Decimal(1), qty, b);
    w.lock.holders = 1;
    list.orders.push(w);
    for (const r of pendingOrders) {
      const p = newOrder(accountId, r, qtyOf(r) ?? ZERO, b, list);
      p.status = 'PENDING_NEW';
      p.workingTime = -1;
      list.orders.push(p);
    }
    book(accountId).lists.set(list.orderListId, list);
    for (const o of list.orders) report(b, o, { x: 'NEW' });
    b.lists.push(listStatusEvent(list, b.now));
    if (working.type === 'LIMIT') workLimit(w, b, []);
    flush(b);
    return { list, transactTime: b.now };
  };

  const cancelOne = (o: SimOrder, cancelClientOrderId: string, b: Batch): void => {
    o.status = 'CANCELED';
    o.updateTime = b.now;
    report(b, o, { x: 'CANCELED', cancelClientOrderId });
    closeOrder(o, b);
  };

  const cancelListIn = (list: SimOrderList, cancelClientOrderId: string, b: Batch): void => {
    for (const leg of list.orders) if (isLive(leg)) cancelOne(leg, cancelClientOrderId, b);
    if (list.listOrderStatus !== 'ALL_DONE') {
      list.listStatusType = 'ALL_DONE';
      list.listOrderStatus = 'ALL_DONE';
      list.transactionTime = b.now;
      b.lists.push(listStatusEvent(list, b.now));
    }
  };

  const unknownOrder = () => errors.cancelRejected('Unknown order sent.');

  const amendmentLog = new Map<string, Amendment[]>();
  const amendRejected = (msg: string): SimError => new SimError(400, -2038, msg);

  const amend = (
    accountId: string,
    order: SimOrder,
    newQty: Decimal,
    newClientOrderId: string,
  ): { transactTime: number; executionId: number } => {
    if (!isLive(order)) throw amendRejected('Unknown order sent.');
    if (order.info.amendAllowed === false) throw amendRejected('Order amend is not supported for this symbol.');
    if (!newQty.lessThan(order.origQty)) throw amendRejected('Order amend (quantity increase) is not supported.');
    // Binance does not document the answer for amending to or below the executed quantity; the simulator refuses it.
    if (!newQty.greaterThan(order.executedQty)) throw amendRejected('Order amend rejected: newQty must be above the executed quantity.');
    const step = lotStep(order.info);
    if (!step.isZero() && !newQty.mod(step).isZero()) throw errors.filterFailure('LOT_SIZE');
    const key = `${accountId}:${order.orderId}`;
    const log = amendmentLog.get(key) ?? [];
    const maxAmends = filterValue(order.info, 'MAX_NUM_ORDER_AMENDS', 'maxNumOrderAmends');
    if (maxAmends !== undefined && log.length >= maxAmends.toNumber()) throw errors.filterFailure('MAX_NUM_ORDER_AMENDS');
    if (newClientOrderId !== order.clientOrderId) checkDuplicate(accountId, newClientOrderId);

    const b = newBatch(accountId);
    // The legs of an OCO pair share one quantity: amending one amends both (one shared lock).
    const list = order.list;
    const pairOf = (o: SimOrder): SimOrder[] => {
      if (!list || list.contingencyType === 'OTO') return [o];
      if (list.contingencyType === 'OTOCO') return o === list.orders[0] ? [o] : list.orders.slice(1);
      return list.orders.filter(isLive);
    };
    const targets = pairOf(order);
    const lock = order.lock;
    if (lock && lock.amount.gt(0)) {
      const release =
        order.side === 'BUY' ? round8(lock.perUnit.mul(order.origQty.minus(newQty)), Decimal.ROUND_DOWN) : order.origQty.minus(newQty);
      const amount = minDec(release, lock.amount);
      lock.amount = lock.amount.minus(amount);
      ledger.unlock(accountId, lock.asset, amount);
      b.assets.add(lock.asset);
    }
    let replacedId = 0;
    for (const o of targets) {
      const orig = o.clientOrderId;
      const origQty = o.origQty;
      o.origQty = newQty;
      if (o === order) o.clientOrderId = newClientOrderId;
      o.updateTime = b.now;
      report(b, o, { x: 'REPLACED' });
      if (o === order) replacedId = executionId;
      const entries = amendmentLog.get(`${accountId}:${o.orderId}`) ?? [];
      entries.push({
        symbol: o.symbol,
        orderId: o.orderId,
        executionId,
        origClientOrderId: orig,
        newClientOrderId: o.clientOrderId,
        origQty,
        newQty,
        time: b.now,
      });
      amendmentLog.set(`${accountId}:${o.orderId}`, entries);
    }
    flush(b);
    return { transactTime: b.now, executionId: replacedId };
  };

  return {
    place,
    placeOco,
    placeOtoList,
    amend,
    amendments: (accountId, orderId) => amendmentLog.get(`${accountId}:${orderId}`) ?? [],
    cancel(accountId, order, cancelClientOrderId) {
      if (!isLive(order)) throw unknownOrder();
      const b = newBatch(accountId);
      if (order.list) cancelListIn(order.list, cancelClientOrderId, b);
      else cancelOne(order, cancelClientOrderId, b);
      flush(b);
      return { transactTime: b.now };
    },
    cancelList(accountId, list, cancelClientOrderId) {
      if (!list.orders.some(isLive)) throw unknownOrder();
      const b = newBatch(accountId);
      cancelListIn(list, cancelClientOrderId, b);
      flush(b);
      return { transactTime: b.now };
    },
    cancelAll(accountId, symbol) {
      const b = newBatch(accountId);
      for (const o of openOrders(accountId, symbol)) {
        if (!isLive(o)) continue;
        if (o.list) cancelListIn(o.list, deps.newClientId(), b);
        else cancelOne(o, deps.newClientId(), b);
      }
      flush(b);
    },
    book,
    openOrders,
    onTick(changed) {
      const batches = new Map<string, Batch>();
      const now = clock.now();
      const batchFor = (accountId: string): Batch => {
        let b = batches.get(accountId);
        if (!b) {
          b = newBatch(accountId, now);
          batches.set(accountId, b);
        }
        return b;
      };
      for (const symbol of changed) {
        const set = openBySymbol.get(symbol);
        if (!set || set.size === 0) continue;
        const info = market.symbol(symbol);
        if (!info || info.status !== 'TRADING') continue;
        const last = dec(market.lastPrice(symbol));
        for (const o of [...set].sort(byId)) {
          if (!isOpen(o)) continue; // closed meanwhile by its OCO sibling
          const b = batchFor(o.accountId);
          if (!o.triggered) {
            if (triggerHit(o, last)) trigger(o, b);
          } else {
            makerFill(o, b);
          }
        }
      }
      for (const b of batches.values()) flush(b);
    },
  };
}
