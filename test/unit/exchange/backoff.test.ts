import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createBackoff, createConnectionBudget } from '../../../src/main/exchange/backoff';

describe('backoff (B9)', () => {
  it('full jitter: each delay is within [0, min(cap, base * 2^n)) and the ceiling grows', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 0.9999999, noNaN: true }), { minLength: 1, maxLength: 40 }), (randoms) => {
        let i = 0;
        const b = createBackoff({ baseMs: 500, capMs: 30_000, random: () => randoms[i % randoms.length] as number });
        for (i = 0; i < randoms.length; i++) {
          const ceiling = Math.min(30_000, 500 * 2 ** i);
          const d = b.next();
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThan(ceiling);
          expect(d).toBe(Math.floor((randoms[i] as number) * ceiling));
        }
      }),
    );
  });

  it('never gives up: after 10,000 failures it still answers with a capped delay', () => {
    const b = createBackoff({ baseMs: 100, capMs: 5_000, random: () => 0.999 });
    let last = 0;
    for (let i = 0; i < 10_000; i++) last = b.next();
    expect(b.failures).toBe(10_000);
    expect(last).toBe(4_995);
  });

  it('reset returns to the first step; minMs is a floor', () => {
    const b = createBackoff({ baseMs: 1000, capMs: 60_000, minMs: 50, random: () => 0 });
    b.next();
    b.next();
    b.next();
    b.reset();
    expect(b.failures).toBe(0);
    expect(b.next()).toBe(50);
  });

  it('is jittered: two clients with real randomness do not retry in lockstep', () => {
    const a = createBackoff();
    const c = createBackoff();
    const da = Array.from({ length: 8 }, () => a.next());
    const dc = Array.from({ length: 8 }, () => c.next());
    expect(da).not.toEqual(dc);
  });
});

describe('connection budget (B9)', () => {
  it('allows maxAttempts per window across all users, then says how long to wait', () => {
    let now = 1_000_000;
    const budget = createConnectionBudget({ maxAttempts: 3, windowMs: 300_000, clock: { now: () => now } });
    expect(budget.delayMs()).toBe(0);
    budget.record();
    now += 10;
    budget.record();
    now += 10;
    budget.record();
    expect(budget.used()).toBe(3);
    expect(budget.delayMs()).toBe(300_000 - 20);
    now += 300_000 - 20;
    expect(budget.delayMs()).toBe(0);
    expect(budget.used()).toBe(2);
  });

  it("defaults stay well under Binance's 300 attempts per 5 minutes", () => {
    const budget = createConnectionBudget({ clock: { now: () => 0 } });
    expect(budget.maxAttempts).toBeLessThan(300);
    for (let i = 0; i < budget.maxAttempts; i++) budget.record();
    expect(budget.delayMs()).toBeGreaterThan(0);
  });
});
