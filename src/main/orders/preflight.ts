// Over 500 lines on purpose: the checks of one draft share one verdict (issues, warnings, corrections) built in a fixed order.
/**
 * Pre-flight of an order draft, on decimal strings (B6). Everything here is pure: the caller
 * gathers the symbol's rules, the live quote, the free balances and the commission rates.
 *
 * Nothing is ever changed silently: the filters run in 'strict' mode, so an off-grid quantity or
 * price is an issue with a one-click correction to the nearest valid value, never an adjustment
 * the person did not see. The normalised order (canonical strings) is returned only when there is
 * no issue; that exact object is what the confirmation shows and what is sent.
 *
 * preflight() runs in sections (checkFilters, checkMarket, checkBalance, then vetCorrections); the
 * estimate, balance check and amount presets are in preflight-amounts.ts, the confirmation lines
 * in preflight-confirmation.ts.
 */
import type {
  ConfirmedOrder,
  Correction,
  DraftField,
  MarketQuote,
  OrderDraftInput,
  PreflightIssue,
  PreflightResult,
  PreflightWarning,
  SymbolRules,
} from '../../shared/domain/orders';
import { Decimal, dec, floorToStep, formatDecimal, parseDecimal } from '../../shared/money';
import { formatAmount, formatPercentOf, formatPrice, formatQuantity } from '../../shared/money/format';
import type { SymbolInfo } from '../exchange/exchange-info';
import type { DraftField as FilterField, FilterIssue, OrderDraft, ValidationContext, ValidationResult } from '../exchange/filters';

import { amountPresets, checkBalance } from './preflight-amounts';

export { canonicalOrder, confirmationLines } from './preflight-confirmation';

export interface CommissionRates {
  /** Rates for this side already summed (standard + tax + special + buyer/seller). */
  readonly maker: string;
  readonly taker: string;
  readonly bnbDiscount: boolean;
}

export interface PreflightThresholds {
  /** Warn when a limit price is further than this fraction from the last price. Default 0.05. */
  readonly farFromMarket?: string;
  /** Warn when an order uses at least this fraction of the free balance. Default 0.9. */
  readonly mostOfBalance?: string;
}

export interface PreflightInput {
  readonly draft: OrderDraftInput;
  readonly info: SymbolInfo | undefined;
  /** exchangeInfo.validate (the symbol's filters, status and order types filled in). */
  readonly validate: (
    draft: OrderDraft,
    extra: Omit<ValidationContext, 'filters' | 'status' | 'orderTypes' | 'exchangeFilters'>,
  ) => ValidationResult;
  readonly market: MarketQuote | undefined;
  /** Free balance of an asset ("0" when none). */
  readonly free: (asset: string) => string;
  /** Commission for this symbol and side; undefined while unknown (the standard rate is assumed). */
  readonly rates: CommissionRates | undefined;
  /** Open orders of this symbol and across the account, for the MAX_NUM_* filters. */
  readonly openOrders?: ValidationContext['openOrders'];
  /** Why trading is off (read-only mode); null when allowed. */
  readonly disabledReason: string | null;
  readonly thresholds?: PreflightThresholds;
  /** How fresh the inputs are (absent: not known, nothing is flagged). */
  readonly now?: number;
  /**
   * The account stream (balances, open orders) is live. false blocks the order: the free
   * balance and the open-order counts it is checked against may be wrong.
   */
  readonly accountLive?: boolean;
  /**
   * The exchange's weighted average price over the filters' avgPriceMins (GET /api/v3/avgPrice),
   * which Binance checks PERCENT_PRICE(_BY_SIDE) and market notional against. When unknown the
   * last price stands in (it can differ, so the exchange may still reject an order near the edge).
   */
  readonly avgPrice?: string;
}

/** What the session knows at the moment of a pre-flight beyond the draft (see PreflightInput). */
export type PreflightContext = Pick<PreflightInput, 'now' | 'accountLive' | 'avgPrice'>;

