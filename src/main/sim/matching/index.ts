/**
 * The EXCHANGE part of the simulator: accounts, commissions, the matching engine, the user data
 * bus and the account/trading REST routes, built from one context.
 */
import type { SimClock } from '../clock';
import type { AccountsModel, Faults, MarketModel, MatchingEngine, RestRoute, UserDataBus, UserDataEvent } from '../types';
import { createAccounts } from '../account/accounts';
import { createCommissionBook, createConverter, type CommissionBook } from '../account/commission';
import { accountRoutes, type OrderRateUsage } from '../account/routes';
import { createUserDataBus } from '../account/user-data-bus';
import { buildDemoHistory, type DemoHistory, type DemoTrade } from '../account/demo-history';
import { createEngine, type Engine } from './engine';
import { createIds } from './ids';
import { createClientIdGenerator } from './params';
import { amendRoute } from './amend-routes';
import { cancelReplaceRoute } from './cancel-replace';
import { legacyOcoRoute } from './legacy-oco';
import { otoRoutes } from './oto-routes';
import { accountReadRoutes } from './read-routes';
import { tradingRoutes } from './routes';

export interface ExchangeContext {
  readonly clock: SimClock;
  readonly faults: Faults;
  readonly market: MarketModel;
  readonly orderRateUsage: OrderRateUsage;
  /** Test knob: exchange filters the engine enforces instead of the published ones. */
  readonly exchangeFilters?: readonly Readonly<Record<string, string | number>>[];
  /** Sees every user data event (the public trade tape takes the accounts' fills from it). */
  readonly onUserEvent?: (accountId: string, event: UserDataEvent) => void;
}

export interface ExchangeModel {
  readonly accounts: AccountsModel;
  readonly userData: UserDataBus;
  readonly engine: MatchingEngine;
  readonly ids: { nextOrderId(): bigint; nextTradeId(): bigint; nextOrderListId(): bigint };
  /** Test/demo knobs beyond the shared contract (commission rates, BNB payment). */
  readonly commission: CommissionBook;
  /** The engine's internals, for in-process tests and demo tooling. */
  readonly core: Engine;
  /**
   * Gives an account a year of history ending at its opening balances (trades in myTrades,
   * deposits, withdrawals, a dust conversion). Call right after createAccount.
   */
  seedDemoHistory(accountId: string): DemoHistory;
  /** Adds past trades to an account's myTrades (benchmarks of the history sync); balances are not touched. */
  seedTrades(accountId: string, trades: readonly DemoTrade[]): void;
  demoHistory(accountId: string): DemoHistory | undefined;
}

export function createExchangeModel(ctx: ExchangeContext): ExchangeModel {
  const userData = createUserDataBus(ctx.onUserEvent);
  const accounts = createAccounts({ clock: ctx.clock, userData });
  const ids = createIds(ctx.faults);
  const convert = createConverter(ctx.market);
  const commission = createCommissionBook({ convert });
  const newClientId = createClientIdGenerator();
  const core = createEngine({
    clock: ctx.clock,
    market: ctx.market,
    ledger: accounts.ledger,
    userData,
    commission,
    ids,
    newClientId,
    ...(ctx.exchangeFilters !== undefined ? { exchangeFilters: ctx.exchangeFilters } : {}),
  });
  accounts.setResetHook((accountId) => core.cancelAll(accountId));
  const unsubscribeTicks = ctx.market.onTick((changed) => core.onTick(changed));

  const demoHistories = new Map<string, DemoHistory>();
  const seedTrades = (accountId: string, trades: readonly DemoTrade[]): void => {
    // Ids in time order, before any live trade: the history is older than everything else.
    const seeded = [...trades]
      .sort((a, b) => a.time - b.time)
      .map((t) => ({
        symbol: t.symbol,
        id: ids.nextTradeId(),
        orderId: ids.nextOrderId(),
        orderListId: -1 as const,
        price: t.price,
        qty: t.qty,
        quoteQty: t.quoteQty,
        commission: t.commission,
        commissionAsset: t.commissionAsset,
        time: t.time,
        isBuyer: t.isBuyer,
        isMaker: t.isMaker,
      }));
    core.book(accountId).trades.unshift(...seeded);
  };
  const seedDemoHistory = (accountId: string): DemoHistory => {
    const history = buildDemoHistory(accounts.ledger.account(accountId), { market: ctx.market });
    seedTrades(accountId, history.trades);
    demoHistories.set(accountId, history);
    return history;
  };

  const routes: RestRoute[] = [
    ...accountRoutes({
      clock: ctx.clock,
      market: ctx.market,
      ledger: accounts.ledger,
      commission,
      orderRateUsage: ctx.orderRateUsage,
      convert,
      demoHistory: (id) => demoHistories.get(id),
    }),
    ...tradingRoutes({ market: ctx.market, faults: ctx.faults, engine: core, commission, newClientId }),
    ...accountReadRoutes({ market: ctx.market, engine: core }),
    cancelReplaceRoute({ market: ctx.market, faults: ctx.faults, engine: core, newClientId }),
    ...otoRoutes({ market: ctx.market, faults: ctx.faults, engine: core }),
    amendRoute({ market: ctx.market, engine: core, newClientId }),
  ];
  const oco = routes.find((r) => r.method === 'POST' && r.path === '/api/v3/orderList/oco');
  if (oco !== undefined) routes.push(legacyOcoRoute(oco));
  const engine: MatchingEngine = {
    routes: () => routes,
    resetAccount: (accountId) => accounts.model.reset(accountId),
    stop: () => unsubscribeTicks(),
  };
  return {
    accounts: accounts.model,
    userData,
    engine,
    ids,
    commission,
    core,
    seedDemoHistory,
    seedTrades,
    demoHistory: (id) => demoHistories.get(id),
  };
}
