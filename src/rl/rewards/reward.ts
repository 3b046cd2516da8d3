// The reward-shape contract (docs/DESIGN.md §6): a weighted sum of pure components.

import type { Problem, Verdict } from '../tasks/task';

/** What a component may look at about the rest of the group (G completions of one prompt). */
export interface GroupContext {
  completions: string[]; // the group's completions, in order
  verdicts: Verdict[];
  lengths: number[]; // completion lengths in tokens, <eos> excluded
  truncated: boolean[];
  index: number; // this completion's index in the group
  maxNewTokens: number; // L
  step: number; // RL step (for schedules)
}

export interface RewardInput {
  problem: Problem;
  completion: string;
  verdict: Verdict;
  group: GroupContext;
}

/** A component is pure given its rng draws: (input, params, rng) → number. */
export type RewardComponentFn = (input: RewardInput, params: Record<string, number>, rand: () => number) => number;
