// A run's whole configuration, validated with zod: what presets, config files, the CLI `train`
// command, the page's sidebar and the shareable URL all read and write. Names follow TRL/verl
// where they have one (docs/DESIGN.md §5). Numeric defaults and ranges come from configTable.ts.

import { z } from 'zod';
import { MODEL_SIZE_NAMES, MODEL_SIZES, type ModelSize } from '../models/config';
import { KL_ESTIMATORS } from '../models/engine';
import {
  describeRange,
  inRange,
  NUMERIC_FIELDS,
  REWARD_PARAMS,
  type NumericField,
  type NumericFieldName,
} from './configTable';
import { TASKS } from './tasks/index';

export const TASK_NAMES = ['add', 'sort', 'reverse', 'add-scratch', 'countdown', 'reverse-long'] as const;
export type TaskName = (typeof TASK_NAMES)[number];
export const ADVANTAGE_ESTIMATORS = ['grpo', 'rloo', 'reinforce++', 'reinforce++-baseline'] as const;
export const SCALE_REWARDS = ['group', 'batch', 'none'] as const;
export const LOSS_AGG_MODES = [
  'token-mean',
  'seq-mean-token-mean',
  'seq-mean-token-sum',
  'seq-mean-token-sum-norm',
] as const;
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

/** A number inside its range in the table; anything else is refused with the range named. */
function inTableRange(name: NumericFieldName) {
  const f: NumericField = NUMERIC_FIELDS[name];
  return z.number().check((ctx) => {
    if (!inRange(f, ctx.value)) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `must be ${describeRange(f)}, got ${ctx.value}` });
    }
  });
}

/** A numeric setting with its table default. */
const num = (name: Exclude<NumericFieldName, 'dualClip'>) => inTableRange(name).default(NUMERIC_FIELDS[name].default);

export const RewardTermSchema = z
  .object({
    component: z.enum(REWARD_COMPONENTS),
    weight: z.number().finite(),
    params: z.record(z.string(), z.number().finite()).default({}),
  })
  .check((ctx) => {
    const { component, params } = ctx.value;
    const known = REWARD_PARAMS[component];
    for (const [name, v] of Object.entries(params)) {
      const f = known[name];
      const message = !f
        ? `${component} has no parameter "${name}" (${Object.keys(known).join(', ') || 'it takes none'})`
        : !inRange(f, v)
          ? `${component} parameter ${name} must be ${describeRange(f)}, got ${v}`
          : null;
      if (message) ctx.issues.push({ code: 'custom', input: v, path: ['params', name], message });
    }
  });
export type RewardTerm = z.infer<typeof RewardTermSchema>;

/** Tokens of the longest prompt of a task, <bos> included: with maxNewTokens it must fit the model's context. */
export const promptTokens = (task: TaskName): number => 1 + TASKS[task].maxPromptLength;

/** The largest maxNewTokens that keeps the longest prompt plus its completion within the model's blockSize. */
export const maxNewTokensFor = (task: TaskName, model: ModelSize): number =>
  MODEL_SIZES[model].blockSize - promptTokens(task);

