// Over 500 lines on purpose: one validator walks every Binance filter in order; each filter's parse and check are kept side by side.
/**
 * Exchange filters (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/filters.md) parsed from exchangeInfo, and validation + formatting
 * of an order draft on decimal strings (B6). Values that are merely off-grid are adjusted in the
 * user's favour (quantity floored to the step; price snapped down for a buy, up for a sell) and
 * reported as adjustments; values that break a range are issues, each with the nearest valid
 * value as a suggestion. Output strings never carry an exponent or float noise.
 */
import { z } from 'zod';
import {
  Decimal,
  ceilToStep,
  dec,
  floorToStep,
  formatDecimal,
  isMultipleOf,
  parseDecimal,
  snapToTick,
  type DecimalInput,
} from '../../shared/money';
import { formatAmount, formatFigure, formatPrice, formatQuantity } from '../../shared/money/format';

const Dec = z.string().regex(/^-?\d+(\.\d+)?$/);
const Int = z.number().int();

const filterSchemas = {
  PRICE_FILTER: z.object({ minPrice: Dec, maxPrice: Dec, tickSize: Dec }),
  PERCENT_PRICE: z.object({ multiplierUp: Dec, multiplierDown: Dec, avgPriceMins: Int }),
  PERCENT_PRICE_BY_SIDE: z.object({
    bidMultiplierUp: Dec,
    bidMultiplierDown: Dec,
    askMultiplierUp: Dec,
    askMultiplierDown: Dec,
    avgPriceMins: Int,
  }),
  LOT_SIZE: z.object({ minQty: Dec, maxQty: Dec, stepSize: Dec }),
  MARKET_LOT_SIZE: z.object({ minQty: Dec, maxQty: Dec, stepSize: Dec }),
  MIN_NOTIONAL: z.object({ minNotional: Dec, applyToMarket: z.boolean(), avgPriceMins: Int }),
  NOTIONAL: z.object({
    minNotional: Dec,
    applyMinToMarket: z.boolean(),
    maxNotional: Dec,
    applyMaxToMarket: z.boolean(),
    avgPriceMins: Int,
  }),
  ICEBERG_PARTS: z.object({ limit: Int }),
  MAX_NUM_ORDERS: z.object({ maxNumOrders: Int }),
  MAX_NUM_ALGO_ORDERS: z.object({ maxNumAlgoOrders: Int }),
  MAX_NUM_ICEBERG_ORDERS: z.object({ maxNumIcebergOrders: Int }),
  MAX_POSITION: z.object({ maxPosition: Dec }),
  TRAILING_DELTA: z.object({
    minTrailingAboveDelta: Int,
    maxTrailingAboveDelta: Int,
    minTrailingBelowDelta: Int,
    maxTrailingBelowDelta: Int,
  }),
  MAX_NUM_ORDER_AMENDS: z.object({ maxNumOrderAmends: Int }),
  MAX_NUM_ORDER_LISTS: z.object({ maxNumOrderLists: Int }),
  EXCHANGE_MAX_NUM_ORDERS: z.object({ maxNumOrders: Int }),
  EXCHANGE_MAX_NUM_ALGO_ORDERS: z.object({ maxNumAlgoOrders: Int }),
  EXCHANGE_MAX_NUM_ICEBERG_ORDERS: z.object({ maxNumIcebergOrders: Int }),
  EXCHANGE_MAX_NUM_ORDER_LISTS: z.object({ maxNumOrderLists: Int }),
} as const;

type FilterName = keyof typeof filterSchemas;
type FilterOf<N extends FilterName> = z.infer<(typeof filterSchemas)[N]>;

