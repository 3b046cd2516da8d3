// The seed statistics against hand-worked cases: quantiles as numpy computes them, exact permutation
// p-values counted by hand, bootstrap intervals whose distribution can be written down, and the
// large-sample width a bootstrap of a mean must approach (1.96·σ/√n each side).
import { describe, expect, it } from 'vitest';
import {
  bootstrapDiffCI,
  bootstrapMeanCI,
  choose,
  compareSamples,
  iqm,
  mean,
  permutationTest,
  quantileSorted,
  summarize,
} from './stats';

const width = ([lo, hi]: [number, number]) => hi - lo;
const repeat = (xs: number[], times: number) => Array.from({ length: times }, () => xs).flat();

describe('mean, quantile, IQM', () => {
  it('mean of [1,2,3,4] is 2.5', () => expect(mean([1, 2, 3, 4])).toBe(2.5));

  it('quantiles interpolate linearly between order statistics (numpy: percentile([1,2,3,4], 25) = 1.75)', () => {
    const xs = [1, 2, 3, 4];
    expect(quantileSorted(xs, 0)).toBe(1);
    expect(quantileSorted(xs, 0.25)).toBeCloseTo(1.75, 12);
    expect(quantileSorted(xs, 0.5)).toBeCloseTo(2.5, 12);
    expect(quantileSorted(xs, 0.975)).toBeCloseTo(3.925, 12);
    expect(quantileSorted(xs, 1)).toBe(4);
  });

  it('IQM cuts ⌊n/4⌋ from each end: [1,2,3,4,100] → 3, 1..8 → 4.5, three values → their mean', () => {
    expect(iqm([100, 1, 4, 2, 3])).toBe(3);
    expect(iqm([8, 7, 6, 5, 4, 3, 2, 1])).toBe(4.5);
    expect(iqm([0.2, 0.5, 0.8])).toBeCloseTo(0.5, 12);
  });

  it('C(6,3) = 20, C(10,5) = 252, C(16,8) = 12870', () => {
    expect(choose(6, 3)).toBe(20);
    expect(choose(10, 5)).toBe(252);
    expect(choose(16, 8)).toBe(12870);
  });
});