export const RunConfigSchema = z
  .object({
    name: z.string().default('run'),
    seed: num('seed'),
    task: z.enum(TASK_NAMES).default('add'),
    model: z.enum(MODEL_SIZE_NAMES).default('small'),
    /** Start from the task's base checkpoint (baseCheckpointPath) or a fresh init. */
    init: z.enum(['base', 'scratch']).default('base'),
    steps: num('steps'),

    // rollout
    promptsPerStep: num('promptsPerStep'),
    groupSize: num('groupSize'),
    temperature: num('temperature'),
    topK: num('topK'),
    maxNewTokens: num('maxNewTokens'),

    // reward shape
    reward: z
      .array(RewardTermSchema)
      .min(1)
      .default([{ component: 'correctness', weight: 1, params: {} }]),
    userRewardCode: z.string().default(''),

    // advantages
    advantage: z.enum(ADVANTAGE_ESTIMATORS).default('grpo'),
    scaleRewards: z.enum(SCALE_REWARDS).default('group'),
    lambdaPos: num('lambdaPos'),
    lambdaNeg: num('lambdaNeg'),

    // policy loss
    ppoEpochs: num('ppoEpochs'),
    miniBatches: num('miniBatches'),
    epsLow: num('epsLow'),
    epsHigh: num('epsHigh'),
    dualClip: inTableRange('dualClip').nullable().default(NUMERIC_FIELDS.dualClip.default),
    lossAgg: z.enum(LOSS_AGG_MODES).default('seq-mean-token-mean'),
    policyLoss: z.enum(POLICY_LOSS_MODES).default('vanilla'),
    clipCovRatio: num('clipCovRatio'),
    clipCovLb: num('clipCovLb'),
    clipCovUb: num('clipCovUb'),
    klCovRatio: num('klCovRatio'),
    klCovCoef: num('klCovCoef'),

    // KL to the frozen reference
    klCoef: num('klCoef'),
    klEstimator: z.enum(KL_ESTIMATORS).default('k3'),

    // entropy control
    entropyCoef: num('entropyCoef'),
    adaptiveEntropy: z.boolean().default(false),
    entropyTarget: num('entropyTarget'),
    entropyCoefDelta: num('entropyCoefDelta'),
    entropyCoefMax: num('entropyCoefMax'),
    topEntropyQuantile: num('topEntropyQuantile'),

    // batch shaping
    maskTruncatedCompletions: z.boolean().default(false),
    dynamicSampling: z.boolean().default(false),
    dynamicSamplingMaxRefills: num('dynamicSamplingMaxRefills'),

    // optimizer
    lr: num('lr'),
    beta1: num('beta1'),
    beta2: num('beta2'),
    weightDecay: num('weightDecay'),
    gradClip: num('gradClip'),

    // evaluation
    evalEvery: num('evalEvery'),
    evalPrompts: num('evalPrompts'),
    passK: num('passK'),
    passN: num('passN'),
  })
  .refine((c) => c.passN >= c.passK, { message: 'passN must be ≥ passK', path: ['passN'] })
  .refine((c) => c.clipCovLb < c.clipCovUb, {
    error: (iss) => {
      const c = iss.input as { clipCovLb: number; clipCovUb: number };
      return `must be above clipCovLb = ${c.clipCovLb}, got ${c.clipCovUb}`;
    },
    path: ['clipCovUb'],
  })
  .refine((c) => c.maxNewTokens <= maxNewTokensFor(c.task, c.model), {
    error: (iss) => {
      const c = iss.input as { task: TaskName; model: ModelSize; maxNewTokens: number };
      return (
        `must be at most ${maxNewTokensFor(c.task, c.model)} for ${c.task} on the ${c.model} model ` +
        `(${promptTokens(c.task)} prompt tokens + maxNewTokens ≤ its context of ${MODEL_SIZES[c.model].blockSize}), got ${c.maxNewTokens}`
      );
    },
    path: ['maxNewTokens'],
  })
  .refine((c) => !c.reward.some((t) => t.component === 'user-code') || c.userRewardCode.trim() !== '', {
    message: 'a user-code reward term needs userRewardCode',
    path: ['userRewardCode'],
  });

export type RunConfig = z.infer<typeof RunConfigSchema>;

/** Parse with defaults; errors name the field ("lr: must be a number in [0.00001, 0.01], got 5"). */
export function parseRunConfig(input: unknown): RunConfig {
  const r = RunConfigSchema.safeParse(input);
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
    throw new Error(`invalid run config: ${msg}`);
  }
  return r.data;
}

// Base checkpoints live in public/checkpoints, which the page serves as /checkpoints.
const CHECKPOINTS = 'checkpoints';
export const BASE_CHECKPOINT_DIR = `public/${CHECKPOINTS}`;

/** A task's base checkpoint for a model size: `<dir>/<task>-<model>.safetensors` (made by `npm run make-bases`). */
export function baseCheckpointPath(c: { task: string; model: string }, dir: string = BASE_CHECKPOINT_DIR): string {
  return `${dir}/${c.task}-${c.model}.safetensors`;
}

/** The page's URL of a base checkpoint. */
export const baseCheckpointUrl = (c: { task: string; model: string }): string =>
  baseCheckpointPath(c, `/${CHECKPOINTS}`);
