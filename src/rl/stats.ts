// Statistics for comparing runs across seeds (docs/DESIGN.md §10): the mean, the interquartile mean,
// a percentile-bootstrap 95% interval of a mean and of a difference of means, and a two-sample
// permutation test. Every resampling draws from the project's Rng with a fixed seed, so the same
// numbers always give the same interval and p-value.
//
// Why not a library: simple-statistics' permutationTest shuffles with Math.random (not reproducible),
// splits the pooled sample in half (wrong for unequal sizes) and never enumerates exactly; it has no
// bootstrap. What remains is a few lines, held to hand-worked cases in stats.test.ts.

import { Rng } from '../models/rng';

const STATS_STREAM = 0x57a7; // the Rng stream resampling draws on
export const BOOTSTRAP_RESAMPLES = 10_000;
export const PERMUTATION_RESAMPLES = 9_999;
/** Enumerate every split of the pooled sample when there are at most this many (5 + 5 seeds: 252). */
export const MAX_EXACT_SPLITS = 20_000;

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('mean of an empty sample');
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Quantile p ∈ [0,1] of sorted values by linear interpolation between order statistics (numpy's default, R type 7). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new Error('quantile of an empty sample');
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Interquartile mean: the mean of what is left after cutting ⌊n/4⌋ values from each end (scipy's
 * trim_mean(x, 0.25), as rliable uses for few-run RL results). Equals the mean below 4 values.
 */
export function iqm(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const cut = Math.floor(xs.length / 4);
  return mean(sorted.slice(cut, sorted.length - cut));
}

export type Interval = [lo: number, hi: number];

export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
  level?: number; // 0.95 by default
}

/** The percentile interval of a bootstrap distribution (sorted in place). */
function percentileInterval(stats: Float64Array, level: number): Interval {
  stats.sort();
  const tail = (1 - level) / 2;
  return [quantileSorted(stats, tail), quantileSorted(stats, 1 - tail)];
}

/** The mean of n values drawn with replacement from xs. */
function resampledMean(xs: readonly number[], rng: Rng): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[rng.int(xs.length)];
  return s / xs.length;
}

/** Percentile-bootstrap interval of the mean (95% by default): resample the values with replacement, take quantiles of the means. */
export function bootstrapMeanCI(xs: readonly number[], opts: BootstrapOptions = {}): Interval {
  if (xs.length === 0) throw new Error('bootstrap of an empty sample');
  const { resamples = BOOTSTRAP_RESAMPLES, seed = 0, level = 0.95 } = opts;
  const rng = new Rng(seed, STATS_STREAM);
  const stats = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) stats[r] = resampledMean(xs, rng);
  return percentileInterval(stats, level);
}

/**
 * Percentile-bootstrap interval of mean(b) − mean(a), stratified: each resample draws a's values from a
 * and b's from b (sizes kept), as the two groups are independent runs.
 */
export function bootstrapDiffCI(a: readonly number[], b: readonly number[], opts: BootstrapOptions = {}): Interval {
  if (a.length === 0 || b.length === 0) throw new Error('bootstrap of an empty sample');
  const { resamples = BOOTSTRAP_RESAMPLES, seed = 0, level = 0.95 } = opts;
  const rng = new Rng(seed, STATS_STREAM);
  const stats = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) stats[r] = resampledMean(b, rng) - resampledMean(a, rng);
  return percentileInterval(stats, level);
}

/** The binomial coefficient C(n, k) as a float (exact while it stays below 2^53). */
export function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let c = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) c = (c * (n - i + 1)) / i;
  return Math.round(c);
}

export interface PermutationOptions {
  resamples?: number; // Monte Carlo draws when the splits are too many to enumerate
  seed?: number;
  maxExact?: number; // enumerate when C(na+nb, na) ≤ this
}

export interface PermutationResult {
  p: number;
  exact: boolean; // every split enumerated (else seeded Monte Carlo)
  splits: number; // splits enumerated or drawn
}

