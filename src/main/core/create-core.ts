/**
 * The core: everything Perch does, built from ports, with no Electron import. The Electron
 * composition root and the web host both call createCore and connect its handlers to their
 * command router and its events to their broadcaster.
 *
 * Wiring only: the exchange session and its switches are session-switch.ts, the commands of each
 * feature are answered in core-alerts.ts, key-handlers.ts, order-handlers.ts and pnl-handlers.ts;
 * the app, settings and demo commands are here. What handlers throw becomes a public error in one
 * place, the command router's toPublicError.
 */
import type { KeyInfo, Notice, PortfolioEvent, Settings, TrayModel } from '../../shared/domain';
import type { EventName } from '../../shared/ipc/channels';
import type { EventPayload } from '../../shared/ipc/contract';
import { APP_HEARTBEAT_MS } from '../../shared/ipc/liveness';
import { AppError } from '../../shared/ipc/result';
import type { AlertsService } from '../alerts/alerts-service';
import {
  createMemoryValuePointStore,
  createValueRecorder,
  valuePointStoreFromRepository,
  type ValueRecorder,
} from '../history/value-recorder';
import type { CommandContext, CommandHandlers } from '../ipc/command-router';
import { openDatabase, type Database } from '../storage/database';
import { createCoreAlerts } from './core-alerts';
import type { ExchangeSession, ExchangeSessionOptions } from './exchange-session';
import { createKeyHandlers } from './key-handlers';
import { createKeyVault } from './keys';
import { createOrderHandlers } from './order-handlers';
import { createPnlHandlers } from './pnl-handlers';
import type { CorePorts, DemoSimulator } from './ports';
import { createRedactingLogger, describeError, type RedactingLogger } from './redacting-logger';
import type { SessionOrders, SessionOrdersOptions } from './session-orders';
import { createSessionSwitch } from './session-switch';
import { convertThreshold } from './threshold';

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

