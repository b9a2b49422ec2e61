/**
 * The core: everything Perch does, built from ports, with no Electron import. The Electron
 * composition root and the web host both call createCore and connect its handlers to their
 * command router and its events to their broadcaster.
 *
 * One exchange session at a time (environment + key). Switching environment or key stops the
 * old session completely before the new one starts; switches are serialized, so two quick
 * changes cannot leave two sessions delivering events.
 */
import type {
  ConnectionsStatus,
  EnvironmentId,
  KeyHealth,
  KeyInfo,
  Notice,
  PortfolioEvent,
  Settings,
} from '../../shared/domain';
import type { CommandName, EventName } from '../../shared/ipc/channels';
import type { EventPayload } from '../../shared/ipc/contract';
import { AppError } from '../../shared/ipc/result';
import { createCredentials, type CredentialMaterial } from '../exchange/credentials';
import { environment as publicEnvironment, simulatorEnvironment, type Environment } from '../exchange/environments';
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
import type { ServiceCommandName } from '../orders/orders-service';
import { openDatabase, type Database } from '../storage/database';
import { toAppError } from './errors';
import { createExchangeSession, type ExchangeSession, type ExchangeSessionOptions } from './exchange-session';
import { ApiRestrictions, assessKeyHealth, createKeyVault, secretOf } from './keys';
import type { CorePorts, DemoSimulator } from './ports';
import { createRedactingLogger, describeError, type RedactingLogger } from './redacting-logger';
import { createSessionOrders, type SessionOrders, type SessionOrdersOptions } from './session-orders';
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
  /** Diagnostics and tests. */
  readonly inspect: {
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

const NO_KEY_MESSAGE = 'No API key is saved for this environment. Add one in Settings, or switch to Demo.';
const ORDERS_NOT_READY = 'Perch is still connecting to the exchange (unfinished orders are checked first); try again in a moment.';
/** Order forms open at once, across windows; the oldest is dropped beyond this. */
const MAX_BOOK_WATCHERS = 8;

/** Commands the orders service answers that need the exchange loaded and intents reconciled. */
const ORDER_COMMANDS_NEEDING_READY: ReadonlySet<ServiceCommandName> = new Set<ServiceCommandName>([
  'orders:cancel', 'orders:cancelAll', 'orders:history', 'orders:syncHistory', 'orders:symbols', 'orders:preflight', 'orders:submit',
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
  const store = ports.database !== undefined
    ? valuePointStoreFromRepository(ports.database.valueSnapshots)
    : ports.valuePoints ?? createMemoryValuePointStore();

  const listeners = new Set<CoreEventListener>();
  const notices: Notice[] = [...(ports.initialNotices ?? [])];
  let session: ExchangeSession | null = null;
  let orders: SessionOrders | null = null;
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
      return simulatorEnvironment({ restUrl: sim.restUrl, streamUrl: sim.streamUrl, wsApiUrl: sim.wsApiUrl }, { label: 'Demo (simulated exchange)' });
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

  const teardown = async (): Promise<void> => {
    const old = session;
    const oldOrders = orders;
    session = null;
    orders = null;
    pnl?.stop();
    pnl = null;
    // The orders service goes first: nothing may reconcile or answer on a closing session.
    if (oldOrders !== null) {
      oldOrders.stop();
      emit('orders:open', { orders: [], lists: [], asOf: now() });
    }
    if (old === null) return;
    await old.stop();
    // The stopped session never reports again, so its last figures (and their "live") would stay
    // on screen under whatever environment comes next: tell the renderer to drop them.
    emit('portfolio:snapshot', { kind: 'cleared', environment: ports.settings.get().environment, at: now() });
  };

  const rebuild = (reason: string): Promise<void> => serial(async () => {
    await teardown();
    if (stopped || !started) return;
    const settings = ports.settings.get();
    const envId = settings.environment;
    if (envId !== 'demo') await stopSimulator();
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
      return;
    }
    logger.addSecret(secretOf(material));
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
      onPortfolioEvent: (ev: PortfolioEvent) => {
        if (session !== next) return;
        emit('portfolio:snapshot', ev);
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
    orders = createSessionOrders({
      session: next,
      environment: envId,
      database: ordersDatabase(),
      tradingEnabled: () => ports.settings.get().tradingEnabled,
      notify: (n) => {
        if (session === next) addNotice(n);
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
      recordedValues: (from, to) => store.range({ environment: envId, quote: ports.settings.get().quoteCurrency, from, to }).map((p) => ({ ts: p.at, total: p.total })),
    });
    applyBookWatch();
    logger.info('exchange session starting', { environment: envId, reason, keyType: credentials.type });
    next.start();
    if (suspended) next.suspend();
  });

  // ------------------------------------------------------------------ keys

  const testKey = async (envId: EnvironmentId, material: CredentialMaterial): Promise<KeyHealth> => {
    logger.addSecret(secretOf(material));
    const env = await environmentFor(envId);
    const credentials = createCredentials(material);
    const governor = createRateLimitGovernor({ now });
    const timeSync = createTimeSync({ env, fetchImpl: ports.fetchImpl, governor, localNow: now });
    try {
      await timeSync.sync('key test');
      const rest = createRestClient({ env, credentials, timeSync, governor, fetchImpl: ports.fetchImpl });
      try {
        await rest.request({ method: 'GET', path: '/api/v3/account', params: { omitZeroBalances: 'true' }, security: 'USER_DATA', weight: 20 });
      } catch (e) {
        const mapped = toAppError(e, logger);
        if (mapped instanceof AppError && mapped.code === 'auth') {
          throw new AppError('auth', `${env.label} did not accept this key: ${mapped.message} Check that the key and its secret belong together and to this environment.`);
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
    const wrap = <C extends Own>(name: C): CommandHandlers[C] => (async (input: Parameters<SessionPnl['handlers'][C]>[0]) => {
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
      return { status: r.saved ? 'saved' as const : 'cancelled' as const, path: r.path };
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
      if (!ports.shell.openExternal(url)) throw new AppError('not-allowed', 'Perch only opens https links to Binance and the project pages.');
      return null;
    },

    'app:dismissNotice': ({ id }) => {
      const i = notices.findIndex((n) => n.id === id);
      if (i >= 0) notices.splice(i, 1);
      return null;
    },

    'settings:get': () => ports.settings.get(),

    'settings:update': async (patch) => {
      const before = ports.settings.get();
      const next: Settings = await ports.settings.update(patch);
      if (patch.startAtLogin !== undefined && next.startAtLogin !== before.startAtLogin) ports.shell?.setStartAtLogin(next.startAtLogin);
      emit('settings:changed', next);
      if (next.environment !== before.environment) {
        await rebuild('environment changed');
      } else if (next.quoteCurrency !== before.quoteCurrency) {
        session?.setQuote(next.quoteCurrency);
        session?.flush();
      }
      return next;
    },

    'keys:test': async ({ environment, material }) => {
      try {
        const resolved = await vault.resolve(environment, material);
        return await testKey(environment, resolved.material);
      } catch (e) {
        throw toAppError(e, logger);
      }
    },

    'keys:save': async ({ environment, material, acceptWithdrawalRisk }) => {
      try {
        const resolved = await vault.resolve(environment, material);
        const health = await testKey(environment, resolved.material);
        if (!health.reading) throw new AppError('auth', 'This key cannot read the account, so it was not saved. Enable reading for it in API Management.');
        if (health.withdrawals === true && acceptWithdrawalRisk !== true) {
          throw new AppError('confirmation-required', 'This key can withdraw funds. Confirm explicitly that you accept the risk, or create a key without withdrawals (recommended).');
        }
        const info = await vault.save(environment, resolved.material, resolved.publicKeyPem);
        await keysChanged(environment);
        return info;
      } catch (e) {
        throw toAppError(e, logger);
      }
    },

    'keys:remove': async ({ environment }) => {
      const removed = await vault.remove(environment);
      await keysChanged(environment);
      return { removed };
    },

    'keys:generateEd25519': async ({ environment }) => vault.generateEd25519(environment),

    'keys:health': async ({ environment }) => {
      const material = await materialFor(environment);
      if (material === null) throw new AppError('no-key', NO_KEY_MESSAGE);
      const current = orders;
      const health = await testKey(environment, material);
      // What the check found about trading applies to the running session's orders at once.
      if (current !== null && current === orders && session?.environment === environment) current.setKeyCanTrade(health.spotTrading);
      return health;
    },

    'demo:reset': async () => {
      const sim = simulator;
      const current = session;
      if (ports.settings.get().environment !== 'demo' || sim === null) {
        throw new AppError('not-available', 'Reset applies to the built-in demo account; switch to Demo first.');
      }
      sim.accounts.reset(sim.demoAccountId);
      // The reset restores balances on the exchange; read them back now instead of waiting.
      if (current !== null) await current.resyncAccount('demo reset');
      logger.info('demo account reset');
      return { resetAt: now() };
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
    'orders:submit': orderHandler('orders:submit'),
    'orders:outcome': orderHandler('orders:outcome'),

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
      await rebuild('start');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      recorder.stop();
      await serial(async () => {
        await teardown();
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
    inspect: {
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
