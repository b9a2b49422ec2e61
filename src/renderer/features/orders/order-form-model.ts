/**
 * The order form as data: what the person typed, the draft sent to pre-flight, and the price
 * shortcuts. Nothing here changes a value on its own; every function returns what a click would
 * set, and the form applies it only on that click.
 */
import type {
  ConfirmedOrder,
  DraftField,
  FormOrderType,
  MarketQuote,
  OrderDraftInput,
  OrderSide,
  TimeInForce,
} from '../../../shared/domain/orders';
import { Decimal, dec, formatDecimal, snapToTick } from '../../../shared/money';

export type MarketBy = 'quantity' | 'quote';

export interface FormValues {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: FormOrderType;
  /** MARKET only: an amount of the base asset, or a total in the quote asset. */
  readonly marketBy: MarketBy;
  readonly quantity: string;
  readonly quoteOrderQty: string;
  readonly price: string;
  readonly stopPrice: string;
  readonly stopLimitPrice: string;
  readonly timeInForce: TimeInForce;
  readonly stopLimitTimeInForce: TimeInForce;
}

export const EMPTY_FORM: FormValues = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  marketBy: 'quantity',
  quantity: '',
  quoteOrderQty: '',
  price: '',
  stopPrice: '',
  stopLimitPrice: '',
  timeInForce: 'GTC',
  stopLimitTimeInForce: 'GTC',
};

export const ORDER_TYPES: readonly { readonly type: FormOrderType; readonly label: string; readonly hint: string }[] = [
  { type: 'LIMIT', label: 'Limit', hint: 'At your price or better; waits in the book until it fills.' },
  { type: 'MARKET', label: 'Market', hint: 'At once, at the best prices available now.' },
  { type: 'STOP_LOSS_LIMIT', label: 'Stop-loss limit', hint: 'A limit order placed when the market reaches the stop price.' },
  {
    type: 'TAKE_PROFIT_LIMIT',
    label: 'Take-profit limit',
    hint: 'A limit order placed when the market reaches the stop price, in your favour.',
  },
  { type: 'LIMIT_MAKER', label: 'Limit maker', hint: 'Post-only: rejected instead of trading at once as a taker.' },
  { type: 'OCO', label: 'OCO', hint: 'One cancels the other: a limit maker and a stop-limit; when one trades the other is canceled.' },
];

/** Which inputs the type shows. */
export function fieldsOf(type: FormOrderType, marketBy: MarketBy): ReadonlySet<DraftField> {
  switch (type) {
    case 'LIMIT':
      return new Set(['quantity', 'price', 'timeInForce']);
    case 'LIMIT_MAKER':
      return new Set(['quantity', 'price']);
    case 'MARKET':
      return new Set([marketBy === 'quote' ? 'quoteOrderQty' : 'quantity']);
    case 'STOP_LOSS_LIMIT':
    case 'TAKE_PROFIT_LIMIT':
      return new Set(['quantity', 'price', 'stopPrice', 'timeInForce']);
    case 'OCO':
      return new Set(['quantity', 'price', 'stopPrice', 'stopLimitPrice', 'stopLimitTimeInForce']);
  }
}

/** The pre-flight draft: only the fields the type takes, exactly as typed (main explains bad ones). */
export function draftOf(v: FormValues): OrderDraftInput {
  const f = fieldsOf(v.type, v.marketBy);
  const draft: { -readonly [K in keyof OrderDraftInput]: OrderDraftInput[K] } = { symbol: v.symbol, side: v.side, type: v.type };
  if (f.has('quantity')) draft.quantity = v.quantity;
  if (f.has('quoteOrderQty')) draft.quoteOrderQty = v.quoteOrderQty;
  if (f.has('price')) draft.price = v.price;
  if (f.has('stopPrice')) draft.stopPrice = v.stopPrice;
  if (f.has('stopLimitPrice')) draft.stopLimitPrice = v.stopLimitPrice;
  if (f.has('timeInForce')) draft.timeInForce = v.timeInForce;
  if (f.has('stopLimitTimeInForce')) draft.stopLimitTimeInForce = v.stopLimitTimeInForce;
  return draft;
}

/** A stable text of a draft or order, to tell whether an answer belongs to what is on screen. */
export function keyOf(d: OrderDraftInput | ConfirmedOrder): string {
  const entries = Object.entries(d)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(entries);
}

