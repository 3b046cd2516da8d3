// `export`: a run's config handed to TRL or verl (docs/DESIGN.md §10): the training script with every
// setting that has a counterpart, the rewards in Python (the same numbers as the TypeScript), the
// dataset, and a README whose table gives every config field's fate.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCheckpointFile } from '../../models/checkpoint-fs';
import { exportFiles } from '../../rl/export/files';
import { DEFAULT_MODEL } from '../../rl/export/model';
import { PRESETS } from '../../rl/presets';
import { optionalString, parseOptions, requireString, UsageError, type CliIO, type Command } from '../args';
import { loadRunConfig } from './load';

/** The shared Python rewards module, copied unchanged into every export. */
export const GRPO_REWARDS_PY = fileURLToPath(new URL('../../rl/export/python/grpo_rewards.py', import.meta.url));

const HELP = `Usage: npm run cli -- export (--preset NAME | --config FILE | --run RUN.json) --to trl|verl --out DIR
                            [--model ID] [--policy CHECKPOINT]

Writes a run's configuration as a TRL or verl job:
  --to trl   DIR/train_trl.py (GRPOConfig with literal keywords), rewards.py, grpo_rewards.py,
             train.jsonl, eval.jsonl, README.md.   Run: pip install trl quickjs; python train_trl.py
  --to verl  DIR/run_verl.sh (verl.trainer.main_ppo + Hydra overrides), reward_fn.py, grpo_rewards.py,
             train.parquet, test.parquet, README.md.   Run: bash run_verl.sh
README.md lists every config field: what it maps to exactly, approximately, or not at all, and what
to do instead.

  --preset NAME        one of: ${PRESETS.map((p) => p.name).join(', ')}
  --config FILE        a run config as JSON (missing fields take defaults)
  --run RUN.json       a run exported from the page (its config is used)
  --to trl|verl        the framework
  --out DIR            where to write (created if needed)
  --model ID           the Hugging Face model to train (default ${DEFAULT_MODEL})
  --policy CHECKPOINT  also write the playground policy (a .safetensors checkpoint, e.g.
                       public/checkpoints/add-small.safetensors) to DIR/policy/ as a Hugging Face
                       folder, and train that instead of --model
  -h, --help           show this help
`;

const OPTIONS = {
  preset: { type: 'string' },
  config: { type: 'string' },
  run: { type: 'string' },
  to: { type: 'string' },
  out: { type: 'string' },
  model: { type: 'string' },
  policy: { type: 'string' },
} as const;

async function runExport(argv: string[], io: CliIO): Promise<void> {
  const values = parseOptions(argv, OPTIONS, HELP, io);
  if (!values) return;
  const to = requireString(values, 'to');
  if (to !== 'trl' && to !== 'verl') throw new UsageError(`--to must be trl or verl, got ${JSON.stringify(to)}`);
  const out = requireString(values, 'out');
  const config = loadRunConfig({
    preset: optionalString(values, 'preset'),
    config: optionalString(values, 'config'),
    run: optionalString(values, 'run'),
  });
  const policyPath = optionalString(values, 'policy');
  const model = optionalString(values, 'model');
  if (policyPath !== undefined && model !== undefined) throw new UsageError('give --model or --policy, not both');
  const files = exportFiles({
    framework: to,
    config,
    grpoRewardsPy: readFileSync(GRPO_REWARDS_PY, 'utf8'),
    model,
    policy: policyPath !== undefined ? readCheckpointFile(policyPath) : undefined,
  });
  for (const [name, data] of Object.entries(files)) {
    const path = join(out, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  }
  io.stderr(`export wrote ${to} job for ${JSON.stringify(config.name)} to ${out}\n`);
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'a run config as a TRL or verl job: script, Python rewards, dataset, mapping README',
  help: HELP,
  run: runExport,
};
