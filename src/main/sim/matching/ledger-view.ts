/**
 * The exchange's own records of one account, as plain JSON, for the control endpoint's read-only
 * GET /__control/ledger. Crash tests compare what Perch believes (its journal, open orders,
 * balances, history) against this; it is the simulator's truth, not a client's view of it.
 */
import type { AccountsModel } from '../types';
import { fmt8 } from '../account/money';
import type { Engine } from './engine';

export interface LedgerOrder {
  readonly symbol: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly orderListId: string;
  readonly listClientOrderId: string | null;
  readonly side: string;
  readonly type: string;
  readonly status: string;
  readonly origQty: string;
  readonly executedQty: string;
  readonly cumulativeQuoteQty: string;
}

export interface LedgerTrade {
  readonly symbol: string;
  readonly id: string;
  readonly orderId: string;
  readonly qty: string;
  readonly price: string;
}

export interface LedgerView {
  readonly orders: readonly LedgerOrder[];
  readonly trades: readonly LedgerTrade[];
  readonly balances: ReadonlyArray<{ asset: string; free: string; locked: string }>;
}

export function ledgerView(engine: Engine, accounts: AccountsModel, accountId: string): LedgerView {
  if (!accounts.has(accountId)) return { orders: [], trades: [], balances: [] };
  const book = engine.book(accountId);
  const orders = [...book.orders.values()].map((o): LedgerOrder => ({
    symbol: o.symbol,
    orderId: o.orderId.toString(),
    clientOrderId: o.clientOrderId,
    orderListId: o.list !== undefined ? o.list.orderListId.toString() : '-1',
    listClientOrderId: o.list !== undefined ? o.list.listClientOrderId : null,
    side: o.side,
    type: o.type,
    status: o.status,
    origQty: fmt8(o.origQty),
    executedQty: fmt8(o.executedQty),
    cumulativeQuoteQty: fmt8(o.cumQuote),
  }));
  const trades = book.trades.map((t): LedgerTrade => ({
    symbol: t.symbol,
    id: t.id.toString(),
    orderId: t.orderId.toString(),
    qty: fmt8(t.qty),
    price: fmt8(t.price),
  }));
  return { orders, trades, balances: accounts.balances(accountId) };
}
