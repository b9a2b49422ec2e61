/**
 * Alerts in the core: the pure engine fed from the coalesced market data path, the persisted
 * rules, log and arming state, fill and account alerts, the watchlist, and the notification
 * port. Runs in main, so it works with the window closed.
 *
 * Gaps: while the market feed is live, how far prices were evaluated is written down every few
 * seconds. When the feed is live again after more than GAP_MS without (sleep, offline, a
 * restart), the klines over the gap are read and each crossing that would have fired is reported
 * once ("While you were away: …").
 */
import { randomUUID } from 'node:crypto';
import {
  AlertRuleInput,
  type AlertLogEntry,
  type AlertRule,
  type AlertSettings,
  type AlertSettingsPatch,
  type EnvironmentId,
  type KeyHealth,
  type WatchItem,
} from '../../shared/domain';
import { Decimal } from '../../shared/money';
import type { OrderUpdateNotice } from '../exchange/order-state';
import type { AlertsRepository, NewLogEntry, RuntimeUpdate } from '../storage/alerts-repository';
import { createAlertEngine, type AlertEngine, type FiredAlert, type Kline, type RuleRuntime } from './engine';
import { clockText, groupDecimal, systemOffsetMinutes } from './format';

/** What the core shows a person: a banner (Electron Notification, or the web host's list). */
export interface NotificationPort {
  show(n: { readonly title: string; readonly body: string; readonly silent: boolean; readonly view: AlertLogEntry['view'] }): void;
}

/** The candles of a gap and their length (it grows with the gap: see klineIntervalFor). */
export interface GapKlines {
  readonly klines: readonly Kline[];
  readonly intervalMs: number;
}
export type KlineSource = (symbol: string, from: number, to: number) => Promise<GapKlines>;

export interface TickerUpdate {
  readonly symbol: string;
  readonly last: string;
  readonly open: string;
}

export interface AlertsServiceDeps {
  readonly repo: AlertsRepository;
  readonly now: () => number;
  readonly notifications?: NotificationPort;
  readonly offsetMinutes?: (t: number) => number;
  /** Order amounts are left out of notifications while this is on. */
  readonly privacy: () => boolean;
  readonly onLog: (entry: AlertLogEntry) => void;
  readonly onRulesChanged: () => void;
  readonly onWatchlistChanged: () => void;
  readonly onError: (what: string, e: unknown) => void;
}

export interface AlertsService {
  setEnvironment(environment: EnvironmentId): void;
  environment(): EnvironmentId | null;
  rules(): AlertRule[];
  create(input: unknown): AlertRule;
  update(id: string, input: unknown): AlertRule;
  remove(id: string): boolean;
  setPaused(id: string, paused: boolean): AlertRule;
  log(limit: number): AlertLogEntry[];
  settings(): AlertSettings;
  updateSettings(patch: AlertSettingsPatch): AlertSettings;
  /** Symbols to keep on the market streams: alert symbols and the watchlist. */
  symbols(): ReadonlySet<string>;
  watchlist(): string[];
  setWatchlist(symbols: readonly string[]): void;
  watchItems(): WatchItem[];
  /** Last known price and 24 h open of a symbol seen here (for the "would fire at once" check). */
  lastPrice(symbol: string): string | null;
  /**
   * Every flush: the changed tickers and whether the market feed is live. `source` 'rest': a REST
   * read (never fires). True when what the watchlist shows changed (a price, or live/stale).
   */
  observeTickers(tickers: readonly TickerUpdate[], marketLive: boolean, source: 'stream' | 'rest'): boolean;
  observeTotal(quote: string, total: string, fresh: boolean): void;
  /** Set how gaps are read back (the session's REST client); null when there is no session. */
  setKlineSource(source: KlineSource | null): void;
  observeOrder(notice: OrderUpdateNotice): void;
  observeKeyHealth(health: KeyHealth): void;
  /**
   * A reconciled "unknown" outcome, as the orders feature reports it. `eventId`: the notice's id
   * (one per order and outcome), kept with the log entry so the entry names the event it reports.
   */
  observeOrderOutcome(code: string, message: string, eventId?: string): void;
  /** Resolves when a catch-up in flight is done (tests). */
  idle(): Promise<void>;
}

/** A feed silent this long counts as a gap to catch up. */
export const GAP_MS = 60_000;
const CHECKPOINT_MS = 5_000;
const PRICE_STALE_MS = 10 * 60_000;
const MAX_RULES = 500;
const MAX_WATCH = 50;
const PARTIAL_FILL_QUIET_MS = 60_000;

