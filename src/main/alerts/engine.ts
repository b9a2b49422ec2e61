// Over 500 lines on purpose: every rule kind runs through one arming, hysteresis, cooldown, quiet-hours and catch-up state machine.
/**
 * The alert engine: pure (no I/O, no timers, the time comes in with every call), so it is tested
 * on a fake clock. The core feeds it every coalesced price update and the portfolio total; it
 * answers which alerts fire and which rule states changed (the core persists those, so a crossing
 * that fired before a restart never fires again after it).
 *
 * Every kind reduces to one number compared with a threshold:
 *  - price-above / price-below: the last price against the level;
 *  - change-24h: the rolling 24 h change in percent (open of the window to last);
 *  - change-window: the move within the window in percent (from the window's low up, from its
 *    high down), kept in monotonic queues so an update costs O(1);
 *  - portfolio-above / portfolio-below: the portfolio total.
 * A rule is armed until it fires. A one-shot rule is then done. A repeating rule re-arms only once
 * the value moved back past the level by `rearmPercent` (hysteresis), and fires again no sooner
 * than `cooldownMs` after the last time.
 *
 * Stale data never fires, never arms and never disarms: the rule waits for a fresh value.
 */
import { Decimal } from '../../shared/money';
import type { AlertKind, AlertRule, AlertSettings } from '../../shared/domain/alerts';
import { clockText, groupDecimal, signedPercent } from './format';

/** What can change about a rule while it runs (persisted by the core). */
export interface RuleRuntime {
  readonly armed: boolean;
  readonly done: boolean;
  readonly lastFiredAt: number | null;
}

export interface PriceObservation {
  readonly symbol: string;
  readonly last: string;
  /** open of the rolling 24 h window, when known */
  readonly open?: string;
  /** when this price was confirmed (local clock) */
  readonly at: number;
  /** false while the market feed is not live or the price is marked stale */
  readonly fresh: boolean;
}

export interface TotalObservation {
  readonly quote: string;
  readonly total: string;
  readonly at: number;
  /** false when any figure in the total is stale or still missing */
  readonly fresh: boolean;
}

export interface FiredAlert {
  readonly ruleId: string;
  readonly symbol: string;
  readonly kind: AlertKind;
  readonly at: number;
  /** the value that fired (price, total or percent) */
  readonly value: string;
  readonly title: string;
  readonly message: string;
  /** false in quiet hours or while alerts are paused: logged, no banner and no sound */
  readonly banner: boolean;
  readonly sound: boolean;
  readonly catchUp: boolean;
}

export interface EngineResult {
  readonly fired: readonly FiredAlert[];
  /** rules whose runtime changed (to persist) */
  readonly changed: ReadonlyMap<string, RuleRuntime>;
}

export interface Kline {
  readonly openTime: number;
  readonly high: string;
  readonly low: string;
  readonly close: string;
}

export interface AlertEngineOptions {
  /** the local UTC offset at t in minutes, for quiet hours and message times */
  readonly offsetMinutes: (t: number) => number;
  /** a price older than this is stale whatever the feed says */
  readonly maxAgeMs?: number;
}

export interface AlertEngine {
  /**
   * Replace the rule set (keeps the runtime and price windows of rules that stay). `runtimes`:
   * what was persisted before a restart, for rules this engine does not know yet.
   */
  setRules(rules: readonly AlertRule[], runtimes?: ReadonlyMap<string, RuleRuntime>): void;
  setSettings(settings: AlertSettings): void;
  observePrices(observations: Iterable<PriceObservation>, now: number): EngineResult;
  observeTotal(observation: TotalObservation, now: number): EngineResult;
  /**
   * The klines of a gap (sleep, offline, a restart) for one symbol: each crossing rule on it that
   * would have fired is reported once ("While you were away: …"), and its runtime follows what
   * the klines show. Only the price crossing kinds are replayed. `intervalMs`: the candles'
   * length; a crossing is known only to lie within its candle, so the report names that span.
   */
  catchUp(symbol: string, klines: readonly Kline[], now: number, intervalMs?: number): EngineResult;
  /** Symbols that have an active rule (they are watched on the market streams). */
  symbols(): ReadonlySet<string>;
  runtime(ruleId: string): RuleRuntime | undefined;
}

const DEFAULT_MAX_AGE_MS = 10 * 60_000;
const HUNDRED = new Decimal(100);

