// Outcome advantages (docs/DESIGN.md §5): one scalar per completion, broadcast to its tokens later.
// Rewards arrive in groups of G consecutive completions of the same prompt.

import type { RunConfig } from './config';

/** The one epsilon of every std division here (TRL's 1e-4 is for bf16; we are f32/f64). */
export const STD_EPS = 1e-6;

export type AdvantageOptions = Pick<RunConfig, 'advantage' | 'scaleRewards' | 'lambdaPos' | 'lambdaNeg'>;

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** Unbiased standard deviation (÷ n−1), as torch.std; 0 for a single value. */
export function stdUnbiased(xs: ArrayLike<number>): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/** A group std at or below this (× the rewards' magnitude when above 1) is zero: TRL's isclose(std, 0) tolerance. */
export const ZERO_STD_ATOL = 1e-8;

/**
 * Whether a group's rewards differ, so its advantages carry signal. Identical rewards like 0.1 leave a
 * float std of about 1e-17, never exactly 0; frac_reward_zero_std and dynamic sampling both ask here.
 */
export function hasRewardSignal(rewards: ArrayLike<number>): boolean {
  let scale = 1;
  for (let i = 0; i < rewards.length; i++) scale = Math.max(scale, Math.abs(rewards[i]));
  return stdUnbiased(rewards) > ZERO_STD_ATOL * scale;
}

/** Each reward minus its group's mean. rewards: (numGroups·G). */
export function subtractGroupMean(rewards: ArrayLike<number>, groupSize: number): number[] {
  const out: number[] = [];
  for (let g = 0; g < rewards.length; g += groupSize) {
    const group = Array.from({ length: groupSize }, (_, i) => rewards[g + i]);
    const m = mean(group);
    for (const r of group) out.push(r - m);
  }
  return out;
}

/** (x − mean)/(std + ε) over the whole batch. */
export function whiten(xs: ArrayLike<number>): number[] {
  const m = mean(xs);
  const s = stdUnbiased(xs);
  return Array.from(xs, (x) => (x - m) / (s + STD_EPS));
}

/** The variance floor of verl's masked_whiten: (x − mean)·rsqrt(var + 1e-8). */
export const WHITEN_EPS = 1e-8;

/**
 * verl's token-level whitening of per-completion values: every completion's value counts once per token
 * it has in the loss (tokenCounts[i]), so mean = Σ nᵢxᵢ / Σ nᵢ and var is the unbiased variance over those
 * N = Σ nᵢ tokens; each value becomes (x − mean)/√(var + 1e-8). A completion with no loss tokens gets 0.
 */
export function whitenOverTokens(xs: ArrayLike<number>, tokenCounts: ArrayLike<number>): number[] {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    n += tokenCounts[i];
    sum += tokenCounts[i] * xs[i];
  }
  if (n < 2) return Array.from(xs, () => 0);
  const m = sum / n;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += tokenCounts[i] * (xs[i] - m) ** 2;
  const v = ss / (n - 1);
  return Array.from(xs, (x, i) => (tokenCounts[i] > 0 ? (x - m) / Math.sqrt(v + WHITEN_EPS) : 0));
}

/**
 * Advantages per completion. rewards: (numGroups·G), G consecutive completions per prompt.
 * - grpo: (r − mean_g)/(std_g + ε) [scaleRewards group]; /(std_batch + ε) [batch]; no division [none, Dr. GRPO]
 * - rloo: r_i − mean of the other G−1 rewards of the group
 * - reinforce++: r whitened over the batch; reinforce++-baseline: group mean removed, then whitened.
 *   With `tokenCounts` (each completion's tokens in the loss) the whitening is verl's, over tokens
 *   (whitenOverTokens); without, over completions (whiten).
 * Then PSR/NSR weighting: positive advantages × λ_pos, negative × λ_neg.
 */
export function computeAdvantages(
  rewards: ArrayLike<number>,
  groupSize: number,
  opts: AdvantageOptions,
  tokenCounts?: ArrayLike<number>,
): number[] {
  const batchWhiten = (xs: ArrayLike<number>) => (tokenCounts ? whitenOverTokens(xs, tokenCounts) : whiten(xs));
  if (groupSize < 2) throw new Error(`groupSize must be ≥ 2, got ${groupSize}`);
  if (rewards.length % groupSize !== 0) {
    throw new Error(`rewards (${rewards.length}) is not a whole number of groups of ${groupSize}`);
  }
  let adv: number[];
  switch (opts.advantage) {
    case 'grpo': {
      const centred = subtractGroupMean(rewards, groupSize);
      if (opts.scaleRewards === 'none') {
        adv = centred;
      } else if (opts.scaleRewards === 'batch') {
        const s = stdUnbiased(rewards);
        adv = centred.map((c) => c / (s + STD_EPS));
      } else {
        adv = centred.map((c, i) => {
          const g0 = i - (i % groupSize);
          const s = stdUnbiased(Array.from({ length: groupSize }, (_, j) => rewards[g0 + j]));
          return c / (s + STD_EPS);
        });
      }
      break;
    }
    case 'rloo': {
      adv = [];
      for (let g = 0; g < rewards.length; g += groupSize) {
        let sum = 0;
        for (let i = 0; i < groupSize; i++) sum += rewards[g + i];
        for (let i = 0; i < groupSize; i++) adv.push(rewards[g + i] - (sum - rewards[g + i]) / (groupSize - 1));
      }
      break;
    }
    case 'reinforce++':
      adv = batchWhiten(rewards);
      break;
    case 'reinforce++-baseline':
      adv = batchWhiten(subtractGroupMean(rewards, groupSize));
      break;
  }
  return adv.map((a) => (a > 0 ? a * opts.lambdaPos : a < 0 ? a * opts.lambdaNeg : 0));
}
