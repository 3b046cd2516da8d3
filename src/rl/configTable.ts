// Every numeric setting of a run, once: its default and the range that makes sense at toy scale
// (small models, short answers). RunConfigSchema (config.ts) is built from this table and refuses
// values outside it; the sidebar's controls (src/ui/components/controlSpecs.ts), the shareable link
// (src/ui/url/query.ts) and the CLI read their bounds from here. Likewise the reward components'
// parameters (src/rl/rewards/components.ts reads their defaults from REWARD_PARAMS).

import type { RewardComponentName } from './config';

export interface NumericField {
  default: number | null; // null: the setting is off unless given (dualClip)
  min: number; // inclusive
  max: number; // inclusive
  integer?: boolean;
  log?: boolean; // spans decades: a slider moves in log space
}

export const NUMERIC_FIELDS = {
  seed: { default: 1, min: 0, max: 0xffffffff, integer: true }, // the 32-bit word the hash-based Rng takes
  steps: { default: 60, min: 1, max: 5000, integer: true },

  // rollout
  promptsPerStep: { default: 8, min: 1, max: 64, integer: true }, // P
  groupSize: { default: 8, min: 2, max: 32, integer: true }, // G
  temperature: { default: 1, min: 0, max: 2 }, // τ; 0 = greedy rollouts (every group agrees)
  topK: { default: 0, min: 0, max: 32, integer: true },
  maxNewTokens: { default: 16, min: 2, max: 48, integer: true }, // L; also within the model's context

  // advantages
  lambdaPos: { default: 1, min: 0, max: 2 }, // PSR weight
  lambdaNeg: { default: 1, min: 0, max: 2 }, // NSR weight

  // policy loss
  ppoEpochs: { default: 1, min: 1, max: 8, integer: true }, // μ
  miniBatches: { default: 1, min: 1, max: 16, integer: true },
  epsLow: { default: 0.2, min: 0, max: 0.5 },
  epsHigh: { default: 0.2, min: 0, max: 0.5 }, // DAPO clip-higher: 0.28
  dualClip: { default: null, min: 1, max: 10 }, // c, verl's clip_ratio_c (3)
  clipCovRatio: { default: 0.02, min: 1e-4, max: 0.2, log: true },
  clipCovLb: { default: 1, min: -10, max: 10 },
  clipCovUb: { default: 5, min: 0, max: 20 },
  klCovRatio: { default: 0.02, min: 1e-4, max: 0.2, log: true },
  klCovCoef: { default: 1, min: 0, max: 5 }, // k, verl's ppo_kl_coef

  // KL to the frozen reference
  klCoef: { default: 0, min: 0, max: 0.5 }, // β

  // entropy control
  entropyCoef: { default: 0, min: 0, max: 0.05 }, // α
  entropyTarget: { default: 0.5, min: 0, max: 2 },
  entropyCoefDelta: { default: 1e-3, min: 0, max: 0.01 }, // δ
  entropyCoefMax: { default: 0.05, min: 0, max: 0.2 }, // α_max
  topEntropyQuantile: { default: 1, min: 0.05, max: 1 }, // q: 1 = every token gets the PG term

  // batch shaping
  dynamicSamplingMaxRefills: { default: 3, min: 0, max: 20, integer: true },

  // optimizer
  lr: { default: 1e-3, min: 1e-5, max: 1e-2, log: true },
  beta1: { default: 0.9, min: 0, max: 0.99 },
  beta2: { default: 0.999, min: 0.9, max: 0.9999 },
  weightDecay: { default: 0, min: 0, max: 0.2 },
  gradClip: { default: 1, min: 0, max: 5 }, // 0 = off

  // evaluation
  evalEvery: { default: 5, min: 1, max: 100, integer: true },
  evalPrompts: { default: 64, min: 1, max: 256, integer: true },
  passK: { default: 4, min: 1, max: 8, integer: true }, // k of pass@k
  passN: { default: 8, min: 1, max: 32, integer: true }, // samples per prompt for pass@k (n ≥ k)
} as const satisfies Record<string, NumericField>;

export type NumericFieldName = keyof typeof NUMERIC_FIELDS;

/** Seeds a run group trains (a page setting, `seeds=` in the link): seeds s, s+1, … of the config's seed s. */
export const SEEDS_FIELD = { default: 1, min: 1, max: 16, integer: true } as const satisfies NumericField;

/** "an integer in [1, 5000]" / "a number in [0.00001, 0.01]". */
export function describeRange(f: Pick<NumericField, 'min' | 'max' | 'integer'>): string {
  return `${f.integer ? 'an integer' : 'a number'} in [${f.min}, ${f.max}]`;
}

/** Whether v is a finite number (an integer where asked) inside the field's range. */
export function inRange(f: Pick<NumericField, 'min' | 'max' | 'integer'>, v: number): boolean {
  return Number.isFinite(v) && (!f.integer || Number.isInteger(v)) && v >= f.min && v <= f.max;
}

/** A reward component's parameter; without a default it is a length L that defaults to the run's maxNewTokens. */
export interface RewardParamField {
  default?: number;
  min: number;
  max: number;
  integer?: boolean;
}

const LENGTH_SCALE: RewardParamField = { min: 1, max: 48 }; // L, in tokens, as maxNewTokens

/** The parameters each reward component reads; any other name in a reward term is refused. */
export const REWARD_PARAMS: Record<RewardComponentName, Record<string, RewardParamField>> = {
  correctness: {},
  partial: {},
  format: {},
  'length-truncation': { target: { default: 8, min: 1, max: 48 } },
  'length-linear': { L: LENGTH_SCALE },
  'length-overlong': { cache: { default: 4, min: 1, max: 32 }, L: LENGTH_SCALE },
  'length-grpo-lambda': { threshold: { default: 0.5, min: 0, max: 1 }, L: LENGTH_SCALE },
  'length-drpo': {},
  random: { p: { default: 0.5, min: 0, max: 1 } },
  'flipped-label': { q: { default: 0.2, min: 0, max: 1 } },
  'format-only': {},
  'proxy-contains': {},
  'user-code': {},
};

/** A reward parameter's value: the term's own, else the table's default. */
export function rewardParam(
  component: RewardComponentName,
  params: Readonly<Record<string, number>>,
  name: string,
): number {
  const given = params[name];
  if (given !== undefined) return given;
  const d = REWARD_PARAMS[component][name]?.default;
  if (d === undefined) throw new Error(`reward component ${component} has no default for parameter ${name}`);
  return d;
}
