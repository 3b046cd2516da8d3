// A run's policy and reference engines on the CPU, holding its starting weights. Node only (it reads the
// base checkpoint from disk): the CLI's `train` and the Node preset tests use it; the page's worker loads
// its checkpoints itself (src/ui/worker/backend.ts).

import { existsSync } from 'node:fs';
import { checkVocabulary } from '../models/checkpoint';
import { readCheckpointFile } from '../models/checkpoint-fs';
import { CpuEngine } from '../models/cpu/engine';
import type { Engine } from '../models/engine';
import { BASE_CHECKPOINT_DIR, baseCheckpointPath, type RunConfig } from './config';
import { getTask } from './tasks/index';
import { gptConfigFor, taskTokenizer } from './trainer';

/** A policy engine and its reference on the CPU, from the task's base checkpoint or a fresh init. */
export function createCpuEngines(
  config: RunConfig,
  checkpointDir = BASE_CHECKPOINT_DIR,
): { engine: Engine; ref: Engine } {
  const tokenizer = taskTokenizer(getTask(config.task));
  if (config.init === 'scratch') {
    const gpt = gptConfigFor(config, tokenizer.size);
    const engine = new CpuEngine(gpt, { seed: config.seed });
    return { engine, ref: new CpuEngine(gpt, { seed: config.seed }) };
  }
  const path = baseCheckpointPath(config, checkpointDir);
  if (!existsSync(path)) {
    throw new Error(`no base checkpoint ${path}: run \`npm run make-bases\`, or set "init": "scratch"`);
  }
  const ckpt = readCheckpointFile(path);
  checkVocabulary(ckpt.vocab, tokenizer);
  return {
    engine: new CpuEngine(ckpt.config, { seed: config.seed, weights: ckpt.weights }),
    ref: new CpuEngine(ckpt.config, { seed: config.seed, weights: ckpt.weights }),
  };
}
