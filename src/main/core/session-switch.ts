/**
 * The one exchange session (environment + key) and its switches. Switching environment or key
 * stops the old session completely — its orders feature first, whose open outcomes are handed to
 * a background checker — before the new one starts; switches run one after another, so two quick
 * changes cannot leave two sessions delivering events. Whatever a session reports is dropped once
 * it is no longer the current one.
 */
import type { ConnectionsStatus, EnvironmentId, Notice, PortfolioEvent } from '../../shared/domain';
import type { UnresolvedOrder } from '../../shared/domain/orders';
import { ENVIRONMENT_IDS } from '../../shared/domain';
import type { EventName } from '../../shared/ipc/channels';
import type { EventPayload } from '../../shared/ipc/contract';
import { AppError } from '../../shared/ipc/result';
import { createCredentials, type CredentialMaterial } from '../exchange/credentials';
import type { Environment } from '../exchange/environments';
import type { ValuePointStore } from '../history/value-recorder';
import { openIntents } from '../orders/background-reconciler';
import { keyFingerprint } from '../orders/key-fingerprint';
import { createBackgroundChecks, type SessionAuth } from './background-checks';
import { toAppError } from './errors';
import { createExchangeSession, type ExchangeSession, type ExchangeSessionOptions } from './exchange-session';
import { secretOf, type KeyVault } from './keys';
import type { CorePorts, DemoSimulator } from './ports';
import { describeError, type RedactingLogger } from './redacting-logger';
import { createSessionEnvironments } from './session-environments';
import { createSessionOrders, type SessionOrders, type SessionOrdersOptions } from './session-orders';
import { createSessionPnl, type SessionPnl } from './session-pnl';

export const NO_KEY_MESSAGE = 'No API key is saved for this environment. Add one in Settings, or switch to Demo.';

/** What the rest of the core hangs on each new session (only while it is the current one). */
export interface SessionHooks {
  readonly onTickers: NonNullable<ExchangeSessionOptions['onTickers']>;
  readonly onPortfolioEvent: (session: ExchangeSession, event: PortfolioEvent) => void;
  /** A session was built and is about to start; `isCurrent` turns false once it is replaced. */
  readonly attach: (session: ExchangeSession, environment: EnvironmentId, isCurrent: () => boolean) => void;
  /** An order notice of the current session (already shown to the person). */
  readonly onOrderNotice: (notice: Omit<Notice, 'at'>) => void;
  /** The orders feature of the new session exists (the order forms' watched symbols go to it). */
  readonly ordersBuilt: () => void;
}

export interface SessionSwitchDeps {
  readonly ports: Pick<CorePorts, 'settings' | 'fetchImpl' | 'demo' | 'environmentOverrides'>;
  readonly vault: Pick<KeyVault, 'material'>;
  readonly logger: RedactingLogger;
  readonly now: () => number;
  readonly flushIntervalMs: number;
  readonly sessionTuning?: ExchangeSessionOptions['tuning'];
  readonly ordersTuning?: SessionOrdersOptions['tuning'];
  /** The journal and order history (the database port, or an in-memory one). */
  readonly database: () => SessionOrdersOptions['database'];
  /** Recorded portfolio values, for the P&L's value series. */
  readonly valuePoints: ValuePointStore;
  readonly emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  readonly notify: (notice: Omit<Notice, 'at'>) => void;
  readonly hooks: SessionHooks;
}

export interface SessionSwitch {
  session(): ExchangeSession | null;
  /** The orders feature of the current session. */
  orders(): SessionOrders | null;
  /** The P&L feature of the current session. */
  pnl(): SessionPnl | null;
  simulator(): DemoSimulator | null;
  /** Why there is no session (shown in the status bar), or null. */
  idleReason(): string | null;
  /** The current session's connections, or an offline status that says why there is none. */
  status(): ConnectionsStatus;
  environmentFor(id: EnvironmentId): Promise<Environment>;
  materialFor(id: EnvironmentId): Promise<CredentialMaterial | null>;
  /** Stops the demo exchange unless a session or a background checker uses it. */
  stopUnusedSimulator(envId: EnvironmentId): Promise<void>;
  /** Whether a background checker of an earlier session follows this order. */
  ownedInBackground(clientOrderId: string): boolean;
  /** Every order whose outcome is still open, on every environment (what a switch warns about). */
  unresolvedOrders(): UnresolvedOrder[];
  /** Stop the current session and start the one the settings name (serialized). */
  rebuild(reason: string): Promise<void>;
  /** The first session, then the background checks of other environments' open orders. */
  start(): Promise<void>;
  /** Stop the session, the checkers and the demo exchange (the journal keeps what is open). */
  stop(): Promise<void>;
  suspend(): void;
  resume(): Promise<void>;
  /** Resolves when pending switches are done. */
  idle(): Promise<void>;
}

