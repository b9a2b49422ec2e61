/**
 * The orders feature: pre-flight, confirmation, placement with an intent journal, outcomes,
 * open orders, cancels and history. The core wires it with the session's client pieces and
 * connects `handlers` and `onEvent` to the IPC.
 *
 * The rules that protect money:
 *  - one confirmation, one order: pre-flight (confirm: true) issues a token that is the intent's
 *    clientOrderId and is bound to the exact order shown; submit sends exactly that order, once.
 *    The same token again - a double click, a repeated key, a resend after a restart - returns
 *    the first outcome and never sends anything;
 *  - the intent is written to the database before the request leaves, and updated as the outcome
 *    arrives; start() reconciles every unfinished intent before any new order is accepted;
 *  - submit re-validates against the rules, balances and market of the moment;
 *  - 'not-placed' after an unknown outcome is an inference (Binance can hide an existing order for
 *    a minute or more). While it is still being checked, the same order (symbol, side, type,
 *    quantity, price) again gets a 'possible-duplicate' warning and is only sent with
 *    acknowledgePossibleDuplicate: true - a new token means a new clientOrderId, which Binance
 *    would not catch as a duplicate;
 *  - read-only mode (trading off in Settings, or a key that cannot trade) refuses submit and cancel.
 *
 * Over 500 lines on purpose: the rules above are one transaction from confirmation to outcome
 * (token, journal, guard, reconcile); the views (order-views.ts), the duplicate guard
 * (duplicate-guard.ts), OCO placement, history sync and pre-flight live in their own modules.
 */
import type { DatabaseSync } from 'node:sqlite';
import type {
  ConfirmedOrder,
  FillView,
  OpenOrdersEvent,
  OrderOutcomeView,
  OrderView,
  PreflightResult,
  SyncProgress,
  TradableSymbol,
  MarketQuote,
} from '../../shared/domain/orders';
import type { Notice } from '../../shared/domain/notice';
import type { EnvironmentId } from '../../shared/domain/environment';
import { nameExchange } from '../../shared/domain/exchange-name';
import type {
  OrderCommandInput,
  OrderCommandName,
  OrderCommandOutput,
  OrderEventName,
  OrderEventPayload,
} from '../../shared/ipc/orders-contract';
import { AppError } from '../../shared/ipc/result';
import { ConfirmedOrder as ConfirmedOrderSchema } from '../../shared/domain/orders';
import { dec, formatDecimal } from '../../shared/money';
import { isPermitted, type ExchangeInfo } from '../exchange/exchange-info';
import type { OrderApi } from '../exchange/order-api';
import { notPlacedReason } from '../exchange/order-outcome';
import { DEFAULT_FOLLOW_UP_MS } from '../exchange/reconciler';
import type { OrderState, OrderStateStore } from '../exchange/order-state';
import { orderUpdateFromRest, restOrderSchema } from '../exchange/order-state';
import type { RestClient } from '../exchange/rest-client';
import type { BackoffOptions, Clock } from '../exchange/backoff';
import { systemClock } from '../exchange/backoff';
import type { OrderIntentRepository } from '../storage/database';
import { createOrdersRepository, type OrdersRepository } from '../storage/orders-repository';
import { createCommissionSource, type CommissionSource } from './commission';
import { createHistorySync, type HistorySync } from './history-sync';
import { createOcoPlacer, type OcoPlacer } from './oco';
import { checkableWith } from './key-fingerprint';
import { canonicalOrder, confirmationLines, preflight, type PreflightContext, type PreflightThresholds } from './preflight';
import { createDuplicateGuard } from './duplicate-guard';
import { journalState, ocoOutcomeView, orderOutcomeView, outcomeNotice, toOrderView } from './order-views';
import { z } from 'zod';
import { isSettledStatus } from '../../shared/domain/order-status';

/** Commands this service answers; the core answers orders:watchMarket (it is per window) and orders:unresolved (every environment). */
export type ServiceCommandName = Exclude<OrderCommandName, 'orders:watchMarket' | 'orders:unresolved'>;
export type OrderCommandHandler<C extends OrderCommandName> = (input: OrderCommandInput<C>) => Promise<OrderCommandOutput<C>>;
export type OrderCommandHandlers = { [C in ServiceCommandName]: OrderCommandHandler<C> };
export type OrderEventListener = <E extends OrderEventName>(name: E, payload: OrderEventPayload<E>) => void;

