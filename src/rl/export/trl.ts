// The TRL side of an export: train_trl.py (a GRPOConfig(...) call with literal keywords, every one
// taken from TRL_MAPPING or TRL_PINNED) and rewards.py (reward functions over grpo_rewards.py).

import type { RunConfig } from '../config';
import {
  mapFields,
  mergedSettings,
  notCarried,
  TRL_MAPPING,
  TRL_PINNED,
  type ExportOptions,
  type MappedField,
  type SettingValue,
} from './mapping';
import { pyFloat, pyLiteral, type RewardShapeSpec } from './shape';

/** GRPOConfig keywords in writing order: the mapped fields' settings, then the pinned ones. */
export function trlKwargs(
  c: RunConfig,
  o: ExportOptions,
): { fields: MappedField[]; kwargs: Record<string, SettingValue> } {
  const fields = mapFields(TRL_MAPPING, c, o);
  return { fields, kwargs: { ...mergedSettings(fields), ...TRL_PINNED } };
}

/** The advantage rescaling GRPOConfig cannot express (RLOO's G/(G−1), PSR/NSR weights), or null. */
export function advantageWeights(c: RunConfig): { scale: number; pos: number; neg: number } | null {
  const scale = c.advantage === 'rloo' ? c.groupSize / (c.groupSize - 1) : 1;
  if (scale === 1 && c.lambdaPos === 1 && c.lambdaNeg === 1) return null;
  return { scale, pos: c.lambdaPos, neg: c.lambdaNeg };
}

export function trainTrlPy(c: RunConfig, o: ExportOptions): string {
  const { fields, kwargs } = trlKwargs(c, o);
  const missing = notCarried(fields)
    .map((line) => `    ${pyLiteral(line)},`)
    .join('\n');
  const weights = advantageWeights(c);
  const args = Object.entries(kwargs)
    .map(([k, v]) => `        ${k}=${pyLiteral(v)},`)
    .join('\n');
  const model = o.policy ? 'os.path.join(HERE, "policy")' : pyLiteral(o.model);
  const trainer = weights ? 'PlaygroundGRPOTrainer' : 'GRPOTrainer';
  const subclass = weights
    ? `
# GRPOConfig has no field for these; the subclass applies them to the advantages TRL computed.
ADVANTAGE_SCALE = ${pyLiteral(pyFloat(weights.scale))}  # G/(G−1) for RLOO (r − mean of the others = G/(G−1)·(r − group mean)), else 1
LAMBDA_POS = ${pyLiteral(pyFloat(weights.pos))}  # weight of positive advantages (PSR)
LAMBDA_NEG = ${pyLiteral(pyFloat(weights.neg))}  # weight of negative advantages (NSR)


class PlaygroundGRPOTrainer(GRPOTrainer):
    """GRPOTrainer with the playground's advantage weighting. It overrides a private TRL method
    (_generate_and_score_completions, whose output carries "advantages"): check it after upgrading TRL."""

    def _generate_and_score_completions(self, inputs):
        output = super()._generate_and_score_completions(inputs)
        a = output["advantages"] * ADVANTAGE_SCALE
        output["advantages"] = torch.where(a > 0, a * LAMBDA_POS, a * LAMBDA_NEG)
        return output
`
    : '';
  const bos = o.policy
    ? `    # The playground's policy reads <bos> first; TRL tokenizes prompts without special tokens.
    dataset = dataset.map(lambda row: {"prompt": rewards.BOS_TEXT + row["prompt"]})
`
    : '';
  return `"""GRPO run ${JSON.stringify(c.name)} (task ${c.task}) exported from GRPO Playground for TRL's GRPOTrainer.

    pip install trl quickjs       # quickjs only runs a reward written in the page (user-code)
    python train_trl.py           # or: accelerate launch train_trl.py

Every GRPOConfig keyword below is a literal; README.md maps each playground setting onto them
(exact, approximate, or no counterpart). The model is ${o.policy ? "the playground's own policy (policy/)" : o.model}.
"""

import os
import sys

${weights ? 'import torch\n' : ''}from datasets import load_dataset
from trl import GRPOConfig, GRPOTrainer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rewards  # noqa: E402

MODEL = ${model}

# This run's settings that TRL has no counterpart for: the script trains without them (README.md says
# what to do instead). main() repeats them on stderr so they are not missed.
NOT_CARRIED = [
${missing}
]
${subclass}

def main():
    for line in NOT_CARRIED:
        print("not carried over to TRL: " + line, file=sys.stderr)
    dataset = load_dataset("json", data_files=os.path.join(HERE, "train.jsonl"), split="train")
${bos}    args = GRPOConfig(
${args}
    )
    trainer = ${trainer}(model=MODEL, reward_funcs=rewards.REWARD_FUNCS, args=args, train_dataset=dataset)
    trainer.train()
    trainer.save_model(args.output_dir)


if __name__ == "__main__":
    main()
`;
}

export function rewardsPy(c: RunConfig, shape: RewardShapeSpec): string {
  return `"""Reward functions for TRL's GRPOTrainer: run ${JSON.stringify(c.name)}'s reward shape, exported from GRPO Playground.

REWARD_FUNCS  one function per reward term, f(prompts, completions, **kwargs) -> list[float], named
              after the term (TRL logs rewards/<name>/mean); the dataset's answer and index columns
              arrive as keyword arguments. Weight them with REWARD_WEIGHTS (GRPOConfig.reward_weights).
score(prompt, completion, **columns)
              {"reward": r, "components": {...}}: what the playground's trainer gives this completion
              scored alone (a group of one), the object \`npm run cli -- reward\` prints. The answer is
              the train.jsonl row's for that prompt; columns may override answer, length, truncated, step.

Lengths are characters (the playground's tokens) and truncated means length >= ${shape.maxNewTokens}.
Group terms (GRPO-λ, DRPO, user code's group) see the completions that share a dataset index, which
TRL generates together (num_generations = ${shape.groupSize}). Random terms draw from grpo_rewards.Rng.

    python rewards.py PROMPT COMPLETION   # prints score(PROMPT, COMPLETION) as JSON
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import grpo_rewards  # noqa: E402

SHAPE = grpo_rewards.RewardShape(
    ${pyLiteral(shape)},
    rows=grpo_rewards.load_rows(os.path.join(HERE, "train.jsonl")),
)
BOS_TEXT = SHAPE.bos_text
REWARD_FUNCS = SHAPE.trl_reward_funcs()
REWARD_WEIGHTS = SHAPE.weights


def score(prompt, completion, **columns):
    return SHAPE.score(prompt, completion, **columns)


if __name__ == "__main__":
    print(json.dumps(score(sys.argv[1], sys.argv[2])))
`;
}
