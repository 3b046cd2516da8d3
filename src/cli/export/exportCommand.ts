// `export`: a run's config handed to TRL or verl (docs/DESIGN.md §10): the training script with every
// setting that has a counterpart, the rewards in Python (the same numbers as the TypeScript), the
// dataset, and a README whose table gives every config field's fate.

import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCheckpointFile } from '../../models/checkpoint-fs';
import { checkVocabulary } from '../../models/checkpoint';
import { PRESETS } from '../../rl/presets';
import { getTask } from '../../rl/tasks/index';
import { taskTokenizer } from '../../rl/trainer';
import { optionalString, parseOptions, requireString, UsageError, type CliIO, type Command } from '../args';
import { exportProblems, jsonlRows, verlParquet } from './dataset';
import { policyFiles } from './hfPolicy';
import { loadRunConfig } from './load';
import { GROUP_COMPONENTS, TRL_PINNED, verlPinned, type ExportOptions } from './mapping';
import { exportReadme, type Framework } from './readme';
import { POLICY_BOS_TEXT, rewardShapeSpec } from './shape';
import { DEFAULT_MODEL, rewardsPy, trainTrlPy, trlKwargs } from './trl';
import { rewardFnPy, runVerlSh, verlOverrides } from './verl';

/** The shared Python rewards module, copied unchanged into every export. */
export const GRPO_REWARDS_PY = join(dirname(fileURLToPath(import.meta.url)), 'python', 'grpo_rewards.py');

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
  if (policyPath !== undefined && optionalString(values, 'model') !== undefined) {
    throw new UsageError('give --model or --policy, not both');
  }
  const policy = policyPath !== undefined ? readCheckpointFile(policyPath) : null;
  if (policy) checkVocabulary(policy.vocab, taskTokenizer(getTask(config.task)));
  const opts: ExportOptions = policy
    ? { model: to === 'verl' ? '$HERE/policy' : 'policy', policy: true }
    : { model: optionalString(values, 'model') ?? DEFAULT_MODEL, policy: false };

  mkdirSync(out, { recursive: true });
  const write = (name: string, data: string | Uint8Array | ArrayBuffer) =>
    writeFileSync(join(out, name), data instanceof ArrayBuffer ? new Uint8Array(data) : data);
  const splits = exportProblems(config);
  copyFileSync(GRPO_REWARDS_PY, join(out, 'grpo_rewards.py'));
  const framework: Framework = to;
  if (framework === 'trl') {
    const shape = rewardShapeSpec(config, policy ? POLICY_BOS_TEXT : '');
    write('train_trl.py', trainTrlPy(config, opts));
    write('rewards.py', rewardsPy(config, shape));
    write('train.jsonl', jsonlRows(splits.train));
    write('eval.jsonl', jsonlRows(splits.test));
    const { fields } = trlKwargs(config, opts);
    write('README.md', exportReadme('trl', config, opts, fields, TRL_PINNED, DEFAULT_MODEL));
  } else {
    const shape = rewardShapeSpec(config);
    const group = config.reward.some(
      (t) => (GROUP_COMPONENTS as readonly string[]).includes(t.component) || t.component === 'user-code',
    );
    write('run_verl.sh', runVerlSh(config, opts));
    write('reward_fn.py', rewardFnPy(config, shape, group));
    write('train.parquet', verlParquet(config, splits.train, 'train'));
    write('test.parquet', verlParquet(config, splits.test, 'test'));
    const { fields } = verlOverrides(config, opts);
    write('README.md', exportReadme('verl', config, opts, fields, verlPinned(config, opts), DEFAULT_MODEL));
  }
  if (policy) {
    mkdirSync(join(out, 'policy'), { recursive: true });
    for (const [name, data] of Object.entries(policyFiles(policy))) write(join('policy', name), data);
  }
  io.stderr(`export wrote ${framework} job for ${JSON.stringify(config.name)} to ${out}\n`);
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'a run config as a TRL or verl job: script, Python rewards, dataset, mapping README',
  help: HELP,
  run: runExport,
};
