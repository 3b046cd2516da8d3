// How every RunConfig field maps onto TRL's GRPOTrainer and verl's main_ppo: one entry per field
// per framework, typed as Record<keyof RunConfig, …> so a new field cannot be left out. Each entry
// gives the field's fate for this config (exact, approximate, none), the settings it writes
// (GRPOConfig keywords for TRL, Hydra overrides for verl) and what a person should know or do.
// The script writers (trl.ts, verl.ts) take their settings from here alone, so the README table
// and the scripts cannot disagree. Semantics on our side: docs/DESIGN.md §5; theirs: the sources
// named in src/cli/export/fixtures/.

import type { RunConfig } from '../config';
import { getTask } from '../tasks/index';
import { pyFloat, type PyFloat } from './shape';

export type Fate = 'exact' | 'approximate' | 'none';
export type SettingValue = string | number | boolean | null | PyFloat | number[] | string[] | PyFloat[];

export interface Mapped {
  fate: Fate;
  settings: Record<string, SettingValue>; // GRPOConfig keyword → value, or Hydra key → value
  note: string; // how it maps, or what to do instead
  inactive?: boolean; // the field has no effect in this config (e.g. Clip-Cov bounds under vanilla)
}

export type FieldMapping = Record<keyof RunConfig, (c: RunConfig, o: ExportOptions) => Mapped>;

export interface ExportOptions {
  model: string; // the Hugging Face model id (or the exported policy folder)
  policy: boolean; // the playground's own policy is exported as the model
}

/** The reward components whose value depends on the rest of the group. */
export const GROUP_COMPONENTS = ['length-grpo-lambda', 'length-drpo'] as const;
export const RANDOM_COMPONENTS = ['random', 'flipped-label'] as const;

const exact = (settings: Record<string, SettingValue>, note = ''): Mapped => ({ fate: 'exact', settings, note });
const approx = (settings: Record<string, SettingValue>, note: string): Mapped => ({
  fate: 'approximate',
  settings,
  note,
});
const none = (note: string, inactive = false): Mapped => ({ fate: 'none', settings: {}, note, inactive });
/** A setting that is off (or at its neutral value) needs nothing from the framework. */
const offExact = (note: string): Mapped => ({ fate: 'exact', settings: {}, note });
const inactive = (m: Mapped): Mapped => ({ ...m, inactive: true });

/** Completions per TRL optimizer step (P·G split into miniBatches). */
export function trlBatch(c: RunConfig): { perDevice: number; divides: boolean } {
  const total = c.promptsPerStep * c.groupSize;
  return { perDevice: Math.max(1, Math.round(total / c.miniBatches)), divides: total % c.miniBatches === 0 };
}

/** Prompts per verl mini-batch (ppo_mini_batch_size counts prompts; verl multiplies by rollout.n). */
export function verlMiniBatch(c: RunConfig): { prompts: number; divides: boolean } {
  return {
    prompts: Math.max(1, Math.round(c.promptsPerStep / c.miniBatches)),
    divides: c.promptsPerStep % c.miniBatches === 0,
  };
}

const hasComponent = (c: RunConfig, names: readonly string[]) => c.reward.some((t) => names.includes(t.component));
const modelNote = (o: ExportOptions) =>
  o.policy
    ? 'the playground policy itself, written to policy/ as a Hugging Face GPT-2 folder'
    : `${o.model} stands in for the playground’s GPT-2: a different network and tokenizer`;

// ---------------------------------------------------------------------------------------------

