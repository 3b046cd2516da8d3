import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cliThreads } from './threads';

describe('cliThreads', () => {
  it('is GRPO_THREADS when set, every core otherwise, and refuses what is not a whole number ≥ 1', () => {
    expect(cliThreads({ GRPO_THREADS: '3' })).toBe(3);
    expect(cliThreads({})).toBe(availableParallelism());
    expect(cliThreads({ GRPO_THREADS: '' })).toBe(availableParallelism());
    expect(() => cliThreads({ GRPO_THREADS: '0' })).toThrow('GRPO_THREADS must be a whole number ≥ 1, got 0');
    expect(() => cliThreads({ GRPO_THREADS: '1.5' })).toThrow('got 1.5');
  });
});
