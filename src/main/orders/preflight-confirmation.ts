/**
 * What the confirmation dialog lists (every figure as the form shows it, and the age of the quote
 * the estimate used), and the canonical text of an order that binds a confirmation to it.
 */
import type { ConfirmedOrder, MarketQuote, OrderEstimate, SymbolRules } from '../../shared/domain/orders';
import { formatAmount, formatPrice, formatQuantity } from '../../shared/money/format';
import { clockTime, isQuoteStale } from './preflight';

/** The confirmation lines, in the order a person reads them. */
export function confirmationLines(
  order: ConfirmedOrder,
  estimate: OrderEstimate | null,
  rules: SymbolRules,
  market?: MarketQuote | null,
  now?: number,
): { label: string; value: string }[] {
  // Every figure as the form shows it: prices at the tick, quantities at the step, separators.
  const px = (v: string): string => `${formatPrice(v, rules.tickSize)} ${rules.quoteAsset}`;
  const qx = (v: string): string => formatQuantity(v, rules.stepSize);
  const lines: { label: string; value: string }[] = [
    { label: 'Symbol', value: order.symbol },
    { label: 'Side', value: order.side },
    { label: 'Type', value: order.type },
  ];
  if (order.quantity !== undefined) lines.push({ label: 'Quantity', value: `${qx(order.quantity)} ${rules.baseAsset}` });
  if (order.quoteOrderQty !== undefined)
    lines.push({
      label: order.side === 'BUY' ? 'Amount to spend' : 'Amount to receive',
      value: formatAmount(order.quoteOrderQty, rules.quoteAsset),
    });
  if (order.price !== undefined) lines.push({ label: order.type === 'OCO' ? 'Limit price' : 'Price', value: px(order.price) });
  if (order.stopPrice !== undefined) lines.push({ label: 'Stop price', value: px(order.stopPrice) });
  if (order.stopLimitPrice !== undefined) lines.push({ label: 'Stop-limit price', value: px(order.stopLimitPrice) });
  if (order.timeInForce !== undefined) lines.push({ label: 'Time in force', value: order.timeInForce });
  if (order.stopLimitTimeInForce !== undefined) lines.push({ label: 'Stop-limit time in force', value: order.stopLimitTimeInForce });
  if (estimate !== null) {
    lines.push({
      label: order.side === 'BUY' ? 'Estimated cost' : 'Estimated proceeds',
      value: formatAmount(estimate.total, estimate.totalAsset),
    });
    lines.push({
      label: 'Estimated fee',
      value: `${formatAmount(estimate.fee, estimate.feeAsset)}${estimate.bnbDiscount ? ' (or less, in BNB)' : ''}`,
    });
  }
  // The estimate is only as good as the quote it used: say how old that is.
  if (market !== undefined && market !== null && market.bid !== null && market.ask !== null && market.at !== null) {
    const stale = now !== undefined && isQuoteStale(market, now);
    lines.push({
      label: 'Market',
      value: `bid ${formatPrice(market.bid, rules.tickSize)} / ask ${formatPrice(market.ask, rules.tickSize)} as of ${clockTime(market.at)}${stale ? ' (stale: could not be refreshed)' : ''}`,
    });
  }
  return lines;
}

/** Canonical text of an order, to compare what is submitted with what was confirmed. */
export function canonicalOrder(o: ConfirmedOrder): string {
  const keys = Object.keys(o).sort() as (keyof ConfirmedOrder)[];
  return JSON.stringify(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}
