// What each sidebar control edits, its label, and a tooltip saying what it does and where it comes
// from. Ranges, integer and log flags come from the config table (src/rl/configTable.ts), the
// ranges that make sense at toy scale, which the run config itself enforces.

import type { RunConfig } from '../../rl/config';
import { NUMERIC_FIELDS, REWARD_PARAMS, type NumericField, type RewardParamField } from '../../rl/configTable';

type NumericKey = { [K in keyof RunConfig]: RunConfig[K] extends number ? K : never }[keyof RunConfig];

export interface NumberSpec {
  key: NumericKey;
  label: string;
  min: number;
  max: number;
  step: number; // for linear sliders and the number box
  log?: boolean; // slider moves in log space (learning rates, ratios)
  integer?: boolean;
  help: string; // what it does · the paper
}

/** A control for a table field: the label, step and help given here, the range from the table. */
function spec(s: Pick<NumberSpec, 'key' | 'label' | 'step' | 'help'>): NumberSpec {
  const f: NumericField = NUMERIC_FIELDS[s.key];
  return { ...s, min: f.min, max: f.max, log: f.log, integer: f.integer };
}

export const HYPER_PARAMS: NumberSpec[] = [
  spec({
    key: 'lr',
    label: 'Learning rate',
    step: 1e-5,
    help: 'AdamW step size. Too high and the policy collapses onto one answer within a few steps. (Loshchilov & Hutter, Decoupled Weight Decay Regularization)',
  }),
  spec({
    key: 'promptsPerStep',
    label: 'Prompts per step (P)',
    step: 1,
    help: 'How many prompts are sampled from the task each RL step. More prompts: less noisy updates, slower steps.',
  }),
  spec({
    key: 'groupSize',
    label: 'Group size (G)',
    step: 1,
    help: 'Completions sampled per prompt. GRPO compares each completion with the others of its group, so G replaces a value network. (Shao et al., DeepSeekMath)',
  }),
  spec({
    key: 'temperature',
    label: 'Temperature (τ)',
    step: 0.05,
    help: 'Sampling temperature of the rollouts. Higher: more varied completions and more exploration; lower: the group agrees and advantages vanish.',
  }),
  spec({
    key: 'topK',
    label: 'Top-k (0 = off)',
    step: 1,
    help: 'Rollouts sample only among the k most likely tokens (0 samples from the whole vocabulary). A cut-off hides the low-probability tokens exploration needs.',
  }),
  spec({
    key: 'maxNewTokens',
    label: 'Max new tokens (L)',
    step: 1,
    help: 'Longest completion; longer ones are cut and counted as truncated. Length penalties are measured against it.',
  }),
  spec({
    key: 'steps',
    label: 'Steps',
    step: 1,
    help: 'RL steps in the run. Raising it on a finished run and pressing Start continues that run.',
  }),
  spec({
    key: 'gradClip',
    label: 'Gradient clip',
    step: 0.1,
    help: 'Global gradient-norm clip before each AdamW step (0 = off).',
  }),
  spec({
    key: 'beta1',
    label: 'AdamW β1',
    step: 0.01,
    help: 'Momentum of the gradient mean in AdamW. (Kingma & Ba, Adam)',
  }),
  spec({
    key: 'beta2',
    label: 'AdamW β2',
    step: 0.0001,
    help: 'Momentum of the squared-gradient mean in AdamW; RL recipes often lower it (e.g. 0.99) to react faster. (Kingma & Ba, Adam)',
  }),
  spec({
    key: 'weightDecay',
    label: 'Weight decay',
    step: 0.01,
    help: 'Decoupled weight decay on weight matrices and embeddings (tensors of ≥ 2 dims, as in nanoGPT), not on biases or LayerNorm gains. (Loshchilov & Hutter, Decoupled Weight Decay Regularization)',
  }),
  spec({
    key: 'evalEvery',
    label: 'Evaluate every',
    step: 1,
    help: "Held-out greedy accuracy and pass@k are measured at step 0 and every this many steps (before that step's update).",
  }),
  spec({
    key: 'evalPrompts',
    label: 'Eval prompts',
    step: 1,
    help: 'Held-out prompts per evaluation. More: a steadier accuracy curve, slower eval steps.',
  }),
  spec({
    key: 'passK',
    label: 'pass@k: k',
    step: 1,
    help: 'k of pass@k (unbiased estimator over n samples per prompt): the chance one of k tries is right. PSR narrows it, NSR keeps it. (Chen et al., Evaluating Large Language Models Trained on Code)',
  }),
  spec({
    key: 'passN',
    label: 'pass@k: n',
    step: 1,
    help: 'Samples per held-out prompt for pass@k; n ≥ k. More samples: a less noisy estimate, slower evaluations. (Chen et al., Evaluating Large Language Models Trained on Code)',
  }),
  spec({
    key: 'seed',
    label: 'Seed',
    step: 1,
    help: 'Seeds prompts, sampling and the init: the same seed and config give the same run on the CPU engine.',
  }),
];

