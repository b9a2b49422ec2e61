/**
 * The small-balance threshold is an amount of the quote currency: "< 100 USDT" must not become
 * "< 100 BTC" when the quote changes. It is converted at the current price of the new quote in the
 * old one (from the portfolio the person sees now), or, when there is no such price, set to a
 * modest default for the new quote. Either way the person is told what it became.
 */
import type { PortfolioSnapshot } from '../../shared/domain/portfolio';
import { dec, formatDecimal } from '../../shared/money';

/** About one US dollar in each quote Perch offers; others get 1. */
const DEFAULTS: Readonly<Record<string, string>> = {
  USDT: '1',
  USDC: '1',
  FDUSD: '1',
  EUR: '1',
  TRY: '40',
  BTC: '0.00001',
  ETH: '0.0003',
  BNB: '0.002',
};

export interface ConvertedThreshold {
  readonly value: string;
  /** true: converted at a current price; false: the default for the new quote */
  readonly converted: boolean;
  readonly message: string;
}

export function convertThreshold(threshold: string, from: string, to: string, portfolio: PortfolioSnapshot | null): ConvertedThreshold {
  // The price of one unit of the new quote, in the old quote, from the figures on screen now.
  const held = portfolio !== null && portfolio.quote === from ? portfolio.holdings.find((h) => h.asset === to) : undefined;
  const price = held?.price ?? null;
  if (price !== null && held?.stale !== true && dec(price).gt(0)) {
    // Two significant digits: a threshold is a rough line, not an amount to trade.
    const value = formatDecimal(dec(threshold).div(price).toSignificantDigits(2));
    return {
      value,
      converted: true,
      message: `The small-balance threshold is now ${value} ${to} (${threshold} ${from} at the current price).`,
    };
  }
  const value = DEFAULTS[to] ?? '1';
  return {
    value,
    converted: false,
    message: `The small-balance threshold is now ${value} ${to}, a default for ${to}: there was no current price to convert ${threshold} ${from}. Change it in Settings if you like.`,
  };
}
