// `npm run make-bases [-- task …]`: trains one base policy per task by supervised warm-up on the
// task's demonstrations (CPU engine, fixed seeds, so the files come out the same every time) and
// writes public/checkpoints/<task>-small.safetensors. Bases are deliberately imperfect — noisy
// demonstrations and a short run — so greedy held-out accuracy sits around 20–50% and RL has room.
// Prints each base's greedy held-out accuracy; for add-scratch also how often each answer style is
// sampled, its accuracy and its length (the trade the length-penalty presets play on).

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeCheckpointFile } from '../src/models/checkpoint-fs';
import { MODEL_SIZES, type GPTConfig } from '../src/models/config';
import { CpuEngine } from '../src/models/cpu/engine';
import { meanNllCoefficients, type AdamWConfig, type TokenBatch } from '../src/models/engine';
import { Rng } from '../src/models/rng';
import { Tokenizer } from '../src/models/tokenizer';
import { TASK_NAMES } from '../src/rl/config';
import { scratchStyle, SCRATCH_STYLES } from '../src/rl/tasks/addScratch';
import { getTask } from '../src/rl/tasks/index';
import type { Problem, Task, TaskName } from '../src/rl/tasks/task';

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
const DEMO_STREAM = 0xba5e; // the Rng stream demonstrations are drawn on

const outPath = (task: TaskName) => `public/checkpoints/${task}-${MODEL}.safetensors`;

/** A batch of <bos> prompt completion <eos> rows, padded; targets on the completion and <eos> only. */
function demonstrationBatch(task: Task, tokenizer: Tokenizer, rng: Rng, B: number, noise: number): TokenBatch {
  const rows = Array.from({ length: B }, () => {
    const p = task.sample(rng);
    const prompt = tokenizer.encode(p.prompt);
    const tokens = [tokenizer.bosId, ...prompt, ...tokenizer.encode(task.demonstrate(p, rng, noise)), tokenizer.eosId];
    return { tokens, firstTarget: prompt.length + 1 }; // position whose next token is the first completion token
  });
  const T = Math.max(...rows.map((r) => r.tokens.length)) - 1;
  const tokens = new Int32Array(B * T).fill(tokenizer.padId); // (B,T)
  const targets = new Int32Array(B * T).fill(-1); // (B,T)
  rows.forEach((r, b) => {
    for (let t = 0; t < r.tokens.length - 1; t++) {
      tokens[b * T + t] = r.tokens[t];
      if (t >= r.firstTarget - 1) targets[b * T + t] = r.tokens[t + 1];
    }
  });
  return { B, T, tokens, targets };
}

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
  const rng = new Rng(recipe.seed, DEMO_STREAM);
  const start = performance.now();
  try {
    let lossSum = 0;
    for (let s = 0; s < recipe.steps; s++) {
      const batch = demonstrationBatch(task, tokenizer, rng, recipe.batch, recipe.noise);
      const { logprobs } = await engine.forward(batch); // (B,T), 0 off target
      const { dLogprobs, dEntropy, n } = meanNllCoefficients(batch);
      lossSum -= logprobs.reduce((a, b) => a + b, 0) / n;
      engine.zeroGrad();
      await engine.backward(dLogprobs, dEntropy);
      await engine.step(opt);
      if ((s + 1) % 100 === 0) {
        process.stderr.write(`${name}: step ${s + 1}/${recipe.steps}  loss ${(lossSum / 100).toFixed(4)}\n`);
        lossSum = 0;
      }
    }
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
    const path = outPath(name);
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
