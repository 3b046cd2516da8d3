// A run's policy as a .safetensors checkpoint (docs/DESIGN.md §4), from the weights of its latest trainer
// snapshot; and the reverse, a checkpoint file checked and turned into a start policy.

import { decodeCheckpoint, encodeCheckpoint, nonFiniteTensor } from '../../models/checkpoint';
import { MODEL_SIZES, type GPTConfig, type ModelSize } from '../../models/config';
import { TASK_NAMES, type RunConfig } from '../../rl/config';
import { getTask } from '../../rl/tasks';
import { gptConfigFor, taskTokenizer, type TrainerState } from '../../rl/trainer';
import type { StartPolicy } from './db';

/** The snapshot's policy weights with the task's vocabulary and the run's model size. */
export function policyCheckpointBytes(state: TrainerState): Uint8Array {
  const bad = nonFiniteTensor(state.weights);
  if (bad) throw new Error(`the snapshot at step ${state.step} is not finite (${bad}); nothing was exported`);
  const tokenizer = taskTokenizer(getTask(state.config.task));
  return encodeCheckpoint({
    config: gptConfigFor(state.config, tokenizer.size),
    vocab: [...tokenizer.vocab],
    task: state.config.task,
    weights: state.weights,
  });
}

/** The playground's model size whose shape the checkpoint has, if any. */
export function modelSizeOf(c: GPTConfig): ModelSize | null {
  const sizes = Object.keys(MODEL_SIZES) as ModelSize[];
  return (
    sizes.find((s) => {
      const m = MODEL_SIZES[s];
      return m.nEmbd === c.nEmbd && m.nLayer === c.nLayer && m.nHead === c.nHead && m.blockSize === c.blockSize;
    }) ?? null
  );
}

/**
 * Checks an imported checkpoint (a readable GPT-2 safetensors file for one of our tasks, shaped as
 * one of our model sizes) and returns it as a start policy plus the config fields that make runs
 * use it. Throws with the reason otherwise.
 */
export function startPolicyFromFile(
  bytes: Uint8Array,
  fileName: string,
): { policy: StartPolicy; configPatch: Pick<RunConfig, 'task' | 'model' | 'init'> } {
  const ckpt = decodeCheckpoint(bytes);
  const bad = nonFiniteTensor(ckpt.weights);
  if (bad) throw new Error(`${fileName} holds non-finite weights (${bad}); a diverged policy cannot start a run`);
  const task = TASK_NAMES.find((t) => t === ckpt.task);
  if (!task) throw new Error(`${fileName} was trained for task "${ckpt.task}", which this page does not have`);
  const model = modelSizeOf(ckpt.config);
  if (!model) {
    throw new Error(
      `${fileName} has a shape (C=${ckpt.config.nEmbd}, layers=${ckpt.config.nLayer}) of no model size here`,
    );
  }
  const vocab = taskTokenizer(getTask(task)).vocab;
  if (ckpt.vocab.length !== vocab.length || ckpt.vocab.some((t, i) => t !== vocab[i])) {
    throw new Error(`${fileName}'s vocabulary does not match task ${task}'s`);
  }
  return {
    policy: { fileName, task, model, config: ckpt.config, bytes, importedAt: Date.now() },
    configPatch: { task, model, init: 'base' },
  };
}

/**
 * For the training worker: the imported start policy's weights when it fits this run (same task
 * and model size, starting from "base"), else undefined (the task's own base checkpoint is used).
 */
export function startWeightsFor(
  policy: StartPolicy | undefined,
  config: RunConfig,
): { config: GPTConfig; weights: Map<string, Float32Array> } | undefined {
  if (!policy || config.init !== 'base' || policy.task !== config.task || policy.model !== config.model)
    return undefined;
  const ckpt = decodeCheckpoint(policy.bytes);
  return { config: ckpt.config, weights: ckpt.weights };
}
