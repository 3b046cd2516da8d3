// A run's policy exported as .safetensors and imported back as a start policy: the same weights,
// the right task and model size, and refusals that say why.

import { describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '../../models/checkpoint';
import { paramLayout, tensorViews } from '../../models/params';
import { Rng } from '../../models/rng';
import { parseRunConfig } from '../../rl/config';
import { getTask } from '../../rl/tasks';
import { gptConfigFor, taskTokenizer, type TrainerState } from '../../rl/trainer';
import { policyCheckpointBytes, startPolicyFromFile, startWeightsFor } from './policyCheckpoint';

function stateFor(task: 'sort' | 'add', model: 'tiny' | 'small'): TrainerState {
  const config = parseRunConfig({ task, model });
  const gpt = gptConfigFor(config, taskTokenizer(getTask(task)).size);
  const layout = paramLayout(gpt);
  const rng = new Rng(11);
  const flat = Float32Array.from({ length: layout.total }, () => rng.next() - 0.5); // [total params]
  return {
    config,
    step: 7,
    weights: tensorViews(layout, flat),
    optimizer: { m: new Float32Array(layout.total), v: new Float32Array(layout.total), t: 7 },
    refWeights: tensorViews(layout, new Float32Array(layout.total)),
    rng: { seed: 11, stream: 0, counter: 0 },
    metrics: [],
    entropyCoef: 0,
  };
}

describe('policy checkpoint export and import', () => {
  it('exported weights import back bit-exact as a start policy for the same task and size', () => {
    const state = stateFor('sort', 'tiny');
    const bytes = policyCheckpointBytes(state);
    const { policy, configPatch } = startPolicyFromFile(bytes, 'sorted.safetensors');
    expect(configPatch).toEqual({ task: 'sort', model: 'tiny', init: 'base' });
    expect(policy).toMatchObject({ fileName: 'sorted.safetensors', task: 'sort', model: 'tiny' });
    const w = startWeightsFor(policy, parseRunConfig({ task: 'sort', model: 'tiny' }))!;
    expect([...w.weights.keys()]).toEqual([...state.weights.keys()]);
    for (const [name, v] of state.weights) expect(w.weights.get(name)).toEqual(v);
  });

  it('the start policy is not used for another task, another size, or a run from scratch', () => {
    const { policy } = startPolicyFromFile(policyCheckpointBytes(stateFor('sort', 'tiny')), 'p.safetensors');
    expect(startWeightsFor(policy, parseRunConfig({ task: 'add', model: 'tiny' }))).toBeUndefined();
    expect(startWeightsFor(policy, parseRunConfig({ task: 'sort', model: 'small' }))).toBeUndefined();
    expect(startWeightsFor(policy, parseRunConfig({ task: 'sort', model: 'tiny', init: 'scratch' }))).toBeUndefined();
    expect(startWeightsFor(undefined, parseRunConfig({}))).toBeUndefined();
  });

  it('a checkpoint of an unknown task, or of a shape no model size has, is refused with the reason', () => {
    const state = stateFor('add', 'tiny');
    const vocab = [...taskTokenizer(getTask('add')).vocab];
    const config = gptConfigFor(state.config, vocab.length);
    const chess = encodeCheckpoint({ config, vocab, task: 'chess', weights: state.weights });
    expect(() => startPolicyFromFile(chess, 'c.safetensors')).toThrow('task "chess"');
    const wide = { ...config, blockSize: 16 };
    const layout = paramLayout(wide);
    const odd = encodeCheckpoint({
      config: wide,
      vocab,
      task: 'add',
      weights: tensorViews(layout, new Float32Array(layout.total)),
    });
    expect(() => startPolicyFromFile(odd, 'odd.safetensors')).toThrow('of no model size here');
  });

  it('a non-finite weight is neither exported nor imported, and the message names the tensor', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const state = stateFor('sort', 'tiny');
      const good = policyCheckpointBytes(state);
      state.weights.get('transformer.h.0.mlp.c_fc.weight')![5] = bad;
      expect(() => policyCheckpointBytes(state)).toThrow(
        `the snapshot at step 7 is not finite (transformer.h.0.mlp.c_fc.weight[5] = ${bad}); nothing was exported`,
      );
      const tokenizer = taskTokenizer(getTask('sort'));
      const poisoned = encodeCheckpoint({
        config: gptConfigFor(state.config, tokenizer.size),
        vocab: [...tokenizer.vocab],
        task: 'sort',
        weights: state.weights,
      });
      expect(() => startPolicyFromFile(poisoned, 'nan.safetensors')).toThrow(
        `nan.safetensors holds non-finite weights (transformer.h.0.mlp.c_fc.weight[5] = ${bad})`,
      );
      expect(startPolicyFromFile(good, 'ok.safetensors').policy.task).toBe('sort');
    }
  });
});
