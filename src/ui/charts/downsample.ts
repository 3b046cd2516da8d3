// Downsampling for drawing only: the store keeps every metrics row; charts draw at most a few
// hundred points so thousands of steps stay smooth. Lines use Largest-Triangle-Three-Buckets
// (Steinarsson 2013), which keeps peaks and the shape; bands use per-bucket min/max so no extreme
// is lost.

import type { MetricKey, MetricsRow } from '../../rl/metrics';

export interface Point {
  x: number;
  y: number;
}

/** Points drawn per series at most. */
export const MAX_POINTS = 400;

/** (step, row[key]) for the rows that have a finite value for `key` (eval metrics exist on some steps only). */
export function seriesOf(rows: readonly MetricsRow[], key: MetricKey): Point[] {
  const out: Point[] = [];
  for (const r of rows) {
    const y = r[key];
    if (typeof y === 'number' && Number.isFinite(y)) out.push({ x: r.step, y });
  }
  return out;
}

/** LTTB: keeps the first and last point and, per bucket, the point making the largest triangle with its neighbours. */
export function lttb(points: readonly Point[], threshold = MAX_POINTS): Point[] {
  const n = points.length;
  if (threshold >= n || threshold < 3) return points.slice();
  const out: Point[] = [points[0]];
  const every = (n - 2) / (threshold - 2); // bucket width over the interior points
  let a = 0; // index of the last point kept
  for (let i = 0; i < threshold - 2; i++) {
    // The next bucket's mean is the third corner of the triangle.
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(n, Math.floor((i + 2) * every) + 1);
    let mx = 0;
    let my = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      mx += points[j].x;
      my += points[j].y;
    }
    const cnt = Math.max(1, nextEnd - nextStart);
    mx /= cnt;
    my /= cnt;
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs(
        (points[a].x - mx) * (points[j].y - points[a].y) - (points[a].x - points[j].x) * (my - points[a].y),
      );
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(points[best]);
    a = best;
  }
  out.push(points[n - 1]);
  return out;
}

export interface BandPoint {
  x: number; // the bucket's last step
  mean: number; // mean of `meanKey` over the bucket
  band: [number, number]; // [min of `minKey`, max of `maxKey`] over the bucket
}

/** Rows grouped into ≤ maxPoints consecutive buckets; each keeps the bucket's extremes. */
export function bandBuckets(
  rows: readonly MetricsRow[],
  meanKey: MetricKey,
  minKey: MetricKey,
  maxKey: MetricKey,
  maxPoints = MAX_POINTS,
): BandPoint[] {
  const valid: { step: number; mean: number; min: number; max: number }[] = [];
  for (const r of rows) {
    const [mean, min, max] = [r[meanKey], r[minKey], r[maxKey]];
    if (isFiniteNumber(mean) && isFiniteNumber(min) && isFiniteNumber(max))
      valid.push({ step: r.step, mean, min, max });
  }
  const size = Math.max(1, Math.ceil(valid.length / maxPoints));
  const out: BandPoint[] = [];
  for (let i = 0; i < valid.length; i += size) {
    const bucket = valid.slice(i, i + size);
    out.push({
      x: bucket[bucket.length - 1].step,
      mean: bucket.reduce((s, r) => s + r.mean, 0) / bucket.length,
      band: [Math.min(...bucket.map((r) => r.min)), Math.max(...bucket.map((r) => r.max))],
    });
  }
  return out;
}

const isFiniteNumber = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

/** Every k-th point so at most maxPoints remain, always keeping the last (for scatter plots). */
export function stride<T>(points: readonly T[], maxPoints = MAX_POINTS): T[] {
  if (points.length <= maxPoints) return points.slice();
  const k = Math.ceil(points.length / maxPoints);
  return points.filter((_, i) => (points.length - 1 - i) % k === 0);
}
