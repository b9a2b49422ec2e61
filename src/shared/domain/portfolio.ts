import { z } from 'zod';
import { EnvironmentId } from './environment';
import { AssetCode, DecimalString, NonNegativeDecimalString, TimestampMs } from './primitives';

/**
 * How a holding got its price in the quote currency: the direct pair (BTCUSDT for BTC in USDT),
 * the inverse pair (USDTTRY for TRY in USDT), a bridge through another asset (`via`), the quote
 * asset itself, or no route at all (shown as "no price", never as a wrong number).
 */
export const PriceRoute = z.enum(['direct', 'inverse', 'bridge', 'quote', 'none']);
export type PriceRoute = z.infer<typeof PriceRoute>;

export const Holding = z.object({
  asset: AssetCode,
  free: NonNegativeDecimalString,
  locked: NonNegativeDecimalString,
  total: NonNegativeDecimalString,
  /** price of one unit in the quote currency; null when there is no route */
  price: NonNegativeDecimalString.nullable(),
  value: NonNegativeDecimalString.nullable(),
  /** 24 h change of the price in the quote currency, percent ("-1.25") */
  change24hPct: DecimalString.nullable(),
  /** value / total of priced holdings, percent ("12.5") */
  share: NonNegativeDecimalString.nullable(),
  priceRoute: PriceRoute,
  /** the bridge asset when priceRoute is 'bridge' */
  via: AssetCode.optional(),
  /** present (true) only when the price is stale: not kept current by a live feed */
  stale: z.literal(true).optional(),
  /** when a stale price was last confirmed (local ms); present only with stale */
  priceAt: TimestampMs.optional(),
});
export type Holding = z.infer<typeof Holding>;

/**
 * Freshness of what the user sees: 'live' while both streams deliver, 'stale' since `since`
 * when data stopped arriving, 'offline' when showing the last known snapshot.
 */
export const FreshnessState = z.enum(['connecting', 'live', 'stale', 'offline']);
export type FreshnessState = z.infer<typeof FreshnessState>;

export const Freshness = z.object({
  state: FreshnessState,
  /** when the current state began (e.g. stale since T); null while connecting for the first time */
  since: TimestampMs.nullable(),
});
export type Freshness = z.infer<typeof Freshness>;

export const PortfolioSnapshot = z.object({
  environment: EnvironmentId,
  /** increases with every change; events carry it so the renderer can detect a gap */
  seq: z.number().int().nonnegative(),
  quote: AssetCode,
  holdings: z.array(Holding),
  /** sum of priced holdings */
  total: NonNegativeDecimalString,
  /** change of the total over 24 h in the quote currency; null when unknown */
  total24hChange: DecimalString.nullable(),
  total24hChangePct: DecimalString.nullable(),
  /** when the figures were last computed from exchange data */
  asOf: TimestampMs,
  freshness: Freshness,
});
export type PortfolioSnapshot = z.infer<typeof PortfolioSnapshot>;

/**
 * The coalesced portfolio:snapshot event. Main sends a full snapshot first (and whenever the
 * holdings set is rebuilt), then deltas with only the holdings that changed since `baseSeq`.
 * A renderer whose seq is not `baseSeq` asks for portfolio:getSnapshot instead of applying.
 */
export const PortfolioFullEvent = z.object({
  kind: z.literal('full'),
  snapshot: PortfolioSnapshot,
});
export const PortfolioDeltaEvent = z.object({
  kind: z.literal('delta'),
  baseSeq: z.number().int().nonnegative(),
  seq: z.number().int().nonnegative(),
  changed: z.array(Holding),
  removed: z.array(AssetCode),
  total: NonNegativeDecimalString,
  total24hChange: DecimalString.nullable(),
  total24hChangePct: DecimalString.nullable(),
  asOf: TimestampMs,
  freshness: Freshness,
});
/**
 * Main has no portfolio to show any more: the session it came from was stopped (environment or
 * key switched, app stopping). The renderer drops what it shows; the next full event (or
 * portfolio:getSnapshot, which answers null until then) brings the new session's data.
 * A renderer that predates this variant treats it as a delta that does not follow and refetches,
 * which also ends with no portfolio.
 */
export const PortfolioClearedEvent = z.object({
  kind: z.literal('cleared'),
  /** the environment selected now, whose data has not arrived yet */
  environment: EnvironmentId,
  at: TimestampMs,
});
export const PortfolioEvent = z.discriminatedUnion('kind', [PortfolioFullEvent, PortfolioDeltaEvent, PortfolioClearedEvent]);
export type PortfolioEvent = z.infer<typeof PortfolioEvent>;

// Lives in a zod-free module so the renderer can apply events without bundling zod.
export { applyPortfolioEvent } from './portfolio-events';
