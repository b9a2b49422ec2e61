/**
 * Who answered, in words: every outcome message names the exchange of its environment. Zod-free
 * so the renderer can use it too.
 */
import type { EnvironmentId } from './environment';

/** The exchange that answers in an environment, as a sentence names it (lower-case "the" mid-sentence). */
export function exchangeName(env: EnvironmentId): string {
  switch (env) {
    case 'demo':
      return 'the demo exchange';
    case 'demo-mode':
      return 'Binance Demo Mode';
    case 'testnet':
      return 'Binance Spot Testnet';
    case 'production':
      return 'Binance';
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
  return text.replace(/([.!?:]\s+|)\bBinance\b(?! Demo Mode| Spot Testnet)/g, (_m, before: string, offset: number) =>
    before !== '' || offset === 0 ? `${before}${capital}` : name,
  );
}
