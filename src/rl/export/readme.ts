// DIR/README.md of an export: how to run it, the default model, and the mapping table — every
// RunConfig field with its value, what it became in the framework, and its fate.

import type { RunConfig } from '../config';
import { settingValueText, type ExportOptions, type MappedField, type SettingValue } from './mapping';
import { pyLiteral } from './shape';
import { hydraValue } from './verl';

export type Framework = 'trl' | 'verl';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function settingText(framework: Framework, k: string, v: SettingValue): string {
  return framework === 'trl' ? `${k}=${pyLiteral(v)}` : `${k}=${hydraValue(v)}`;
}

export function mappingTable(framework: Framework, fields: MappedField[]): string {
  const head = framework === 'trl' ? 'GRPOConfig / script' : 'Hydra override / files';
  const rows = fields.map(({ field, value, mapped }) => {
    const written = Object.entries(mapped.settings)
      .map(([k, v]) => `\`${settingText(framework, k, v)}\``)
      .join('<br>');
    const fate = mapped.inactive ? `${mapped.fate} (inactive in this run)` : mapped.fate;
    return `| \`${field}\` | ${cell(settingValueText(value))} | ${written || '—'} | ${fate} | ${cell(mapped.note)} |`;
  });
  return [`| Setting | Value | ${head} | Fate | Note |`, '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

export function fateCounts(fields: MappedField[]): Record<string, number> {
  const counts: Record<string, number> = { exact: 0, approximate: 0, none: 0 };
  for (const f of fields) if (!f.mapped.inactive) counts[f.mapped.fate]++;
  return counts;
}

export function exportReadme(
  framework: Framework,
  c: RunConfig,
  o: ExportOptions,
  fields: MappedField[],
  pinned: Record<string, SettingValue>,
  defaultModel: string,
): string {
  const n = fateCounts(fields);
  const model = o.policy
    ? "the playground's own policy, written to `policy/` as a Hugging Face GPT-2 folder with a character-level tokenizer"
    : `\`${o.model}\`${o.model === defaultModel ? ' (the default; choose another with `--model ID`)' : ''}`;
  const run =
    framework === 'trl'
      ? [
          '```sh',
          'pip install trl quickjs     # quickjs only runs a reward written in the page (user-code)',
          'python train_trl.py         # or: accelerate launch train_trl.py',
          '```',
        ]
      : [
          '```sh',
          'pip install verl vllm quickjs   # match torch/vLLM as verl’s install guide says',
          'bash run_verl.sh                # extra Hydra overrides go after it',
          '```',
        ];
  const files =
    framework === 'trl'
      ? [
          '- `train_trl.py`: builds `GRPOConfig(...)` with literal keywords and trains with `GRPOTrainer`.',
          '- `rewards.py`: `REWARD_FUNCS` (one TRL reward function per term), `REWARD_WEIGHTS`, and `score(prompt, completion, **columns)`.',
          `- \`train.jsonl\`: ${c.steps * c.promptsPerStep} training prompts (\`prompt\`, \`answer\`, \`index\`); \`eval.jsonl\`: ${c.evalPrompts} held-out prompts.`,
        ]
      : [
          '- `run_verl.sh`: `python3 -m verl.trainer.main_ppo` with Hydra overrides.',
          '- `reward_fn.py`: `compute_score(data_source, solution_str, ground_truth, extra_info=None)` and `compute_score_batch(...)`.',
          `- \`train.parquet\` (${c.steps * c.promptsPerStep} prompts) and \`test.parquet\` (${c.evalPrompts} held-out prompts): \`data_source\`, \`prompt\` (chat messages: the task's instruction as system message, the task prompt as user message), \`ability\`, \`reward_model.ground_truth\`, \`extra_info\` (\`split\`, \`index\`, \`task_prompt\`, \`answer\`).`,
        ];
  const pinnedList = Object.entries(pinned)
    .map(([k, v]) => `\`${settingText(framework, k, v)}\``)
    .join(', ');
  return `# ${c.name}: GRPO Playground run exported for ${framework === 'trl' ? 'TRL' : 'verl'}

Task \`${c.task}\`, ${c.steps} steps of ${c.promptsPerStep} prompts × ${c.groupSize} completions. Model: ${model}.

${run.join('\n')}

${files.join('\n')}
- \`grpo_rewards.py\`: the playground's task verifiers and reward components in Python (standard library only), the same numbers as the TypeScript; \`python3 grpo_rewards.py < cases.jsonl\` scores cases.${o.policy ? '\n- `policy/`: the playground policy (`config.json`, `model.safetensors`, `tokenizer.json`, `tokenizer_config.json`).' : ''}

## Rewards

Each completion's length is its number of characters — the playground's token count, since its
tokenizer has one token per character — and it is truncated when that reaches maxNewTokens
(${c.maxNewTokens}). With a model whose tokens are not characters, the length terms still count characters.
${
  framework === 'trl'
    ? `TRL calls each reward function with the whole local batch; completions of one prompt (the same
\`index\`) are its group, so group terms (GRPO-λ, DRPO, the \`group\` a user-code reward sees) are exact
on one process. Under several processes TRL may split a group; each part is then scored as a group.`
    : `verl's default reward manager scores one response at a time (\`compute_score\`, a group of one).
When a term needs its group (GRPO-λ, DRPO, user code), \`run_verl.sh\` selects the batch reward
manager, whose \`compute_score_batch\` groups responses by \`extra_info.index\`.`
}
Random terms (random, flipped-label) draw from \`grpo_rewards.Rng\`, the playground's counter-based
generator, seeded with the run's seed: the same law, but not the draws of a playground run, whose
trainer interleaves them with its other random numbers.

## How each setting maps

${n.exact} settings map exactly, ${n.approximate} approximately, ${n.none} have no counterpart (settings
inactive in this run are marked and not counted). Every field of the run config is listed.

${mappingTable(framework, fields)}

Also written, to run the job rather than to shape training: ${pinnedList}.
`;
}
