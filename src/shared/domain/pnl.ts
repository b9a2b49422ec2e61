/**
 * P&L and account history as the renderer sees them. Amounts are decimal strings in the
 * valuation currency; every string has a bound so a bad peer cannot send megabytes.
 */
import { z } from 'zod';

const Text = z.string().max(200);
const Asset = z.string().min(1).max(20);
const Sym = z.string().min(1).max(40);
const Amount = z
  .string()
  .max(80)
  .regex(/^-?\d+(\.\d+)?$/);
const Time = z.number().int().nonnegative();

export const HistorySyncProgress = z.object({
  phase: z.enum(['idle', 'transfers', 'trades', 'paused', 'done', 'cancelled', 'error']),
  symbolsDone: z.number().int().nonnegative(),
  symbolsTotal: z.number().int().nonnegative(),
  symbol: Sym.nullable(),
  tradesFound: z.number().int().nonnegative(),
  /** request weight this sync spent */
  weightCost: z.number().int().nonnegative(),
  /** X-MBX-USED-WEIGHT-1M after the last request */
  weightUsed: z.number().int().nonnegative().nullable(),
  weightLimit: z.number().int().positive(),
  /** estimated time left, ms; null before the first symbol */
  etaMs: z.number().int().nonnegative().nullable(),
  pausedUntil: Time.nullable(),
  /** the first full sync finished at least once */
  firstSyncDone: z.boolean(),
  lastSyncedAt: Time.nullable(),
  transfers: z.enum(['synced', 'not-available']),
  error: Text.nullable(),
});
export type HistorySyncProgress = z.infer<typeof HistorySyncProgress>;

export const CostMethodSchema = z.enum(['average', 'fifo']);

export const PnlHoldingView = z.object({
  asset: Asset,
  qty: Amount,
  costBasis: Amount,
  averageCost: Amount.nullable(),
  price: Amount.nullable(),
  value: Amount.nullable(),
  unrealized: Amount.nullable(),
  unrealizedPct: Amount.nullable(),
  realized: Amount,
  costAssumed: z.boolean(),
  missingHistory: z.boolean(),
});
export type PnlHoldingView = z.infer<typeof PnlHoldingView>;

export const PnlSummaryView = z.object({
  quote: Asset,
  method: CostMethodSchema,
  asOf: Time,
  value: Amount,
  valueComplete: z.boolean(),
  realized: Amount,
  unrealized: Amount,
  deposits: Amount,
  withdrawals: Amount,
  netInvested: Amount,
  totalReturn: Amount,
  assumedDepositCost: Amount,
  firstEventAt: Time.nullable(),
  tradeCount: z.number().int().nonnegative(),
  holdings: z.array(PnlHoldingView).max(2000),
  /** realized P&L per period: today, 7 d, 30 d, 90 d, 1 y, all */
  periods: z.array(z.object({ label: z.string().max(20), realized: Amount, pnl: Amount.nullable() })).max(10),
  coveredSymbols: z.array(Sym).max(5000),
  issues: z.number().int().nonnegative(),
  /**
   * Valuations at an event's time (fees in another asset, trades with no side in the valuation
   * currency, deposits, withdrawals) by the candles their price came from: the event's minute,
   * else its hour, else its day; pending: minutes not fetched yet (valued at the hour or day meanwhile).
   */
  priceSources: z.object({
    minute: z.number().int().nonnegative(),
    hour: z.number().int().nonnegative(),
    day: z.number().int().nonnegative(),
    pending: z.number().int().nonnegative(),
  }),
});
export type PnlSummaryView = z.infer<typeof PnlSummaryView>;
