/**
 * One P&L recompute of 100,000 trades, in its own process (run by npm run bench:history, which
 * compares the engine with the previous one side by side): `tsx bench/pnl-recompute.ts engine|before`.
 * "before" is the engine as it was before the scaled-integer ledger (decimal.js on every
 * operation), kept as the oracle of the equivalence tests. Prints one JSON line per cost method.
 */
import { Decimal } from '../src/shared/money';
import { computePnl, realizedBetween, type HistoryEvent, type PnlInput, type PnlResult } from '../src/main/history/pnl-engine';
import { computePnlOracle } from '../test/unit/history/pnl-engine-oracle';

function history(): HistoryEvent[] {
  const assets = ['BTC', 'ETH', 'BNB', 'SOL', 'XRP', 'ADA', 'DOGE', 'LINK'];
  const events: HistoryEvent[] = [{ kind: 'deposit', id: '0', time: 0, asset: 'USDT', amount: '100000000' }];
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
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
      kind: 'trade',
      id: String(i),
      time: i * 60_000,
      symbol: `${asset}USDT`,
      base: asset,
      quote: 'USDT',
      side: sell ? 'SELL' : 'BUY',
      qty: String(qty),
      quoteQty,
      fee: bnbFee ? '0.0001' : new Decimal(quoteQty).mul('0.001').toString(),
      feeAsset: bnbFee && asset !== 'BNB' ? 'BNB' : sell ? 'USDT' : asset,
    });
  }
  return events;
}

const which = process.argv[2] === 'before' ? 'before' : 'engine';
const compute: (input: PnlInput) => PnlResult = which === 'before' ? computePnlOracle : computePnl;
const events = history();
const assets = new Map(['BTC', 'ETH', 'BNB', 'SOL', 'XRP', 'ADA', 'DOGE', 'LINK'].map((a, i) => [a, new Decimal(10 + i * 7)]));
const priceAt = (asset: string): Decimal | undefined => (asset === 'USDT' ? new Decimal(1) : assets.get(asset));
for (const method of ['average', 'fifo'] as const) {
  // Warm once (JIT), then measure CPU time (wall time suffers on a busy machine).
  compute({ quote: 'USDT', method, events: events.slice(0, 5000), priceAt, asOf: 1 });
  const c0 = process.cpuUsage();
  const r = compute({ quote: 'USDT', method, events, priceAt, asOf: 1 });
  const cpu = process.cpuUsage(c0);
  // What the P&L view's summary adds: realized over all time, summed from every disposal.
  const realized = realizedBetween(r.disposals, 0, Infinity).total.toFixed(2);
  const summary = process.cpuUsage(c0);
  // Then every figure of every disposal read once (the gains export does; the engine makes them on first read).
  let digits = 0;
  for (const d of r.disposals) digits += d.qty.d.length + d.proceeds.d.length + d.costBasis.d.length + d.gain.d.length;
  const all = process.cpuUsage(c0);
  const ms = (u: NodeJS.CpuUsage): number => Math.round((u.user + u.system) / 1000);
  console.log(
    JSON.stringify({
      which,
      method,
      trades: events.length - 1,
      disposals: r.disposals.length,
      cpuMs: ms(cpu),
      withSummaryMs: ms(summary),
      realized,
      withReadMs: ms(all),
      digits,
    }),
  );
}
