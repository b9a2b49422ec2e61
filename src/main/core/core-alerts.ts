/**
 * The core's alerts, watchlist and tray: the alerts service (built on first use), what each new
 * exchange session feeds it, the coalesced events for the renderer and the tray, and the
 * alerts:*, watchlist:* and tray:get commands.
 */
import type { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';
import type { EnvironmentId, TrayModel } from '../../shared/domain';
import type { EventName } from '../../shared/ipc/channels';
import type { AlertCommandName } from '../../shared/ipc/alerts-contract';
import type { EventPayload } from '../../shared/ipc/contract';
import { AppError } from '../../shared/ipc/result';
import { cmp } from '../../shared/money';
import { createAlertsService, klineIntervalFor, type AlertsService } from '../alerts/alerts-service';
import { systemOffsetMinutes } from '../alerts/format';
import { computeTrayModel, tomorrowMorning, TRAY_MIN_INTERVAL_MS } from '../alerts/tray-model';
import type { CommandHandlers } from '../ipc/command-router';
import { createAlertsRepository } from '../storage/alerts-repository';
import { toAppError } from './errors';
import type { ExchangeSession } from './exchange-session';
import type { CorePorts } from './ports';
import { describeError, type RedactingLogger } from './redacting-logger';
import type { SessionHooks } from './session-switch';

export interface CoreAlertsDeps {
  readonly ports: Pick<CorePorts, 'settings' | 'notifications' | 'offsetMinutes'>;
  readonly logger: RedactingLogger;
  readonly now: () => number;
  readonly db: () => DatabaseSync;
  readonly session: () => ExchangeSession | null;
  readonly emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  /** The core is stopping: no timer may fire an event any more. */
  readonly stopped: () => boolean;
}

export interface CoreAlerts {
  service(): AlertsService;
  readonly handlers: { [C in AlertCommandName]: CommandHandlers[C] };
  trayModel(): TrayModel;
  /** At most one tray update every few seconds; the last change is never lost. */
  scheduleTray(): void;
  /** Privacy mode masks the tray at once: amounts must not linger there for seconds. */
  trayNow(): void;
  pauseAll(until: '1h' | 'tomorrow' | 'resume'): void;
  setWindowVisible(visible: boolean): void;
  /** What a new session feeds the alerts (prices, totals, orders, the kline source for gaps). */
  readonly hooks: Pick<SessionHooks, 'onTickers' | 'attach' | 'onOrderNotice'> & {
    onTotals(session: ExchangeSession): void;
  };
  stop(): void;
}

const KlineRows = z.array(z.tuple([z.number(), z.string(), z.string(), z.string(), z.string()]).rest(z.unknown()));

export function createCoreAlerts(deps: CoreAlertsDeps): CoreAlerts {
  const { ports, logger, now, emit, stopped } = deps;
  const offsetMinutes = ports.offsetMinutes ?? systemOffsetMinutes;
  let alertsService: AlertsService | null = null;
  let windowVisible = true;
  let lastTrayAt = 0;
  let trayTimer: ReturnType<typeof setTimeout> | null = null;
  let alertsTimer: ReturnType<typeof setTimeout> | null = null;
  let watchTimer: ReturnType<typeof setTimeout> | null = null;

  const alertsState = (a: AlertsService) => ({ rules: a.rules(), settings: a.settings(), log: a.log(200) });
  const alerts = (): AlertsService => {
    if (alertsService !== null) return alertsService;
    const a: AlertsService = createAlertsService({
      repo: createAlertsRepository(deps.db()),
      now,
      offsetMinutes,
      ...(ports.notifications !== undefined ? { notifications: ports.notifications } : {}),
      privacy: () => ports.settings.get().privacyMode,
      onLog: (entry) => emit('alerts:fired', entry),
      onRulesChanged: () => {
        deps.session()?.watchExtra(a.symbols());
        scheduleAlertsChanged();
      },
      onWatchlistChanged: () => {
        deps.session()?.watchExtra(a.symbols());
        emit('watchlist:changed', a.watchItems());
      },
      onError: (what, e) => logger.warn(what, { error: describeError(e, logger) }),
    });
    alertsService = a;
    return a;
  };

  const trayModel = (): TrayModel =>
    computeTrayModel({
      snapshot: deps.session()?.portfolio.snapshot() ?? null,
      privacy: ports.settings.get().privacyMode,
      settings: alerts().settings(),
      watch: alerts().watchItems(),
      windowVisible,
      now: now(),
      offsetMinutes,
    });

  const scheduleTray = (): void => {
    if (trayTimer !== null || stopped()) return;
    const wait = Math.max(0, lastTrayAt + TRAY_MIN_INTERVAL_MS - now());
    trayTimer = setTimeout(() => {
      trayTimer = null;
      if (stopped()) return;
      lastTrayAt = now();
      emit('tray:model', trayModel());
    }, wait);
  };

  /**
   * Rule changes (a firing, a re-arm in a busy market) are sent coalesced: the state carries the
   * log read from SQLite, which need not happen on every price frame.
   */
  const scheduleAlertsChanged = (): void => {
    if (alertsTimer !== null || stopped()) return;
    alertsTimer = setTimeout(() => {
      alertsTimer = null;
      if (!stopped()) emit('alerts:changed', alertsState(alerts()));
    }, 200);
  };

  /** Watchlist prices go out at most once a second (like the tray, they need not be faster). */
  const scheduleWatch = (): void => {
    if (watchTimer !== null || stopped()) return;
    watchTimer = setTimeout(() => {
      watchTimer = null;
      if (!stopped()) emit('watchlist:changed', alerts().watchItems());
    }, 1_000);
  };

  const trayNow = (): void => {
    if (trayTimer !== null) clearTimeout(trayTimer);
    trayTimer = null;
    if (stopped()) return;
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

  /** An alert on a market this exchange does not list would never fire: refused with why. */
  const requireMarket = (kind: string, symbol: string): void => {
    const s = deps.session();
    if (kind.startsWith('portfolio') || s === null || !s.exchangeInfo.isLoaded()) return;
    if (!s.exchangeInfo.symbols().some((x) => x.symbol === symbol)) {
      throw new AppError('invalid-input', `Symbol: ${symbol} is not a market on ${s.env.label}. Pick one from the list as you type.`);
    }
  };

  /** Plain words for a rule that is refused (too many, or gone). */
  const alertError = (e: unknown): AppError => {
    if (e instanceof AppError) return e;
    if (e instanceof RangeError) return new AppError('invalid-input', e.message);
    const mapped = toAppError(e, logger);
    return mapped instanceof AppError ? mapped : new AppError('invalid-input', 'This alert could not be saved; check its fields.');
  };

  const attach = (next: ExchangeSession, envId: EnvironmentId, isCurrent: () => boolean): void => {
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
      if (isCurrent()) alerts().observeOrder(n);
    });
  };

  const handlers: CoreAlerts['handlers'] = {
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
      const s = deps.session();
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
      const session = deps.session();
      const known = session?.exchangeInfo.isLoaded() === true ? new Set(session.exchangeInfo.symbols().map((x) => x.symbol)) : null;
      const unknown = known === null ? [] : symbols.filter((x) => !known.has(x));
      if (unknown.length > 0)
        throw new AppError('invalid-input', `${unknown.join(', ')} is not a market on this exchange. Pick a symbol from the search.`);
      alerts().setWatchlist(symbols);
      scheduleTray();
      return alerts().watchItems();
    },
    'tray:get': () => trayModel(),
  };

  return {
    service: alerts,
    handlers,
    trayModel,
    scheduleTray,
    trayNow,
    pauseAll: (until) => {
      pauseAll(until);
    },
    setWindowVisible(visible) {
      if (visible === windowVisible) return;
      windowVisible = visible;
      scheduleTray();
    },
    hooks: {
      onTickers: (tickers, live, source) => {
        try {
          if (alerts().observeTickers(tickers, live, source)) scheduleWatch();
        } catch (e) {
          logger.warn('could not evaluate alerts', { error: describeError(e, logger) });
        }
      },
      onTotals: (session) => {
        const totals = session.portfolio.valuation();
        if (totals === null) return;
        try {
          alerts().observeTotal(totals.quote, totals.total, totals.freshness.state === 'live' && totals.pending === 0);
        } catch (e) {
          logger.warn('could not evaluate alerts', { error: describeError(e, logger) });
        }
      },
      attach,
      onOrderNotice: (n) => alerts().observeOrderOutcome(n.code ?? '', n.message, n.id),
    },
    stop() {
      if (trayTimer !== null) clearTimeout(trayTimer);
      if (watchTimer !== null) clearTimeout(watchTimer);
      if (alertsTimer !== null) clearTimeout(alertsTimer);
      alertsTimer = null;
      trayTimer = null;
      watchTimer = null;
    },
  };
}