/** A symbol as the person typed it: upper case, letters and digits only. */
export function normaliseSymbol(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

export function isSymbolCode(text: string): boolean {
  return /^[A-Z0-9]{2,30}$/.test(text);
}

/** What the symbol list shows: the matches and the (normalised) text they answer. */
export interface SymbolSuggestions {
  readonly query: string;
  readonly symbols: readonly string[];
}

/**
 * What Enter in the symbol box picks (issue 8, B11): the option the person moved to with the
 * arrow keys, when it belongs to the list for what is typed now; otherwise the exact match of
 * what is typed, or nothing. A list for an older text (the person typed or pasted since) is never
 * used: 'ask' means the list for this text has not arrived, so the caller asks for it first.
 */
export function symbolOnEnter(text: string, list: SymbolSuggestions | null, active: number): { pick: string } | 'ask' | null {
  const typed = normaliseSymbol(text);
  if (!isSymbolCode(typed)) return null;
  if (list === null || list.query !== typed) return 'ask';
  const highlighted = active >= 0 ? list.symbols[active] : undefined;
  if (highlighted !== undefined) return { pick: highlighted };
  return list.symbols.includes(typed) ? { pick: typed } : null;
}

/** Set one field as a correction or a shortcut would. */
export function withField(v: FormValues, field: DraftField, value: string): FormValues {
  switch (field) {
    case 'quantity':
      return { ...v, quantity: value };
    case 'quoteOrderQty':
      return { ...v, quoteOrderQty: value, marketBy: 'quote' };
    case 'price':
      return { ...v, price: value };
    case 'stopPrice':
      return { ...v, stopPrice: value };
    case 'stopLimitPrice':
      return { ...v, stopLimitPrice: value };
    case 'timeInForce':
      return isTif(value) ? { ...v, timeInForce: value } : v;
    case 'stopLimitTimeInForce':
      return isTif(value) ? { ...v, stopLimitTimeInForce: value } : v;
    case 'symbol':
      return { ...v, symbol: normaliseSymbol(value) };
    case 'side':
      return value === 'BUY' || value === 'SELL' ? { ...v, side: value } : v;
    case 'type':
      return ORDER_TYPES.some((t) => t.type === value) ? { ...v, type: value as FormOrderType } : v;
  }
}

function isTif(v: string): v is TimeInForce {
  return v === 'GTC' || v === 'IOC' || v === 'FOK';
}

export interface PriceShortcut {
  readonly label: string;
  readonly value: string;
  readonly title: string;
}

/**
 * Price shortcuts from the live quote: last, bid, ask and last ±1 % / ±5 %, each on the tick
 * grid (percent steps round toward the market so a click never lands past the percentage).
 */
export function priceShortcuts(quote: MarketQuote | null | undefined, tickSize: string | null | undefined): PriceShortcut[] {
  if (!quote) return [];
  const out: PriceShortcut[] = [];
  const tick = tickSize && dec(tickSize).gt(0) ? tickSize : null;
  const onGrid = (d: Decimal, dir: 'down' | 'up' | 'nearest'): string => formatDecimal(tick ? snapToTick(d, tick, dir) : d);
  if (quote.last) out.push({ label: 'Last', value: onGrid(dec(quote.last), 'nearest'), title: 'The last traded price' });
  if (quote.bid) out.push({ label: 'Bid', value: onGrid(dec(quote.bid), 'nearest'), title: 'The best bid (highest buy order)' });
  if (quote.ask) out.push({ label: 'Ask', value: onGrid(dec(quote.ask), 'nearest'), title: 'The best ask (lowest sell order)' });
  if (quote.last) {
    const last = dec(quote.last);
    for (const pct of [-5, -1, 1, 5]) {
      const raw = last.mul(new Decimal(100).plus(pct)).div(100);
      const v = onGrid(raw, pct < 0 ? 'up' : 'down');
      if (dec(v).gt(0))
        out.push({
          label: `${pct > 0 ? '+' : '−'}${Math.abs(pct)} %`,
          value: v,
          title: `${Math.abs(pct)} % ${pct > 0 ? 'above' : 'below'} the last price`,
        });
    }
  }
  return out;
}

/** Which price fields take shortcuts for a type (the primary limit price first). */
export function priceFieldsOf(type: FormOrderType): readonly DraftField[] {
  switch (type) {
    case 'LIMIT':
    case 'LIMIT_MAKER':
      return ['price'];
    case 'MARKET':
      return [];
    case 'STOP_LOSS_LIMIT':
    case 'TAKE_PROFIT_LIMIT':
      return ['stopPrice', 'price'];
    case 'OCO':
      return ['price', 'stopPrice', 'stopLimitPrice'];
  }
}

/** A status in words for tables. */
export function statusLabel(status: string): string {
  switch (status) {
    case 'NEW':
      return 'Open';
    case 'PARTIALLY_FILLED':
      return 'Partly filled';
    case 'FILLED':
      return 'Filled';
    case 'CANCELED':
      return 'Canceled';
    case 'PENDING_CANCEL':
      return 'Canceling';
    case 'REJECTED':
      return 'Rejected';
    case 'EXPIRED':
      return 'Expired';
    case 'EXPIRED_IN_MATCH':
      return 'Expired (self-trade prevention)';
    case 'PENDING_NEW':
      return 'Pending';
    default:
      return status;
  }
}

export function typeLabel(type: string): string {
  switch (type) {
    case 'LIMIT':
      return 'Limit';
    case 'MARKET':
      return 'Market';
    case 'STOP_LOSS':
      return 'Stop-loss';
    case 'STOP_LOSS_LIMIT':
      return 'Stop-loss limit';
    case 'TAKE_PROFIT':
      return 'Take-profit';
    case 'TAKE_PROFIT_LIMIT':
      return 'Take-profit limit';
    case 'LIMIT_MAKER':
      return 'Limit maker';
    case 'OCO':
      return 'OCO';
    default:
      return type;
  }
}

/** What the outcome badge says. */
export function outcomeLabel(status: string): string {
  switch (status) {
    case 'sending':
      return 'Sending…';
    case 'unknown':
      return 'Outcome unknown — checking…';
    case 'accepted':
      return 'Accepted';
    case 'partially-filled':
      return 'Partially filled';
    case 'filled':
      return 'Filled';
    case 'canceled':
      return 'Canceled';
    case 'expired':
      return 'Expired';
    case 'rejected':
      return 'Rejected';
    case 'not-placed':
      return 'Not placed';
    default:
      return status;
  }
}
