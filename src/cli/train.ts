// `train`: an RL run on the CPU engine (docs/DESIGN.md §9) from a preset or a config file. DIR gets
// config.json (the full config, defaults filled in), metrics.jsonl (one object per step, docs/DESIGN.md §5 metric
// names, plus a last row evaluating the final weights), final.safetensors and diagnostics.json (the
// failure patterns the metrics show, src/rl/diagnostics.ts; also printed). Progress on stderr.

import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeCheckpointFile } from '../models/checkpoint-fs';
import { BASE_CHECKPOINT_DIR, baseCheckpointPath, parseRunConfig, type RunConfig } from '../rl/config';
import { NUMERIC_FIELDS } from '../rl/configTable';
import { createCpuEngines } from '../rl/cpuEngines';
import { diagnose, formatDiagnostics } from '../rl/diagnostics';
import { RunLoop } from '../rl/loop';
import type { MetricsRow } from '../rl/metrics';
import { getPreset, PRESETS } from '../rl/presets';
import { getTask } from '../rl/tasks/index';
import { taskTokenizer, Trainer } from '../rl/trainer';
import {
  numberOption,
  optionalString,
  parseOptions,
  requireString,
  UsageError,
  type CliIO,
  type Command,
} from './args';

const HELP = `Usage: npm run cli -- train (--preset NAME | --config FILE) [--steps N --seed S] --out DIR

An RL run (GRPO and relatives) on the CPU engine, from the task's base checkpoint
(${baseCheckpointPath({ task: '<task>', model: '<model>' })}, made by \`npm run make-bases\`) or a fresh init.

  --preset NAME     one of: ${PRESETS.map((p) => p.name).join(', ')}
  --config FILE     a run config as JSON (see src/rl/presets/*.json; missing fields take defaults)
  --steps N         override the config's steps
  --seed S          override the config's seed
  --checkpoints DIR where base checkpoints live (default ${BASE_CHECKPOINT_DIR})
  --out DIR         writes DIR/config.json, DIR/metrics.jsonl, DIR/final.safetensors,
                    DIR/diagnostics.json
  -h, --help        show this help

Progress (step, reward, entropy, length, accuracy) goes to stderr; at the end, the diagnostics
(failure patterns such as entropy collapse or truncation, each with its usual fix).
`;

const OPTIONS = {
  preset: { type: 'string' },
  config: { type: 'string' },
  steps: { type: 'string' },
  seed: { type: 'string' },
  checkpoints: { type: 'string' },
  out: { type: 'string' },
} as const;

/** The run config of `--preset NAME` or `--config FILE` (exactly one). */
export function loadConfig(preset: string | undefined, file: string | undefined): RunConfig {
  if ((preset === undefined) === (file === undefined)) throw new UsageError('give exactly one of --preset or --config');
  if (preset !== undefined) {
    try {
      return getPreset(preset).config;
    } catch (e) {
      throw new UsageError(`--preset: ${(e as Error).message}`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file!, 'utf8'));
  } catch (e) {
    throw new Error(`--config ${file}: ${(e as Error).message}`);
  }
  return parseRunConfig(json);
}

const fmt = (v: number | undefined, digits = 3) => (v === undefined ? '-' : v.toFixed(digits));

function progressLine(row: MetricsRow, steps: number): string {
  const parts = [
    `train step ${row.step + 1}/${steps}`,
    `reward ${fmt(row.reward)}`,
    `entropy ${fmt(row.entropy)}`,
    `length ${fmt(row['completions/mean_length'], 1)}`,
    `kl ${fmt(row.kl, 4)}`,
  ];
  if (row.accuracy !== undefined) parts.push(`accuracy ${fmt(row.accuracy)}`, `pass@k ${fmt(row['pass@k'])}`);
  if (row.step_time_ms !== undefined) parts.push(`${Math.round(row.step_time_ms)} ms`);
  return parts.join('  ') + '\n';
}

async function runTrain(argv: string[], io: CliIO): Promise<void> {
  const values = parseOptions(argv, OPTIONS, HELP, io);
  if (!values) return;
  const out = requireString(values, 'out');
  const base = loadConfig(optionalString(values, 'preset'), optionalString(values, 'config'));
  const config = parseRunConfig({
    ...base,
    steps: numberOption(values, 'steps', NUMERIC_FIELDS.steps, base.steps),
    seed: numberOption(values, 'seed', NUMERIC_FIELDS.seed, base.seed),
  });
  const { engine, ref } = createCpuEngines(config, optionalString(values, 'checkpoints') ?? BASE_CHECKPOINT_DIR);
  const trainer = await Trainer.create(config, engine, ref);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  const metricsPath = join(out, 'metrics.jsonl');
  writeFileSync(metricsPath, '');
  const start = performance.now();
  let failure: unknown = null;
  const loop = new RunLoop(trainer, {
    onReport: (r) => {
      appendFileSync(metricsPath, JSON.stringify(r.metrics) + '\n');
      io.stderr(progressLine(r.metrics, config.steps));
    },
    onFinal: (row) => {
      appendFileSync(metricsPath, JSON.stringify(row) + '\n');
      io.stderr(`train final accuracy ${fmt(row.accuracy)}  pass@k ${fmt(row['pass@k'])}\n`);
    },
    onError: (e) => {
      failure = e;
    },
  });
  try {
    await loop.start();
    if (failure) throw failure;
    writeCheckpointFile(join(out, 'final.safetensors'), {
      config: engine.config,
      vocab: [...taskTokenizer(getTask(config.task)).vocab],
      task: config.task,
      weights: await engine.getWeights(),
    });
    const diagnostics = diagnose(trainer.metrics, config);
    writeFileSync(join(out, 'diagnostics.json'), JSON.stringify(diagnostics, null, 2) + '\n');
    io.stderr(formatDiagnostics(diagnostics, 'train'));
    io.stderr(`train wrote ${out} in ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
  } finally {
    trainer.dispose();
    engine.dispose();
    ref.dispose();
  }
}

export const train: Command = {
  name: 'train',
  summary: 'an RL run (GRPO and relatives) from a preset or config file; writes metrics, config, checkpoint',
  help: HELP,
  run: runTrain,
};
