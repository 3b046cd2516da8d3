// A sample for "Test on a sample": one problem of the task, a completion (the task's correct
// demonstration unless the person typed another), and the RewardInput the trainer would give a
// reward component for it — a group of one, at step 0.

import { Rng } from '../../models/rng';
import type { RunConfig } from '../../rl/config';
import type { RewardInput } from '../../rl/rewards/reward';
import { getTask } from '../../rl/tasks';
import type { Problem } from '../../rl/tasks/task';

/** The task's problem for a sample number (the same number gives the same problem). */
export function sampleProblem(
  task: RunConfig['task'],
  sampleSeed: number,
): { problem: Problem; demonstration: string } {
  const t = getTask(task);
  const rng = new Rng(sampleSeed, 0x5a3e);
  const problem = t.sample(rng);
  return { problem, demonstration: t.demonstrate(problem, rng, 0) };
}

/** What the trainer would pass for this completion (character tokens: length = characters). */
export function rewardInputFor(
  task: RunConfig['task'],
  problem: Problem,
  completion: string,
  maxNewTokens: number,
): RewardInput {
  const verdict = getTask(task).verify(problem, completion);
  const length = [...completion].length;
  return {
    problem,
    completion,
    verdict,
    group: {
      completions: [completion],
      verdicts: [verdict],
      lengths: [length],
      truncated: [length >= maxNewTokens],
      index: 0,
      maxNewTokens,
      step: 0,
    },
  };
}

/** Document offsets of a 1-based line, clamped to the text (errors may name a line past the end). */
export function lineRange(text: string, line: number): { from: number; to: number; line: number } {
  const lines = text.split('\n');
  const n = Math.min(Math.max(1, Math.floor(line)), lines.length);
  let from = 0;
  for (let i = 0; i < n - 1; i++) from += lines[i].length + 1;
  return { from, to: from + lines[n - 1].length, line: n };
}
