// Run groups (docs/DESIGN.md §7, §10 for the statistics): the same config trained on several seeds. What the page draws of
// a group (per step, the mean over seeds with a 95% t interval) and what it says when two groups are
// compared (per summary metric, the difference of means with its bootstrap interval and permutation
// p-value, in one sentence a reader can act on).

import type { MetricKey, MetricsRow } from './metrics';
import { compareSamples, mean, type Comparison } from './stats';
import { runSummary } from './summary';

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom; beyond, the normal's 1.96 is within 2%. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
export const tQuantile975 = (df: number): number => (df < 1 ? NaN : df <= T975.length ? T975[df - 1] : 1.96);

export interface BandPoint {
  step: number;
  mean: number;
  lo: number;
  hi: number;
  n: number; // seeds that logged the metric at this step
}

/**
 * Per step, the mean of a metric over the seeds that logged it and the 95% t interval of that mean
 * (mean ± t·s/√n). A t interval rather than a bootstrap: with 2–5 seeds a percentile bootstrap is
 * too narrow, and it is cheap enough to redraw at every step. One seed gives a zero-width band.
 */
export function bandOverSeeds(seeds: readonly (readonly MetricsRow[])[], key: MetricKey): BandPoint[] {
  const byStep = new Map<number, number[]>();
  for (const rows of seeds) {
    for (const r of rows) {
      const v = r[key];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const vs = byStep.get(r.step) ?? [];
      vs.push(v);
      byStep.set(r.step, vs);
    }
  }
  return [...byStep.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([step, vs]) => {
      const m = mean(vs);
      const n = vs.length;
      if (n < 2) return { step, mean: m, lo: m, hi: m, n };
      const sd = Math.sqrt(vs.reduce((s, v) => s + (v - m) ** 2, 0) / (n - 1));
      const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
      return { step, mean: m, lo: m - half, hi: m + half, n };
    });
}

/** One row per step holding, for every metric, its mean over the seeds that logged it (for charts that draw one line per run). */
export function meanRows(seeds: readonly (readonly MetricsRow[])[]): MetricsRow[] {
  const sums = new Map<number, Map<MetricKey, [number, number]>>();
  for (const rows of seeds) {
    for (const r of rows) {
      const at = sums.get(r.step) ?? new Map<MetricKey, [number, number]>();
      sums.set(r.step, at);
      for (const [k, v] of Object.entries(r) as [MetricKey, unknown][]) {
        if (k === 'step' || typeof v !== 'number' || !Number.isFinite(v)) continue;
        const [s, n] = at.get(k) ?? [0, 0];
        at.set(k, [s + v, n + 1]);
      }
    }
  }
  return [...sums.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([step, at]) => {
      const row: MetricsRow = { step };
      for (const [k, [s, n]] of at) row[k] = s / n;
      return row;
    });
}

export interface CompareMetric {
  name: string; // a runSummary name
  label: string;
  unit: string; // after the interval, e.g. " nats"; "" for fractions
  digits: number;
}

/** The final numbers a reward-design comparison turns on, in the order the page lists them. */
export const COMPARE_METRICS: readonly CompareMetric[] = [
  { name: 'accuracy_final', label: 'accuracy', unit: '', digits: 2 },
  { name: 'pass@k_final', label: 'pass@k', unit: '', digits: 2 },
  { name: 'entropy_final', label: 'entropy', unit: ' nats', digits: 2 },
  { name: 'mean_length_final', label: 'mean length', unit: ' tokens', digits: 1 },
  { name: 'reward_final', label: 'reward', unit: '', digits: 2 },
];

export interface MetricDifference {
  metric: CompareMetric;
  comparison: Comparison;
  seedsA: number;
  seedsB: number;
}

/** Each side's per-seed values of a summary metric; seeds whose summary lacks it (no step-0 evaluation yet) are left out. */
function perSeed(side: readonly MetricsRow[][], name: string): number[] {
  const out: number[] = [];
  for (const rows of side) {
    try {
      const v = runSummary(rows)[name];
      if (Number.isFinite(v)) out.push(v);
    } catch {
      // a run without the rows a summary needs (not started, or imported without evaluations)
    }
  }
  return out;
}

/** B against A on every comparable metric (diff = mean(B) − mean(A)); a metric either side lacks is skipped. */
export function compareGroups(a: readonly MetricsRow[][], b: readonly MetricsRow[][]): MetricDifference[] {
  const out: MetricDifference[] = [];
  for (const metric of COMPARE_METRICS) {
    const va = perSeed(a, metric.name);
    const vb = perSeed(b, metric.name);
    if (va.length === 0 || vb.length === 0) continue;
    out.push({ metric, comparison: compareSamples(va, vb), seedsA: va.length, seedsB: vb.length });
  }
  return out;
}

const MINUS = '\u2212';
const signed = (x: number, digits: number) => {
  const s = Math.abs(x).toFixed(digits);
  if (Number(s) === 0) return s;
  return `${x < 0 ? MINUS : '+'}${s}`;
};
const fmtP = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(p < 0.1 ? 3 : 2)}`);

/**
 * One metric's verdict as a sentence. Decided when the 95% interval of B − A excludes 0 and each side
 * has at least 2 seeds (one seed has no spread, so its interval says nothing):
 * "B keeps entropy higher: +0.42 [+0.30, +0.55] nats over 5 seeds each (p = 0.008)";
 * otherwise "accuracy: undecided, −0.02 [−0.08, +0.04] over 5 seeds each (p = 0.55) — add seeds".
 */
export function verdictSentence(d: MetricDifference, names: { a: string; b: string }): string {
  const { metric, comparison: c, seedsA, seedsB } = d;
  const f = (x: number) => signed(x, metric.digits);
  const seeds = seedsA === seedsB ? `${seedsA} seed${seedsA === 1 ? '' : 's'} each` : `${seedsA} and ${seedsB} seeds`;
  const numbers = `${f(c.diff)} [${f(c.ci95[0])}, ${f(c.ci95[1])}]${metric.unit} over ${seeds} (${fmtP(c.p_value)})`;
  const decided = c.verdict !== 'undecided' && Math.min(seedsA, seedsB) >= 2;
  if (!decided) return `${metric.label}: undecided, ${numbers} — add seeds`;
  const winner = c.verdict === 'B higher' ? names.b : names.a;
  return `${winner} keeps ${metric.label} higher: ${numbers}`;
}
