// Every reward component at its edges, with the numbers a wrong formula would miss.

import { describe, expect, it } from 'vitest';
import { Rng } from '../../models/rng';
import { REWARD_COMPONENTS } from '../config';
import type { Problem, Verdict } from '../tasks/task';
import { COMPONENTS } from './components';
import type { RewardInput } from './reward';

const problem: Problem = { prompt: '12+345=', answer: '357' };
const right: Verdict = { correct: true, formatOk: true, partial: 1, parsedAnswer: '357' };
const wrong: Verdict = { correct: false, formatOk: true, partial: 2 / 3, parsedAnswer: '358' };
const garbage: Verdict = { correct: false, formatOk: false, partial: 0, parsedAnswer: null };

/** A group of completions described by (verdict, length[, truncated]); completions are placeholders of that length. */
function group(members: [Verdict, number, boolean?][], maxNewTokens = 16): RewardInput[] {
  const completions = members.map(([, len]) => 'x'.repeat(len));
  const verdicts = members.map(([v]) => v);
  const lengths = members.map(([, len]) => len);
  const truncated = members.map(([, , t]) => t ?? false);
  return members.map(([v], index) => ({
    problem,
    completion: completions[index],
    verdict: v,
    group: { completions, verdicts, lengths, truncated, index, maxNewTokens, step: 0 },
  }));
}
const one = (v: Verdict, len: number, L = 16, truncated = false) => group([[v, len, truncated]], L)[0];
const never = () => {
  throw new Error('this component must not draw random numbers');
};
const score = (name: keyof typeof COMPONENTS, xs: RewardInput[], params: Record<string, number> = {}) =>
  xs.map((x) => COMPONENTS[name](x, params, never));

