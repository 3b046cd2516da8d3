// The warm-up (src/gpu/warmup.ts) compiles, before the first step, every pipeline a training run
// dispatches: after it, a whole Trainer step on a fresh runtime — evaluation (greedy and sampled
// generation with top-k), rollout, reference and rollout log-probs, the device-resident update, AdamW —
// compiles nothing more, so the first step never stalls on shader compilation.
import { describe, expect, test } from 'vitest';
import { acquireDevice } from './device';
import { WebGpuEngine } from './engine';
import { GpuRuntime } from './runtime';
import { warmUpEngine } from './warmup';
import { parseRunConfig } from '../rl/config';
import { getTask } from '../rl/tasks';
import { gptConfigFor, taskTokenizer, Trainer } from '../rl/trainer';

describe('warmUpEngine', () => {
  test.each([
    ['clip-cov, top-k 3, k3 KL, entropy bonus', { policyLoss: 'clip-cov', topK: 3, klCoef: 0.05 }],
    ['kl-cov, full vocabulary, 2 minibatches', { policyLoss: 'kl-cov', miniBatches: 2 }],
  ] as const)('%s: reports k/N up to N/N, then a Trainer step (eval included) compiles no pipeline', async (_, o) => {
    const rt = new GpuRuntime((await acquireDevice()).device); // fresh: no pipeline compiled yet
    const config = parseRunConfig({
      task: 'add',
      model: 'tiny',
      init: 'scratch',
      promptsPerStep: 2,
      groupSize: 2,
      maxNewTokens: 4,
      evalPrompts: 2,
      passN: 2,
      passK: 1,
      entropyCoef: 0.01,
      ...o,
    });
    const gpt = gptConfigFor(config, taskTokenizer(getTask('add')).size);
    const messages: string[] = [];
    await warmUpEngine(rt, gpt, (m) => messages.push(m));
    const compiled = rt.pipelineCount;
    expect(compiled).toBeGreaterThan(10);
    expect(messages.at(-1)).toBe(`Compiling shaders ${compiled}/${compiled}`);
    const engine = await WebGpuEngine.create(rt, gpt, { seed: 1 });
    const ref = await WebGpuEngine.create(rt, gpt, { seed: 1 });
    const trainer = await Trainer.create(config, engine, ref);
    const report = await trainer.step(); // step 0: an eval step
    expect(report.metrics.accuracy).toBeDefined();
    expect(rt.pipelineCount).toBe(compiled);
    trainer.dispose();
    engine.dispose();
    ref.dispose();
  });
});
