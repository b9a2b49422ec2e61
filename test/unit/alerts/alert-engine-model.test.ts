/**
 * The alert engine against a plain model of what it promises (module comment of engine.ts): every
 * kind that compares live prices, several rules on one symbol at once, random paths on a grid that
 * lands exactly on levels and re-arm points, stale and aged observations. The model has no float
 * pre-filter and no monotonic queues: it recomputes each window's low and high from every sample,
 * so a fast path that skips a value it should not have (or a queue that keeps the wrong end) shows
 * up as a firing that differs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAlertEngine, type FiredAlert } from '../../../src/main/alerts/engine';
import { groupDecimal, signedPercent } from '../../../src/main/alerts/format';
import type { AlertKind, AlertRule, ChangeDirection } from '../../../src/shared/domain/alerts';
import { Decimal } from '../../../src/shared/money';

const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);
const MAX_AGE = 10 * 60_000;
const HUNDRED = new Decimal(100);

interface Obs {
  readonly at: number;
  readonly now: number;
  readonly last: string;
  readonly open?: string;
  readonly fresh: boolean;
}

interface Expected {
  readonly at: number;
  readonly value: string;
  readonly message: string;
}

function windowWords(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`;
}

/** What the engine's module comment says, computed the slow way. */
function model(rule: AlertRule, path: readonly Obs[]): Expected[] {
  const level = new Decimal(rule.level);
  const margin = new Decimal(rule.rearmPercent);
  const change = rule.kind === 'change-24h' || rule.kind === 'change-window';
  const above = rule.kind !== 'price-below' && rule.kind !== 'portfolio-below';
  const rearm = change
    ? level.minus(margin)
    : above
      ? level.times(Decimal.sub(1, margin.div(HUNDRED)))
      : level.times(margin.div(HUNDRED).plus(1));
  let armed = true;
  let done = false;
  let lastFiredAt: number | null = null;
  const samples: Array<{ t: number; p: Decimal }> = [];
  const out: Expected[] = [];
  for (const o of path) {
    if (!o.fresh || o.now - o.at > MAX_AGE) continue;
    const last = new Decimal(o.last);
    samples.push({ t: o.at, p: last });
    if (done || rule.paused) continue;
    let value: Decimal | null = null;
    let rose = true;
    if (!change) value = last;
    else {
      let up: Decimal | null = null;
      let down: Decimal | null = null;
      if (rule.kind === 'change-24h') {
        if (o.open !== undefined && !new Decimal(o.open).isZero()) {
          const open = new Decimal(o.open);
          up = last.minus(open).div(open).times(HUNDRED);
          down = up;
        }
      } else {
        const inWindow = samples.filter((s) => s.t >= o.at - rule.windowMs).map((s) => s.p);
        const lo = Decimal.min(...inWindow);
        const hi = Decimal.max(...inWindow);
        up = last.minus(lo).div(lo).times(HUNDRED);
        down = last.minus(hi).div(hi).times(HUNDRED);
      }
      if (up !== null && down !== null) {
        if (rule.direction === 'up') value = up;
        else if (rule.direction === 'down') value = down.neg();
        else {
          rose = up.gte(down.neg());
          value = Decimal.max(up, down.neg());
        }
      }
    }
    if (value === null) continue;
    if (!armed) {
      if (above ? value.lte(rearm) : value.gte(rearm)) armed = true;
      continue;
    }
    if (!(above ? value.gte(level) : value.lte(level))) continue;
    if (lastFiredAt !== null && o.at - lastFiredAt < rule.cooldownMs) continue;
    armed = false;
    done = !rule.repeat;
    lastFiredAt = o.at;
    let message: string;
    if (!change)
      message = `${rule.symbol} crossed ${above ? 'above' : 'below'} ${groupDecimal(rule.level)} (now ${groupDecimal(value.toFixed())})`;
    else {
      const shown = rule.direction === 'down' || (rule.direction === 'either' && !rose) ? value.neg() : value;
      const span = rule.kind === 'change-24h' ? 'in 24 h' : `within ${windowWords(rule.windowMs)}`;
      message = `${rule.symbol} ${rule.kind === 'change-24h' ? 'changed' : 'moved'} ${signedPercent(shown.toFixed())} ${span}`;
    }
    out.push({ at: o.at, value: value.toFixed(), message });
  }
  return out;
}

