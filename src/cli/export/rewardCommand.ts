// `reward`: the reward the trainer would give one completion (docs/DESIGN.md §10), as one JSON line.
// The exported Python's score(prompt, completion) returns the same object.

import { PRESETS } from '../../rl/presets';
import { optionalString, parseOptions, requireString, type CliIO, type Command } from '../args';
import { loadRunConfig } from './load';
import { scoreOne } from '../../rl/export/shape';

const HELP = `Usage: npm run cli -- reward (--preset NAME | --config FILE) --prompt P --completion C

Prints one JSON line {"reward": r, "components": {"<term>": v, ...}}: the reward the trainer gives
completion C after prompt P under the run's reward shape (src/rl/rewards/shape.ts scoreGroup), with
each term's unweighted value. The answer is the task's reference answer for P.

The completion is scored as a group of one:
  length      its characters (the playground's tokenizer has one token per character)
  truncated   length >= maxNewTokens
  step        0
  length-grpo-lambda  the group's accuracy is this completion's correctness, so a correct answer
                      is penalised (−length/L) whenever the threshold is ≤ 1
  length-drpo         a lone correct answer is its group's mean length: 0
  random, flipped-label  draw from Rng(seed, reward stream): the same value for the same config
  user-code   sees group {correct: [this], lengths: [this]}

  --preset NAME     one of: ${PRESETS.map((p) => p.name).join(', ')}
  --config FILE     a run config as JSON
  --prompt P        the task prompt, e.g. --prompt 12+34= (--prompt=-x for one starting with '-')
  --completion C    what the model wrote after it (may be empty: --completion=)
  -h, --help        show this help
`;

async function runReward(argv: string[], io: CliIO): Promise<void> {
  const values = parseOptions(
    argv,
    {
      preset: { type: 'string' },
      config: { type: 'string' },
      prompt: { type: 'string' },
      completion: { type: 'string' },
    },
    HELP,
    io,
  );
  if (!values) return;
  const config = loadRunConfig(
    { preset: optionalString(values, 'preset'), config: optionalString(values, 'config') },
    false,
  );
  const prompt = requireString(values, 'prompt');
  const completion = requireString(values, 'completion');
  io.stdout(JSON.stringify(await scoreOne(config, prompt, completion)) + '\n');
}

export const rewardCommand: Command = {
  name: 'reward',
  summary: 'the reward the trainer gives one completion, with its components (JSON on stdout)',
  help: HELP,
  run: runReward,
};
