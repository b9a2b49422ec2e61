/**
 * Commission rates and the BNB discount rule (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/faqs/commission_faq.md): the standard commission
 * is taken on the received amount; when BNB payment is enabled and the account holds enough
 * BNB, the commission is converted to BNB at the market price and reduced by the discount.
 */
import type { MarketModel } from '../types';
import { Decimal, ZERO, dec, fmt8, round8 } from './money';

export interface CommissionRates {
  maker: Decimal;
  taker: Decimal;
  buyer: Decimal;
  seller: Decimal;
}

export const STANDARD_RATES: Readonly<Record<keyof CommissionRates, string>> = {
  maker: '0.001',
  taker: '0.001',
  buyer: '0',
  seller: '0',
};
export const DISCOUNT_ASSET = 'BNB';
/** Standard commission is reduced by this fraction when paid in BNB (0.1% -> 0.075%). */
export const BNB_DISCOUNT = '0.25';

const BRIDGES = ['USDT', 'BTC', 'BNB', 'ETH', 'USDC', 'FDUSD'];

/** Value of `amount` of `from` in `to`, through a direct pair or one bridge asset. */
export function createConverter(market: MarketModel): (amount: Decimal, from: string, to: string) => Decimal | undefined {
  // Multiply or divide by the pair's price (never by a rounded reciprocal) so exact values stay exact.
  const step = (amount: Decimal, from: string, to: string): Decimal | undefined => {
    if (from === to) return amount;
    const direct = market.symbol(from + to);
    if (direct) return amount.mul(dec(market.lastPrice(direct.symbol)));
    const inverse = market.symbol(to + from);
    if (inverse) {
      const p = dec(market.lastPrice(inverse.symbol));
      return p.isZero() ? undefined : amount.div(p);
    }
    return undefined;
  };
  return (amount, from, to) => {
    const direct = step(amount, from, to);
    if (direct) return direct;
    for (const bridge of BRIDGES) {
      if (bridge === from || bridge === to) continue;
      const a = step(amount, from, bridge);
      const b = a && step(a, bridge, to);
      if (b) return b;
    }
    return undefined;
  };
}

export interface Charge {
  readonly asset: string;
  readonly amount: Decimal;
}

export interface CommissionBook {
  rates(accountId: string): CommissionRates;
  discountEnabled(accountId: string): boolean;
  /** Test/demo knob: BNB fee payment on/off for an account (default on). */
  setDiscountEnabled(accountId: string, enabled: boolean): void;
  setRates(accountId: string, rates: Partial<Record<keyof CommissionRates, string>>): void;
  /**
   * The commission for one fill. `bnbFree` is the BNB the account can pay with after the fill
   * has been credited; `received`/`receivedAsset` what the fill brings in.
   */
  charge(o: {
    accountId: string;
    side: 'BUY' | 'SELL';
    isMaker: boolean;
    receivedAsset: string;
    received: Decimal;
    bnbFree: Decimal;
  }): Charge;
  /** GET /api/v3/account/commission body. */
  commissionReply(accountId: string, symbol: string): Record<string, unknown>;
  /** POST /api/v3/order/test?computeCommissionRates=true body. */
  testOrderReply(accountId: string, side: 'BUY' | 'SELL'): Record<string, unknown>;
}

export function createCommissionBook(opts: {
  convert: (amount: Decimal, from: string, to: string) => Decimal | undefined;
}): CommissionBook {
  const overrides = new Map<string, CommissionRates>();
  const discountOff = new Set<string>();
  const standard = (): CommissionRates => ({
    maker: dec(STANDARD_RATES.maker),
    taker: dec(STANDARD_RATES.taker),
    buyer: dec(STANDARD_RATES.buyer),
    seller: dec(STANDARD_RATES.seller),
  });
  const rates = (accountId: string): CommissionRates => overrides.get(accountId) ?? standard();
  const zeros = { maker: fmt8(ZERO), taker: fmt8(ZERO), buyer: fmt8(ZERO), seller: fmt8(ZERO) };
  const discount = (accountId: string) => ({
    enabledForAccount: !discountOff.has(accountId),
    enabledForSymbol: true,
    discountAsset: DISCOUNT_ASSET,
    discount: fmt8(dec(BNB_DISCOUNT)),
  });

  return {
    rates,
    discountEnabled: (accountId) => !discountOff.has(accountId),
    setDiscountEnabled(accountId, enabled) {
      if (enabled) discountOff.delete(accountId);
      else discountOff.add(accountId);
    },
    setRates(accountId, partial) {
      const r = rates(accountId);
      overrides.set(accountId, {
        maker: partial.maker !== undefined ? dec(partial.maker) : r.maker,
        taker: partial.taker !== undefined ? dec(partial.taker) : r.taker,
        buyer: partial.buyer !== undefined ? dec(partial.buyer) : r.buyer,
        seller: partial.seller !== undefined ? dec(partial.seller) : r.seller,
      });
    },
    charge({ accountId, side, isMaker, receivedAsset, received, bnbFree }) {
      const r = rates(accountId);
      const rate = (isMaker ? r.maker : r.taker).plus(side === 'BUY' ? r.buyer : r.seller);
      const fee = received.mul(rate);
      if (!discountOff.has(accountId)) {
        const inBnb = opts.convert(fee, receivedAsset, DISCOUNT_ASSET);
        if (inBnb) {
          const bnbFee = round8(inBnb.mul(new Decimal(1).minus(BNB_DISCOUNT)), Decimal.ROUND_UP);
          if (bnbFee.gt(0) && bnbFee.lessThanOrEqualTo(bnbFree)) return { asset: DISCOUNT_ASSET, amount: bnbFee };
        }
      }
      return { asset: receivedAsset, amount: round8(fee, Decimal.ROUND_UP) };
    },
    commissionReply(accountId, symbol) {
      const r = rates(accountId);
      return {
        symbol,
        standardCommission: { maker: fmt8(r.maker), taker: fmt8(r.taker), buyer: fmt8(r.buyer), seller: fmt8(r.seller) },
        specialCommission: { ...zeros },
        taxCommission: { ...zeros },
        discount: discount(accountId),
      };
    },
    testOrderReply(accountId, side) {
      const r = rates(accountId);
      const extra = side === 'BUY' ? r.buyer : r.seller;
      return {
        standardCommissionForOrder: { maker: fmt8(r.maker.plus(extra)), taker: fmt8(r.taker.plus(extra)) },
        specialCommissionForOrder: { maker: fmt8(ZERO), taker: fmt8(ZERO) },
        taxCommissionForOrder: { maker: fmt8(ZERO), taker: fmt8(ZERO) },
        discount: discount(accountId),
      };
    },
  };
}
