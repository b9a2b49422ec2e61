import { z } from 'zod';
import { EnvironmentId } from './environment';
import { TimestampMs } from './primitives';

/**
 * Price, change and portfolio alerts, the alert log, the watchlist and the tray model (issue 11).
 * Levels and percents are decimal strings (decimal.js in main); every string is bounded.
 */

const PositiveDecimal = z
  .string()
  .max(40)
  .regex(/^(0|[1-9]\d*)(\.\d+)?$/, 'must be a number like "70000" or "2.5"')
  .refine((s) => !/^0(\.0+)?$/.test(s), 'must be more than zero');
const NonNegativeDecimal = z
  .string()
  .max(40)
  .regex(/^(0|[1-9]\d*)(\.\d+)?$/, 'must be a number like "0.5"');
/** A market symbol ("BTCUSDT"), or the quote asset for a portfolio alert. */
export const AlertSymbol = z
  .string()
  .min(1)
  .max(30)
  .regex(/^[A-Z0-9]+$/, 'must be a symbol like "BTCUSDT"');

export const AlertKind = z.enum([
  /** the last price reaches the level from below */
  'price-above',
  /** the last price reaches the level from above */
  'price-below',
  /** the price moved by `level` percent within `windowMs` (from the window's low up, or its high down) */
  'change-window',
  /** the rolling 24 h change is beyond `level` percent */
  'change-24h',
  /** the portfolio total (in the quote currency) reaches the level from below */
  'portfolio-above',
  'portfolio-below',
]);
export type AlertKind = z.infer<typeof AlertKind>;

export const ChangeDirection = z.enum(['up', 'down', 'either']);
export type ChangeDirection = z.infer<typeof ChangeDirection>;

/** What a person sets; main adds id, environment and times. */
export const AlertRuleInput = z
  .object({
    kind: AlertKind,
    symbol: AlertSymbol,
    /** a price or total for the crossing kinds, a percent for the change kinds */
    level: PositiveDecimal,
    direction: ChangeDirection.default('either'),
    /** change-window only: 1 minute to 24 hours */
    windowMs: z.number().int().min(60_000).max(86_400_000).default(3_600_000),
    /** false: fires once and is then done */
    repeat: z.boolean().default(false),
    /** a repeating alert does not fire again within this time */
    cooldownMs: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400_000)
      .default(15 * 60_000),
    /**
     * Hysteresis: a repeating alert re-arms only after the value moved back past the level by this
     * much (percent of the level for prices and totals, percentage points for the change kinds).
     */
    rearmPercent: NonNegativeDecimal.default('0.5'),
    note: z.string().max(200).default(''),
    paused: z.boolean().default(false),
  })
  .strict();
export type AlertRuleInput = z.infer<typeof AlertRuleInput>;

export const AlertRule = z.object({
  id: z.string().min(1).max(64),
  environment: EnvironmentId,
  kind: AlertKind,
  symbol: AlertSymbol,
  level: z.string().max(40),
  direction: ChangeDirection,
  windowMs: z.number().int(),
  repeat: z.boolean(),
  cooldownMs: z.number().int(),
  rearmPercent: z.string().max(40),
  note: z.string().max(200),
  paused: z.boolean(),
  createdAt: TimestampMs,
  /** a one-shot alert that fired (kept for the log; it fires no more) */
  done: z.boolean(),
  lastFiredAt: TimestampMs.nullable(),
});
export type AlertRule = z.infer<typeof AlertRule>;

export const AlertLogKind = z.enum(['price', 'catch-up', 'order', 'account']);
export type AlertLogKind = z.infer<typeof AlertLogKind>;

export const AlertLogEntry = z.object({
  id: z.number().int(),
  at: TimestampMs,
  ruleId: z.string().max(64),
  environment: EnvironmentId,
  symbol: z.string().max(30),
  kind: AlertLogKind,
  title: z.string().max(200),
  message: z.string().max(500),
  /** shown as a banner (false in quiet hours, while paused or with notifications off) */
  banner: z.boolean(),
  /** the view a click opens */
  view: z.enum(['alerts', 'orders', 'holdings', 'settings']),
});
export type AlertLogEntry = z.infer<typeof AlertLogEntry>;

/** Minutes after local midnight, 0..1439. */
const MinuteOfDay = z.number().int().min(0).max(1439);

export const AlertSettings = z
  .object({
    notifications: z.boolean(),
    sound: z.boolean(),
    quietHours: z.object({ enabled: z.boolean(), start: MinuteOfDay, end: MinuteOfDay }).strict(),
    /** what the tray menu lists */
    trayShows: z.enum(['holdings', 'watchlist']),
    /** alerts are logged but not shown until then (null: not paused) */
    pausedUntil: TimestampMs.nullable(),
  })
  .strict();
export type AlertSettings = z.infer<typeof AlertSettings>;
export const AlertSettingsPatch = AlertSettings.partial().strict();
export type AlertSettingsPatch = z.infer<typeof AlertSettingsPatch>;

export function defaultAlertSettings(): AlertSettings {
  return {
    notifications: true,
    sound: true,
    quietHours: { enabled: false, start: 22 * 60, end: 7 * 60 },
    trayShows: 'holdings',
    pausedUntil: null,
  };
}

export const WatchItem = z.object({
  symbol: AlertSymbol,
  last: z.string().max(40).nullable(),
  /** 24 h change in percent */
  changePercent: z.string().max(40).nullable(),
  stale: z.boolean(),
});
export type WatchItem = z.infer<typeof WatchItem>;

export const TrayItem = z.object({
  id: z.string().max(64),
  label: z.string().max(200),
  enabled: z.boolean(),
  checked: z.boolean().optional(),
});
export type TrayItem = z.infer<typeof TrayItem>;

/** What the tray shows: computed in the core, drawn by Electron (or in the page by the web host). */
export const TrayModel = z.object({
  tooltip: z.string().max(300),
  /** beside the icon on macOS */
  title: z.string().max(100),
  items: z.array(TrayItem).max(40),
  asOf: TimestampMs,
});
export type TrayModel = z.infer<typeof TrayModel>;
