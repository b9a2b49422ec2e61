/**
 * The alert engine's edges, one example each: boundaries (the age limit, the cooldown, quiet hours
 * and pauses at their first and last minute), rule edits and restores, the catch-up of a gap for
 * each kind it replays, and what `symbols()` and `runtime()` answer.
 */
import { describe, expect, it } from 'vitest';
import { createAlertEngine, isQuietAt, type PriceObservation } from '../../../src/main/alerts/engine';
import { defaultAlertSettings, type AlertRule } from '../../../src/shared/domain/alerts';

const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);
const utc = (): number => 0;

function rule(over: Partial<AlertRule> = {}): AlertRule {
  return {
    id: 'r1',
    environment: 'demo',
    kind: 'price-above',
    symbol: 'BTCUSDT',
    level: '100',
    direction: 'either',
    windowMs: 3_600_000,
    repeat: false,
    cooldownMs: 0,
    rearmPercent: '1',
    note: '',
    paused: false,
    createdAt: T0,
    done: false,
    lastFiredAt: null,
    ...over,
  };
}

const px = (last: string, at: number, symbol = 'BTCUSDT', open?: string): PriceObservation => ({
  symbol,
  last,
  at,
  fresh: true,
  ...(open !== undefined ? { open } : {}),
});

const fires = (e: ReturnType<typeof createAlertEngine>, last: string, at: number, now = at): string[] =>
  e.observePrices([px(last, at)], now).fired.map((f) => f.ruleId);

describe('alert engine edges: time limits', () => {
  it('a price exactly at the age limit (10 minutes) still counts; one millisecond older does not', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule()]);
    expect(fires(e, '101', T0, T0 + 10 * 60_000 + 1)).toEqual([]);
    expect(fires(e, '101', T0 + 1, T0 + 1 + 10 * 60_000)).toEqual(['r1']);
  });

  it('a total exactly at the age limit counts, an older or stale one does not', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ kind: 'portfolio-above', symbol: 'USDT', level: '1000' })]);
    expect(e.observeTotal({ quote: 'USDT', total: '2000', at: T0, fresh: true }, T0 + 10 * 60_000 + 1).fired).toEqual([]);
    expect(e.observeTotal({ quote: 'EUR', total: '2000', at: T0, fresh: true }, T0).fired).toEqual([]);
    expect(e.observeTotal({ quote: 'USDT', total: '2000', at: T0, fresh: true }, T0 + 10 * 60_000).fired).toHaveLength(1);
  });

  it('a repeating alert fires again exactly when its cooldown is over, not a millisecond before', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ repeat: true, cooldownMs: 60_000, rearmPercent: '0' })]);
    expect(fires(e, '100', T0)).toEqual(['r1']);
    expect(fires(e, '99', T0 + 1)).toEqual([]);
    expect(fires(e, '100', T0 + 59_999)).toEqual([]);
    // still armed (the cooldown held it back): it fires as soon as the cooldown is over
    expect(fires(e, '100', T0 + 60_000)).toEqual(['r1']);
  });

  it('a custom age limit applies', () => {
    const e = createAlertEngine({ offsetMinutes: utc, maxAgeMs: 1_000 });
    e.setRules([rule()]);
    expect(fires(e, '101', T0, T0 + 1_001)).toEqual([]);
    expect(fires(e, '101', T0 + 1, T0 + 1_001)).toEqual(['r1']);
  });
});