interface Entry {
  rule: AlertRule;
  level: Decimal;
  /** the value at which a fired repeating rule re-arms */
  rearm: Decimal;
  /** the same as floats, only to skip values that are clearly far from both (see `surelyNothing`) */
  levelN: number;
  rearmN: number;
  above: boolean;
  /** change-window rules: the symbol's price window (shared by rules with the same span) */
  win: PriceWindow | undefined;
  /** "either way" change rules: whether the last move compared was a rise (for the message) */
  rose: boolean;
  rt: RuleRuntime;
}

/**
 * Monotonic min/max queues over the window of one symbol (change-window rules). Ordered by the
 * float of each price (exchange prices have far fewer than 15 significant digits, so the order is
 * exact); the decimal text is kept for the exact comparison.
 */
interface Sample {
  t: number;
  n: number;
  s: string;
}
interface PriceWindow {
  windowMs: number;
  min: Sample[];
  max: Sample[];
}

function pushWindow(w: PriceWindow, t: number, n: number, s: string): void {
  const sample = { t, n, s };
  while (w.min.length > 0 && w.min[w.min.length - 1]!.n >= n) w.min.pop();
  w.min.push(sample);
  while (w.max.length > 0 && w.max[w.max.length - 1]!.n <= n) w.max.pop();
  w.max.push(sample);
  const from = t - w.windowMs;
  while (w.min.length > 0 && w.min[0]!.t < from) w.min.shift();
  while (w.max.length > 0 && w.max[0]!.t < from) w.max.shift();
}

export function isQuietAt(settings: AlertSettings, t: number, offsetMinutes: (t: number) => number): boolean {
  const q = settings.quietHours;
  if (!q.enabled || q.start === q.end) return false;
  const minute = ((Math.floor((t + offsetMinutes(t) * 60_000) / 60_000) % 1440) + 1440) % 1440;
  return q.start < q.end ? minute >= q.start && minute < q.end : minute >= q.start || minute < q.end;
}

/**
 * Above-type rules fire when the value reaches the level from below. The change kinds compare a
 * move in their direction as a positive number (a fall of 5 % is 5 for "down"), so all are above.
 */
function isAbove(kind: AlertKind): boolean {
  return kind !== 'price-below' && kind !== 'portfolio-below';
}

function rearmLevel(rule: AlertRule, level: Decimal): Decimal {
  const margin = new Decimal(rule.rearmPercent);
  if (rule.kind === 'change-24h' || rule.kind === 'change-window') {
    // percentage points below the threshold
    return level.minus(margin);
  }
  const f = margin.div(HUNDRED);
  return isAbove(rule.kind) ? level.times(Decimal.sub(1, f)) : level.times(f.plus(1));
}

const KIND_WORDS: Readonly<Record<AlertKind, string>> = {
  'price-above': 'crossed above',
  'price-below': 'crossed below',
  'change-window': 'moved',
  'change-24h': 'changed',
  'portfolio-above': 'rose above',
  'portfolio-below': 'fell below',
};

