// Seam: the one formatter for figures a person reads (prices at the tick, quantities at the step).
import { describe, expect, it } from 'vitest';
import { formatAmount, formatFigure, formatPercentOf, formatPrice, formatQuantity, groupDigits } from '../../../src/shared/money/format';

describe('one formatter for every figure a person reads', () => {
  it('prices sit at the symbol tick, with separators, so bid and ask line up', () => {
    expect(formatPrice('64199.21000000', '0.01000000')).toBe('64,199.21');
    expect(formatPrice('64098', '0.01')).toBe('64,098.00');
    expect(formatPrice('64098.01', '0.01')).toBe('64,098.01');
    expect(formatPrice('0.00001234', '0.00000001')).toBe('0.00001234');
    expect(formatPrice('250000', '1')).toBe('250,000');
    // no tick known: trimmed, at most 8 decimals
    expect(formatPrice('64199.21000000')).toBe('64,199.21');
  });

  it('quantities never show more decimals than the step, rounding down, trailing zeros trimmed', () => {
    expect(formatQuantity('0.00200000', '0.00001000')).toBe('0.002');
    expect(formatQuantity('0.0000129', '0.00001')).toBe('0.00001');
    expect(formatQuantity('12345.6', '0.1')).toBe('12,345.6');
    expect(formatQuantity('9000.00000000', '1.00000000')).toBe('9,000');
  });

  it('amounts of an asset: separators, no float noise, no exponent, never -0', () => {
    expect(formatAmount('5999940000', 'USDT')).toBe('5,999,940,000 USDT');
    expect(formatAmount('60000', 'USDT')).toBe('60,000 USDT');
    expect(formatAmount('0.000002', 'BTC')).toBe('0.000002 BTC');
    expect(formatAmount('1e-7')).toBe('0.0000001');
    expect(formatAmount('-0.000000001')).toBe('0');
    expect(formatAmount('12.345', 'USDT', 2)).toBe('12.35 USDT');
  });

  it('percentages and raw figures', () => {
    expect(formatPercentOf('0.955')).toBe('95.5 %');
    expect(formatFigure('1234.5', { minDecimals: 2 })).toBe('1,234.50');
    expect(groupDigits('-1234567.891')).toBe('-1,234,567.891');
    expect(formatFigure('not a number')).toBe('not a number');
  });
});

describe('outcome messages use the same formatter', () => {
  it('a fill states its average price with separators', async () => {
    const { orderOutcomeView } = await import('../../../src/main/orders/order-views');
    const order = {
      symbol: 'BTCUSDT',
      orderId: '1',
      clientOrderId: 'perch-1',
      side: 'BUY',
      type: 'MARKET',
      timeInForce: 'GTC',
      price: '0.00000000',
      origQty: '0.01000000',
      stopPrice: '0.00000000',
      status: 'FILLED' as const,
      executedQty: '0.01000000',
      cumulativeQuoteQty: '642.57720000',
      orderListId: '-1',
      createdAt: 1,
      updateTime: 1,
      fills: [],
      source: 'event' as const,
    };
    const view = orderOutcomeView({ clientOrderId: 'perch-1', symbol: 'BTCUSDT', at: 1, status: 'filled', order });
    expect(view.message).toContain('at an average price of 64,257.72.');
  });
});