describe('alert engine edges: quiet hours and pauses', () => {
  const quiet = (start: number, end: number) => ({ ...defaultAlertSettings(), quietHours: { enabled: true, start, end } });
  const at = (h: number, m: number): number => Date.UTC(2026, 11, 4, h, m);

  it('quiet hours start at their first minute and end at their last (local time, from the offset)', () => {
    const s = quiet(22 * 60, 7 * 60);
    const plus2 = (): number => 120;
    // 20:00 UTC is 22:00 at UTC+2: quiet; 19:59 UTC is 21:59 there: not
    expect(isQuietAt(s, at(20, 0), plus2)).toBe(true);
    expect(isQuietAt(s, at(19, 59), plus2)).toBe(false);
    // 05:00 UTC is 07:00 at UTC+2: over; 04:59 UTC is 06:59: quiet
    expect(isQuietAt(s, at(5, 0), plus2)).toBe(false);
    expect(isQuietAt(s, at(4, 59), plus2)).toBe(true);
    // within a day: 12:00 to 13:00
    const noon = quiet(12 * 60, 13 * 60);
    expect(isQuietAt(noon, at(12, 0), utc)).toBe(true);
    expect(isQuietAt(noon, at(12, 59), utc)).toBe(true);
    expect(isQuietAt(noon, at(13, 0), utc)).toBe(false);
    expect(isQuietAt(noon, at(11, 59), utc)).toBe(false);
    // off, or start equal to end: never quiet
    expect(isQuietAt({ ...noon, quietHours: { enabled: false, start: 0, end: 1439 } }, at(12, 0), utc)).toBe(false);
    expect(isQuietAt(quiet(600, 600), at(10, 0), utc)).toBe(false);
  });

  it('without settings a firing has banner and sound; a pause that is over mutes nothing; at its end it is over', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ repeat: true, rearmPercent: '0' })]);
    expect(e.observePrices([px('101', T0)], T0).fired[0]).toMatchObject({ banner: true, sound: true });
    e.setSettings({ ...defaultAlertSettings(), pausedUntil: T0 + 10 });
    e.observePrices([px('99', T0 + 1)], T0 + 1);
    expect(e.observePrices([px('101', T0 + 10)], T0 + 10).fired[0]).toMatchObject({ banner: true, sound: true });
    e.setSettings({ ...defaultAlertSettings(), pausedUntil: T0 + 21, sound: false });
    e.observePrices([px('99', T0 + 11)], T0 + 11);
    expect(e.observePrices([px('101', T0 + 20)], T0 + 20).fired[0]).toMatchObject({ banner: false, sound: false });
    e.setSettings({ ...defaultAlertSettings(), sound: false });
    e.observePrices([px('99', T0 + 21)], T0 + 21);
    expect(e.observePrices([px('101', T0 + 30)], T0 + 30).fired[0]).toMatchObject({ banner: true, sound: false });
  });
});

