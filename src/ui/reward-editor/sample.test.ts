// The sample behind "Test on a sample", and where an error's line falls in the editor's text.

import { describe, expect, it } from 'vitest';
import { lineRange, rewardInputFor, sampleProblem } from './sample';

describe('reward editor sample', () => {
  it('the same sample number gives the same problem, and its demonstration verifies as correct', () => {
    const a = sampleProblem('add', 3);
    expect(sampleProblem('add', 3)).toEqual(a);
    const input = rewardInputFor('add', a.problem, a.demonstration, 16);
    expect(input.verdict.correct).toBe(true);
    expect(input.group).toMatchObject({ completions: [a.demonstration], index: 0, maxNewTokens: 16, step: 0 });
    expect(input.group.lengths).toEqual([[...a.demonstration].length]);
  });

  it('a wrong completion is marked wrong and a completion of L characters counts as truncated', () => {
    const { problem } = sampleProblem('add', 3);
    const input = rewardInputFor('add', problem, '0000', 4);
    expect(input.verdict.correct).toBe(false);
    expect(input.group.truncated).toEqual([true]);
  });

  it('lineRange gives the offsets of a 1-based line and clamps lines past either end', () => {
    const text = 'ab\ncde\n\nf';
    expect(lineRange(text, 2)).toEqual({ from: 3, to: 6, line: 2 });
    expect(lineRange(text, 3)).toEqual({ from: 7, to: 7, line: 3 });
    expect(lineRange(text, 9)).toEqual({ from: 8, to: 9, line: 4 });
    expect(lineRange(text, 0)).toEqual({ from: 0, to: 2, line: 1 });
  });
});
