// Every file of a TRL or verl export, by name: what `npm run cli -- export` writes to its folder and
// what the page's "Export for TRL / verl" puts in its zip. One builder for both, so the two cannot
// drift apart. grpo_rewards.py is handed in as text because how it is read differs (a file read in
// Node, a bundled `?raw` import in the page).

import { checkVocabulary, type Checkpoint } from '../../models/checkpoint';
import { Tokenizer } from '../../models/tokenizer';
import type { RunConfig } from '../config';
import { getTask } from '../tasks/index';
import { exportProblems, jsonlRows, verlParquet } from './dataset';
import { policyFiles } from './hfPolicy';
import { GROUP_COMPONENTS, TRL_PINNED, verlPinned, type ExportOptions } from './mapping';
import { exportReadme, type Framework } from './readme';
import { POLICY_BOS_TEXT, rewardShapeSpec } from './shape';
import { DEFAULT_MODEL } from './model';
import { rewardsPy, trainTrlPy, trlKwargs } from './trl';
import { rewardFnPy, runVerlSh, verlOverrides } from './verl';

export interface ExportRequest {
  framework: Framework;
  config: RunConfig;
  /** The contents of src/rl/export/python/grpo_rewards.py, copied unchanged. */
  grpoRewardsPy: string;
  /** The Hugging Face model to train (default DEFAULT_MODEL); not with `policy`. */
  model?: string;
  /** The playground policy to write as policy/ and train instead of a Hugging Face model. */
  policy?: Checkpoint;
}

/**
 * The config a kept run is exported with: its own, under the name the Runs list shows (a renamed
 * run keeps its first name in its config). The page and `export --run` both use this.
 */
export function configOfRun(run: { name: string; config: RunConfig }): RunConfig {
  return { ...run.config, name: run.name };
}

/** Relative path → contents; policy files sit under `policy/`. */
export type ExportFiles = Record<string, string | Uint8Array>;

export function exportFiles(req: ExportRequest): ExportFiles {
  const { framework, config, policy } = req;
  if (policy && req.model !== undefined) throw new Error('give a model or a policy, not both');
  if (policy) checkVocabulary(policy.vocab, Tokenizer.fromAlphabet(getTask(config.task).alphabet));
  const opts: ExportOptions = policy
    ? { model: framework === 'verl' ? '$HERE/policy' : 'policy', policy: true }
    : { model: req.model ?? DEFAULT_MODEL, policy: false };
  const splits = exportProblems(config);
  const files: ExportFiles = { 'grpo_rewards.py': req.grpoRewardsPy };
  if (framework === 'trl') {
    const shape = rewardShapeSpec(config, policy ? POLICY_BOS_TEXT : '');
    files['train_trl.py'] = trainTrlPy(config, opts);
    files['rewards.py'] = rewardsPy(config, shape);
    files['train.jsonl'] = jsonlRows(splits.train);
    files['eval.jsonl'] = jsonlRows(splits.test);
    const { fields } = trlKwargs(config, opts);
    files['README.md'] = exportReadme('trl', config, opts, fields, TRL_PINNED, DEFAULT_MODEL);
  } else {
    const shape = rewardShapeSpec(config);
    const group = config.reward.some(
      (t) => (GROUP_COMPONENTS as readonly string[]).includes(t.component) || t.component === 'user-code',
    );
    files['run_verl.sh'] = runVerlSh(config, opts);
    files['reward_fn.py'] = rewardFnPy(config, shape, group);
    files['train.parquet'] = new Uint8Array(verlParquet(config, splits.train, 'train'));
    files['test.parquet'] = new Uint8Array(verlParquet(config, splits.test, 'test'));
    const { fields } = verlOverrides(config, opts);
    files['README.md'] = exportReadme('verl', config, opts, fields, verlPinned(config, opts), DEFAULT_MODEL);
  }
  if (policy) for (const [name, data] of Object.entries(policyFiles(policy))) files[`policy/${name}`] = data;
  return files;
}
