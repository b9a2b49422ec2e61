/**
 * Balances of every simulated account: free and locked amounts per asset (exact decimals).
 * The matching engine moves funds with the ledger primitives and then publishes one
 * outboundAccountPosition for the assets it touched, the way Binance reports a balance change.
 */
import { hash32 } from '../rng';
import type { SimClock } from '../clock';
import type { AccountsModel, UserDataBus, UserDataEvent } from '../types';
import { Decimal, ZERO, dec, fmt8 } from './money';

export interface AssetBalance {
  free: Decimal;
  locked: Decimal;
}

export interface AccountRecord {
  readonly id: string;
  readonly uid: number;
  initial: Record<string, string>;
  readonly balances: Map<string, AssetBalance>;
  /** Time of the last balance change (account `updateTime`, event `u`). */
  updateTime: number;
  /** When the account was (re)created: anchor of its deposit/withdrawal history. */
  createdAt: number;
}

export interface Ledger {
  account(accountId: string): AccountRecord;
  has(accountId: string): boolean;
  free(accountId: string, asset: string): Decimal;
  locked(accountId: string, asset: string): Decimal;
  /** free += amount (amount may be negative; the caller has checked the balance). */
  addFree(accountId: string, asset: string, amount: Decimal): void;
  /** locked += amount (negative releases nothing to free: use lock/unlock for that). */
  addLocked(accountId: string, asset: string, amount: Decimal): void;
  /** Move amount from free to locked. */
  lock(accountId: string, asset: string, amount: Decimal): void;
  /** Move amount from locked back to free. */
  unlock(accountId: string, asset: string, amount: Decimal): void;
  touch(accountId: string, now: number): void;
  positionEvent(accountId: string, assets: Iterable<string>, now: number): UserDataEvent;
}

export interface AccountsImpl {
  readonly model: AccountsModel;
  readonly ledger: Ledger;
  /** The engine registers here to cancel an account's orders on reset. */
  setResetHook(hook: (accountId: string) => void): void;
}

export function createAccounts(opts: { clock: SimClock; userData: UserDataBus }): AccountsImpl {
  const { clock, userData } = opts;
  const accounts = new Map<string, AccountRecord>();
  let resetHook: (accountId: string) => void = () => undefined;

  const fill = (record: AccountRecord, balances: Readonly<Record<string, string>>): void => {
    for (const [asset, amount] of Object.entries(balances)) {
      record.balances.set(asset, { free: dec(amount), locked: ZERO });
    }
  };

  const account = (accountId: string): AccountRecord => {
    let record = accounts.get(accountId);
    if (!record) {
      // An API key may name an account nobody funded: it exists, empty, like a fresh Binance account.
      record = { id: accountId, uid: uidOf(accountId), initial: {}, balances: new Map(), updateTime: clock.now(), createdAt: clock.now() };
      accounts.set(accountId, record);
    }
    return record;
  };

  const bal = (accountId: string, asset: string): AssetBalance => {
    const record = account(accountId);
    let b = record.balances.get(asset);
    if (!b) {
      b = { free: ZERO, locked: ZERO };
      record.balances.set(asset, b);
    }
    return b;
  };

  const ledger: Ledger = {
    account,
    has: (accountId) => accounts.has(accountId),
    free: (accountId, asset) => accounts.get(accountId)?.balances.get(asset)?.free ?? ZERO,
    locked: (accountId, asset) => accounts.get(accountId)?.balances.get(asset)?.locked ?? ZERO,
    addFree(accountId, asset, amount) {
      const b = bal(accountId, asset);
      b.free = b.free.plus(amount);
    },
    addLocked(accountId, asset, amount) {
      const b = bal(accountId, asset);
      b.locked = Decimal.max(ZERO, b.locked.plus(amount));
    },
    lock(accountId, asset, amount) {
      const b = bal(accountId, asset);
      b.free = b.free.minus(amount);
      b.locked = b.locked.plus(amount);
    },
    unlock(accountId, asset, amount) {
      const b = bal(accountId, asset);
      const release = Decimal.min(amount, b.locked);
      b.locked = b.locked.minus(release);
      b.free = b.free.plus(release);
    },
    touch(accountId, now) {
      account(accountId).updateTime = now;
    },
    positionEvent(accountId, assets, now) {
      const record = account(accountId);
      const B = [...new Set(assets)].map((a) => {
        const b = record.balances.get(a) ?? { free: ZERO, locked: ZERO };
        return { a, f: fmt8(b.free), l: fmt8(b.locked) };
      });
      return { e: 'outboundAccountPosition', E: now, u: record.updateTime, B };
    },
  };

  const model: AccountsModel = {
    createAccount(accountId, balances) {
      if (accounts.has(accountId)) resetHook(accountId);
      const now = clock.now();
      const record: AccountRecord = {
        id: accountId,
        uid: uidOf(accountId),
        initial: { ...balances },
        balances: new Map(),
        updateTime: now,
        createdAt: now,
      };
      fill(record, balances);
      accounts.set(accountId, record);
    },
    has: (accountId) => accounts.has(accountId),
    reset(accountId) {
      const record = account(accountId);
      resetHook(accountId);
      const assets = new Set([...record.balances.keys(), ...Object.keys(record.initial)]);
      record.balances.clear();
      fill(record, record.initial);
      const now = clock.now();
      record.updateTime = now;
      userData.publish(accountId, ledger.positionEvent(accountId, assets, now));
    },
    adjustBalance(accountId, asset, delta) {
      const d = dec(delta);
      const b = bal(accountId, asset);
      if (b.free.plus(d).lt(0)) {
        throw new Error(`adjustBalance: ${asset} free ${fmt8(b.free)} cannot absorb ${delta}`);
      }
      b.free = b.free.plus(d);
      const now = clock.now();
      ledger.touch(accountId, now);
      userData.publish(accountId, { e: 'balanceUpdate', E: now, a: asset, d: fmt8(d), T: now });
      userData.publish(accountId, ledger.positionEvent(accountId, [asset], now));
    },
    balances(accountId) {
      const record = accounts.get(accountId);
      if (!record) return [];
      return [...record.balances.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([asset, b]) => ({ asset, free: fmt8(b.free), locked: fmt8(b.locked) }));
    },
  };

  return {
    model,
    ledger,
    setResetHook: (hook) => {
      resetHook = hook;
    },
  };
}

/** A stable, realistic-looking numeric uid per account id. */
export function uidOf(accountId: string): number {
  return 100_000_000 + (hash32(`uid:${accountId}`) % 900_000_000);
}