function intervalFor(spanMs: number): { interval: string; ms: number } {
  for (const [interval, ms] of [
    ['1m', 60_000],
    ['5m', 300_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
  ] as const) {
    if (spanMs / ms <= 1000) return { interval, ms };
  }
  return { interval: '4h', ms: 14_400_000 };
}
export { intervalFor as klineIntervalFor };

export function createAlertsService(deps: AlertsServiceDeps): AlertsService {
  const { repo, now } = deps;
  const offsetMinutes = deps.offsetMinutes ?? systemOffsetMinutes;
  const engine: AlertEngine = createAlertEngine({ offsetMinutes });
  let env: EnvironmentId | null = null;
  let rules: AlertRule[] = [];
  let watch: string[] = [];
  let settings = repo.settings();
  engine.setSettings(settings);
  const prices = new Map<string, { last: string; open: string; at: number }>();
  let marketLive = false;
  let liveSince: number | null = null;
  let lastLiveAt: number | null = null;
  let lastCheckpoint = 0;
  let klineSource: KlineSource | null = null;
  let catchUp: Promise<void> = Promise.resolve();
  /** When each order's last partial-fill alert went out. */
  const partials = new Map<string, number>();
  /** Alert and watch symbols: the only tickers of a 2,500-symbol frame that are looked at. */
  let interest = new Set<string>();
  const refreshInterest = (): void => {
    interest = new Set(engine.symbols());
    for (const s of watch) interest.add(s);
  };

  const loadRules = (): void => {
    if (env === null) return;
    const rows = repo.rules(env);
    rules = rows.map((r) => r.rule);
    engine.setRules(rules, new Map(rows.map((r) => [r.rule.id, { armed: r.armed, done: r.rule.done, lastFiredAt: r.rule.lastFiredAt }])));
    refreshInterest();
  };

  const toEntry = (f: FiredAlert): NewLogEntry => ({
    at: f.catchUp ? now() : f.at,
    ruleId: f.ruleId,
    environment: env ?? 'demo',
    symbol: f.symbol,
    kind: f.catchUp ? 'catch-up' : 'price',
    title: f.title,
    message: f.message,
    banner: f.banner,
    view: 'alerts',
  });

  /** A portfolio total is an amount: in privacy mode its banner shows no figures (prices do). */
  const bannerText = (e: AlertLogEntry, text: string): string =>
    deps.privacy() && e.ruleId !== '' && rules.some((r) => r.id === e.ruleId && r.kind.startsWith('portfolio'))
      ? text.replace(/\d[\d,.]*/g, '•••••')
      : text;

  const deliver = (entries: readonly AlertLogEntry[], sound: boolean): void => {
    for (const e of entries) {
      deps.onLog(e);
      if (e.banner) {
        try {
          deps.notifications?.show({ title: bannerText(e, e.title), body: bannerText(e, e.message), silent: !sound, view: e.view });
        } catch (err) {
          deps.onError('could not show a notification', err);
        }
      }
    }
  };

  const persist = (changed: ReadonlyMap<string, RuleRuntime>, fired: readonly FiredAlert[]): void => {
    if (changed.size === 0 && fired.length === 0) return;
    const updates: RuntimeUpdate[] = [...changed].map(([ruleId, rt]) => ({ ruleId, ...rt }));
    // Runtime and log in one transaction: a logged crossing is never fired again after a restart.
    const written = repo.record(updates, fired.map(toEntry));
    rules = rules.map((r) => {
      const rt = changed.get(r.id);
      return rt === undefined ? r : { ...r, done: rt.done, lastFiredAt: rt.lastFiredAt };
    });
    if (changed.size > 0) {
      refreshInterest();
      deps.onRulesChanged();
    }
    deliver(
      written,
      fired.some((f) => f.sound),
    );
  };

  /** A banner and sound for account events follow the same settings as price alerts. */
  const delivery = (): { banner: boolean; sound: boolean } => {
    const t = now();
    const paused = settings.pausedUntil !== null && t < settings.pausedUntil;
    const quiet = (() => {
      const q = settings.quietHours;
      if (!q.enabled || q.start === q.end) return false;
      const m = ((Math.floor((t + offsetMinutes(t) * 60_000) / 60_000) % 1440) + 1440) % 1440;
      return q.start < q.end ? m >= q.start && m < q.end : m >= q.start || m < q.end;
    })();
    const banner = settings.notifications && !paused && !quiet;
    return { banner, sound: banner && settings.sound };
  };

  const logAccount = (
    ruleId: string,
    symbol: string,
    kind: 'order' | 'account',
    title: string,
    message: string,
    view: AlertLogEntry['view'],
  ): void => {
    if (env === null) return;
    const d = delivery();
    const written = repo.record([], [{ at: now(), ruleId, environment: env, symbol, kind, title, message, banner: d.banner, view }]);
    deliver(written, d.sound);
  };

  const runCatchUp = (from: number, to: number): void => {
    const source = klineSource;
    if (source === null) return;
    const symbols = [...engine.symbols()];
    catchUp = catchUp.then(async () => {
      for (const symbol of symbols) {
        try {
          const { klines, intervalMs } = await source(symbol, from, to);
          // The candle the gap starts in counts (a 5 m candle opened at 07:00 covers 07:02:30).
          const r = engine.catchUp(
            symbol,
            klines.filter((k) => k.openTime + intervalMs > from && k.openTime <= to),
            now(),
            intervalMs,
          );
          persist(r.changed, r.fired);
        } catch (e) {
          deps.onError(`could not read the prices of ${symbol} over the gap`, e);
        }
      }
    });
  };

  const validRule = (input: unknown, base: Pick<AlertRule, 'id' | 'createdAt' | 'done' | 'lastFiredAt'>): AlertRule => {
    const p = AlertRuleInput.parse(input);
    if (env === null) throw new Error('no environment');
    return { ...p, ...base, environment: env };
  };

  const save = (rule: AlertRule, armed: boolean): AlertRule => {
    repo.saveRule(rule, armed);
    loadRules();
    deps.onRulesChanged();
    return rules.find((r) => r.id === rule.id) ?? rule;
  };

  return {
    setEnvironment(e) {
      if (env === e) return;
      env = e;
      prices.clear();
      marketLive = false;
      liveSince = null;
      lastLiveAt = null;
      loadRules();
      watch = repo.watchlist(e);
      refreshInterest();
      deps.onRulesChanged();
      deps.onWatchlistChanged();
    },
    environment: () => env,
    rules: () => [...rules],

    create(input) {
      if (rules.length >= MAX_RULES) throw new RangeError(`At most ${MAX_RULES} alerts; delete some first.`);
      return save(validRule(input, { id: randomUUID(), createdAt: now(), done: false, lastFiredAt: null }), true);
    },

    update(id, input) {
      const old = rules.find((r) => r.id === id);
      if (old === undefined) throw new RangeError('That alert no longer exists.');
      // An edited alert is a new condition: armed again, and a one-shot may fire again.
      return save(validRule(input, { id, createdAt: old.createdAt, done: false, lastFiredAt: old.lastFiredAt }), true);
    },

    remove(id) {
      const removed = repo.deleteRule(id);
      loadRules();
      deps.onRulesChanged();
      return removed;
    },

    setPaused(id, paused) {
      const old = rules.find((r) => r.id === id);
      if (old === undefined) throw new RangeError('That alert no longer exists.');
      return save({ ...old, paused }, engine.runtime(id)?.armed ?? true);
    },

    log: (limit) => (env === null ? [] : repo.log(env, limit)),
    settings: () => settings,

    updateSettings(patch) {
      settings = { ...settings, ...patch };
      repo.saveSettings(settings);
      engine.setSettings(settings);
      return settings;
    },

    symbols: () => new Set(interest),

    watchlist: () => [...watch],

    setWatchlist(symbols) {
      if (env === null) return;
      const unique = [...new Set(symbols)].slice(0, MAX_WATCH);
      watch = unique;
      refreshInterest();
      repo.saveWatchlist(env, unique);
      deps.onWatchlistChanged();
    },

    watchItems() {
      const t = now();
      return watch.map((symbol) => {
        const p = prices.get(symbol);
        if (p === undefined) return { symbol, last: null, changePercent: null, stale: true };
        const open = new Decimal(p.open);
        const change = open.isZero() ? null : new Decimal(p.last).minus(open).div(open).times(100).toDecimalPlaces(2).toFixed();
        return { symbol, last: p.last, changePercent: change, stale: !marketLive || t - p.at > PRICE_STALE_MS };
      });
    },

    lastPrice: (symbol) => prices.get(symbol)?.last ?? null,

    observeTickers(tickers, live, source) {
      const t = now();
      const mine: TickerUpdate[] = [];
      for (const k of tickers) {
        if (!interest.has(k.symbol)) continue;
        mine.push(k);
        if (source === 'stream' || !prices.has(k.symbol)) prices.set(k.symbol, { last: k.last, open: k.open, at: t });
      }
      const wasLive = marketLive;
      if (source === 'stream') marketLive = live;
      let watchChanged = marketLive !== wasLive && watch.length > 0;
      for (const k of mine) if (watch.includes(k.symbol)) watchChanged = true;
      if (!live) {
        if (source === 'stream') liveSince = null;
        return watchChanged;
      }
      if (!wasLive || liveSince === null) {
        liveSince = t;
        // Back to live: how long was it since prices were last evaluated (here or before a restart)?
        const through = lastLiveAt ?? (env !== null ? repo.evaluatedThrough(env) : null);
        if (through !== null && t - through > GAP_MS) runCatchUp(through, t);
      }
      lastLiveAt = t;
      if (env !== null && t - lastCheckpoint >= CHECKPOINT_MS) {
        lastCheckpoint = t;
        repo.setEvaluatedThrough(env, t);
      }
      if (source !== 'stream' || mine.length === 0) return watchChanged;
      const r = engine.observePrices(
        mine.map((k) => ({ symbol: k.symbol, last: k.last, open: k.open, at: t, fresh: true })),
        t,
      );
      persist(r.changed, r.fired);
      return watchChanged;
    },

    observeTotal(quote, total, fresh) {
      const r = engine.observeTotal({ quote, total, at: now(), fresh }, now());
      persist(r.changed, r.fired);
    },

    setKlineSource(source) {
      klineSource = source;
    },

    observeOrder({ order, previous, source }) {
      // Only what the exchange reported as it happened; a snapshot or query catch-up of an
      // order Perch already knew about is not news.
      if (source !== 'event' || (previous?.status === order.status && previous.executedQty === order.executedQty)) return;
      const what = `${order.side === 'BUY' ? 'Buy' : 'Sell'} ${order.symbol}`;
      const amounts = deps.privacy() ? '' : ` ${groupDecimal(order.executedQty)} of ${groupDecimal(order.origQty)}`;
      let title: string | null = null;
      if (order.status === 'FILLED') {
        title = 'Order filled';
        partials.delete(order.orderId);
      } else if (order.status === 'PARTIALLY_FILLED') {
        // One banner per order a minute at most, none for a market order (it is done in a moment):
        // an order filling against many small orders must not flood the screen.
        const last = partials.get(order.orderId);
        if (order.type === 'MARKET' || (last !== undefined && now() - last < PARTIAL_FILL_QUIET_MS)) return;
        partials.set(order.orderId, now());
        for (const k of partials.keys()) {
          if (partials.size <= 200) break;
          partials.delete(k);
        }
        title = 'Order partially filled';
      } else if (order.status === 'EXPIRED' || order.status === 'EXPIRED_IN_MATCH') title = 'Order expired';
      else if (order.status === 'CANCELED') title = 'Order canceled';
      if (title === null) return;
      const message = deps.privacy() ? `${title}: ${what}` : `${title}: ${what},${amounts} filled`;
      logAccount(`order:${order.orderId}:${order.status}:${order.executedQty}`, order.symbol, 'order', title, message, 'orders');
    },

    observeOrderOutcome(code, message, eventId) {
      const titles: Record<string, string> = {
        'order-rejected': 'Order rejected',
        'order-not-placed': 'Order probably not placed',
        'order-placed-after-all': 'Order placed after all',
      };
      const title = titles[code];
      if (title === undefined) return;
      // The outcome text names amounts; in privacy mode only the title goes out.
      const ruleId = eventId !== undefined && eventId.length <= 56 ? `outcome:${eventId}` : `outcome:${code}`;
      logAccount(ruleId, '', 'order', title, deps.privacy() ? title : message, 'orders');
    },

    observeKeyHealth(health) {
      const at = health.tradingAuthorityExpiresAt;
      if (at === null || env === null || health.spotTrading !== true) return;
      const id = `key-lapse:${health.environment}:${at}`;
      // A flag, not a look through the log: the log fills up with price alerts. A warning logged
      // by a Perch that kept no flag yet counts too (and gets its flag).
      if (repo.flagged(id)) return;
      if (repo.log(env, 200).some((e) => e.ruleId === id)) {
        repo.setFlag(id);
        return;
      }
      const when = clockText(at, now(), offsetMinutes);
      const ended = at <= now();
      logAccount(
        id,
        '',
        'account',
        ended ? 'Trading permission ended' : 'Trading permission ends soon',
        ended
          ? `Binance ended the trading permission of this key at ${when}. Restrict the key to your IP address in API Management and enable trading again.`
          : `Binance ends the trading permission of this key at ${when}. Restrict the key to your IP address in API Management to keep it.`,
        'settings',
      );
      repo.setFlag(id);
    },

    idle: () => catchUp,
  };
}
