/**
 * The orders part of the IPC contract. The names live in channels.ts (the one list the preload
 * and the web bridge accept); contract.ts merges these schemas into its maps. Same rules as
 * there: `.strict()` inputs, one schema per command input/output and event payload.
 */
import { z } from 'zod';
import { ORDER_COMMAND_NAMES, ORDER_EVENT_NAMES } from './channels';
import {
  ClientOrderId,
  ConfirmedOrder,
  ExchangeId,
  MarketQuote,
  OpenOrdersEvent,
  OrderDraftInput,
  OrderHistoryPage,
  OrderOutcomeView,
  PreflightResult,
  SymbolCode,
  SyncProgress,
  TradableSymbol,
  UnresolvedOrder,
} from '../domain/orders';
import { TEXT_MAX_LENGTH } from '../domain/primitives';

export { ORDER_COMMAND_NAMES, ORDER_EVENT_NAMES };

export type OrderCommandName = (typeof ORDER_COMMAND_NAMES)[number];
export type OrderEventName = (typeof ORDER_EVENT_NAMES)[number];

/** An explicit "yes" from the person; anything else is refused by the schema. */
const Confirmed = z.literal(true);

export const orderCommands = {
  'orders:listOpen': { input: z.object({ symbol: SymbolCode.optional() }).strict().optional(), output: OpenOrdersEvent },
  'orders:cancel': {
    input: z.object({ symbol: SymbolCode, orderId: ExchangeId, confirmed: Confirmed }).strict(),
    output: z.object({ status: z.enum(['canceled', 'not-canceled', 'unknown']), message: z.string().max(TEXT_MAX_LENGTH) }),
  },
  'orders:cancelAll': {
    input: z.object({ symbol: SymbolCode, confirmed: Confirmed }).strict(),
    output: z.object({
      status: z.enum(['done', 'rejected', 'unknown']),
      message: z.string().max(TEXT_MAX_LENGTH),
      canceled: z.number().int().nonnegative(),
      stillOpen: z.number().int().nonnegative(),
    }),
  },
  'orders:history': {
    input: z
      .object({
        symbol: SymbolCode,
        limit: z.number().int().min(1).max(500).optional(),
        /** page to orders older than this one */
        beforeOrderId: ExchangeId.optional(),
      })
      .strict(),
    output: OrderHistoryPage,
  },
  'orders:syncHistory': {
    input: z
      .object({ symbols: z.array(SymbolCode).max(200).optional() })
      .strict()
      .optional(),
    output: SyncProgress,
  },
  'orders:symbols': {
    input: z.object({ query: z.string().max(30), limit: z.number().int().min(1).max(200).optional() }).strict(),
    output: z.array(TradableSymbol),
  },
  'orders:preflight': {
    input: z
      .object({
        draft: OrderDraftInput,
        /** true when the confirmation is about to be shown: a token is issued if the order is valid */
        confirm: z.boolean().optional(),
      })
      .strict(),
    output: PreflightResult,
  },
  'orders:submit': {
    input: z
      .object({
        token: ClientOrderId,
        /** exactly PreflightResult.confirmation.order */
        order: ConfirmedOrder,
        confirmed: Confirmed,
        /**
         * Required (true) when pre-flight warned 'possible-duplicate': the person saw that the same
         * order was recently concluded "probably not placed" and wants to place it anyway.
         */
        acknowledgePossibleDuplicate: z.literal(true).optional(),
      })
      .strict(),
    output: OrderOutcomeView,
  },
  /**
   * symbol/kind (what the asker shows for this token): with them, a token Perch has no record of
   * sending and is not sending answers a definite "not sent" view instead of null.
   */
  'orders:outcome': {
    input: z.object({ clientOrderId: ClientOrderId, symbol: SymbolCode.optional(), kind: z.enum(['order', 'oco']).optional() }).strict(),
    output: OrderOutcomeView.nullable(),
  },
  /**
   * Orders, in every environment, whose outcome Perch is still finding out: the settings warn
   * about them before a switch of environment or key (the checks go on in the background).
   */
  'orders:unresolved': { input: z.object({}).strict().optional(), output: z.array(UnresolvedOrder).max(500) },
  /**
   * The symbol whose best bid/ask the order form shows (null: the form closed). Main watches its
   * book ticker and pushes `orders:market` while it is watched; the answer is the quote known now.
   * One symbol per window at a time: a new call replaces the previous one.
   */
  'orders:watchMarket': {
    input: z.object({ symbol: SymbolCode.nullable() }).strict(),
    output: MarketQuote.nullable(),
  },
} satisfies Record<OrderCommandName, { input: z.ZodType; output: z.ZodType }>;

export const orderEvents = {
  'orders:open': OpenOrdersEvent,
  'orders:outcome': OrderOutcomeView,
  'orders:syncProgress': SyncProgress,
  /** Best bid/ask/last of the watched symbol (orders:watchMarket), at most a few times a second. */
  'orders:market': z.object({ symbol: SymbolCode, quote: MarketQuote }),
} satisfies Record<OrderEventName, z.ZodType>;

export type OrderCommandInput<C extends OrderCommandName> = z.output<(typeof orderCommands)[C]['input']>;
export type OrderCommandOutput<C extends OrderCommandName> = z.output<(typeof orderCommands)[C]['output']>;
export type OrderEventPayload<E extends OrderEventName> = z.output<(typeof orderEvents)[E]>;
