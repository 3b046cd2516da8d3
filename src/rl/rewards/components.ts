// The reward components (docs/DESIGN.md §6, docs/RESEARCH.md §2), one pure function per name in
// REWARD_COMPONENTS except `user-code`, which runs the user's function in the sandbox (shape.ts).
// Each reads its completion's length as group.lengths[group.index] (tokens, <eos> excluded);
// `L` defaults to the run's maxNewTokens. Params not given take their defaults from REWARD_PARAMS
// (src/rl/configTable.ts), which also holds their ranges.

import type { RewardComponentName } from '../config';
import { rewardParam } from '../configTable';
import type { RewardComponentFn, RewardInput } from './reward';

const lengthOf = (x: RewardInput) => x.group.lengths[x.group.index];
const maxLength = (x: RewardInput, params: Record<string, number>) => params.L ?? x.group.maxNewTokens;

/** 1 when the verifier says correct, else 0. The gold signal (RLVR). */
export const correctness: RewardComponentFn = (x) => (x.verdict.correct ? 1 : 0);

/** The verifier's partial credit in [0,1] (partial rewards as in Reasoning-SQL, ToolRL). */
export const partial: RewardComponentFn = (x) => x.verdict.partial;

/** 1 when the completion parses in the task's format (the usual format reward beside correctness). */
export const format: RewardComponentFn = (x) => (x.verdict.formatOk ? 1 : 0);

/**
 * DLER's truncation penalty ("DLER: Doing Length pEnalty Right"): a correct answer longer than
 * `target` tokens earns nothing. Written as −correctness when length > target, so
 * `correctness` (weight 1) + this (weight 1) is DLER's truncated reward.
 */
export const lengthTruncation: RewardComponentFn = (x, params) =>
  x.verdict.correct && lengthOf(x) > rewardParam('length-truncation', params, 'target') ? -1 : 0;

/** −length / L: the plain linear length penalty (params: L, default maxNewTokens). */
export const lengthLinear: RewardComponentFn = (x, params) => 0 - lengthOf(x) / maxLength(x, params); // 0 − 0 is +0, not −0

/**
 * DAPO's soft overlong punishment: 0 up to L − cache tokens, then linear down to −1 at L, and −1
 * beyond L or when truncated (params: L, default maxNewTokens; cache).
 */
export const lengthOverlong: RewardComponentFn = (x, params) => {
  const L = maxLength(x, params);
  const cache = rewardParam('length-overlong', params, 'cache');
  const len = lengthOf(x);
  if (x.group.truncated[x.group.index] || len >= L) return -1;
  return len <= L - cache ? 0 : (L - cache - len) / cache;
};

/**
 * GRPO-λ ("Stable Reinforcement Learning for Efficient Reasoning"): the length penalty −length / L
 * on correct answers applies only when the group's accuracy is ≥ `threshold`;
 * below it the group is trained on correctness alone (params: threshold, L).
 */
export const lengthGrpoLambda: RewardComponentFn = (x, params) => {
  const { verdicts } = x.group;
  const accuracy = verdicts.filter((v) => v.correct).length / verdicts.length;
  if (accuracy < rewardParam('length-grpo-lambda', params, 'threshold') || !x.verdict.correct) return 0;
  return 0 - lengthOf(x) / maxLength(x, params);
};

/**
 * DRPO-style decoupled length reward ("DRPO: Efficient Reasoning via Decoupled Reward Policy
 * Optimization"): among the group's correct answers only, (mean_len − len) / (std_len + 1)
 * (population std over the correct ones), so a correct long answer is never pushed below a wrong
 * one by length; incorrect answers get 0. No params.
 */
export const lengthDrpo: RewardComponentFn = (x) => {
  if (!x.verdict.correct) return 0;
  const lens = x.group.lengths.filter((_, i) => x.group.verdicts[i].correct);
  const mean = lens.reduce((a, b) => a + b, 0) / lens.length;
  const std = Math.sqrt(lens.reduce((a, b) => a + (b - mean) ** 2, 0) / lens.length);
  return (mean - lengthOf(x)) / (std + 1);
};

/** Spurious: 1 with probability p, regardless of the completion ("Spurious Rewards: Rethinking Training Signals in RLVR"). */
export const random: RewardComponentFn = (_x, params, rand) => (rand() < rewardParam('random', params, 'p') ? 1 : 0);

/**
 * Noisy labels: correctness flipped with probability q ("The Climb Carves Wisdom
 * Deeper Than the Summit: On the Noisy Rewards in Learning to Reason" flips 0.4). One draw per completion.
 */
export const flippedLabel: RewardComponentFn = (x, params, rand) => {
  const c = x.verdict.correct ? 1 : 0;
  return rand() < rewardParam('flipped-label', params, 'q') ? 1 - c : c;
};

/**
 * Spurious: format alone, whatever the answer ("Spurious Rewards"; "Surrogate Signals from Format
 * and Length"). The same value as `format`; the name marks it as the whole reward, not a helper term.
 */
export const formatOnly: RewardComponentFn = format;

/**
 * A gameable proxy: 1 when the reference answer appears anywhere in the completion, so listing
 * many candidates scores; exact-match `accuracy` stays the gold metric to watch it diverge.
 */
export const proxyContains: RewardComponentFn = (x) => (x.completion.includes(x.problem.answer) ? 1 : 0);

/** Every component but `user-code`, by name. */
export const COMPONENTS: Record<Exclude<RewardComponentName, 'user-code'>, RewardComponentFn> = {
  correctness,
  partial,
  format,
  'length-truncation': lengthTruncation,
  'length-linear': lengthLinear,
  'length-overlong': lengthOverlong,
  'length-grpo-lambda': lengthGrpoLambda,
  'length-drpo': lengthDrpo,
  random,
  'flipped-label': flippedLabel,
  'format-only': formatOnly,
  'proxy-contains': proxyContains,
};
