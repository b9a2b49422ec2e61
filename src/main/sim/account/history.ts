/**
 * Deposit and withdrawal history and daily SPOT snapshots (the /sapi wallet endpoints), derived
 * deterministically from the account id and its initial balances so every run shows the same
 * realistic records. Field names and status codes follow Binance's Wallet API types (https://github.com/binance/binance-connector-js/tree/a9de9a99bb4e1bd796e1ccf96088514064cc0b7e/clients/wallet/src/rest-api/types).
 */
import { createRng, hash32 } from '../rng';
import type { AccountRecord } from './accounts';
import { Decimal, dec, fmt8 } from './money';

const DAY = 86_400_000;

export interface DepositRecord {
  id: string;
  amount: string;
  coin: string;
  network: string;
  status: number;
  address: string;
  addressTag: string;
  txId: string;
  insertTime: number;
  completeTime: number;
  transferType: number;
  confirmTimes: string;
  unlockConfirm: number;
  walletType: number;
  travelRuleStatus: number;
}

export interface WithdrawRecord {
  id: string;
  amount: string;
  transactionFee: string;
  coin: string;
  status: number;
  address: string;
  txId: string;
  applyTime: string;
  network: string;
  transferType: number;
  withdrawOrderId?: string;
  info: string;
  confirmNo: number;
  walletType: number;
  txKey: string;
  completeTime: string;
}

const NETWORKS: Record<string, { network: string; fee: string; confirms: number }> = {
  BTC: { network: 'BTC', fee: '0.0000045', confirms: 2 },
  ETH: { network: 'ETH', fee: '0.0008', confirms: 12 },
  BNB: { network: 'BSC', fee: '0.0005', confirms: 15 },
  USDT: { network: 'TRX', fee: '1', confirms: 1 },
};
const netOf = (coin: string) => NETWORKS[coin] ?? { network: 'ETH', fee: '0.01', confirms: 12 };

const hex = (rng: ReturnType<typeof createRng>, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[rng.int(0, 15)];
  return s;
};

const address = (rng: ReturnType<typeof createRng>, network: string): string => {
  if (network === 'BTC') return `bc1q${hex(rng, 38)}`;
  if (network === 'TRX') return `T${hex(rng, 33).toUpperCase()}`;
  return `0x${hex(rng, 40)}`;
};

/** "2024-03-09 14:05:11" in UTC, as the withdraw history writes times. */
export const utcText = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

export interface WalletHistory {
  deposits: DepositRecord[];
  withdrawals: WithdrawRecord[];
}

export function buildHistory(account: AccountRecord): WalletHistory {
  const rng = createRng(hash32(`history:${account.id}`));
  const anchor = account.createdAt;
  const deposits: DepositRecord[] = [];
  const withdrawals: WithdrawRecord[] = [];
  const coins = Object.entries(account.initial).filter(([, v]) => dec(v).gt(0));
  let seq = 0;
  for (const [coin, amount] of coins) {
    const net = netOf(coin);
    // Two deposits per coin: one older than the 90-day default window, one inside it.
    for (const ageDays of [rng.int(100, 170), rng.int(3, 80)]) {
      const insertTime = anchor - ageDays * DAY - rng.int(0, DAY - 1);
      const part = dec(amount)
        .mul(ageDays > 90 ? '0.3' : '0.7')
        .toDecimalPlaces(8, Decimal.ROUND_DOWN);
      seq += 1;
      deposits.push({
        id: String(700_000_000_000_000_000n + BigInt(hash32(`${account.id}:d:${seq}`)) * 1000n + BigInt(seq)),
        amount: part.toString(),
        coin,
        network: net.network,
        status: 1,
        address: address(rng, net.network),
        addressTag: '',
        txId: net.network === 'BTC' ? hex(rng, 64) : `0x${hex(rng, 64)}`,
        insertTime,
        completeTime: insertTime + rng.int(60_000, 1_800_000),
        transferType: 0,
        confirmTimes: `${net.confirms}/${net.confirms}`,
        unlockConfirm: 0,
        walletType: 0,
        travelRuleStatus: 0,
      });
    }
  }
  // A recent deposit still waiting for confirmations.
  if (coins.length > 0) {
    const [coin] = coins[0]!;
    const net = netOf(coin);
    const insertTime = anchor - rng.int(60_000, 3_600_000);
    deposits.push({
      id: String(700_000_000_000_000_000n + BigInt(hash32(`${account.id}:pending`))),
      amount: '25',
      coin,
      network: net.network,
      status: 0,
      address: address(rng, net.network),
      addressTag: '',
      txId: `0x${hex(rng, 64)}`,
      insertTime,
      completeTime: 0,
      transferType: 0,
      confirmTimes: `0/${net.confirms}`,
      unlockConfirm: 0,
      walletType: 0,
      travelRuleStatus: 0,
    });
  }
  const statuses = [6, 6, 6, 4, 1, 5];
  coins.slice(0, 4).forEach(([coin, amount], i) => {
    const net = netOf(coin);
    for (let k = 0; k < 2; k++) {
      const applyMs = anchor - rng.int(1, 150) * DAY - rng.int(0, DAY - 1);
      const status = statuses[(i * 2 + k) % statuses.length]!;
      const done = status === 6;
      const rec: WithdrawRecord = {
        id: hex(rng, 32),
        amount: fmt8(dec(amount).mul('0.05').toDecimalPlaces(6, Decimal.ROUND_DOWN)),
        transactionFee: net.fee,
        coin,
        status,
        address: address(rng, net.network),
        txId: done ? (net.network === 'BTC' ? hex(rng, 64) : `0x${hex(rng, 64)}`) : '',
        applyTime: utcText(applyMs),
        network: net.network,
        transferType: 0,
        info: status === 5 ? 'The address is not valid. Please confirm with the recipient' : '',
        confirmNo: done ? net.confirms : 0,
        walletType: 0,
        txKey: '',
        completeTime: done ? utcText(applyMs + rng.int(120_000, 3_600_000)) : '',
      };
      if (k === 0) rec.withdrawOrderId = `perchdemo${i}`;
      withdrawals.push(rec);
    }
  });
  deposits.sort((a, b) => b.insertTime - a.insertTime);
  withdrawals.sort((a, b) => (a.applyTime < b.applyTime ? 1 : -1));
  return { deposits, withdrawals };
}

export const parseUtcText = (text: string): number => Date.parse(`${text.replace(' ', 'T')}Z`);
