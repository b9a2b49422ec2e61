/**
 * The money side of a pre-flight: what the order is estimated to cost or fetch (fee included),
 * whether the free balance covers it, and the 25 / 50 / 75 / Max amount presets.
 */
import type { AmountPreset, ConfirmedOrder, DraftField, OrderEstimate } from '../../shared/domain/orders';
import { Decimal, dec, floorToStep, formatDecimal } from '../../shared/money';
import { formatAmount, formatPercentOf, formatQuantity } from '../../shared/money/format';
import type { SymbolInfo } from '../exchange/exchange-info';
import type { Checking, PreflightInput } from './preflight';

/** The standard rate, assumed while the account's commission is not known. */
const DEFAULT_RATE = '0.001';
const PERCENTS = [25, 50, 75, 100] as const;

const s = (d: Decimal | string): string => formatDecimal(d);

/** The estimate of a well-formed order, and an issue (or a warning) when it needs most or more of the free balance. */
export function checkBalance(
  input: PreflightInput,
  c: Checking,
  a: {
    readonly order: ConfirmedOrder | null;
    readonly marketRef: Decimal | undefined;
    readonly unitPrice: Decimal | undefined;
    readonly free: Decimal;
    readonly spendAsset: string;
    readonly presets: readonly AmountPreset[];
  },
): OrderEstimate | null {
  const { draft, info, issues, warnings, isBuy, bid, ask } = c;
  const { order, marketRef, unitPrice, free, spendAsset, presets } = a;
  const mostOfBalance = dec(input.thresholds?.mostOfBalance ?? '0.9');
  let estimate: OrderEstimate | null = null;
  if (order !== null) {
    const qty = order.quantity !== undefined ? dec(order.quantity) : undefined;
    const quote = order.quoteOrderQty !== undefined ? dec(order.quoteOrderQty) : undefined;
    const price = draft.type === 'MARKET' ? marketRef : dec(order.price ?? '0');
    if (price !== undefined && price.gt(0)) {
      const estQty = qty ?? quote!.div(price);
      const notional = quote ?? estQty.mul(price);
      const crosses = draft.type === 'LIMIT' && (isBuy ? ask !== undefined && price.gte(ask) : bid !== undefined && price.lte(bid));
      const liquidity: 'maker' | 'taker' =
        draft.type === 'MARKET' || crosses || draft.type === 'STOP_LOSS_LIMIT' || draft.type === 'TAKE_PROFIT_LIMIT' ? 'taker' : 'maker';
      const rate = dec(input.rates?.[liquidity] ?? DEFAULT_RATE);
      if (isBuy) {
        const fee = estQty.mul(rate).toDecimalPlaces(8, Decimal.ROUND_UP);
        estimate = {
          notional: s(notional.toDecimalPlaces(8, Decimal.ROUND_UP)),
          price: s(price),
          liquidity,
          feeRate: s(rate),
          fee: s(fee),
          feeAsset: info.baseAsset,
          total: s(notional.toDecimalPlaces(8, Decimal.ROUND_UP)),
          totalAsset: info.quoteAsset,
          receive: s(Decimal.max(0, estQty.minus(fee)).toDecimalPlaces(8, Decimal.ROUND_DOWN)),
          receiveAsset: info.baseAsset,
          bnbDiscount: input.rates?.bnbDiscount ?? false,
        };
      } else {
        const fee = notional.mul(rate).toDecimalPlaces(8, Decimal.ROUND_UP);
        const net = Decimal.max(0, notional.minus(fee)).toDecimalPlaces(8, Decimal.ROUND_DOWN);
        estimate = {
          notional: s(notional.toDecimalPlaces(8, Decimal.ROUND_DOWN)),
          price: s(price),
          liquidity,
          feeRate: s(rate),
          fee: s(fee),
          feeAsset: info.quoteAsset,
          total: s(net),
          totalAsset: info.quoteAsset,
          receive: s(net),
          receiveAsset: info.quoteAsset,
          bnbDiscount: input.rates?.bnbDiscount ?? false,
        };
      }
      // What the order takes from the free balance.
      const needed = isBuy
        ? (quote ?? (qty ?? new Decimal(0)).mul(draft.type === 'OCO' && unitPrice !== undefined ? unitPrice : price))
        : (qty ?? (quote !== undefined ? quote.div(price) : new Decimal(0)));
      const field: DraftField = quote !== undefined ? 'quoteOrderQty' : 'quantity';
      const max = presets.find((p) => p.percent === 100)?.value ?? null;
      if (needed.gt(free)) {
        issues.push({
          code: 'BALANCE',
          field,
          message: `This order needs ${formatAmount(needed.toDecimalPlaces(8, Decimal.ROUND_UP), spendAsset)} but only ${formatAmount(free, spendAsset)} is free (funds held by open orders do not count).`,
          correction: max !== null ? { field, value: max, label: `Use the maximum ${max}` } : null, // labelled and checked by preflight()
        });
      } else if (free.gt(0) && needed.div(free).gte(mostOfBalance)) {
        warnings.push({
          code: 'most-of-balance',
          message: `This order uses ${formatPercentOf(needed.div(free), 0)} of your free ${spendAsset}.`,
        });
      }
    }
  }
  return estimate;
}