const kindArb = fc.constantFrom<AlertKind>('price-above', 'price-below', 'change-24h', 'change-window');
const ruleArb = fc.record({
  kind: kindArb,
  direction: fc.constantFrom<ChangeDirection>('up', 'down', 'either'),
  windowMs: fc.constantFrom(5 * 60_000, 90 * 60_000, 3_600_000, 2 * 3_600_000),
  repeat: fc.boolean(),
  cooldownMs: fc.constantFrom(0, 60_000, 10 * 60_000),
  rearmPercent: fc.constantFrom('0', '0.5', '1'),
  // price levels on the grid below (so paths land on them exactly), percents for the change kinds
  priceLevel: fc.constantFrom('99', '100', '100.5', '101.25'),
  changeLevel: fc.constantFrom('0.5', '1', '2', '2.5'),
});

function toRule(id: string, r: typeof ruleArb extends fc.Arbitrary<infer T> ? T : never): AlertRule {
  const change = r.kind === 'change-24h' || r.kind === 'change-window';
  return {
    id,
    environment: 'demo',
    kind: r.kind,
    symbol: 'BTCUSDT',
    level: change ? r.changeLevel : r.priceLevel,
    direction: r.direction,
    windowMs: r.windowMs,
    repeat: r.repeat,
    cooldownMs: r.cooldownMs,
    rearmPercent: r.rearmPercent,
    note: '',
    paused: false,
    createdAt: T0,
    done: false,
    lastFiredAt: null,
  };
}

// Prices on a 0.25 grid around 100 (97 .. 103): exact hits of the levels, of their re-arm points and of whole percents.
const stepArb = fc.record({
  dtMs: fc.constantFrom(1, 30_000, 60_000, 5 * 60_000, 29 * 60_000, 61 * 60_000),
  ticks: fc.integer({ min: -12, max: 12 }),
  // the 24 h open: the same grid, sometimes missing
  openTicks: fc.option(fc.integer({ min: -8, max: 8 }), { nil: undefined }),
  fresh: fc.integer({ min: 0, max: 4 }).map((n) => n > 0),
  // how old the observation is when evaluated: at the age limit is fresh, past it is stale
  lagMs: fc.constantFrom(0, 0, 0, 1_000, MAX_AGE, MAX_AGE + 1),
});

function buildPath(steps: ReadonlyArray<typeof stepArb extends fc.Arbitrary<infer T> ? T : never>): Obs[] {
  let t = T0;
  return steps.map((s) => {
    t += s.dtMs;
    const last = new Decimal(100).plus(new Decimal(s.ticks).div(4)).toFixed();
    const open = s.openTicks === undefined ? undefined : new Decimal(100).plus(new Decimal(s.openTicks).div(4)).toFixed();
    return { at: t, now: t + s.lagMs, last, ...(open !== undefined ? { open } : {}), fresh: s.fresh };
  });
}

function runEngine(rules: readonly AlertRule[], path: readonly Obs[]): Map<string, FiredAlert[]> {
  const e = createAlertEngine({ offsetMinutes: () => 0 });
  e.setRules(rules);
  const out = new Map<string, FiredAlert[]>(rules.map((r) => [r.id, []]));
  for (const o of path) {
    const r = e.observePrices(
      [{ symbol: 'BTCUSDT', last: o.last, at: o.at, fresh: o.fresh, ...(o.open !== undefined ? { open: o.open } : {}) }],
      o.now,
    );
    for (const f of r.fired) out.get(f.ruleId)?.push(f);
    // every changed runtime is the engine's own
    for (const [id, rt] of r.changed) expect(e.runtime(id)).toEqual(rt);
  }
  return out;
}

describe('alert engine against its model (random paths on a grid)', () => {
  it('fires exactly what the model fires, at the same times, values and words, with up to three rules on one symbol', () => {
    let fired = 0;
    const byKind = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 3 }), fc.array(stepArb, { minLength: 1, maxLength: 60 }), (specs, steps) => {
        const rules = specs.map((s, i) => toRule(`r${i}`, s));
        const path = buildPath(steps);
        const got = runEngine(rules, path);
        for (const rule of rules) {
          const want = model(rule, path);
          const have = (got.get(rule.id) ?? []).map((f) => ({ at: f.at, value: f.value, message: f.message }));
          expect(have, `${rule.kind} ${rule.direction} level ${rule.level} window ${rule.windowMs}`).toEqual(want);
          fired += want.length;
          byKind.set(`${rule.kind}:${rule.direction}`, (byKind.get(`${rule.kind}:${rule.direction}`) ?? 0) + want.length);
        }
      }),
      { numRuns: 600, seed: 20261205 },
    );
    // the paths did reach the levels: every kind and direction fired many times
    expect(fired).toBeGreaterThan(500);
    for (const k of ['change-24h', 'change-window'])
      for (const d of ['up', 'down', 'either']) expect(byKind.get(`${k}:${d}`) ?? 0, `${k} ${d}`).toBeGreaterThan(10);
  });
});