export interface SymbolFilters {
  readonly price?: FilterOf<'PRICE_FILTER'>;
  readonly percentPrice?: FilterOf<'PERCENT_PRICE'>;
  readonly percentPriceBySide?: FilterOf<'PERCENT_PRICE_BY_SIDE'>;
  readonly lotSize?: FilterOf<'LOT_SIZE'>;
  readonly marketLotSize?: FilterOf<'MARKET_LOT_SIZE'>;
  readonly minNotional?: FilterOf<'MIN_NOTIONAL'>;
  readonly notional?: FilterOf<'NOTIONAL'>;
  readonly icebergParts?: FilterOf<'ICEBERG_PARTS'>;
  readonly maxNumOrders?: FilterOf<'MAX_NUM_ORDERS'>;
  readonly maxNumAlgoOrders?: FilterOf<'MAX_NUM_ALGO_ORDERS'>;
  readonly maxNumIcebergOrders?: FilterOf<'MAX_NUM_ICEBERG_ORDERS'>;
  readonly maxPosition?: FilterOf<'MAX_POSITION'>;
  readonly trailingDelta?: FilterOf<'TRAILING_DELTA'>;
  readonly maxNumOrderAmends?: FilterOf<'MAX_NUM_ORDER_AMENDS'>;
  readonly maxNumOrderLists?: FilterOf<'MAX_NUM_ORDER_LISTS'>;
  /** Filter types this client does not know, kept as sent so nothing is silently lost. */
  readonly unknown: readonly Readonly<Record<string, unknown>>[];
}

export interface ExchangeFilters {
  readonly maxNumOrders?: FilterOf<'EXCHANGE_MAX_NUM_ORDERS'>;
  readonly maxNumAlgoOrders?: FilterOf<'EXCHANGE_MAX_NUM_ALGO_ORDERS'>;
  readonly maxNumIcebergOrders?: FilterOf<'EXCHANGE_MAX_NUM_ICEBERG_ORDERS'>;
  readonly maxNumOrderLists?: FilterOf<'EXCHANGE_MAX_NUM_ORDER_LISTS'>;
  readonly unknown: readonly Readonly<Record<string, unknown>>[];
}

const SYMBOL_KEYS: Partial<Record<FilterName, keyof Omit<SymbolFilters, 'unknown'>>> = {
  PRICE_FILTER: 'price',
  PERCENT_PRICE: 'percentPrice',
  PERCENT_PRICE_BY_SIDE: 'percentPriceBySide',
  LOT_SIZE: 'lotSize',
  MARKET_LOT_SIZE: 'marketLotSize',
  MIN_NOTIONAL: 'minNotional',
  NOTIONAL: 'notional',
  ICEBERG_PARTS: 'icebergParts',
  MAX_NUM_ORDERS: 'maxNumOrders',
  MAX_NUM_ALGO_ORDERS: 'maxNumAlgoOrders',
  MAX_NUM_ICEBERG_ORDERS: 'maxNumIcebergOrders',
  MAX_POSITION: 'maxPosition',
  TRAILING_DELTA: 'trailingDelta',
  MAX_NUM_ORDER_AMENDS: 'maxNumOrderAmends',
  MAX_NUM_ORDER_LISTS: 'maxNumOrderLists',
};
const EXCHANGE_KEYS: Partial<Record<FilterName, keyof Omit<ExchangeFilters, 'unknown'>>> = {
  EXCHANGE_MAX_NUM_ORDERS: 'maxNumOrders',
  EXCHANGE_MAX_NUM_ALGO_ORDERS: 'maxNumAlgoOrders',
  EXCHANGE_MAX_NUM_ICEBERG_ORDERS: 'maxNumIcebergOrders',
  EXCHANGE_MAX_NUM_ORDER_LISTS: 'maxNumOrderLists',
};

/** Thrown when a known filter has an unexpected shape (the caller maps it to 'bad-response'). */
export class FilterParseError extends Error {
  constructor(
    readonly filterType: string,
    detail: string,
  ) {
    super(`exchangeInfo filter ${filterType} has an unexpected shape: ${detail}`);
    this.name = 'FilterParseError';
  }
}

