/**
 * Symbol filters (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/filters.md). Each violated rule is "-1013 Filter failure: <NAME>"; the order
 * of checks follows the symbol's filter list, so the first failing filter is reported.
 */
import { errors } from '../errors';
import type { SymbolInfo } from '../types';
import { Decimal, ZERO, dec } from '../account/money';

type Filter = Readonly<Record<string, string | number | boolean>>;

export interface FilterSubject {
  readonly side: 'BUY' | 'SELL';
  readonly type: string;
  readonly price?: Decimal;
  readonly stopPrice?: Decimal;
  readonly quantity?: Decimal;
  readonly quoteOrderQty?: Decimal;
  readonly icebergQty?: Decimal;
}

export interface FilterEnv {
  /** Price used for MARKET notional and PERCENT_PRICE: average over `mins` (last price when 0). */
  refPrice(mins: number): Decimal;
  /** Open orders of the account on this symbol. */
  readonly open: { total: number; algo: number; iceberg: number; lists: number };
  /** What this request adds. */
  readonly adds: { total: number; algo: number; iceberg: number; lists: number };
  /** free + locked base asset + quantity of open BUY orders (MAX_POSITION). */
  readonly position: Decimal;
}

export const ALGO_TYPES = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);

const num = (f: Filter, key: string): Decimal => {
  const v = f[key];
  return typeof v === 'string' || typeof v === 'number' ? dec(v) : ZERO;
};
const flag = (f: Filter, key: string, fallback: boolean): boolean => (typeof f[key] === 'boolean' ? (f[key] as boolean) : fallback);

export function filterValue(info: SymbolInfo, type: string, key: string): Decimal | undefined {
  const f = info.filters.find((x) => x['filterType'] === type);
  return f ? num(f, key) : undefined;
}

/** Quantity step for executing MARKET orders: MARKET_LOT_SIZE's if set, else LOT_SIZE's. */
export function marketStep(info: SymbolInfo): Decimal {
  const m = filterValue(info, 'MARKET_LOT_SIZE', 'stepSize');
  if (m && m.gt(0)) return m;
  return filterValue(info, 'LOT_SIZE', 'stepSize') ?? ZERO;
}

export function lotStep(info: SymbolInfo): Decimal {
  return filterValue(info, 'LOT_SIZE', 'stepSize') ?? ZERO;
}

const onStep = (value: Decimal, step: Decimal): boolean => step.isZero() || value.mod(step).isZero();

function lotOk(f: Filter, qty: Decimal): boolean {
  const min = num(f, 'minQty');
  const max = num(f, 'maxQty');
  const step = num(f, 'stepSize');
  if (qty.lessThan(min)) return false;
  if (max.gt(0) && qty.greaterThan(max)) return false;
  // Binance's rule is (quantity - minQty) % stepSize == 0; with minQty on the step grid this equals qty % step.
  return step.isZero() || qty.minus(min).mod(step).isZero();
}

function priceOk(f: Filter, price: Decimal): boolean {
  const min = num(f, 'minPrice');
  const max = num(f, 'maxPrice');
  const tick = num(f, 'tickSize');
  if (min.gt(0) && price.lessThan(min)) return false;
  if (max.gt(0) && price.greaterThan(max)) return false;
  return onStep(price, tick);
}

export function checkFilters(info: SymbolInfo, o: FilterSubject, env: FilterEnv): void {
  const isMarket = o.type === 'MARKET';
  const hasLimitPrice = o.price !== undefined && !isMarket;
  const mins = (f: Filter): number => Number(num(f, 'avgPriceMins').toString());
  const notionalOf = (f: Filter): Decimal | undefined => {
    if (o.quoteOrderQty) return o.quoteOrderQty;
    if (!o.quantity) return undefined;
    if (hasLimitPrice && o.price) return o.price.mul(o.quantity);
    const ref = o.stopPrice ?? env.refPrice(mins(f));
    return ref.mul(o.quantity);
  };
  for (const f of info.filters) {
    const name = String(f['filterType']);
    const fail = () => errors.filterFailure(name);
    switch (name) {
      case 'PRICE_FILTER':
        if (hasLimitPrice && o.price && !priceOk(f, o.price)) throw fail();
        if (o.stopPrice && !priceOk(f, o.stopPrice)) throw fail();
        break;
      case 'PERCENT_PRICE': {
        if (!hasLimitPrice || !o.price) break;
        const ref = env.refPrice(mins(f));
        if (o.price.greaterThan(ref.mul(num(f, 'multiplierUp'))) || o.price.lessThan(ref.mul(num(f, 'multiplierDown')))) throw fail();
        break;
      }
      case 'PERCENT_PRICE_BY_SIDE': {
        if (!hasLimitPrice || !o.price) break;
        const ref = env.refPrice(mins(f));
        const up = num(f, o.side === 'BUY' ? 'bidMultiplierUp' : 'askMultiplierUp');
        const down = num(f, o.side === 'BUY' ? 'bidMultiplierDown' : 'askMultiplierDown');
        if (o.price.greaterThan(ref.mul(up)) || o.price.lessThan(ref.mul(down))) throw fail();
        break;
      }
      case 'LOT_SIZE':
        if (o.quantity && !lotOk(f, o.quantity)) throw fail();
        if (o.icebergQty && !lotOk(f, o.icebergQty)) throw fail();
        break;
      case 'MARKET_LOT_SIZE':
        if (isMarket && o.quantity && !lotOk(f, o.quantity)) throw fail();
        break;
      case 'MIN_NOTIONAL': {
        if (isMarket && !flag(f, 'applyToMarket', true)) break;
        const n = notionalOf(f);
        if (n && n.lessThan(num(f, 'minNotional'))) throw fail();
        break;
      }
      case 'NOTIONAL': {
        const n = notionalOf(f);
        if (!n) break;
        const applyMin = !isMarket || flag(f, 'applyMinToMarket', true);
        const applyMax = !isMarket || flag(f, 'applyMaxToMarket', false);
        if (applyMin && n.lessThan(num(f, 'minNotional'))) throw fail();
        const max = num(f, 'maxNotional');
        if (applyMax && max.gt(0) && n.greaterThan(max)) throw fail();
        break;
      }
      case 'ICEBERG_PARTS':
        if (o.icebergQty && o.quantity && o.icebergQty.gt(0)) {
          if (o.quantity.div(o.icebergQty).ceil().greaterThan(num(f, 'limit'))) throw fail();
        }
        break;
      case 'MAX_NUM_ORDERS':
        if (env.open.total + env.adds.total > Number(num(f, 'maxNumOrders').toString())) throw fail();
        break;
      case 'MAX_NUM_ALGO_ORDERS':
        if (env.adds.algo > 0 && env.open.algo + env.adds.algo > Number(num(f, 'maxNumAlgoOrders').toString())) throw fail();
        break;
      case 'MAX_NUM_ICEBERG_ORDERS':
        if (env.adds.iceberg > 0 && env.open.iceberg + env.adds.iceberg > Number(num(f, 'maxNumIcebergOrders').toString())) throw fail();
        break;
      case 'MAX_NUM_ORDER_LISTS':
        if (env.adds.lists > 0 && env.open.lists + env.adds.lists > Number(num(f, 'maxNumOrderLists').toString())) throw fail();
        break;
      case 'MAX_POSITION':
        if (o.side === 'BUY' && env.position.plus(o.quantity ?? ZERO).greaterThan(num(f, 'maxPosition'))) throw fail();
        break;
      default:
        // TRAILING_DELTA (trailing stops are refused earlier), MAX_NUM_ORDER_AMENDS (no amend endpoint).
        break;
    }
  }
}