function windowText(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`;
}

export function createAlertEngine(opts: AlertEngineOptions): AlertEngine {
  const maxAgeMs = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const bySymbol = new Map<string, Entry[]>();
  const byId = new Map<string, Entry>();
  const windows = new Map<string, PriceWindow>();
  let settings: AlertSettings | null = null;

  const build = (rule: AlertRule, prev: Entry | undefined, saved: RuleRuntime | undefined): Entry => {
    const level = new Decimal(rule.level);
    const sameCondition =
      prev !== undefined &&
      prev.rule.level === rule.level &&
      prev.rule.kind === rule.kind &&
      prev.rule.symbol === rule.symbol &&
      prev.rule.direction === rule.direction &&
      prev.rule.windowMs === rule.windowMs;
    // An edited level or kind is a new condition: armed again (unless a one-shot already fired).
    const rt: RuleRuntime = sameCondition
      ? prev.rt
      : prev === undefined && saved !== undefined
        ? saved
        : { armed: !rule.done, done: rule.done, lastFiredAt: rule.lastFiredAt };
    const rearm = rearmLevel(rule, level);
    return {
      rule,
      level,
      rearm,
      levelN: level.toNumber(),
      rearmN: rearm.toNumber(),
      above: isAbove(rule.kind),
      win: undefined,
      rose: true,
      rt,
    };
  };

  /**
   * The hot path: with hundreds of rules against every frame, most values are nowhere near a
   * level. A float says so cheaply; only a value within a hair of the level or the re-arm point
   * (or beyond it) goes through the exact decimal comparison in `step`.
   */
  const surelyNothing = (e: Entry, v: number): boolean => {
    if (e.rt.done) return true;
    if (!Number.isFinite(v)) return false;
    if (e.rt.armed) {
      const tol = Math.abs(e.levelN) * 1e-9 + 1e-9;
      return e.above ? v < e.levelN - tol : v > e.levelN + tol;
    }
    const tol = Math.abs(e.rearmN) * 1e-9 + 1e-9;
    return e.above ? v > e.rearmN + tol : v < e.rearmN - tol;
  };

  /** The float twin of `changeValue`, or null when it cannot be computed. */
  const changeValueN = (e: Entry, o: PriceObservation, last: number): number | null => {
    let up: number;
    let down: number;
    if (e.rule.kind === 'change-24h') {
      if (o.open === undefined) return null;
      const open = Number(o.open);
      if (!(open > 0)) return null;
      up = ((last - open) / open) * 100;
      down = up;
    } else {
      const w = e.win;
      const lo = w?.min[0]?.n;
      const hi = w?.max[0]?.n;
      if (lo === undefined || hi === undefined || !(lo > 0) || !(hi > 0)) return null;
      up = ((last - lo) / lo) * 100;
      down = ((last - hi) / hi) * 100;
    }
    if (e.rule.direction === 'up') return up;
    if (e.rule.direction === 'down') return -down;
    return Math.max(up, -down);
  };

  const active = (e: Entry): boolean => !e.rule.paused && !e.rt.done;

  const delivery = (t: number): { banner: boolean; sound: boolean } => {
    const s = settings;
    if (s === null) return { banner: true, sound: true };
    const paused = s.pausedUntil !== null && t < s.pausedUntil;
    const banner = s.notifications && !paused && !isQuietAt(s, t, opts.offsetMinutes);
    return { banner, sound: banner && s.sound };
  };

  /**
   * One fresh value for one rule: the whole state machine. `firedAt` is when the crossing happened
   * (the observation, or a kline's open time in a catch-up); cooldown counts from it.
   */
  const step = (e: Entry, value: Decimal, firedAt: number): RuleRuntime | null => {
    const above = isAbove(e.rule.kind);
    const rt = e.rt;
    if (rt.done) return null;
    if (!rt.armed) {
      const back = above ? value.lte(e.rearm) : value.gte(e.rearm);
      if (back) return { ...rt, armed: true };
      return null;
    }
    const hit = above ? value.gte(e.level) : value.lte(e.level);
    if (!hit) return null;
    if (rt.lastFiredAt !== null && firedAt - rt.lastFiredAt < e.rule.cooldownMs) return null;
    return { armed: false, done: !e.rule.repeat, lastFiredAt: firedAt };
  };

  /** Where a caught-up crossing lies: somewhere within its candle, not at the candle's open. */
  const spanText = (at: number, now: number, intervalMs: number): string => {
    const end = Math.min(at + intervalMs, now);
    const from = clockText(at, now, opts.offsetMinutes);
    const to = clockText(end, now, opts.offsetMinutes);
    // the same date is not said twice: "between 5 Dec 03:10 and 03:15"
    const sameDate = from.includes(' ') && to.includes(' ') && from.slice(0, from.lastIndexOf(' ')) === to.slice(0, to.lastIndexOf(' '));
    return `between ${from} and ${sameDate ? to.slice(to.lastIndexOf(' ') + 1) : to}`;
  };

  const describe = (e: Entry, value: Decimal, at: number, now: number, catchUp: boolean, intervalMs = 60_000): FiredAlert => {
    const r = e.rule;
    let title: string;
    let what: string;
    if (r.kind === 'price-above' || r.kind === 'price-below') {
      title = `${r.symbol} ${KIND_WORDS[r.kind]} ${groupDecimal(r.level)}`;
      what = catchUp
        ? `${r.symbol} crossed ${groupDecimal(r.level)} ${spanText(at, now, intervalMs)}`
        : `${title} (now ${groupDecimal(value.toFixed())})`;
    } else if (r.kind === 'portfolio-above' || r.kind === 'portfolio-below') {
      title = `Portfolio ${KIND_WORDS[r.kind]} ${groupDecimal(r.level)} ${r.symbol}`;
      what = `${title} (now ${groupDecimal(value.toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed())} ${r.symbol})`;
    } else {
      const span = r.kind === 'change-24h' ? 'in 24 h' : `within ${windowText(r.windowMs)}`;
      const shown = r.direction === 'down' || (r.direction === 'either' && !e.rose) ? value.neg() : value;
      title = `${r.symbol} ${KIND_WORDS[r.kind]} ${signedPercent(shown.toFixed())} ${span}`;
      what = catchUp ? `${title} ${spanText(at, now, intervalMs)}` : title;
    }
    const note = r.note.trim() === '' ? '' : ` — ${r.note.trim()}`;
    const d = delivery(now);
    return {
      ruleId: r.id,
      symbol: r.symbol,
      kind: r.kind,
      at,
      value: value.toFixed(),
      title: catchUp ? 'While you were away' : title,
      message: `${catchUp ? 'While you were away: ' : ''}${what}${note}`,
      banner: d.banner,
      sound: d.sound,
      catchUp,
    };
  };

  /** The number a change rule compares, or null when it cannot be computed yet. */
  const changeValue = (e: Entry, o: PriceObservation, last: Decimal): Decimal | null => {
    let up: Decimal;
    let down: Decimal;
    if (e.rule.kind === 'change-24h') {
      if (o.open === undefined) return null;
      const open = new Decimal(o.open);
      if (open.isZero()) return null;
      up = last.minus(open).div(open).times(HUNDRED);
      down = up;
    } else {
      const w = e.win;
      const loS = w?.min[0]?.s;
      const hiS = w?.max[0]?.s;
      if (loS === undefined || hiS === undefined) return null;
      const lo = new Decimal(loS);
      const hi = new Decimal(hiS);
      if (lo.isZero() || hi.isZero()) return null;
      up = last.minus(lo).div(lo).times(HUNDRED);
      down = last.minus(hi).div(hi).times(HUNDRED);
    }
    if (e.rule.direction === 'up') return up;
    // "down" compares the fall as a positive number, so both directions share one rule shape
    if (e.rule.direction === 'down') return down.neg();
    e.rose = up.gte(down.neg());
    return Decimal.max(up, down.neg());
  };

  /**
   * A change within a window, replayed over klines: each candle's high is measured from the
   * lowest low of the earlier candles in the window (its low from their highest high). Moves inside
   * one candle are not counted: their order is unknown.
   */
  const catchUpWindow = (e: Entry, klines: readonly Kline[]): { first: { at: number; value: Decimal } | null } | null => {
    let first: { at: number; value: Decimal } | null = null;
    let touched = false;
    const lows = klines.map((k) => new Decimal(k.low));
    const highs = klines.map((k) => new Decimal(k.high));
    for (let i = 0; i < klines.length; i++) {
      const k = klines[i]!;
      if (e.rt.lastFiredAt !== null && k.openTime <= e.rt.lastFiredAt) continue;
      let lo: Decimal | null = null;
      let hi: Decimal | null = null;
      for (let j = i - 1; j >= 0 && klines[j]!.openTime >= k.openTime - e.rule.windowMs; j--) {
        const l = lows[j]!;
        const h = highs[j]!;
        lo = lo === null || l.lt(lo) ? l : lo;
        hi = hi === null || h.gt(hi) ? h : hi;
      }
      if (lo === null || hi === null || lo.isZero() || hi.isZero()) continue;
      const up = highs[i]!.minus(lo).div(lo).times(HUNDRED);
      const down = lows[i]!.minus(hi).div(hi).times(HUNDRED).neg();
      const value = e.rule.direction === 'up' ? up : e.rule.direction === 'down' ? down : Decimal.max(up, down);
      if (e.rule.direction === 'either') e.rose = up.gte(down);
      const next = step(e, value, k.openTime);
      if (next === null) continue;
      if (next.lastFiredAt !== e.rt.lastFiredAt && first === null) first = { at: k.openTime, value };
      e.rt = next;
      touched = true;
    }
    return touched ? { first } : null;
  };

  const apply = (
    e: Entry,
    next: RuleRuntime | null,
    value: Decimal,
    at: number,
    now: number,
    catchUp: boolean,
    fired: FiredAlert[],
    changed: Map<string, RuleRuntime>,
  ): void => {
    if (next === null) return;
    const didFire = next.lastFiredAt !== e.rt.lastFiredAt;
    e.rt = next;
    changed.set(e.rule.id, next);
    if (didFire) fired.push(describe(e, value, at, now, catchUp));
  };

  return {
    setRules(rules, runtimes) {
      const prev = new Map(byId);
      bySymbol.clear();
      byId.clear();
      for (const rule of rules) {
        const e = build(rule, prev.get(rule.id), runtimes?.get(rule.id));
        byId.set(rule.id, e);
        const key = rule.kind === 'portfolio-above' || rule.kind === 'portfolio-below' ? `@total:${rule.symbol}` : rule.symbol;
        const list = bySymbol.get(key);
        if (list === undefined) bySymbol.set(key, [e]);
        else list.push(e);
      }
      const wanted = new Set(
        [...byId.values()].filter((e) => e.rule.kind === 'change-window').map((e) => `${e.rule.symbol}|${e.rule.windowMs}`),
      );
      for (const k of [...windows.keys()]) if (!wanted.has(k)) windows.delete(k);
      for (const k of wanted) {
        if (!windows.has(k)) windows.set(k, { windowMs: Number(k.split('|')[1]), min: [], max: [] });
      }
      for (const e of byId.values()) {
        if (e.rule.kind === 'change-window') e.win = windows.get(`${e.rule.symbol}|${e.rule.windowMs}`);
      }
    },

    setSettings(s) {
      settings = s;
    },

    observePrices(observations, now) {
      const fired: FiredAlert[] = [];
      const changed = new Map<string, RuleRuntime>();
      for (const o of observations) {
        const list = bySymbol.get(o.symbol);
        if (list === undefined) continue;
        // Stale: the rule waits (no firing, no arming, no window sample).
        if (!o.fresh || now - o.at > maxAgeMs) continue;
        const lastN = Number(o.last);
        let lastD: Decimal | null = null;
        for (const e of list) {
          const w = e.win;
          if (w !== undefined && (w.max.length === 0 || w.max[w.max.length - 1]!.t !== o.at)) pushWindow(w, o.at, lastN, o.last);
        }
        for (const e of list) {
          if (!active(e)) continue;
          const isPrice = e.rule.kind === 'price-above' || e.rule.kind === 'price-below';
          const fast = isPrice ? lastN : changeValueN(e, o, lastN);
          if (fast !== null && surelyNothing(e, fast)) continue;
          lastD ??= new Decimal(o.last);
          const value = isPrice ? lastD : changeValue(e, o, lastD);
          if (value === null) continue;
          apply(e, step(e, value, o.at), value, o.at, now, false, fired, changed);
        }
      }
      return { fired, changed };
    },

    observeTotal(o, now) {
      const fired: FiredAlert[] = [];
      const changed = new Map<string, RuleRuntime>();
      const list = bySymbol.get(`@total:${o.quote}`);
      if (list === undefined || !o.fresh || now - o.at > maxAgeMs) return { fired, changed };
      const total = new Decimal(o.total);
      for (const e of list) {
        if (active(e)) apply(e, step(e, total, o.at), total, o.at, now, false, fired, changed);
      }
      return { fired, changed };
    },

    catchUp(symbol, klines, now, intervalMs = 60_000) {
      const fired: FiredAlert[] = [];
      const changed = new Map<string, RuleRuntime>();
      const list = bySymbol.get(symbol) ?? [];
      for (const e of list) {
        if (active(e) && e.rule.kind === 'change-window') {
          const r = catchUpWindow(e, klines);
          if (r !== null) {
            changed.set(e.rule.id, e.rt);
            if (r.first !== null) fired.push(describe(e, r.first.value, r.first.at, now, true, intervalMs));
          }
          continue;
        }
        if (!active(e) || (e.rule.kind !== 'price-above' && e.rule.kind !== 'price-below')) continue;
        const above = e.rule.kind === 'price-above';
        let first: { at: number; value: Decimal } | null = null;
        for (const k of klines) {
          // A gap replayed twice (a retry, a restart mid catch-up) reports nothing it already did.
          if (e.rt.lastFiredAt !== null && k.openTime <= e.rt.lastFiredAt) continue;
          // Within one candle the order of high and low is unknown: the crossing side first (it
          // is what a person asked about), then the way back.
          const toward = new Decimal(above ? k.high : k.low);
          const back = new Decimal(above ? k.low : k.high);
          for (const v of [toward, back]) {
            const next = step(e, v, k.openTime);
            if (next === null) continue;
            if (next.lastFiredAt !== e.rt.lastFiredAt && first === null) first = { at: k.openTime, value: e.level };
            e.rt = next;
            changed.set(e.rule.id, next);
          }
        }
        // Reported once, at the first crossing, however often it went back and forth.
        if (first !== null) fired.push(describe(e, first.value, first.at, now, true, intervalMs));
      }
      return { fired, changed };
    },

    symbols() {
      const out = new Set<string>();
      for (const e of byId.values()) {
        if (active(e) && !e.rule.kind.startsWith('portfolio')) out.add(e.rule.symbol);
      }
      return out;
    },

    runtime: (id) => byId.get(id)?.rt,
  };
}
