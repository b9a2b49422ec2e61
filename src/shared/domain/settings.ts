import { z } from 'zod';
import { EnvironmentId } from './environment';
import { AssetCode, NonNegativeDecimalString } from './primitives';
import { CostMethodSchema } from './pnl';

export const Theme = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof Theme>;

/** What a person can change in Settings. Stored versioned by src/main/storage/settings.ts. */
export const Settings = z
  .object({
    environment: EnvironmentId,
    quoteCurrency: AssetCode,
    theme: Theme,
    smallBalanceThreshold: NonNegativeDecimalString,
    hideSmallBalances: z.boolean(),
    privacyMode: z.boolean(),
    startAtLogin: z.boolean(),
    closeToTray: z.boolean(),
    /** Order entry stays off until a person turns it on (issue 5). */
    tradingEnabled: z.boolean(),
    /** The welcome screen is done (demo chosen or a key saved); kept in main so every window agrees. */
    onboarded: z.boolean(),
    /** How P&L matches disposals to acquisitions (the views, the gains export): average cost or FIFO. */
    costMethod: CostMethodSchema,
  })
  .strict();
export type Settings = z.infer<typeof Settings>;

/** settings:update takes any subset; unknown keys are rejected. */
export const SettingsPatch = Settings.partial().strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

export function defaultSettings(): Settings {
  return {
    environment: 'demo',
    quoteCurrency: 'USDT',
    theme: 'system',
    smallBalanceThreshold: '1',
    hideSmallBalances: false,
    privacyMode: false,
    startAtLogin: false,
    closeToTray: false,
    tradingEnabled: false,
    onboarded: false,
    costMethod: 'average',
  };
}
