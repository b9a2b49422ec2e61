import { describe, expect, it, vi } from 'vitest';
import { Decimal } from '../../../src/shared/money';
import {
  compareEvents,
  computePnl,
  realizedBetween,
  type HistoryEvent,
  type PnlInput,
  type TradeEvent,
} from '../../../src/main/history/pnl-engine';
import { computePnlOracle } from './pnl-engine-oracle';

/** Edges of the engine the random histories rarely reach, each checked against the previous engine too. */

const trade = (
  id: string,
  time: number,
  side: 'BUY' | 'SELL',
  qty: string,
  quoteQty: string,
  fee = '0',
  feeAsset = 'USDT',
  base = 'BTC',
): TradeEvent => ({
  kind: 'trade',
  id,
  time,
  symbol: `${base}USDT`,
  base,
  quote: 'USDT',
  side,
  qty,
  quoteQty,
  fee,
  feeAsset,
});
const usdtPrice = (asset: string): Decimal | undefined =>
  asset === 'USDT' ? new Decimal(1) : asset === 'BNB' ? new Decimal(300) : undefined;
const input = (events: HistoryEvent[], o: Partial<PnlInput> = {}): PnlInput => ({
  quote: 'USDT',
  method: 'fifo',
  events,
  priceAt: usdtPrice,
  asOf: 1e9,
  ...o,
});
const same = (i: PnlInput): string => {
  const text = JSON.stringify(computePnl(i));
  expect(text).toBe(JSON.stringify(computePnlOracle(i)));
  return text;
};

describe('P&L engine: the order of same-time events', () => {
  const dep = (id: string): HistoryEvent => ({ kind: 'deposit', id, time: 5, asset: 'USDT', amount: '1' });
  const cmp = (a: string, b: string): number => Math.sign(compareEvents(dep(a), dep(b)));

  it('numbers by value, other ids as text, an id equal to itself', () => {
    expect(cmp('9', '10')).toBe(-1);
    expect(cmp('10', '9')).toBe(1);
    expect(cmp('10', '10')).toBe(0);
    expect(cmp('b', 'aa')).toBe(1);
    expect(cmp('aa', 'b')).toBe(-1);
    expect(cmp('x', 'x')).toBe(0);
    // Only when both are numbers does the length decide.
    expect(cmp('10', 'a')).toBe(-1);
    expect(cmp('a9', '100')).toBe(1);
    expect(cmp('9a', '100')).toBe(1);
  });

  it('trades by symbol before their ids', () => {
    const a = trade('2', 5, 'BUY', '1', '1', '0', 'USDT', 'AAA');
    const b = trade('1', 5, 'BUY', '1', '1', '0', 'USDT', 'BBB');
    expect(Math.sign(compareEvents(a, b))).toBe(-1);
    expect(Math.sign(compareEvents(b, a))).toBe(1);
  });
});