/**
 * A quote older than this at pre-flight time means it could not be refreshed: the session reads
 * it again by REST once it is 5 s old (1 s while the market stream is not live), so a quote that
 * got through that is a few ms old; the margin covers the awaits between the refresh and here.
 */
export const QUOTE_STALE_AFTER_MS = 8_000;

export type PreflightVerdict = Omit<PreflightResult, 'confirmation'>;

const s = (d: Decimal | string): string => formatDecimal(d);

/** Local wall-clock time of day, HH:MM:SS. */
export function clockTime(at: number): string {
  const d = new Date(at);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** True when the quote's bid/ask are older than the pre-flight accepts (unknown age: stale). */
export function isQuoteStale(q: MarketQuote | undefined | null, now: number, maxAgeMs = QUOTE_STALE_AFTER_MS): boolean {
  if (q === undefined || q === null || q.bid === null || q.ask === null) return false;
  return q.at === null || now - q.at > maxAgeMs;
}

function typed(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

function positive(v: string | undefined): Decimal | undefined {
  const t = typed(v);
  if (t === undefined) return undefined;
  const d = parseDecimal(t);
  return d !== undefined && d.gt(0) ? d : undefined;
}

function rulesOf(info: SymbolInfo): SymbolRules {
  const f = info.filters;
  const minNotional = f.notional?.minNotional ?? f.minNotional?.minNotional ?? null;
  return {
    symbol: info.symbol,
    baseAsset: info.baseAsset,
    quoteAsset: info.quoteAsset,
    status: info.status,
    tickSize: f.price ? s(f.price.tickSize) : null,
    stepSize: f.lotSize ? s(f.lotSize.stepSize) : null,
    minQty: f.lotSize ? s(f.lotSize.minQty) : null,
    minNotional: minNotional !== null ? s(minNotional) : null,
    orderTypes: [...info.orderTypes],
    quoteOrderQtyMarketAllowed: info.quoteOrderQtyMarketAllowed,
  };
}

/** A candidate correction; preflight() keeps it only when it makes the whole draft pass. */
function correction(field: DraftField, value: string | undefined): Correction | null {
  return value === undefined ? null : { field, value, label: `Use ${value}` };
}

const KNOWN_FIELDS: ReadonlySet<string> = new Set([
  'symbol',
  'side',
  'type',
  'quantity',
  'quoteOrderQty',
  'price',
  'stopPrice',
  'timeInForce',
  'stopLimitPrice',
  'stopLimitTimeInForce',
]);

function issueFrom(i: FilterIssue, map: (f: FilterField) => DraftField): PreflightIssue {
  const field = map(i.field);
  return { code: i.filter, field, message: i.message, correction: correction(field, i.suggestion) };
}

const sameField = (f: FilterField): DraftField => (KNOWN_FIELDS.has(f) ? (f as DraftField) : 'quantity');

/** The stop-limit leg of an OCO reports its limit price as 'price': that is the form's stopLimitPrice. */
const stopLegField = (f: FilterField): DraftField => {
  if (f === 'price') return 'stopLimitPrice';
  if (f === 'timeInForce') return 'stopLimitTimeInForce';
  return sameField(f);
};

/**
 * The verdict on a draft, with only the one-click corrections that work (issue 8, B12): a
 * correction is offered only when the draft with that one value changed passes every filter and
 * the balance check; at most one per field; never zero. A filter's own suggestion can fail
 * another rule (the step-floored quantity is below the minimum value; the largest quantity is
 * still unaffordable), so each candidate is checked by running the whole pre-flight again, and
 * the Max of the balance is tried after the filters' suggestions.
 */
export function preflight(input: PreflightInput): PreflightVerdict {
  const verdict = evaluate(input);
  if (verdict.issues.length === 0 || input.info === undefined) return verdict;
  return { ...verdict, issues: vetCorrections(input, verdict) };
}

function vetCorrections(input: PreflightInput, verdict: PreflightVerdict): PreflightIssue[] {
  const info = input.info!;
  const draftFields = new Set(
    Object.keys(input.draft).filter((k) => typed((input.draft as Record<string, string | undefined>)[k]) !== undefined),
  );
  // Candidates per field, in order: each issue's own suggestion, then the Max of the balance.
  const candidates = new Map<DraftField, { value: string; max: boolean }[]>();
  const add = (field: DraftField, value: string, max: boolean): void => {
    const list = candidates.get(field) ?? [];
    if (!list.some((c) => c.value === value)) list.push({ value, max });
    candidates.set(field, list);
  };
  // The BALANCE issue's own suggestion is the Max of the balance: it reads "Use the maximum …".
  for (const i of verdict.issues) if (i.correction !== null) add(i.correction.field, i.correction.value, i.code === 'BALANCE');
  for (const p of verdict.presets) {
    if (p.percent === 100 && p.value !== null && verdict.issues.some((i) => i.field === p.field) && draftFields.has(p.field))
      add(p.field, p.value, true);
  }
  const passes = (field: DraftField, value: string): boolean => {
    const v = parseDecimal(value);
    if (v === undefined || v.lte(0)) return false;
    const r = evaluate({ ...input, draft: { ...input.draft, [field]: value } });
    return r.issues.length === 0 && r.order !== null;
  };
  const chosen = new Map<DraftField, Correction | null>();
  const pick = (field: DraftField): Correction | null => {
    if (!chosen.has(field)) {
      const found = (candidates.get(field) ?? []).find((c) => passes(field, c.value));
      chosen.set(
        field,
        found === undefined ? null : { field, value: found.value, label: correctionLabel(info, field, found.value, found.max) },
      );
    }
    return chosen.get(field) ?? null;
  };
  const given = new Set<DraftField>();
  return verdict.issues.map((i) => {
    // The correction goes with the first issue of its field that offered one (or, when only the
    // Max rescues the field, with the first issue of that field).
    const field = i.correction?.field ?? i.field;
    if (given.has(field) || !candidates.has(field)) return { ...i, correction: null };
    if (i.correction === null && verdict.issues.some((o) => o !== i && o.correction !== null && o.correction.field === field)) return i;
    const c = pick(field);
    if (c !== null) given.add(field);
    return { ...i, correction: c };
  });
}

function correctionLabel(info: SymbolInfo, field: DraftField, value: string, max: boolean): string {
  const text =
    field === 'price' || field === 'stopPrice' || field === 'stopLimitPrice'
      ? formatPrice(value, info.filters.price?.tickSize)
      : field === 'quoteOrderQty'
        ? formatAmount(value)
        : formatQuantity(value, info.filters.lotSize?.stepSize);
  return max ? `Use the maximum ${text}` : `Use ${text}`;
}

/** What every section of the pre-flight reads, and the lists they add to. */
export interface Checking {
  readonly draft: PreflightInput['draft'];
  readonly info: SymbolInfo;
  readonly issues: PreflightIssue[];
  readonly warnings: PreflightWarning[];
  readonly isBuy: boolean;
  readonly q: MarketQuote | null | undefined;
  readonly bid: Decimal | undefined;
  readonly ask: Decimal | undefined;
  readonly last: Decimal | undefined;
  readonly tick: string;
  /** A price at the symbol's tick, for messages. */
  readonly px: (d: Decimal) => string;
}

function evaluate(input: PreflightInput): PreflightVerdict {
  const { draft, info } = input;
  const issues: PreflightIssue[] = [];
  const warnings: PreflightWarning[] = [];
  const base = {
    disabledReason: input.disabledReason,
    market: input.market ?? null,
  };
  if (info === undefined) {
    issues.push({
      code: 'SYMBOL',
      field: 'symbol',
      message: `${draft.symbol} is not a pair Binance lists (or the trading rules are not loaded yet). Pick a pair from the list, like BTCUSDT.`,
      correction: null,
    });
    return { ...base, ok: false, rules: null, order: null, issues, warnings, estimate: null, available: null, presets: [] };
  }
  const isBuy = draft.side === 'BUY';
  const q = input.market;
  const bid = q?.bid ? dec(q.bid) : undefined;
  const ask = q?.ask ? dec(q.ask) : undefined;
  const last = q?.last ? dec(q.last) : undefined;
  const tick = info.filters.price?.tickSize ?? '0';
  const step = info.filters.lotSize?.stepSize ?? '0';
  // Figures in messages: prices at the tick, quantities at the step, amounts with separators.
  const px = (d: Decimal): string => formatPrice(d, info.filters.price?.tickSize);
  const avg = input.avgPrice !== undefined ? parseDecimal(input.avgPrice) : undefined;
  const reference = avg !== undefined && avg.gt(0) ? avg : last;
  const extra = {
    mode: 'strict' as const,
    quoteAsset: info.quoteAsset,
    ...(reference !== undefined ? { avgPrice: s(reference) } : {}),
    ...(input.openOrders !== undefined ? { openOrders: input.openOrders } : {}),
  };

  const c: Checking = { draft, info, issues, warnings, isBuy, q, bid, ask, last, tick, px };

  // ---- filters (each leg of an OCO on its own)
  let order = checkFilters(input, c, extra);

  // ---- market conditions
  checkMarket(input, c);

  // ---- price basis for amounts: what one unit costs (buy) or fetches (sell)
  const limitPrice = positive(draft.price);
  const marketRef = isBuy ? (ask ?? last) : (bid ?? last);
  let unitPrice: Decimal | undefined;
  if (draft.type === 'MARKET') unitPrice = marketRef;
  else if (draft.type === 'OCO' && isBuy) {
    const sl = positive(draft.stopLimitPrice);
    unitPrice = limitPrice !== undefined && sl !== undefined ? Decimal.max(limitPrice, sl) : (limitPrice ?? sl);
  } else unitPrice = limitPrice;

  const spendAsset = isBuy ? info.quoteAsset : info.baseAsset;
  const free = dec(input.free(spendAsset) || '0');
  const available = { asset: spendAsset, free: s(free) };
  const byQuote = draft.type === 'MARKET' && typed(draft.quoteOrderQty) !== undefined;

  // ---- 25 / 50 / 75 / Max
  const presets = amountPresets({ info, isBuy, byQuote, free, unitPrice, market: marketRef, step });

  // ---- balance and estimate (only for a well-formed order)
  const estimate = checkBalance(input, c, { order, marketRef, unitPrice, free, spendAsset, presets });

  if (input.accountLive === false) {
    issues.push({
      code: 'ACCOUNT_DATA',
      field: 'symbol',
      correction: null,
      message:
        'The account data is not live (reconnecting or re-reading): the free balance and open orders shown may be wrong. Wait until it is live again.',
    });
    order = null;
  }

  const ok = issues.length === 0 && order !== null && input.disabledReason === null;
  return { ...base, ok, rules: rulesOf(info), order: issues.length === 0 ? order : null, issues, warnings, estimate, available, presets };
}

/** The exchange's filters, each leg of an OCO on its own: the issues, and the order when there are none. */
function checkFilters(input: PreflightInput, c: Checking, extra: Parameters<PreflightInput['validate']>[1]): ConfirmedOrder | null {
  const { draft, issues, isBuy, last, px } = c;
  let order: ConfirmedOrder | null = null;
  const addIssues = (r: ValidationResult, map: (f: FilterField) => DraftField): void => {
    for (const i of r.issues) {
      let pi = issueFrom(i, map);
      // The stop leg's limit price is the form's stop-limit price: say so in its message.
      if (pi.field === 'stopLimitPrice' && i.field === 'price')
        pi = { ...pi, message: pi.message.replace(/^The price\b/, 'The stop-limit price') };
      if (!issues.some((x) => x.code === pi.code && x.field === pi.field && x.message === pi.message)) issues.push(pi);
    }
  };
  if (draft.type === 'OCO') {
    if (typed(draft.quoteOrderQty) !== undefined)
      issues.push({
        code: 'PARAMETERS',
        field: 'quoteOrderQty',
        message: 'An OCO order takes a quantity, not an amount to spend.',
        correction: null,
      });
    if (typed(draft.timeInForce) !== undefined)
      issues.push({
        code: 'PARAMETERS',
        field: 'timeInForce',
        message: 'In an OCO only the stop-limit leg has a time in force; choose the stop-limit time in force instead.',
        correction: null,
      });
    const limitLeg = input.validate(
      { symbol: draft.symbol, side: draft.side, type: 'LIMIT_MAKER', quantity: typed(draft.quantity), price: typed(draft.price) },
      extra,
    );
    const stopTif = draft.stopLimitTimeInForce ?? 'GTC';
    const stopLeg = input.validate(
      {
        symbol: draft.symbol,
        side: draft.side,
        type: 'STOP_LOSS_LIMIT',
        quantity: typed(draft.quantity),
        price: typed(draft.stopLimitPrice),
        stopPrice: typed(draft.stopPrice),
        timeInForce: stopTif,
      },
      extra,
    );
    addIssues(limitLeg, sameField);
    addIssues(stopLeg, stopLegField);
    const price = limitLeg.order.price;
    const stop = stopLeg.order.stopPrice;
    if (price !== undefined && stop !== undefined && last !== undefined) {
      const p = dec(price);
      const st = dec(stop);
      const okOrder = isBuy ? p.lt(last) && last.lt(st) : p.gt(last) && last.gt(st);
      if (!okOrder) {
        issues.push({
          code: 'OCO_PRICES',
          field: 'price',
          correction: null,
          message: isBuy
            ? `For a buy OCO the limit price must be below the market price ${px(last)} and the stop price above it.`
            : `For a sell OCO the limit price must be above the market price ${px(last)} and the stop price below it.`,
        });
      }
    }
    if (
      issues.length === 0 &&
      limitLeg.order.quantity !== undefined &&
      price !== undefined &&
      stop !== undefined &&
      stopLeg.order.price !== undefined
    ) {
      order = {
        symbol: draft.symbol,
        side: draft.side,
        type: 'OCO',
        quantity: limitLeg.order.quantity,
        price,
        stopPrice: stop,
        stopLimitPrice: stopLeg.order.price,
        stopLimitTimeInForce: stopTif,
      };
    }
  } else {
    if (typed(draft.stopLimitPrice) !== undefined)
      issues.push({
        code: 'PARAMETERS',
        field: 'stopLimitPrice',
        message: 'A stop-limit price belongs to OCO orders only.',
        correction: null,
      });
    if (draft.stopLimitTimeInForce !== undefined)
      issues.push({
        code: 'PARAMETERS',
        field: 'stopLimitTimeInForce',
        message: 'This time in force belongs to OCO orders only.',
        correction: null,
      });
    const r = input.validate(
      {
        symbol: draft.symbol,
        side: draft.side,
        type: draft.type,
        quantity: typed(draft.quantity),
        quoteOrderQty: typed(draft.quoteOrderQty),
        price: typed(draft.price),
        stopPrice: typed(draft.stopPrice),
        timeInForce: draft.timeInForce,
      },
      extra,
    );
    addIssues(r, sameField);
    if (issues.length === 0) {
      const o = r.order;
      order = {
        symbol: o.symbol,
        side: o.side,
        type: draft.type,
        ...(o.quantity !== undefined ? { quantity: o.quantity } : {}),
        ...(o.quoteOrderQty !== undefined ? { quoteOrderQty: o.quoteOrderQty } : {}),
        ...(o.price !== undefined ? { price: o.price } : {}),
        ...(o.stopPrice !== undefined ? { stopPrice: o.stopPrice } : {}),
        ...(o.timeInForce !== undefined ? { timeInForce: o.timeInForce } : {}),
      };
    }
  }
  return order;
}

/** Market conditions: the symbol's status, the age of the quote, prices that cross or stray from the market. */
function checkMarket(input: PreflightInput, c: Checking): void {
  const { draft, info, issues, warnings, isBuy, bid, ask, last, tick, px, q } = c;
  const farFromMarket = dec(input.thresholds?.farFromMarket ?? '0.05');
  if (info.status !== 'TRADING') {
    warnings.push({ code: 'symbol-not-trading', message: `${info.symbol} is not trading normally right now (status ${info.status}).` });
  }
  if (bid === undefined || ask === undefined) {
    warnings.push({
      code: 'no-market-data',
      message: `There is no live best bid and ask for ${info.symbol}; the checks against the market use ${last !== undefined ? `the last price ${px(last)}` : 'nothing'}.`,
    });
  } else if (input.now !== undefined && isQuoteStale(q, input.now)) {
    const at = q?.at ?? null;
    const age = at === null ? 'an unknown time' : `${clockTime(at)} (${Math.max(0, Math.round((input.now - at) / 1000))} s ago)`;
    warnings.push({
      code: 'no-market-data',
      message: `The best bid ${px(bid)} and ask ${px(ask)} for ${info.symbol} are from ${age} and could not be refreshed: the market may have moved, so the estimate, Max and the checks against the market may be wrong.`,
    });
  }
  const limitPrice = positive(draft.price);
  if (limitPrice !== undefined && (draft.type === 'LIMIT' || draft.type === 'LIMIT_MAKER' || draft.type === 'OCO')) {
    const crosses = isBuy ? ask !== undefined && limitPrice.gte(ask) : bid !== undefined && limitPrice.lte(bid);
    if (crosses && draft.type === 'LIMIT_MAKER') {
      const fix = isBuy ? floorToStep(ask!.minus(tick), tick) : bid!.plus(tick);
      issues.push({
        code: 'LIMIT_MAKER',
        field: 'price',
        correction: fix.gt(0) ? correction('price', s(fix)) : null,
        message: `A limit maker (post-only) ${isBuy ? 'buy at or above the best ask' : 'sell at or below the best bid'} ${px(isBuy ? ask! : bid!)} would trade at once, so Binance would reject it.`,
      });
    } else if (crosses && draft.type === 'LIMIT') {
      warnings.push({
        code: 'immediate-fill',
        message: `This limit ${isBuy ? 'buy is at or above the best ask' : 'sell is at or below the best bid'} ${px(isBuy ? ask! : bid!)}: it will fill at once as a taker (higher fee), like a market order.`,
      });
    }
    if (last !== undefined && last.gt(0)) {
      const dist = limitPrice.minus(last).abs().div(last);
      if (dist.gt(farFromMarket)) {
        warnings.push({
          code: 'far-from-market',
          message: `The limit price is ${formatPercentOf(dist, 1)} ${limitPrice.gt(last) ? 'above' : 'below'} the market price ${px(last)}. Check it is the price you mean.`,
        });
      }
    }
  }
  const stopPrice = positive(draft.stopPrice);
  if (stopPrice !== undefined && last !== undefined && (draft.type === 'STOP_LOSS_LIMIT' || draft.type === 'TAKE_PROFIT_LIMIT')) {
    // STOP_LOSS buy / TAKE_PROFIT sell trigger above the market; the other two below (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § New order).
    const above = (draft.type === 'STOP_LOSS_LIMIT') === isBuy;
    if (above ? stopPrice.lte(last) : stopPrice.gte(last)) {
      issues.push({
        code: 'STOP_PRICE',
        field: 'stopPrice',
        correction: null,
        message: `The stop price must be ${above ? 'above' : 'below'} the market price ${px(last)} for a ${draft.type === 'STOP_LOSS_LIMIT' ? 'stop-loss' : 'take-profit'} ${isBuy ? 'buy' : 'sell'}; otherwise it would trigger at once and Binance would reject it.`,
      });
    }
  }
  if (draft.type === 'MARKET') {
    const ref = isBuy ? (ask ?? last) : (bid ?? last);
    if (ref !== undefined)
      warnings.push({
        code: 'market-estimate',
        message: `A market order's price is not known in advance; the estimate uses the ${isBuy ? 'best ask' : 'best bid'} ${px(ref)}.`,
      });
  }
}

/** The estimate (fee, what is received) and the free balance it needs, for a well-formed order. */
