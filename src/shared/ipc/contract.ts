import { z } from 'zod';
import type { CommandName, EventName } from './channels';
import {
  ConnectionsStatus,
  EnvironmentId,
  KeyHealth,
  KeyInfo,
  KeyMaterial,
  Notice,
  PortfolioEvent,
  PortfolioSnapshot,
  Settings,
  SettingsPatch,
  TEXT_MAX_LENGTH,
  TimestampMs,
} from '../domain';
import { orderCommands, orderEvents } from './orders-contract';
import { VIEW_IDS } from '../shortcuts';
import { alertCommands, alertEvents } from './alerts-contract';
import { pnlCommands, pnlEvents } from './pnl-contract';

/** Commands without input accept nothing or `{}` (JSON transports turn undefined into nothing). */
export const NoInput = z.object({}).strict().optional();
/** Commands without a meaningful answer return null. */
export const NoOutput = z.null();

export const KeychainState = z.object({
  state: z.enum(['available', 'locked', 'unavailable', 'unknown']),
  /** what a person can do about it, when not available */
  message: z.string().max(TEXT_MAX_LENGTH).nullable(),
});
export type KeychainState = z.infer<typeof KeychainState>;

/** Everything the renderer needs for its first paint, in one round trip. */
export const AppState = z.object({
  version: z.string().max(64),
  settings: Settings,
  /** true while the built-in simulator is the data source */
  demo: z.boolean(),
  /** the saved key of the active environment, if any */
  key: KeyInfo.nullable(),
  /** saved keys of every environment (no secrets) */
  keys: z.array(KeyInfo),
  keychain: KeychainState,
  portfolio: PortfolioSnapshot.nullable(),
  status: ConnectionsStatus,
  notices: z.array(Notice),
});
export type AppState = z.infer<typeof AppState>;

/** What the application menu asks the page to do (Electron only; the web host has no menu). */
export const AppMenuEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('navigate'), view: z.enum(VIEW_IDS) }).strict(),
  z.object({ kind: z.literal('about') }).strict(),
  z.object({ kind: z.literal('shortcuts') }).strict(),
  z.object({ kind: z.literal('togglePrivacy') }).strict(),
]);
export type AppMenuEvent = z.infer<typeof AppMenuEvent>;

export const commands = {
  'app:getState': { input: NoInput, output: AppState },
  'app:openExternal': {
    // main checks the https allow-list; the schema only bounds the shape
    input: z.object({ url: z.string().min(1).max(2048) }).strict(),
    output: NoOutput,
  },
  'app:dismissNotice': { input: z.object({ id: z.string().min(1).max(200) }).strict(), output: NoOutput },
  'settings:get': { input: NoInput, output: Settings },
  'settings:update': { input: SettingsPatch, output: Settings },
  'keys:test': {
    input: z.object({ environment: EnvironmentId, material: KeyMaterial }).strict(),
    output: KeyHealth,
  },
  'keys:save': {
    input: z
      .object({
        environment: EnvironmentId,
        material: KeyMaterial,
        /** must be true when the key can withdraw; otherwise main answers 'confirmation-required' */
        acceptWithdrawalRisk: z.boolean().optional(),
      })
      .strict(),
    output: KeyInfo,
  },
  'keys:remove': { input: z.object({ environment: EnvironmentId }).strict(), output: z.object({ removed: z.boolean() }) },
  'keys:generateEd25519': {
    input: z.object({ environment: EnvironmentId }).strict(),
    // the private key stays in the keychain; only the public half is ever returned
    output: z.object({ publicKeyPem: z.string().max(8192) }),
  },
  'keys:health': { input: z.object({ environment: EnvironmentId }).strict(), output: KeyHealth },
  'keys:publicKey': {
    input: z.object({ environment: EnvironmentId }).strict(),
    // The public half of a key pair Perch generated (saved, or generated and not saved yet),
    // derived in main from the private key in the keychain; null when there is none.
    output: z.object({ publicKeyPem: z.string().max(8192), saved: z.boolean() }).nullable(),
  },
  'demo:reset': {
    input: NoInput,
    // canceledOrders: the open orders the reset canceled (the demo exchange cancels every one)
    output: z.object({ resetAt: TimestampMs, canceledOrders: z.number().int().nonnegative() }),
  },
  'portfolio:getSnapshot': { input: NoInput, output: PortfolioSnapshot.nullable() },
  ...orderCommands,
  ...alertCommands,
  ...pnlCommands,
} satisfies Record<CommandName, { input: z.ZodType; output: z.ZodType }>;

export const events = {
  'portfolio:snapshot': PortfolioEvent,
  'status:connections': ConnectionsStatus,
  'settings:changed': Settings,
  'keys:changed': z.object({ environment: EnvironmentId, key: KeyInfo.nullable() }),
  'app:notice': Notice,
  'app:menu': AppMenuEvent,
  /**
   * Main is alive: sent every second. A window that hears nothing from main for a few seconds
   * says the connection to Perch is lost and shows its figures as stale (see liveness.ts).
   */
  'app:heartbeat': z.object({ at: TimestampMs }).strict(),
  ...orderEvents,
  ...alertEvents,
  ...pnlEvents,
} satisfies Record<EventName, z.ZodType>;

/** What a handler receives (after parsing). */
export type CommandInput<C extends CommandName> = z.output<(typeof commands)[C]['input']>;
/** What a caller may send (before parsing). */
export type CommandInputArg<C extends CommandName> = z.input<(typeof commands)[C]['input']>;
export type CommandOutput<C extends CommandName> = z.output<(typeof commands)[C]['output']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

/** `call('settings:get')` without an argument when the input is optional. */
export type CommandArgs<C extends CommandName> =
  undefined extends CommandInputArg<C> ? [input?: CommandInputArg<C>] : [input: CommandInputArg<C>];