describe('alert engine edges: levels, re-arming, paused rules', () => {
  it('a price exactly at the level fires, for both directions', () => {
    const up = createAlertEngine({ offsetMinutes: utc });
    up.setRules([rule({ level: '100' })]);
    expect(fires(up, '100.00000000', T0)).toEqual(['r1']);
    const down = createAlertEngine({ offsetMinutes: utc });
    down.setRules([rule({ kind: 'price-below', level: '100' })]);
    expect(fires(down, '100', T0)).toEqual(['r1']);
  });

  it('a hair short of the re-arm point does not re-arm; exactly at it does', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ repeat: true, rearmPercent: '1' })]);
    expect(fires(e, '100', T0)).toEqual(['r1']);
    expect(fires(e, '99.00000001', T0 + 1)).toEqual([]);
    expect(fires(e, '100', T0 + 2)).toEqual([]);
    expect(e.runtime('r1')?.armed).toBe(false);
    expect(fires(e, '99', T0 + 3)).toEqual([]);
    expect(e.runtime('r1')?.armed).toBe(true);
    expect(fires(e, '100', T0 + 4)).toEqual(['r1']);
    const below = createAlertEngine({ offsetMinutes: utc });
    below.setRules([rule({ kind: 'price-below', repeat: true, rearmPercent: '1' })]);
    expect(fires(below, '100', T0)).toEqual(['r1']);
    expect(fires(below, '100.99999999', T0 + 1)).toEqual([]);
    expect(below.runtime('r1')?.armed).toBe(false);
    expect(fires(below, '101', T0 + 2)).toEqual([]);
    expect(below.runtime('r1')?.armed).toBe(true);
  });

  it('a change alert re-arms by percentage points, not by a percent of its level', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ kind: 'change-24h', level: '5', direction: 'up', repeat: true, rearmPercent: '1' })]);
    expect(e.observePrices([px('105', T0, 'BTCUSDT', '100')], T0).fired).toHaveLength(1);
    // +4.5 %: back by 0.5 points only (a percent of the level would be 4.95)
    e.observePrices([px('104.5', T0 + 1, 'BTCUSDT', '100')], T0 + 1);
    expect(e.runtime('r1')?.armed).toBe(false);
    e.observePrices([px('104', T0 + 2, 'BTCUSDT', '100')], T0 + 2);
    expect(e.runtime('r1')?.armed).toBe(true);
  });

  it('a 24 h change without an open, or with an open of zero, waits (no firing, no error)', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ kind: 'change-24h', level: '5', direction: 'up' })]);
    expect(e.observePrices([px('200', T0)], T0).fired).toEqual([]);
    expect(e.observePrices([px('200', T0 + 1, 'BTCUSDT', '0')], T0 + 1).fired).toEqual([]);
    expect(e.observePrices([px('200', T0 + 2, 'BTCUSDT', '100')], T0 + 2).fired).toHaveLength(1);
  });

  it('a paused rule never fires and is not watched; its price and total kinds alike', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ paused: true }), rule({ id: 'p', kind: 'portfolio-above', symbol: 'USDT', level: '10', paused: true })]);
    expect(fires(e, '150', T0)).toEqual([]);
    expect(e.observeTotal({ quote: 'USDT', total: '20', at: T0, fresh: true }, T0).fired).toEqual([]);
    expect([...e.symbols()]).toEqual([]);
  });

  it('portfolio alerts are not market symbols to watch; price alerts are until they are done', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule(), rule({ id: 'p', kind: 'portfolio-below', symbol: 'USDT', level: '10' })]);
    expect([...e.symbols()]).toEqual(['BTCUSDT']);
    expect(e.observeTotal({ quote: 'USDT', total: '10', at: T0, fresh: true }, T0).fired.map((f) => f.message)).toEqual([
      'Portfolio fell below 10 USDT (now 10 USDT)',
    ]);
    fires(e, '100', T0);
    expect([...e.symbols()]).toEqual([]);
  });

  it('a note is trimmed; a blank note adds nothing', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ note: '  take profit  ' }), rule({ id: 'r2', level: '100', note: '   ' })]);
    expect(e.observePrices([px('100', T0)], T0).fired.map((f) => f.message)).toEqual([
      'BTCUSDT crossed above 100 (now 100) — take profit',
      'BTCUSDT crossed above 100 (now 100)',
    ]);
  });
});

