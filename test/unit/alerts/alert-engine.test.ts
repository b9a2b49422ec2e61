/**
 * The alert engine on a fake clock: examples for each kind, then properties over random price
 * paths (fresh and stale steps, random time steps): no alert fires twice within its cooldown,
 * hysteresis holds, quiet hours suppress the banner but not the log, stale prices never fire.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAlertEngine, type FiredAlert, type PriceObservation } from '../../../src/main/alerts/engine';
import { defaultAlertSettings, type AlertRule } from '../../../src/shared/domain/alerts';
import { Decimal } from '../../../src/shared/money';

const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);
const utc = (): number => 0;

function rule(over: Partial<AlertRule> = {}): AlertRule {
  return {
    id: 'r1',
    environment: 'demo',
    kind: 'price-above',
    symbol: 'BTCUSDT',
    level: '70000',
    direction: 'either',
    windowMs: 3_600_000,
    repeat: false,
    cooldownMs: 0,
    rearmPercent: '0.5',
    note: '',
    paused: false,
    createdAt: T0,
    done: false,
    lastFiredAt: null,
    ...over,
  };
}

const px = (last: string, at: number, fresh = true, open?: string): PriceObservation => ({
  symbol: 'BTCUSDT',
  last,
  at,
  fresh,
  ...(open !== undefined ? { open } : {}),
});

describe('alert engine examples', () => {
  it('a crossing above fires once for a one-shot rule, with the level and price grouped', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule()]);
    expect(e.observePrices([px('69999.99', T0)], T0).fired).toHaveLength(0);
    const r = e.observePrices([px('70000.01000000', T0 + 1000)], T0 + 1000);
    expect(r.fired.map((f) => f.message)).toEqual(['BTCUSDT crossed above 70,000 (now 70,000.01)']);
    expect(r.changed.get('r1')).toEqual({ armed: false, done: true, lastFiredAt: T0 + 1000 });
    expect(e.observePrices([px('69000', T0 + 2000)], T0 + 2000).fired).toHaveLength(0);
    expect(e.observePrices([px('71000', T0 + 3000)], T0 + 3000).fired).toHaveLength(0);
  });

  it('price-below and a note', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ kind: 'price-below', level: '60000', note: 'buy more' })]);
    expect(e.observePrices([px('59999', T0)], T0).fired[0]?.message).toBe('BTCUSDT crossed below 60,000 (now 59,999) — buy more');
  });

  it('a stale price waits: it neither fires nor disarms; the next fresh price fires', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule()]);
    expect(e.observePrices([px('71000', T0, false)], T0).fired).toHaveLength(0);
    // fresh flag but older than the age limit
    expect(e.observePrices([px('71000', T0)], T0 + 11 * 60_000).fired).toHaveLength(0);
    expect(e.observePrices([px('71000', T0 + 12 * 60_000)], T0 + 12 * 60_000).fired).toHaveLength(1);
  });

  it('24 h change beyond -5 % (down) fires with the signed percent', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ kind: 'change-24h', level: '5', direction: 'down' })]);
    expect(e.observePrices([px('96', T0, true, '100')], T0).fired).toHaveLength(0);
    expect(e.observePrices([px('95', T0 + 1, true, '100')], T0 + 1).fired[0]?.message).toBe('BTCUSDT changed -5 % in 24 h');
  });

  it('an "either way" change says which way it went', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ kind: 'change-24h', level: '5', direction: 'either' })]);
    expect(e.observePrices([px('94', T0, true, '100')], T0).fired[0]?.message).toBe('BTCUSDT changed -6 % in 24 h');
  });

  it('change within a window measures from the window low, and forgets what left the window', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ kind: 'change-window', level: '5', direction: 'up', windowMs: 3_600_000 })]);
    e.observePrices([px('100', T0)], T0);
    expect(e.observePrices([px('104', T0 + 30 * 60_000)], T0 + 30 * 60_000).fired).toHaveLength(0);
    // 100 left the window: the low is now 104, so 106 is +1.9 %
    expect(e.observePrices([px('106', T0 + 61 * 60_000)], T0 + 61 * 60_000).fired).toHaveLength(0);
    expect(e.observePrices([px('109.2', T0 + 62 * 60_000)], T0 + 62 * 60_000).fired[0]?.message).toBe('BTCUSDT moved +5 % within 1 h');
  });

  it('portfolio total crossing uses only fresh totals', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ kind: 'portfolio-above', symbol: 'USDT', level: '10000' })]);
    expect(e.observeTotal({ quote: 'USDT', total: '12000', at: T0, fresh: false }, T0).fired).toHaveLength(0);
    expect(e.observeTotal({ quote: 'USDT', total: '12000.123', at: T0, fresh: true }, T0).fired[0]?.message).toBe(
      'Portfolio rose above 10,000 USDT (now 12,000.12 USDT)',
    );
    expect(e.symbols().size).toBe(0);
  });

  it('quiet hours across midnight and a pause: logged without banner or sound', () => {
    const e = createAlertEngine({ offsetMinutes: () => 60 });
    e.setRules([rule({ repeat: true, rearmPercent: '0' })]);
    const s = { ...defaultAlertSettings(), quietHours: { enabled: true, start: 22 * 60, end: 7 * 60 } };
    e.setSettings(s);
    const night = Date.UTC(2026, 11, 4, 23, 30); // 00:30 at UTC+1
    const f = e.observePrices([px('70001', night)], night).fired[0];
    expect(f).toMatchObject({ banner: false, sound: false });
    e.observePrices([px('69000', night + 1)], night + 1);
    const day = Date.UTC(2026, 11, 5, 8, 0);
    expect(e.observePrices([px('70001', day)], day).fired[0]).toMatchObject({ banner: true, sound: true });
    e.setSettings({ ...s, pausedUntil: day + 3_600_000 });
    e.observePrices([px('69000', day + 1)], day + 1);
    expect(e.observePrices([px('70001', day + 2)], day + 2).fired[0]).toMatchObject({ banner: false });
  });

  it('catch-up reports a night of crossings once, at the first crossing, with its date when not today', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ repeat: true, rearmPercent: '1' })]);
    e.observePrices([px('69000', T0)], T0);
    const night = Date.UTC(2026, 11, 5, 3, 12);
    const klines = [
      { openTime: night - 60_000, high: '69500', low: '69000', close: '69400' },
      { openTime: night, high: '70100', low: '69900', close: '70050' },
      { openTime: night + 60_000, high: '70050', low: '68000', close: '68500' },
      { openTime: night + 120_000, high: '70500', low: '68500', close: '69000' },
    ];
    const r = e.catchUp('BTCUSDT', klines, night + 3_600_000);
    expect(r.fired.map((f) => f.message)).toEqual(['While you were away: BTCUSDT crossed 70,000 between 03:12 and 03:13']);
    expect(r.fired[0]?.catchUp).toBe(true);
    expect(e.catchUp('BTCUSDT', klines.slice(0, 2), Date.UTC(2026, 11, 6, 9)).fired.map((f) => f.message)).toEqual([]);
    const e2 = createAlertEngine({ offsetMinutes: utc });
    e2.setRules([rule()]);
    expect(e2.catchUp('BTCUSDT', klines, Date.UTC(2026, 11, 6, 9)).fired[0]?.message).toBe(
      'While you were away: BTCUSDT crossed 70,000 between 5 Dec 03:12 and 03:13',
    );
  });

  it('catch-up replays a change within a window from the klines, once', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ kind: 'change-window', level: '5', direction: 'up', windowMs: 3_600_000, repeat: true, rearmPercent: '1' })]);
    const t = Date.UTC(2026, 11, 4, 3, 0);
    const k = (min: number, low: string, high: string) => ({ openTime: t + min * 60_000, low, high, close: low });
    const klines = [
      k(0, '100', '101'),
      k(30, '100', '103'),
      k(50, '103', '105.5'),
      k(55, '104', '105'),
      k(200, '100', '101'),
      k(220, '100', '106'),
    ];
    const r = e.catchUp('BTCUSDT', klines, t + 5 * 3_600_000);
    expect(r.fired.map((f) => f.message)).toEqual(['While you were away: BTCUSDT moved +5.5 % within 1 h between 03:50 and 03:51']);
    // 90 minutes apart: outside the window, so no move of 5 % within it
    const quiet = createAlertEngine({ offsetMinutes: utc });
    quiet.setRules([rule({ kind: 'change-window', level: '5', direction: 'up', windowMs: 3_600_000 })]);
    expect(quiet.catchUp('BTCUSDT', [k(0, '100', '100'), k(90, '105', '106')], t + 5 * 3_600_000).fired).toEqual([]);
  });

  it('a rule restored with its runtime (after a restart) does not fire again for the same crossing', () => {
    const e = createAlertEngine({ offsetMinutes: utc });
    e.setRules([rule({ repeat: true })]);
    const rt = e.observePrices([px('70500', T0)], T0).changed.get('r1');
    expect(rt?.armed).toBe(false);
    const restarted = createAlertEngine({ offsetMinutes: utc });
    restarted.setRules([rule({ repeat: true, lastFiredAt: rt?.lastFiredAt ?? null })], new Map([['r1', rt!]]));
    expect(restarted.observePrices([px('70600', T0 + 5000)], T0 + 5000).fired).toHaveLength(0);
  });
});

// ---------------------------------------------------------------- properties

interface StepSpec {
  dtMs: number;
  move: number;
  fresh: boolean;
}
const stepArb = fc.record({
  dtMs: fc.integer({ min: 1, max: 20 * 60_000 }),
  // basis points away from the level: the price jumps around it, so paths cross often
  move: fc.integer({ min: -300, max: 300 }),
  fresh: fc.boolean(),
});
const ruleArb = fc.record({
  kind: fc.constantFrom('price-above' as const, 'price-below' as const),
  repeat: fc.boolean(),
  cooldownMs: fc.integer({ min: 0, max: 60 * 60_000 }),
  rearmPercent: fc.constantFrom('0', '0.5', '1', '2'),
  quietStart: fc.integer({ min: 0, max: 1439 }),
  quietEnd: fc.integer({ min: 0, max: 1439 }),
});

interface Run {
  fired: FiredAlert[];
  path: Array<{ at: number; price: Decimal; fresh: boolean }>;
  quiet: boolean[];
}

type RuleSpec = typeof ruleArb extends fc.Arbitrary<infer T> ? T : never;

function simulate(r: RuleSpec, steps: StepSpec[]): Run {
  const e = createAlertEngine({ offsetMinutes: utc });
  e.setRules([rule({ kind: r.kind, repeat: r.repeat, cooldownMs: r.cooldownMs, rearmPercent: r.rearmPercent, level: '100' })]);
  e.setSettings({ ...defaultAlertSettings(), quietHours: { enabled: true, start: r.quietStart, end: r.quietEnd } });
  let t = T0;
  const run: Run = { fired: [], path: [], quiet: [] };
  for (const s of steps) {
    t += s.dtMs;
    const price = new Decimal(100).plus(new Decimal(s.move).div(100));
    run.path.push({ at: t, price, fresh: s.fresh });
    run.fired.push(...e.observePrices([px(price.toFixed(), t, s.fresh)], t).fired);
  }
  return run;
}

describe('alert engine properties (fake clock)', () => {
  const steps = fc.array(stepArb, { minLength: 1, maxLength: 80 });

  it('no alert fires twice within its cooldown; a one-shot fires at most once', () => {
    let repeatedFires = 0;
    fc.assert(
      fc.property(ruleArb, steps, (r, s) => {
        const { fired } = simulate(r, s);
        if (!r.repeat) expect(fired.length).toBeLessThanOrEqual(1);
        for (let i = 1; i < fired.length; i++) expect(fired[i]!.at - fired[i - 1]!.at).toBeGreaterThanOrEqual(r.cooldownMs);
        if (fired.length >= 2 && r.cooldownMs > 0) repeatedFires++;
      }),
      { numRuns: 1000 },
    );
    // the property saw repeating rules fire more than once with a cooldown in force
    expect(repeatedFires).toBeGreaterThan(20);
  });

  it('hysteresis: between two fires a fresh price went back past the re-arm level', () => {
    let checked = 0;
    fc.assert(
      fc.property(ruleArb, steps, (r, s) => {
        const { fired, path } = simulate({ ...r, repeat: true }, s);
        const margin = new Decimal(r.rearmPercent).div(100);
        const rearm = r.kind === 'price-above' ? new Decimal(100).times(Decimal.sub(1, margin)) : new Decimal(100).times(margin.plus(1));
        for (let i = 1; i < fired.length; i++) {
          const between = path.filter((p) => p.at > fired[i - 1]!.at && p.at < fired[i]!.at && p.fresh);
          const wentBack = between.some((p) => (r.kind === 'price-above' ? p.price.lte(rearm) : p.price.gte(rearm)));
          expect(wentBack).toBe(true);
          checked++;
        }
      }),
      { numRuns: 800 },
    );
    expect(checked).toBeGreaterThan(50);
  });

  it('quiet hours suppress the banner and sound but never the log entry', () => {
    let quietFires = 0;
    let loudFires = 0;
    fc.assert(
      fc.property(ruleArb, steps, (r, s) => {
        const withQuiet = simulate(r, s);
        // the same path with quiet hours off fires the very same alerts: quiet hours only mute
        const without = simulate({ ...r, quietStart: 0, quietEnd: 0 }, s);
        expect(withQuiet.fired.map((f) => f.at)).toEqual(without.fired.map((f) => f.at));
        for (const f of withQuiet.fired) {
          const minute = Math.floor(f.at / 60_000) % 1440;
          const q =
            r.quietStart === r.quietEnd
              ? false
              : r.quietStart < r.quietEnd
                ? minute >= r.quietStart && minute < r.quietEnd
                : minute >= r.quietStart || minute < r.quietEnd;
          expect(f.banner).toBe(!q);
          if (!f.banner) expect(f.sound).toBe(false);
          if (q) quietFires++;
          else loudFires++;
        }
      }),
      { numRuns: 400 },
    );
    expect(quietFires).toBeGreaterThan(20);
    expect(loudFires).toBeGreaterThan(20);
  });

  it('stale prices never fire: every fire is at a fresh observation that meets the level', () => {
    let firesAfterStale = 0;
    fc.assert(
      fc.property(ruleArb, steps, (r, s) => {
        const { fired, path } = simulate(r, s);
        for (const f of fired) {
          const i = path.findIndex((p) => p.at === f.at);
          const p = path[i]!;
          expect(p.fresh).toBe(true);
          expect(r.kind === 'price-above' ? p.price.gte(100) : p.price.lte(100)).toBe(true);
          if (i > 0 && !path[i - 1]!.fresh) firesAfterStale++;
        }
        // a path of only stale prices never fires
        const allStale = simulate(
          r,
          s.map((x) => ({ ...x, fresh: false })),
        );
        expect(allStale.fired).toHaveLength(0);
      }),
      { numRuns: 400 },
    );
    expect(firesAfterStale).toBeGreaterThan(20);
  });
});
