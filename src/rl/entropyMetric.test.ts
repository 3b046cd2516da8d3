// The `entropy` metric is averaged over the loss mask, as TRL averages it over its completion mask
// (docs/DESIGN.md §5): with maskTruncatedCompletions the truncated completions' tokens drop out of it.
import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../models/cpu/engine';
import { parseRunConfig } from './config';
import { getTask } from './tasks';
import { gptConfigFor, taskTokenizer, Trainer } from './trainer';

async function firstStep(maskTruncatedCompletions: boolean) {
  // a policy from scratch writes <eos> rarely, so 5 tokens leave a mix of finished and truncated completions
  const config = parseRunConfig({
    task: 'add',
    model: 'tiny',
    init: 'scratch',
    seed: 3,
    steps: 1,
    promptsPerStep: 6,
    groupSize: 4,
    maxNewTokens: 5,
    evalEvery: 10,
    evalPrompts: 2,
    passN: 2,
    passK: 1,
    maskTruncatedCompletions,
  });
  const gpt = gptConfigFor(config, taskTokenizer(getTask('add')).size);
  const trainer = await Trainer.create(config, new CpuEngine(gpt, { seed: 3 }), new CpuEngine(gpt, { seed: 9 }));
  return trainer.step();
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('entropy over the loss mask', () => {
  it('maskTruncatedCompletions: the mean token entropy of the finished completions only; off: of every completion', async () => {
    const masked = await firstStep(true);
    const finished = masked.samples.filter((s) => !s.truncated);
    const truncated = masked.samples.filter((s) => s.truncated);
    expect(masked.samples).toHaveLength(24);
    expect(finished.length).toBeGreaterThan(0);
    expect(truncated.length).toBeGreaterThan(0);
    const inMask = mean(finished.flatMap((s) => s.tokenEntropy));
    const everyToken = mean(masked.samples.flatMap((s) => s.tokenEntropy));
    expect(masked.metrics.entropy).toBeCloseTo(inMask, 5);
    // the two means differ by more than the tolerance, so the mask is what the metric follows
    expect(Math.abs(inMask - everyToken)).toBeGreaterThan(1e-4);

    const plain = await firstStep(false);
    expect(plain.metrics.entropy).toBeCloseTo(mean(plain.samples.flatMap((s) => s.tokenEntropy)), 5);
  });
});
