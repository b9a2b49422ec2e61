// The simulator's price path over a long run: what it caches stays bounded (a memory soak of
// core + simulator showed its caches growing with every simulated hour), and an answer computed
// after eviction is the same as a fresh one (the path is deterministic).
import { describe, expect, it } from 'vitest';
import { createPricePath, newAgg } from '../../../src/main/sim/market/price-path';

const opts = { seed: 42, annualVol: 0.6, baseVolPerMin: 3, tradesPerMin: 40, anchorDay: 20_000 };
const DAY = 86_400;

describe('price path caches over a long run', () => {
  it('stay bounded while a rolling 24 h ticker and the latest price are read for 10 simulated days', () => {
    const path = createPricePath(opts);
    const start = 20_000 * DAY + 1_234;
    let most = { seconds: 0, minutes: 0, hours: 0, days: 0 };
    // every simulated minute, as a stream does: the price now and the rolling 24 h window
    for (let t = start; t < start + 10 * DAY; t += 60) {
      path.valueAt(t + 17);
      path.aggregate(t - DAY, t, 0, newAgg());
      const c = path.cachedEntries();
      most = {
        seconds: Math.max(most.seconds, c.seconds),
        minutes: Math.max(most.minutes, c.minutes),
        hours: Math.max(most.hours, c.hours),
        days: Math.max(most.days, c.days),
      };
    }
    // a few minutes of second data, a few hours of minute data, about a day of hour summaries
    expect(most.seconds).toBeLessThanOrEqual(8);
    expect(most.minutes).toBeLessThanOrEqual(8);
    expect(most.hours).toBeLessThanOrEqual(26);
    expect(most.days).toBeLessThanOrEqual(128);
  });

  it('answers a window whose data was evicted exactly as a fresh path does', () => {
    const long = createPricePath(opts);
    const start = 20_000 * DAY;
    for (let t = start; t < start + 5 * DAY; t += 60) long.aggregate(t - DAY, t, 0, newAgg());
    const fresh = createPricePath(opts);
    const a = newAgg();
    const b = newAgg();
    long.aggregate(start + 3_600 + 7, start + 2 * 3_600 + 59, 0, a);
    fresh.aggregate(start + 3_600 + 7, start + 2 * 3_600 + 59, 0, b);
    expect(a).toEqual(b);
    expect(long.valueAt(start + 123)).toBe(fresh.valueAt(start + 123));
  });
});
