/**
 * The core: everything Perch does, built from ports, with no Electron import. The Electron
 * composition root and the web host both call createCore and connect its handlers to their
 * command router and its events to their broadcaster.
 *
 * One exchange session at a time (environment + key). Switching environment or key stops the
 * old session completely before the new one starts; switches are serialized, so two quick
 * changes cannot leave two sessions delivering events.
 */
import { ENVIRONMENT_IDS } from '../../shared/domain';
import type {
  ConnectionsStatus,
  EnvironmentId,
  KeyHealth,
  KeyInfo,
  KeyMaterial,
  Notice,
  PortfolioEvent,
  Settings,
} from '../../shared/domain';
import type { CommandName, EventName } from '../../shared/ipc/channels';
import type { EventPayload } from '../../shared/ipc/contract';
import { APP_HEARTBEAT_MS } from '../../shared/ipc/liveness';
import { AppError } from '../../shared/ipc/result';
import { exchangeName } from '../../shared/domain/exchange-name';
import { checkableWith, keyFingerprint } from '../orders/key-fingerprint';
import { createCredentials, type CredentialMaterial, type Credentials } from '../exchange/credentials';
import { environment as publicEnvironment, simulatorEnvironment, type Environment } from '../exchange/environments';
import { systemClock } from '../exchange/backoff';
import { createRateLimitGovernor } from '../exchange/rate-limit';
import { createRestClient } from '../exchange/rest-client';
import { createTimeSync } from '../exchange/time-sync';
import {
  createMemoryValuePointStore,
  createValueRecorder,
  valuePointStoreFromRepository,
  type ValueRecorder,
} from '../history/value-recorder';
import type { CommandContext, CommandHandler, CommandHandlers, CommandSender } from '../ipc/command-router';
import { createBackgroundReconciler, openIntents, type BackgroundReconciler } from '../orders/background-reconciler';
import type { ServiceCommandName } from '../orders/orders-service';
import type { UnresolvedOrder } from '../../shared/domain/orders';
import { openDatabase, type Database } from '../storage/database';
import { createOrdersRepository, type OrdersRepository } from '../storage/orders-repository';
import type { OrderOutcomeView } from '../../shared/domain/orders';
import { toAppError } from './errors';
import { createExchangeSession, type ExchangeSession, type ExchangeSessionOptions } from './exchange-session';
import { ApiRestrictions, assessKeyHealth, createKeyVault, secretOf } from './keys';
import type { CorePorts, DemoSimulator } from './ports';
import { createRedactingLogger, describeError, type RedactingLogger } from './redacting-logger';
import { createSessionOrders, type SessionOrders, type SessionOrdersOptions } from './session-orders';
import { convertThreshold } from './threshold';
import { createAlertsService, klineIntervalFor, type AlertsService } from '../alerts/alerts-service';
import { systemOffsetMinutes } from '../alerts/format';
import { computeTrayModel, tomorrowMorning, TRAY_MIN_INTERVAL_MS } from '../alerts/tray-model';
import { createAlertsRepository } from '../storage/alerts-repository';
import type { TrayModel } from '../../shared/domain';
import { z } from 'zod';
import { cmp } from '../../shared/money';
import { createSessionPnl, type SessionPnl } from './session-pnl';
import { PNL_COMMAND_NAMES, type PnlCommandName } from '../../shared/ipc/pnl-contract';

export type CoreEventListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

export interface Core {
  /** One handler per command of the contract (for createCommandRouter). */
  readonly handlers: CommandHandlers;
  /** Every event for the renderer, already coalesced. Returns unsubscribe. */
  onEvent(listener: CoreEventListener): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The machine goes to sleep: close sockets and timers (they would misfire on wake). */
  suspend(): void;
  /** Woke up: resync the clock, reconnect and resync balances now. */
  resume(): Promise<void>;
  /** The tray: the model to draw, and what its menu items do ('quit' and 'toggle-window' are the shell's). */
  readonly tray: {
    model(): TrayModel;
    action(id: string): Promise<void>;
    /** The shell tells whether the window is visible (the menu says Show or Hide). */
    setWindowVisible(visible: boolean): void;
  };
  /** Diagnostics and tests. */
  readonly inspect: {
    alerts(): AlertsService;
    session(): ExchangeSession | null;
    /** The orders feature of the current session. */
    orders(): SessionOrders | null;
    simulator(): DemoSimulator | null;
    readonly recorder: ValueRecorder;
    readonly logger: RedactingLogger;
    /** Resolves when pending environment switches are done. */
    idle(): Promise<void>;
  };
}

export interface CoreOptions {
  /** Test tuning passed to every exchange session (heartbeats, backoff). */
  readonly sessionTuning?: ExchangeSessionOptions['tuning'];
  /** Test tuning of the orders feature (reconciliation pacing, timeouts). */
  readonly ordersTuning?: SessionOrdersOptions['tuning'];
}

/** The tray acts as the person, from main itself. */
const TRAY_CONTEXT: CommandContext = { sender: { transport: 'test', frameUrl: null, webContentsId: null } };
const NO_KEY_MESSAGE = 'No API key is saved for this environment. Add one in Settings, or switch to Demo.';
const ORDERS_NOT_READY = 'Perch is still connecting to the exchange (unfinished orders are checked first); try again in a moment.';
/** Order forms open at once, across windows; the oldest is dropped beyond this. */
const MAX_BOOK_WATCHERS = 8;

/** Commands the orders service answers that need the exchange loaded and intents reconciled. */
const ORDER_COMMANDS_NEEDING_READY: ReadonlySet<ServiceCommandName> = new Set<ServiceCommandName>([
  'orders:cancel',
  'orders:cancelAll',
  'orders:history',
  'orders:syncHistory',
  'orders:symbols',
  'orders:preflight',
  'orders:submit',
]);

/** One key per window (Electron) or per page origin (web host): its order form's watched symbol. */
function senderKey(sender: CommandSender): string {
  return `${sender.transport}:${sender.webContentsId ?? sender.frameUrl ?? ''}`;
}

