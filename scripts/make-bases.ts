// `npm run make-bases [-- task …]`: trains one base policy per task by supervised warm-up on the
// task's demonstrations (src/models/sft.ts on the CPU engine, fixed seeds, so the files come out the
// same every time; `sft --task` with a recipe's flags gives the same weights) and writes
// baseCheckpointPath (public/checkpoints/<task>-small.safetensors). Bases are deliberately imperfect — noisy
// demonstrations and a short run — so greedy held-out accuracy sits around 20–50% and RL has room.
// Prints each base's greedy held-out accuracy; for add-scratch also how often each answer style is
// sampled, its accuracy and its length (the trade the length-penalty presets play on).

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeCheckpointFile } from '../src/models/checkpoint-fs';
import { MODEL_SIZES, type GPTConfig } from '../src/models/config';
import { CpuEngine } from '../src/models/cpu/engine';
import type { AdamWConfig } from '../src/models/engine';
import { demonstrationBatches, sftBatch, trainSft } from '../src/models/sft';
import { Tokenizer } from '../src/models/tokenizer';
import { baseCheckpointPath, TASK_NAMES, type TaskName } from '../src/rl/config';
import { scratchStyle, SCRATCH_STYLES } from '../src/rl/tasks/addScratch';
import { getTask } from '../src/rl/tasks/index';
import type { Problem, Task } from '../src/rl/tasks/task';

/** How each base is made: SFT steps × batch at a constant learning rate, on demonstrations wrong with probability `noise`. */
interface Recipe {
  steps: number;
  batch: number;
  lr: number;
  noise: number;
  seed: number;
}

const RECIPES: Record<TaskName, Recipe> = {
  add: { steps: 470, batch: 32, lr: 3e-3, noise: 0.1, seed: 1 },
  sort: { steps: 150, batch: 32, lr: 3e-3, noise: 0.1, seed: 1 },
  reverse: { steps: 400, batch: 32, lr: 3e-3, noise: 0.1, seed: 1 },
  'add-scratch': { steps: 350, batch: 32, lr: 3e-3, noise: 0.1, seed: 1 },
  countdown: { steps: 800, batch: 32, lr: 3e-3, noise: 0.1, seed: 1 },
  'reverse-long': { steps: 700, batch: 32, lr: 3e-3, noise: 0.1, seed: 1 },
};

const MODEL = 'small' as const;
const EVAL_PROMPTS = 256; // held-out problems for the printed accuracy (seed 1, as a run with seed 1 evaluates)
const EVAL_SEED = 1;
const SAMPLES_PER_PROMPT = 4; // add-scratch style statistics at temperature 1

async function complete(
  engine: CpuEngine,
  task: Task,
  tokenizer: Tokenizer,
  problems: Problem[],
  temperature: number,
  seed: number,
): Promise<string[]> {
  const prompts = problems.map((p) => Int32Array.from([tokenizer.bosId, ...tokenizer.encode(p.prompt)]));
  const { completions } = await engine.generate({
    prompts,
    maxNewTokens: task.maxCompletionLength + 1,
    temperature,
    seed,
    eosId: tokenizer.eosId,
  });
  return completions.map((c) => tokenizer.decode(c));
}

async function makeBase(name: TaskName): Promise<void> {
  const task = getTask(name);
  const recipe = RECIPES[name];
  const tokenizer = Tokenizer.fromAlphabet(task.alphabet);
  const config: GPTConfig = { ...MODEL_SIZES[MODEL], vocabSize: tokenizer.size };
  const engine = new CpuEngine(config, { seed: recipe.seed });
  const opt: AdamWConfig = { lr: recipe.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clip: 1 };
  const demonstrations = demonstrationBatches(task, tokenizer, {
    B: recipe.batch,
    seed: recipe.seed,
    noise: recipe.noise,
    blockSize: config.blockSize,
  });
  const start = performance.now();
  try {
    let lossSum = 0;
    await trainSft(engine, {
      steps: recipe.steps,
      batchAt: () => sftBatch(demonstrations(), tokenizer.padId),
      opt,
      onStep: ({ step, loss }) => {
        lossSum += loss;
        if ((step + 1) % 100 === 0) {
          process.stderr.write(`${name}: step ${step + 1}/${recipe.steps}  loss ${(lossSum / 100).toFixed(4)}\n`);
          lossSum = 0;
        }
      },
    });
    const trainS = (performance.now() - start) / 1000;
    const problems = task.heldOut(EVAL_PROMPTS, EVAL_SEED);
    const greedy = await complete(engine, task, tokenizer, problems, 0, 0);
    const accuracy = greedy.filter((c, i) => task.verify(problems[i], c).correct).length / problems.length;
    const meanLen = greedy.reduce((a, c) => a + c.length, 0) / greedy.length;
    console.log(
      `${name.padEnd(12)} greedy held-out accuracy ${accuracy.toFixed(3)}  mean length ${meanLen.toFixed(1)}  ` +
        `(${recipe.steps}×${recipe.batch}, lr ${recipe.lr}, noise ${recipe.noise}; ${trainS.toFixed(0)} s)`,
    );
    if (name === 'add-scratch') await reportStyles(engine, task, tokenizer, problems, greedy);
    const path = baseCheckpointPath({ task: name, model: MODEL });
    mkdirSync(dirname(path), { recursive: true });
    writeCheckpointFile(path, { config, vocab: [...tokenizer.vocab], task: name, weights: await engine.getWeights() });
  } finally {
    engine.dispose();
  }
}

/** Per answer style (direct / compact / verbose): how often it is used, its accuracy and length. */
async function reportStyles(
  engine: CpuEngine,
  task: Task,
  tokenizer: Tokenizer,
  problems: Problem[],
  greedy: string[],
) {
  const repeated = problems.flatMap((p) => Array<Problem>(SAMPLES_PER_PROMPT).fill(p));
  const sampled = await complete(engine, task, tokenizer, repeated, 1, 7);
  for (const [label, texts, probs] of [
    ['greedy', greedy, problems],
    ['sampled τ=1', sampled, repeated],
  ] as const) {
    const parts = [...SCRATCH_STYLES, null].map((style) => {
      const idx = texts.map((_, i) => i).filter((i) => scratchStyle(texts[i]) === style);
      if (idx.length === 0) return `${style ?? 'unparsed'} 0`;
      const acc = idx.filter((i) => task.verify(probs[i], texts[i]).correct).length / idx.length;
      const len = idx.reduce((a, i) => a + texts[i].length, 0) / idx.length;
      return `${style ?? 'unparsed'} ${((100 * idx.length) / texts.length).toFixed(0)}% acc ${acc.toFixed(2)} len ${len.toFixed(1)}`;
    });
    console.log(`  ${label}: ${parts.join(' · ')}`);
  }
}

const wanted = process.argv.slice(2);
for (const w of wanted) {
  if (!(TASK_NAMES as readonly string[]).includes(w))
    throw new Error(`unknown task ${w}; known: ${TASK_NAMES.join(', ')}`);
}
for (const name of wanted.length > 0 ? (wanted as TaskName[]) : TASK_NAMES) await makeBase(name);
