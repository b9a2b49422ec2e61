/**
 * Valuation: what each balance is worth in the chosen quote currency, and through which
 * markets that number was obtained.
 *
 * Rules a user of a trading tool relies on:
 * - a value is only ever derived from real last prices along a real route of TRADING markets
 *   (direct pair, inverse pair, or a bridge through a liquid asset); when no route exists the
 *   holding says "no price" (`price: null`, route 'none'), never a guessed number;
 * - the 24 h change is computed along the same route as the price (product of the legs' open
 *   prices), so price and change never disagree about which markets they came from;
 * - every price carries its freshness: a holding valued through a stale leg is stale.
 *
 * The route table is built once per symbol-list change (it scans every symbol); valuing a
 * holding per tick is a handful of decimal multiplications.
 */
import Decimal from 'decimal.js';

/** Decimal arithmetic local to valuation: high precision, never exponent notation in output. */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -100, toExpPos: 100 });
type Dec = InstanceType<typeof D>;

/** Percentages need no 40 digits; a short division is much cheaper across thousands of holdings. */
const DP = Decimal.clone({ precision: 12, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -100, toExpPos: 100 });

const ZERO = new D(0);
const ONE = new D(1);
const HUNDRED = new D(100);

/** Significant digits kept in a derived price (1/x and bridge products are not exact). */
const PRICE_SIGNIFICANT_DIGITS = 12;
/** Decimal places kept in a value in the quote currency. */
const VALUE_DECIMALS = 8;
/**
 * Decimal places kept in percentages (24 h change, share). Two places is what a person reads,
 * and it keeps a holding's share from "changing" on every tick of an unrelated market, which
 * keeps the coalesced deltas to the renderer small.
 */
const PERCENT_DECIMALS = 2;

/** Bridge assets in order of preference: most liquid first, stablecoins as a fallback. */
export const DEFAULT_BRIDGES: readonly string[] = ['BTC', 'ETH', 'BNB', 'USDT', 'USDC', 'FDUSD'];

export interface BalanceInput {
  readonly asset: string;
  readonly free: string;
  readonly locked: string;
}

export interface SymbolInput {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** Only 'TRADING' symbols carry prices worth valuing with. */
  readonly status: string;
}

/** The latest ticker of one market, as the market streams deliver it. */
export interface PriceQuote {
  /** Last trade price (decimal string). */
  readonly last: string;
  /** Open price of the rolling 24 h window (decimal string). */
  readonly open: string;
  /** When this price was last confirmed by the exchange (ms since epoch), if known. */
  readonly updatedAt?: number;
  /** The feed carrying this price is not live (disconnected, silent, resyncing). */
  readonly stale?: boolean;
}

export interface PriceLookup {
  get(symbol: string): PriceQuote | undefined;
}

export type RouteKind = 'quote' | 'direct' | 'inverse' | 'bridge' | 'none';

/** One market on a route; `invert` means the asset we hold is that market's quote. */
export interface RouteLeg {
  readonly symbol: string;
  readonly invert: boolean;
}

export interface Route {
  readonly kind: RouteKind;
  readonly legs: readonly RouteLeg[];
  /** Bridge assets traversed, in order (empty unless kind is 'bridge'). */
  readonly via: readonly string[];
}

export interface RouteTable {
  readonly quote: string;
  route(asset: string): Route;
  /** Every market needed to value these assets (the legs of their routes). */
  symbolsFor(assets: Iterable<string>): Set<string>;
}

/** A holding valued in the quote currency. All amounts are decimal strings. */
export interface ValuedHolding {
  readonly asset: string;
  readonly free: string;
  readonly locked: string;
  readonly total: string;
  /** Price of one unit in the quote currency, or null: no route, or no price received yet. */
  readonly price: string | null;
  readonly value: string | null;
  /** Price change over the rolling 24 h window along the same route, in percent. */
  readonly change24hPct: string | null;
  /** Value change over 24 h assuming the same balance (value - total * open price). */
  readonly change24hValue: string | null;
  /** Share of the priced portfolio total, in percent; null when the holding has no price. */
  readonly share: string | null;
  readonly route: RouteKind;
  readonly via: readonly string[];
  /** Markets the price was derived from. */
  readonly symbols: readonly string[];
  /** A leg of the route is stale: the price may no longer be current. */
  readonly stale: boolean;
  /** Oldest confirmation time along the route (ms), null when unknown or quote asset. */
  readonly priceAt: number | null;
}

export interface PortfolioValuation {
  readonly quote: string;
  readonly holdings: readonly ValuedHolding[];
  /** Sum of every priced holding. */
  readonly total: string;
  /** Sum of the 24 h value changes of the priced holdings. */
  readonly change24hValue: string;
  /** change24hValue relative to the value 24 h ago; null when that value is zero. */
  readonly change24hPct: string | null;
  /** Holdings with a balance but no price (no route, or awaiting the first ticker). */
  readonly unpricedAssets: readonly string[];
  /** The subset of unpricedAssets that has a route but no price yet: the total is incomplete. */
  readonly pendingAssets: readonly string[];
  /** Some priced holding is stale, so the total may be out of date. */
  readonly stale: boolean;
}