/**
 * Two-sided permutation test of equal means, statistic mean(b) − mean(a): the share of relabellings of
 * the pooled values whose |statistic| is at least the observed one. Exact when the splits are few
 * (the observed split counts, so p ≥ 1/C); otherwise R random relabellings with p = (1 + hits)/(1 + R),
 * which never reports 0.
 */
export function permutationTest(
  a: readonly number[],
  b: readonly number[],
  opts: PermutationOptions = {},
): PermutationResult {
  const na = a.length;
  const nb = b.length;
  if (na === 0 || nb === 0) throw new Error('permutation test of an empty sample');
  const { resamples = PERMUTATION_RESAMPLES, seed = 0, maxExact = MAX_EXACT_SPLITS } = opts;
  const pooled = [...a, ...b];
  const total = pooled.reduce((s, x) => s + x, 0);
  // mean(b) − mean(a) from the sum of the values labelled a
  const statistic = (sumA: number) => (total - sumA) / nb - sumA / na;
  const observed = Math.abs(statistic(a.reduce((s, x) => s + x, 0)));
  // relabellings that tie the observed statistic up to rounding count as at least as extreme
  const tol = 1e-9 * Math.max(1, observed);
  const extreme = (sumA: number) => Math.abs(statistic(sumA)) >= observed - tol;

  const splits = choose(na + nb, na);
  if (splits <= maxExact) {
    let hits = 0;
    // every na-subset of the pooled indices, in lexicographic order
    const idx = Array.from({ length: na }, (_, i) => i);
    for (;;) {
      let sumA = 0;
      for (const i of idx) sumA += pooled[i];
      if (extreme(sumA)) hits++;
      let k = na - 1;
      while (k >= 0 && idx[k] === nb + k) k--; // idx[k] at its last place
      if (k < 0) break;
      idx[k]++;
      for (let j = k + 1; j < na; j++) idx[j] = idx[j - 1] + 1;
    }
    return { p: hits / splits, exact: true, splits };
  }
  const rng = new Rng(seed, STATS_STREAM);
  const order = pooled.map((_, i) => i);
  let hits = 0;
  for (let r = 0; r < resamples; r++) {
    // a partial Fisher–Yates shuffle: the first na places are a uniform random na-subset
    let sumA = 0;
    for (let i = 0; i < na; i++) {
      const j = i + rng.int(order.length - i);
      [order[i], order[j]] = [order[j], order[i]];
      sumA += pooled[order[i]];
    }
    if (extreme(sumA)) hits++;
  }
  return { p: (1 + hits) / (1 + resamples), exact: false, splits: resamples };
}

export interface MeanSummary {
  per_seed: number[];
  mean: number;
  iqm: number;
  ci95: Interval;
}

/** A metric over seeds: the values, their mean and IQM, and the bootstrap 95% interval of the mean. */
export function summarize(perSeed: readonly number[], opts: BootstrapOptions = {}): MeanSummary {
  return { per_seed: [...perSeed], mean: mean(perSeed), iqm: iqm(perSeed), ci95: bootstrapMeanCI(perSeed, opts) };
}

export type Verdict = 'A higher' | 'B higher' | 'undecided';

export interface Comparison {
  a_mean: number;
  b_mean: number;
  diff: number; // b_mean − a_mean
  ci95: Interval; // bootstrap interval of diff
  p_value: number; // two-sided permutation test
  verdict: Verdict;
}

/**
 * B against A on one metric. diff = mean(B) − mean(A). The verdict is decided only when the 95%
 * bootstrap interval of diff excludes 0: "B higher" when it lies above 0, "A higher" below; the
 * p-value is reported beside it, not folded in (with 3 seeds a side no permutation p goes below 0.1).
 */
export function compareSamples(a: readonly number[], b: readonly number[], opts: { seed?: number } = {}): Comparison {
  const ci95 = bootstrapDiffCI(a, b, opts);
  const verdict: Verdict = ci95[0] > 0 ? 'B higher' : ci95[1] < 0 ? 'A higher' : 'undecided';
  return {
    a_mean: mean(a),
    b_mean: mean(b),
    diff: mean(b) - mean(a),
    ci95,
    p_value: permutationTest(a, b, opts).p,
    verdict,
  };
}