describe('alert engine edges: rule sets', () => {
  it('two rules on one symbol both fire; a rule taken out no longer fires or is watched', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule(), rule({ id: 'r2', level: '101' }), rule({ id: 'eth', symbol: 'ETHUSDT', level: '10' })]);
    expect(fires(e, '101', T0)).toEqual(['r1', 'r2']);
    e.setRules([rule({ id: 'r3', level: '102' })]);
    expect([...e.symbols()]).toEqual(['BTCUSDT']);
    expect(e.observePrices([px('11', T0 + 1, 'ETHUSDT')], T0 + 1).fired).toEqual([]);
    expect(e.runtime('eth')).toBeUndefined();
  });

  it('the same rule set again keeps what fired; an edited level, kind, symbol, direction or window is a new condition', () => {
    const base = rule({ kind: 'change-24h', level: '5', direction: 'up', repeat: true });
    const edits: Array<Partial<AlertRule>> = [
      { level: '4' },
      { kind: 'change-window' },
      { symbol: 'ETHUSDT' },
      { direction: 'either' },
      { windowMs: 7_200_000 },
    ];
    for (const edit of edits) {
      const e = createAlertEngine({ offsetMinutes: utc });
      e.setRules([base]);
      e.observePrices([px('106', T0, 'BTCUSDT', '100')], T0);
      expect(e.runtime('r1')).toEqual({ armed: false, done: false, lastFiredAt: T0 });
      e.setRules([{ ...base, note: 'renamed' }]);
      expect(e.runtime('r1')).toEqual({ armed: false, done: false, lastFiredAt: T0 });
      e.setRules([{ ...base, ...edit }]);
      expect(e.runtime('r1'), JSON.stringify(edit)).toEqual({ armed: true, done: false, lastFiredAt: null });
    }
  });

  it('a restored runtime is used for a rule the engine does not know yet, never over one it knows', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    const saved = { armed: false, done: false, lastFiredAt: T0 - 1 };
    e.setRules([rule({ repeat: true })], new Map([['r1', saved]]));
    expect(e.runtime('r1')).toEqual(saved);
    expect(fires(e, '150', T0)).toEqual([]);
    e.setRules([rule({ repeat: true })], new Map([['r1', { armed: true, done: false, lastFiredAt: null }]]));
    expect(e.runtime('r1')).toEqual(saved);
  });

  it('a change window is kept while a rule uses it, and starts empty when it was dropped', () => {
    const w = rule({ kind: 'change-window', level: '5', direction: 'up' });
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([w]);
    e.observePrices([px('100', T0)], T0);
    // another rule joins: the window (low 100) stays
    e.setRules([w, rule({ id: 'other', level: '1000' })]);
    expect(fires(e, '105', T0 + 60_000)).toEqual(['r1']);
    // dropped and added again: the old low is gone, so 106 is no move at all
    const again = rule({ id: 'r2', kind: 'change-window', level: '5', direction: 'up' });
    e.setRules([]);
    e.observePrices([px('100', T0 + 120_000)], T0 + 120_000);
    e.setRules([again]);
    expect(fires(e, '106', T0 + 180_000)).toEqual([]);
  });

  it('an edited condition starts armed even when a saved runtime is handed in with it', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ repeat: true })]);
    fires(e, '101', T0);
    e.setRules([rule({ repeat: true, level: '105' })], new Map([['r1', { armed: false, done: true, lastFiredAt: T0 }]]));
    expect(e.runtime('r1')).toEqual({ armed: true, done: false, lastFiredAt: null });
  });

  it('a window dropped while a price alert on the same symbol stays is still dropped', () => {
    const price = rule({ id: 'p', level: '1000' });
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([price, rule({ kind: 'change-window', level: '5', direction: 'up' })]);
    e.observePrices([px('100', T0)], T0);
    e.setRules([price]);
    e.setRules([price, rule({ id: 'r2', kind: 'change-window', level: '5', direction: 'up' })]);
    expect(fires(e, '106', T0 + 60_000)).toEqual([]);
  });

  it('a zero price in a window is no base for a move (no firing, no error)', () => {
    const up = createAlertEngine({ offsetMinutes: utc });
    up.setRules([rule({ kind: 'change-window', level: '5', direction: 'up' })]);
    fires(up, '0', T0);
    expect(fires(up, '5', T0 + 1)).toEqual([]);
    const down = createAlertEngine({ offsetMinutes: utc });
    down.setRules([rule({ kind: 'change-window', level: '5', direction: 'down' })]);
    fires(down, '0', T0);
    expect(fires(down, '5', T0 + 1)).toEqual([]);
  });

  it('a change level below 1 % fires at exactly its level and re-arms at exactly its re-arm point', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ kind: 'change-24h', level: '0.5', direction: 'up', repeat: true, rearmPercent: '0' })]);
    const at = (last: string, t: number) => e.observePrices([px(last, t, 'BTCUSDT', '100')], t).fired.length;
    expect(at('100.5', T0)).toBe(1);
    // +0.5 % again: back at the re-arm point (0.5 - 0 points), so armed; the next one fires
    expect(at('100.5', T0 + 1)).toBe(0);
    expect(e.runtime('r1')?.armed).toBe(true);
    expect(at('100.5', T0 + 2)).toBe(1);
  });

  it('runtime() answers for known rules only', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule()]);
    expect(e.runtime('r1')).toEqual({ armed: true, done: false, lastFiredAt: null });
    expect(e.runtime('nope')).toBeUndefined();
  });
});

