import { describe, expect, it } from 'vitest';
import { downsample, type SeriesPoint } from '../../../src/main/history/downsample';

const FIVE_MIN = 300_000;

describe('downsample', () => {
  it('a year of 5-minute samples (~105,000) becomes at most 2,000 points, keeping the extremes and the gaps', () => {
    const n = 365 * 288;
    const points: SeriesPoint<null>[] = [];
    for (let i = 0; i < n; i++) {
      const gap = i >= 50_000 && i < 50_100;
      points.push({
        t: i * FIVE_MIN,
        v: gap ? null : 1000 + Math.sin(i / 500) * 100 + (i === 77_777 ? 5000 : 0) - (i === 12_345 ? 900 : 0),
        data: null,
      });
    }
    const out = downsample(points, 2000);
    expect(out.length).toBeLessThanOrEqual(2000);
    expect(out.length).toBeGreaterThan(1000);
    expect(out.some((p) => p.t === 77_777 * FIVE_MIN)).toBe(true);
    expect(out.some((p) => p.t === 12_345 * FIVE_MIN)).toBe(true);
    expect(out.some((p) => p.v === null && p.t >= 50_000 * FIVE_MIN && p.t < 50_100 * FIVE_MIN)).toBe(true);
    expect(out.every((p, i) => i === 0 || p.t > out[i - 1]!.t)).toBe(true);
  });

  it('leaves a short series alone', () => {
    const points = [
      { t: 1, v: 1, data: 'a' },
      { t: 2, v: null, data: 'b' },
    ];
    expect(downsample(points, 2000)).toEqual(points);
  });
});