describe('P&L engine: edges of the ledger', () => {
  it('a price function that fails is not retried with decimal.js: the error reaches the caller', () => {
    let calls = 0;
    const flaky = (asset: string): Decimal | undefined => {
      calls += 1;
      if (calls === 1) throw new Error('price store closed');
      return usdtPrice(asset);
    };
    const events: HistoryEvent[] = [{ kind: 'deposit', id: '1', time: 1, asset: 'BNB', amount: '2' }];
    expect(() => computePnl(input(events, { priceAt: flaky }))).toThrow('price store closed');
  });

  it('values the valuation currency as itself, whatever the price function says of it', () => {
    const noQuote = (asset: string): Decimal | undefined => (asset === 'BNB' ? new Decimal(300) : undefined);
    const events: HistoryEvent[] = [
      { kind: 'deposit', id: '1', time: 1, asset: 'USDT', amount: '1000' },
      trade('2', 2, 'BUY', '1', '300', '0.3', 'USDT', 'BNB'),
      { kind: 'withdrawal', id: '3', time: 3, asset: 'USDT', amount: '100', fee: '1' },
    ];
    const r = JSON.parse(same(input(events, { priceAt: noQuote }))) as { issues: unknown[]; withdrawals: string };
    expect(r.issues).toEqual([]);
    expect(r.withdrawals).toBe('100');
  });

  it('a lot emptied by its own fee keeps no cost once the holding is sold out', () => {
    // Buy 1 BTC; buy 0.5 BTC whose fee is 0.5 BTC (a lot of nothing costing 100); sell 1 BTC.
    const events: HistoryEvent[] = [
      { kind: 'deposit', id: '0', time: 0, asset: 'USDT', amount: '1000' },
      trade('1', 1, 'BUY', '1', '200'),
      trade('2', 2, 'BUY', '0.5', '100', '0.5', 'BTC'),
      trade('3', 3, 'SELL', '1', '300'),
      trade('4', 4, 'BUY', '1', '50'),
    ];
    for (const method of ['fifo', 'average'] as const) same(input(events, { method }));
    const sold = computePnl(input(events.slice(0, 4)));
    const btc = sold.holdings.find((h) => h.asset === 'BTC')!;
    expect([btc.qty.toFixed(), btc.costBasis.toFixed(), btc.realized.toFixed()]).toEqual(['0', '0', '100']);
  });

  it('selling nothing of an asset not held flags no missing history (average cost)', () => {
    const events: HistoryEvent[] = [
      { kind: 'deposit', id: '0', time: 0, asset: 'USDT', amount: '1000' },
      trade('1', 1, 'SELL', '0', '0'),
      trade('2', 2, 'BUY', '1', '100'),
    ];
    same(input(events, { method: 'average' }));
    const btc = computePnl(input(events, { method: 'average' })).holdings.find((h) => h.asset === 'BTC')!;
    expect(btc.missingHistory).toBe(false);
  });

  it('many small lots sold one by one (the consumed lots are dropped from memory on the way)', () => {
    const events: HistoryEvent[] = [{ kind: 'deposit', id: '0', time: 0, asset: 'USDT', amount: '100000' }];
    for (let i = 1; i <= 200; i++) events.push(trade(String(i), i, 'BUY', '0.01', String(100 + i)));
    for (let i = 1; i <= 150; i++) events.push(trade(String(200 + i), 200 + i, 'SELL', '0.013', String(2 + i / 100)));
    same(input(events));
    const r = computePnl(input(events));
    const btc = r.holdings.find((h) => h.asset === 'BTC')!;
    expect(btc.qty.toFixed()).toBe('0.05');
    expect(btc.lots.map((l) => l.time)).toEqual([196, 197, 198, 199, 200]);
  });

  it('lists holdings by asset name, whatever the order they were bought in', () => {
    const events: HistoryEvent[] = [
      { kind: 'deposit', id: '0', time: 0, asset: 'USDT', amount: '1000' },
      trade('1', 1, 'BUY', '1', '10', '0', 'USDT', 'ZEC'),
      trade('2', 2, 'BUY', '1', '10', '0', 'USDT', 'ETH'),
      trade('3', 3, 'BUY', '1', '10', '0', 'USDT', 'ADA'),
    ];
    expect(computePnl(input(events)).holdings.map((h) => h.asset)).toEqual(['USDT', 'ADA', 'ETH', 'ZEC']);
  });
});

describe('P&L engine: realized per period', () => {
  const events: HistoryEvent[] = [
    { kind: 'deposit', id: '0', time: 0, asset: 'USDT', amount: '1000' },
    trade('1', 1000, 'BUY', '1', '100'),
    trade('2', 2000, 'SELL', '0.5', '80'),
    trade('3', 3000, 'SELL', '0.5', '40'),
  ];

  it('sums the scaled ledger’s gains without a decimal.js addition per disposal', () => {
    const r = computePnl(input(events));
    const plus = vi.spyOn(Decimal.prototype, 'plus');
    try {
      const p = realizedBetween(r.disposals, 0, Infinity);
      expect(plus).not.toHaveBeenCalled();
      expect(p.total.toFixed()).toBe('20');
    } finally {
      plus.mockRestore();
    }
  });

  it('counts a disposal at the start of the period and not one at its end, in both ledgers', () => {
    // 19 decimals: this history runs on decimal.js.
    const fine = [...events, trade('4', 4000, 'BUY', '0.0000000000000000001', '0.0000000000000000001')];
    for (const h of [events, fine]) {
      const r = computePnl(input(h));
      expect(realizedBetween(r.disposals, 2000, 3000).total.toFixed()).toBe('30');
      expect(realizedBetween(r.disposals, 2001, 3001).total.toFixed()).toBe('-10');
    }
  });
});
