// The trainer counts a group of identical non-integer rewards as carrying no signal (hasRewardSignal),
// where an exact `std === 0` test would see float noise (std ≈ 1e-17) as signal.
import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../models/cpu/engine';
import { parseRunConfig } from './config';
import { getTask } from './tasks';
import { gptConfigFor, taskTokenizer, Trainer } from './trainer';

describe('frac_reward_zero_std with rewards of 0.1', () => {
  it('is 1 when every completion earns 0.1 (G = 3), and below 1 when rewards of 0 and 0.1 mix in a group', async () => {
    const fracFor = async (p: number) => {
      const config = parseRunConfig({
        task: 'add',
        model: 'tiny',
        init: 'scratch',
        seed: 2,
        steps: 1,
        promptsPerStep: 2,
        groupSize: 3,
        maxNewTokens: 3,
        evalEvery: 100,
        evalPrompts: 2,
        passN: 1,
        passK: 1,
        reward: [{ component: 'random', weight: 0.1, params: { p } }], // 0.1 with probability p, else 0
      });
      const gpt = gptConfigFor(config, taskTokenizer(getTask('add')).size);
      const engine = new CpuEngine(gpt, { seed: 2 });
      const trainer = await Trainer.create(config, engine, new CpuEngine(gpt, { seed: 2 }));
      const { metrics, samples } = await trainer.step();
      trainer.dispose();
      return { frac: metrics.frac_reward_zero_std, rewards: samples.map((s) => s.reward) };
    };
    const same = await fracFor(1);
    expect(same.rewards).toEqual([0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
    expect(same.frac).toBe(1);
    const differ = await fracFor(0.5);
    expect(new Set(differ.rewards).size).toBeGreaterThan(1);
    expect(differ.frac).toBeLessThan(1);
  });
});