describe('permutation test (two-sided, statistic mean(b) − mean(a))', () => {
  it('[1,2,3] vs [4,5,6]: only the observed split and its mirror reach |diff| 3 of C(6,3)=20 → p = 0.1 exactly', () => {
    const r = permutationTest([1, 2, 3], [4, 5, 6]);
    expect(r).toEqual({ p: 0.1, exact: true, splits: 20 });
    expect(permutationTest([4, 5, 6], [1, 2, 3]).p).toBe(0.1);
  });

  it('[1,2] vs [3,4]: splits give |diff| 2,2,1,1,0,0 → p = 2/6', () => {
    expect(permutationTest([1, 2], [3, 4]).p).toBeCloseTo(1 / 3, 12);
  });

  it('unequal sizes [1] vs [2,3,4]: |diff| 2, 2/3, 2/3, 2 → p = 0.5', () => {
    expect(permutationTest([1], [2, 3, 4])).toEqual({ p: 0.5, exact: true, splits: 4 });
  });

  it('ties count as extreme: [0,0,1] vs [0,1,1] gives |diff| ≥ 1/3 on every split → p = 1', () => {
    expect(permutationTest([0, 0, 1], [0, 1, 1]).p).toBe(1);
  });

  it('a sample against itself has p = 1', () => {
    expect(permutationTest([0.31, 0.42, 0.27], [0.31, 0.42, 0.27]).p).toBe(1);
  });

  it('5 seeds a side enumerate all 252 splits; the most extreme split gives p = 2/252', () => {
    const r = permutationTest([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(r.exact).toBe(true);
    expect(r.splits).toBe(252);
    expect(r.p).toBeCloseTo(2 / 252, 12);
  });

  it('Monte Carlo (forced on 8 vs 8) lands within 0.01 of the exact p over 12870 splits, and is seeded', () => {
    const a = [0.1, 0.4, 0.35, 0.2, 0.3, 0.25, 0.5, 0.15];
    const b = [0.45, 0.3, 0.6, 0.4, 0.55, 0.35, 0.5, 0.42];
    const exact = permutationTest(a, b);
    expect(exact.exact).toBe(true);
    expect(exact.splits).toBe(12870);
    const mc = permutationTest(a, b, { maxExact: 0 });
    expect(mc.exact).toBe(false);
    expect(mc.splits).toBe(9999);
    expect(Math.abs(mc.p - exact.p)).toBeLessThan(0.01);
    expect(exact.p).toBeGreaterThan(0.005); // a p where the 0.01 band means something
    expect(exact.p).toBeLessThan(0.1);
    expect(permutationTest(a, b, { maxExact: 0 }).p).toBe(mc.p);
    expect(permutationTest(a, b, { maxExact: 0, seed: 5 }).p).not.toBe(mc.p);
  });
});

describe('bootstrap interval of a mean (percentile, seeded)', () => {
  it('one value or a constant sample gives a zero-width interval at that value', () => {
    expect(bootstrapMeanCI([0.42])).toEqual([0.42, 0.42]);
    expect(bootstrapMeanCI([0.3, 0.3, 0.3])[0]).toBeCloseTo(0.3, 12);
    expect(bootstrapMeanCI([0.3, 0.3, 0.3])[1]).toBeCloseTo(0.3, 12);
  });

  it('[0,1]: resampled means are 0, 0.5, 1 with probability 1/4, 1/2, 1/4, so the 2.5–97.5% interval is [0, 1]', () => {
    expect(bootstrapMeanCI([0, 1])).toEqual([0, 1]);
  });

  it('contains the mean and matches 1.96·σ/√n for n = 100 (σ = 0.5 → ±0.098)', () => {
    const xs = repeat([0, 1], 50);
    const [lo, hi] = bootstrapMeanCI(xs);
    expect(lo).toBeLessThan(0.5);
    expect(hi).toBeGreaterThan(0.5);
    expect(0.5 - lo).toBeGreaterThan(0.085);
    expect(0.5 - lo).toBeLessThan(0.11);
    expect(hi - 0.5).toBeGreaterThan(0.085);
    expect(hi - 0.5).toBeLessThan(0.11);
  });

  it('shrinks like 1/√n: n = 8 → 32 → 128 halves the width each time (within 25%)', () => {
    const pattern = [0.2, 0.5, 0.35, 0.8];
    const w = [2, 8, 32].map((t) => width(bootstrapMeanCI(repeat(pattern, t))));
    expect(w[0] / w[1]).toBeGreaterThan(1.5);
    expect(w[0] / w[1]).toBeLessThan(2.5);
    expect(w[1] / w[2]).toBeGreaterThan(1.5);
    expect(w[1] / w[2]).toBeLessThan(2.5);
  });

  it('contains the mean of skewed small samples too', () => {
    for (const xs of [
      [0, 0, 0, 0, 1],
      [0.1, 0.12, 0.9],
      [0.5, 0.55, 0.45, 0.05, 0.6],
    ]) {
      const [lo, hi] = bootstrapMeanCI(xs);
      expect(lo).toBeLessThanOrEqual(mean(xs));
      expect(hi).toBeGreaterThanOrEqual(mean(xs));
    }
  });

  it('is deterministic for a seed and changes with it', () => {
    const xs = [0.21, 0.34, 0.28, 0.4, 0.3];
    expect(bootstrapMeanCI(xs)).toEqual(bootstrapMeanCI(xs));
    expect(bootstrapMeanCI(xs, { seed: 9 })).not.toEqual(bootstrapMeanCI(xs));
  });
});

describe('bootstrap interval of a difference of means (stratified)', () => {
  it('constants: b − a = 2 exactly, with sign b − a', () => {
    expect(bootstrapDiffCI([1, 1, 1], [3, 3, 3])).toEqual([2, 2]);
    expect(bootstrapDiffCI([3, 3, 3], [1, 1, 1])).toEqual([-2, -2]);
  });

  it('a = [0,1], b = [0]: diffs 0, −0.5, −1 with probability 1/4, 1/2, 1/4 → [−1, 0]', () => {
    expect(bootstrapDiffCI([0, 1], [0])).toEqual([-1, 0]);
  });

  it('resamples each group within itself: n = 100 a side, σ = 0.5 → 1 ± 1.96·√(2·0.25/100) = 1 ± 0.139', () => {
    const a = repeat([0, 1], 50);
    const b = a.map((x) => x + 1);
    const [lo, hi] = bootstrapDiffCI(a, b);
    expect(1 - lo).toBeGreaterThan(0.12);
    expect(1 - lo).toBeLessThan(0.155);
    expect(hi - 1).toBeGreaterThan(0.12);
    expect(hi - 1).toBeLessThan(0.155);
  });
});

describe('summarize and compareSamples', () => {
  it('summary: per_seed kept, mean and IQM of them, interval around the mean', () => {
    const s = summarize([0.25, 0.5, 0.75]);
    expect(s.per_seed).toEqual([0.25, 0.5, 0.75]);
    expect(s.mean).toBe(0.5);
    expect(s.iqm).toBe(0.5);
    expect(s.ci95[0]).toBeLessThan(0.5);
    expect(s.ci95[1]).toBeGreaterThan(0.5);
    expect(s.ci95[0]).toBeGreaterThanOrEqual(0.25);
    expect(s.ci95[1]).toBeLessThanOrEqual(0.75);
  });

  it('a sample against itself: diff 0, p 1, undecided', () => {
    const xs = [0.31, 0.42, 0.27];
    const c = compareSamples(xs, xs);
    expect(c.diff).toBe(0);
    expect(c.p_value).toBe(1);
    expect(c.verdict).toBe('undecided');
    expect(c.ci95[0]).toBeLessThanOrEqual(0);
    expect(c.ci95[1]).toBeGreaterThanOrEqual(0);
  });

  it('verdict follows the interval of b − a: above 0 → B higher, below → A higher', () => {
    const low = [0.2, 0.22, 0.25, 0.21, 0.23];
    const high = [0.4, 0.42, 0.38, 0.41, 0.45];
    const ab = compareSamples(low, high);
    expect(ab.diff).toBeCloseTo(0.19, 12);
    expect(ab.ci95[0]).toBeGreaterThan(0);
    expect(ab.verdict).toBe('B higher');
    expect(ab.p_value).toBeCloseTo(2 / 252, 12);
    const ba = compareSamples(high, low);
    expect(ba.diff).toBeCloseTo(-0.19, 12);
    expect(ba.verdict).toBe('A higher');
  });

  it('overlapping samples stay undecided', () => {
    const c = compareSamples([0.2, 0.5, 0.3], [0.25, 0.45, 0.4]);
    expect(c.ci95[0]).toBeLessThan(0);
    expect(c.ci95[1]).toBeGreaterThan(0);
    expect(c.verdict).toBe('undecided');
  });
});
