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

  it('to a plot’s width: per slice of the time span its lowest and highest point, real samples in time order', () => {
    // Dense recorded values for the last month, sparse day ends before: slices are of time, not of points.
    const points: SeriesPoint<number>[] = [];
    for (let d = 0; d < 335; d++) points.push({ t: d * 86_400_000, v: 100 + d, data: d });
    for (let t = 335 * 86_400_000; t < 365 * 86_400_000; t += FIVE_MIN) points.push({ t, v: 500 + Math.sin(t / 7e6) * 50, data: -1 });
    const out = downsample(points, 2000, 150);
    expect(out.length).toBeLessThanOrEqual(300);
    // The sparse days keep their share of the width (about 138 of 150 slices), not 300 × 335/8,975.
    expect(out.filter((p) => p.data >= 0).length).toBeGreaterThan(120);
    expect(out.every((p) => points.includes(p))).toBe(true);
    expect(out.every((p, i) => i === 0 || p.t > out[i - 1]!.t)).toBe(true);
    expect(Math.max(...out.map((p) => p.v!))).toBe(Math.max(...points.map((p) => p.v!)));
    expect(Math.min(...out.map((p) => p.v!))).toBe(Math.min(...points.map((p) => p.v!)));
  });

  it('never more than max, even with a gap in every slice', () => {
    const points: SeriesPoint<null>[] = [];
    for (let i = 0; i < 30_000; i++) points.push({ t: i, v: i % 7 === 3 ? null : Math.sin(i), data: null });
    const out = downsample(points, 600, 1000);
    expect(out.length).toBeLessThanOrEqual(600);
    expect(out.some((p) => p.v === null)).toBe(true);
    // A gap is one null, never two in a row.
    expect(out.some((p, i) => i > 0 && p.v === null && out[i - 1]!.v === null)).toBe(false);
  });

  it('leaves a short series alone', () => {
    const points = [
      { t: 1, v: 1, data: 'a' },
      { t: 2, v: null, data: 'b' },
    ];
    expect(downsample(points, 2000)).toEqual(points);
  });
});