export function createCore(ports: CorePorts, options: CoreOptions = {}): Core {
  const now = ports.clock?.now ?? Date.now;
  const logger = createRedactingLogger(ports.logger);
  const vault = createKeyVault({ secrets: ports.secrets, logger, now });
  const store =
    ports.database !== undefined
      ? valuePointStoreFromRepository(ports.database.valueSnapshots)
      : (ports.valuePoints ?? createMemoryValuePointStore());

  const listeners = new Set<CoreEventListener>();
  const notices: Notice[] = [...(ports.initialNotices ?? [])];
  /** Without a database port the journal and the alerts live in memory (opened on first use, closed on stop). */
  let memoryDb: Database | null = null;
  let started = false;
  let stopped = false;
  let heartbeatTimer: ReturnType<typeof setInterval> | null = null;

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

  const ordersDatabase = (): SessionOrdersOptions['database'] => {
    const d = ports.database;
    if (d?.db !== undefined && d.orderIntents !== undefined) return { db: d.db, orderIntents: d.orderIntents };
    memoryDb ??= openDatabase(':memory:');
    return memoryDb;
  };

  const alertsDb = (): import('node:sqlite').DatabaseSync => {
    if (ports.database?.db !== undefined) return ports.database.db;
    memoryDb ??= openDatabase(':memory:');
    return memoryDb.db;
  };

  const recorder = createValueRecorder({
    store,
    now,
    sample: () => sessions.session()?.portfolio.valuation() ?? null,
    onError: (e) => logger.warn('could not record the portfolio value', { error: describeError(e, logger) }),
  });

  const alerts = createCoreAlerts({
    ports,
    logger,
    now,
    db: alertsDb,
    session: () => sessions.session(),
    emit,
    stopped: () => stopped,
  });

  const sessions = createSessionSwitch({
    ports,
    vault,
    logger,
    now,
    flushIntervalMs: ports.flushIntervalMs ?? 250,
    ...(options.sessionTuning !== undefined ? { sessionTuning: options.sessionTuning } : {}),
    ...(options.ordersTuning !== undefined ? { ordersTuning: options.ordersTuning } : {}),
    database: ordersDatabase,
    valuePoints: store,
    emit,
    notify: addNotice,
    hooks: {
      onTickers: alerts.hooks.onTickers,
      onPortfolioEvent: (session: ExchangeSession, ev: PortfolioEvent) => {
        emit('portfolio:snapshot', ev);
        alerts.hooks.onTotals(session);
        alerts.scheduleTray();
        try {
          recorder.observe();
        } catch (e) {
          logger.warn('could not record the portfolio value', { error: describeError(e, logger) });
        }
      },
      attach: alerts.hooks.attach,
      onOrderNotice: alerts.hooks.onOrderNotice,
      ordersBuilt: () => orderHandlers.applyBookWatch(),
    },
  });

  const orderHandlers = createOrderHandlers({ ports, now, sessions, database: ordersDatabase });

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
        portfolio: sessions.session()?.portfolio.snapshot() ?? null,
        status: sessions.status(),
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
          sessions.session()?.portfolio.snapshot() ?? null,
        );
        patch = { ...patch, smallBalanceThreshold: t.value };
        thresholdNote = t.message;
      }
      const next: Settings = await ports.settings.update(patch);
      if (thresholdNote !== null)
        addNotice({ id: 'small-balance-threshold', level: 'info', code: 'threshold-converted', message: thresholdNote });
      if (patch.startAtLogin !== undefined && next.startAtLogin !== before.startAtLogin) ports.shell?.setStartAtLogin(next.startAtLogin);
      emit('settings:changed', next);
      if (next.privacyMode !== before.privacyMode) alerts.trayNow();
      if (next.environment !== before.environment) {
        await sessions.rebuild('environment changed');
      } else if (next.quoteCurrency !== before.quoteCurrency) {
        sessions.session()?.setQuote(next.quoteCurrency);
        sessions.session()?.flush();
      }
      return next;
    },

    ...createKeyHandlers({ ports, vault, logger, now, sessions, alerts: alerts.service, emit }),

    'demo:reset': async () => {
      const sim = sessions.simulator();
      const current = sessions.session();
      if (ports.settings.get().environment !== 'demo' || sim === null) {
        throw new AppError('not-available', 'Reset applies to the built-in demo account; switch to Demo first.');
      }
      // The demo exchange cancels every open order of the account on reset: count them first.
      const canceledOrders = sessions.orders()?.api.reconciler.orders.open().length ?? 0;
      sim.accounts.reset(sim.demoAccountId);
      // The reset restores balances on the exchange; read them back now instead of waiting.
      if (current !== null) await current.resyncAccount('demo reset');
      logger.info('demo account reset', { canceledOrders });
      return { resetAt: now(), canceledOrders };
    },

    'portfolio:getSnapshot': () => sessions.session()?.portfolio.snapshot() ?? null,

    ...orderHandlers.handlers,
    ...createPnlHandlers({ pnl: () => sessions.pnl(), ports }),
    ...alerts.handlers,
  };

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
      await sessions.start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      recorder.stop();
      if (heartbeatTimer !== null) clearInterval(heartbeatTimer);
      heartbeatTimer = null;
      alerts.stop();
      await sessions.stop();
      listeners.clear();
      memoryDb?.close();
      memoryDb = null;
    },
    suspend() {
      sessions.suspend();
    },
    async resume() {
      await sessions.resume();
    },
    tray: {
      model: () => alerts.trayModel(),
      async action(id) {
        if (id === 'privacy') await handlers['settings:update']({ privacyMode: !ports.settings.get().privacyMode }, TRAY_CONTEXT);
        else if (id === 'pause-1h') alerts.pauseAll('1h');
        else if (id === 'pause-tomorrow') alerts.pauseAll('tomorrow');
        else if (id === 'resume-alerts') alerts.pauseAll('resume');
      },
      setWindowVisible(visible) {
        alerts.setWindowVisible(visible);
      },
    },
    inspect: {
      alerts: () => alerts.service(),
      session: () => sessions.session(),
      orders: () => sessions.orders(),
      simulator: () => sessions.simulator(),
      recorder,
      logger,
      idle: () => sessions.idle(),
    },
  };
}
