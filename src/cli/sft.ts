// `sft`: supervised warm-up on the CPU engine (docs/DESIGN.md §9), from a checkpoint or a fresh init, on the
// lines of a data file or on a task's generated demonstrations. The batch order, padding, loss positions,
// AdamW and clipping follow that section exactly, so an independent GPT-2 can reproduce the loss trajectory.

import { readFileSync, writeFileSync, appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkVocabulary, configFromHf, type Checkpoint } from '../models/checkpoint';
import { readCheckpointFile, writeCheckpointFile } from '../models/checkpoint-fs';
import type { GPTConfig } from '../models/config';
import { CpuEngine } from '../models/cpu/engine';
import type { AdamWConfig } from '../models/engine';
import { checkSequenceLength, demonstrationBatches, sftBatch, trainSft, type Sequence } from '../models/sft';
import { SPECIAL_TOKENS, Tokenizer } from '../models/tokenizer';
import { getTask } from '../rl/tasks/index';
import type { Task } from '../rl/tasks/task';
import {
  numberOption,
  optionalString,
  parseOptions,
  requireString,
  UsageError,
  type CliIO,
  type Command,
  type ParsedOptions,
} from './args';

const HELP = `Usage: npm run cli -- sft (--checkpoint FILE | --model-config JSON) (--data FILE | --task NAME)
                          --steps N --batch B --lr X --out FILE [options]

Supervised fine-tuning (the warm-up that makes a base policy) on the CPU engine.

Model (exactly one):
  --checkpoint FILE    continue from a .safetensors checkpoint; text is tokenised with its vocabulary
  --model-config JSON  a fresh nanoGPT init (seeded by --seed) of the HF GPT2Config in this JSON file
                       (n_positions, n_embd, n_layer, n_head; vocab_size may be omitted). The vocabulary
                       is the task's (<pad> <bos> <eos> + its alphabet) with --task, otherwise
                       <pad> <bos> <eos> + the data file's characters in code-point order

Data (at least one):
  --data FILE          line k of FILE is sequence k, tokenised "<bos> line <eos>"; step s (counted from 0)
                       uses lines s*B .. s*B+B-1, modulo the number of lines, in order
  --task NAME          without --data: each step trains on B fresh demonstrations "<bos> prompt completion
                       <eos>" drawn from the task (seeded by --seed), loss on the completion and <eos> only.
                       With --data it only names the task: its vocabulary, and the output's task metadata.
                       With --checkpoint the checkpoint's vocabulary must be the task's.
  --noise P            chance a task demonstration is wrong, in [0,1] (default 0; --task without --data only)

Batches: sequences right-padded with <pad> to the longest in the batch; the loss is the mean of
-log p over every target position that is not <pad> (<eos> is a target, <bos> never is).

Optimisation (AdamW with bias correction; constant learning rate; no dropout):
  --steps N            optimizer steps (0 writes the starting weights)
  --batch B            sequences per step
  --lr X               learning rate
  --beta1 X            default 0.9
  --beta2 X            default 0.999
  --eps X              default 1e-8
  --weight-decay X     decoupled, on tensors of 2 or more dims only (default 0)
  --clip X             clip the global gradient norm to X before the update; 0 = off (default 1.0)
  --seed S             init and demonstration seed, an integer (default 0)

Output:
  --out FILE           the trained checkpoint (.safetensors)
  --log FILE           JSON Lines, one row per step: {"step", "loss", "grad_norm", "tokens_per_s"}:
                       the loss of that step's batch before its update, the gradient norm before clipping,
                       B*T positions per second of the step
  -h, --help           show this help

Progress (step, loss, tokens/s) goes to stderr.
`;

const OPTIONS = {
  checkpoint: { type: 'string' },
  'model-config': { type: 'string' },
  task: { type: 'string' },
  data: { type: 'string' },
  noise: { type: 'string' },
  steps: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  beta1: { type: 'string' },
  beta2: { type: 'string' },
  eps: { type: 'string' },
  'weight-decay': { type: 'string' },
  clip: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  log: { type: 'string' },
} as const;

// Progress lines on stderr at most this often (plus the first and last step).
const PROGRESS_INTERVAL_MS = 1000;

/** The lines of a data file: split on \n (or \r\n); a final newline does not start another line. */
export function dataLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

interface ModelSource {
  config: GPTConfig;
  vocab: string[];
  task: string; // recorded in the output checkpoint
  weights?: Map<string, Float32Array>; // absent: fresh init
}

function loadTask(name: string): Task {
  try {
    return getTask(name);
  } catch (e) {
    throw new UsageError(`--task: ${(e as Error).message}`);
  }
}