export const ALGORITHM_PARAMS: NumberSpec[] = [
  spec({
    key: 'ppoEpochs',
    label: 'Passes per batch (μ)',
    step: 1,
    help: 'Optimizer passes over each rollout batch. With μ > 1 the policy drifts from the one that sampled, and the clip starts to bite. (Schulman et al., PPO)',
  }),
  spec({
    key: 'miniBatches',
    label: 'Minibatches',
    step: 1,
    help: 'Split each pass over the batch into this many optimizer steps. More steps per rollout: faster drift from the sampling policy, more clipping. (Schulman et al., PPO)',
  }),
  spec({
    key: 'epsLow',
    label: 'Clip ε low',
    step: 0.01,
    help: 'Lower clip of the ratio π/π_old: 1 − ε. Limits how far a step can push a token down. (Schulman et al., PPO)',
  }),
  spec({
    key: 'epsHigh',
    label: 'Clip ε high',
    step: 0.01,
    help: 'Upper clip: 1 + ε. DAPO\'s "clip-higher" raises it to 0.28 so rare tokens can grow, which keeps entropy up. (Yu et al., DAPO)',
  }),
  spec({
    key: 'lambdaPos',
    label: 'Positive weight (λ+)',
    step: 0.05,
    help: 'Weight of completions with positive advantage. 0 = NSR only (learn only from mistakes). (Zhu et al., The Surprising Effectiveness of Negative Reinforcement in LLM Reasoning)',
  }),
  spec({
    key: 'lambdaNeg',
    label: 'Negative weight (λ−)',
    step: 0.05,
    help: 'Weight of completions with negative advantage. 0 = PSR only: raises pass@1 but narrows pass@k. (Zhu et al., The Surprising Effectiveness of Negative Reinforcement)',
  }),
  spec({
    key: 'klCoef',
    label: 'KL β',
    step: 0.005,
    help: 'Weight of the KL penalty to the frozen starting policy. Holds the policy near where it began; 0 = none, as in DAPO and Dr. GRPO. (Shao et al., DeepSeekMath)',
  }),
];

export const CLIP_COV_PARAMS: NumberSpec[] = [
  spec({
    key: 'clipCovRatio',
    label: 'Clip-Cov ratio',
    step: 1e-4,
    help: 'Fraction of tokens, among those with covariance in (lb, ub), whose gradient is detached. verl uses 0.0002 on long answers; at toy scale 0.02 touches a few tokens. (Cui et al., The Entropy Mechanism of RL for Reasoning LMs)',
  }),
  spec({
    key: 'clipCovLb',
    label: 'Clip-Cov lower bound',
    step: 0.1,
    help: 'Only tokens with cov above this can be detached. (Cui et al., The Entropy Mechanism of RL)',
  }),
  spec({
    key: 'clipCovUb',
    label: 'Clip-Cov upper bound',
    step: 0.1,
    help: 'Only tokens with cov below this can be detached. (Cui et al., The Entropy Mechanism of RL)',
  }),
];

