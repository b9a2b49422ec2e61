import { describe, expect, it } from 'vitest';
import { createClock } from '../../../src/main/sim/clock';
import { SimError } from '../../../src/main/sim/errors';
import { createFaults } from '../../../src/main/sim/faults';
import { createRateLimiter } from '../../../src/main/sim/server/rate-limit';

function caught(fn: () => void): SimError | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof SimError) return err;
    throw err;
  }
}

// 10:00:30.000 UTC of some day: 30 s into a minute, 0 s into a 10 s bucket.
const T0 = Date.UTC(2026, 0, 15, 10, 0, 30);

describe('REQUEST_WEIGHT', () => {
  it('counts per IP in aligned minutes and answers 429 with Retry-After to the next minute', () => {
    const clock = createClock({ fixedAtMs: T0, realNow: () => 0 });
    const rl = createRateLimiter(clock, { weight: 100 });
    rl.addWeight('1.1.1.1', 60);
    expect(rl.addWeight('1.1.1.1', 40)).toBe(100);
    expect(rl.usedWeight('2.2.2.2')).toBe(0);
    const err = caught(() => rl.admit('1.1.1.1'));
    expect(err?.httpStatus).toBe(429);
    expect(err?.code).toBe(-1003);
    expect(err?.message).toContain('current limit is 100 request weight per 1 MINUTE');
    expect(err?.headers['Retry-After']).toBe('30');
    expect(caught(() => rl.admit('2.2.2.2'))).toBeUndefined();
    // Respecting Retry-After: the next minute starts fresh.
    clock.jump(30_000);
    expect(rl.usedWeight('1.1.1.1')).toBe(0);
    expect(caught(() => rl.admit('1.1.1.1'))).toBeUndefined();
  });

  it('ignoring a 429 gets a 418 ban, longer on every repeat', () => {
    const clock = createClock({ fixedAtMs: T0, realNow: () => 0 });
    const rl = createRateLimiter(clock);
    expect(caught(() => rl.admit('ip', { force429: true }))?.httpStatus).toBe(429);
    clock.jump(1000);
    const ban1 = caught(() => rl.admit('ip'));
    expect(ban1?.httpStatus).toBe(418);
    expect(ban1?.code).toBe(-1003);
    expect(ban1?.headers['Retry-After']).toBe('120');
    expect(ban1?.message).toContain(`IP banned until ${T0 + 1000 + 120_000}`);
    // Still banned a minute later.
    clock.jump(60_000);
    expect(caught(() => rl.admit('ip'))?.httpStatus).toBe(418);
    clock.jump(61_000);
    expect(caught(() => rl.admit('ip'))).toBeUndefined();
    // Second offence: 4 minutes.
    expect(caught(() => rl.admit('ip', { force429: true }))?.httpStatus).toBe(429);
    const ban2 = caught(() => rl.admit('ip'));
    expect(ban2?.headers['Retry-After']).toBe('240');
  });

  it('an external ban (faults.banUntil) answers 418', () => {
    const clock = createClock({ fixedAtMs: T0, realNow: () => 0 });
    const rl = createRateLimiter(clock);
    const err = caught(() => rl.admit('ip', { bannedUntil: T0 + 5000 }));
    expect(err?.httpStatus).toBe(418);
    expect(err?.headers['Retry-After']).toBe('5');
  });
});

describe('WS API connection attempts', () => {
  it('300 per 5 minutes per IP, then 429', () => {
    const clock = createClock({ fixedAtMs: Date.UTC(2026, 0, 15, 10, 0, 0), realNow: () => 0 });
    const rl = createRateLimiter(clock);
    for (let i = 0; i < 300; i++) rl.admitConnection('ip');
    const err = caught(() => rl.admitConnection('ip'));
    expect(err?.httpStatus).toBe(429);
    expect(err?.headers['Retry-After']).toBe('300');
    expect(caught(() => rl.admitConnection('other'))).toBeUndefined();
    clock.jump(300_000);
    expect(caught(() => rl.admitConnection('ip'))).toBeUndefined();
  });

  it('the limit can be set (a time-compressed soak lifts it), and its message names it', () => {
    const clock = createClock({ fixedAtMs: Date.UTC(2026, 0, 15, 10, 0, 0), realNow: () => 0 });
    const rl = createRateLimiter(clock, { wsConnections5m: 2 });
    rl.admitConnection('ip');
    rl.admitConnection('ip');
    const err = caught(() => rl.admitConnection('ip'));
    expect(err?.httpStatus).toBe(429);
    expect(err?.message).toBe('Too many connection attempts; current limit is 2 per 5 MINUTE.');
  });
});

describe('ORDERS', () => {
  it('per account, 10 s and 1 day, -1015 with 429 when exceeded', () => {
    const clock = createClock({ fixedAtMs: T0, realNow: () => 0 });
    const rl = createRateLimiter(clock, { orders10s: 3, orders1d: 5 });
    for (let i = 0; i < 3; i++) {
      expect(caught(() => rl.admitOrder('acc'))).toBeUndefined();
      rl.addOrders('acc', 1);
    }
    const err = caught(() => rl.admitOrder('acc'));
    expect(err?.httpStatus).toBe(429);
    expect(err?.code).toBe(-1015);
    expect(err?.message).toBe('Too many new orders; current limit is 3 orders per 10 SECOND.');
    expect(caught(() => rl.admitOrder('other'))).toBeUndefined();
    expect(rl.orderRateUsage('acc')).toEqual([
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 3, count: 3 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 5, count: 3 },
    ]);
    clock.jump(10_000);
    expect(caught(() => rl.admitOrder('acc'))).toBeUndefined();
    rl.addOrders('acc', 2);
    expect(caught(() => rl.admitOrder('acc'))?.message).toBe('Too many new orders; current limit is 5 orders per 1 DAY.');
  });
});

describe('faults handle', () => {
  it('order faults are consumed in order; unknown-order counts down; reset restores defaults', () => {
    const f = createFaults();
    f.state.orderFaults.push({ kind: 'http500', execute: true }, { kind: 'code-1007', execute: false });
    expect(f.takeOrderFault()).toEqual({ kind: 'http500', execute: true });
    expect(f.takeOrderFault()).toEqual({ kind: 'code-1007', execute: false });
    expect(f.takeOrderFault()).toBeUndefined();
    f.state.unknownOrderQueries.set('cid-1', 2);
    expect(f.takeUnknownOrderQuery(['other', '12'])).toBe(false);
    expect(f.takeUnknownOrderQuery(['cid-1', '12'])).toBe(true);
    expect(f.takeUnknownOrderQuery(['', 'cid-1'])).toBe(true);
    expect(f.takeUnknownOrderQuery(['cid-1'])).toBe(false);
    const state = f.state;
    f.state.latencyMs = 50;
    f.state.bigIds = true;
    f.reset();
    expect(f.state).toBe(state);
    expect(f.state.latencyMs).toBe(0);
    expect(f.state.bigIds).toBe(false);
  });

  it('actions reach every listener until it unsubscribes', () => {
    const f = createFaults();
    const seen: string[] = [];
    const off = f.onAction((a) =>
      seen.push(a.type === 'closeAll' ? `close:${a.kind}` : a.type === 'eventStreamTerminated' ? `est:${a.accountId ?? '*'}` : a.type),
    );
    f.closeAll('ws-api');
    f.serverShutdown();
    f.eventStreamTerminated('acc');
    f.eventStreamTerminated();
    off();
    f.serverShutdown();
    expect(seen).toEqual(['close:ws-api', 'serverShutdown', 'est:acc', 'est:*']);
  });
});