describe('reward components', () => {
  it('covers every name in REWARD_COMPONENTS except user-code (which runs in the sandbox)', () => {
    expect(Object.keys(COMPONENTS).sort()).toEqual(REWARD_COMPONENTS.filter((c) => c !== 'user-code').sort());
  });

  it('correctness, partial, format, format-only read the verdict: right 1/1/1/1, wrong 0/⅔/1/1, garbage 0/0/0/0', () => {
    const xs = group([
      [right, 3],
      [wrong, 3],
      [garbage, 5],
    ]);
    expect(score('correctness', xs)).toEqual([1, 0, 0]);
    expect(score('partial', xs)).toEqual([1, 2 / 3, 0]);
    expect(score('format', xs)).toEqual([1, 1, 0]);
    expect(score('format-only', xs)).toEqual([1, 1, 0]);
  });

  it('length-truncation (DLER): −1 for a correct answer longer than target, 0 at exactly target, 0 when wrong', () => {
    expect(score('length-truncation', [one(right, 8)], { target: 8 })).toEqual([0]);
    expect(score('length-truncation', [one(right, 9)], { target: 8 })).toEqual([-1]);
    expect(score('length-truncation', [one(wrong, 9)], { target: 8 })).toEqual([0]);
    expect(score('length-truncation', [one(right, 13)], { target: 12 })).toEqual([-1]);
    expect(score('length-truncation', [one(right, 12)], { target: 12 })).toEqual([0]);
    // default target 8
    expect(score('length-truncation', [one(right, 9)])).toEqual([-1]);
  });

  it('length-linear: −len/L (L from maxNewTokens or the L param): 0, −0.25, −1', () => {
    expect(score('length-linear', [one(right, 0, 16), one(wrong, 4, 16), one(garbage, 16, 16)])).toEqual([
      0, -0.25, -1,
    ]);
    expect(score('length-linear', [one(right, 4, 16)], { L: 8 })).toEqual([-0.5]);
  });

  it('length-overlong (DAPO): 0 up to L−cache, linear to −1 at L, −1 beyond or truncated (L=16, cache=4)', () => {
    const at = (len: number, truncated = false) =>
      score('length-overlong', [one(right, len, 16, truncated)], { cache: 4 })[0];
    expect(at(0)).toBe(0);
    expect(at(12)).toBe(0); // L − cache
    expect(at(13)).toBe(-0.25);
    expect(at(14)).toBe(-0.5);
    expect(at(15)).toBe(-0.75);
    expect(at(16)).toBe(-1); // L
    expect(at(17)).toBe(-1); // beyond L
    expect(at(10, true)).toBe(-1); // truncated (e.g. at blockSize before L)
    // default cache 4; an explicit L overrides maxNewTokens
    expect(score('length-overlong', [one(right, 7, 16)], { L: 8 })).toEqual([-0.75]);
  });

  it('length-grpo-lambda: no penalty when group accuracy < threshold; −len/L on correct ones when ≥ threshold', () => {
    // accuracy 1/4 < 0.5: all zero
    const low = group([
      [right, 8],
      [wrong, 4],
      [wrong, 4],
      [wrong, 4],
    ]);
    expect(score('length-grpo-lambda', low, { threshold: 0.5 })).toEqual([0, 0, 0, 0]);
    // accuracy exactly 2/4 = threshold: correct ones penalised, wrong ones 0
    const half = group([
      [right, 8],
      [right, 4],
      [wrong, 4],
      [wrong, 12],
    ]);
    expect(score('length-grpo-lambda', half, { threshold: 0.5 })).toEqual([-0.5, -0.25, 0, 0]);
    // threshold 0.75 puts the same group below it
    expect(score('length-grpo-lambda', half, { threshold: 0.75 })).toEqual([0, 0, 0, 0]);
  });

  it('length-drpo: 0 with no correct answer; 0 for a single correct one; (mean−len)/(std+1) among several', () => {
    expect(
      score(
        'length-drpo',
        group([
          [wrong, 3],
          [garbage, 9],
        ]),
      ),
    ).toEqual([0, 0]);
    expect(
      score(
        'length-drpo',
        group([
          [right, 7],
          [wrong, 3],
        ]),
      ),
    ).toEqual([0, 0]);
    // correct lengths 4, 8, 12: mean 8, population std √(32/3) ≈ 3.266; the wrong 2-token one gets 0
    const xs = group([
      [right, 4],
      [right, 8],
      [wrong, 2],
      [right, 12],
    ]);
    const s = Math.sqrt(32 / 3) + 1;
    const got = score('length-drpo', xs);
    expect(got[0]).toBeCloseTo(4 / s, 12);
    expect(got[1]).toBe(0);
    expect(got[2]).toBe(0);
    expect(got[3]).toBeCloseTo(-4 / s, 12);
  });

  it('random: p=0 always 0, p=1 always 1, p=0.3 gives 1 in 0.3 ± 0.015 of 10k draws; one draw per call', () => {
    const rng = new Rng(21);
    let draws = 0;
    const rand = () => {
      draws++;
      return rng.next();
    };
    const x = one(wrong, 3);
    const run = (p: number) => Array.from({ length: 10_000 }, () => COMPONENTS.random(x, { p }, rand));
    expect(run(0).every((v) => v === 0)).toBe(true);
    expect(run(1).every((v) => v === 1)).toBe(true);
    const ones = run(0.3).filter((v) => v === 1).length;
    expect(Math.abs(ones / 10_000 - 0.3)).toBeLessThan(0.015);
    expect(draws).toBe(30_000);
  });

  it('flipped-label: q=0 is correctness, q=1 its complement, q=0.25 flips 0.25 ± 0.015 of 10k', () => {
    const rng = new Rng(22);
    const rand = () => rng.next();
    const [r, w] = group([
      [right, 3],
      [wrong, 3],
    ]);
    expect([COMPONENTS['flipped-label'](r, { q: 0 }, rand), COMPONENTS['flipped-label'](w, { q: 0 }, rand)]).toEqual([
      1, 0,
    ]);
    expect([COMPONENTS['flipped-label'](r, { q: 1 }, rand), COMPONENTS['flipped-label'](w, { q: 1 }, rand)]).toEqual([
      0, 1,
    ]);
    let flips = 0;
    for (let i = 0; i < 10_000; i++) if (COMPONENTS['flipped-label'](r, { q: 0.25 }, rand) === 0) flips++;
    expect(Math.abs(flips / 10_000 - 0.25)).toBeLessThan(0.015);
  });

  it('proxy-contains: 1 when the reference answer appears anywhere (gameable), 0 otherwise', () => {
    const x = (completion: string, v: Verdict): RewardInput => ({ ...one(v, completion.length), completion });
    expect(COMPONENTS['proxy-contains'](x('357', right), {}, never)).toBe(1);
    expect(COMPONENTS['proxy-contains'](x('1357', wrong), {}, never)).toBe(1);
    expect(COMPONENTS['proxy-contains'](x('356357358', wrong), {}, never)).toBe(1);
    expect(COMPONENTS['proxy-contains'](x('35', wrong), {}, never)).toBe(0);
    expect(COMPONENTS['proxy-contains'](x('', garbage), {}, never)).toBe(0);
  });
});
