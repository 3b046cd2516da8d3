// A run's whole configuration, validated with zod: what presets, config files, the CLI `train`
// command, the page's sidebar and the shareable URL all read and write. Names follow TRL/verl
// where they have one (docs/DESIGN.md §5).

import { z } from 'zod';

export const TASK_NAMES = ['add', 'sort', 'reverse', 'add-scratch', 'countdown', 'reverse-long'] as const;
export const MODEL_SIZE_NAMES = ['tiny', 'small', 'medium'] as const;
export const ADVANTAGE_ESTIMATORS = ['grpo', 'rloo', 'reinforce++', 'reinforce++-baseline'] as const;
export const SCALE_REWARDS = ['group', 'batch', 'none'] as const;
export const LOSS_AGG_MODES = [
  'token-mean',
  'seq-mean-token-mean',
  'seq-mean-token-sum',
  'seq-mean-token-sum-norm',
] as const;
export const KL_ESTIMATORS = ['k1', 'k2', 'k3'] as const;
export const POLICY_LOSS_MODES = ['vanilla', 'clip-cov', 'kl-cov'] as const;

/** Reward components by name (src/rl/rewards/components.ts implements each). */
export const REWARD_COMPONENTS = [
  'correctness', // 1 if the verifier says correct
  'partial', // verifier's partial credit
  'format', // 1 if the completion parses
  'length-truncation', // DLER: reward 0 when length > target (applied as a multiplier on correctness: −correctness)
  'length-linear', // −length / L
  'length-overlong', // DAPO soft overlong penalty over the last `cache` tokens before L
  'length-grpo-lambda', // GRPO-λ: length penalty only when the group's accuracy ≥ threshold
  'length-drpo', // DRPO-style: among correct answers, length normalised within the group
  'random', // spurious: Bernoulli(p)
  'flipped-label', // spurious: correctness flipped with probability q
  'format-only', // spurious: format, regardless of correctness
  'proxy-contains', // gameable proxy: the answer appears anywhere in the completion
  'user-code', // JavaScript in the QuickJS sandbox
] as const;
export type RewardComponentName = (typeof REWARD_COMPONENTS)[number];

export const RewardTermSchema = z.object({
  component: z.enum(REWARD_COMPONENTS),
  weight: z.number().finite(),
  params: z.record(z.string(), z.number().finite()).default({}),
});
export type RewardTerm = z.infer<typeof RewardTermSchema>;

export const RunConfigSchema = z
  .object({
    name: z.string().default('run'),
    seed: z.number().int().nonnegative().default(1),
    task: z.enum(TASK_NAMES).default('add'),
    model: z.enum(MODEL_SIZE_NAMES).default('small'),
    /** Start from the task's base checkpoint (public/checkpoints/<task>-<model>.safetensors) or a fresh init. */
    init: z.enum(['base', 'scratch']).default('base'),
    steps: z.number().int().positive().default(60),

    // rollout
    promptsPerStep: z.number().int().positive().default(8), // P
    groupSize: z.number().int().min(2).default(8), // G
    temperature: z.number().min(0).max(5).default(1), // τ
    topK: z.number().int().nonnegative().default(0),
    maxNewTokens: z.number().int().positive().default(16), // L

    // reward shape
    reward: z
      .array(RewardTermSchema)
      .min(1)
      .default([{ component: 'correctness', weight: 1, params: {} }]),
    userRewardCode: z.string().default(''),

    // advantages
    advantage: z.enum(ADVANTAGE_ESTIMATORS).default('grpo'),
    scaleRewards: z.enum(SCALE_REWARDS).default('group'),
    lambdaPos: z.number().min(0).default(1), // PSR weight
    lambdaNeg: z.number().min(0).default(1), // NSR weight

    // policy loss
    ppoEpochs: z.number().int().positive().default(1), // μ
    miniBatches: z.number().int().positive().default(1),
    epsLow: z.number().min(0).default(0.2),
    epsHigh: z.number().min(0).default(0.2), // DAPO clip-higher: 0.28
    dualClip: z.number().min(1).nullable().default(null), // c, verl's clip_ratio_c (3.0)
    lossAgg: z.enum(LOSS_AGG_MODES).default('seq-mean-token-mean'),
    policyLoss: z.enum(POLICY_LOSS_MODES).default('vanilla'),
    clipCovRatio: z.number().min(1e-4).max(0.2).default(0.02),
    clipCovLb: z.number().default(1),
    clipCovUb: z.number().default(5),
    klCovRatio: z.number().min(1e-4).max(0.2).default(0.02),
    klCovCoef: z.number().min(0).default(1), // k, verl's ppo_kl_coef

    // KL to the frozen reference
    klCoef: z.number().min(0).default(0), // β
    klEstimator: z.enum(KL_ESTIMATORS).default('k3'),

    // entropy control
    entropyCoef: z.number().min(0).default(0), // α
    adaptiveEntropy: z.boolean().default(false),
    entropyTarget: z.number().min(0).default(0.5),
    entropyCoefDelta: z.number().min(0).default(1e-3), // δ
    entropyCoefMax: z.number().min(0).default(0.05), // α_max
    topEntropyQuantile: z.number().gt(0).max(1).default(1), // q: 1 = every token gets the PG term

    // batch shaping
    maskTruncatedCompletions: z.boolean().default(false),
    dynamicSampling: z.boolean().default(false),
    dynamicSamplingMaxRefills: z.number().int().nonnegative().default(3),

    // optimizer
    lr: z.number().positive().default(1e-3),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    weightDecay: z.number().min(0).default(0),
    gradClip: z.number().min(0).default(1),

    // evaluation
    evalEvery: z.number().int().positive().default(5),
    evalPrompts: z.number().int().positive().default(64),
    passK: z.number().int().positive().default(4), // k of pass@k
    passN: z.number().int().positive().default(8), // samples per prompt for pass@k (n ≥ k)
  })
  .refine((c) => c.passN >= c.passK, { message: 'passN must be ≥ passK', path: ['passN'] })
  .refine((c) => !c.reward.some((t) => t.component === 'user-code') || c.userRewardCode.trim() !== '', {
    message: 'a user-code reward term needs userRewardCode',
    path: ['userRewardCode'],
  });

export type RunConfig = z.infer<typeof RunConfigSchema>;

/** Parse with defaults; errors name the field ("lr: Too small …"). */
export function parseRunConfig(input: unknown): RunConfig {
  const r = RunConfigSchema.safeParse(input);
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
    throw new Error(`invalid run config: ${msg}`);
  }
  return r.data;
}
