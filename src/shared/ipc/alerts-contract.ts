/**
 * The alerts, watchlist and tray part of the IPC contract (issue 11). Names live in channels.ts;
 * contract.ts merges these maps. Every string is bounded.
 */
import { z } from 'zod';
import { ALERT_COMMAND_NAMES, ALERT_EVENT_NAMES } from './channels';
import {
  AlertLogEntry,
  AlertRule,
  AlertRuleInput,
  AlertSettings,
  AlertSettingsPatch,
  AlertSymbol,
  TrayModel,
  WatchItem,
} from '../domain/alerts';

export type AlertCommandName = (typeof ALERT_COMMAND_NAMES)[number];
export type AlertEventName = (typeof ALERT_EVENT_NAMES)[number];

const RuleId = z.string().min(1).max(64);

export const AlertsState = z.object({
  rules: z.array(AlertRule).max(500),
  settings: AlertSettings,
  /** newest first */
  log: z.array(AlertLogEntry).max(500),
});
export type AlertsState = z.infer<typeof AlertsState>;

/** A level that the current price already meets: the alert would fire at once. */
export const AlertCheck = z.object({ wouldFireNow: z.boolean(), last: z.string().max(40).nullable() });
export type AlertCheck = z.infer<typeof AlertCheck>;

export const alertCommands = {
  'alerts:get': { input: z.object({}).strict().optional(), output: AlertsState },
  'alerts:create': { input: AlertRuleInput, output: AlertRule },
  'alerts:update': { input: z.object({ id: RuleId, rule: AlertRuleInput }).strict(), output: AlertRule },
  'alerts:delete': { input: z.object({ id: RuleId }).strict(), output: z.object({ removed: z.boolean() }) },
  'alerts:setPaused': { input: z.object({ id: RuleId, paused: z.boolean() }).strict(), output: AlertRule },
  'alerts:check': { input: AlertRuleInput, output: AlertCheck },
  'alerts:updateSettings': { input: AlertSettingsPatch, output: AlertSettings },
  /** pause every alert's banner for an hour, until tomorrow morning, or resume */
  'alerts:pauseAll': { input: z.object({ until: z.enum(['1h', 'tomorrow', 'resume']) }).strict(), output: AlertSettings },
  'watchlist:get': { input: z.object({}).strict().optional(), output: z.array(WatchItem).max(50) },
  /** the whole ordered list: add, remove and reorder are all this */
  'watchlist:set': { input: z.object({ symbols: z.array(AlertSymbol).max(50) }).strict(), output: z.array(WatchItem).max(50) },
  'tray:get': { input: z.object({}).strict().optional(), output: TrayModel },
} satisfies Record<AlertCommandName, { input: z.ZodType; output: z.ZodType }>;

export const alertEvents = {
  'alerts:changed': AlertsState,
  'alerts:fired': AlertLogEntry,
  'watchlist:changed': z.array(WatchItem).max(50),
  'tray:model': TrayModel,
  /** A banner shown through the notification port: the web host lists them in the page. */
  'notifications:shown': z.object({
    title: z.string().max(200),
    body: z.string().max(500),
    view: AlertLogEntry.shape.view,
    at: z.number().int(),
  }),
  /** Open a view (a notification was clicked). */
  'app:openView': z.object({ view: AlertLogEntry.shape.view }),
} satisfies Record<AlertEventName, z.ZodType>;