function parseInto(
  raw: readonly unknown[],
  keys: Partial<Record<FilterName, string>>,
): { out: Record<string, unknown>; unknown: Record<string, unknown>[] } {
  const out: Record<string, unknown> = {};
  const unknown: Record<string, unknown>[] = [];
  for (const item of raw) {
    if (!item || typeof item !== 'object') continue;
    const obj = item as Record<string, unknown>;
    const type = typeof obj.filterType === 'string' ? obj.filterType : '';
    // Own keys only: a filterType such as "constructor" must not reach Object.prototype.
    const key = Object.hasOwn(keys, type) ? keys[type as FilterName] : undefined;
    if (!key) {
      unknown.push(obj);
      continue;
    }
    const parsed = filterSchemas[type as FilterName].safeParse(obj);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new FilterParseError(type, `${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
    }
    out[key] = parsed.data;
  }
  return { out, unknown };
}

export function parseSymbolFilters(raw: readonly unknown[]): SymbolFilters {
  const { out, unknown } = parseInto(raw, SYMBOL_KEYS);
  return { ...(out as Omit<SymbolFilters, 'unknown'>), unknown };
}

export function parseExchangeFilters(raw: readonly unknown[]): ExchangeFilters {
  const { out, unknown } = parseInto(raw, EXCHANGE_KEYS);
  return { ...(out as Omit<ExchangeFilters, 'unknown'>), unknown };
}

// ------------------------------------------------------------------------------------------
// Validation

export type OrderSide = 'BUY' | 'SELL';
export type OrderType = 'LIMIT' | 'MARKET' | 'STOP_LOSS' | 'STOP_LOSS_LIMIT' | 'TAKE_PROFIT' | 'TAKE_PROFIT_LIMIT' | 'LIMIT_MAKER';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';

export interface OrderDraft {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity?: string;
  readonly quoteOrderQty?: string;
  readonly price?: string;
  readonly stopPrice?: string;
  readonly timeInForce?: TimeInForce;
  readonly icebergQty?: string;
  /** BIPS (100 = 1 %), an integer. */
  readonly trailingDelta?: number;
}

export type DraftField =
  'symbol' | 'type' | 'quantity' | 'quoteOrderQty' | 'price' | 'stopPrice' | 'timeInForce' | 'icebergQty' | 'trailingDelta';

export interface FilterIssue {
  /** Filter name (LOT_SIZE, NOTIONAL, ...) or PARAMETERS / SYMBOL_STATUS / ORDER_TYPE for non-filter rules. */
  readonly filter: string;
  readonly field: DraftField;
  readonly message: string;
  /** The nearest valid value, as a plain decimal string, when there is one. */
  readonly suggestion?: string;
}

export interface FilterAdjustment {
  readonly filter: string;
  readonly field: DraftField;
  readonly from: string;
  readonly to: string;
  readonly message: string;
}

export interface ValidationContext {
  readonly filters: SymbolFilters;
  readonly exchangeFilters?: ExchangeFilters;
  /** Symbol status from exchangeInfo; anything but TRADING blocks new orders. */
  readonly status?: string;
  readonly orderTypes?: readonly string[];
  readonly quoteOrderQtyMarketAllowed?: boolean;
  readonly quoteAssetPrecision?: number;
  /** Named after order values in messages ("5 USDT"); absent: the figure alone. */
  readonly quoteAsset?: string;
  /** Reference / average price used for MARKET notional and PERCENT_PRICE checks. */
  readonly avgPrice?: string;
  readonly openOrders?: {
    readonly symbol?: number;
    readonly symbolAlgo?: number;
    readonly symbolIceberg?: number;
    readonly exchange?: number;
    readonly exchangeAlgo?: number;
  };
  /** Free + locked base asset + open BUY quantity, for MAX_POSITION. */
  readonly basePosition?: string;
  /** 'adjust' (default): off-grid quantity/price are fixed and reported; 'strict': they are issues. */
  readonly mode?: 'adjust' | 'strict';
}

export interface ValidationResult {
  readonly ok: boolean;
  /** The draft with every value normalised (adjusted when mode = 'adjust'); send this. */
  readonly order: OrderDraft;
  readonly issues: readonly FilterIssue[];
  readonly adjustments: readonly FilterAdjustment[];
}

const ALGO_TYPES = new Set<OrderType>(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);
const NEEDS_PRICE = new Set<OrderType>(['LIMIT', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT', 'LIMIT_MAKER']);
const NEEDS_TIF = new Set<OrderType>(['LIMIT', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT']);
// STOP_LOSS and TAKE_PROFIT execute as MARKET orders when triggered.
const MARKET_LIKE = new Set<OrderType>(['MARKET', 'STOP_LOSS', 'TAKE_PROFIT']);

const s = (d: DecimalInput): string => formatDecimal(d);

export function validateOrderDraft(draft: OrderDraft, ctx: ValidationContext): ValidationResult {
  const issues: FilterIssue[] = [];
  const adjustments: FilterAdjustment[] = [];
  const strict = ctx.mode === 'strict';
  const f = ctx.filters;
  const isBuy = draft.side === 'BUY';
  // What a person reads: prices at the tick, quantities at the step, values with separators.
  const px = (d: DecimalInput): string => formatPrice(d, f.price?.tickSize);
  const qx = (d: DecimalInput): string => formatQuantity(d, f.lotSize?.stepSize);
  const fieldText = (field: DraftField, d: DecimalInput): string => (field === 'price' || field === 'stopPrice' ? px(d) : qx(d));
  // A value compared with a limit is rounded away from it (and the limit towards the value's side),
  // so "below the minimum" never reads "5 USDT is below the minimum 5 USDT".
  const valueAs = (d: DecimalInput, rounding: 'down' | 'up'): string => {
    const text = formatFigure(d, { rounding });
    return ctx.quoteAsset ? `${text} ${ctx.quoteAsset}` : text;
  };
  const order: { -readonly [K in keyof OrderDraft]: OrderDraft[K] } = { symbol: draft.symbol, side: draft.side, type: draft.type };
  const issue = (filter: string, field: DraftField, message: string, suggestion?: DecimalInput): void => {
    issues.push(suggestion === undefined ? { filter, field, message } : { filter, field, message, suggestion: s(suggestion) });
  };

  if (ctx.status !== undefined && ctx.status !== 'TRADING') {
    issue(
      'SYMBOL_STATUS',
      'symbol',
      ctx.status === 'CANCEL_ONLY'
        ? `${draft.symbol} is in cancel-only mode: open orders can be cancelled, but no new orders are accepted.`
        : `${draft.symbol} is not trading right now (status ${ctx.status}); new orders are not accepted.`,
    );
  }
  if (ctx.orderTypes && !ctx.orderTypes.includes(draft.type)) {
    issue('ORDER_TYPE', 'type', `${draft.symbol} does not accept ${draft.type} orders (allowed: ${ctx.orderTypes.join(', ')}).`);
  }

  // --- presence and syntax of the fields the order type needs (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § New order, its table of mandatory parameters)
  const positive = (field: 'quantity' | 'quoteOrderQty' | 'price' | 'stopPrice' | 'icebergQty'): Decimal | undefined => {
    const raw = draft[field];
    if (raw === undefined || raw.trim() === '') return undefined;
    const d = parseDecimal(raw);
    if (!d || !d.isFinite()) {
      issue('PARAMETERS', field, `${label(field)} is not a number: use digits and one decimal point, like 0.0012.`);
      return undefined;
    }
    if (d.lte(0)) {
      issue('PARAMETERS', field, `${label(field)} must be greater than zero.`);
      return undefined;
    }
    return d;
  };
  let qty = positive('quantity');
  let quoteQty = positive('quoteOrderQty');
  let price = positive('price');
  let stop = positive('stopPrice');
  let iceberg = positive('icebergQty');
  const hasRaw = (field: keyof OrderDraft): boolean => draft[field] !== undefined && String(draft[field]).trim() !== '';

  if (draft.type === 'MARKET') {
    if (hasRaw('quantity') && hasRaw('quoteOrderQty'))
      issue('PARAMETERS', 'quoteOrderQty', 'A market order takes either a quantity or an amount to spend, not both.');
    else if (!hasRaw('quantity') && !hasRaw('quoteOrderQty')) issue('PARAMETERS', 'quantity', 'Enter a quantity, or an amount to spend.');
    if (hasRaw('quoteOrderQty') && ctx.quoteOrderQtyMarketAllowed === false)
      issue('PARAMETERS', 'quoteOrderQty', `${draft.symbol} does not accept market orders by amount; enter a quantity instead.`);
  } else {
    if (!hasRaw('quantity')) issue('PARAMETERS', 'quantity', 'Enter a quantity.');
    if (hasRaw('quoteOrderQty')) issue('PARAMETERS', 'quoteOrderQty', 'An amount to spend is only possible on market orders.');
  }
  if (NEEDS_PRICE.has(draft.type) && !hasRaw('price')) issue('PARAMETERS', 'price', 'Enter a limit price.');
  if (!NEEDS_PRICE.has(draft.type) && hasRaw('price')) issue('PARAMETERS', 'price', `${draft.type} orders have no limit price.`);
  if (ALGO_TYPES.has(draft.type) && !hasRaw('stopPrice') && draft.trailingDelta === undefined)
    issue('PARAMETERS', 'stopPrice', 'Enter a stop (trigger) price.');
  if (!ALGO_TYPES.has(draft.type) && hasRaw('stopPrice')) issue('PARAMETERS', 'stopPrice', `${draft.type} orders have no stop price.`);
  if (NEEDS_TIF.has(draft.type)) {
    order.timeInForce = draft.timeInForce ?? 'GTC';
  } else if (draft.timeInForce !== undefined) {
    issue('PARAMETERS', 'timeInForce', `${draft.type} orders do not take a time-in-force.`);
  }
  if (draft.trailingDelta !== undefined && (!Number.isSafeInteger(draft.trailingDelta) || draft.trailingDelta <= 0)) {
    issue('PARAMETERS', 'trailingDelta', 'The trailing delta is a whole number of basis points (100 = 1 %).');
  }

  // --- PRICE_FILTER on price and stopPrice
  const priceFilter = (field: 'price' | 'stopPrice', value: Decimal | undefined): Decimal | undefined => {
    const pf = f.price;
    if (!value || !pf) return value;
    let v = value;
    if (!isMultipleOf(v, pf.tickSize)) {
      const snapped = snapToTick(v, pf.tickSize, isBuy ? 'down' : 'up');
      if (snapped.lte(0)) {
        const smallest = Decimal.max(ceilToStep(pf.minPrice, pf.tickSize), dec(pf.tickSize));
        issue('PRICE_FILTER', field, `${label(field)} is below the minimum ${px(smallest)}.`, smallest);
        return v;
      }
      if (strict) {
        issue('PRICE_FILTER', field, `${label(field)} must be a multiple of the tick size ${px(pf.tickSize)}.`, snapped);
        return v;
      }
      adjustments.push({
        filter: 'PRICE_FILTER',
        field,
        from: s(v),
        to: s(snapped),
        message: `${label(field)} rounded ${isBuy ? 'down' : 'up'} to the tick size ${px(pf.tickSize)}.`,
      });
      v = snapped;
    }
    if (!dec(pf.minPrice).isZero() && v.lt(pf.minPrice))
      issue('PRICE_FILTER', field, `${label(field)} is below the minimum ${px(pf.minPrice)}.`, pf.minPrice);
    if (!dec(pf.maxPrice).isZero() && v.gt(pf.maxPrice))
      issue('PRICE_FILTER', field, `${label(field)} is above the maximum ${px(pf.maxPrice)}.`, pf.maxPrice);
    return v;
  };
  price = priceFilter('price', price);
  stop = priceFilter('stopPrice', stop);

  // --- LOT_SIZE (every order) and MARKET_LOT_SIZE (market orders) on quantity
  const lot = (
    filter: 'LOT_SIZE' | 'MARKET_LOT_SIZE',
    field: 'quantity' | 'icebergQty',
    value: Decimal | undefined,
    lf: FilterOf<'LOT_SIZE'> | undefined,
  ): Decimal | undefined => {
    if (!value || !lf) return value;
    let v = value;
    if (!isMultipleOf(v, lf.stepSize)) {
      const floored = floorToStep(v, lf.stepSize);
      if (floored.lte(0)) {
        const smallest = Decimal.max(ceilToStep(lf.minQty, lf.stepSize), dec(lf.stepSize));
        issue(filter, field, `${label(field)} is below the minimum ${fieldText(field, smallest)}.`, smallest);
        return v;
      }
      if (strict) {
        issue(filter, field, `${label(field)} must be a multiple of the step size ${qx(lf.stepSize)}.`, floored);
        return v;
      }
      adjustments.push({
        filter,
        field,
        from: s(v),
        to: s(floored),
        message: `${label(field)} rounded down to the step size ${qx(lf.stepSize)}.`,
      });
      v = floored;
    }
    if (v.lt(lf.minQty)) issue(filter, field, `${label(field)} is below the minimum ${qx(lf.minQty)}.`, lf.minQty);
    if (!dec(lf.maxQty).isZero() && v.gt(lf.maxQty))
      issue(
        filter,
        field,
        `${label(field)} is above the maximum ${qx(lf.maxQty)}${filter === 'MARKET_LOT_SIZE' ? ' for market orders' : ''}.`,
        floorToStep(lf.maxQty, lf.stepSize),
      );
    return v;
  };
  qty = lot('LOT_SIZE', 'quantity', qty, f.lotSize);
  if (MARKET_LIKE.has(draft.type)) qty = lot('MARKET_LOT_SIZE', 'quantity', qty, f.marketLotSize);
  iceberg = lot('LOT_SIZE', 'icebergQty', iceberg, f.lotSize);

  if (quoteQty && ctx.quoteAssetPrecision !== undefined && quoteQty.decimalPlaces() > ctx.quoteAssetPrecision) {
    const floored = quoteQty.toDecimalPlaces(ctx.quoteAssetPrecision, Decimal.ROUND_DOWN);
    if (strict || floored.lte(0))
      issue(
        'PARAMETERS',
        'quoteOrderQty',
        `The amount has more than ${ctx.quoteAssetPrecision} decimals.`,
        floored.gt(0) ? floored : undefined,
      );
    else {
      adjustments.push({
        filter: 'PARAMETERS',
        field: 'quoteOrderQty',
        from: s(quoteQty),
        to: s(floored),
        message: `Amount rounded down to ${ctx.quoteAssetPrecision} decimals.`,
      });
      quoteQty = floored;
    }
  }

  // --- notional (price x quantity)
  const isMarketLike = MARKET_LIKE.has(draft.type);
  const refPrice = ctx.avgPrice !== undefined ? parseDecimal(ctx.avgPrice) : undefined;
  const notionalPrice = isMarketLike ? (draft.type === 'MARKET' ? refPrice : (stop ?? refPrice)) : price;
  const notional = quoteQty ?? (qty && notionalPrice ? qty.mul(notionalPrice) : undefined);
  const step = f.lotSize?.stepSize ?? '0';
  const qtyFor = (target: Decimal, up: boolean): Decimal | undefined => {
    if (quoteQty || !notionalPrice || notionalPrice.isZero()) return quoteQty ? target : undefined;
    const raw = target.div(notionalPrice);
    return up ? ceilToStep(raw, step) : floorToStep(raw, step);
  };
  const notionalField: DraftField = quoteQty ? 'quoteOrderQty' : 'quantity';
  if (notional) {
    const nf = f.notional;
    if (nf) {
      if ((!isMarketLike || nf.applyMinToMarket) && notional.lt(nf.minNotional)) {
        issue(
          'NOTIONAL',
          notionalField,
          `The order value ${valueAs(notional, 'down')} is below the minimum ${valueAs(nf.minNotional, 'up')}.`,
          qtyFor(dec(nf.minNotional), true),
        );
      }
      if ((!isMarketLike || nf.applyMaxToMarket) && !dec(nf.maxNotional).isZero() && notional.gt(nf.maxNotional)) {
        issue(
          'NOTIONAL',
          notionalField,
          `The order value ${valueAs(notional, 'up')} is above the maximum ${valueAs(nf.maxNotional, 'down')}.`,
          qtyFor(dec(nf.maxNotional), false),
        );
      }
    }
    const mf = f.minNotional;
    if (mf && (!isMarketLike || mf.applyToMarket) && notional.lt(mf.minNotional)) {
      issue(
        'MIN_NOTIONAL',
        notionalField,
        `The order value ${valueAs(notional, 'down')} is below the minimum ${valueAs(mf.minNotional, 'up')}.`,
        qtyFor(dec(mf.minNotional), true),
      );
    }
  }

  // --- percent price, against the reference / average price
  if (price && refPrice && refPrice.gt(0)) {
    const tick = f.price?.tickSize ?? '0';
    const range = (filter: string, up: string, down: string): void => {
      const hi = floorToStep(refPrice.mul(up), tick);
      const lo = ceilToStep(refPrice.mul(down), tick);
      if (price && price.gt(refPrice.mul(up)))
        issue(filter, 'price', `The price is more than ${pct(up)} above the recent average price ${px(refPrice)}.`, hi);
      if (price && price.lt(refPrice.mul(down)))
        issue(filter, 'price', `The price is more than ${pct(down, true)} below the recent average price ${px(refPrice)}.`, lo);
    };
    const ps = f.percentPriceBySide;
    if (ps)
      range('PERCENT_PRICE_BY_SIDE', isBuy ? ps.bidMultiplierUp : ps.askMultiplierUp, isBuy ? ps.bidMultiplierDown : ps.askMultiplierDown);
    if (f.percentPrice) range('PERCENT_PRICE', f.percentPrice.multiplierUp, f.percentPrice.multiplierDown);
  }

  // --- iceberg parts, trailing delta, position, open order counts
  if (iceberg && qty && f.icebergParts) {
    const parts = qty.div(iceberg).ceil();
    if (parts.gt(f.icebergParts.limit))
      issue(
        'ICEBERG_PARTS',
        'icebergQty',
        `An iceberg order can have at most ${f.icebergParts.limit} parts; this one would have ${formatAmount(parts)}.`,
        ceilToStep(qty.div(f.icebergParts.limit), step),
      );
  }
  if (draft.trailingDelta !== undefined && f.trailingDelta && ALGO_TYPES.has(draft.type)) {
    const above = (draft.type.startsWith('STOP_LOSS') && isBuy) || (draft.type.startsWith('TAKE_PROFIT') && !isBuy);
    const min = above ? f.trailingDelta.minTrailingAboveDelta : f.trailingDelta.minTrailingBelowDelta;
    const max = above ? f.trailingDelta.maxTrailingAboveDelta : f.trailingDelta.maxTrailingBelowDelta;
    if (draft.trailingDelta < min)
      issue('TRAILING_DELTA', 'trailingDelta', `The trailing delta must be at least ${min} basis points.`, String(min));
    if (draft.trailingDelta > max)
      issue('TRAILING_DELTA', 'trailingDelta', `The trailing delta must be at most ${max} basis points.`, String(max));
  }
  if (isBuy && qty && f.maxPosition && ctx.basePosition !== undefined) {
    const position = dec(ctx.basePosition).plus(qty);
    if (position.gt(f.maxPosition.maxPosition)) {
      const room = floorToStep(Decimal.max(0, dec(f.maxPosition.maxPosition).minus(ctx.basePosition)), step);
      issue(
        'MAX_POSITION',
        'quantity',
        `This buy would take your position above the maximum ${qx(f.maxPosition.maxPosition)}.`,
        room.gt(0) ? room : undefined,
      );
    }
  }
  const open = ctx.openOrders;
  if (open) {
    if (f.maxNumOrders && open.symbol !== undefined && open.symbol >= f.maxNumOrders.maxNumOrders) {
      issue(
        'MAX_NUM_ORDERS',
        'symbol',
        `You already have ${open.symbol} open orders on ${draft.symbol}, the most allowed (${f.maxNumOrders.maxNumOrders}). Cancel one first.`,
      );
    }
    if (
      ALGO_TYPES.has(draft.type) &&
      f.maxNumAlgoOrders &&
      open.symbolAlgo !== undefined &&
      open.symbolAlgo >= f.maxNumAlgoOrders.maxNumAlgoOrders
    ) {
      issue(
        'MAX_NUM_ALGO_ORDERS',
        'type',
        `You already have ${open.symbolAlgo} open stop/take-profit orders on ${draft.symbol}, the most allowed. Cancel one first.`,
      );
    }
    if (
      iceberg &&
      f.maxNumIcebergOrders &&
      open.symbolIceberg !== undefined &&
      open.symbolIceberg >= f.maxNumIcebergOrders.maxNumIcebergOrders
    ) {
      issue('MAX_NUM_ICEBERG_ORDERS', 'icebergQty', `You already have the most open iceberg orders allowed on ${draft.symbol}.`);
    }
    const ex = ctx.exchangeFilters;
    if (ex?.maxNumOrders && open.exchange !== undefined && open.exchange >= ex.maxNumOrders.maxNumOrders) {
      issue(
        'EXCHANGE_MAX_NUM_ORDERS',
        'symbol',
        `You already have ${open.exchange} open orders across Binance, the most allowed. Cancel one first.`,
      );
    }
    if (
      ALGO_TYPES.has(draft.type) &&
      ex?.maxNumAlgoOrders &&
      open.exchangeAlgo !== undefined &&
      open.exchangeAlgo >= ex.maxNumAlgoOrders.maxNumAlgoOrders
    ) {
      issue('EXCHANGE_MAX_NUM_ALGO_ORDERS', 'type', 'You already have the most open stop/take-profit orders allowed across Binance.');
    }
  }

  if (qty) order.quantity = s(qty);
  if (quoteQty) order.quoteOrderQty = s(quoteQty);
  if (price) order.price = s(price);
  if (stop) order.stopPrice = s(stop);
  if (iceberg) order.icebergQty = s(iceberg);
  if (draft.trailingDelta !== undefined) order.trailingDelta = draft.trailingDelta;
  return { ok: issues.length === 0, order, issues, adjustments };
}

function label(field: DraftField): string {
  switch (field) {
    case 'quantity':
      return 'The quantity';
    case 'quoteOrderQty':
      return 'The total';
    case 'price':
      return 'The price';
    case 'stopPrice':
      return 'The stop price';
    case 'icebergQty':
      return 'The visible (iceberg) quantity';
    default:
      return `The ${field}`;
  }
}

function pct(multiplier: string, below = false): string {
  const m = dec(multiplier);
  return `${s((below ? new Decimal(1).minus(m) : m.minus(1)).mul(100).toDecimalPlaces(2))} %`;
}