export const KL_COV_PARAMS: NumberSpec[] = [
  spec({
    key: 'klCovRatio',
    label: 'KL-Cov ratio',
    step: 1e-4,
    help: 'Fraction of tokens with the highest covariance that get a KL penalty instead of the clip. (Cui et al., The Entropy Mechanism of RL for Reasoning LMs)',
  }),
  spec({
    key: 'klCovCoef',
    label: 'KL-Cov coefficient (k)',
    step: 0.1,
    help: "Strength of the penalty |log π − log π_old| on the selected tokens (verl's ppo_kl_coef). (Cui et al.)",
  }),
];

export const ENTROPY_PARAMS: NumberSpec[] = [
  spec({
    key: 'entropyCoef',
    label: 'Entropy bonus (α)',
    step: 0.0005,
    help: 'Adds −α·H to the loss: rewards the policy for staying uncertain. Too large and the outputs turn to noise.',
  }),
  spec({
    key: 'entropyTarget',
    label: 'Target entropy',
    step: 0.05,
    help: 'Adaptive α: raise α while the mean token entropy is below this, lower it above.',
  }),
  spec({
    key: 'entropyCoefDelta',
    label: 'α step (δ)',
    step: 0.0001,
    help: 'How much adaptive α moves per step.',
  }),
  spec({
    key: 'entropyCoefMax',
    label: 'α max',
    step: 0.005,
    help: 'Ceiling for adaptive α.',
  }),
  spec({
    key: 'topEntropyQuantile',
    label: 'Top-entropy tokens (q)',
    step: 0.05,
    help: 'Only the q most uncertain fraction of tokens get the policy gradient; 1 = all. (Wang et al., Beyond the 80/20 Rule: High-Entropy Minority Tokens Drive Effective RL)',
  }),
];

export const ADVANTAGE_HELP: Record<RunConfig['advantage'], string> = {
  grpo: 'GRPO: (r − group mean) / group std. (Shao et al., DeepSeekMath)',
  rloo: 'RLOO: r minus the mean of the other G−1 rewards of the group. (Ahmadian et al., Back to Basics: Revisiting REINFORCE-Style Optimization)',
  'reinforce++':
    'REINFORCE++: rewards whitened over the whole batch, token-weighted as verl does (a long completion counts once per token). (Hu, REINFORCE++)',
  'reinforce++-baseline':
    'REINFORCE++ with the group mean removed first, then whitened over the batch’s tokens as verl does. (Hu, REINFORCE++)',
};

export const SCALE_HELP: Record<RunConfig['scaleRewards'], string> = {
  group: "Divide by the group's std (GRPO).",
  batch: "Group mean, batch std: DLER's batch-wise normalisation. (DLER: Doing Length pEnalty Right)",
  none: 'No std division (Dr. GRPO: the std favours easy and impossible prompts). (Liu et al., Understanding R1-Zero-Like Training)',
};

export const LOSS_AGG_HELP: Record<RunConfig['lossAgg'], string> = {
  'token-mean': 'Mean over every token of the batch (DAPO; TRL "dapo"/"bnpo"): long answers weigh more.',
  'seq-mean-token-mean':
    'Mean per sequence, then over sequences (original GRPO; TRL "grpo"): each answer weighs the same, so long wrong answers are penalised less per token.',
  'seq-mean-token-sum': 'Sum per sequence, then mean over sequences.',
  'seq-mean-token-sum-norm':
    "Sum per sequence ÷ (sequences × L): Dr. GRPO's unbiased constant. (Liu et al., Understanding R1-Zero-Like Training)",
};

export const POLICY_LOSS_HELP: Record<RunConfig['policyLoss'], string> = {
  vanilla: 'PPO clipped surrogate.',
  'clip-cov':
    'Clip-Cov: detach a few tokens whose log-prob and advantage co-vary most; slows the entropy collapse. (Cui et al., The Entropy Mechanism of RL for Reasoning LMs)',
  'kl-cov': 'KL-Cov: no clip; a KL penalty on the highest-covariance tokens. (Cui et al.)',
};