export const TRL_MAPPING: FieldMapping = {
  name: (c) => exact({ run_name: c.name, output_dir: `outputs/${c.name}` }),
  seed: (c) =>
    approx(
      { seed: c.seed },
      'seeds TRL, torch and the data order; the draws themselves differ from the playground’s counter-based Rng',
    ),
  task: (c) =>
    exact(
      {},
      `train.jsonl holds ${c.task} prompts with their answers; rewards.py ports the ${c.task} verifier (grpo_rewards.py)`,
    ),
  model: (c, o) => ({
    fate: o.policy ? 'exact' : 'approximate',
    settings: {},
    note: `model "${c.model}": ${modelNote(o)}`,
  }),
  init: (c, o) =>
    c.init === 'base'
      ? o.policy
        ? exact({}, 'policy/ holds the base checkpoint the run starts from')
        : approx({}, 'the Hugging Face model starts from its own pretrained weights, not the playground base')
      : none('from scratch: build the model with AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(MODEL))'),
  steps: (c) =>
    exact(
      { max_steps: c.steps * c.miniBatches * c.ppoEpochs },
      'TRL counts optimizer steps: steps × miniBatches × ppoEpochs',
    ),
  promptsPerStep: (c) => {
    const b = trlBatch(c);
    const note = `P·G = ${c.promptsPerStep * c.groupSize} completions per step, ${b.perDevice} per optimizer step (one process; with N processes divide per_device_train_batch_size by N)`;
    return b.divides
      ? exact({ per_device_train_batch_size: b.perDevice, gradient_accumulation_steps: 1 }, note)
      : approx(
          { per_device_train_batch_size: b.perDevice, gradient_accumulation_steps: 1 },
          `${note}; P·G is not a multiple of miniBatches, rounded`,
        );
  },
  groupSize: (c) => exact({ num_generations: c.groupSize }),
  temperature: (c) =>
    c.temperature > 0
      ? exact({ temperature: pyFloat(c.temperature) })
      : approx({ temperature: pyFloat(1e-5) }, 'TRL always samples; τ = 0 (greedy) is written as 1e-5'),
  topK: (c) => exact({ top_k: c.topK }, '0 = no top-k in both'),
  maxNewTokens: (c, o) => ({
    fate: o.policy ? 'exact' : 'approximate',
    settings: { max_completion_length: c.maxNewTokens },
    note: o.policy
      ? 'tokens = characters with the playground tokenizer'
      : 'TRL counts the model’s tokens; the rewards count characters (L in length components stays ' +
        `${c.maxNewTokens} characters)`,
  }),
  reward: (c) => {
    const weights = c.reward.map((t) => pyFloat(t.weight));
    const group = hasComponent(c, GROUP_COMPONENTS);
    const random = hasComponent(c, RANDOM_COMPONENTS);
    const notes = ['one reward function per term (rewards.REWARD_FUNCS), weighted by reward_weights'];
    if (group) {
      notes.push(
        'group terms see the completions of one prompt together (rows sharing the index column); ' +
          'exact on one process, a group split across processes is scored in parts',
      );
    }
    if (random) notes.push('random terms draw from grpo_rewards.Rng: the same law, other draws than a playground run');
    return { fate: random ? 'approximate' : 'exact', settings: { reward_weights: weights }, note: notes.join('; ') };
  },
  userRewardCode: (c) =>
    hasComponent(c, ['user-code'])
      ? approx(
          {},
          'carried as JavaScript and run by the quickjs package (pip install quickjs) with the page’s limits; ' +
            'its 50 ms is CPU time there, wall time in the page',
        )
      : inactive(offExact('no user-code term')),
  advantage: (c) => {
    switch (c.advantage) {
      case 'grpo':
        return exact({}, 'GRPO group-relative advantages (TRL divides by std + 1e-4, the playground by std + 1e-6)');
      case 'rloo':
        return exact(
          { scale_rewards: 'none' },
          'r − mean of the others = G/(G−1)·(r − group mean): scale_rewards="none" and train_trl.py’s ' +
            'GRPOTrainer subclass multiplies advantages by G/(G−1) (TRL also has a separate RLOOTrainer)',
        );
      case 'reinforce++':
        return approx(
          { scale_rewards: 'batch' },
          'no REINFORCE++ in GRPOTrainer: TRL still subtracts the group mean before dividing by the batch std',
        );
      case 'reinforce++-baseline':
        return approx(
          { scale_rewards: 'batch' },
          'TRL divides the group-centred rewards by the batch std of the raw rewards, REINFORCE++-baseline by that of the centred ones',
        );
    }
  },
  scaleRewards: (c) =>
    c.advantage === 'grpo'
      ? exact({ scale_rewards: c.scaleRewards })
      : inactive(offExact(`set by advantage "${c.advantage}"`)),
  lambdaPos: (c) =>
    c.lambdaPos === 1
      ? offExact('1: no weighting')
      : exact({}, 'train_trl.py’s GRPOTrainer subclass multiplies positive advantages by λ_pos (no GRPOConfig field)'),
  lambdaNeg: (c) =>
    c.lambdaNeg === 1
      ? offExact('1: no weighting')
      : exact({}, 'train_trl.py’s GRPOTrainer subclass multiplies negative advantages by λ_neg (no GRPOConfig field)'),
  ppoEpochs: (c) => exact({ num_iterations: c.ppoEpochs }),
  miniBatches: (c) =>
    exact(
      { steps_per_generation: c.miniBatches },
      'one generation batch is split into this many optimizer steps (TRL shuffles once per generation, the playground per pass)',
    ),
  epsLow: (c) => exact({ epsilon: pyFloat(c.epsLow) }),
  epsHigh: (c) => exact({ epsilon_high: pyFloat(c.epsHigh) }),
  dualClip: (c) => {
    if (c.dualClip === null) return offExact('off');
    if (c.policyLoss !== 'vanilla') return inactive(offExact('dual-clip applies to the vanilla loss only'));
    return c.dualClip > 1 + c.epsHigh
      ? exact(
          { delta: pyFloat(c.dualClip) },
          'TRL’s two-sided clip δ caps ρ at δ: for A < 0 that is the dual clip; for A > 0 it never binds when δ > 1 + ε_high',
        )
      : approx(
          { delta: pyFloat(c.dualClip) },
          'δ ≤ 1 + ε_high also caps positive-advantage tokens, unlike the dual clip',
        );
  },
  lossAgg: (c) => {
    switch (c.lossAgg) {
      case 'token-mean':
        return exact({ loss_type: 'dapo' }, 'mean over the tokens of the optimizer step’s batch');
      case 'seq-mean-token-mean':
        return exact({ loss_type: 'grpo' });
      case 'seq-mean-token-sum':
        return approx(
          { loss_type: 'dr_grpo' },
          'no token-sum loss in TRL; dr_grpo divides it further by max_completion_length, a constant that AdamW nearly cancels',
        );
      case 'seq-mean-token-sum-norm':
        return exact({ loss_type: 'dr_grpo' }, 'Σ / (sequences × max_completion_length)');
    }
  },
  policyLoss: (c) =>
    c.policyLoss === 'vanilla'
      ? exact({}, 'PPO-clip surrogate')
      : none(
          `no ${c.policyLoss === 'clip-cov' ? 'Clip-Cov' : 'KL-Cov'} in TRL: the script trains the plain clipped loss; ` +
            'use the verl export (loss_mode), or subclass GRPOTrainer._compute_loss',
        ),
  clipCovRatio: (c) => none('no Clip-Cov in TRL', c.policyLoss !== 'clip-cov'),
  clipCovLb: (c) => none('no Clip-Cov in TRL', c.policyLoss !== 'clip-cov'),
  clipCovUb: (c) => none('no Clip-Cov in TRL', c.policyLoss !== 'clip-cov'),
  klCovRatio: (c) => none('no KL-Cov in TRL', c.policyLoss !== 'kl-cov'),
  klCovCoef: (c) => none('no KL-Cov in TRL', c.policyLoss !== 'kl-cov'),
  klCoef: (c) => exact({ beta: pyFloat(c.klCoef) }, c.klCoef === 0 ? '0: TRL loads no reference model' : ''),
  klEstimator: (c) =>
    c.klCoef === 0
      ? inactive(offExact('β = 0'))
      : c.klEstimator === 'k3'
        ? exact({}, 'TRL’s KL term is k3')
        : none(`TRL’s KL term is always k3; ${c.klEstimator} needs the verl export (kl_loss_type)`),
  entropyCoef: (c) =>
    c.entropyCoef === 0 && !c.adaptiveEntropy
      ? offExact('0: no entropy bonus')
      : none(
          'no entropy bonus in GRPOConfig: use the verl export (entropy_coeff) or subclass GRPOTrainer._compute_loss',
        ),
  adaptiveEntropy: (c) =>
    c.adaptiveEntropy
      ? none('no adaptive entropy coefficient in TRL or verl: a TrainerCallback could adjust one')
      : offExact('off'),
  entropyTarget: (c) => none('part of adaptive entropy (none in TRL)', !c.adaptiveEntropy),
  entropyCoefDelta: (c) => none('part of adaptive entropy (none in TRL)', !c.adaptiveEntropy),
  entropyCoefMax: (c) => none('part of adaptive entropy (none in TRL)', !c.adaptiveEntropy),
  topEntropyQuantile: (c) =>
    c.topEntropyQuantile === 1
      ? exact({ top_entropy_quantile: pyFloat(1) }, '1: every token gets the policy-gradient term')
      : approx(
          { top_entropy_quantile: pyFloat(c.topEntropyQuantile) },
          'TRL keeps tokens at or above a torch.quantile of the batch’s entropies; the playground keeps exactly ⌈q·N⌉',
        ),
  maskTruncatedCompletions: (c) => exact({ mask_truncated_completions: c.maskTruncatedCompletions }),
  dynamicSampling: (c) =>
    c.dynamicSampling
      ? none(
          'no dynamic sampling in TRL: groups whose rewards are all equal stay in the batch with zero advantage; ' +
            'verl’s DAPO recipe (recipe/dapo, algorithm.filter_groups) has it',
        )
      : offExact('off'),
  dynamicSamplingMaxRefills: (c) => none('part of dynamic sampling (none in TRL)', !c.dynamicSampling),
  lr: (c) =>
    exact({ learning_rate: pyFloat(c.lr), lr_scheduler_type: 'constant' }, 'constant, as the playground (no warm-up)'),
  beta1: (c) => exact({ adam_beta1: pyFloat(c.beta1) }),
  beta2: (c) => exact({ adam_beta2: pyFloat(c.beta2), adam_epsilon: pyFloat(1e-8) }, 'AdamW ε 1e-8 in both'),
  weightDecay: (c) =>
    exact({ weight_decay: pyFloat(c.weightDecay) }, 'decoupled; not on biases or LayerNorm weights in either'),
  gradClip: (c) => exact({ max_grad_norm: pyFloat(c.gradClip) }, '0 = no clipping in both'),
  evalEvery: () =>
    none('no greedy held-out accuracy in TRL: eval.jsonl holds the held-out prompts; TRL’s eval logs their reward'),
  evalPrompts: (c) => none(`eval.jsonl has ${c.evalPrompts} held-out prompts, not wired into the script`),
  passK: () => none('no pass@k in TRL'),
  passN: () => none('no pass@k in TRL'),
};

