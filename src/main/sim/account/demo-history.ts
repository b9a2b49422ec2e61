/**
 * A year of believable history for the demo account, so every P&L figure and chart means something
 * on the first start: deposits, trades across its assets at the market's own past prices (klines),
 * fees in BNB once it holds BNB, a withdrawal or two, two Binance Convert trades (USDT to ETH, then
 * ETH to BTC, at the market's price of that minute less a small spread), and a small-balance
 * conversion to BNB (dust).
 *
 * The history is built forward from nothing, never spending what is not held at that moment, and
 * ends exactly at the account's opening balances: whatever the trades leave short is deposited early
 * in the year, whatever they leave over is withdrawn in its second half (never at the very end,
 * where a withdrawal before a top-up would draw a dip the person never had). So deposits − withdrawals (with their fees)
 * + trades (with their fees) + conversions = the opening balance of every asset, exactly.
 * Deterministic: the same account id, opening balances and creation time give the same history.
 */
import { createRng, hash32, type Rng } from '../rng';
import type { MarketModel } from '../types';
import type { DepositRecord, WithdrawRecord } from './history';
import { utcText } from './history';
import { Decimal, ZERO, dec, fmt8 } from './money';

const DAY = 86_400_000;

export interface DemoTrade {
  readonly symbol: string;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly quoteQty: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly time: number;
  readonly isBuyer: boolean;
  readonly isMaker: boolean;
}

export interface DribbletDetail {
  readonly transId: number;
  readonly serviceChargeAmount: string;
  readonly amount: string;
  readonly operateTime: number;
  readonly transferedAmount: string;
  readonly fromAsset: string;
}

export interface Dribblet {
  readonly operateTime: number;
  readonly totalTransferedAmount: string;
  readonly totalServiceChargeAmount: string;
  readonly transId: number;
  readonly userAssetDribbletDetails: readonly DribbletDetail[];
}

/** One Binance Convert trade as GET /sapi/v1/convert/tradeFlow lists it. */
export interface ConvertRecord {
  readonly quoteId: string;
  /** Above 2^53, as Binance's are: written as bare JSON digits. */
  readonly orderId: bigint;
  readonly orderStatus: 'SUCCESS';
  readonly fromAsset: string;
  readonly fromAmount: string;
  readonly toAsset: string;
  readonly toAmount: string;
  readonly ratio: string;
  readonly inverseRatio: string;
  readonly createTime: number;
}

export interface DemoHistory {
  readonly deposits: DepositRecord[];
  readonly withdrawals: WithdrawRecord[];
  readonly trades: DemoTrade[];
  readonly dribblets: Dribblet[];
  /** Oldest first. */
  readonly converts: ConvertRecord[];
}

const NETWORKS: Record<string, { network: string; fee: string; confirms: number }> = {
  BTC: { network: 'BTC', fee: '0.0000045', confirms: 2 },
  ETH: { network: 'ETH', fee: '0.0008', confirms: 12 },
  BNB: { network: 'BSC', fee: '0.0005', confirms: 15 },
  USDT: { network: 'TRX', fee: '1', confirms: 1 },
  USDC: { network: 'ETH', fee: '3', confirms: 12 },
};
const netOf = (coin: string) => NETWORKS[coin] ?? { network: 'ETH', fee: '0', confirms: 12 };

const hex = (rng: Rng, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[rng.int(0, 15)];
  return s;
};

