// The base checkpoints (`npm run make-bases`, public/checkpoints) are what every preset starts from:
// deliberately imperfect policies (docs/DESIGN.md §6), about 20–50% greedy held-out accuracy, so RL has
// room. This checks each committed file still is one (a retrained or overtrained base fails here).
import { describe, expect, it } from 'vitest';
import { createCpuEngines } from '../cpuEngines';
import { parseRunConfig, TASK_NAMES } from '../config';
import { getTask } from '../tasks/index';
import { Trainer } from '../trainer';
import { getPreset } from './index';

describe('base checkpoints', () => {
  it.each(TASK_NAMES)('%s: greedy accuracy on 128 held-out prompts (seed 1) is in [0.15, 0.55]', async (task) => {
    const config = parseRunConfig({
      ...getPreset('grpo-add').config,
      task,
      seed: 1,
      maxNewTokens: getTask(task).maxCompletionLength + 1,
      evalPrompts: 128,
      passK: 1,
      passN: 1,
    });
    const { engine, ref } = createCpuEngines(config);
    const trainer = await Trainer.create(config, engine, ref);
    const { accuracy } = await trainer.evaluate();
    // Measured at make-bases time: add 0.24, sort 0.47, reverse 0.36, add-scratch 0.39, countdown 0.23, reverse-long 0.41 (256 prompts).
    expect(accuracy).toBeGreaterThanOrEqual(0.15);
    expect(accuracy).toBeLessThanOrEqual(0.55);
  });
});
