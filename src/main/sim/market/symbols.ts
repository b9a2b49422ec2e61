/**
 * The simulator's symbol catalogue: a realistic set of spot markets with Binance's filters
 * (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/filters.md) and exchangeInfo fields (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § Exchange information), plus synthetic
 * symbols for load tests. Values follow what Binance publishes for these markets (tick and step
 * sizes, NOTIONAL 5 USDT, ...); prices are plausible starting points, not quotes.
 */
import Decimal from 'decimal.js';
import type { SymbolInfo } from '../types';
import { hash32 } from '../rng';

/** Traded only against BTC (ARDRBTC): a holding of it is valued through the BTC bridge. */
export const BRIDGE_ASSET = 'ARDR';
/** An asset that exists in accounts but has no market at all (never part of any symbol). */
export const NO_MARKET_ASSET = 'DUSTX';

export const ORDER_TYPES: readonly string[] = [
  'LIMIT',
  'LIMIT_MAKER',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
];
export const STP_MODES: readonly string[] = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT'];

/** exchangeInfo.rateLimits; the values the SERVER part enforces (server/rate-limit.ts). */
export const RATE_LIMITS = [
  { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
  { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
  { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
  { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 300000 },
] as const;

export const EXCHANGE_FILTERS: readonly Readonly<Record<string, string | number>>[] = [
  { filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 1000 },
  { filterType: 'EXCHANGE_MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 200 },
];

/** A catalogue symbol: SymbolInfo plus what the market model needs and exchangeInfo shows. */
export interface MarketSymbol extends SymbolInfo {
  readonly tickSize: string;
  readonly stepSize: string;
  /** Starting price (quote units). */
  readonly initialPrice: string;
  /** Annualised volatility of the log price. */
  readonly annualVol: number;
  /** Mean base-asset volume per minute. */
  readonly baseVolPerMin: number;
  /** Mean trades per minute. */
  readonly tradesPerMin: number;
  /** Best ask − best bid, in ticks. */
  readonly spreadTicks: number;
  readonly icebergAllowed: boolean;
  readonly ocoAllowed: boolean;
  readonly otoAllowed: boolean;
  readonly opoAllowed: boolean;
  readonly quoteOrderQtyMarketAllowed: boolean;
  readonly allowTrailingStop: boolean;
  readonly cancelReplaceAllowed: boolean;
  readonly amendAllowed: boolean;
  readonly pegInstructionsAllowed: boolean;
  readonly isSpotTradingAllowed: boolean;
  readonly isMarginTradingAllowed: boolean;
  readonly defaultSelfTradePreventionMode: string;
  readonly allowedSelfTradePreventionModes: readonly string[];
  readonly synthetic: boolean;
}

interface Row {
  base: string;
  quote: string;
  price: string;
  tick: string;
  step: string;
  /** annual volatility */ vol: number;
  /** daily traded volume in USD */ usd: number;
  /** legacy MIN_NOTIONAL instead of NOTIONAL */ legacy?: boolean;
  margin?: boolean;
}

const r = (
  base: string,
  quote: string,
  price: string,
  tick: string,
  step: string,
  vol: number,
  usd: number,
  extra: Partial<Row> = {},
): Row => ({ base, quote, price, tick, step, vol, usd, ...extra });

// Major pairs carry MARGIN and trading-group permissions like Binance's; the rest are SPOT only.
const CATALOGUE: readonly Row[] = [
  // USDT
  r('BTC', 'USDT', '64250.00', '0.01', '0.00001', 0.55, 1.5e9, { margin: true }),
  r('ETH', 'USDT', '3120.50', '0.01', '0.0001', 0.65, 8e8, { margin: true }),
  r('BNB', 'USDT', '585.30', '0.01', '0.001', 0.5, 1e8, { margin: true }),
  r('SOL', 'USDT', '145.62', '0.01', '0.001', 0.85, 4e8, { margin: true }),
  r('XRP', 'USDT', '0.5234', '0.0001', '0.1', 0.7, 2e8, { margin: true }),
  r('ADA', 'USDT', '0.4521', '0.0001', '0.1', 0.75, 8e7, { margin: true }),
  r('DOGE', 'USDT', '0.12345', '0.00001', '1', 0.9, 2e8, { margin: true }),
  r('TRX', 'USDT', '0.1213', '0.0001', '0.1', 0.5, 4e7, { margin: true }),
  r('DOT', 'USDT', '6.512', '0.001', '0.01', 0.75, 5e7, { margin: true }),
  r('LINK', 'USDT', '14.21', '0.01', '0.01', 0.8, 6e7, { margin: true }),
  r('LTC', 'USDT', '80.12', '0.01', '0.001', 0.7, 5e7, { margin: true }),
  r('AVAX', 'USDT', '28.45', '0.01', '0.01', 0.85, 6e7, { margin: true }),
  r('POL', 'USDT', '0.5123', '0.0001', '0.1', 0.85, 3e7),
  r('SHIB', 'USDT', '0.00001823', '0.00000001', '1', 0.95, 6e7, { margin: true }),
  r('ATOM', 'USDT', '7.123', '0.001', '0.01', 0.75, 3e7),
  r('UNI', 'USDT', '7.512', '0.001', '0.01', 0.85, 3e7),
  r('NEAR', 'USDT', '5.123', '0.001', '0.1', 0.9, 5e7),
  r('APT', 'USDT', '8.124', '0.001', '0.01', 0.9, 3e7),
  r('ARB', 'USDT', '0.8912', '0.0001', '0.1', 0.9, 4e7),
  r('OP', 'USDT', '1.812', '0.001', '0.01', 0.9, 3e7),
  r('FIL', 'USDT', '4.512', '0.001', '0.01', 0.85, 2e7),
  r('PEPE', 'USDT', '0.00001034', '0.00000001', '1', 1.1, 2e8),
  r('BCH', 'USDT', '385.2', '0.1', '0.001', 0.7, 3e7, { margin: true }),
  r('XLM', 'USDT', '0.1021', '0.0001', '1', 0.7, 1e7),
  r('ETC', 'USDT', '22.51', '0.01', '0.01', 0.7, 2e7),
  r('USDC', 'USDT', '1.0001', '0.0001', '1', 0.004, 5e8),
  r('FDUSD', 'USDT', '0.9998', '0.0001', '1', 0.004, 1e9),
  r('EUR', 'USDT', '1.0812', '0.0001', '0.1', 0.07, 2e7),
  // USDC
  r('BTC', 'USDC', '64255.12', '0.01', '0.00001', 0.55, 3e8),
  r('ETH', 'USDC', '3121.01', '0.01', '0.0001', 0.65, 1e8),
  r('SOL', 'USDC', '145.60', '0.01', '0.001', 0.85, 5e7),
  r('BNB', 'USDC', '585.20', '0.01', '0.001', 0.5, 1e7),
  r('XRP', 'USDC', '0.5235', '0.0001', '0.1', 0.7, 2e7),
  // FDUSD
  r('BTC', 'FDUSD', '64248.50', '0.01', '0.00001', 0.55, 2e9),
  r('ETH', 'FDUSD', '3120.80', '0.01', '0.0001', 0.65, 3e8),
  r('SOL', 'FDUSD', '145.50', '0.01', '0.001', 0.85, 5e7),
  r('BNB', 'FDUSD', '585.10', '0.01', '0.001', 0.5, 1e7),
  // BTC
  r('ETH', 'BTC', '0.04857', '0.00001', '0.0001', 0.45, 5e7, { margin: true }),
  r('BNB', 'BTC', '0.009112', '0.000001', '0.001', 0.4, 1e7, { margin: true }),
  r('SOL', 'BTC', '0.002267', '0.0000001', '0.001', 0.6, 1e7),
  r('XRP', 'BTC', '0.00000815', '0.00000001', '1', 0.55, 5e6),
  r('LINK', 'BTC', '0.0002212', '0.0000001', '0.01', 0.6, 3e6),
  r('LTC', 'BTC', '0.001247', '0.000001', '0.001', 0.5, 3e6),
  r('ADA', 'BTC', '0.00000704', '0.00000001', '0.1', 0.6, 2e6),
  r('DOT', 'BTC', '0.0001014', '0.0000001', '0.01', 0.6, 2e6),
  r('ARDR', 'BTC', '0.00000112', '0.00000001', '1', 0.9, 3e5, { legacy: true }),
  r('WBTC', 'BTC', '0.9998', '0.0001', '0.00001', 0.01, 2e6),
  // ETH
  r('BNB', 'ETH', '0.1876', '0.0001', '0.001', 0.45, 2e6),
  r('LINK', 'ETH', '0.004553', '0.000001', '0.01', 0.6, 1e6, { legacy: true }),
  r('WBTC', 'ETH', '20.59', '0.01', '0.0001', 0.45, 1e6),
  r('SOL', 'ETH', '0.04667', '0.00001', '0.001', 0.6, 2e6),
  // EUR (fiat)
  r('BTC', 'EUR', '59420.00', '0.01', '0.00001', 0.55, 5e7),
  r('ETH', 'EUR', '2886.12', '0.01', '0.0001', 0.65, 2e7),
  r('BNB', 'EUR', '541.2', '0.1', '0.001', 0.5, 2e6),
  r('SOL', 'EUR', '134.60', '0.01', '0.001', 0.85, 5e6),
  r('XRP', 'EUR', '0.4841', '0.0001', '0.1', 0.7, 3e6, { legacy: true }),
  // TRY (fiat)
  r('BTC', 'TRY', '2087450', '1', '0.00001', 0.6, 1e8),
  r('USDT', 'TRY', '32.45', '0.01', '0.1', 0.15, 2e8),
  r('ETH', 'TRY', '101420', '1', '0.0001', 0.7, 4e7),
];

/** Rough USD value of one unit of each quote asset, to derive volumes from a USD figure. */
const QUOTE_USD: Readonly<Record<string, number>> = { USDT: 1, USDC: 1, FDUSD: 1, BTC: 64250, ETH: 3120, EUR: 1.08, TRY: 0.031 };

const MIN_NOTIONAL_BY_QUOTE: Readonly<Record<string, string>> = {
  USDT: '5',
  USDC: '5',
  FDUSD: '5',
  BTC: '0.0001',
  ETH: '0.001',
  EUR: '5',
  TRY: '100',
};

const MARGIN_SET: readonly string[] = ['SPOT', 'MARGIN', 'TRD_GRP_004', 'TRD_GRP_005', 'TRD_GRP_006'];

/** Decimal string with exactly 8 fraction digits, as Binance writes filter values. */
export function fmt8(value: Decimal.Value): string {
  return new Decimal(value).toFixed(8);
}

function decimalsOf(size: string): number {
  const d = new Decimal(size);
  return Math.max(0, d.decimalPlaces());
}

function powerOfTenAtLeast(x: Decimal): Decimal {
  return new Decimal(10).pow(Math.max(0, Math.ceil(Math.log10(x.toNumber()))));
}

function buildSymbol(row: Row, synthetic: boolean): MarketSymbol {
  const price = new Decimal(row.price);
  const tick = new Decimal(row.tick);
  const step = new Decimal(row.step);
  const usdPrice = price.toNumber() * (QUOTE_USD[row.quote] ?? 1);
  // LOT_SIZE maxQty like Binance's round figures: 9000 BTC, 90000 ETH ... (≈ 0.5 bn USD).
  const maxQty = powerOfTenAtLeast(new Decimal(5e8 / usdPrice))
    .mul(0.9)
    .toDecimalPlaces(step.decimalPlaces(), Decimal.ROUND_DOWN);
  const marketMaxQty = maxQty.div(100).toDecimalPlaces(step.decimalPlaces(), Decimal.ROUND_DOWN);
  const maxPrice = Decimal.max(new Decimal(1000), powerOfTenAtLeast(price.mul(100)));
  const minNotional = MIN_NOTIONAL_BY_QUOTE[row.quote] ?? '1';
  const stable = row.vol < 0.02;
  const filters: Record<string, string | number | boolean>[] = [
    { filterType: 'PRICE_FILTER', minPrice: fmt8(tick), maxPrice: fmt8(maxPrice), tickSize: fmt8(tick) },
    { filterType: 'LOT_SIZE', minQty: fmt8(step), maxQty: fmt8(maxQty), stepSize: fmt8(step) },
    { filterType: 'ICEBERG_PARTS', limit: 100 },
    { filterType: 'MARKET_LOT_SIZE', minQty: fmt8(0), maxQty: fmt8(marketMaxQty), stepSize: fmt8(0) },
    {
      filterType: 'TRAILING_DELTA',
      minTrailingAboveDelta: 10,
      maxTrailingAboveDelta: 2000,
      minTrailingBelowDelta: 10,
      maxTrailingBelowDelta: 2000,
    },
    stable
      ? {
          filterType: 'PERCENT_PRICE_BY_SIDE',
          bidMultiplierUp: '1.2',
          bidMultiplierDown: '0.8',
          askMultiplierUp: '1.2',
          askMultiplierDown: '0.8',
          avgPriceMins: 5,
        }
      : {
          filterType: 'PERCENT_PRICE_BY_SIDE',
          bidMultiplierUp: '5',
          bidMultiplierDown: '0.2',
          askMultiplierUp: '5',
          askMultiplierDown: '0.2',
          avgPriceMins: 5,
        },
    row.legacy === true
      ? { filterType: 'MIN_NOTIONAL', minNotional: fmt8(minNotional), applyToMarket: true, avgPriceMins: 5 }
      : {
          filterType: 'NOTIONAL',
          minNotional: fmt8(minNotional),
          applyMinToMarket: true,
          maxNotional: fmt8(9000000),
          applyMaxToMarket: false,
          avgPriceMins: 5,
        },
    { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
    { filterType: 'MAX_NUM_ORDER_LISTS', maxNumOrderLists: 20 },
    { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
    { filterType: 'MAX_NUM_ORDER_AMENDS', maxNumOrderAmends: 10 },
  ];
  const margin = row.margin === true;
  const usdPerMin = row.usd / 1440;
  // A typical trade is a few hundred USD on liquid books, less on thin ones.
  const tradeUsd = Math.max(20, Math.min(400, row.usd / 2e6));
  const tickRel = tick.toNumber() / price.toNumber();
  return {
    symbol: row.base + row.quote,
    status: 'TRADING',
    baseAsset: row.base,
    quoteAsset: row.quote,
    baseAssetPrecision: 8,
    quoteAssetPrecision: 8,
    priceDecimals: decimalsOf(row.tick),
    qtyDecimals: decimalsOf(row.step),
    orderTypes: ORDER_TYPES,
    permissionSets: [margin ? MARGIN_SET : ['SPOT']],
    filters,
    tickSize: row.tick,
    stepSize: row.step,
    initialPrice: row.price,
    annualVol: row.vol,
    baseVolPerMin: usdPerMin / usdPrice,
    tradesPerMin: Math.max(0.5, usdPerMin / tradeUsd),
    // Liquid books are one tick wide; thinner books with fine ticks leave a wider gap.
    spreadTicks: row.usd >= 1e8 ? 1 : Math.min(50, Math.max(1, Math.round(1e-5 / tickRel))),
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: true,
    opoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    amendAllowed: true,
    pegInstructionsAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: margin,
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: STP_MODES,
    synthetic,
  };
}

function syntheticRow(n: number): Row {
  const h = hash32(`SYN${n}`);
  // log-uniform price between 0.01 and 1000
  const price = Math.pow(10, -2 + 5 * ((h % 100000) / 100000));
  const tickExp = Math.min(8, Math.max(0, 4 - Math.floor(Math.log10(price))));
  const tick = new Decimal(10).pow(-tickExp);
  const stepExp = Math.min(8, Math.max(0, Math.floor(Math.log10(price)) + 2));
  const step = new Decimal(10).pow(-stepExp);
  const rounded = new Decimal(price).toDecimalPlaces(tickExp).toFixed(tickExp);
  return r(
    `SYN${String(n).padStart(4, '0')}`,
    'USDT',
    rounded,
    tick.toFixed(tickExp),
    step.toFixed(stepExp),
    0.6 + ((h >>> 8) % 60) / 100,
    2e6 + (h % 1000) * 1e4,
  );
}

/**
 * The catalogue (always complete), padded with synthetic SYNnnnnUSDT symbols up to symbolCount
 * so load tests can stream thousands of markets.
 */
export function buildCatalogue(symbolCount = 0): MarketSymbol[] {
  const out = CATALOGUE.map((row) => buildSymbol(row, false));
  for (let n = 1; out.length < symbolCount; n++) out.push(buildSymbol(syntheticRow(n), true));
  return out;
}

/** The exchangeInfo JSON object of one symbol, in Binance's field order. */
export function exchangeInfoSymbol(s: SymbolInfo, showPermissionSets: boolean): Record<string, unknown> {
  const m = s as Partial<MarketSymbol> & SymbolInfo;
  const margin = m.isMarginTradingAllowed ?? s.permissionSets.some((set) => set.includes('MARGIN'));
  return {
    symbol: s.symbol,
    status: s.status,
    baseAsset: s.baseAsset,
    baseAssetPrecision: s.baseAssetPrecision,
    quoteAsset: s.quoteAsset,
    quotePrecision: s.quoteAssetPrecision,
    quoteAssetPrecision: s.quoteAssetPrecision,
    baseCommissionPrecision: s.baseAssetPrecision,
    quoteCommissionPrecision: s.quoteAssetPrecision,
    orderTypes: s.orderTypes,
    icebergAllowed: m.icebergAllowed ?? true,
    ocoAllowed: m.ocoAllowed ?? true,
    otoAllowed: m.otoAllowed ?? true,
    opoAllowed: m.opoAllowed ?? true,
    quoteOrderQtyMarketAllowed: m.quoteOrderQtyMarketAllowed ?? true,
    allowTrailingStop: m.allowTrailingStop ?? true,
    cancelReplaceAllowed: m.cancelReplaceAllowed ?? true,
    amendAllowed: m.amendAllowed ?? true,
    pegInstructionsAllowed: m.pegInstructionsAllowed ?? true,
    isSpotTradingAllowed: m.isSpotTradingAllowed ?? true,
    isMarginTradingAllowed: margin,
    filters: s.filters,
    permissions: [],
    permissionSets: showPermissionSets ? s.permissionSets : [],
    defaultSelfTradePreventionMode: m.defaultSelfTradePreventionMode ?? 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: m.allowedSelfTradePreventionModes ?? STP_MODES,
  };
}