/** Trading plan: symbol, quote notional range in the quote asset, share of buys. */
interface PlanRow {
  symbol: string;
  base: string;
  quote: string;
  weight: number;
}
const PLAN: readonly PlanRow[] = [
  { symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', weight: 5 },
  { symbol: 'ETHUSDT', base: 'ETH', quote: 'USDT', weight: 4 },
  { symbol: 'BNBUSDT', base: 'BNB', quote: 'USDT', weight: 2 },
  { symbol: 'SOLUSDT', base: 'SOL', quote: 'USDT', weight: 3 },
  { symbol: 'ADAUSDT', base: 'ADA', quote: 'USDT', weight: 2 },
  { symbol: 'ETHBTC', base: 'ETH', quote: 'BTC', weight: 1 },
];

export interface DemoHistoryDeps {
  readonly market: Pick<MarketModel, 'klines' | 'symbol'>;
}

export function buildDemoHistory(
  account: { readonly id: string; readonly initial: Readonly<Record<string, string>>; readonly createdAt: number },
  deps: DemoHistoryDeps,
): DemoHistory {
  const rng = createRng(hash32(`demo-history:${account.id}`));
  const end = account.createdAt;
  const start = end - 365 * DAY;
  const held = new Map<string, Decimal>();
  const bal = (a: string): Decimal => held.get(a) ?? ZERO;
  /** Every balance change in time, to place the settling transfers where they fit. */
  const log: Array<{ time: number; asset: string; delta: Decimal }> = [];
  const move = (a: string, d: Decimal, time: number): void => {
    held.set(a, bal(a).plus(d));
    log.push({ time, asset: a, delta: d });
  };
  const deposits: DepositRecord[] = [];
  const withdrawals: WithdrawRecord[] = [];
  const trades: DemoTrade[] = [];
  const dribblets: Dribblet[] = [];
  const converts: ConvertRecord[] = [];
  let seq = 0;

  /** Close of the 1-minute candle at `time`, undefined before the symbol's first candle. */
  const priceAt = (symbol: string, time: number): Decimal | undefined => {
    const k = deps.market.klines(symbol, '1m', { startTime: Math.floor(time / 60_000) * 60_000, limit: 1 })[0];
    return k ? dec(k[4]) : undefined;
  };
  const usdtValue = (asset: string, amount: Decimal, time: number): Decimal | undefined => {
    if (asset === 'USDT' || asset === 'USDC') return amount;
    const p = priceAt(`${asset}USDT`, time);
    return p?.mul(amount);
  };
  const filterOf = (symbol: string, type: string, key: string): Decimal => {
    const f = deps.market.symbol(symbol)?.filters.find((x) => x['filterType'] === type);
    return dec(String(f?.[key] ?? '0'));
  };
  const floorStep = (v: Decimal, step: Decimal): Decimal => (step.isZero() ? v : v.div(step).floor().mul(step));

  const deposit = (coin: string, amount: Decimal, time: number): void => {
    const net = netOf(coin);
    seq += 1;
    deposits.push({
      id: String(690_000_000_000_000_000n + BigInt(hash32(`${account.id}:demo-d:${seq}`)) * 1000n + BigInt(seq)),
      amount: amount.toString(),
      coin,
      network: net.network,
      status: 1,
      address:
        net.network === 'BTC' ? `bc1q${hex(rng, 38)}` : net.network === 'TRX' ? `T${hex(rng, 33).toUpperCase()}` : `0x${hex(rng, 40)}`,
      addressTag: '',
      txId: `0x${hex(rng, 64)}`,
      insertTime: time,
      completeTime: time + rng.int(60_000, 1_200_000),
      transferType: 0,
      confirmTimes: `${net.confirms}/${net.confirms}`,
      unlockConfirm: 0,
      walletType: 0,
      travelRuleStatus: 0,
    });
    move(coin, amount, time);
  };

  const withdraw = (coin: string, amount: Decimal, time: number, internal = false): void => {
    const net = netOf(coin);
    const fee = internal ? ZERO : dec(net.fee);
    withdrawals.push({
      id: hex(rng, 32),
      amount: fmt8(amount),
      transactionFee: fmt8(fee),
      coin,
      status: 6,
      address: `0x${hex(rng, 40)}`,
      txId: internal ? `Internal transfer ${rng.int(100_000_000, 999_999_999)}` : `0x${hex(rng, 64)}`,
      applyTime: utcText(time),
      network: net.network,
      transferType: internal ? 1 : 0,
      info: '',
      confirmNo: net.confirms,
      walletType: 0,
      txKey: '',
      completeTime: utcText(time + rng.int(120_000, 1_800_000)),
    });
    move(coin, amount.plus(fee).neg(), time);
  };

  /** A fill at the market's price then; the fee in BNB (25% off) when enough BNB is held. */
  const trade = (row: PlanRow, side: 'BUY' | 'SELL', qtyWanted: Decimal, time: number): boolean => {
    const price = priceAt(row.symbol, time);
    if (!price) return false;
    const qty = floorStep(qtyWanted, filterOf(row.symbol, 'LOT_SIZE', 'stepSize'));
    if (!qty.gt(0)) return false;
    const quoteQty = price.mul(qty).toDecimalPlaces(8, Decimal.ROUND_DOWN);
    const minNotional = filterOf(row.symbol, 'NOTIONAL', 'minNotional');
    if (quoteQty.lt(minNotional)) return false;
    if (side === 'BUY' ? bal(row.quote).lt(quoteQty) : bal(row.base).lt(qty)) return false;
    const receivedAsset = side === 'BUY' ? row.base : row.quote;
    const received = side === 'BUY' ? qty : quoteQty;
    const feeUsdt = usdtValue(row.quote, quoteQty.mul('0.001'), time);
    const bnbPrice = priceAt('BNBUSDT', time);
    let commission = received.mul('0.001').toDecimalPlaces(8, Decimal.ROUND_UP);
    let commissionAsset = receivedAsset;
    if (feeUsdt && bnbPrice && receivedAsset !== 'BNB' && row.base !== 'BNB') {
      const inBnb = feeUsdt.div(bnbPrice).mul('0.75').toDecimalPlaces(8, Decimal.ROUND_UP);
      if (bal('BNB').gte(inBnb)) {
        commission = inBnb;
        commissionAsset = 'BNB';
      }
    }
    if (side === 'BUY') {
      move(row.quote, quoteQty.neg(), time);
      move(row.base, qty, time);
    } else {
      move(row.base, qty.neg(), time);
      move(row.quote, quoteQty, time);
    }
    move(commissionAsset, commission.neg(), time);
    trades.push({
      symbol: row.symbol,
      price,
      qty,
      quoteQty,
      commission,
      commissionAsset,
      time,
      isBuyer: side === 'BUY',
      isMaker: rng.next() < 0.4,
    });
    return true;
  };

  /**
   * A Convert trade: `fromAmount` of `from` for `to` at the minute's close of `symbol` (`from` is
   * its quote when `fromIsQuote`), less a 0.2 % spread (Convert takes no separate fee).
   */
  const convert = (from: string, fromAmount: Decimal, to: string, symbol: string, fromIsQuote: boolean, time: number): void => {
    const price = priceAt(symbol, time);
    if (!price || bal(from).lt(fromAmount)) return;
    const gross = fromIsQuote ? fromAmount.div(price) : fromAmount.mul(price);
    const toAmount = gross.mul('0.998').toDecimalPlaces(8, Decimal.ROUND_DOWN);
    if (!toAmount.gt(0)) return;
    seq += 1;
    converts.push({
      // Not from rng: the rest of the history stays what it was.
      quoteId: [1, 2, 3, 4].map((k) => hash32(`${account.id}:convert:${seq}:${k}`).toString(16).padStart(8, '0')).join(''),
      orderId: 940_708_407_462_087_000n + BigInt(seq),
      orderStatus: 'SUCCESS',
      fromAsset: from,
      fromAmount: fmt8(fromAmount),
      toAsset: to,
      toAmount: fmt8(toAmount),
      ratio: fmt8(toAmount.div(fromAmount).toDecimalPlaces(8, Decimal.ROUND_DOWN)),
      inverseRatio: fmt8(fromAmount.div(toAmount).toDecimalPlaces(8, Decimal.ROUND_DOWN)),
      createTime: time,
    });
    move(from, fromAmount.neg(), time);
    move(to, toAmount, time);
  };

  const at = (day: number): number => start + day * DAY + rng.int(8, 22) * 3_600_000 + rng.int(0, 59) * 60_000 + rng.int(0, 59_999);

  // Funding: cash first, some BTC from elsewhere (its cost unknown to Perch), more cash later.
  deposit('USDT', dec('30000'), at(0));
  deposit('BTC', dec('0.25'), at(2));
  // BNB early, so most fees are paid in BNB.
  trade(PLAN[2]!, 'BUY', dec('6'), at(3));
  deposit('USDT', dec('12000'), at(60));
  deposit('USDC', dec('1500'), at(120));

  /** Winds down SOL and ADA before `time`: sells all but a crumb, then sweeps the crumbs into BNB (a dust conversion). */
  const windDown = (time: number): void => {
    // Sold a few minutes apart, as a person would (and no two trades share a millisecond).
    PLAN.filter((r) => r.base === 'SOL' || r.base === 'ADA').forEach((row, i) => {
      if (bal(row.base).gt(0)) trade(row, 'SELL', bal(row.base).mul('0.995'), time - 7_200_000 + i * 257_000);
    });
    const dustTime = time - 3_600_000;
    const bnbAtDust = priceAt('BNBUSDT', dustTime);
    const details: DribbletDetail[] = [];
    for (const asset of ['SOL', 'ADA']) {
      const amount = bal(asset);
      const value = usdtValue(asset, amount, dustTime);
      if (!amount.gt(0) || !value || !bnbAtDust) continue;
      const gross = value.div(bnbAtDust).toDecimalPlaces(8, Decimal.ROUND_DOWN);
      const charge = gross.mul('0.02').toDecimalPlaces(8, Decimal.ROUND_UP);
      if (!gross.gt(charge)) continue;
      seq += 1;
      details.push({
        transId: 45_178_000_000 + seq,
        serviceChargeAmount: fmt8(charge),
        amount: fmt8(amount),
        operateTime: dustTime,
        transferedAmount: fmt8(gross.minus(charge)),
        fromAsset: asset,
      });
      move(asset, amount.neg(), dustTime);
      move('BNB', gross.minus(charge), dustTime);
    }
    if (details.length > 0) {
      const sum = (f: (d: DribbletDetail) => string) => details.reduce((s, d) => s.plus(f(d)), ZERO);
      dribblets.push({
        operateTime: dustTime,
        totalTransferedAmount: fmt8(sum((d) => d.transferedAmount)),
        totalServiceChargeAmount: fmt8(sum((d) => d.serviceChargeAmount)),
        transId: 45_178_000_000 + seq + 1,
        userAssetDribbletDetails: details,
      });
    }
  };

  // About a trade every two to three days across the plan, buys more often than sells; on the way,
  // ARDR (valued only through BTC) bought once with BTC, and an ordinary withdrawal of some ETH.
  const ardr = dec(account.initial['ARDR'] ?? '0');
  let ardrDone = !ardr.gt(0);
  let ethWithdrawn = false;
  let boughtByConvert = false;
  let soldByConvert = false;
  const totalWeight = PLAN.reduce((s, r) => s + r.weight, 0);
  // SOL and ADA are wound down in the tenth month: their proceeds are the cash taken out after it.
  let woundDown = false;
  for (let day = 5; day < 355; day += rng.int(1, 4)) {
    const time = at(day);
    if (!woundDown && day >= 290) {
      windDown(time);
      woundDown = true;
      continue;
    }
    if (!ardrDone && day >= 200)
      ardrDone = trade({ symbol: 'ARDRBTC', base: 'ARDR', quote: 'BTC', weight: 0 }, 'BUY', ardr, time - 3_600_000);
    // Two Convert trades: ETH bought with USDT, later some ETH converted to BTC (no side in USDT).
    if (!boughtByConvert && day >= 150 && bal('USDT').gt('2000')) {
      convert('USDT', dec('1000'), 'ETH', 'ETHUSDT', true, time - 2 * 3_600_000);
      boughtByConvert = true;
    }
    if (!soldByConvert && boughtByConvert && day >= 165 && bal('ETH').gt('0.3')) {
      convert('ETH', dec('0.2'), 'BTC', 'ETHBTC', false, time - 2 * 3_600_000);
      soldByConvert = true;
    }
    if (!ethWithdrawn && day >= 300 && bal('ETH').gt('1')) {
      withdraw('ETH', dec('0.5'), time - 3_600_000);
      ethWithdrawn = true;
    }
    let pick = rng.int(1, totalWeight);
    const row = PLAN.find((r) => (pick -= r.weight) <= 0)!;
    if (woundDown && (row.base === 'SOL' || row.base === 'ADA')) continue;
    const price = priceAt(row.symbol, time);
    if (!price) continue;
    const sell = bal(row.base).gt(0) && rng.next() < 0.4;
    if (sell) trade(row, 'SELL', bal(row.base).mul(0.15 + rng.next() * 0.4), time);
    else {
      const budget = bal(row.quote).mul(0.04 + rng.next() * 0.08);
      trade(row, 'BUY', budget.div(price), time);
    }
  }
  // Settle every asset to its opening balance. A shortfall is a deposit early in the year (coins
  // from elsewhere; holding more never makes a later move impossible). An excess is withdrawn in
  // the second half of the year, at the first moment from a chosen day on when the balance stays
  // above it until the end; only if there is none, near the end as before.
  const withdrawalTime = (asset: string, out: Decimal, from: number): number => {
    const moves = log.filter((m) => m.asset === asset).sort((a, b) => a.time - b.time || (a.delta.gt(0) ? -1 : 1));
    const after: Decimal[] = [];
    let b = ZERO;
    for (const m of moves) after.push((b = b.plus(m.delta)));
    // lowest[k]: the lowest balance from the k-th move to the end.
    const lowest: Decimal[] = [];
    for (let k = moves.length - 1; k >= 0; k--) lowest[k] = k === moves.length - 1 ? after[k]! : Decimal.min(after[k]!, lowest[k + 1]!);
    for (let k = 0; k < moves.length; k++) {
      if (lowest[k]!.lt(out)) continue;
      const t = Math.max(from, moves[k]!.time + 60_000);
      if (k + 1 < moves.length && t >= moves[k + 1]!.time) continue;
      if (t < end - 30 * DAY) return t;
    }
    return at(358);
  };
  const assets = new Set([...Object.keys(account.initial), ...held.keys()]);
  const settle: Array<() => void> = [];
  for (const asset of [...assets].sort()) {
    const diff = dec(account.initial[asset] ?? '0').minus(bal(asset));
    if (diff.gt(0)) {
      const time = at(rng.int(20, 90));
      settle.push(() => deposit(asset, diff, time));
    } else if (diff.lt(0)) {
      const out = diff.neg();
      const time = withdrawalTime(asset, out, at(rng.int(292, 300)));
      const fee = dec(netOf(asset).fee);
      // Too little to pay a network fee: an internal transfer (no fee) to another Binance account.
      if (out.gt(fee.mul(2)) && fee.gt(0)) settle.push(() => withdraw(asset, out.minus(fee), time));
      else settle.push(() => withdraw(asset, out, time, true));
    }
  }
  // Placed against the trades' balances alone, then booked.
  for (const book of settle) book();
  deposits.sort((a, b) => b.insertTime - a.insertTime);
  withdrawals.sort((a, b) => (a.applyTime < b.applyTime ? 1 : -1));
  trades.sort((a, b) => a.time - b.time);
  return { deposits, withdrawals, trades, dribblets, converts };
}
