// A reward shape scored over one group (G completions of one prompt): the weighted sum of its
// terms, with each term's raw (unweighted) values kept so the trainer can log
// `rewards/<component>/mean` and the page can show each completion's breakdown.

import type { RewardTerm } from '../config';
import type { Problem, Verdict } from '../tasks/task';
import { COMPONENTS } from './components';
import type { RewardComponentFn } from './reward';
import type { UserRewardSandbox } from './sandbox';

export interface ScoreGroupInput {
  terms: RewardTerm[];
  problem: Problem;
  completions: string[]; // (G)
  verdicts: Verdict[]; // (G)
  lengths: number[]; // (G) tokens, <eos> excluded
  truncated: boolean[]; // (G)
  maxNewTokens: number; // L
  step: number;
  rand: () => number; // uniform [0,1); drawn term by term, completion by completion, only by components that use it
  sandbox?: UserRewardSandbox | null; // required when a term is `user-code`
}

export interface ScoredGroup {
  rewards: number[]; // (G) Σ weight · component
  components: Record<string, number[]>; // term key → (G) raw values
  breakdown: Record<string, number>[]; // (G) per completion: term key → raw value
}

/** A term's key: its component name, with "#2", "#3"… when the shape uses a component more than once. */
export function termKeys(terms: RewardTerm[]): string[] {
  const seen = new Map<string, number>();
  return terms.map((t) => {
    const n = (seen.get(t.component) ?? 0) + 1;
    seen.set(t.component, n);
    return n === 1 ? t.component : `${t.component}#${n}`;
  });
}

/** Scores a group; a user-code failure throws its RewardCodeError and nothing is returned. */
export function scoreGroup(input: ScoreGroupInput): ScoredGroup {
  const { terms, problem, completions, verdicts, lengths, truncated, maxNewTokens, step, rand, sandbox } = input;
  const G = completions.length;
  const keys = termKeys(terms);
  const rewards = new Array<number>(G).fill(0);
  const components: Record<string, number[]> = {};
  terms.forEach((term, k) => {
    const fn: RewardComponentFn = term.component === 'user-code' ? userCode(sandbox) : COMPONENTS[term.component];
    const values = completions.map((completion, index) =>
      fn(
        {
          problem,
          completion,
          verdict: verdicts[index],
          group: { completions, verdicts, lengths, truncated, index, maxNewTokens, step },
        },
        term.params,
        rand,
      ),
    );
    values.forEach((v, i) => (rewards[i] += term.weight * v));
    components[keys[k]] = values;
  });
  const breakdown = completions.map((_, i) => Object.fromEntries(keys.map((key) => [key, components[key][i]])));
  return { rewards, components, breakdown };
}

function userCode(sandbox: UserRewardSandbox | null | undefined): RewardComponentFn {
  if (!sandbox) throw new Error('a user-code reward term needs the user-code sandbox');
  return (x) => sandbox.call(x);
}
