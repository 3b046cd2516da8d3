// The verl side of an export: run_verl.sh (python3 -m verl.trainer.main_ppo with Hydra overrides,
// every one taken from VERL_MAPPING or verlPinned) and reward_fn.py (compute_score over grpo_rewards.py).

import type { RunConfig } from '../config';
import {
  mapFields,
  mergedSettings,
  notCarried,
  VERL_MAPPING,
  verlPinned,
  type ExportOptions,
  type MappedField,
  type SettingValue,
} from './mapping';
import { PyFloat, pyLiteral, type RewardShapeSpec } from './shape';

export function verlOverrides(
  c: RunConfig,
  o: ExportOptions,
): { fields: MappedField[]; overrides: Record<string, SettingValue> } {
  const fields = mapFields(VERL_MAPPING, c, o);
  return { fields, overrides: { ...mergedSettings(fields), ...verlPinned(c, o) } };
}

/** A value in Hydra's override grammar. */
export function hydraValue(v: SettingValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof PyFloat) return pyLiteral(v);
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${(v as SettingValue[]).map(hydraValue).join(',')}]`;
  if (/^[A-Za-z0-9_./:$-]+$/.test(v)) return v;
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** One override as a double-quoted shell word ($HERE expands; other shell specials are escaped). */
function shellOverride(key: string, v: SettingValue): string {
  const text = `${key}=${hydraValue(v)}`;
  const escaped = text.replace(/[\\"`]/g, (ch) => `\\${ch}`).replace(/\$(?!HERE\b)/g, '\\$');
  return `"${escaped}"`;
}

/** Text as one single-quoted shell word (nothing inside expands). */
const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function runVerlSh(c: RunConfig, o: ExportOptions): string {
  const { fields, overrides } = verlOverrides(c, o);
  const lines = Object.entries(overrides).map(([k, v]) => `  ${shellOverride(k, v)} \\`);
  const missing = notCarried(fields);
  // Only written when there is something to say: an empty array under `set -u` fails in bash < 4.4.
  const warning = missing.length
    ? `
# This run's settings that verl has no counterpart for: the job runs without them (README.md says
# what to do instead).
NOT_CARRIED=(
${missing.map((line) => `  ${shellQuote(line)}`).join('\n')}
)
for line in "\${NOT_CARRIED[@]}"; do echo "not carried over to verl: $line" >&2; done
`
    : '';
  return `#!/usr/bin/env bash
# GRPO run ${JSON.stringify(c.name)} (task ${c.task}) exported from GRPO Playground for verl.
#
#   pip install verl vllm quickjs   # see verl's install guide for matching torch/vLLM; quickjs only runs user-code rewards
#   bash run_verl.sh [more Hydra overrides, e.g. trainer.n_gpus_per_node=2]
#
# Every override below comes from one playground setting or pins how the job runs on one GPU;
# README.md maps each setting (exact, approximate, or no counterpart).
set -euo pipefail
HERE="$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)"
${warning}
python3 -m verl.trainer.main_ppo \\
${lines.join('\n')}
  "$@"
`;
}

export function rewardFnPy(c: RunConfig, shape: RewardShapeSpec, group: boolean): string {
  return `"""verl reward for run ${JSON.stringify(c.name)}, exported from GRPO Playground.

compute_score(data_source, solution_str, ground_truth, extra_info=None)
    one response scored alone (a group of one): {"score": r, <term>: value, ...}; verl's default
    ("naive") reward manager calls it per response. extra_info.task_prompt is the task prompt.
compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos)
    a whole batch (reward_model.reward_manager=batch): responses sharing extra_info.index are one
    group, as group terms (GRPO-λ, DRPO, user code's group) need. run_verl.sh wires ${group ? 'this one' : 'compute_score'}.

Lengths are characters (the playground's tokens) and truncated means length >= ${shape.maxNewTokens}.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import grpo_rewards  # noqa: E402

SHAPE = grpo_rewards.RewardShape(${pyLiteral(shape)})


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    return SHAPE.verl_compute_score(data_source, solution_str, ground_truth, extra_info)


def compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos, **kwargs):
    return SHAPE.verl_compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos)
`;
}