/** GRPOConfig keywords that are not RunConfig fields: how the script runs, not what it trains. */
export const TRL_PINNED: Record<string, SettingValue> = {
  logging_steps: 1,
  report_to: 'none',
  save_strategy: 'no',
  remove_unused_columns: false, // rewards read the answer and index columns
  disable_dropout: true, // the playground trains without dropout
};

// ---------------------------------------------------------------------------------------------

const A = 'actor_rollout_ref.actor';
const R = 'actor_rollout_ref.rollout';
const KL_TYPE = { k1: 'kl', k2: 'mse', k3: 'low_var_kl' } as const;
const ADV = {
  grpo: 'grpo',
  rloo: 'rloo',
  'reinforce++': 'reinforce_plus_plus',
  'reinforce++-baseline': 'reinforce_plus_plus_baseline',
} as const;

/** verl's adv_estimator for this config: GRPO with batch-std scaling has no estimator of its own. */
export function verlAdvEstimator(c: RunConfig): string {
  return c.advantage === 'grpo' && c.scaleRewards === 'batch' ? ADV['reinforce++-baseline'] : ADV[c.advantage];
}

export const VERL_MAPPING: FieldMapping = {
  name: (c) => exact({ 'trainer.experiment_name': c.name, 'trainer.project_name': 'grpo-playground' }),
  seed: () =>
    none('main_ppo takes no seed for sampling or data order; draws differ from the playground’s Rng in any case'),
  task: (c) =>
    exact(
      {},
      `train.parquet / test.parquet hold ${c.task} prompts; reward_fn.py ports the ${c.task} verifier (grpo_rewards.py)`,
    ),
  model: (c, o) => ({
    fate: o.policy ? 'exact' : 'approximate',
    settings: { 'actor_rollout_ref.model.path': o.model },
    note: `model "${c.model}": ${modelNote(o)}`,
  }),
  init: (c, o) =>
    c.init === 'base'
      ? o.policy
        ? exact({}, 'policy/ holds the base checkpoint the run starts from')
        : approx({}, 'the Hugging Face model starts from its own pretrained weights, not the playground base')
      : none('from scratch: point actor_rollout_ref.model.path at a freshly initialised save_pretrained folder'),
  steps: (c) => exact({ 'trainer.total_training_steps': c.steps, 'trainer.total_epochs': 1000 }),
  promptsPerStep: (c) => exact({ 'data.train_batch_size': c.promptsPerStep }),
  groupSize: (c) => exact({ [`${R}.n`]: c.groupSize }),
  temperature: (c) =>
    exact(
      c.temperature > 0
        ? { [`${R}.temperature`]: pyFloat(c.temperature) }
        : { [`${R}.temperature`]: pyFloat(0), [`${R}.do_sample`]: false },
    ),
  topK: (c) => exact({ [`${R}.top_k`]: c.topK === 0 ? -1 : c.topK }, 'verl writes “no top-k” as -1'),
  maxNewTokens: (c, o) => ({
    fate: o.policy ? 'exact' : 'approximate',
    settings: { 'data.max_response_length': c.maxNewTokens },
    note: o.policy
      ? 'tokens = characters with the playground tokenizer'
      : `verl counts the model’s tokens; the rewards count characters (L stays ${c.maxNewTokens} characters)`,
  }),
  reward: (c) => {
    const group = hasComponent(c, [...GROUP_COMPONENTS, 'user-code']);
    const random = hasComponent(c, RANDOM_COMPONENTS);
    const notes = ['reward_fn.py returns the weighted sum'];
    notes.push(
      group
        ? 'group terms need the whole group: reward_manager=batch calls compute_score_batch, grouped by extra_info.index'
        : 'compute_score scores each response on its own, as none of the terms looks at the group',
    );
    if (random) notes.push('random terms draw from grpo_rewards.Rng: the same law, other draws');
    return {
      fate: random ? 'approximate' : 'exact',
      settings: {
        'reward_model.reward_manager': group ? 'batch' : 'naive',
        'custom_reward_function.name': group ? 'compute_score_batch' : 'compute_score',
      },
      note: notes.join('; '),
    };
  },
  userRewardCode: (c) =>
    hasComponent(c, ['user-code'])
      ? approx(
          {},
          'carried as JavaScript, run by the quickjs package with the page’s limits (CPU time, not wall time); ' +
            'verl passes no step, so user code sees step 0',
        )
      : inactive(offExact('no user-code term')),
  advantage: (c) => {
    const est = verlAdvEstimator(c);
    switch (c.advantage) {
      case 'grpo':
        return c.scaleRewards === 'batch'
          ? approx(
              { 'algorithm.adv_estimator': est },
              'verl’s GRPO has no batch-std scaling; REINFORCE++-baseline (group mean, then batch whitening over tokens) is nearest',
            )
          : exact({ 'algorithm.adv_estimator': est }, '(r − mean)/(std + 1e-6) with torch.std, as the playground');
      case 'rloo':
        return exact({ 'algorithm.adv_estimator': est });
      case 'reinforce++':
        return exact(
          { 'algorithm.adv_estimator': est, 'algorithm.gamma': pyFloat(1) },
          'both whiten the reward over the loss tokens (masked_whiten; γ = 1 makes every token’s return the reward)',
        );
      case 'reinforce++-baseline':
        return exact(
          { 'algorithm.adv_estimator': est },
          'both remove the group mean, then whiten over the loss tokens (masked_whiten)',
        );
    }
  },
  scaleRewards: (c) => {
    if (c.advantage !== 'grpo') return inactive(offExact(`set by advantage "${c.advantage}"`));
    if (c.scaleRewards === 'batch') return approx({}, 'see advantage: written as reinforce_plus_plus_baseline');
    return exact({ 'algorithm.norm_adv_by_std_in_grpo': c.scaleRewards === 'group' });
  },
  lambdaPos: (c) =>
    c.lambdaPos === 1
      ? offExact('1: no weighting')
      : none(
          'no PSR/NSR weights in verl: register an advantage estimator (verl.trainer.ppo.core_algos.register_adv_est) that scales positive advantages',
        ),
  lambdaNeg: (c) =>
    c.lambdaNeg === 1
      ? offExact('1: no weighting')
      : none(
          'no PSR/NSR weights in verl: register an advantage estimator (verl.trainer.ppo.core_algos.register_adv_est) that scales negative advantages',
        ),
  ppoEpochs: (c) => exact({ [`${A}.ppo_epochs`]: c.ppoEpochs }),
  miniBatches: (c) => {
    const m = verlMiniBatch(c);
    const micro = m.prompts * c.groupSize;
    const settings = { [`${A}.ppo_mini_batch_size`]: m.prompts, [`${A}.ppo_micro_batch_size_per_gpu`]: micro };
    const note = `ppo_mini_batch_size counts prompts (× rollout.n completions); one micro-batch per mini-batch keeps the loss aggregation whole`;
    return m.divides ? exact(settings, note) : approx(settings, `${note}; P is not a multiple of miniBatches, rounded`);
  },
  epsLow: (c) => exact({ [`${A}.clip_ratio`]: pyFloat(c.epsLow), [`${A}.clip_ratio_low`]: pyFloat(c.epsLow) }),
  epsHigh: (c) => exact({ [`${A}.clip_ratio_high`]: pyFloat(c.epsHigh) }),
  dualClip: (c) => {
    if (c.policyLoss !== 'vanilla')
      return inactive(offExact('verl’s Clip-Cov and KL-Cov have no dual clip, as the playground'));
    if (c.dualClip === null)
      return exact(
        { [`${A}.clip_ratio_c`]: pyFloat(1e9) },
        'verl always applies a dual clip (default c = 3): off is written as c = 1e9, which never binds',
      );
    return c.dualClip > 1
      ? exact({ [`${A}.clip_ratio_c`]: pyFloat(c.dualClip) })
      : approx({ [`${A}.clip_ratio_c`]: pyFloat(1.000001) }, 'verl requires c > 1');
  },
  lossAgg: (c) =>
    c.lossAgg === 'seq-mean-token-sum-norm'
      ? approx(
          { [`${A}.loss_agg_mode`]: c.lossAgg },
          'verl divides the token sum by the response width only, not also by the number of sequences: a constant factor AdamW nearly cancels',
        )
      : exact({ [`${A}.loss_agg_mode`]: c.lossAgg }),
  policyLoss: (c) =>
    exact(
      {
        [`${A}.policy_loss.loss_mode`]: { vanilla: 'vanilla', 'clip-cov': 'clip_cov', 'kl-cov': 'kl_cov' }[
          c.policyLoss
        ],
      },
      c.policyLoss === 'vanilla' ? '' : 'verl’s compute_policy_loss_clip_cov / _kl_cov, which the playground follows',
    ),
  clipCovRatio: (c) => mark(exact({ [`${A}.policy_loss.clip_cov_ratio`]: pyFloat(c.clipCovRatio) }), c, 'clip-cov'),
  clipCovLb: (c) => mark(exact({ [`${A}.policy_loss.clip_cov_lb`]: pyFloat(c.clipCovLb) }), c, 'clip-cov'),
  clipCovUb: (c) => mark(exact({ [`${A}.policy_loss.clip_cov_ub`]: pyFloat(c.clipCovUb) }), c, 'clip-cov'),
  klCovRatio: (c) => mark(exact({ [`${A}.policy_loss.kl_cov_ratio`]: pyFloat(c.klCovRatio) }), c, 'kl-cov'),
  klCovCoef: (c) => mark(exact({ [`${A}.policy_loss.ppo_kl_coef`]: pyFloat(c.klCovCoef) }), c, 'kl-cov'),
  klCoef: (c) =>
    exact(
      {
        [`${A}.use_kl_loss`]: c.klCoef > 0,
        [`${A}.kl_loss_coef`]: pyFloat(c.klCoef),
        'algorithm.use_kl_in_reward': false,
      },
      'KL as a loss term (not in the reward), aggregated like the policy loss',
    ),
  klEstimator: (c) => {
    const m = exact(
      { [`${A}.kl_loss_type`]: KL_TYPE[c.klEstimator] },
      c.klEstimator === 'k3' ? 'low_var_kl is k3, clamped to ±10' : '',
    );
    return c.klCoef === 0 ? inactive(m) : m;
  },
  entropyCoef: (c) =>
    c.adaptiveEntropy
      ? approx(
          { [`${A}.entropy_coeff`]: pyFloat(c.entropyCoef) },
          'the starting α, held constant (see adaptiveEntropy)',
        )
      : exact({ [`${A}.entropy_coeff`]: pyFloat(c.entropyCoef) }, 'loss − α·H, H aggregated like the policy loss'),
  adaptiveEntropy: (c) =>
    c.adaptiveEntropy
      ? none('no adaptive entropy coefficient in verl: entropy_coeff stays at its starting value')
      : offExact('off'),
  entropyTarget: (c) => none('part of adaptive entropy (none in verl)', !c.adaptiveEntropy),
  entropyCoefDelta: (c) => none('part of adaptive entropy (none in verl)', !c.adaptiveEntropy),
  entropyCoefMax: (c) => none('part of adaptive entropy (none in verl)', !c.adaptiveEntropy),
  topEntropyQuantile: (c) =>
    c.topEntropyQuantile === 1
      ? offExact('1: every token gets the policy-gradient term')
      : none('no top-entropy token mask in verl: use the TRL export (top_entropy_quantile)'),
  maskTruncatedCompletions: (c) =>
    c.maskTruncatedCompletions
      ? none('no truncated-completion mask in main_ppo: use the TRL export, or a length-overlong reward term')
      : offExact('off'),
  dynamicSampling: (c) =>
    c.dynamicSampling
      ? none('not in main_ppo: verl’s DAPO recipe (recipe/dapo) filters groups with algorithm.filter_groups')
      : offExact('off'),
  dynamicSamplingMaxRefills: (c) =>
    none('part of dynamic sampling: the DAPO recipe’s max_num_gen_batches', !c.dynamicSampling),
  lr: (c) =>
    exact(
      { [`${A}.optim.lr`]: pyFloat(c.lr), [`${A}.optim.lr_warmup_steps_ratio`]: pyFloat(0) },
      'constant (verl’s default warm-up style), no warm-up',
    ),
  beta1: (c) => exact({ [`${A}.optim.betas`]: [pyFloat(c.beta1), pyFloat(c.beta2)] }, 'betas = [β1, β2]'),
  beta2: () => exact({}, 'written with beta1 as optim.betas'),
  weightDecay: (c) =>
    c.weightDecay === 0
      ? exact({ [`${A}.optim.weight_decay`]: pyFloat(0) }, '0 (verl’s default is 0.01)')
      : approx(
          { [`${A}.optim.weight_decay`]: pyFloat(c.weightDecay) },
          'verl decays every parameter; the playground skips 1-D tensors (biases, LayerNorm)',
        ),
  gradClip: (c) =>
    c.gradClip > 0
      ? exact({ [`${A}.grad_clip`]: pyFloat(c.gradClip), [`${A}.optim.clip_grad`]: pyFloat(c.gradClip) })
      : approx(
          { [`${A}.grad_clip`]: pyFloat(1e9), [`${A}.optim.clip_grad`]: pyFloat(1e9) },
          'verl has no “off”: 1e9 never binds',
        ),
  evalEvery: (c) =>
    approx(
      { 'trainer.test_freq': c.evalEvery, 'trainer.val_before_train': true },
      'verl validates on test.parquet with greedy decoding and logs the reward, which is accuracy when the reward is correctness',
    ),
  evalPrompts: (c) => exact({}, `test.parquet holds ${c.evalPrompts} held-out prompts`),
  passK: () => none('no pass@k in verl’s validation (n > 1 logs best@N and mean@N)'),
  passN: () => none('no pass@k in verl’s validation'),
};

