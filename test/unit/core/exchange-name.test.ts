import { describe, expect, it } from 'vitest';
import { exchangeName, nameExchange } from '../../../src/shared/domain/exchange-name';

describe('naming the exchange that answered', () => {
  it('says which exchange answered in each environment', () => {
    expect(nameExchange('Binance accepted the order; it is open.', 'demo')).toBe('The demo exchange accepted the order; it is open.');
    expect(nameExchange('Binance accepted the order; it is open.', 'testnet')).toBe('Binance Spot Testnet accepted the order; it is open.');
    expect(nameExchange('Binance accepted the order; it is open.', 'demo-mode')).toBe('Binance Demo Mode accepted the order; it is open.');
    expect(nameExchange('Binance accepted the order; it is open.', 'production')).toBe('Binance accepted the order; it is open.');
    expect(nameExchange('Canceled on Binance.', 'demo')).toBe('Canceled on the demo exchange.');
    expect(nameExchange('Rejected. Binance said: "x".', 'demo')).toBe('Rejected. The demo exchange said: "x".');
    expect(exchangeName('testnet')).toBe('Binance Spot Testnet');
  });

  it('changes nothing when applied twice', () => {
    for (const env of ['demo', 'demo-mode', 'testnet', 'production'] as const) {
      const once = nameExchange('Binance filled the order: 1. Check Binance.', env);
      expect(nameExchange(once, env)).toBe(once);
    }
  });
});
