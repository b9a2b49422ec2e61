/**
 * Shrinks a time series for a chart before it crosses IPC: at most `max` points, each bucket
 * keeping its first point and its lowest and highest value in time order, so spikes and dips stay
 * on the line. A gap (value null) survives as a gap: a bucket that holds one emits a null point
 * where it was, so the chart breaks the line there instead of drawing across missing data.
 */
export interface SeriesPoint<V> {
  readonly t: number;
  readonly v: number | null;
  readonly data: V;
}

export function downsample<V>(points: readonly SeriesPoint<V>[], max: number): SeriesPoint<V>[] {
  if (points.length <= max) return [...points];
  const per = Math.ceil(points.length / Math.max(1, Math.floor(max / 4)));
  const out: SeriesPoint<V>[] = [];
  for (let i = 0; i < points.length; i += per) {
    const bucket = points.slice(i, Math.min(points.length, i + per));
    const keep = new Set<number>([0]);
    let lo = -1;
    let hi = -1;
    let gap = -1;
    bucket.forEach((p, j) => {
      if (p.v === null) {
        if (gap < 0) gap = j;
        return;
      }
      if (lo < 0 || p.v < bucket[lo]!.v!) lo = j;
      if (hi < 0 || p.v > bucket[hi]!.v!) hi = j;
    });
    for (const j of [lo, hi, gap]) if (j >= 0) keep.add(j);
    for (const j of [...keep].sort((a, b) => a - b)) out.push(bucket[j]!);
  }
  return out;
}