function mark(m: Mapped, c: RunConfig, mode: RunConfig['policyLoss']): Mapped {
  return c.policyLoss === mode ? m : inactive(m);
}

/** Hydra overrides that are not RunConfig fields: where things are and how the job runs on one GPU. */
export function verlPinned(c: RunConfig, o: ExportOptions): Record<string, SettingValue> {
  const micro = verlMiniBatch(c).prompts * c.groupSize;
  // The playground policy's context is short (n_positions): prompts are at most the task's prompt + <bos>.
  const promptLength: Record<string, SettingValue> = o.policy
    ? { 'data.max_prompt_length': getTask(c.task).maxPromptLength + 1 }
    : {};
  return {
    ...promptLength,
    'data.train_files': '$HERE/train.parquet',
    'data.val_files': '$HERE/test.parquet',
    'custom_reward_function.path': '$HERE/reward_fn.py',
    [`${R}.name`]: 'vllm',
    [`${R}.tensor_model_parallel_size`]: 1,
    [`${R}.gpu_memory_utilization`]: pyFloat(0.4),
    [`${R}.log_prob_micro_batch_size_per_gpu`]: micro,
    'actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu': micro,
    [`${R}.val_kwargs.temperature`]: pyFloat(0),
    [`${R}.val_kwargs.do_sample`]: false,
    'trainer.n_gpus_per_node': 1,
    'trainer.nnodes': 1,
    'trainer.logger': ['console'],
    'trainer.save_freq': -1,
  };
}

