// The one place that names each metric (docs/DESIGN.md §5). TRL's names where TRL has one. A row's
// type admits exactly these names, so a misspelt one does not compile (metrics.test.ts).

/** The loss metrics and grad norm of a step's updates (averaged over its passes), in row order. */
export const UPDATE_METRIC_NAMES = [
  'kl',
  'clip_ratio/low_mean',
  'clip_ratio/high_mean',
  'clip_ratio/region_mean',
  'policy_loss',
  'grad_norm',
  'cov',
] as const;

export const METRIC_NAMES = [
  'step',
  'reward',
  'reward_std',
  'frac_reward_zero_std',
  'completions/mean_length',
  'completions/min_length',
  'completions/max_length',
  'completions/clipped_ratio',
  'completions/mean_terminated_length',
  'entropy',
  ...UPDATE_METRIC_NAMES,
  'entropy_delta',
  'entropy_coef',
  'accuracy', // greedy, held-out prompts (eval steps only)
  'pass@k', // unbiased, held-out (eval steps only)
  'step_time_ms',
  'tokens_per_s',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

/**
 * The phases of a trainer step, in order, each timed as `timing/<phase>_ms` (eval only on eval steps):
 * held-out evaluation, generation, scoring, reference and rollout-policy log-probs, the updates.
 */
export const TIMING_PHASES = ['eval', 'rollout', 'reward', 'reference', 'update'] as const;
export type TimingPhase = (typeof TIMING_PHASES)[number];

/** The mean of one reward component's (unweighted) values over the step's completions. */
export type RewardComponentMetric = `rewards/${string}/mean`;
/**
 * The device's kernel time within the step (timestamp queries; Engine.takeKernelTimeMs), inside the
 * phases' wall time rather than a phase of its own. Absent where the device cannot tell.
 */
export const KERNEL_TIME_METRIC = 'timing/gpu_ms';
export type TimingMetric = `timing/${TimingPhase}_ms` | typeof KERNEL_TIME_METRIC;

/** Every name a metrics row may carry. */
export type MetricKey = MetricName | RewardComponentMetric | TimingMetric;

/** One step's row. Eval-only metrics, reward components and timings are absent where not measured. */
export type MetricsRow = { step: number } & { [K in Exclude<MetricKey, 'step'>]?: number };

export const rewardComponentMetric = (component: string): RewardComponentMetric => `rewards/${component}/mean`;
export const timingMetric = (phase: TimingPhase): TimingMetric => `timing/${phase}_ms`;

export const isRewardComponentMetric = (name: string): name is RewardComponentMetric =>
  /^rewards\/.+\/mean$/.test(name);

/** Whether a string (e.g. a key of an imported row) is a metric name. */
export function isMetricKey(name: string): name is MetricKey {
  return (
    (METRIC_NAMES as readonly string[]).includes(name) ||
    isRewardComponentMetric(name) ||
    TIMING_PHASES.some((p) => name === timingMetric(p)) ||
    name === KERNEL_TIME_METRIC
  );
}
