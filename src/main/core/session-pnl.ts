/**
 * The P&L feature of one exchange session: the whole-history sync (started on its own once the
 * session is ready, then again every few minutes for new trades), the P&L engine over what is
 * stored, and the answers of the pnl:* commands. Built with the session and stopped before it.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { EnvironmentId } from '../../shared/domain';
import type { EventName } from '../../shared/ipc/channels';
import type { EventPayload } from '../../shared/ipc/contract';
import type { PnlCommandName, PnlRange, PnlSeriesPoint, PnlTradeRow } from '../../shared/ipc/pnl-contract';
import { pnlCommands } from '../../shared/ipc/pnl-contract';
import { Decimal } from '../../shared/money';
import { createAccountHistorySync, type AccountHistorySync, type SymbolPair } from '../history/account-history-sync';
import { downsample, type SeriesPoint } from '../history/downsample';
import { createRecordedValues } from '../history/recorded-values';
import { computePnl, type CostMethod, type DepositCost } from '../history/pnl-engine';
import { DepositCostInput } from '../../shared/ipc/pnl-contract';
import { z } from 'zod';

/** Deposit costs the user chose, stored as JSON: checked when read back (a trust boundary: the disk). */
const DepositCosts = z.record(z.string().max(100), DepositCostInput);
import {
  computeAccountPnl,
  createPriceBook,
  eventValuations,
  historyEvents,
  restDailyFetcher,
  restHourlyFetcher,
  restMinuteFetcher,
  type PnlComputation,
  type PriceBook,
} from '../history/pnl-service';
import { createHistoryRepository, type HistoryRepository } from '../storage/history-repository';
import type { ExchangeSession } from './exchange-session';