function readText(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Exactly one of --checkpoint / --model-config, checked before any file is read. */
type ModelFlag = { checkpoint: string } | { modelConfig: string };

function modelFlag(values: ParsedOptions): ModelFlag {
  const checkpoint = optionalString(values, 'checkpoint');
  const modelConfig = optionalString(values, 'model-config');
  if (checkpoint !== undefined && modelConfig !== undefined) {
    throw new UsageError('give either --checkpoint or --model-config, not both');
  }
  if (checkpoint !== undefined) return { checkpoint };
  if (modelConfig !== undefined) return { modelConfig };
  throw new UsageError('missing --checkpoint or --model-config');
}

function modelSource(flag: ModelFlag, task: Task | undefined, lines: string[] | undefined): ModelSource {
  if ('checkpoint' in flag) {
    const ckpt: Checkpoint = readCheckpointFile(flag.checkpoint);
    if (task) checkVocabulary(ckpt.vocab, Tokenizer.fromAlphabet(task.alphabet));
    return { ...ckpt, task: task?.name ?? ckpt.task };
  }
  const configPath = flag.modelConfig;
  const vocab = task
    ? [...Tokenizer.fromAlphabet(task.alphabet).vocab]
    : [...SPECIAL_TOKENS, ...[...new Set([...lines!.join('')])].sort()];
  let json: unknown;
  try {
    json = JSON.parse(readText(configPath, '--model-config'));
  } catch (e) {
    throw new Error(`--model-config ${configPath} is not valid JSON: ${(e as Error).message}`);
  }
  const config = configFromHf(json, vocab.length);
  if (config.vocabSize !== vocab.length) {
    throw new Error(
      `--model-config vocab_size is ${config.vocabSize} but the ${task ? `task's` : `data's`} vocabulary has ${vocab.length} tokens`,
    );
  }
  return { config, vocab, task: task?.name ?? '' };
}

/** The sequences of step s, per docs/DESIGN.md §9: lines s·B … s·B+B−1 modulo the line count, in order. */
function dataBatches(lines: string[], path: string, tokenizer: Tokenizer, blockSize: number, B: number) {
  const sequences = lines.map((line, k) => {
    let ids: number[];
    try {
      ids = tokenizer.encode(line);
    } catch (e) {
      throw new Error(`line ${k + 1} of ${path}: ${(e as Error).message}`);
    }
    const tokens = [tokenizer.bosId, ...ids, tokenizer.eosId];
    checkSequenceLength(tokens, blockSize, `line ${k + 1} of ${path}`);
    return { tokens, firstTarget: 1 };
  });
  return (s: number): Sequence[] => Array.from({ length: B }, (_, i) => sequences[(s * B + i) % sequences.length]);
}

async function runSft(argv: string[], io: CliIO): Promise<void> {
  const values = parseOptions(argv, OPTIONS, HELP, io);
  if (!values) return;
  const steps = numberOption(values, 'steps', { integer: true, min: 0 });
  const B = numberOption(values, 'batch', { integer: true, min: 1 });
  const opt: AdamWConfig = {
    lr: numberOption(values, 'lr', { min: 0 }),
    beta1: numberOption(values, 'beta1', { min: 0, below: 1 }, 0.9),
    beta2: numberOption(values, 'beta2', { min: 0, below: 1 }, 0.999),
    eps: numberOption(values, 'eps', { above: 0 }, 1e-8),
    weightDecay: numberOption(values, 'weight-decay', { min: 0 }, 0),
    clip: numberOption(values, 'clip', { min: 0 }, 1.0),
  };
  const seed = numberOption(values, 'seed', { integer: true, min: 0, max: 0xffffffff }, 0);
  const out = requireString(values, 'out');
  const logPath = optionalString(values, 'log');
  const dataPath = optionalString(values, 'data');
  const taskName = optionalString(values, 'task');
  if (dataPath === undefined && taskName === undefined) throw new UsageError('missing --data or --task');
  if (dataPath !== undefined && values.noise !== undefined) {
    throw new UsageError('--noise applies to --task demonstrations, not to --data');
  }
  const noise = numberOption(values, 'noise', { min: 0, max: 1 }, 0);
  const flag = modelFlag(values);

  const task = taskName !== undefined ? loadTask(taskName) : undefined;
  const lines = dataPath !== undefined ? dataLines(readText(dataPath, '--data')) : undefined;
  if (lines && lines.length === 0) throw new Error(`--data ${dataPath} has no lines`);
  const model = modelSource(flag, task, lines);
  const tokenizer = new Tokenizer(model.vocab);
  const sequencesAt = lines
    ? dataBatches(lines, dataPath!, tokenizer, model.config.blockSize, B)
    : demonstrationBatches(task!, tokenizer, { B, seed, noise, blockSize: model.config.blockSize });

  const engine = new CpuEngine(model.config, { seed, weights: model.weights });
  try {
    if (logPath !== undefined) {
      mkdirSync(dirname(logPath), { recursive: true });
      writeFileSync(logPath, '');
    }
    let lastProgress = -Infinity;
    await trainSft(engine, {
      steps,
      batchAt: (s) => sftBatch(sequencesAt(s), tokenizer.padId),
      opt,
      onStep: ({ step: s, loss, gradNorm, positions, ms }) => {
        const tokensPerS = positions / (ms / 1000);
        if (logPath !== undefined) {
          appendFileSync(
            logPath,
            JSON.stringify({ step: s, loss, grad_norm: gradNorm, tokens_per_s: tokensPerS }) + '\n',
          );
        }
        const now = performance.now();
        if (s === 0 || s === steps - 1 || now - lastProgress >= PROGRESS_INTERVAL_MS) {
          lastProgress = now;
          io.stderr(
            `sft (${s + 1}/${steps}) step ${s}  loss ${loss.toFixed(4)}  grad_norm ${gradNorm.toFixed(4)}  ${Math.round(tokensPerS)} tokens/s\n`,
          );
        }
      },
    });
    writeCheckpointFile(out, {
      config: model.config,
      vocab: model.vocab,
      task: model.task,
      weights: await engine.getWeights(),
    });
    io.stderr(`sft wrote ${out}\n`);
  } finally {
    engine.dispose();
  }
}

export const sft: Command = {
  name: 'sft',
  summary: 'supervised warm-up on a data file or task demonstrations; writes a checkpoint',
  help: HELP,
  run: runSft,
};
