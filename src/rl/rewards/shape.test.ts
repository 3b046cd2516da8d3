// scoreGroup: the weighted sum of a reward shape's terms over a group, each term's raw values kept.

import { describe, expect, it } from 'vitest';
import { Rng } from '../../models/rng';
import type { RewardTerm } from '../config';
import { getTask } from '../tasks';
import { RewardCodeError, UserRewardSandbox } from './sandbox';
import { scoreGroup, termKeys, type ScoreGroupInput } from './shape';

const task = getTask('add');
const problem = { prompt: '12+345=', answer: '357' };

function input(terms: RewardTerm[], completions: string[], extra: Partial<ScoreGroupInput> = {}): ScoreGroupInput {
  return {
    terms,
    problem,
    completions,
    verdicts: completions.map((c) => task.verify(problem, c)),
    lengths: completions.map((c) => c.length),
    truncated: completions.map(() => false),
    maxNewTokens: 8,
    step: 0,
    rand: () => {
      throw new Error('no term here draws random numbers');
    },
    ...extra,
  };
}

const term = (component: RewardTerm['component'], weight: number, params: Record<string, number> = {}): RewardTerm => ({
  component,
  weight,
  params,
});

describe('scoreGroup', () => {
  it('DLER: correctness + length-truncation(target 3) gives 1 to a short right answer, 0 to a long right one', () => {
    // '357' right in 3 tokens; '358' wrong; the third is right but given 5 tokens
    const x = input([term('correctness', 1), term('length-truncation', 1, { target: 3 })], ['357', '358', '357'], {
      lengths: [3, 3, 5],
    });
    const r = scoreGroup(x);
    expect(r.rewards).toEqual([1, 0, 0]);
    expect(r.components).toEqual({ correctness: [1, 0, 1], 'length-truncation': [0, 0, -1] });
    expect(r.breakdown).toEqual([
      { correctness: 1, 'length-truncation': 0 },
      { correctness: 0, 'length-truncation': 0 },
      { correctness: 1, 'length-truncation': -1 },
    ]);
  });

  it('weights scale the sum but not the logged raw values: 2·correctness − 0.5·len/L', () => {
    const r = scoreGroup(input([term('correctness', 2), term('length-linear', 0.5)], ['357', '35', '']));
    expect(r.rewards).toEqual([2 - 0.5 * (3 / 8), -0.5 * (2 / 8), 0]);
    expect(r.components['length-linear']).toEqual([-3 / 8, -2 / 8, 0]);
    expect(r.components.correctness).toEqual([1, 0, 0]);
  });

  it('a component used twice keeps both, keyed "name" and "name#2"', () => {
    const terms = [term('length-linear', 1), term('length-linear', 1, { L: 4 })];
    expect(termKeys(terms)).toEqual(['length-linear', 'length-linear#2']);
    const r = scoreGroup(input(terms, ['1234']));
    expect(r.components).toEqual({ 'length-linear': [-0.5], 'length-linear#2': [-1] });
    expect(r.rewards).toEqual([-1.5]);
  });

  it('random draws one number per completion, in order, from the rand given (same seed, same rewards)', () => {
    const run = (seed: number) => {
      const rng = new Rng(seed);
      return scoreGroup(input([term('random', 1, { p: 0.5 })], Array(8).fill('357'), { rand: () => rng.next() }))
        .rewards;
    };
    const rng = new Rng(3);
    const expected = Array.from({ length: 8 }, () => (rng.next() < 0.5 ? 1 : 0));
    expect(run(3)).toEqual(expected);
  });

  it('user-code terms call the sandbox with each completion (reward = length · 10 + correct)', async () => {
    const sandbox = await UserRewardSandbox.create(
      'function reward({ length, correct }) { return length * 10 + (correct ? 1 : 0); }',
    );
    try {
      const r = scoreGroup(input([term('user-code', 1), term('correctness', 1)], ['357', '1'], { sandbox }));
      expect(r.components['user-code']).toEqual([31, 10]);
      expect(r.rewards).toEqual([32, 10]);
    } finally {
      sandbox.dispose();
    }
  });

  it('a throwing user reward throws its RewardCodeError with the completion it failed on', async () => {
    const sandbox = await UserRewardSandbox.create(
      "function reward({ completion }) { if (completion === 'bad') throw new Error('no'); return 1; }",
    );
    try {
      let caught: unknown;
      try {
        scoreGroup(input([term('user-code', 1)], ['357', 'bad'], { sandbox }));
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(RewardCodeError);
      expect((caught as RewardCodeError).completion).toBe('bad');
    } finally {
      sandbox.dispose();
    }
  });

  it('a user-code term without a sandbox is an error', () => {
    expect(() => scoreGroup(input([term('user-code', 1)], ['357']))).toThrow(/needs the user-code sandbox/);
  });
});
