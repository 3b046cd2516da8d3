// How many held-out prompts an evaluation uses. Step 0's evaluation runs before the first update, so
// it is what a person waits on before Step 1: its pass@k samples are capped at one rollout's worth
// (P·G completions), which keeps that wait near one training step. Greedy accuracy keeps every prompt
// (one completion each), so the baseline the run is compared with stays as fine as later ones.
// The capped prompts are the first of the same held-out list, so step 0's pass@k estimates the same
// quantity as later evaluations, with more noise.

import type { RunConfig } from './config';

export interface EvalPrompts {
  greedy: number; // prompts for greedy accuracy
  sampled: number; // prompts for pass@k, passN samples each
}

export function evalPrompts(
  c: Pick<RunConfig, 'evalPrompts' | 'promptsPerStep' | 'groupSize' | 'passN'>,
  step: number,
): EvalPrompts {
  if (step > 0) return { greedy: c.evalPrompts, sampled: c.evalPrompts };
  const rollout = Math.max(1, Math.floor((c.promptsPerStep * c.groupSize) / c.passN));
  return { greedy: c.evalPrompts, sampled: Math.min(c.evalPrompts, rollout) };
}