export interface OrdersServiceDeps {
  /** The environment intents and history belong to (demo, testnet, production ...). */
  readonly environment: EnvironmentId;
  readonly rest: Pick<RestClient, 'request' | 'requestWithMeta'>;
  readonly exchangeInfo: Pick<ExchangeInfo, 'symbol' | 'symbols' | 'validate'>;
  /** createOrderApi({ rest, orders: userData.orders, ... }): its store is the live order state. */
  readonly orderApi: OrderApi;
  readonly database: { readonly db: DatabaseSync; readonly orderIntents: OrderIntentRepository };
  /** Free balance per asset (decimal strings). */
  readonly balances: () => Readonly<Record<string, string>>;
  /** Best bid/ask and last price of a symbol, when known. */
  readonly market: (symbol: string) => MarketQuote | undefined;
  /** Freshness and reference data for a pre-flight (refreshes an old quote first); absent: none. */
  readonly preflightContext?: (symbol: string) => Promise<PreflightContext>;
  /** Default: GET /api/v3/account/commission through `rest`, cached. */
  readonly commission?: CommissionSource;
  readonly settings: () => { readonly tradingEnabled: boolean };
  /** canTrade false: the key cannot trade (spotTrading off); null: not known. */
  readonly permissions: () => { readonly canTrade: boolean | null; readonly accountPermissions?: readonly string[] };
  readonly notify: (notice: Omit<Notice, 'at'>) => void;
  /**
   * Intents another checker owns (the background reconciler of an earlier session with its own
   * key): start() leaves them alone, so no intent is ever checked by two reconcilers at once.
   */
  readonly ownedElsewhere?: (clientOrderId: string) => boolean;
  /**
   * The fingerprint of the key this session signs with (see key-fingerprint.ts): recorded in every
   * intent, and start() checks only intents sent with this key. Absent: not recorded, all checked.
   */
  readonly keyFingerprint?: string;
  readonly clock?: Clock;
  readonly tuning?: {
    readonly confirmationTtlMs?: number;
    readonly openCoalesceMs?: number;
    readonly ocoGraceMs?: number;
    readonly ocoBackoff?: BackoffOptions;
    readonly placeTimeoutMs?: number;
    readonly thresholds?: PreflightThresholds;
    /** How long a "probably not placed" order guards against an identical new one. Default 10 min. */
    readonly duplicateGuardMs?: number;
    /** How long after an order of a symbol changed its history is synced (changes coalesce). Default 500 ms. */
    readonly historyRefreshMs?: number;
  };
}

export interface OrdersService {
  readonly handlers: OrderCommandHandlers;
  onEvent(listener: OrderEventListener): () => void;
  /** Reconciles every unfinished intent (before anything else), then loads open orders. */
  start(): Promise<void>;
  stop(): void;
  /** Resolves when start's reconciliation is done (submit waits for it). */
  recovered(): Promise<void>;
  readonly repo: OrdersRepository;
}

interface Confirmation {
  readonly token: string;
  readonly order: ConfirmedOrder;
  readonly canonical: string;
  readonly expiresAt: number;
}

interface IntentPayload {
  readonly kind: 'order' | 'oco';
  readonly order: ConfirmedOrder;
  readonly confirmedAt: number;
  /** Which key sent it (never the key itself): only that key can tell whether it was placed. */
  readonly keyFingerprint?: string;
}

const IntentPayloadSchema = z.object({ kind: z.enum(['order', 'oco']), order: z.record(z.string(), z.unknown()), confirmedAt: z.number() });
const MAX_CONFIRMATIONS = 100;
const MAJOR_QUOTES = ['USDT', 'USDC', 'FDUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY', 'BRL', 'JPY'];