export function createSessionSwitch(deps: SessionSwitchDeps): SessionSwitch {
  const { ports, logger, now, emit, hooks } = deps;
  let session: ExchangeSession | null = null;
  let orders: SessionOrders | null = null;
  let pnl: SessionPnl | null = null;
  /** The environment and key the current session signs with (handed to a background checker on a switch). */
  let sessionAuth: SessionAuth | null = null;
  let idleReason: string | null = null;
  let started = false;
  let stopped = false;
  let suspended = false;
  let chain: Promise<void> = Promise.resolve();

  const environments = createSessionEnvironments({ ports, vault: deps.vault, logger });
  const checks = createBackgroundChecks({
    ports,
    vault: deps.vault,
    logger,
    now,
    database: deps.database,
    environmentFor: environments.environmentFor,
    notify: deps.notify,
    ...(deps.ordersTuning !== undefined ? { tuning: deps.ordersTuning } : {}),
    stopped: () => stopped,
    onDemoChecksDone: () => {
      void serial(async () => {
        if (session?.environment !== 'demo' && !checks.checkingDemo()) await environments.stopSimulator();
      });
    },
  });

  /** Run environment/key switches one after another. */
  const serial = (fn: () => Promise<void>): Promise<void> => {
    const run = chain.then(fn, fn);
    chain = run.catch((e: unknown) => {
      logger.error('switching the exchange session failed', { error: describeError(e, logger) });
    });
    return run;
  };

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
          checks.handOver(oldAuth);
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
      if (envId !== 'demo' && !checks.checkingDemo()) await environments.stopSimulator();
      idleReason = null;
      let material: CredentialMaterial | null;
      let env: Environment;
      try {
        env = await environments.environmentFor(envId);
        material = await environments.materialFor(envId);
      } catch (e) {
        const mapped = toAppError(e, logger);
        idleReason = mapped instanceof AppError ? mapped.message : 'Perch could not start the connection; details are in the log.';
        if (mapped instanceof AppError && (mapped.code === 'keychain-locked' || mapped.code === 'keychain-unavailable')) {
          deps.notify({ id: `keychain:${mapped.code}`, level: 'error', code: mapped.code, message: mapped.message });
        }
        logger.warn('no exchange session', { environment: envId, reason: describeError(e, logger) });
        emit('status:connections', idleStatus(envId));
        return;
      }
      if (material === null) {
        idleReason = NO_KEY_MESSAGE;
        emit('status:connections', idleStatus(envId));
        if (envId !== 'demo') checks.reportUncheckableSafely(envId, env.label, null);
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
        flushIntervalMs: deps.flushIntervalMs,
        tuning: deps.sessionTuning,
        onTickers: (tickers, live, source) => {
          if (session === next) hooks.onTickers(tickers, live, source);
        },
        onPortfolioEvent: (ev: PortfolioEvent) => {
          if (session === next) hooks.onPortfolioEvent(next, ev);
        },
        onStatus: (status) => {
          if (session === next) emit('status:connections', status);
        },
      });
      session = next;
      sessionAuth = { envId, env, credentials, fingerprint };
      hooks.attach(next, envId, () => session === next);
      orders = createSessionOrders({
        session: next,
        environment: envId,
        ownedElsewhere: checks.owns,
        // The demo exchange starts afresh (with a new key) every time: its orders are not told apart by key.
        ...(envId !== 'demo' ? { keyFingerprint: fingerprint } : {}),
        database: deps.database(),
        tradingEnabled: () => ports.settings.get().tradingEnabled,
        notify: (n) => {
          if (session !== next) return;
          deps.notify(n);
          hooks.onOrderNotice(n);
        },
        emit: (name, payload) => {
          if (session === next) emit(name, payload);
        },
        logger,
        now,
        ...(deps.ordersTuning !== undefined ? { tuning: deps.ordersTuning } : {}),
      });
      pnl = createSessionPnl({
        session: next,
        environment: envId,
        db: deps.database().db,
        quote: () => ports.settings.get().quoteCurrency,
        now,
        emit: (name, payload) => {
          if (session === next) emit(name, payload);
        },
        recordedValues: (from, to) =>
          deps.valuePoints
            .range({ environment: envId, quote: ports.settings.get().quoteCurrency, from, to })
            .map((p) => ({ ts: p.at, total: p.total })),
      });
      hooks.ordersBuilt();
      logger.info('exchange session starting', { environment: envId, reason, keyType: credentials.type });
      if (envId !== 'demo') checks.reportUncheckableSafely(envId, env.label, fingerprint);
      next.start();
      if (suspended) next.suspend();
    });

  return {
    session: () => session,
    orders: () => orders,
    pnl: () => pnl,
    simulator: environments.simulator,
    idleReason: () => idleReason,
    status: () => session?.status() ?? idleStatus(ports.settings.get().environment),
    environmentFor: environments.environmentFor,
    materialFor: environments.materialFor,
    async stopUnusedSimulator(envId) {
      if (envId === 'demo' && ports.settings.get().environment !== 'demo' && session === null) await environments.stopSimulator();
    },
    ownedInBackground: checks.owns,

    unresolvedOrders() {
      const database = deps.database();
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
            checkedInBackground: checks.owns(i.clientOrderId),
          });
        }
      }
      return out.slice(0, 500);
    },

    rebuild,
    async start() {
      started = true;
      await rebuild('start');
      await serial(checks.resumeOtherEnvironments);
    },
    async stop() {
      stopped = true;
      await serial(async () => {
        await teardown();
        // What they had not found out stays in the journal; the next start checks it again.
        checks.stopAll();
        await environments.stopSimulator();
      });
    },
    suspend() {
      suspended = true;
      session?.suspend();
    },
    async resume() {
      suspended = false;
      await session?.resume();
    },
    idle: () => chain,
  };
}