const DAY = 86_400_000;
const RESYNC_MS = 5 * 60_000;
const RANGES: Record<PnlRange, number> = { '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY, '90d': 90 * DAY, '1y': 365 * DAY, all: Infinity };

/** pnl:saveCsv needs the desktop shell: the core answers it (with exportCsv's file). */
type Handlers = {
  [C in Exclude<PnlCommandName, 'pnl:saveCsv'>]: (
    input: z.output<(typeof pnlCommands)[C]['input']>,
  ) => Promise<z.output<(typeof pnlCommands)[C]['output']>>;
};

export interface SessionPnlOptions {
  readonly session: Pick<ExchangeSession, 'rest' | 'exchangeInfo' | 'freeBalances' | 'ready' | 'orders'>;
  readonly environment: EnvironmentId;
  readonly db: DatabaseSync;
  readonly quote: () => string;
  readonly now: () => number;
  readonly emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  /** Recorded portfolio values (5-minute-ish samples), when a database records them. */
  readonly recordedValues?: (from: number, to: number) => ReadonlyArray<{ ts: number; total: string }>;
}

export interface SessionPnl {
  readonly handlers: Handlers;
  readonly sync: AccountHistorySync;
  stop(): void;
}

const csvCell = (v: string | number | null): string => {
  const s = v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const iso = (t: number): string => new Date(t).toISOString();
const plain = (d: Decimal): string => (d.isZero() ? '0' : d.toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN).toFixed());

export function createSessionPnl(o: SessionPnlOptions): SessionPnl {
  const env = o.environment;
  const repo: HistoryRepository = createHistoryRepository(o.db);
  const symbols = (): SymbolPair[] =>
    o.session.exchangeInfo.symbols().map((s) => ({ symbol: s.symbol, baseAsset: s.baseAsset, quoteAsset: s.quoteAsset }));
  let stopped = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  const sync = createAccountHistorySync({
    rest: o.session.rest,
    repo,
    environment: env,
    symbols,
    heldAssets: () =>
      Object.entries(o.session.freeBalances())
        .filter(([, v]) => new Decimal(v || '0').gt(0))
        .map(([a]) => a),
    transfersAvailable: env === 'demo' || env === 'production',
    now: o.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    onProgress: (p) => {
      if (!stopped) o.emit('pnl:syncProgress', p);
    },
  });

  let prices: PriceBook | null = null;
  let pricesQuote = '';
  let pricesAt = 0;
  const priceBook = (): PriceBook => {
    // Daily candles change once a day; a new book after an hour picks up today's close.
    if (!prices || pricesQuote !== o.quote() || o.now() - pricesAt > 3_600_000) {
      prices = createPriceBook({
        quote: o.quote(),
        symbols,
        fetchDaily: restDailyFetcher(o.session.rest),
        fetchHourly: restHourlyFetcher(o.session.rest),
        hourlySince: o.now() - 365 * DAY,
        fetchMinute: restMinuteFetcher(o.session.rest),
        minuteCache: { get: (symbol) => repo.minuteCloses(env, symbol), put: (symbol, rows) => repo.putMinuteCloses(env, symbol, rows) },
      });
      pricesQuote = o.quote();
      pricesAt = o.now();
    }
    return prices;
  };

  const depositCosts = (): Record<string, DepositCost> => {
    try {
      const parsed = DepositCosts.safeParse(JSON.parse(repo.meta(env, 'depositCosts') ?? '{}'));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  };
  let costsVersion = 0;

  const cache = new Map<string, Promise<PnlComputation>>();
  const compute = (method: CostMethod): Promise<PnlComputation> => {
    const key = `${method}:${o.quote()}:${repo.tradeCount(env)}:${repo.transfers(env).length}:${costsVersion}:${Math.floor(o.now() / 60_000)}`;
    let p = cache.get(key);
    if (!p) {
      cache.clear();
      p = computeAccountPnl({
        repo,
        environment: env,
        symbols: symbols(),
        quote: o.quote(),
        method,
        now: o.now(),
        prices: priceBook(),
        coveredSymbols: sync.coveredSymbols(),
        costs: depositCosts(),
      });
      p.catch(() => cache.delete(key));
      cache.set(key, p);
    }
    return p;
  };

  // A fill on the user data stream: read that symbol's new trades (debounced, one request per symbol).
  const pendingFills = new Map<string, ReturnType<typeof setTimeout>>();
  const unsubscribeOrders = o.session.orders.onOrderUpdate(({ order, previous }) => {
    if (stopped || previous === undefined || !new Decimal(order.executedQty).gt(previous.executedQty)) return;
    if (pendingFills.has(order.symbol)) return;
    pendingFills.set(
      order.symbol,
      setTimeout(() => {
        pendingFills.delete(order.symbol);
        if (!stopped) void sync.refreshSymbol(order.symbol);
      }, 1500),
    );
  });

  const start = async (): Promise<void> => {
    try {
      await o.session.ready();
    } catch {
      return;
    }
    if (stopped) return;
    void sync.sync();
    timer = setInterval(() => {
      if (!stopped) void sync.sync();
    }, RESYNC_MS);
  };
  void start();

  const recorded = o.recordedValues ? createRecordedValues(o.recordedValues) : null;

  const tradeRows = (): PnlTradeRow[] => {
    const bySymbol = new Map(symbols().map((s) => [s.symbol, s]));
    return repo.trades(env).flatMap((t) => {
      const info = bySymbol.get(t.symbol);
      if (!info) return [];
      return [
        {
          time: t.time,
          symbol: t.symbol,
          base: info.baseAsset,
          quote: info.quoteAsset,
          side: t.isBuyer ? ('BUY' as const) : ('SELL' as const),
          price: t.price,
          qty: t.qty,
          quoteQty: t.quoteQty,
          fee: t.commission,
          feeAsset: t.commissionAsset,
          tradeId: t.tradeId,
        },
      ];
    });
  };

  const handlers: Handlers = {
    async 'pnl:overview'({ method, range, width }) {
      const progress = sync.progress();
      if (repo.tradeCount(env) === 0 && repo.transfers(env).length === 0) {
        return {
          summary: null,
          sync: progress,
          series: [],
          daily: [],
          message:
            progress.phase === 'done'
              ? 'No trades or transfers were found for the covered symbols.'
              : 'Reading your trade history from the exchange…',
        };
      }
      const { summary, result, daily } = await compute(method);
      const now = o.now();
      const from = range === 'all' ? 0 : now - RANGES[range];
      // The engine's day ends, and the values Perch recorded (every minute or so while it ran)
      // between them, oldest first. A point's data is an index: ≥ 0 a recorded value, < 0 a day
      // end (−1 − i); its figures are only written out for the ≤ 2,000 points the chart keeps.
      const samples = result.samples;
      const rec = recorded?.between(o.quote(), from, now) ?? null;
      const points: Array<SeriesPoint<number>> = [];
      let r = rec?.start ?? 0;
      const recEnd = rec?.end ?? 0;
      for (let i = 0; i <= samples.length; i++) {
        const s = samples[i];
        if (s !== undefined && s.time < from) continue;
        for (; rec !== null && r < recEnd && (s === undefined || rec.ts[r]! < s.time); r++)
          points.push({ t: rec.ts[r]!, v: rec.v[r]!, data: r });
        if (s !== undefined) points.push({ t: s.time, v: s.value === null ? null : s.value.toNumber(), data: -1 - i });
      }
      const steps = result.netInvestedSteps;
      /** Net invested at t: after every deposit and withdrawal at or before t. */
      const netAt = (t: number): Decimal => {
        let lo = 0;
        let hi = steps.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (steps[mid]!.time <= t) lo = mid + 1;
          else hi = mid;
        }
        return lo === 0 ? new Decimal(0) : steps[lo - 1]!.netInvested;
      };
      // A slice of three pixels keeps its lowest and highest value: the line still reaches every
      // spike and dip, with about two points per three pixels of the plot (one per pixel drew in
      // 57–114 ms with renderer tasks up to 53 ms; this in 52–70 ms with none over 50 ms).
      const series = downsample(points, 2000, Math.ceil((width ?? 2000) / 3)).map((p): PnlSeriesPoint => {
        if (p.data < 0) {
          const s = samples[-1 - p.data]!;
          return { t: s.time, value: s.value ? plain(s.value) : null, pnl: s.pnl ? plain(s.pnl) : null };
        }
        const v = new Decimal(rec!.total[p.data]!);
        return { t: p.t, value: plain(v), pnl: plain(v.minus(netAt(p.t))) };
      });
      return {
        summary,
        sync: progress,
        series,
        daily: daily
          .filter((d) => d.time >= from)
          .slice(-400)
          .map((d) => ({ t: d.time, pnl: d.pnl ? plain(d.pnl) : null })),
        message: null,
      };
    },
    async 'pnl:trades'({ asset, side, from, to, limit }) {
      const rows = tradeRows()
        .filter(
          (r) =>
            (asset === undefined || r.base === asset || r.quote === asset) &&
            (side === undefined || r.side === side) &&
            (from === undefined || r.time >= from) &&
            (to === undefined || r.time <= to),
        )
        .sort((a, b) => b.time - a.time);
      return { rows: rows.slice(0, limit ?? 500), total: rows.length };
    },
    async 'pnl:asset'({ asset, method }) {
      const q = o.quote();
      const symbol = symbols().find((s) => s.baseAsset === asset && s.quoteAsset === q)?.symbol ?? null;
      const events = historyEvents(repo, env, symbols(), depositCosts());
      const first = events.reduce((m, e) => Math.min(m, e.time), o.now());
      const candles = symbol ? (await restDailyFetcher(o.session.rest)(symbol, first - DAY)).map(([t, close]) => ({ t, close })) : [];
      const book = priceBook();
      await book.load([asset], first);
      // The same prices at events' times as the overview (their minutes, from the database once fetched).
      await book.load(
        eventValuations(events, q).map((x) => x.asset),
        first,
      );
      await book.loadMinutes(eventValuations(events, q), { now: o.now(), maxRequests: 150 });
      const r = computePnl({
        quote: q,
        method,
        events,
        priceAt: book.priceAt,
        eventPriceAt: book.eventPriceAt,
        asOf: o.now(),
        trailAsset: asset,
      });
      return {
        asset,
        symbol,
        candles: candles.slice(-2000),
        fills: tradeRows()
          .filter((t) => t.base === asset)
          .slice(-2000),
        averageCost: r.trail
          .slice(-2000)
          .map((x) => ({ t: x.time, qty: plain(x.qty), cost: x.qty.gt(0) ? plain(x.cost.div(x.qty)) : null })),
      };
    },
    async 'pnl:sync'() {
      void sync.sync();
      return sync.progress();
    },
    async 'pnl:cancelSync'() {
      sync.cancel();
      return sync.progress();
    },
    async 'pnl:addSymbol'({ symbol }) {
      const s = symbol.trim().toUpperCase();
      if (!sync.addSymbol(s))
        return { added: false, message: `The exchange has no symbol “${s}”. Write it as base and quote together, like DOGEUSDT.` };
      void sync.sync();
      return { added: true, message: `${s} is covered from now on; its trades are being read.` };
    },
    async 'pnl:deposits'() {
      const costs = depositCosts();
      const book = priceBook();
      const deposits = repo.transfers(env).filter((t) => t.kind === 'deposit');
      const first = deposits.reduce((m, d) => Math.min(m, d.time), o.now());
      await book.load(new Set(deposits.map((d) => d.asset)), first);
      // A deposit of unknown cost counts at its value at its minute (as in the figures).
      const at = deposits.filter((d) => d.asset !== o.quote()).map((d) => ({ asset: d.asset, time: d.time }));
      await book.loadMinutes(at, { now: o.now(), maxRequests: 150 });
      return {
        quote: o.quote(),
        rows: deposits
          .slice(-5000)
          .reverse()
          .map((d) => {
            const px = book.eventPriceAt(d.asset, d.time)?.price;
            return {
              id: d.id,
              time: d.time,
              asset: d.asset,
              amount: d.amount,
              cost: costs[d.id] ?? { kind: 'unknown' as const },
              valueAtDeposit: px ? plain(px.mul(d.amount)) : null,
            };
          }),
      };
    },
    async 'pnl:setDepositCost'({ id, cost }) {
      if (!repo.transfers(env).some((t) => t.kind === 'deposit' && t.id === id)) return { saved: false };
      const costs = depositCosts();
      if (cost.kind === 'unknown') delete costs[id];
      else costs[id] = cost;
      repo.setMeta(env, 'depositCosts', JSON.stringify(costs));
      costsVersion += 1;
      return { saved: true };
    },
    async 'pnl:exportCsv'({ kind, method }) {
      const { result } = await compute(method);
      const day = new Date(o.now()).toISOString().slice(0, 10);
      if (kind === 'trades') {
        const book = priceBook();
        // The fee's value at the trade's minute (compute() above loaded those minutes), and which candles gave it.
        const lines = ['time,symbol,side,price,quantity,quote_amount,fee,fee_asset,fee_value,fee_price_source,value_currency'];
        for (const t of tradeRows()) {
          const fee = new Decimal(t.fee);
          const px =
            t.feeAsset === result.quote
              ? { price: new Decimal(1), source: 'amount' }
              : t.feeAsset === t.base && t.quote === result.quote
                ? { price: new Decimal(t.price), source: 'trade price' }
                : (book.eventPriceAt(t.feeAsset, t.time) ?? null);
          lines.push(
            [
              iso(t.time),
              t.symbol,
              t.side,
              t.price,
              t.qty,
              t.quoteQty,
              t.fee,
              t.feeAsset,
              px ? plain(fee.mul(px.price)) : '',
              px ? px.source : 'no price',
              result.quote,
            ]
              .map(csvCell)
              .join(','),
          );
        }
        return { filename: `perch-trades-${day}.csv`, csv: `${lines.join('\n')}\n` };
      }
      if (kind === 'gains') {
        const lines = ['acquired,disposed,asset,quantity,proceeds,cost_basis,gain,method,kind,cost_assumed,price_source,value_currency'];
        for (const d of result.disposals) {
          const acquired =
            d.acquiredFrom === null
              ? 'average cost'
              : d.acquiredFrom === d.acquiredTo
                ? iso(d.acquiredFrom)
                : `${iso(d.acquiredFrom)}..${iso(d.acquiredTo!)}`;
          lines.push(
            [
              acquired,
              iso(d.time),
              d.asset,
              d.qty.toFixed(),
              plain(d.proceeds),
              plain(d.costBasis),
              plain(d.gain),
              d.method,
              d.kind,
              d.costAssumed ? 'yes' : 'no',
              d.priceSource ?? 'trade amount',
              result.quote,
            ]
              .map(csvCell)
              .join(','),
          );
        }
        return { filename: `perch-gains-${method}-${day}.csv`, csv: `${lines.join('\n')}\n` };
      }
      const lines = ['time,value,net_deposits,pnl,value_currency'];
      for (const s of result.samples)
        lines.push(
          [iso(s.time), s.value ? plain(s.value) : '', plain(s.netInvested), s.pnl ? plain(s.pnl) : '', result.quote]
            .map(csvCell)
            .join(','),
        );
      return { filename: `perch-value-history-${day}.csv`, csv: `${lines.join('\n')}\n` };
    },
  };

  return {
    handlers,
    sync,
    stop() {
      stopped = true;
      sync.cancel();
      if (timer) clearInterval(timer);
      unsubscribeOrders();
      for (const t of pendingFills.values()) clearTimeout(t);
    },
  };
}
