import { describe, expect, it } from 'vitest';
import {
  draftOf,
  EMPTY_FORM,
  keyOf,
  priceShortcuts,
  symbolOnEnter,
  withField,
} from '../../../src/renderer/features/orders/order-form-model';
import { groupOpenOrders } from '../../../src/renderer/features/orders/open-orders';
import type { OrderView } from '../../../src/shared/domain/orders';

describe('order form model', () => {
  it('sends only the fields an order type takes, as typed', () => {
    const v = { ...EMPTY_FORM, quantity: '0.0012345', price: '60000', stopPrice: '1', quoteOrderQty: '50' };
    expect(draftOf(v)).toEqual({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.0012345',
      price: '60000',
      timeInForce: 'GTC',
    });
    expect(draftOf({ ...v, type: 'MARKET', marketBy: 'quote' })).toEqual({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quoteOrderQty: '50',
    });
    expect(draftOf({ ...v, type: 'LIMIT_MAKER' })).toEqual({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT_MAKER',
      quantity: '0.0012345',
      price: '60000',
    });
    expect(Object.keys(draftOf({ ...v, type: 'OCO' })).sort()).toEqual([
      'price',
      'quantity',
      'side',
      'stopLimitPrice',
      'stopLimitTimeInForce',
      'stopPrice',
      'symbol',
      'type',
    ]);
  });

  it('a correction sets exactly its field', () => {
    const v = { ...EMPTY_FORM, quantity: '0.0012345', price: '60000' };
    const fixed = withField(v, 'quantity', '0.00123');
    expect(fixed).toEqual({ ...v, quantity: '0.00123' });
    expect(withField(v, 'timeInForce', 'XYZ')).toBe(v);
  });

  it('keys ignore field order', () => {
    expect(keyOf({ symbol: 'A1', side: 'BUY', type: 'LIMIT', price: '1' })).toBe(
      keyOf({ price: '1', type: 'LIMIT', side: 'BUY', symbol: 'A1' }),
    );
  });

  it('price shortcuts sit on the tick grid and never pass the percentage', () => {
    const s = priceShortcuts({ bid: '64250.00', ask: '64250.01', last: '64250.005', at: 1 }, '0.01');
    const by = Object.fromEntries(s.map((x) => [x.label, x.value]));
    expect(by['Bid']).toBe('64250');
    expect(by['Ask']).toBe('64250.01');
    expect(by['−1 %']).toBe('63607.51'); // 63607.50495 rounded up, toward the market
    expect(by['+1 %']).toBe('64892.5'); // 64892.50505 rounded down
    for (const x of s) expect(x.value).toMatch(/^\d+(\.\d{1,2})?$/);
    expect(priceShortcuts(null, '0.01')).toEqual([]);
  });
});

describe('open orders grouping', () => {
  const o = (orderId: string, symbol: string, orderListId = '-1'): OrderView => ({
    symbol,
    orderId,
    clientOrderId: `c${orderId}`,
    orderListId,
    side: 'SELL',
    type: 'LIMIT_MAKER',
    timeInForce: 'GTC',
    price: '1',
    stopPrice: '0',
    origQty: '1',
    executedQty: '0',
    cumulativeQuoteQty: '0',
    status: 'NEW',
    time: 1,
    updateTime: 1,
  });
  it('keeps OCO legs together under their symbol', () => {
    const groups = groupOpenOrders({
      orders: [o('1', 'ETHUSDT'), o('2', 'BTCUSDT', '7'), o('3', 'BTCUSDT'), o('4', 'BTCUSDT', '7')],
      lists: [],
      asOf: 1,
    });
    expect(groups.map((g) => g.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(groups[0]!.rows.map((r) => r.map((x) => x.orderId))).toEqual([['2', '4'], ['3']]);
    expect(groups[0]!.count).toBe(3);
  });
});

describe('symbol box: what Enter picks (issue 8, B11)', () => {
  const ethList = { query: 'ETH', symbols: ['ETHBTC', 'ETHUSDT', 'LINKETH'] };

  it('a list left over from an older text is never used: type ETH, paste LINKETH, Enter at once', () => {
    expect(symbolOnEnter('LINKETH', ethList, -1)).toBe('ask');
    // even with an option highlighted in the old list
    expect(symbolOnEnter('LINKETH', ethList, 0)).toBe('ask');
  });

  it('with the list for what is typed: the exact match, or nothing', () => {
    expect(symbolOnEnter('linketh', { query: 'LINKETH', symbols: ['LINKETH'] }, -1)).toEqual({ pick: 'LINKETH' });
    expect(symbolOnEnter('ETH', ethList, -1)).toBeNull();
    expect(symbolOnEnter('LINKET', { query: 'LINKET', symbols: ['LINKETH'] }, -1)).toBeNull();
  });

  it('an option moved to with the arrow keys is picked; nothing for text that is not a symbol', () => {
    expect(symbolOnEnter('ETH', ethList, 1)).toEqual({ pick: 'ETHUSDT' });
    expect(symbolOnEnter('', ethList, -1)).toBeNull();
    expect(symbolOnEnter('€', null, -1)).toBeNull();
  });
});
