import { describe, expect, it } from 'vitest';
import { convertThreshold } from '../../../src/main/core/threshold';
import type { Holding, PortfolioSnapshot } from '../../../src/shared/domain/portfolio';

const holding = (asset: string, price: string | null, extra: Partial<Holding> = {}): Holding => ({
  asset,
  free: '1',
  locked: '0',
  total: '1',
  price,
  value: price,
  change24hPct: null,
  share: null,
  priceRoute: price === null ? 'none' : 'direct',
  ...extra,
});
const snapshot = (quote: string, holdings: Holding[]): PortfolioSnapshot => ({
  environment: 'demo',
  seq: 1,
  quote,
  holdings,
  total: '0',
  total24hChange: null,
  total24hChangePct: null,
  asOf: 1,
  freshness: { state: 'live', since: 1 },
});

describe('the small-balance threshold when the quote currency changes', () => {
  it('is converted at the current price of the new quote', () => {
    const t = convertThreshold('100', 'USDT', 'BTC', snapshot('USDT', [holding('BTC', '64000')]));
    expect(t).toMatchObject({ value: '0.0016', converted: true });
    expect(t.message).toBe('The small-balance threshold is now 0.0016 BTC (100 USDT at the current price).');
    expect(convertThreshold('1', 'BTC', 'USDT', snapshot('BTC', [holding('USDT', '0.0000156')])).value).toBe('64000');
  });

  it('falls back to a default for the new quote when there is no current price, and says so', () => {
    const none = convertThreshold('100', 'USDT', 'BTC', null);
    expect(none).toMatchObject({ value: '0.00001', converted: false });
    expect(none.message).toMatch(/default for BTC: there was no current price to convert 100 USDT/);
    expect(convertThreshold('100', 'USDT', 'BTC', snapshot('USDT', [holding('BTC', null)])).converted).toBe(false);
    expect(convertThreshold('100', 'USDT', 'BTC', snapshot('USDT', [holding('BTC', '64000', { stale: true, priceAt: 1 })])).converted).toBe(
      false,
    );
    // a snapshot in another quote is not a price in the old one
    expect(convertThreshold('100', 'USDT', 'BTC', snapshot('EUR', [holding('BTC', '60000')])).converted).toBe(false);
    expect(convertThreshold('100', 'USDT', 'XYZ', null).value).toBe('1');
  });
});