export function createCore(ports: CorePorts, options: CoreOptions = {}): Core {
  const now = ports.clock?.now ?? Date.now;
  const logger = createRedactingLogger(ports.logger);
  const vault = createKeyVault({ secrets: ports.secrets, logger, now });
  const flushIntervalMs = ports.flushIntervalMs ?? 250;
  const store =
    ports.database !== undefined
      ? valuePointStoreFromRepository(ports.database.valueSnapshots)
      : (ports.valuePoints ?? createMemoryValuePointStore());

  const listeners = new Set<CoreEventListener>();
  const notices: Notice[] = [...(ports.initialNotices ?? [])];
  let session: ExchangeSession | null = null;
  let orders: SessionOrders | null = null;
  /** The environment and key the current session signs with (handed to a background checker on a switch). */
  let sessionAuth: {
    readonly envId: EnvironmentId;
    readonly env: Environment;
    readonly credentials: Credentials;
    readonly fingerprint: string;
  } | null = null;
  /** Checkers of earlier sessions' unresolved orders (see orders/background-reconciler.ts). */
  const backgrounds: BackgroundReconciler[] = [];
  /** The P&L feature (whole-history sync, engine) of the current session. */
  let pnl: SessionPnl | null = null;
  /** Without a database port the journal lives in memory (opened on first use, closed on stop). */
  let memoryDb: Database | null = null;
  const bookWatchers = new Map<string, string>();
  let simulator: DemoSimulator | null = null;
  let simulatorStarting: Promise<DemoSimulator> | null = null;
  /** Why there is no session (shown in the status bar). */
  let idleReason: string | null = null;
  let started = false;
  let stopped = false;
  let suspended = false;
  let chain: Promise<void> = Promise.resolve();
  let heartbeatTimer: ReturnType<typeof setInterval> | null = null;

  // ------------------------------------------------------------------ alerts, watchlist, tray

  const offsetMinutes = ports.offsetMinutes ?? systemOffsetMinutes;
  const alertsDb = (): import('node:sqlite').DatabaseSync => {
    if (ports.database?.db !== undefined) return ports.database.db;
    memoryDb ??= openDatabase(':memory:');
    return memoryDb.db;
  };
  let alertsService: AlertsService | null = null;
  let windowVisible = true;
  let lastTrayAt = 0;
  let trayTimer: ReturnType<typeof setTimeout> | null = null;
  const KlineRows = z.array(z.tuple([z.number(), z.string(), z.string(), z.string(), z.string()]).rest(z.unknown()));

  const alertsState = (a: AlertsService) => ({ rules: a.rules(), settings: a.settings(), log: a.log(200) });
  const alerts = (): AlertsService => {
    if (alertsService !== null) return alertsService;
    const a: AlertsService = createAlertsService({
      repo: createAlertsRepository(alertsDb()),
      now,
      offsetMinutes,
      ...(ports.notifications !== undefined ? { notifications: ports.notifications } : {}),
      privacy: () => ports.settings.get().privacyMode,
      onLog: (entry) => emit('alerts:fired', entry),
      onRulesChanged: () => {
        session?.watchExtra(a.symbols());
        scheduleAlertsChanged();
      },
      onWatchlistChanged: () => {
        session?.watchExtra(a.symbols());
        emit('watchlist:changed', a.watchItems());
      },
      onError: (what, e) => logger.warn(what, { error: describeError(e, logger) }),
    });
    alertsService = a;
    return a;
  };

  const trayModel = (): TrayModel =>
    computeTrayModel({
      snapshot: session?.portfolio.snapshot() ?? null,
      privacy: ports.settings.get().privacyMode,
      settings: alerts().settings(),
      watch: alerts().watchItems(),
      windowVisible,
      now: now(),
      offsetMinutes,
    });

  /** At most one tray update every few seconds; the last change is never lost. */
  const scheduleTray = (): void => {
    if (trayTimer !== null || stopped) return;
    const wait = Math.max(0, lastTrayAt + TRAY_MIN_INTERVAL_MS - now());
    trayTimer = setTimeout(() => {
      trayTimer = null;
      if (stopped) return;
      lastTrayAt = now();
      emit('tray:model', trayModel());
    }, wait);
  };

  /**
   * Rule changes (a firing, a re-arm in a busy market) are sent coalesced: the state carries the
   * log read from SQLite, which need not happen on every price frame.
   */
  let alertsTimer: ReturnType<typeof setTimeout> | null = null;
  const scheduleAlertsChanged = (): void => {
    if (alertsTimer !== null || stopped) return;
    alertsTimer = setTimeout(() => {
      alertsTimer = null;
      if (!stopped) emit('alerts:changed', alertsState(alerts()));
    }, 200);
  };

  /** Watchlist prices go out at most once a second (like the tray, they need not be faster). */
  let watchTimer: ReturnType<typeof setTimeout> | null = null;
  const scheduleWatch = (): void => {
    if (watchTimer !== null || stopped) return;
    watchTimer = setTimeout(() => {
      watchTimer = null;
      if (!stopped) emit('watchlist:changed', alerts().watchItems());
    }, 1_000);
  };

  /** Privacy mode masks the tray at once: amounts must not linger there for seconds. */
  const trayNow = (): void => {
    if (trayTimer !== null) clearTimeout(trayTimer);
    trayTimer = null;
    if (stopped) return;
    lastTrayAt = now();
    emit('tray:model', trayModel());
  };

  const pauseAll = (until: '1h' | 'tomorrow' | 'resume') => {
    const t = now();
    const pausedUntil = until === 'resume' ? null : until === '1h' ? t + 3_600_000 : tomorrowMorning(t, offsetMinutes);
    const next = alerts().updateSettings({ pausedUntil });
    emit('alerts:changed', alertsState(alerts()));
    scheduleTray();
    return next;
  };

  const recorder = createValueRecorder({
    store,
    now,
    sample: () => session?.portfolio.valuation() ?? null,
    onError: (e) => logger.warn('could not record the portfolio value', { error: describeError(e, logger) }),
  });

  const emit: CoreEventListener = (name, payload) => {
    for (const l of [...listeners]) {
      try {
        l(name, payload);
      } catch (e) {
        logger.error('an event listener failed', { event: name, error: describeError(e, logger) });
      }
    }
  };

  const addNotice = (notice: Omit<Notice, 'at'>): void => {
    const existing = notices.findIndex((n) => n.id === notice.id);
    const full: Notice = { ...notice, message: logger.redact(notice.message), at: now() };
    if (existing >= 0) notices[existing] = full;
    else notices.push(full);
    emit('app:notice', full);
  };

  /** Run environment/key switches one after another. */
  const serial = (fn: () => Promise<void>): Promise<void> => {
    const run = chain.then(fn, fn);
    chain = run.catch((e: unknown) => {
      logger.error('switching the exchange session failed', { error: describeError(e, logger) });
    });
    return run;
  };

  // ------------------------------------------------------------------ environments

  const ensureSimulator = async (): Promise<DemoSimulator> => {
    if (simulator !== null) return simulator;
    if (simulatorStarting !== null) return simulatorStarting;
    const start = ports.demo?.startSimulator ?? defaultStartSimulator;
    simulatorStarting = (async () => {
      const sim = await start({ seed: ports.demo?.seed ?? 1, symbolCount: ports.demo?.symbolCount });
      // The built-in demo key is used directly and never stored; it must not be logged either.
      logger.addSecret(sim.apiSecret);
      logger.addSecret(sim.apiKey);
      simulator = sim;
      logger.info('demo exchange started on loopback', { restUrl: sim.restUrl });
      return sim;
    })();
    try {
      return await simulatorStarting;
    } finally {
      simulatorStarting = null;
    }
  };

  const stopSimulator = async (): Promise<void> => {
    const sim = simulator;
    simulator = null;
    if (sim !== null) await sim.stop();
  };

  const environmentFor = async (id: EnvironmentId): Promise<Environment> => {
    if (id === 'demo') {
      const sim = await ensureSimulator();
      return simulatorEnvironment(
        { restUrl: sim.restUrl, streamUrl: sim.streamUrl, wsApiUrl: sim.wsApiUrl },
        { label: 'Demo (simulated exchange)' },
      );
    }
    return ports.environmentOverrides?.[id] ?? publicEnvironment(id);
  };

  /** The key a session of this environment signs with; demo falls back to the built-in key. */
  const materialFor = async (id: EnvironmentId): Promise<CredentialMaterial | null> => {
    let saved: CredentialMaterial | null = null;
    try {
      saved = await vault.material(id);
    } catch (e) {
      if (id !== 'demo') throw e;
    }
    if (saved !== null || id !== 'demo') return saved;
    const sim = await ensureSimulator();
    return { type: 'HMAC', apiKey: sim.apiKey, secret: sim.apiSecret };
  };

  // ------------------------------------------------------------------ status

  const idleStatus = (envId: EnvironmentId): ConnectionsStatus => ({
    environment: envId,
    connections: [
      { id: 'market', state: 'offline', lastMessageAt: null, reconnects: 0, lastError: idleReason },
      { id: 'account', state: 'offline', lastMessageAt: null, reconnects: 0, lastError: idleReason },
    ],
    weightUsed: null,
    weightLimit: null,
    clockOffsetMs: null,
    asOf: now(),
  });

  const currentStatus = (): ConnectionsStatus => session?.status() ?? idleStatus(ports.settings.get().environment);

  // ------------------------------------------------------------------ sessions

  const ordersDatabase = (): SessionOrdersOptions['database'] => {
    const d = ports.database;
    if (d?.db !== undefined && d.orderIntents !== undefined) return { db: d.db, orderIntents: d.orderIntents };
    memoryDb ??= openDatabase(':memory:');
    return memoryDb;
  };

  const applyBookWatch = (): void => {
    orders?.watch(new Set(bookWatchers.values()));
  };

  let outcomesRepo: { readonly db: unknown; readonly repo: OrdersRepository } | null = null;
  /** The journal's recorded outcomes (for orders no session of now is following). */
  const journalOutcomes = (): OrdersRepository => {
    const db = ordersDatabase().db;
    if (outcomesRepo === null || outcomesRepo.db !== db) outcomesRepo = { db, repo: createOrdersRepository(db) };
    return outcomesRepo.repo;
  };

  const ownedInBackground = (clientOrderId: string): boolean => backgrounds.some((b) => b.owns(clientOrderId));

  /** Tokens an orders:submit is under way for (counted: a repeated submit of a token joins the first). */
  const submitsInFlight = new Map<string, number>();
  /** Whether the journal has an intent for this token; true when that cannot be read (it may). */
  const journaled = (token: string): boolean => {
    try {
      return ordersDatabase().orderIntents.get(token) !== null;
    } catch {
      return true;
    }
  };
  /**
   * The answer for a token that was never journaled and is not being submitted: nothing left
   * Perch, and nothing will (the confirmation is gone with its session), so the asker can stop
   * checking. Null when the asker did not say what it shows (no symbol) or when it may exist.
   */
  const neverSent = (input: {
    readonly clientOrderId: string;
    readonly symbol?: string | undefined;
    readonly kind?: 'order' | 'oco' | undefined;
  }): OrderOutcomeView | null => {
    if (input.symbol === undefined || submitsInFlight.has(input.clientOrderId) || journaled(input.clientOrderId)) return null;
    return {
      clientOrderId: input.clientOrderId,
      kind: input.kind ?? 'order',
      symbol: input.symbol,
      status: 'not-placed',
      message:
        'Not sent: Perch has no record of sending this order, so nothing reached the exchange. Review it and place it again if you still want it.',
      binanceCode: null,
      binanceMessage: null,
      orders: [],
      orderListId: null,
      corrected: false,
      at: now(),
    };
  };

  /**
   * The orders of a session that ends while their outcome is still open go on being checked, on
   * the exchange they were sent to and with the key that sent them (a new key may be another
   * account, whose "no such order" would prove nothing).
   */
  const handOver = (auth: NonNullable<typeof sessionAuth>): void => {
    const database = ordersDatabase();
    // Only the intents this key sent: another account's "no such order" would prove nothing.
    const open = openIntents(database.orderIntents, auth.envId, now()).filter(
      (i) => !ownedInBackground(i.clientOrderId) && checkableWith(i, auth.fingerprint),
    );
    if (open.length === 0) return;
    const governor = createRateLimitGovernor({ now });
    const timeSync = createTimeSync({ env: auth.env, fetchImpl: ports.fetchImpl, governor, localNow: now });
    const rest = createRestClient({ env: auth.env, credentials: auth.credentials, timeSync, governor, fetchImpl: ports.fetchImpl });
    void timeSync.sync('background order checks').catch(() => undefined);
    const tuning = options.ordersTuning;
    const checker = createBackgroundReconciler(
      {
        environment: auth.envId,
        environmentLabel: auth.env.label,
        rest,
        database,
        notify: addNotice,
        clock: { ...systemClock, now },
        tuning: {
          ...(tuning?.orderApi?.graceMs !== undefined ? { graceMs: tuning.orderApi.graceMs, ocoGraceMs: tuning.orderApi.graceMs } : {}),
          ...(tuning?.orderApi?.backoff !== undefined ? { backoff: tuning.orderApi.backoff, ocoBackoff: tuning.orderApi.backoff } : {}),
          ...(tuning?.orderApi?.followUpBackoff !== undefined ? { followUpBackoff: tuning.orderApi.followUpBackoff } : {}),
        },
        onDone: () => {
          timeSync.stop();
          const i = backgrounds.indexOf(checker);
          if (i >= 0) backgrounds.splice(i, 1);
          logger.info('background order checks done', { environment: auth.envId });
          // The demo exchange was kept running for these checks only.
          if (
            auth.envId === 'demo' &&
            !stopped &&
            ports.settings.get().environment !== 'demo' &&
            !backgrounds.some((b) => b.environment === 'demo')
          ) {
            void serial(async () => {
              if (session?.environment !== 'demo' && !backgrounds.some((b) => b.environment === 'demo')) await stopSimulator();
            });
          }
        },
      },
      open,
    );
    if (checker.openCount() > 0) backgrounds.push(checker);
    logger.info("checking the previous session's orders in the background", { environment: auth.envId, orders: open.length });
  };

  /**
   * Unresolved orders of an environment that no saved key can check (sent with a key that was
   * replaced or removed; fingerprint null: no key saved): they stay unknown, never concluded "not
   * placed" on another key's word, and the person is told where to look.
   */
  const reportUncheckable = (envId: EnvironmentId, label: string, fingerprint: string | null): void => {
    const n = openIntents(ordersDatabase().orderIntents, envId, now()).filter(
      (i) => !ownedInBackground(i.clientOrderId) && !checkableWith(i, fingerprint),
    ).length;
    if (n === 0) return;
    addNotice({
      id: `orders-uncheckable:${envId}`,
      level: 'warning',
      code: 'orders-uncheckable',
      message: `${n} order${n === 1 ? '' : 's'} sent with a key that is no longer saved (${label}) cannot be checked by Perch; look at ${n === 1 ? 'it' : 'them'} on Binance.`,
    });
  };

  const reportUncheckableSafely = (envId: EnvironmentId, label: string, fingerprint: string | null): void => {
    try {
      reportUncheckable(envId, label, fingerprint);
    } catch (e) {
      logger.warn('could not read the unresolved orders', { environment: envId, error: describeError(e, logger) });
    }
  };

  /**
   * After a restart, the unresolved orders of environments other than the current one are
   * checked in the background with that environment's saved key (the current one's are the
   * session's). Demo orders are not: the built-in exchange starts afresh with every start.
   */
  const resumeOtherEnvironments = async (): Promise<void> => {
    const current = ports.settings.get().environment;
    const database = ordersDatabase();
    for (const envId of ENVIRONMENT_IDS) {
      if (stopped || envId === current || envId === 'demo') continue;
      if (openIntents(database.orderIntents, envId, now()).length === 0) continue;
      try {
        const material = await vault.material(envId);
        const env = await environmentFor(envId);
        if (material === null) {
          logger.warn('unresolved orders of an environment without a saved key are not checked', { environment: envId });
          reportUncheckable(envId, env.label, null);
          continue;
        }
        logger.addSecret(secretOf(material));
        const fingerprint = keyFingerprint(material.apiKey);
        handOver({ envId, env, credentials: createCredentials(material), fingerprint });
        reportUncheckable(envId, env.label, fingerprint);
      } catch (e) {
        logger.warn('could not resume checking unresolved orders', { environment: envId, error: describeError(e, logger) });
      }
    }
  };

  const teardown = async (): Promise<void> => {
    const old = session;
    const oldOrders = orders;
    const oldAuth = sessionAuth;
    session = null;
    orders = null;
    sessionAuth = null;
    pnl?.stop();
    pnl = null;
    // The orders service goes first: nothing may reconcile or answer on a closing session.
    if (oldOrders !== null) {
      oldOrders.stop();
      emit('orders:open', { orders: [], lists: [], asOf: now() });
      // ...and what it had not found out yet is handed over, not dropped (unless Perch is quitting:
      // the journal keeps it for the next start).
      if (oldAuth !== null && !stopped) {
        try {
          handOver(oldAuth);
        } catch (e) {
          logger.error('could not hand over the unresolved orders', { error: describeError(e, logger) });
        }
      }
    }
    if (old === null) return;
    await old.stop();
    // The stopped session never reports again, so its last figures (and their "live") would stay
    // on screen under whatever environment comes next: tell the renderer to drop them.
    emit('portfolio:snapshot', { kind: 'cleared', environment: ports.settings.get().environment, at: now() });
  };

  const rebuild = (reason: string): Promise<void> =>
    serial(async () => {
      await teardown();
      if (stopped || !started) return;
      const settings = ports.settings.get();
      const envId = settings.environment;
      // The demo exchange stays up while a background checker still asks it about earlier orders.
      if (envId !== 'demo' && !backgrounds.some((b) => b.environment === 'demo')) await stopSimulator();
      idleReason = null;
      let material: CredentialMaterial | null;
      let env: Environment;
      try {
        env = await environmentFor(envId);
        material = await materialFor(envId);
      } catch (e) {
        const mapped = toAppError(e, logger);
        idleReason = mapped instanceof AppError ? mapped.message : 'Perch could not start the connection; details are in the log.';
        if (mapped instanceof AppError && (mapped.code === 'keychain-locked' || mapped.code === 'keychain-unavailable')) {
          addNotice({ id: `keychain:${mapped.code}`, level: 'error', code: mapped.code, message: mapped.message });
        }
        logger.warn('no exchange session', { environment: envId, reason: describeError(e, logger) });
        emit('status:connections', idleStatus(envId));
        return;
      }
      if (material === null) {
        idleReason = NO_KEY_MESSAGE;
        emit('status:connections', idleStatus(envId));
        if (envId !== 'demo') reportUncheckableSafely(envId, env.label, null);
        return;
      }
      const fingerprint = keyFingerprint(material.apiKey);
      // The running session's key: one slot, replaced by the next session's.
      logger.setSecrets('session', [material.apiKey, secretOf(material)]);
      let credentials;
      try {
        credentials = createCredentials(material);
      } catch (e) {
        idleReason = describeError(toAppError(e, logger), logger);
        emit('status:connections', idleStatus(envId));
        return;
      }
      const next: ExchangeSession = createExchangeSession({
        environment: envId,
        env,
        credentials,
        quote: settings.quoteCurrency,
        logger,
        now,
        fetchImpl: ports.fetchImpl,
        flushIntervalMs,
        tuning: options.sessionTuning,
        onTickers: (tickers, live, source) => {
          if (session !== next) return;
          try {
            if (alerts().observeTickers(tickers, live, source)) scheduleWatch();
          } catch (e) {
            logger.warn('could not evaluate alerts', { error: describeError(e, logger) });
          }
        },
        onPortfolioEvent: (ev: PortfolioEvent) => {
          if (session !== next) return;
          emit('portfolio:snapshot', ev);
          const totals = next.portfolio.valuation();
          if (totals !== null) {
            try {
              alerts().observeTotal(totals.quote, totals.total, totals.freshness.state === 'live' && totals.pending === 0);
            } catch (e) {
              logger.warn('could not evaluate alerts', { error: describeError(e, logger) });
            }
          }
          scheduleTray();
          try {
            recorder.observe();
          } catch (e) {
            logger.warn('could not record the portfolio value', { error: describeError(e, logger) });
          }
        },
        onStatus: (status) => {
          if (session === next) emit('status:connections', status);
        },
      });
      session = next;
      sessionAuth = { envId, env, credentials, fingerprint };
      const a = alerts();
      a.setEnvironment(envId);
      next.watchExtra(a.symbols());
      a.setKlineSource(async (symbol, from, to) => {
        const { interval, ms } = klineIntervalFor(to - from);
        const rows = await next.rest.request({
          method: 'GET',
          path: '/api/v3/klines',
          security: 'NONE',
          weight: 2,
          priority: 'normal',
          schema: KlineRows,
          params: { symbol, interval, startTime: String(Math.floor(from / ms) * ms), endTime: String(to), limit: '1000' },
        });
        return { klines: rows.map((r) => ({ openTime: r[0], high: r[2], low: r[3], close: r[4] })), intervalMs: ms };
      });
      next.orders.onOrderUpdate((n) => {
        if (session === next) alerts().observeOrder(n);
      });
      orders = createSessionOrders({
        session: next,
        environment: envId,
        ownedElsewhere: ownedInBackground,
        // The demo exchange starts afresh (with a new key) every time: its orders are not told apart by key.
        ...(envId !== 'demo' ? { keyFingerprint: fingerprint } : {}),
        database: ordersDatabase(),
        tradingEnabled: () => ports.settings.get().tradingEnabled,
        notify: (n) => {
          if (session !== next) return;
          addNotice(n);
          alerts().observeOrderOutcome(n.code ?? '', n.message, n.id);
        },
        emit: (name, payload) => {
          if (session === next) emit(name, payload);
        },
        logger,
        now,
        ...(options.ordersTuning !== undefined ? { tuning: options.ordersTuning } : {}),
      });
      pnl = createSessionPnl({
        session: next,
        environment: envId,
        db: ordersDatabase().db,
        quote: () => ports.settings.get().quoteCurrency,
        now,
        emit: (name, payload) => {
          if (session === next) emit(name, payload);
        },
        recordedValues: (from, to) =>
          store
            .range({ environment: envId, quote: ports.settings.get().quoteCurrency, from, to })
            .map((p) => ({ ts: p.at, total: p.total })),
      });
      applyBookWatch();
      logger.info('exchange session starting', { environment: envId, reason, keyType: credentials.type });
      if (envId !== 'demo') reportUncheckableSafely(envId, env.label, fingerprint);
      next.start();
      if (suspended) next.suspend();
    });

  // ------------------------------------------------------------------ keys

  const testKey = async (envId: EnvironmentId, material: CredentialMaterial): Promise<KeyHealth> => {
    // Released when the test is over: a mistyped secret tried once is not kept for the process's life.
    const release = logger.holdSecrets([material.apiKey, secretOf(material)]);
    try {
      return await testKeyHeld(envId, material);
    } finally {
      release();
    }
  };

  const testKeyHeld = async (envId: EnvironmentId, material: CredentialMaterial): Promise<KeyHealth> => {
    const env = await environmentFor(envId);
    const credentials = createCredentials(material);
    const governor = createRateLimitGovernor({ now });
    const timeSync = createTimeSync({ env, fetchImpl: ports.fetchImpl, governor, localNow: now });
    try {
      await timeSync.sync('key test');
      const rest = createRestClient({ env, credentials, timeSync, governor, fetchImpl: ports.fetchImpl });
      try {
        await rest.request({
          method: 'GET',
          path: '/api/v3/account',
          params: { omitZeroBalances: 'true' },
          security: 'USER_DATA',
          weight: 20,
        });
      } catch (e) {
        const mapped = toAppError(e, logger);
        if (mapped instanceof AppError && mapped.code === 'auth') {
          throw new AppError(
            'auth',
            `${env.label} did not accept this key: ${mapped.message} Check that the key and its secret belong together and to this environment.`,
          );
        }
        throw mapped;
      }
      let restrictions: ApiRestrictions | null = null;
      if (env.hasSapi) {
        const raw = await rest.request({ method: 'GET', path: '/sapi/v1/account/apiRestrictions', security: 'USER_DATA', weight: 1 });
        const parsed = ApiRestrictions.safeParse(raw);
        if (!parsed.success) throw new AppError('network', 'Binance answered the key check in an unexpected form; try again later.');
        restrictions = parsed.data;
      }
      return assessKeyHealth({ environment: envId, type: credentials.type, reading: true, restrictions, now: now() });
    } catch (e) {
      throw toAppError(e, logger);
    } finally {
      timeSync.stop();
      if (envId === 'demo' && ports.settings.get().environment !== 'demo' && session === null) await stopSimulator();
    }
  };

  /** What the renderer sent (a key being tested or saved), registered while the call runs. */
  const holdMaterial = (material: KeyMaterial): (() => void) =>
    logger.holdSecrets([
      material.apiKey,
      'secret' in material ? material.secret : '',
      'privateKeyPem' in material ? material.privateKeyPem : '',
    ]);

  const keysChanged = async (envId: EnvironmentId): Promise<void> => {
    const key = await vault.info(envId).catch(() => null);
    emit('keys:changed', { environment: envId, key });
    if (ports.settings.get().environment === envId) await rebuild('key changed');
  };

  // ------------------------------------------------------------------ orders

  const requireOrders = (name: ServiceCommandName): SessionOrders => {
    const o = orders;
    if (o === null) throw new AppError('not-available', idleReason ?? ORDERS_NOT_READY);
    if (ORDER_COMMANDS_NEEDING_READY.has(name) && !o.isReady()) throw new AppError('not-available', ORDERS_NOT_READY);
    return o;
  };

  function orderHandler<C extends ServiceCommandName & CommandName>(name: C): CommandHandler<C> {
    return async (input) => {
      const o = requireOrders(name);
      try {
        return await o.service.handlers[name](input);
      } catch (e) {
        throw toAppError(e, logger);
      }
    };
  }

  // ------------------------------------------------------------------ P&L

  const pnlHandlers = (): { [C in PnlCommandName]: CommandHandlers[C] } => {
    type Own = Exclude<PnlCommandName, 'pnl:saveCsv'>;
    const wrap = <C extends Own>(name: C): CommandHandlers[C] =>
      (async (input: Parameters<SessionPnl['handlers'][C]>[0]) => {
        const p = pnl;
        if (p === null) throw new Error('Perch is still connecting to the exchange; your history is read once it is connected.');
        return p.handlers[name](input);
      }) as unknown as CommandHandlers[C];
    const own = PNL_COMMAND_NAMES.filter((n): n is Own => n !== 'pnl:saveCsv');
    const all = Object.fromEntries(own.map((n) => [n, wrap(n)])) as unknown as { [C in PnlCommandName]: CommandHandlers[C] };
    // The CSV goes through the desktop's save dialog; without one (web host) the window downloads it.
    all['pnl:saveCsv'] = async ({ kind, method }) => {
      const save = ports.shell?.saveTextFile;
      if (save === undefined) return { status: 'unavailable' as const, path: null };
      const p = pnl;
      if (p === null) throw new Error('Perch is still connecting to the exchange; your history is read once it is connected.');
      const file = await p.handlers['pnl:exportCsv']({ kind, method });
      const r = await save.call(ports.shell, { defaultName: file.filename, content: file.csv });
      return { status: r.saved ? ('saved' as const) : ('cancelled' as const), path: r.path };
    };
    return all;
  };

  // ------------------------------------------------------------------ handlers

  const handlers: CommandHandlers = {
    'app:getState': async () => {
      const settings = ports.settings.get();
      let keys: KeyInfo[] = [];
      try {
        keys = await vault.list();
      } catch (e) {
        // A locked keychain must not keep the window from painting; the state says why.
        logger.warn('could not list saved keys', { error: describeError(e, logger) });
      }
      return {
        version: ports.appVersion ?? '0.0.0',
        settings,
        demo: settings.environment === 'demo',
        key: keys.find((k) => k.environment === settings.environment) ?? null,
        keys,
        keychain: vault.keychainState(),
        portfolio: session?.portfolio.snapshot() ?? null,
        status: currentStatus(),
        notices: [...notices],
      };
    },

    'app:openExternal': async ({ url }) => {
      if (ports.shell === undefined) throw new AppError('not-available', 'Opening links is not available here.');
      if (!ports.shell.openExternal(url))
        throw new AppError('not-allowed', 'Perch only opens https links to Binance and the project pages.');
      return null;
    },

    'app:dismissNotice': ({ id }) => {
      const i = notices.findIndex((n) => n.id === id);
      if (i >= 0) notices.splice(i, 1);
      return null;
    },

    'settings:get': () => ports.settings.get(),

    'settings:update': async (input) => {
      const before = ports.settings.get();
      let patch = input;
      let thresholdNote: string | null = null;
      if (patch.quoteCurrency !== undefined && patch.quoteCurrency !== before.quoteCurrency && patch.smallBalanceThreshold === undefined) {
        const t = convertThreshold(
          before.smallBalanceThreshold,
          before.quoteCurrency,
          patch.quoteCurrency,
          session?.portfolio.snapshot() ?? null,
        );
        patch = { ...patch, smallBalanceThreshold: t.value };
        thresholdNote = t.message;
      }
      const next: Settings = await ports.settings.update(patch);
      if (thresholdNote !== null)
        addNotice({ id: 'small-balance-threshold', level: 'info', code: 'threshold-converted', message: thresholdNote });
      if (patch.startAtLogin !== undefined && next.startAtLogin !== before.startAtLogin) ports.shell?.setStartAtLogin(next.startAtLogin);
      emit('settings:changed', next);
      if (next.privacyMode !== before.privacyMode) trayNow();
      if (next.environment !== before.environment) {
        await rebuild('environment changed');
      } else if (next.quoteCurrency !== before.quoteCurrency) {
        session?.setQuote(next.quoteCurrency);
        session?.flush();
      }
      return next;
    },

    'keys:test': async ({ environment, material }) => {
      const release = holdMaterial(material);
      try {
        const resolved = await vault.resolve(environment, material);
        return await testKey(environment, resolved.material);
      } catch (e) {
        throw toAppError(e, logger);
      } finally {
        release();
      }
    },

    'keys:save': async ({ environment, material, acceptWithdrawalRisk }) => {
      // Held until saved; once saved, the stored key's own slot keeps it registered.
      const release = holdMaterial(material);
      try {
        const resolved = await vault.resolve(environment, material);
        const health = await testKey(environment, resolved.material);
        if (!health.reading)
          throw new AppError('auth', 'This key cannot read the account, so it was not saved. Enable reading for it in API Management.');
        if (health.withdrawals === true && acceptWithdrawalRisk !== true) {
          throw new AppError(
            'confirmation-required',
            'This key can withdraw funds. Confirm explicitly that you accept the risk, or create a key without withdrawals (recommended).',
          );
        }
        const info = await vault.save(environment, resolved.material, resolved.publicKeyPem);
        await keysChanged(environment);
        if (session?.environment === environment) alerts().observeKeyHealth(health);
        return info;
      } catch (e) {
        throw toAppError(e, logger);
      } finally {
        release();
      }
    },

    'keys:remove': async ({ environment }) => {
      const removed = await vault.remove(environment);
      await keysChanged(environment);
      return { removed };
    },

    'keys:generateEd25519': async ({ environment }) => vault.generateEd25519(environment),

    'keys:publicKey': async ({ environment }) => vault.publicKey(environment),

    'keys:health': async ({ environment }) => {
      const material = await materialFor(environment);
      if (material === null) throw new AppError('no-key', NO_KEY_MESSAGE);
      const current = orders;
      const health = await testKey(environment, material);
      // What the check found about trading applies to the running session's orders at once.
      if (current !== null && current === orders && session?.environment === environment) current.setKeyCanTrade(health.spotTrading);
      if (session?.environment === environment) alerts().observeKeyHealth(health);
      return health;
    },

    'demo:reset': async () => {
      const sim = simulator;
      const current = session;
      if (ports.settings.get().environment !== 'demo' || sim === null) {
        throw new AppError('not-available', 'Reset applies to the built-in demo account; switch to Demo first.');
      }
      // The demo exchange cancels every open order of the account on reset: count them first.
      const canceledOrders = orders?.api.reconciler.orders.open().length ?? 0;
      sim.accounts.reset(sim.demoAccountId);
      // The reset restores balances on the exchange; read them back now instead of waiting.
      if (current !== null) await current.resyncAccount('demo reset');
      logger.info('demo account reset', { canceledOrders });
      return { resetAt: now(), canceledOrders };
    },

    'portfolio:getSnapshot': () => session?.portfolio.snapshot() ?? null,

    'orders:listOpen': orderHandler('orders:listOpen'),
    'orders:cancel': orderHandler('orders:cancel'),
    'orders:cancelAll': orderHandler('orders:cancelAll'),
    'orders:history': orderHandler('orders:history'),
    'orders:syncHistory': orderHandler('orders:syncHistory'),
    'orders:symbols': orderHandler('orders:symbols'),
    'orders:preflight': async (input, ctx) => {
      const o = requireOrders('orders:preflight');
      // The checks against the market need a current bid/ask: read it when no stream has it.
      await o.quote(input.draft.symbol);
      return orderHandler('orders:preflight')(input, ctx);
    },
    ...pnlHandlers(),
    'orders:submit': async (input, ctx) => {
      const o = orders;
      // No session to send it yet, nothing journaled for this token and no submit of it under
      // way: provably not sent, so the person is told so (not "outcome unknown").
      if ((o === null || !o.isReady()) && !submitsInFlight.has(input.token) && !journaled(input.token)) {
        const env = ports.settings.get().environment;
        throw new AppError(
          'not-sent',
          o === null && idleReason !== null
            ? `Nothing was sent. ${idleReason}`
            : `Perch is still connecting to ${exchangeName(env)}; nothing was sent. Try again in a moment.`,
        );
      }
      submitsInFlight.set(input.token, (submitsInFlight.get(input.token) ?? 0) + 1);
      try {
        return await orderHandler('orders:submit')(input, ctx);
      } finally {
        const n = (submitsInFlight.get(input.token) ?? 1) - 1;
        if (n > 0) submitsInFlight.set(input.token, n);
        else submitsInFlight.delete(input.token);
      }
    },
    'orders:outcome': async (input, ctx) => {
      // An order checked in the background (an earlier session's) is answered from the journal.
      if (ownedInBackground(input.clientOrderId) || orders === null) {
        const stored = journalOutcomes().getOutcome(input.clientOrderId);
        if (stored !== null) return stored.view as OrderOutcomeView;
        if (orders === null) return neverSent(input);
      }
      return (await orderHandler('orders:outcome')(input, ctx)) ?? neverSent(input);
    },

    'orders:unresolved': async () => {
      const database = ordersDatabase();
      const out: UnresolvedOrder[] = [];
      for (const envId of ENVIRONMENT_IDS) {
        for (const i of openIntents(database.orderIntents, envId, now())) {
          const payload = i.payload as { order?: { quantity?: unknown; quoteOrderQty?: unknown } } | null;
          const qty = payload?.order?.quantity;
          const quote = payload?.order?.quoteOrderQty;
          out.push({
            clientOrderId: i.clientOrderId,
            environment: i.environment,
            symbol: i.symbol,
            side: i.side,
            type: i.type.slice(0, 40),
            quantity: typeof qty === 'string' ? qty.slice(0, 60) : typeof quote === 'string' ? `${quote.slice(0, 40)} (quote)` : '',
            status: i.state === 'not-placed' ? 'not-placed' : 'unknown',
            at: i.createdAt,
            checkedInBackground: ownedInBackground(i.clientOrderId),
          });
        }
      }
      return out.slice(0, 500);
    },

    'alerts:get': () => alertsState(alerts()),
    'alerts:create': async (input) => {
      requireMarket(input.kind, input.symbol);
      try {
        return alerts().create(input);
      } catch (e) {
        throw alertError(e);
      }
    },
    'alerts:update': async ({ id, rule }) => {
      requireMarket(rule.kind, rule.symbol);
      try {
        return alerts().update(id, rule);
      } catch (e) {
        throw alertError(e);
      }
    },
    'alerts:delete': ({ id }) => ({ removed: alerts().remove(id) }),
    'alerts:setPaused': ({ id, paused }) => {
      try {
        return alerts().setPaused(id, paused);
      } catch (e) {
        throw alertError(e);
      }
    },
    'alerts:check': async (rule) => {
      const s = session;
      if (rule.kind !== 'price-above' && rule.kind !== 'price-below') return { wouldFireNow: false, last: null };
      // a symbol on no stream yet is read by REST (weight 4): the form asks once per level typed
      const last =
        alerts().lastPrice(rule.symbol) ??
        s?.quote(rule.symbol)?.last ??
        (s !== null && s.exchangeInfo.isLoaded() && s.exchangeInfo.symbols().some((x) => x.symbol === rule.symbol)
          ? ((await s.refreshQuote(rule.symbol))?.last ?? null)
          : null);
      if (last === null || (rule.kind !== 'price-above' && rule.kind !== 'price-below')) return { wouldFireNow: false, last };
      const c = cmp(last, rule.level);
      return { wouldFireNow: rule.kind === 'price-above' ? c >= 0 : c <= 0, last };
    },
    'alerts:updateSettings': (patch) => {
      const next = alerts().updateSettings(patch);
      emit('alerts:changed', alertsState(alerts()));
      scheduleTray();
      return next;
    },
    'alerts:pauseAll': ({ until }) => pauseAll(until),
    'watchlist:get': () => alerts().watchItems(),
    'watchlist:set': ({ symbols }) => {
      const known = session?.exchangeInfo.isLoaded() === true ? new Set(session.exchangeInfo.symbols().map((x) => x.symbol)) : null;
      const unknown = known === null ? [] : symbols.filter((x) => !known.has(x));
      if (unknown.length > 0)
        throw new AppError('invalid-input', `${unknown.join(', ')} is not a market on this exchange. Pick a symbol from the search.`);
      alerts().setWatchlist(symbols);
      scheduleTray();
      return alerts().watchItems();
    },
    'tray:get': () => trayModel(),

    'orders:watchMarket': async ({ symbol }, ctx: CommandContext) => {
      const key = senderKey(ctx.sender);
      bookWatchers.delete(key);
      if (symbol !== null) {
        bookWatchers.set(key, symbol);
        for (const k of bookWatchers.keys()) {
          if (bookWatchers.size <= MAX_BOOK_WATCHERS) break;
          bookWatchers.delete(k);
        }
      }
      applyBookWatch();
      if (symbol === null || orders === null) return null;
      return orders.quote(symbol);
    },
  };

  // ------------------------------------------------------------------ lifecycle

  /** An alert on a market this exchange does not list would never fire: refused with why. */
  function requireMarket(kind: string, symbol: string): void {
    const s = session;
    if (kind.startsWith('portfolio') || s === null || !s.exchangeInfo.isLoaded()) return;
    if (!s.exchangeInfo.symbols().some((x) => x.symbol === symbol)) {
      throw new AppError('invalid-input', `Symbol: ${symbol} is not a market on ${s.env.label}. Pick one from the list as you type.`);
    }
  }

  /** Plain words for a rule that is refused (too many, or gone). */
  function alertError(e: unknown): AppError {
    if (e instanceof AppError) return e;
    if (e instanceof RangeError) return new AppError('invalid-input', e.message);
    const mapped = toAppError(e, logger);
    return mapped instanceof AppError ? mapped : new AppError('invalid-input', 'This alert could not be saved; check its fields.');
  }

  return {
    handlers,
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async start() {
      if (started || stopped) return;
      started = true;
      recorder.start();
      // Main's liveness for every window: one that hears nothing for a few seconds says so.
      heartbeatTimer = setInterval(() => emit('app:heartbeat', { at: now() }), APP_HEARTBEAT_MS);
      heartbeatTimer.unref?.();
      await rebuild('start');
      await serial(resumeOtherEnvironments);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      recorder.stop();
      if (heartbeatTimer !== null) clearInterval(heartbeatTimer);
      heartbeatTimer = null;
      if (trayTimer !== null) clearTimeout(trayTimer);
      if (watchTimer !== null) clearTimeout(watchTimer);
      if (alertsTimer !== null) clearTimeout(alertsTimer);
      alertsTimer = null;
      trayTimer = null;
      watchTimer = null;
      await serial(async () => {
        await teardown();
        // What they had not found out stays in the journal; the next start checks it again.
        for (const b of backgrounds.splice(0)) b.stop();
        await stopSimulator();
      });
      listeners.clear();
      memoryDb?.close();
      memoryDb = null;
    },
    suspend() {
      suspended = true;
      session?.suspend();
    },
    async resume() {
      suspended = false;
      await session?.resume();
    },
    tray: {
      model: () => trayModel(),
      async action(id) {
        if (id === 'privacy') await handlers['settings:update']({ privacyMode: !ports.settings.get().privacyMode }, TRAY_CONTEXT);
        else if (id === 'pause-1h') pauseAll('1h');
        else if (id === 'pause-tomorrow') pauseAll('tomorrow');
        else if (id === 'resume-alerts') pauseAll('resume');
      },
      setWindowVisible(visible) {
        if (visible === windowVisible) return;
        windowVisible = visible;
        scheduleTray();
      },
    },
    inspect: {
      alerts: () => alerts(),
      session: () => session,
      orders: () => orders,
      simulator: () => simulator,
      recorder,
      logger,
      idle: () => chain,
    },
  };
}

/** Loaded on first use: a person on a real exchange never pays for the simulator's start-up. */
async function defaultStartSimulator(opts: { seed?: number; symbolCount?: number }): Promise<DemoSimulator> {
  const { startSimulator } = await import('../sim/simulator');
  // Port 0: the OS picks a free loopback port. The demo account starts with a year of history.
  return startSimulator({ seed: opts.seed, symbolCount: opts.symbolCount, demoHistory: true });
}
