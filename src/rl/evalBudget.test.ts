import { describe, expect, it } from 'vitest';
import { evalPrompts } from './evalBudget';

describe('evalPrompts', () => {
  const grpoAdd = { evalPrompts: 128, promptsPerStep: 16, groupSize: 8, passN: 8 };

  it('caps step 0 pass@k at one rollout of completions and keeps every greedy prompt', () => {
    const e = evalPrompts(grpoAdd, 0);
    expect(e).toEqual({ greedy: 128, sampled: 16 });
    // 128 greedy + 16·8 sampled = 256 completions instead of 128 + 128·8 = 1152
    expect(e.greedy + e.sampled * grpoAdd.passN).toBe(256);
  });

  it('uses every prompt after step 0', () => {
    expect(evalPrompts(grpoAdd, 20)).toEqual({ greedy: 128, sampled: 128 });
  });

  it('never asks for more prompts than the run evaluates, nor for none', () => {
    expect(evalPrompts({ evalPrompts: 4, promptsPerStep: 16, groupSize: 8, passN: 3 }, 0).sampled).toBe(4);
    expect(evalPrompts({ evalPrompts: 64, promptsPerStep: 1, groupSize: 2, passN: 32 }, 0).sampled).toBe(1);
  });
});