export function createOrdersService(deps: OrdersServiceDeps): OrdersService {
  const clock = deps.clock ?? systemClock;
  const now = (): number => clock.now();
  const env = deps.environment;
  const ttl = deps.tuning?.confirmationTtlMs ?? 120_000;
  const coalesceMs = deps.tuning?.openCoalesceMs ?? 100;
  const repo = createOrdersRepository(deps.database.db);
  const intents = deps.database.orderIntents;
  const store: OrderStateStore = deps.orderApi.reconciler.orders;
  const commission = deps.commission ?? createCommissionSource({ rest: deps.rest, now });
  const oco: OcoPlacer = createOcoPlacer({
    rest: deps.rest,
    orders: store,
    clock,
    ...(deps.tuning?.ocoGraceMs !== undefined ? { graceMs: deps.tuning.ocoGraceMs } : {}),
    ...(deps.tuning?.ocoBackoff !== undefined ? { backoff: deps.tuning.ocoBackoff } : {}),
    ...(deps.tuning?.placeTimeoutMs !== undefined ? { placeTimeoutMs: deps.tuning.placeTimeoutMs } : {}),
  });

  const listeners = new Set<OrderEventListener>();
  const confirmations = new Map<string, Confirmation>();
  const submits = new Map<string, Promise<OrderOutcomeView>>();
  /** Intents of this database (this app), by clientOrderId / listClientOrderId. */
  const tracked = new Map<string, 'order' | 'oco'>();
  const guard = createDuplicateGuard({
    now: () => now(),
    guardMs: deps.tuning?.duplicateGuardMs ?? DEFAULT_FOLLOW_UP_MS,
    journaled: function* (since) {
      for (const i of intents.listNotPlacedSince(env, since)) {
        const parsed = IntentPayloadSchema.safeParse(i.payload);
        const sent = parsed.success ? ConfirmedOrderSchema.safeParse(parsed.data.order) : null;
        if (sent?.success === true) yield { clientOrderId: i.clientOrderId, order: sent.data, at: i.updatedAt };
      }
    },
  });
  const unsubscribers: Array<() => void> = [];
  let openTimer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  let recoveredResolve: () => void = () => undefined;
  const recoveredPromise = new Promise<void>((resolve) => {
    recoveredResolve = resolve;
  });

  const emit: OrderEventListener = (name, payload) => {
    for (const l of [...listeners]) {
      try {
        l(name, payload);
      } catch {
        // One broken listener must not stop the others.
      }
    }
  };

  const disabledReason = (): string | null => {
    if (!deps.settings().tradingEnabled)
      return 'Trading is switched off in Settings (read-only mode). Switch it on to place or cancel orders.';
    if (deps.permissions().canTrade === false)
      return 'This API key is not allowed to trade (spot trading is not enabled for it on Binance). Perch is in read-only mode; use a key with spot trading enabled to place or cancel orders.';
    return null;
  };
  const requireTrading = (): void => {
    const reason = disabledReason();
    if (reason !== null) throw new AppError('not-allowed', reason);
  };

  // ------------------------------------------------------------------ open orders

  const openOrders = (symbol?: string): OpenOrdersEvent => {
    const orders = store
      .open()
      .filter((o) => symbol === undefined || o.symbol === symbol)
      .slice()
      .sort((a, b) => (b.createdAt ?? b.updateTime) - (a.createdAt ?? a.updateTime));
    const lists = new Map<string, { orderListId: string; symbol: string; orderIds: string[] }>();
    for (const o of orders) {
      if (o.orderListId === '-1') continue;
      const l = lists.get(o.orderListId) ?? { orderListId: o.orderListId, symbol: o.symbol, orderIds: [] };
      l.orderIds.push(o.orderId);
      lists.set(o.orderListId, l);
    }
    return { orders: orders.map(toOrderView), lists: [...lists.values()], asOf: now() };
  };

  const scheduleOpen = (): void => {
    if (stopped || openTimer !== null) return;
    openTimer = setTimeout(() => {
      openTimer = null;
      if (!stopped) emit('orders:open', openOrders());
    }, coalesceMs);
  };

  const loadOpenOrders = async (): Promise<void> => {
    const list = await deps.rest.request({
      method: 'GET',
      path: '/api/v3/openOrders',
      security: 'USER_DATA',
      weight: 80,
      priority: 'normal',
      schema: z.array(restOrderSchema),
    });
    const missing = store.applyOpenOrdersSnapshot(list.map(orderUpdateFromRest));
    for (const o of missing.slice(0, 20)) {
      // Ended while we were not looking: learn how.
      try {
        const r = await deps.rest.request({
          method: 'GET',
          path: '/api/v3/order',
          security: 'USER_DATA',
          weight: 4,
          priority: 'normal',
          params: { symbol: o.symbol, orderId: o.orderId },
          schema: restOrderSchema,
        });
        store.apply(orderUpdateFromRest(r), 'query');
      } catch {
        // The next snapshot tries again.
      }
    }
    scheduleOpen();
  };

  // ------------------------------------------------------------------ outcomes and the journal

  /**
   * The journal's state and the stored outcome change together or not at all: a crash between
   * the two writes once left an intent 'accepted' in the journal (so never reconciled again)
   * with its stored outcome still 'sending', shown as such after every restart.
   */
  const persist = (view: OrderOutcomeView, inferred: boolean): void => {
    const db = deps.database.db;
    const own = !db.isTransaction;
    try {
      if (own) db.exec('BEGIN IMMEDIATE');
      try {
        intents.updateState(view.clientOrderId, {
          state: journalState(view.status, inferred),
          at: now(),
          lastError: view.status === 'rejected' || view.status === 'not-placed' ? view.message : null,
          exchangeOrderId: view.kind === 'order' ? (view.orders[0]?.orderId ?? null) : view.orderListId,
        });
        repo.putOutcome({
          clientOrderId: view.clientOrderId,
          environment: env,
          kind: view.kind,
          symbol: view.symbol,
          status: view.status,
          view,
          updatedAt: now(),
        });
        if (own) db.exec('COMMIT');
      } catch (e) {
        if (own && db.isTransaction) db.exec('ROLLBACK');
        throw e;
      }
    } catch {
      // The outcome still reaches the UI; the journal keeps the last state it could record
      // (an unfinished one is reconciled again by the next start).
    }
  };

  const notifyOutcome = (view: OrderOutcomeView, previous: string | undefined): void => {
    const notice = outcomeNotice(view, previous);
    if (notice !== null) deps.notify(notice);
  };

  /** Every outcome message names the exchange that answered (the demo exchange, the testnet, Binance). */
  const named = (view: OrderOutcomeView): OrderOutcomeView => ({ ...view, message: nameExchange(view.message, env) });

  const onView = (raw: OrderOutcomeView, previous: string | undefined, inferred: boolean): void => {
    if (!tracked.has(raw.clientOrderId)) return;
    const view = named(raw);
    persist(view, inferred);
    emit('orders:outcome', view);
    notifyOutcome(view, previous);
    // A placed, filled or canceled order shows in the history without a manual sync.
    if (view.status !== previous && isSettledStatus(view.status)) refreshHistory(view.symbol);
  };

  unsubscribers.push(
    deps.orderApi.outcomes.subscribe((o, prev) => {
      if (tracked.has(o.clientOrderId)) guard.track(o.clientOrderId, o.status, o.status === 'not-placed' && o.verified, o.at);
      onView(orderOutcomeView(o), prev?.status, o.status === 'not-placed' && o.verified);
    }),
  );
  let lastOco = new Map<string, string>();
  unsubscribers.push(
    oco.subscribe((o) => {
      const prev = lastOco.get(o.listClientOrderId);
      lastOco.set(o.listClientOrderId, o.status);
      if (tracked.has(o.listClientOrderId))
        guard.track(o.listClientOrderId, o.status, o.status === 'not-placed' && o.verified === true, o.at);
      onView(ocoOutcomeView(o), prev, o.status === 'not-placed' && o.verified === true);
    }),
  );
  unsubscribers.push(store.onOrderUpdate(() => scheduleOpen()));

  const currentView = (id: string): OrderOutcomeView | null => {
    const kind = tracked.get(id);
    if (kind === 'order') {
      const o = deps.orderApi.outcomes.get(id);
      if (o !== undefined) return named(orderOutcomeView(o));
    } else if (kind === 'oco') {
      const o = oco.get(id);
      if (o !== undefined) return named(ocoOutcomeView(o));
    }
    const stored = repo.getOutcome(id);
    return stored !== null ? named(stored.view as OrderOutcomeView) : null;
  };

  // ------------------------------------------------------------------ pre-flight

  const freeOf = (asset: string): string => deps.balances()[asset] ?? '0';

  const runPreflight = async (draft: OrderCommandInput<'orders:preflight'>['draft']): Promise<Omit<PreflightResult, 'confirmation'>> => {
    const info = deps.exchangeInfo.symbol(draft.symbol);
    const rates = info !== undefined ? await commission.rates(draft.symbol, draft.side) : undefined;
    // Awaited before the quote is read below: it refreshes a quote that is too old.
    const context = deps.preflightContext !== undefined ? await deps.preflightContext(draft.symbol) : {};
    const open = store.open();
    const algo = (o: Readonly<OrderState>): boolean => o.type.startsWith('STOP_LOSS') || o.type.startsWith('TAKE_PROFIT');
    const mine = open.filter((o) => o.symbol === draft.symbol);
    return preflight({
      draft,
      info,
      validate: (d, extra) => deps.exchangeInfo.validate(d, extra),
      market: deps.market(draft.symbol),
      free: freeOf,
      rates,
      openOrders: {
        symbol: mine.length,
        symbolAlgo: mine.filter(algo).length,
        exchange: open.length,
        exchangeAlgo: open.filter(algo).length,
      },
      disabledReason: disabledReason(),
      ...context,
      ...(deps.tuning?.thresholds !== undefined ? { thresholds: deps.tuning.thresholds } : {}),
    });
  };

  const issueConfirmation = (order: ConfirmedOrder): Confirmation => {
    const token = deps.orderApi.newClientOrderId();
    const c: Confirmation = { token, order, canonical: canonicalOrder(order), expiresAt: now() + ttl };
    for (const [k, v] of confirmations) if (v.expiresAt <= now()) confirmations.delete(k);
    while (confirmations.size >= MAX_CONFIRMATIONS) {
      const oldest = confirmations.keys().next().value;
      if (oldest === undefined) break;
      confirmations.delete(oldest);
    }
    confirmations.set(token, c);
    return c;
  };

  // ------------------------------------------------------------------ submit

  const doSubmit = async (input: OrderCommandInput<'orders:submit'>): Promise<OrderOutcomeView> => {
    const { token } = input;
    const stillFinding = (): AppError =>
      new AppError('not-available', 'This order was already submitted; Perch is still finding out what became of it.');
    let existing;
    try {
      existing = intents.get(token);
    } catch {
      // Whether this token was sent before is not known: never an answer that reads "not sent".
      throw new AppError(
        'internal',
        'Perch could not read its order journal, so it cannot tell whether this order was already sent. Check Open orders.',
      );
    }
    if (existing !== null) {
      // Already journaled (this run or an earlier one): that intent's outcome, nothing sent.
      let view: OrderOutcomeView | null;
      try {
        view = currentView(token);
      } catch {
        throw stillFinding();
      }
      if (view !== null) return view;
      throw stillFinding();
    }
    const c = confirmations.get(token);
    if (c === undefined || c.expiresAt <= now()) {
      throw new AppError('confirmation-required', 'This confirmation has expired or is unknown. Review the order and confirm it again.');
    }
    if (canonicalOrder(input.order) !== c.canonical) {
      throw new AppError('confirmation-required', 'The order differs from the one you confirmed. Review it and confirm again.');
    }
    await recoveredPromise;
    requireTrading();
    // Re-validated against the rules, balances and market of this moment.
    const check = await runPreflight(c.order);
    if (check.order === null || canonicalOrder(check.order) !== c.canonical) {
      const first = check.issues[0];
      throw new AppError(
        'invalid-input',
        `The order no longer passes the checks${first !== undefined ? `: ${first.message}` : ''}. Review it and confirm again.`,
      );
    }
    const duplicate = guard.possibleDuplicateOf(c.order);
    if (duplicate !== undefined && input.acknowledgePossibleDuplicate !== true) {
      throw new AppError('confirmation-required', `${guard.message(duplicate)} To place it anyway, confirm that you checked.`);
    }
    const payload: IntentPayload = {
      kind: c.order.type === 'OCO' ? 'oco' : 'order',
      order: c.order,
      confirmedAt: now(),
      ...(deps.keyFingerprint !== undefined ? { keyFingerprint: deps.keyFingerprint } : {}),
    };
    // The journal entry exists before anything is sent; if it cannot be written, nothing is sent.
    try {
      intents.insert({
        clientOrderId: token,
        createdAt: now(),
        environment: env,
        symbol: c.order.symbol,
        side: c.order.side,
        type: c.order.type,
        payload,
        state: 'pending',
      });
    } catch (e) {
      throw new AppError(
        'storage',
        `The order was not sent: Perch could not record it first (${e instanceof Error ? e.message : String(e)}).`,
      );
    }
    confirmations.delete(token);
    tracked.set(token, payload.kind);
    guard.remember(token, c.order);
    if (payload.kind === 'oco') return ocoOutcomeView(await oco.place(token, c.order));
    const o = c.order;
    const outcome = await deps.orderApi.place({
      clientOrderId: token,
      order: {
        symbol: o.symbol,
        side: o.side,
        type: o.type as Exclude<ConfirmedOrder['type'], 'OCO'>,
        ...(o.quantity !== undefined ? { quantity: o.quantity } : {}),
        ...(o.quoteOrderQty !== undefined ? { quoteOrderQty: o.quoteOrderQty } : {}),
        ...(o.price !== undefined ? { price: o.price } : {}),
        ...(o.stopPrice !== undefined ? { stopPrice: o.stopPrice } : {}),
        ...(o.timeInForce !== undefined ? { timeInForce: o.timeInForce } : {}),
      },
    });
    return orderOutcomeView(outcome);
  };

  // ------------------------------------------------------------------ history

  const candidateSymbols = (): string[] => {
    const held = new Set(
      Object.entries(deps.balances())
        .filter(([, v]) => dec(v || '0').gt(0))
        .map(([a]) => a),
    );
    const out = new Set<string>();
    for (const s of deps.exchangeInfo.symbols()) {
      if (held.has(s.baseAsset) && (held.has(s.quoteAsset) || MAJOR_QUOTES.includes(s.quoteAsset))) out.add(s.symbol);
    }
    for (const o of store.open()) out.add(o.symbol);
    for (const s of repo.knownSymbols(env)) out.add(s);
    return [...out].filter((s) => deps.exchangeInfo.symbol(s) !== undefined).sort();
  };

  const history: HistorySync = createHistorySync({
    rest: deps.rest,
    repo,
    environment: env,
    now,
    onProgress: (p: SyncProgress) => emit('orders:syncProgress', p),
  });

  /** One sync of a symbol shortly after its orders changed; changes in the meantime join it. */
  const historyTimers = new Map<string, ReturnType<typeof setTimeout>>();
  const refreshHistory = (symbol: string): void => {
    if (stopped || historyTimers.has(symbol) || deps.exchangeInfo.symbol(symbol) === undefined) return;
    historyTimers.set(
      symbol,
      setTimeout(() => {
        historyTimers.delete(symbol);
        // A failure is reported in the sync progress; the next change or a manual sync tries again.
        if (!stopped) void history.sync([symbol]).catch(() => undefined);
      }, deps.tuning?.historyRefreshMs ?? 500),
    );
  };

  // ------------------------------------------------------------------ handlers

  const handlers: OrderCommandHandlers = {
    'orders:listOpen': async (input) => openOrders(input?.symbol),

    'orders:cancel': async ({ symbol, orderId }) => {
      requireTrading();
      const known = store.get(orderId);
      if (known !== undefined && known.orderListId !== '-1') {
        const r = await oco.cancelList(symbol, known.orderListId);
        scheduleOpen();
        refreshHistory(symbol);
        return { ...r, message: nameExchange(r.message, env) };
      }
      const r = await deps.orderApi.cancel(symbol, { orderId });
      scheduleOpen();
      refreshHistory(symbol);
      if (r.status === 'canceled')
        return {
          status: 'canceled',
          message: nameExchange(
            dec(r.order.executedQty).gt(0)
              ? `Canceled on Binance; ${formatDecimal(r.order.executedQty)} had already filled.`
              : 'Canceled on Binance.',
            env,
          ),
        };
      return { status: r.status, message: nameExchange(r.reason, env) };
    },

    'orders:cancelAll': async ({ symbol }) => {
      requireTrading();
      const r = await deps.orderApi.cancelAll(symbol);
      scheduleOpen();
      refreshHistory(symbol);
      if (r.status === 'done') {
        return {
          status: 'done',
          canceled: r.canceled.length,
          stillOpen: r.stillOpen.length,
          message:
            r.canceled.length === 0 && r.stillOpen.length === 0
              ? `There were no open orders on ${symbol}.`
              : `Canceled ${r.canceled.length} order${r.canceled.length === 1 ? '' : 's'} on ${symbol}${r.stillOpen.length > 0 ? `; ${r.stillOpen.length} still open` : ''}.`,
        };
      }
      return { status: r.status, message: r.reason, canceled: 0, stillOpen: 0 };
    },

    'orders:history': async ({ symbol, limit, beforeOrderId }) => {
      if (repo.syncedAt(env, symbol) === null && deps.exchangeInfo.symbol(symbol) !== undefined) await history.sync([symbol]);
      const orders = repo.orders(env, symbol, limit ?? 100, beforeOrderId);
      const fills: FillView[] = repo
        .fillsOfOrders(
          env,
          symbol,
          orders.map((o) => o.orderId),
        )
        .map((f) => ({
          ...f,
          price: formatDecimal(f.price),
          qty: formatDecimal(f.qty),
          quoteQty: formatDecimal(f.quoteQty),
          commission: formatDecimal(f.commission),
        }));
      const views: OrderView[] = orders.map((o) => ({
        symbol: o.symbol,
        orderId: o.orderId,
        clientOrderId: o.clientOrderId,
        orderListId: o.orderListId,
        side: o.side === 'SELL' ? 'SELL' : 'BUY',
        type: o.type,
        timeInForce: o.timeInForce,
        price: formatDecimal(o.price),
        stopPrice: formatDecimal(o.stopPrice),
        origQty: formatDecimal(o.origQty),
        executedQty: formatDecimal(o.executedQty),
        cumulativeQuoteQty: formatDecimal(o.cumulativeQuoteQty),
        status: o.status,
        time: o.time,
        updateTime: o.updateTime,
      }));
      const lastRow = orders.at(-1);
      return {
        symbol,
        orders: views,
        fills,
        nextBeforeOrderId: lastRow !== undefined && orders.length === (limit ?? 100) ? lastRow.orderId : null,
        lastSyncedAt: repo.syncedAt(env, symbol),
      };
    },

    'orders:syncHistory': async (input) => {
      const wanted = input?.symbols?.filter((s) => deps.exchangeInfo.symbol(s) !== undefined) ?? candidateSymbols();
      return history.sync(wanted);
    },

    'orders:symbols': async ({ query, limit }) => {
      const q = query
        .trim()
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, '');
      const perms = deps.permissions().accountPermissions;
      const matches: TradableSymbol[] = [];
      for (const s of deps.exchangeInfo.symbols()) {
        if (s.status !== 'TRADING' || !s.isSpotTradingAllowed) continue;
        if (perms !== undefined && perms.length > 0 && !isPermitted(s.permissionSets, perms)) continue;
        if (q !== '' && !s.symbol.includes(q)) continue;
        matches.push({ symbol: s.symbol, baseAsset: s.baseAsset, quoteAsset: s.quoteAsset });
      }
      const rank = (s: TradableSymbol): number => (s.symbol === q ? 0 : s.baseAsset === q ? 1 : s.symbol.startsWith(q) ? 2 : 3);
      matches.sort((a, b) => rank(a) - rank(b) || a.symbol.localeCompare(b.symbol));
      return matches.slice(0, limit ?? 50);
    },

    'orders:preflight': async ({ draft, confirm }) => {
      const found = await runPreflight(draft);
      const duplicate = found.order !== null ? guard.possibleDuplicateOf(found.order) : undefined;
      const verdict =
        duplicate === undefined
          ? found
          : { ...found, warnings: [...found.warnings, { code: 'possible-duplicate' as const, message: guard.message(duplicate) }] };
      let confirmation: PreflightResult['confirmation'] = null;
      if (confirm === true && verdict.ok && verdict.order !== null && verdict.rules !== null) {
        const c = issueConfirmation(verdict.order);
        confirmation = {
          token: c.token,
          expiresAt: c.expiresAt,
          order: c.order,
          lines: confirmationLines(c.order, verdict.estimate, verdict.rules, verdict.market, now()),
        };
      }
      return { ...verdict, confirmation };
    },

    'orders:submit': (input) => {
      // Synchronously claimed: a second submit of the same token joins this one.
      const inFlight = submits.get(input.token);
      if (inFlight !== undefined) return inFlight.then((first) => currentView(first.clientOrderId) ?? first);
      const p = doSubmit(input).then(named);
      submits.set(input.token, p);
      p.catch(() => {
        // Refused before anything was journaled: the token may be used once the cause is fixed.
        if (intents.get(input.token) === null) submits.delete(input.token);
      });
      return p;
    },

    'orders:outcome': async ({ clientOrderId }) => currentView(clientOrderId),
  };

  return {
    handlers,
    repo,
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async start() {
      try {
        // Every unfinished intent first: what became of it is recorded before anything new is sent.
        // Not another checker's, and sent with this session's key: another key's "no such order"
        // proves nothing (the core tells the person about the ones no saved key can check).
        const mine = (i: { readonly clientOrderId: string; readonly payload: unknown }): boolean =>
          deps.ownedElsewhere?.(i.clientOrderId) !== true && (deps.keyFingerprint === undefined || checkableWith(i, deps.keyFingerprint));
        const unfinished = intents.listUnfinished(env).filter(mine);
        const work: Promise<unknown>[] = [];
        for (const i of unfinished) {
          const parsed = IntentPayloadSchema.safeParse(i.payload);
          const kind = parsed.success ? parsed.data.kind : 'order';
          tracked.set(i.clientOrderId, kind);
          if (parsed.success) {
            const order = ConfirmedOrderSchema.safeParse(parsed.data.order);
            if (order.success) guard.remember(i.clientOrderId, order.data);
          }
          // The grace window counts from when the request was sent (journaled just before), not from now.
          work.push(
            kind === 'oco'
              ? oco.reconcile(i.clientOrderId, i.symbol, i.createdAt)
              : deps.orderApi.reconcile(i.clientOrderId, i.symbol, i.createdAt),
          );
        }
        // Concluded "probably not placed" before the restart: the same order is still guarded
        // against, and (plain orders) still looked for, until the window from the conclusion ends.
        for (const i of intents.listNotPlacedSince(env, now() - Math.max(guard.guardMs, DEFAULT_FOLLOW_UP_MS)).filter(mine)) {
          const parsed = IntentPayloadSchema.safeParse(i.payload);
          const kind = parsed.success ? parsed.data.kind : 'order';
          const order = parsed.success ? ConfirmedOrderSchema.safeParse(parsed.data.order) : null;
          tracked.set(i.clientOrderId, kind);
          if (order?.success === true) {
            guard.restore(i.clientOrderId, order.data, i.updatedAt);
          }
          if (kind === 'order')
            deps.orderApi.reconciler.resumeFollowUp(
              i.clientOrderId,
              i.symbol,
              i.updatedAt,
              i.lastError ?? notPlacedReason('order', i.updatedAt - i.createdAt),
            );
        }
        await Promise.allSettled(work);
      } finally {
        recoveredResolve();
      }
      if (stopped) return;
      await loadOpenOrders().catch(() => undefined);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (openTimer !== null) clearTimeout(openTimer);
      openTimer = null;
      for (const t of historyTimers.values()) clearTimeout(t);
      historyTimers.clear();
      for (const u of unsubscribers.splice(0)) u();
      oco.dispose();
      listeners.clear();
      lastOco = new Map();
    },
    recovered: () => recoveredPromise,
  };
}
