/**
 * The P&L part of the IPC contract (names in channels.ts). Every string and array is bounded;
 * series are downsampled in main to at most 2,000 points before they cross.
 */
import { z } from 'zod';
import { PNL_COMMAND_NAMES, PNL_EVENT_NAMES } from './channels';
import { CostMethodSchema, HistorySyncProgress, PnlSummaryView } from '../domain/pnl';

export { PNL_COMMAND_NAMES, PNL_EVENT_NAMES };
export type PnlCommandName = (typeof PNL_COMMAND_NAMES)[number];
export type PnlEventName = (typeof PNL_EVENT_NAMES)[number];

const Amount = z
  .string()
  .max(80)
  .regex(/^-?\d+(\.\d+)?$/);
const Asset = z
  .string()
  .min(1)
  .max(20)
  .regex(/^[A-Z0-9]+$/);
const Sym = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[A-Z0-9]+$/);
export const PnlRange = z.enum(['24h', '7d', '30d', '90d', '1y', 'all']);
export type PnlRange = z.infer<typeof PnlRange>;

export const PnlSeriesPoint = z.object({ t: z.number().int(), value: Amount.nullable(), pnl: Amount.nullable() });
export type PnlSeriesPoint = z.infer<typeof PnlSeriesPoint>;

export const PnlTradeRow = z.object({
  time: z.number().int(),
  symbol: Sym,
  base: Asset,
  quote: Asset,
  side: z.enum(['BUY', 'SELL']),
  price: Amount,
  qty: Amount,
  quoteQty: Amount,
  fee: Amount,
  feeAsset: z.string().max(20),
  tradeId: z.string().max(30),
});
export type PnlTradeRow = z.infer<typeof PnlTradeRow>;

export const PnlOverview = z.object({
  summary: PnlSummaryView.nullable(),
  sync: HistorySyncProgress,
  series: z.array(PnlSeriesPoint).max(2000),
  daily: z.array(z.object({ t: z.number().int(), pnl: Amount.nullable() })).max(400),
  /** why there is nothing to show yet, in a person's words */
  message: z.string().max(300).nullable(),
});
export type PnlOverview = z.infer<typeof PnlOverview>;

export const PnlAssetDetail = z.object({
  asset: Asset,
  symbol: Sym.nullable(),
  candles: z.array(z.object({ t: z.number().int(), close: Amount })).max(2000),
  fills: z.array(PnlTradeRow).max(2000),
  averageCost: z.array(z.object({ t: z.number().int(), cost: Amount.nullable(), qty: Amount })).max(2000),
});
export type PnlAssetDetail = z.infer<typeof PnlAssetDetail>;

export const DepositCostInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('unknown') }).strict(),
  z.object({ kind: z.literal('market') }).strict(),
  z.object({ kind: z.literal('entered'), total: Amount.refine((v) => !v.startsWith('-'), 'A cost cannot be negative.') }).strict(),
]);
export type DepositCostInput = z.infer<typeof DepositCostInput>;

export const PnlDepositRow = z.object({
  id: z.string().max(100),
  time: z.number().int(),
  asset: Asset,
  amount: Amount,
  /** what applies: unknown (counted at its value on arrival, marked), market (the user chose that value), entered */
  cost: DepositCostInput,
  /** the value on arrival in the quote currency, when a price is known */
  valueAtDeposit: Amount.nullable(),
});
export type PnlDepositRow = z.infer<typeof PnlDepositRow>;

export const pnlCommands = {
  'pnl:overview': {
    // width: the value chart's plot in pixels; the series is cut down to what it can show
    input: z.object({ method: CostMethodSchema, range: PnlRange, width: z.number().int().min(50).max(10_000).optional() }).strict(),
    output: PnlOverview,
  },
  'pnl:trades': {
    input: z
      .object({
        asset: Asset.optional(),
        side: z.enum(['BUY', 'SELL']).optional(),
        from: z.number().int().nonnegative().optional(),
        to: z.number().int().nonnegative().optional(),
        limit: z.number().int().min(1).max(2000).optional(),
      })
      .strict(),
    output: z.object({ rows: z.array(PnlTradeRow).max(2000), total: z.number().int().nonnegative() }),
  },
  'pnl:asset': {
    input: z.object({ asset: Asset, method: CostMethodSchema, interval: z.enum(['1d', '1w']).optional() }).strict(),
    output: PnlAssetDetail,
  },
  'pnl:sync': { input: z.object({}).strict().optional(), output: HistorySyncProgress },
  'pnl:cancelSync': { input: z.object({}).strict().optional(), output: HistorySyncProgress },
  'pnl:addSymbol': {
    input: z.object({ symbol: z.string().min(1).max(40) }).strict(),
    output: z.object({ added: z.boolean(), message: z.string().max(300) }),
  },
  'pnl:exportCsv': {
    input: z.object({ kind: z.enum(['trades', 'gains', 'values']), method: CostMethodSchema }).strict(),
    output: z.object({ filename: z.string().max(100), csv: z.string().max(50_000_000) }),
  },
  /** Desktop: a save dialog, then the file written. Where there is no dialog (web host): 'unavailable', download instead. */
  'pnl:saveCsv': {
    input: z.object({ kind: z.enum(['trades', 'gains', 'values']), method: CostMethodSchema }).strict(),
    output: z.object({ status: z.enum(['saved', 'cancelled', 'unavailable']), path: z.string().max(4096).nullable() }),
  },
  'pnl:deposits': { input: z.object({}).strict().optional(), output: z.object({ quote: Asset, rows: z.array(PnlDepositRow).max(5000) }) },
  'pnl:setDepositCost': {
    input: z.object({ id: z.string().min(1).max(100), cost: DepositCostInput }).strict(),
    output: z.object({ saved: z.boolean() }),
  },
} satisfies Record<PnlCommandName, { input: z.ZodType; output: z.ZodType }>;

export const pnlEvents = {
  'pnl:syncProgress': HistorySyncProgress,
} satisfies Record<PnlEventName, z.ZodType>;
