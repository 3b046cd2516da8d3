// What the exported Python rewards need to know about a run (src/rl/export/python/grpo_rewards.py
// RewardShape), the reference answer of any task prompt, and the reward of one completion scored as
// the trainer scores it (src/rl/rewards/shape.ts scoreGroup) with a group of one: `cli reward` and
// the Python `score(prompt, completion)` both print this object.

import { Rng } from '../../models/rng';
import type { RunConfig, RewardTerm } from '../config';
import { scoreGroup } from '../rewards/shape';
import { UserRewardSandbox } from '../rewards/sandbox';
import { parseAddition } from '../tasks/add';
import { parseCountdown, solutions } from '../tasks/countdown';
import { getTask } from '../tasks/index';
import { promptSymbols } from '../tasks/symbols';
import type { TaskName } from '../config';

/** The Rng stream one-off scoring draws from (random components), the same in TS and Python. */
export const REWARD_STREAM = 0x5e3d;

/** The BOS text the playground's own policy reads first (its tokenizer's `<bos>`). */
export const POLICY_BOS_TEXT = '<bos>';

/** What grpo_rewards.RewardShape reads. */
export interface RewardShapeSpec {
  task: TaskName;
  terms: RewardTerm[];
  maxNewTokens: number;
  groupSize: number;
  updatesPerStep: number; // optimizer steps per RL step (TRL's global_step → the RL step user code sees)
  seed: number;
  rngStream: number;
  userRewardCode: string;
  bosText: string; // stripped from prompts before scoring ("" unless the playground's policy is exported)
}

export function rewardShapeSpec(config: RunConfig, bosText = ''): RewardShapeSpec {
  return {
    task: config.task,
    terms: config.reward.map((t) => ({ component: t.component, weight: t.weight, params: { ...t.params } })),
    maxNewTokens: config.maxNewTokens,
    groupSize: config.groupSize,
    updatesPerStep: config.miniBatches * config.ppoEpochs,
    seed: config.seed,
    rngStream: REWARD_STREAM,
    userRewardCode: config.reward.some((t) => t.component === 'user-code') ? config.userRewardCode : '',
    bosText,
  };
}

/** The reference answer the task's problems carry for this prompt (what `sample` would have set). */
export function answerFor(task: TaskName, prompt: string): string {
  switch (task) {
    case 'add':
    case 'add-scratch': {
      const { a, b } = parseAddition(prompt);
      return String(a + b);
    }
    case 'sort':
      return [...promptSymbols(prompt)].sort().join('');
    case 'reverse':
    case 'reverse-long':
      return [...promptSymbols(prompt)].reverse().join('');
    case 'countdown': {
      const { numbers, target } = parseCountdown(prompt);
      return solutions(numbers, target)[0] ?? '';
    }
  }
}

/** Completion length as the trainer counts it with the playground's one-token-per-character tokenizer. */
export const completionLength = (completion: string): number => [...completion].length;

export interface OneScore {
  reward: number;
  components: Record<string, number>;
}

/**
 * The reward the trainer would give `completion` after `prompt`, as a group of one: length = its
 * characters, truncated when that reaches maxNewTokens, step 0, random components drawing from
 * Rng(seed, REWARD_STREAM). Group components see a group of one (GRPO-λ: the group's accuracy is this
 * completion's correctness; DRPO: a lone correct answer gets 0).
 */
export async function scoreOne(config: RunConfig, prompt: string, completion: string): Promise<OneScore> {
  const task = getTask(config.task);
  const problem = { prompt, answer: answerFor(config.task, prompt) };
  const length = completionLength(completion);
  const needsSandbox = config.reward.some((t) => t.component === 'user-code');
  const sandbox = needsSandbox ? await UserRewardSandbox.create(config.userRewardCode) : null;
  const rng = new Rng(config.seed, REWARD_STREAM);
  try {
    const scored = scoreGroup({
      terms: config.reward,
      problem,
      completions: [completion],
      verdicts: [task.verify(problem, completion)],
      lengths: [length],
      truncated: [length >= config.maxNewTokens],
      maxNewTokens: config.maxNewTokens,
      step: 0,
      rand: () => rng.next(),
      sandbox,
    });
    return { reward: scored.rewards[0], components: scored.breakdown[0] };
  } finally {
    sandbox?.dispose();
  }
}

/** A JSON-able value as a Python literal (None/True/False; strings as JSON strings, which Python reads alike). */
export function pyLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`no Python literal for ${v}`);
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof PyFloat) return Number.isInteger(v.value) ? `${v.value}.0` : String(v.value);
  if (Array.isArray(v)) return `[${v.map(pyLiteral).join(', ')}]`;
  const entries = Object.entries(v as Record<string, unknown>);
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}: ${pyLiteral(x)}`).join(', ')}}`;
}

/** A number that must be written as a Python float (1 → 1.0), for float-typed config fields. */
export class PyFloat {
  constructor(readonly value: number) {}
}
export const pyFloat = (value: number): PyFloat => new PyFloat(value);