/** The 25 / 50 / 75 / Max presets of the free balance, at the step and within the size limits (null when too small). */
export function amountPresets(a: {
  info: SymbolInfo;
  isBuy: boolean;
  byQuote: boolean;
  free: Decimal;
  unitPrice: Decimal | undefined;
  market: Decimal | undefined;
  step: string;
}): AmountPreset[] {
  const { info, isBuy, byQuote, free, unitPrice, step } = a;
  const f = info.filters;
  const minQty = f.lotSize ? dec(f.lotSize.minQty) : new Decimal(0);
  const maxQty = f.lotSize && !dec(f.lotSize.maxQty).isZero() ? dec(f.lotSize.maxQty) : undefined;
  const minNotional = dec(f.notional?.minNotional ?? f.minNotional?.minNotional ?? '0');
  const out: AmountPreset[] = [];
  for (const percent of PERCENTS) {
    const share = free.mul(percent).div(100);
    if (byQuote) {
      // A quote amount: spend it (buy) or receive it (sell, valued at the best bid).
      const raw = isBuy ? share : a.market !== undefined ? share.mul(a.market) : undefined;
      if (raw === undefined) continue;
      const v = raw.toDecimalPlaces(info.quoteAssetPrecision, Decimal.ROUND_DOWN);
      const tooSmall = v.lte(0) || v.lt(minNotional);
      out.push({
        percent,
        field: 'quoteOrderQty',
        value: tooSmall ? null : s(v),
        dust: s(raw.minus(v)),
        dustAsset: info.quoteAsset,
        note: tooSmall
          ? `Below the minimum order value ${formatAmount(minNotional, info.quoteAsset)}.`
          : isBuy
            ? null
            : 'Estimated at the best bid.',
      });
      continue;
    }
    if (isBuy && (unitPrice === undefined || unitPrice.lte(0))) continue;
    let v = isBuy ? floorToStep(share.div(unitPrice!), step) : floorToStep(share, step);
    let capped = false;
    if (maxQty !== undefined && v.gt(maxQty)) {
      v = floorToStep(maxQty, step);
      capped = true;
    }
    const dust = isBuy ? share.minus(v.mul(unitPrice!)) : share.minus(v);
    const price = unitPrice ?? a.market;
    const tooSmall = v.lte(0) || v.lt(minQty) || (price !== undefined && v.mul(price).lt(minNotional));
    out.push({
      percent,
      field: 'quantity',
      value: tooSmall ? null : s(v),
      dust: s(Decimal.max(0, dust).toDecimalPlaces(8, Decimal.ROUND_DOWN)),
      dustAsset: isBuy ? info.quoteAsset : info.baseAsset,
      note: tooSmall
        ? 'Below the minimum order size.'
        : capped
          ? `Capped at the largest order allowed (${formatQuantity(maxQty!, step)}).`
          : null,
    });
  }
  return out;
}
