// The exported scripts run as written, with the frameworks replaced by stand-ins that record what
// they are handed: train_trl.py under stand-in `trl`, `datasets` and `torch` modules (GRPOConfig's
// keywords with their Python types, the model, the reward functions, the dataset, the advantage
// weighting of the GRPOTrainer subclass), and run_verl.sh with a stand-in `python3` on PATH (the
// argv main_ppo would get). TRL and verl themselves are not installed here; their field names are
// checked in export.test.ts.

import { chmodSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunConfig, type RunConfig } from '../../rl/config';
import { notCarried, type ExportOptions, type SettingValue } from '../../rl/export/mapping';
import { PyFloat } from '../../rl/export/shape';
import { advantageWeights, trlKwargs } from '../../rl/export/trl';
import { hydraValue, verlOverrides } from '../../rl/export/verl';
import { PRESETS } from '../../rl/presets';
import { cli, tempDir } from '../testing';
import { PYTHON } from './testing';

const tmp = tempDir();
afterAll(() => tmp.remove());

const HF: ExportOptions = { model: 'Qwen/Qwen2.5-0.5B-Instruct', policy: false };

const STUB_TORCH = `
class Tensor:
    def __init__(self, xs): self.xs = list(xs)
    def __mul__(self, k): return Tensor(x * k for x in self.xs)
    def __gt__(self, k): return Tensor(x > k for x in self.xs)
def tensor(xs): return Tensor(xs)
def where(c, a, b): return Tensor(x if t else y for t, x, y in zip(c.xs, a.xs, b.xs))
`;

const STUB_DATASETS = `
import json
class Dataset:
    def __init__(self, rows): self.rows = rows
    def map(self, f): return Dataset([dict(r, **f(r)) for r in self.rows])
def load_dataset(kind, data_files, split):
    assert kind == "json" and split == "train", (kind, split)
    with open(data_files) as fh:
        return Dataset([json.loads(line) for line in fh if line.strip()])
`;

// GRPOTrainer records its arguments, then feeds known advantages through
// _generate_and_score_completions (the hook the exported subclass overrides).
const STUB_TRL = `
import json, os, torch
ADVANTAGES = [1.5, -0.5, 0.0, -1.0, 2.0]
def typed(v):
    if isinstance(v, bool): return ["bool", v]
    if isinstance(v, int): return ["int", v]
    if isinstance(v, float): return ["float", v]
    if isinstance(v, str): return ["str", v]
    if isinstance(v, list): return ["list", [typed(x) for x in v]]
    return [type(v).__name__, repr(v)]
class GRPOConfig:
    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.output_dir = kwargs["output_dir"]
class GRPOTrainer:
    def __init__(self, model, reward_funcs, args, train_dataset):
        self.record = {
            "trainer": type(self).__name__,
            "model": model,
            "reward_funcs": [f.__name__ for f in reward_funcs],
            "kwargs": {k: typed(v) for k, v in args.kwargs.items()},
            "rows": len(train_dataset.rows),
            "first_prompt": train_dataset.rows[0]["prompt"],
        }
    def _generate_and_score_completions(self, inputs):
        return {"advantages": torch.tensor(ADVANTAGES)}
    def train(self):
        self.record["advantages"] = self._generate_and_score_completions(None)["advantages"].xs
    def save_model(self, path):
        self.record["saved_to"] = path
        with open(os.environ["TRL_STUB_LOG"], "w") as fh:
            json.dump(self.record, fh)
`;
const ADVANTAGES = [1.5, -0.5, 0.0, -1.0, 2.0];

/** A setting as the stand-in records it: its Python type and value. */
function typed(v: SettingValue): unknown {
  if (v instanceof PyFloat) return ['float', v.value];
  if (typeof v === 'boolean') return ['bool', v];
  if (typeof v === 'number') return [Number.isInteger(v) ? 'int' : 'float', v];
  if (typeof v === 'string') return ['str', v];
  if (v === null) return ['NoneType', 'None'];
  return ['list', (v as SettingValue[]).map(typed)];
}

function stubs(): { py: string; bin: string } {
  const py = tmp.path('stub-modules');
  mkdirSync(py, { recursive: true });
  writeFileSync(join(py, 'torch.py'), STUB_TORCH);
  writeFileSync(join(py, 'datasets.py'), STUB_DATASETS);
  writeFileSync(join(py, 'trl.py'), STUB_TRL);
  const bin = tmp.path('stub-bin');
  mkdirSync(bin, { recursive: true });
  // main_ppo's argv, NUL-separated, as the shell hands it over
  writeFileSync(join(bin, 'python3'), '#!/bin/sh\nprintf \'%s\\0\' "$@" > "$VERL_STUB_LOG"\n');
  chmodSync(join(bin, 'python3'), 0o755);
  return { py, bin };
}

