/**
 * Shrinks a time series for a chart before it crosses IPC, to what the plot can show: the time
 * span is cut into `columns` equal slices (one per pixel column of the plot), and each slice keeps
 * its lowest and its highest point in time order, so the line covers the same pixels, spikes and
 * dips included. Every point kept is a real sample at its own time (a tooltip shows what was
 * recorded then, never an average). A gap (value null) survives as a gap: a slice that holds one
 * keeps a null point where it was, so the chart breaks the line there instead of drawing across
 * missing data. Never more than `max` points.
 */
export interface SeriesPoint<V> {
  readonly t: number;
  readonly v: number | null;
  readonly data: V;
}

/** `points` oldest first. `columns`: the plot's width in pixels (at most max / 2 are used). */
export function downsample<V>(points: readonly SeriesPoint<V>[], max: number, columns: number = Math.floor(max / 2)): SeriesPoint<V>[] {
  const limit = Math.max(3, max);
  if (points.length <= Math.min(limit, 2 * Math.max(1, columns))) return [...points];
  // Each slice keeps at most two values and one gap marker; few series have gaps, so start with two
  // points per column and take fewer columns only if the gaps pushed the count over the limit.
  let n = Math.max(1, Math.min(columns, Math.floor(limit / 2)));
  for (;;) {
    const out = slices(points, n);
    if (out.length <= limit || n === 1) return out.slice(0, limit);
    n = Math.max(1, Math.floor(n * 0.75));
  }
}

function slices<V>(points: readonly SeriesPoint<V>[], n: number): SeriesPoint<V>[] {
  const t0 = points[0]!.t;
  const span = points[points.length - 1]!.t - t0 + 1;
  const slice = (t: number): number => Math.floor(((t - t0) * n) / span);
  const out: SeriesPoint<V>[] = [];
  let i = 0;
  while (i < points.length) {
    const s = slice(points[i]!.t);
    let lo = -1;
    let hi = -1;
    let gap = -1;
    let j = i;
    for (; j < points.length && slice(points[j]!.t) === s; j++) {
      const v = points[j]!.v;
      if (v === null) {
        if (gap < 0) gap = j;
        continue;
      }
      if (lo < 0 || v < points[lo]!.v!) lo = j;
      if (hi < 0 || v > points[hi]!.v!) hi = j;
    }
    const keep = [lo, hi, gap].filter((k) => k >= 0).sort((a, b) => a - b);
    for (let k = 0; k < keep.length; k++) {
      if (k > 0 && keep[k] === keep[k - 1]) continue;
      const p = points[keep[k]!]!;
      // One null marks a gap; a gap running over several slices needs no more.
      if (p.v === null && out.length > 0 && out[out.length - 1]!.v === null) continue;
      out.push(p);
    }
    i = j;
  }
  return out;
}
