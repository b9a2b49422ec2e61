/** REST routes for the account itself: account info, commissions, order-count usage, wallet /sapi. */
import { errors } from '../errors';
import type { SimClock } from '../clock';
import type { MarketModel, RestRequest, RestRoute } from '../types';
import type { Ledger, AccountRecord } from './accounts';
import type { CommissionBook } from './commission';
import { buildHistory, parseUtcText, type WalletHistory } from './history';
import type { DemoHistory } from './demo-history';
import { Decimal, ZERO, dec, fmt8 } from './money';
import { boolParam, intParam, optional, required, timeParam, timeWindowError } from '../matching/params';

export type OrderRateUsage = (accountId: string) => ReadonlyArray<{
  rateLimitType: 'ORDERS';
  interval: 'SECOND' | 'DAY';
  intervalNum: number;
  limit: number;
  count: number;
}>;

const DAY = 86_400_000;

export function accountIdOf(req: RestRequest): string {
  if (!req.key) throw errors.unauthorized();
  return req.key.accountId;
}

export function accountRoutes(deps: {
  clock: SimClock;
  market: MarketModel;
  ledger: Ledger;
  commission: CommissionBook;
  orderRateUsage: OrderRateUsage;
  convert: (amount: Decimal, from: string, to: string) => Decimal | undefined;
  /** The seeded year of history of an account (the demo), if it has one. */
  demoHistory?: (accountId: string) => DemoHistory | undefined;
}): RestRoute[] {
  const { clock, market, ledger, commission } = deps;
  const histories = new Map<string, { createdAt: number; history: WalletHistory }>();
  const historyOf = (record: AccountRecord): WalletHistory => {
    const demo = deps.demoHistory?.(record.id);
    if (demo) return demo;
    const cached = histories.get(record.id);
    if (cached && cached.createdAt === record.createdAt) return cached.history;
    const history = buildHistory(record);
    histories.set(record.id, { createdAt: record.createdAt, history });
    return history;
  };

  /** startTime/endTime with a maximum span; one side missing -> derived from the other. */
  const window = (params: Readonly<Record<string, string>>, spanDays: number, defaultDays: number) => {
    let start = timeParam(params, 'startTime');
    let end = timeParam(params, 'endTime');
    const span = spanDays * DAY;
    if (start !== undefined && end !== undefined && end - start > span) throw timeWindowError(spanDays * 24);
    if (start === undefined && end === undefined) {
      end = clock.now();
      start = end - defaultDays * DAY;
    } else if (start === undefined) start = (end as number) - span;
    else if (end === undefined) end = start + span;
    return { start: start as number, end: end as number };
  };

  const account: RestRoute = {
    method: 'GET',
    path: '/api/v3/account',
    security: 'USER_DATA',
    weight: 20,
    params: ['omitZeroBalances'],
    handler(req) {
      const accountId = accountIdOf(req);
      const omitZero = boolParam(req.params, 'omitZeroBalances') ?? false;
      const record = ledger.account(accountId);
      const r = commission.rates(accountId);
      const balances = [...record.balances.entries()]
        .filter(([, b]) => !omitZero || !b.free.plus(b.locked).isZero())
        .map(([asset, b]) => ({ asset, free: fmt8(b.free), locked: fmt8(b.locked) }));
      const bips = (d: Decimal): number => Number(d.mul(10_000).toFixed(0));
      return {
        makerCommission: bips(r.maker),
        takerCommission: bips(r.taker),
        buyerCommission: bips(r.buyer),
        sellerCommission: bips(r.seller),
        commissionRates: { maker: fmt8(r.maker), taker: fmt8(r.taker), buyer: fmt8(r.buyer), seller: fmt8(r.seller) },
        canTrade: true,
        canWithdraw: true,
        canDeposit: true,
        brokered: false,
        requireSelfTradePrevention: false,
        preventSor: false,
        updateTime: record.updateTime,
        accountType: 'SPOT',
        balances,
        permissions: ['SPOT'],
        uid: record.uid,
      };
    },
  };

  const commissionRoute: RestRoute = {
    method: 'GET',
    path: '/api/v3/account/commission',
    security: 'USER_DATA',
    weight: 20,
    params: ['symbol'],
    handler(req) {
      const accountId = accountIdOf(req);
      const symbol = required(req.params, 'symbol');
      if (!market.symbol(symbol)) throw errors.badSymbol();
      return commission.commissionReply(accountId, symbol);
    },
  };

  const rateLimitOrder: RestRoute = {
    method: 'GET',
    path: '/api/v3/rateLimit/order',
    security: 'USER_DATA',
    weight: 40,
    params: [],
    handler(req) {
      return deps.orderRateUsage(accountIdOf(req)).map((u) => ({
        rateLimitType: u.rateLimitType,
        interval: u.interval,
        intervalNum: u.intervalNum,
        limit: u.limit,
        count: u.count,
      }));
    },
  };

  const paging = (params: Readonly<Record<string, string>>) => ({
    offset: intParam(params, 'offset', { min: 0 }) ?? 0,
    limit: intParam(params, 'limit', { min: 1, max: 1000 }) ?? 1000,
  });

  const deposits: RestRoute = {
    method: 'GET',
    path: '/sapi/v1/capital/deposit/hisrec',
    security: 'USER_DATA',
    weight: 1,
    sapi: true,
    params: ['includeSource', 'coin', 'status', 'startTime', 'endTime', 'offset', 'limit', 'txId'],
    handler(req) {
      const p = req.params;
      const { start, end } = window(p, 90, 90);
      const status = intParam(p, 'status');
      const { offset, limit } = paging(p);
      boolParam(p, 'includeSource');
      const coin = optional(p, 'coin');
      const txId = optional(p, 'txId');
      return historyOf(ledger.account(accountIdOf(req)))
        .deposits.filter((d) => d.insertTime >= start && d.insertTime <= end)
        .filter(
          (d) => (coin ? d.coin === coin : true) && (status !== undefined ? d.status === status : true) && (txId ? d.txId === txId : true),
        )
        .slice(offset, offset + limit);
    },
  };

  const withdrawals: RestRoute = {
    method: 'GET',
    path: '/sapi/v1/capital/withdraw/history',
    security: 'USER_DATA',
    weight: 1,
    sapi: true,
    params: ['coin', 'withdrawOrderId', 'status', 'offset', 'limit', 'idList', 'startTime', 'endTime'],
    handler(req) {
      const p = req.params;
      const withdrawOrderId = optional(p, 'withdrawOrderId');
      const { start, end } = window(p, withdrawOrderId ? 7 : 90, 90);
      const status = intParam(p, 'status');
      const { offset, limit } = paging(p);
      const coin = optional(p, 'coin');
      const idList = optional(p, 'idList')?.split(',');
      if (idList && idList.length > 45) throw errors.invalidParamValue("Data sent for parameter 'idList' is not valid.");
      return historyOf(ledger.account(accountIdOf(req)))
        .withdrawals.filter((w) => {
          const t = parseUtcText(w.applyTime);
          return t >= start && t <= end;
        })
        .filter((w) => (coin ? w.coin === coin : true) && (status !== undefined ? w.status === status : true))
        .filter((w) => (withdrawOrderId ? w.withdrawOrderId === withdrawOrderId : true) && (idList ? idList.includes(w.id) : true))
        .slice(offset, offset + limit);
    },
  };

  const snapshot: RestRoute = {
    method: 'GET',
    path: '/sapi/v1/accountSnapshot',
    security: 'USER_DATA',
    weight: 2400,
    sapi: true,
    params: ['type', 'startTime', 'endTime', 'limit'],
    handler(req) {
      const p = req.params;
      const type = required(p, 'type');
      if (type !== 'SPOT') throw errors.invalidParamValue("Data sent for parameter 'type' is not valid.");
      const limit = intParam(p, 'limit', { min: 7, max: 30 }) ?? 7;
      const now = clock.now();
      const todayStart = Math.floor(now / DAY) * DAY;
      const startParam = timeParam(p, 'startTime');
      const endParam = timeParam(p, 'endTime');
      if (startParam !== undefined && endParam !== undefined && endParam - startParam > 30 * DAY) throw timeWindowError(30 * 24);
      const record = ledger.account(accountIdOf(req));
      const vos: unknown[] = [];
      // Daily snapshots at the end of each UTC day, only within the last month.
      for (let i = 30; i >= 1; i--) {
        const updateTime = todayStart - (i - 1) * DAY - 1;
        if (updateTime < now - 30 * DAY) continue;
        if (startParam !== undefined && updateTime < startParam) continue;
        if (endParam !== undefined && updateTime > endParam) continue;
        if (startParam === undefined && endParam === undefined && updateTime < todayStart - limit * DAY) continue;
        const day = Math.floor(updateTime / DAY);
        let total = ZERO;
        const balances = Object.entries(record.initial).map(([asset, amount]) => {
          // A gentle deterministic drift so the history is not a flat line.
          const drift = new Decimal(1).plus(new Decimal(((day * 7919 + asset.length * 104729) % 200) - 100).div(2000));
          const free = dec(amount).mul(drift).toDecimalPlaces(8, Decimal.ROUND_DOWN);
          total = total.plus(deps.convert(free, asset, 'BTC') ?? ZERO);
          return { asset, free: free.toString(), locked: '0' };
        });
        vos.push({
          type: 'spot',
          updateTime,
          data: { balances, totalAssetOfBtc: total.toDecimalPlaces(8, Decimal.ROUND_DOWN).toString() },
        });
      }
      return { code: 200, msg: '', snapshotVos: vos.slice(-limit) };
    },
  };

  const dribblet: RestRoute = {
    method: 'GET',
    path: '/sapi/v1/asset/dribblet',
    security: 'USER_DATA',
    weight: 1,
    sapi: true,
    params: ['accountType', 'startTime', 'endTime'],
    handler(req) {
      const p = req.params;
      const type = optional(p, 'accountType') ?? 'SPOT';
      if (type !== 'SPOT' && type !== 'MARGIN') throw errors.invalidParamValue("Data sent for parameter 'accountType' is not valid.");
      const start = timeParam(p, 'startTime') ?? 0;
      const end = timeParam(p, 'endTime') ?? clock.now();
      const all = type === 'SPOT' ? (deps.demoHistory?.(accountIdOf(req))?.dribblets ?? []) : [];
      // Newest first, the last 100 records at most.
      const rows = all
        .filter((d) => d.operateTime >= start && d.operateTime <= end)
        .sort((a, b) => b.operateTime - a.operateTime)
        .slice(0, 100);
      return { total: rows.length, userAssetDribblets: rows };
    },
  };

  /**
   * Binance Convert history: startTime and endTime required, at most 30 days apart; limit default
   * 100, max 1000; the newest first, moreData when the window holds more than limit. Its weight is
   * per UID (3000), not the IP's request weight this counter keeps, so it counts 1 here.
   */
  const convertTradeFlow: RestRoute = {
    method: 'GET',
    path: '/sapi/v1/convert/tradeFlow',
    security: 'USER_DATA',
    weight: 1,
    sapi: true,
    params: ['startTime', 'endTime', 'limit'],
    handler(req) {
      const p = req.params;
      required(p, 'startTime');
      required(p, 'endTime');
      const start = timeParam(p, 'startTime')!;
      const end = timeParam(p, 'endTime')!;
      if (end - start > 30 * DAY) throw timeWindowError(30 * 24);
      const limit = intParam(p, 'limit', { min: 1, max: 1000 }) ?? 100;
      const all = (deps.demoHistory?.(accountIdOf(req))?.converts ?? [])
        .filter((c) => c.createTime >= start && c.createTime <= end)
        .sort((a, b) => b.createTime - a.createTime);
      return { list: all.slice(0, limit), startTime: start, endTime: end, limit, moreData: all.length > limit };
    },
  };

  return [account, commissionRoute, rateLimitOrder, deposits, withdrawals, snapshot, dribblet, convertTradeFlow];
}
