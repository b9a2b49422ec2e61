import { z } from 'zod';

/**
 * Where Perch connects. 'demo' is the built-in simulator running inside the main process;
 * 'demo-mode' is Binance's own Demo Mode; 'testnet' is the Spot Testnet; 'production' is real money.
 */
export const ENVIRONMENT_IDS = ['demo', 'demo-mode', 'testnet', 'production'] as const;
export const EnvironmentId = z.enum(ENVIRONMENT_IDS);
export type EnvironmentId = z.infer<typeof EnvironmentId>;