describe('alert engine edges: catch-up', () => {
  const k = (openTime: number, low: string, high: string) => ({ openTime, low, high, close: low });

  it('nothing to replay for a symbol without rules, for a paused rule or a 24 h change rule', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    expect(e.catchUp('ETHUSDT', [k(T0, '1', '1000')], T0 + 3_600_000)).toEqual({ fired: [], changed: new Map() });
    e.setRules([rule({ paused: true }), rule({ id: 'c', kind: 'change-24h', level: '1', direction: 'up' })]);
    const r = e.catchUp('BTCUSDT', [k(T0, '1', '1000')], T0 + 3_600_000);
    expect(r.fired).toEqual([]);
    expect(r.changed.size).toBe(0);
  });

  it('a price-below crossing in a gap, and its runtime reported to persist', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ kind: 'price-below', level: '100' })]);
    const r = e.catchUp('BTCUSDT', [k(T0, '101', '102'), k(T0 + 60_000, '99', '101')], T0 + 3_600_000);
    expect(r.fired.map((f) => [f.title, f.message, f.value, f.catchUp])).toEqual([
      ['While you were away', 'While you were away: BTCUSDT crossed 100 between 12:01 and 12:02', '100', true],
    ]);
    expect(r.changed.get('r1')).toEqual({ armed: false, done: true, lastFiredAt: T0 + 60_000 });
  });

  it('is reported at the first crossing, even when the gap began with a re-arm', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ repeat: true, rearmPercent: '1' })]);
    fires(e, '100', T0);
    const r = e.catchUp(
      'BTCUSDT',
      [k(T0 + 60_000, '98', '99'), k(T0 + 120_000, '99', '100'), k(T0 + 180_000, '98', '101')],
      T0 + 3_600_000,
    );
    expect(r.fired.map((f) => f.message)).toEqual(['While you were away: BTCUSDT crossed 100 between 12:02 and 12:03']);
    // a re-arm alone (no crossing) is persisted but reports nothing
    const f = createAlertEngine({ offsetMinutes: utc });
    f.setRules([rule({ repeat: true, rearmPercent: '1' })]);
    fires(f, '100', T0);
    const only = f.catchUp('BTCUSDT', [k(T0 + 60_000, '98', '99')], T0 + 3_600_000);
    expect(only.fired).toEqual([]);
    expect(only.changed.get('r1')).toEqual({ armed: true, done: false, lastFiredAt: T0 });
  });

  it('candles up to the last firing are skipped (the one it fired in too); the next one counts', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    // armed, re-arm point 99: the candle of the last firing, replayed, would disarm it without a word
    e.setRules([rule({ repeat: true, rearmPercent: '1' })], new Map([['r1', { armed: true, done: false, lastFiredAt: T0 + 60_000 }]]));
    expect(e.catchUp('BTCUSDT', [k(T0, '99.5', '101'), k(T0 + 60_000, '99.5', '101')], T0 + 3_600_000)).toEqual({
      fired: [],
      changed: new Map(),
    });
    expect(e.runtime('r1')).toEqual({ armed: true, done: false, lastFiredAt: T0 + 60_000 });
    expect(e.catchUp('BTCUSDT', [k(T0 + 60_001, '99.5', '101')], T0 + 3_600_000).fired).toHaveLength(1);
  });

  it('within one candle the crossing side comes first: a disarmed rule re-arms on the way back, it does not fire', () => {
    for (const [kind, low, high] of [
      ['price-above', '98', '101'],
      ['price-below', '99', '102'],
    ] as const) {
      const e = createAlertEngine({ offsetMinutes: utc });
      e.setRules([rule({ kind, repeat: true, rearmPercent: '1' })], new Map([['r1', { armed: false, done: false, lastFiredAt: T0 }]]));
      const r = e.catchUp('BTCUSDT', [k(T0 + 60_000, low, high)], T0 + 3_600_000);
      expect(r.fired, kind).toEqual([]);
      expect(r.changed.get('r1'), kind).toEqual({ armed: true, done: false, lastFiredAt: T0 });
    }
  });

  it('a span across midnight names both dates; a span from yesterday into today names the first only', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ repeat: true, rearmPercent: '0' })]);
    const late = Date.UTC(2026, 11, 4, 23, 55);
    const r = e.catchUp('BTCUSDT', [k(late, '99', '101')], Date.UTC(2026, 11, 6, 9), 10 * 60_000);
    expect(r.fired[0]?.message).toBe('While you were away: BTCUSDT crossed 100 between 4 Dec 23:55 and 5 Dec 00:05');
    e.observePrices([px('99', late + 60_000)], late + 60_000);
    const s = e.catchUp('BTCUSDT', [k(late + 3 * 60_000, '99', '101')], Date.UTC(2026, 11, 5, 9), 10 * 60_000);
    expect(s.fired[0]?.message).toBe('While you were away: BTCUSDT crossed 100 between 4 Dec 23:58 and 00:08');
    e.observePrices([px('99', late + 30 * 60_000)], late + 30 * 60_000);
    const t = e.catchUp('BTCUSDT', [k(Date.UTC(2026, 11, 5, 8, 55), '99', '101')], Date.UTC(2026, 11, 5, 9), 10 * 60_000);
    // the span ends at now, not past it
    expect(t.fired[0]?.message).toBe('While you were away: BTCUSDT crossed 100 between 08:55 and 09:00');
  });

  it('a change within a window replayed downwards and either way, from the earlier candles of the window only', () => {
    const t = Date.UTC(2026, 11, 4, 3, 0);
    const down = createAlertEngine({ offsetMinutes: utc });
    down.setRules([rule({ kind: 'change-window', level: '5', direction: 'down', windowMs: 3_600_000 })]);
    // the high of 100 was exactly one window before: it counts
    const r = down.catchUp('BTCUSDT', [k(t, '99', '100'), k(t + 3_600_000, '95', '99')], t + 5 * 3_600_000);
    expect(r.fired.map((f) => f.message)).toEqual(['While you were away: BTCUSDT moved -5 % within 1 h between 04:00 and 04:01']);
    expect(r.changed.get('r1')).toEqual({ armed: false, done: true, lastFiredAt: t + 3_600_000 });
    const either = createAlertEngine({ offsetMinutes: utc });
    either.setRules([rule({ kind: 'change-window', level: '5', direction: 'either', windowMs: 3_600_000 })]);
    expect(either.catchUp('BTCUSDT', [k(t, '99', '100'), k(t + 60_000, '94', '99')], t + 5 * 3_600_000).fired[0]?.message).toBe(
      'While you were away: BTCUSDT moved -6 % within 1 h between 03:01 and 03:02',
    );
    const rise = createAlertEngine({ offsetMinutes: utc });
    rise.setRules([rule({ kind: 'change-window', level: '5', direction: 'either', windowMs: 3_600_000 })]);
    expect(rise.catchUp('BTCUSDT', [k(t, '100', '101'), k(t + 60_000, '99', '107')], t + 5 * 3_600_000).fired[0]?.message).toBe(
      'While you were away: BTCUSDT moved +7 % within 1 h between 03:01 and 03:02',
    );
    // a candle with no earlier candle in its window is not a move; one past the window is not either
    const none = createAlertEngine({ offsetMinutes: utc });
    none.setRules([rule({ kind: 'change-window', level: '5', direction: 'up', windowMs: 3_600_000 })]);
    expect(none.catchUp('BTCUSDT', [k(t, '50', '200'), k(t + 3_600_001, '100', '200')], t + 5 * 3_600_000).fired).toEqual([]);
  });

  it('a window replay measures from the lowest low and the highest high of the earlier candles', () => {
    const t = Date.UTC(2026, 11, 4, 3, 0);
    const up = createAlertEngine({ offsetMinutes: utc });
    up.setRules([rule({ kind: 'change-window', level: '5', direction: 'up', windowMs: 3_600_000 })]);
    // lows 100 then 96: +5.2 % from 96 (from the earliest low, 100, it would be +1 %)
    expect(
      up.catchUp('BTCUSDT', [k(t, '100', '100'), k(t + 60_000, '96', '97'), k(t + 120_000, '100', '101')], t + 3_600_000).fired,
    ).toHaveLength(1);
    const down = createAlertEngine({ offsetMinutes: utc });
    down.setRules([rule({ kind: 'change-window', level: '5', direction: 'down', windowMs: 3_600_000 })]);
    // highs 100 then 104: -5.3 % from 104
    expect(
      down.catchUp('BTCUSDT', [k(t, '100', '100'), k(t + 60_000, '103', '104'), k(t + 120_000, '98.5', '99')], t + 3_600_000).fired,
    ).toHaveLength(1);
    // a rise of 10 % is no fall: a "down" rule stays quiet
    const quiet = createAlertEngine({ offsetMinutes: utc });
    quiet.setRules([rule({ kind: 'change-window', level: '5', direction: 'down', windowMs: 3_600_000 })]);
    expect(quiet.catchUp('BTCUSDT', [k(t, '100', '100'), k(t + 60_000, '99', '110')], t + 3_600_000).fired).toEqual([]);
  });

  it('a window replay that fires twice reports the first time', () => {
    const t = Date.UTC(2026, 11, 4, 3, 0);
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ kind: 'change-window', level: '5', direction: 'up', windowMs: 3_600_000, repeat: true, rearmPercent: '1' })]);
    const r = e.catchUp(
      'BTCUSDT',
      [k(t, '100', '100'), k(t + 60_000, '100', '106'), k(t + 120_000, '100', '101'), k(t + 180_000, '100', '107')],
      t + 3_600_000,
    );
    expect(r.fired.map((f) => f.message)).toEqual(['While you were away: BTCUSDT moved +6 % within 1 h between 03:01 and 03:02']);
    expect(r.changed.get('r1')).toEqual({ armed: false, done: false, lastFiredAt: t + 180_000 });
  });

  it('a window replay skips the candle of the last firing (replayed, it would disarm the rule without a word)', () => {
    const t = Date.UTC(2026, 11, 4, 3, 0);
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules(
      [rule({ kind: 'change-window', level: '5', direction: 'up', windowMs: 3_600_000, repeat: true, rearmPercent: '1' })],
      new Map([['r1', { armed: true, done: false, lastFiredAt: t + 60_000 }]]),
    );
    const r = e.catchUp('BTCUSDT', [k(t, '100', '100'), k(t + 60_000, '100', '106'), k(t + 120_000, '103', '106')], t + 3_600_000);
    expect(r.fired.map((f) => f.at)).toEqual([t + 120_000]);
  });

  it('a window replay skips candles up to the last firing and reports a re-arm without a firing as a change only', () => {
    const t = Date.UTC(2026, 11, 4, 3, 0);
    const e = createAlertEngine({ offsetMinutes: utc });
    const w = rule({ kind: 'change-window', level: '5', direction: 'up', windowMs: 3_600_000, repeat: true, rearmPercent: '1' });
    e.setRules([w], new Map([['r1', { armed: false, done: false, lastFiredAt: t + 60_000 }]]));
    const r = e.catchUp('BTCUSDT', [k(t, '100', '100'), k(t + 60_000, '100', '110'), k(t + 120_000, '100', '101')], t + 3_600_000);
    expect(r.fired).toEqual([]);
    // the third candle: +1 % from the low, back below the re-arm point of 4 %
    expect(r.changed.get('r1')).toEqual({ armed: true, done: false, lastFiredAt: t + 60_000 });
    const q = e.catchUp('BTCUSDT', [k(t + 60_000, '100', '110')], t + 3_600_000);
    expect(q).toEqual({ fired: [], changed: new Map() });
  });
});