/** Per-holding result that keeps the decimals, so totals need no re-parsing. */
export interface ComputedHolding {
  readonly holding: Omit<ValuedHolding, 'share'>;
  readonly value: Dec | null;
  /** Value 24 h ago at today's balance (total * open price along the route). */
  readonly openValue: Dec | null;
}

function pairKey(base: string, quote: string): string {
  return `${base}\u0000${quote}`;
}

const QUOTE_ROUTE: Route = Object.freeze({ kind: 'quote', legs: Object.freeze([]), via: Object.freeze([]) });
const NO_ROUTE: Route = Object.freeze({ kind: 'none', legs: Object.freeze([]), via: Object.freeze([]) });

/**
 * Index the TRADING markets once and answer "how do I price asset X in the quote" from it.
 * Routes are memoized per asset; a new symbol list (or status change) needs a new table.
 */
export function buildRouteTable(
  symbols: Iterable<SymbolInput>,
  quote: string,
  opts: { readonly bridges?: readonly string[] } = {},
): RouteTable {
  const bridges = (opts.bridges ?? DEFAULT_BRIDGES).filter((b) => b !== quote);
  const pairs = new Map<string, string>();
  for (const s of symbols) {
    if (s.status !== 'TRADING') continue;
    pairs.set(pairKey(s.baseAsset, s.quoteAsset), s.symbol);
  }
  /** The market converting `from` into `to`: direct (FROMTO) preferred over inverse (TOFROM). */
  const leg = (from: string, to: string): RouteLeg | undefined => {
    const direct = pairs.get(pairKey(from, to));
    if (direct !== undefined) return { symbol: direct, invert: false };
    const inverse = pairs.get(pairKey(to, from));
    if (inverse !== undefined) return { symbol: inverse, invert: true };
    return undefined;
  };

  const findRoute = (asset: string): Route => {
    if (asset === quote) return QUOTE_ROUTE;
    const one = leg(asset, quote);
    if (one) return { kind: one.invert ? 'inverse' : 'direct', legs: [one], via: [] };
    const candidates = bridges.filter((b) => b !== asset);
    for (const b of candidates) {
      const first = leg(asset, b);
      if (!first) continue;
      const second = leg(b, quote);
      if (second) return { kind: 'bridge', legs: [first, second], via: [b] };
    }
    // Two bridges cover e.g. an asset only traded against BNB when BNB's only market to the
    // quote goes through BTC; still real markets, just one more hop.
    for (const b1 of candidates) {
      const first = leg(asset, b1);
      if (!first) continue;
      for (const b2 of candidates) {
        if (b2 === b1) continue;
        const second = leg(b1, b2);
        if (!second) continue;
        const third = leg(b2, quote);
        if (third) return { kind: 'bridge', legs: [first, second, third], via: [b1, b2] };
      }
    }
    return NO_ROUTE;
  };

  const memo = new Map<string, Route>();
  const route = (asset: string): Route => {
    let r = memo.get(asset);
    if (r === undefined) {
      r = findRoute(asset);
      memo.set(asset, r);
    }
    return r;
  };

  return {
    quote,
    route,
    symbolsFor(assets) {
      const out = new Set<string>();
      for (const a of assets) for (const l of route(a).legs) out.add(l.symbol);
      return out;
    },
  };
}

const legSymbolCache = new WeakMap<Route, readonly string[]>();
/** The route's markets, computed once per route (routes live as long as their table). */
function legSymbols(route: Route): readonly string[] {
  let out = legSymbolCache.get(route);
  if (out === undefined) {
    out = route.legs.map((l) => l.symbol);
    legSymbolCache.set(route, out);
  }
  return out;
}

/**
 * Balances change far less often than prices: the parsed total is kept per balance object
 * (a balance update is a new object), so a price tick costs no re-parsing of the amount.
 */
const totalCache = new WeakMap<BalanceInput, { total: Dec; totalText: string }>();
function parsedTotal(balance: BalanceInput): { total: Dec; totalText: string } {
  let t = totalCache.get(balance);
  if (t === undefined) {
    const total = (parseDecimal(balance.free) ?? ZERO).plus(parseDecimal(balance.locked) ?? ZERO);
    t = { total, totalText: total.toFixed() };
    totalCache.set(balance, t);
  }
  return t;
}

function parseDecimal(s: string): Dec | null {
  try {
    const d = new D(s);
    return d.isFinite() ? d : null;
  } catch {
    return null;
  }
}

function formatPrice(d: Dec): string {
  return d.toSignificantDigits(PRICE_SIGNIFICANT_DIGITS).toFixed();
}

function formatValue(d: Dec): string {
  return d.toDecimalPlaces(VALUE_DECIMALS).toFixed();
}

function formatShare(pct: number): string {
  const r = pct.toFixed(PERCENT_DECIMALS);
  return Number(r) === 0 ? '0' : r.replace(/\.?0+$/, '');
}

function formatPercent(d: Dec | InstanceType<typeof DP>): string {
  const r = d.toDecimalPlaces(PERCENT_DECIMALS);
  return r.isZero() ? '0' : r.toFixed();
}

