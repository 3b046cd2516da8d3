// The Task contract (docs/DESIGN.md §6): seeded prompts, a verifier, and demonstrations for the
// supervised warm-up that makes a base policy. Implementations live beside this file, one per task.

import type { Rng } from '../../models/rng';

export type TaskName = 'add' | 'sort' | 'reverse' | 'add-scratch' | 'countdown' | 'reverse-long';

export interface Problem {
  prompt: string; // what follows <bos>; ends with the task's separator (e.g. "12+34=")
  answer: string; // the reference final answer (for exact-match gold and proxies)
}

export interface Verdict {
  correct: boolean; // the final answer is right (exact match of the parsed answer)
  formatOk: boolean; // the completion parses in the task's format
  partial: number; // partial credit in [0,1] (e.g. fraction of answer characters right)
  parsedAnswer: string | null; // the final answer the completion gives, when it parses
}

export interface Task {
  readonly name: TaskName;
  readonly description: string; // one sentence for the UI
  readonly alphabet: string; // every character prompts and completions may use
  readonly maxPromptLength: number; // characters
  readonly maxCompletionLength: number; // characters of a demonstration, <eos> excluded
  /** A training problem; the same rng state gives the same problem. */
  sample(rng: Rng): Problem;
  /** Held-out evaluation problems: a fixed set for a seed, disjoint from what `sample` draws in practice. */
  heldOut(n: number, seed: number): Problem[];
  verify(problem: Problem, completion: string): Verdict;
  /** A demonstration completion; `noise` ∈ [0,1] is the chance it is wrong (so the base policy is imperfect). */
  demonstrate(problem: Problem, rng: Rng, noise: number): string;
}