async function exportConfig(c: RunConfig, framework: 'trl' | 'verl'): Promise<string> {
  const path = tmp.path(`${c.name}.json`);
  writeFileSync(path, JSON.stringify(c));
  const out = tmp.path(`${c.name}-${framework}`);
  const r = await cli('export', '--config', path, '--to', framework, '--out', out);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

/** Every preset, an RLOO run with PSR/NSR weights (the subclass), and a run whose name needs quoting. */
function configs(): RunConfig[] {
  return [
    ...PRESETS.map((p) => p.config),
    parseRunConfig({ name: 'rloo-weighted', advantage: 'rloo', groupSize: 4, lambdaPos: 0.25, lambdaNeg: 2 }),
    parseRunConfig({ name: 'it\'s "$HOME" `x`', task: 'sort', dualClip: 3, klCoef: 0.02, klEstimator: 'k1' }),
  ];
}

describe('the exported scripts run as written (frameworks replaced by stand-ins)', () => {
  it('train_trl.py: GRPOConfig gets exactly the mapped keywords with their Python types; the subclass weights the advantages', async () => {
    const { py } = stubs();
    let checked = 0;
    for (const c of configs()) {
      const out = await exportConfig(c, 'trl');
      const log = tmp.path(`${c.name}-trl.log.json`);
      const r = spawnSync(PYTHON, ['-B', join(out, 'train_trl.py')], {
        encoding: 'utf8',
        env: { ...process.env, PYTHONPATH: py, TRL_STUB_LOG: log, PYTHONDONTWRITEBYTECODE: '1' },
      });
      expect(r.status, r.stderr).toBe(0);
      const rec = JSON.parse(readFileSync(log, 'utf8'));
      const { fields, kwargs } = trlKwargs(c, HF);
      expect(rec.kwargs, c.name).toEqual(Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [k, typed(v)])));
      checked += Object.keys(kwargs).length;
      expect(rec.model).toBe(HF.model);
      expect(rec.reward_funcs).toEqual(c.reward.map((t) => t.component));
      expect(rec.rows).toBe(c.steps * c.promptsPerStep);
      expect(rec.saved_to).toBe(`outputs/${c.name}`);
      const w = advantageWeights(c);
      expect(rec.trainer).toBe(w ? 'PlaygroundGRPOTrainer' : 'GRPOTrainer');
      const expected = ADVANTAGES.map((a) => {
        if (!w) return a;
        const s = a * w.scale;
        return s > 0 ? s * w.pos : s * w.neg;
      });
      rec.advantages.forEach((a: number, i: number) => expect(a).toBeCloseTo(expected[i], 12));
      // what TRL cannot do is said on stderr, one line per setting
      const said = r.stderr
        .split('\n')
        .filter((l) => l.startsWith('not carried over to TRL: '))
        .map((l) => l.slice('not carried over to TRL: '.length));
      expect(said).toEqual(notCarried(fields));
    }
    expect(checked).toBeGreaterThan(12 * 30);
    // RLOO with G = 4 and weights 0.25 / 2: 1.5 → 1.5·4/3·0.25 = 0.5, −0.5 → −0.5·4/3·2 = −4/3
    const rloo = JSON.parse(readFileSync(tmp.path('rloo-weighted-trl.log.json'), 'utf8'));
    expect(rloo.advantages[0]).toBeCloseTo(0.5, 12);
    expect(rloo.advantages[1]).toBeCloseTo(-4 / 3, 12);
  });

  it('run_verl.sh: main_ppo gets one argv word per override, $HERE expanded, extra overrides last; what verl lacks goes to stderr', async () => {
    const { bin } = stubs();
    let checked = 0;
    for (const c of configs()) {
      const out = await exportConfig(c, 'verl');
      const here = realpathSync(out);
      const log = tmp.path(`${c.name}-verl.argv`);
      const r = spawnSync('bash', [join(out, 'run_verl.sh'), 'trainer.n_gpus_per_node=2'], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, VERL_STUB_LOG: log },
      });
      expect(r.status, r.stderr).toBe(0);
      const argv = readFileSync(log, 'utf8').split('\0').slice(0, -1);
      const { fields, overrides } = verlOverrides(c, HF);
      const words = Object.entries(overrides).map(([k, v]) => `${k}=${hydraValue(v).replace(/\$HERE/g, here)}`);
      expect(argv).toEqual(['-m', 'verl.trainer.main_ppo', ...words, 'trainer.n_gpus_per_node=2']);
      checked += words.length;
      expect(argv).toContain(`data.train_files=${here}/train.parquet`);
      expect(argv).toContain(`custom_reward_function.path=${here}/reward_fn.py`);
      const said = r.stderr
        .split('\n')
        .filter((l) => l.startsWith('not carried over to verl: '))
        .map((l) => l.slice('not carried over to verl: '.length));
      expect(said).toEqual(notCarried(fields));
    }
    expect(checked).toBeGreaterThan(12 * 50);
    // a name with quotes, $ and a backtick reaches Hydra as one quoted value, unexpanded
    const odd = readFileSync(tmp.path(`it's "$HOME" \`x\`-verl.argv`), 'utf8').split('\0');
    expect(odd).toContain(`trainer.experiment_name='it\\'s "$HOME" \`x\`'`);
  });
});