export const KL_ESTIMATOR_HELP: Record<RunConfig['klEstimator'], string> = {
  k1: 'k1 = log π − log π_ref (unbiased, can be negative).',
  k2: 'k2 = ½(log π − log π_ref)².',
  k3: "k3 = e^Δ − Δ − 1, Δ = log π_ref − log π (GRPO's choice: unbiased and ≥ 0). (Schulman, Approximating KL Divergence)",
};

export interface RewardParamSpec {
  name: string;
  label: string;
  min: number;
  max: number;
  step: number;
  default: number;
}

/** A reward parameter's control: label and step here, range and default from REWARD_PARAMS. */
function rewardParamSpec(
  component: RunConfig['reward'][number]['component'],
  name: string,
  label: string,
  step: number,
): RewardParamSpec {
  const f: RewardParamField | undefined = REWARD_PARAMS[component][name];
  if (f?.default === undefined) throw new Error(`REWARD_PARAMS has no default for ${component}.${name}`);
  return { name, label, min: f.min, max: f.max, step, default: f.default };
}

/** What each reward component does, and the params the builder shows (L stays at its default, maxNewTokens). */
export const REWARD_COMPONENT_INFO: Record<
  RunConfig['reward'][number]['component'],
  { help: string; params: RewardParamSpec[] }
> = {
  correctness: { help: '1 when the verifier says the answer is right, else 0. The gold signal of RLVR.', params: [] },
  partial: { help: 'Partial credit in [0, 1]: the fraction of answer characters right.', params: [] },
  format: { help: "1 when the completion parses in the task's format.", params: [] },
  'length-truncation': {
    help: "DLER's truncation: a correct answer longer than the target earns nothing (adds −correctness). (DLER: Doing Length pEnalty Right)",
    params: [rewardParamSpec('length-truncation', 'target', 'target length', 1)],
  },
  'length-linear': { help: '−length / L: every token costs a little.', params: [] },
  'length-overlong': {
    help: "DAPO's soft overlong penalty: falls linearly from 0 to −1 over the last `cache` tokens before L. (Yu et al., DAPO)",
    params: [rewardParamSpec('length-overlong', 'cache', 'cache tokens', 1)],
  },
  'length-grpo-lambda': {
    help: 'GRPO-λ: a length penalty only in groups whose accuracy is at least the threshold; plain 0/1 otherwise. (Stable Reinforcement Learning for Efficient Reasoning)',
    params: [rewardParamSpec('length-grpo-lambda', 'threshold', 'group accuracy ≥', 0.05)],
  },
  'length-drpo': {
    help: "DRPO: length normalised among the group's correct answers only, so a long correct answer is never pushed below a wrong one. (DRPO: Efficient Reasoning via Decoupled Reward Policy Optimization)",
    params: [],
  },
  random: {
    help: 'Spurious: a coin flip with probability p, whatever the answer. (Shao et al., Spurious Rewards: Rethinking Training Signals in RLVR)',
    params: [rewardParamSpec('random', 'p', 'p', 0.05)],
  },
  'flipped-label': {
    help: 'Noisy: correctness flipped with probability q. (The Climb Carves Wisdom Deeper Than the Summit: On the Noisy Rewards in Learning to Reason)',
    params: [rewardParamSpec('flipped-label', 'q', 'q', 0.05)],
  },
  'format-only': { help: 'Spurious: rewards the format regardless of correctness. (Spurious Rewards)', params: [] },
  'proxy-contains': {
    help: 'Gameable proxy: credit when the answer appears anywhere in the completion. Watch reward rise while exact-match accuracy does not.',
    params: [],
  },
  'user-code': { help: 'Your own JavaScript reward function, run in a sandbox.', params: [] },
};
