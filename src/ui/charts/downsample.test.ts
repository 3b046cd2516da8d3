// Downsampling keeps what a reader must see: ends, peaks, band extremes, and a bounded point count.

import { describe, expect, it } from 'vitest';
import type { MetricsRow } from '../../rl/metrics';
import { bandBuckets, lttb, seriesOf, stride, type Point } from './downsample';

const line = (n: number, f: (i: number) => number): Point[] => Array.from({ length: n }, (_, i) => ({ x: i, y: f(i) }));

describe('lttb', () => {
  it('returns at most the threshold, keeps the first and last point, and keeps a single spike of 5000 points', () => {
    const pts = line(5000, (i) => (i === 3217 ? 100 : Math.sin(i / 50)));
    const out = lttb(pts, 400);
    expect(out).toHaveLength(400);
    expect(out[0]).toEqual({ x: 0, y: 0 });
    expect(out[399].x).toBe(4999);
    expect(out.some((p) => p.x === 3217 && p.y === 100)).toBe(true);
    // x stays strictly increasing, so the drawn line never doubles back
    for (let i = 1; i < out.length; i++) expect(out[i].x).toBeGreaterThan(out[i - 1].x);
  });

  it('leaves a series shorter than the threshold untouched (37 of 37 points)', () => {
    const pts = line(37, (i) => i * i);
    expect(lttb(pts, 400)).toEqual(pts);
  });
});

describe('seriesOf', () => {
  it('skips rows without the metric: accuracy on eval steps 0 and 5 of 7 rows gives 2 points', () => {
    const rows: MetricsRow[] = Array.from({ length: 7 }, (_, s): MetricsRow =>
      s % 5 === 0 ? { step: s, accuracy: s / 10 } : { step: s },
    );
    expect(seriesOf(rows, 'accuracy')).toEqual([
      { x: 0, y: 0 },
      { x: 5, y: 0.5 },
    ]);
  });
});

describe('bandBuckets', () => {
  it('1000 rows into 100 buckets of 10: each keeps the min of the mins, the max of the maxes and the mean', () => {
    const rows: MetricsRow[] = Array.from({ length: 1000 }, (_, s) => ({
      step: s,
      'completions/mean_length': s % 10,
      'completions/min_length': s === 503 ? -7 : 0,
      'completions/max_length': s === 504 ? 99 : 20,
    }));
    const out = bandBuckets(rows, 'completions/mean_length', 'completions/min_length', 'completions/max_length', 100);
    expect(out).toHaveLength(100);
    expect(out[50]).toEqual({ x: 509, mean: 4.5, band: [-7, 99] });
    expect(out[49]).toEqual({ x: 499, mean: 4.5, band: [0, 20] });
  });
});

describe('stride', () => {
  it('thins 1001 points to at most 400 and keeps the newest', () => {
    const pts = Array.from({ length: 1001 }, (_, i) => i);
    const out = stride(pts, 400);
    expect(out.length).toBeLessThanOrEqual(400);
    expect(out.length).toBeGreaterThan(300);
    expect(out[out.length - 1]).toBe(1000);
  });
});
