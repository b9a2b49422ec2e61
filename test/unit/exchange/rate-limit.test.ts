import { describe, expect, it } from 'vitest';
import { ExchangeError } from '../../../src/main/exchange/errors';
import { createRateLimitGovernor } from '../../../src/main/exchange/rate-limit';

function refused(fn: () => void): ExchangeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ExchangeError) return e;
    throw e;
  }
  throw new Error('expected the governor to refuse');
}

const T0 = 1_700_000_080_000; // 40 s into a minute
const get = (priority: 'critical' | 'normal' | 'optional', weight = 1) => ({ method: 'GET', path: '/api/v3/account', weight, priority });

describe('rate-limit governor (B5)', () => {
  it('tracks X-MBX-USED-WEIGHT-1M and order counts', () => {
    let now = T0;
    const g = createRateLimitGovernor({ now: () => now });
    g.observe(200, { 'X-MBX-USED-WEIGHT-1M': '120', 'X-MBX-ORDER-COUNT-10S': '2', 'X-MBX-ORDER-COUNT-1D': '40' });
    expect(g.weightUsed()).toBe(120);
    expect(g.state().orderCounts).toEqual({ '10S': 2, '1D': 40 });
    g.admit(get('normal', 20));
    expect(g.weightUsed()).toBe(140);
    now += 25_000; // next minute bucket
    expect(g.weightUsed()).toBe(0);
  });

  it('refuses optional first (80 %), then normal (95 %), critical only past the limit', () => {
    const g = createRateLimitGovernor({ now: () => T0, weightLimit: 1000 });
    g.observe(200, { 'x-mbx-used-weight-1m': '790' });
    g.admit(get('optional', 10)); // 800: at the line, allowed
    const e = refused(() => g.admit(get('optional', 1)));
    expect(e.kind).toBe('rate-limited');
    expect(e.retryAfterMs).toBe(20_000);
    expect(e.message).toMatch(/optional/);
    g.admit(get('normal', 150)); // 950
    expect(refused(() => g.admit(get('normal', 1))).kind).toBe('rate-limited');
    g.admit(get('critical', 50)); // 1000
    expect(refused(() => g.admit(get('critical', 1))).kind).toBe('rate-limited');
  });

  it('honours setLimits from exchangeInfo', () => {
    const g = createRateLimitGovernor({ now: () => T0 });
    g.setLimits([
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 100 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 },
    ]);
    expect(g.state().weightLimit).toBe(100);
    g.observe(200, { 'x-mbx-used-weight-1m': '81' });
    expect(() => g.admit(get('optional'))).toThrow(ExchangeError);
  });

  it('429 Retry-After blocks every request until it has passed', () => {
    let now = T0;
    const g = createRateLimitGovernor({ now: () => now });
    g.observe(429, { 'Retry-After': '7', 'x-mbx-used-weight-1m': '6001' });
    for (const p of ['critical', 'normal', 'optional'] as const) {
      const e = refused(() => g.admit(get(p)));
      expect(e.kind).toBe('rate-limited');
      expect(e.retryAfterMs).toBe(7000);
    }
    now += 6_999;
    expect(() => g.admit(get('critical'))).toThrow(ExchangeError);
    now += 1;
    now += 60_000; // new minute, weight reset
    expect(() => g.admit(get('critical'))).not.toThrow();
    expect(g.state().pausedUntil).toBeUndefined();
  });

  it('418 bans everything locally until the stated time', () => {
    let now = T0;
    const g = createRateLimitGovernor({ now: () => now });
    const states: Array<number | undefined> = [];
    g.onChange((s) => states.push(s.bannedUntil));
    g.observe(418, { 'retry-after': '120' }, 'Way too much request weight used; IP banned until ' + String(T0 + 90_000) + '.');
    expect(g.bannedUntil()).toBe(T0 + 90_000);
    expect(states).toEqual([T0 + 90_000]);
    const e = refused(() => g.admit(get('critical')));
    expect(e.kind).toBe('banned');
    expect(e.bannedUntil).toBe(T0 + 90_000);
    now = T0 + 90_000;
    expect(() => g.admit(get('critical'))).not.toThrow();
    expect(g.bannedUntil()).toBeUndefined();
  });
});
