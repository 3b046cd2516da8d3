// The one place that names each metric (docs/DESIGN.md §5). TRL's names where TRL has one.

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
  'kl',
  'clip_ratio/low_mean',
  'clip_ratio/high_mean',
  'clip_ratio/region_mean',
  'policy_loss',
  'grad_norm',
  'cov',
  'entropy_delta',
  'entropy_coef',
  'accuracy', // greedy, held-out prompts (eval steps only)
  'pass@k', // unbiased, held-out (eval steps only)
  'step_time_ms',
  'tokens_per_s',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

/** One step's row. Reward components add `rewards/<component>/mean`. Eval-only metrics are absent on other steps. */
export type MetricsRow = Partial<Record<MetricName, number>> & { step: number } & Record<string, number>;

export const rewardComponentMetric = (component: string) => `rewards/${component}/mean`;