/**
 * Value one balance along its route. Pure; does not compute the share (that needs the total).
 * A zero or unparsable price on any leg yields "no price" rather than a division by zero or
 * a made-up value.
 */
export function computeHolding(balance: BalanceInput, route: Route, prices: PriceLookup): ComputedHolding {
  const { total, totalText } = parsedTotal(balance);
  const base = {
    asset: balance.asset,
    free: balance.free,
    locked: balance.locked,
    total: totalText,
    route: route.kind,
    via: route.via,
    symbols: legSymbols(route),
  };

  if (route.kind === 'quote') {
    return {
      holding: {
        ...base,
        price: '1',
        value: formatValue(total),
        change24hPct: '0',
        change24hValue: '0',
        stale: false,
        priceAt: null,
      },
      value: total,
      openValue: total,
    };
  }

  const unpriced = (stale: boolean, priceAt: number | null): ComputedHolding => ({
    holding: { ...base, price: null, value: null, change24hPct: null, change24hValue: null, stale, priceAt },
    value: null,
    openValue: null,
  });
  if (route.kind === 'none') return unpriced(false, null);

  let price: Dec = ONE;
  let open: Dec | null = ONE;
  let stale = false;
  let priceAt: number | null = null;
  let priceAtKnown = true;
  for (const l of route.legs) {
    const q = prices.get(l.symbol);
    if (q === undefined) return unpriced(false, null);
    const last = parseDecimal(q.last);
    if (last === null || last.lte(0)) return unpriced(q.stale === true, q.updatedAt ?? null);
    price = l.invert ? price.div(last) : price.times(last);
    const o = parseDecimal(q.open);
    // A market without a usable 24 h open still has a price; only the change is unknown.
    if (open !== null) open = o === null || o.lte(0) ? null : l.invert ? open.div(o) : open.times(o);
    if (q.stale === true) stale = true;
    if (q.updatedAt === undefined) priceAtKnown = false;
    else if (priceAt === null || q.updatedAt < priceAt) priceAt = q.updatedAt;
  }

  const value = total.times(price);
  const openValue = open === null ? null : total.times(open);
  // A percentage shown to 2 places needs no 40-digit division.
  const changePct = open === null ? null : new DP(price).div(new DP(open)).minus(1).times(HUNDRED);
  return {
    holding: {
      ...base,
      price: formatPrice(price),
      value: formatValue(value),
      change24hPct: changePct === null ? null : formatPercent(changePct),
      change24hValue: openValue === null ? null : formatValue(value.minus(openValue)),
      stale,
      priceAt: priceAtKnown ? priceAt : null,
    },
    value,
    openValue,
  };
}

/**
 * Combine computed holdings into the portfolio: shares, total and total 24 h change.
 * Holdings whose 24 h open is unknown count in the total but not in the change, so the change
 * compares like with like.
 */
export function summarize(quote: string, computed: Iterable<ComputedHolding>): PortfolioValuation {
  const list = Array.isArray(computed) ? (computed as ComputedHolding[]) : [...computed];
  let total = ZERO;
  let changeNow = ZERO;
  let changeOpen = ZERO;
  let stale = false;
  const unpricedAssets: string[] = [];
  const pendingAssets: string[] = [];
  for (const c of list) {
    if (c.value === null) {
      unpricedAssets.push(c.holding.asset);
      if (c.holding.route !== 'none') pendingAssets.push(c.holding.asset);
      continue;
    }
    total = total.plus(c.value);
    if (c.openValue !== null) {
      changeNow = changeNow.plus(c.value);
      changeOpen = changeOpen.plus(c.openValue);
    }
    if (c.holding.stale) stale = true;
  }
  // Shares are a presentation figure rounded to 0.01 %: a float ratio is exact enough and
  // saves a decimal division per holding per update, which dominates with thousands of holdings.
  const totalNumber = total.toNumber();
  const holdings = list.map((c): ValuedHolding => ({
    ...c.holding,
    share: c.value === null ? null : total.isZero() ? '0' : formatShare((c.value.toNumber() / totalNumber) * 100),
  }));
  const change = changeNow.minus(changeOpen);
  return {
    quote,
    holdings,
    total: formatValue(total),
    change24hValue: formatValue(change),
    change24hPct: changeOpen.isZero() ? null : formatPercent(change.div(changeOpen).times(HUNDRED)),
    unpricedAssets,
    pendingAssets,
    stale,
  };
}

/** True when a balance holds nothing (zero balances are not holdings). */
export function isEmptyBalance(b: BalanceInput): boolean {
  const free = parseDecimal(b.free);
  const locked = parseDecimal(b.locked);
  return (free === null || free.isZero()) && (locked === null || locked.isZero());
}

/** Value a whole portfolio in one call (the portfolio state does this incrementally). */
export function valuePortfolio(balances: Iterable<BalanceInput>, routes: RouteTable, prices: PriceLookup): PortfolioValuation {
  const computed: ComputedHolding[] = [];
  for (const b of balances) {
    if (isEmptyBalance(b)) continue;
    computed.push(computeHolding(b, routes.route(b.asset), prices));
  }
  return summarize(routes.quote, computed);
}