export interface MappedField {
  field: keyof RunConfig;
  value: unknown;
  mapped: Mapped;
}

/** Every RunConfig field, in schema order, with its fate for this config. */
export function mapFields(mapping: FieldMapping, c: RunConfig, o: ExportOptions): MappedField[] {
  return (Object.keys(mapping) as (keyof RunConfig)[]).map((field) => ({
    field,
    value: c[field],
    mapped: mapping[field](c, o),
  }));
}

/** All settings the mapping writes, merged; a key written by two fields must agree. */
export function mergedSettings(fields: MappedField[]): Record<string, SettingValue> {
  const out: Record<string, SettingValue> = {};
  for (const { field, mapped } of fields) {
    for (const [k, v] of Object.entries(mapped.settings)) {
      if (k in out && JSON.stringify(out[k]) !== JSON.stringify(v)) {
        throw new Error(`${field} writes ${k} = ${JSON.stringify(v)}, another field wrote ${JSON.stringify(out[k])}`);
      }
      out[k] = v;
    }
  }
  return out;
}

/** The run's settings that take effect here but have no counterpart in the framework, one line each. */
export function notCarried(fields: MappedField[]): string[] {
  return fields
    .filter(({ mapped }) => mapped.fate === 'none' && !mapped.inactive)
    .map(({ field, value, mapped }) => `${field} = ${settingValueText(value)}: ${mapped.note}`);
}

/** A config value for a message: JSON, long strings (user code) cut short. */
export function settingValueText(v: unknown): string {
  if (typeof v === 'string') return v.length > 40 ? `${JSON.stringify(v.slice(0, 37))}…` : JSON.stringify(v);
  return JSON.stringify(v);
}
