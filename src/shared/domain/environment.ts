import { z } from 'zod';

/**
 * Where Perch connects. 'demo' is the built-in simulator running inside the main process;
 * 'demo-mode' is Binance's own Demo Mode; 'testnet' is the Spot Testnet; 'production' is real money.
 */
export const ENVIRONMENT_IDS = ['demo', 'demo-mode', 'testnet', 'production'] as const;
export const EnvironmentId = z.enum(ENVIRONMENT_IDS);
export type EnvironmentId = z.infer<typeof EnvironmentId>;

/** The exchange that answers in an environment, as a sentence names it (lower-case "the" mid-sentence). */
export function exchangeName(env: EnvironmentId): string {
  switch (env) {
    case 'demo': return 'the demo exchange';
    case 'demo-mode': return 'Binance Demo Mode';
    case 'testnet': return 'Binance Spot Testnet';
    case 'production': return 'Binance';
  }
}

/**
 * A message that says "Binance" about who answered, with the exchange of this environment named
 * instead ("The demo exchange accepted the order"). Applying it twice changes nothing.
 */
export function nameExchange(text: string, env: EnvironmentId): string {
  if (env === 'production') return text;
  const name = exchangeName(env);
  const capital = name.charAt(0).toUpperCase() + name.slice(1);
  return text.replace(/([.!?:]\s+|)\bBinance\b(?! Demo Mode| Spot Testnet)/g, (_m, before: string, offset: number) => (
    before !== '' || offset === 0 ? `${before}${capital}` : name));
}
