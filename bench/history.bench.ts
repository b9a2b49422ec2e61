/**
 * npm run bench:history — P&L recompute for 100,000 trades (target ≤ 500 ms) and the downsampling
 * of a year of 5-minute value samples (~105,000 points) to at most 2,000 for the chart.
 * A script, not a test: timings depend on the machine.
 */
import { Decimal } from '../src/shared/money';
import { computePnl, type HistoryEvent } from '../src/main/history/pnl-engine';

function pnlBench(): void {
  const assets = ['BTC', 'ETH', 'BNB', 'SOL', 'XRP', 'ADA', 'DOGE', 'LINK'];
  const events: HistoryEvent[] = [{ kind: 'deposit', id: '0', time: 0, asset: 'USDT', amount: '100000000' }];
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const held = new Map<string, number>();
  for (let i = 1; i <= 100_000; i++) {
    const asset = assets[i % assets.length]!;
    const h = held.get(asset) ?? 0;
    const sell = h > 10 && rnd() < 0.45;
    const qty = sell ? Math.floor(h * rnd() * 0.5) / 1000 : Math.floor(1 + rnd() * 5000) / 1000;
    if (qty <= 0) continue;
    const price = (100 + Math.floor(rnd() * 1000)) / 10;
    held.set(asset, h + (sell ? -qty * 1000 : qty * 1000));
    const quoteQty = new Decimal(qty).mul(price).toString();
    const bnbFee = i % 3 === 0;
    events.push({
      kind: 'trade', id: String(i), time: i * 60_000, symbol: `${asset}USDT`, base: asset, quote: 'USDT',
      side: sell ? 'SELL' : 'BUY', qty: String(qty), quoteQty, fee: bnbFee ? '0.0001' : new Decimal(quoteQty).mul('0.001').toString(),
      feeAsset: bnbFee && asset !== 'BNB' ? 'BNB' : sell ? 'USDT' : asset,
    });
  }
  const prices = new Map(assets.map((a, i) => [a, new Decimal(10 + i * 7)]));
  const priceAt = (asset: string): Decimal | undefined => (asset === 'USDT' ? new Decimal(1) : prices.get(asset));
  for (const method of ['average', 'fifo'] as const) {
    const t0 = performance.now();
    const r = computePnl({ quote: 'USDT', method, events, priceAt, asOf: Date.now() });
    const ms = performance.now() - t0;
    console.log(`P&L recompute, ${events.length - 1} trades, ${method}: ${ms.toFixed(0)} ms (target ≤ 500 ms), ${r.disposals.length} disposals`);
  }
}

pnlBench();
