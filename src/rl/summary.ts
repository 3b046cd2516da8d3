// What a run comes to, as the few numbers a seed sweep compares (docs/DESIGN.md §10): held-out
// accuracy and pass@k at the start and at the end, and rollout metrics (entropy, length, reward,
// ...) over the first and the last few steps, since one step's rollout is noisy.

import type { MetricKey, MetricsRow } from './metrics';
import { summarize, type MeanSummary } from './stats';

/** Rollout metrics average this many steps at each end of a run. */
export const SUMMARY_WINDOW = 3;

/** Evaluation metrics: start = the step-0 evaluation (before any update), final = the evaluation of the final weights. */
const EVAL_METRICS: Record<string, MetricKey> = { accuracy: 'accuracy', 'pass@k': 'pass@k' };

/** Rollout metrics: start = mean of the first SUMMARY_WINDOW steps, final = mean of the last SUMMARY_WINDOW. */
const ROLLOUT_METRICS: Record<string, MetricKey> = {
  entropy: 'entropy',
  mean_length: 'completions/mean_length',
  reward: 'reward',
  clipped_ratio: 'completions/clipped_ratio',
  frac_reward_zero_std: 'frac_reward_zero_std',
  kl: 'kl',
};

/** Every name runSummary gives, in the order tables list them. */
export const SUMMARY_METRICS: readonly string[] = [
  ...Object.keys(EVAL_METRICS).flatMap((m) => [`${m}_start`, `${m}_final`, `${m}_gain`]),
  ...Object.keys(ROLLOUT_METRICS).flatMap((m) => [`${m}_start`, `${m}_final`]),
];

const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** One run's summary numbers from its metrics rows (as `train` writes them to metrics.jsonl). */
export function runSummary(rows: MetricsRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, metric] of Object.entries(EVAL_METRICS)) {
    const evals = rows.filter((r) => typeof r[metric] === 'number') as (MetricsRow & Record<MetricKey, number>)[];
    if (evals.length === 0 || evals[0].step !== 0) throw new Error(`the run has no step-0 ${metric} evaluation`);
    const start = evals[0][metric];
    const final = evals[evals.length - 1][metric];
    out[`${name}_start`] = start;
    out[`${name}_final`] = final;
    out[`${name}_gain`] = final - start;
  }
  for (const [name, metric] of Object.entries(ROLLOUT_METRICS)) {
    const values = rows.flatMap((r) => (metric in r ? [r[metric] as number] : []));
    if (values.length === 0) throw new Error(`the run has no ${metric} rows`);
    out[`${name}_start`] = avg(values.slice(0, SUMMARY_WINDOW));
    out[`${name}_final`] = avg(values.slice(-SUMMARY_WINDOW));
  }
  return out;
}

export interface SweepSummary {
  preset: string;
  seeds: number[];
  metrics: Record<string, MeanSummary>;
}

/** Seeds' summaries side by side: per metric, the per-seed values (in seed order), their mean, IQM and bootstrap 95% interval. */
export function sweepSummary(preset: string, seeds: number[], runs: Record<string, number>[]): SweepSummary {
  const metrics: Record<string, MeanSummary> = {};
  for (const name of SUMMARY_METRICS) metrics[name] = summarize(runs.map((r) => r[name]));
  return { preset, seeds: [...seeds], metrics };
}
