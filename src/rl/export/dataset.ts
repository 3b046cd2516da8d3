// The prompts an export trains and evaluates on: steps × promptsPerStep training problems drawn as
// the task draws them (held-out prompts excluded), and the run's held-out set, as rows for TRL's JSON
// Lines and verl's parquet (src/rl/tasks/common.ts keeps the two sets disjoint).

import { parquetWriteBuffer } from 'hyparquet-writer';
import { Rng } from '../../models/rng';
import type { RunConfig } from '../config';
import { getTask } from '../tasks/index';
import type { Problem } from '../tasks/task';

/** The Rng stream export datasets are drawn on (the trainer draws its prompts on its own stream). */
export const DATASET_STREAM = 0xda7a;

export interface Splits {
  train: Problem[];
  test: Problem[];
}

export function exportProblems(c: RunConfig): Splits {
  const task = getTask(c.task);
  const rng = new Rng(c.seed, DATASET_STREAM);
  const train = Array.from({ length: c.steps * c.promptsPerStep }, () => task.sample(rng));
  return { train, test: task.heldOut(c.evalPrompts, c.seed) };
}

/** TRL rows: `prompt` (the task prompt as the playground's policy reads it), `answer`, `index` (groups). */
export function jsonlRows(problems: Problem[]): string {
  return problems.map((p, index) => JSON.stringify({ prompt: p.prompt, answer: p.answer, index }) + '\n').join('');
}

/** The instruction a chat model gets before the task prompt (the playground's policy ignores it). */
export function instruction(c: RunConfig): string {
  return `${getTask(c.task).description} Reply with the answer only.`;
}

/**
 * verl rows with the columns its RL dataset reads: data_source, prompt (chat messages), ability,
 * reward_model {style, ground_truth}, extra_info {split, index, task_prompt, answer}.
 */
export function verlParquet(c: RunConfig, problems: Problem[], split: 'train' | 'test'): ArrayBuffer {
  const system = instruction(c);
  const n = problems.length;
  return parquetWriteBuffer({
    columnData: [
      { name: 'data_source', data: problems.map(() => `grpo-playground/${c.task}`) },
      {
        name: 'prompt',
        data: problems.map((p) => [
          { role: 'system', content: system },
          { role: 'user', content: p.prompt },
        ]),
      },
      { name: 'ability', data: problems.map(() => c.task) },
      { name: 'reward_model', data: problems.map((p) => ({ style: 'rule', ground_truth: p.answer })) },
      {
        name: 'extra_info',
        data: problems.map((p, i) => ({ split, index: BigInt(i), task_prompt: p.prompt, answer: p.answer })),
      },
    ],
    schema: [
      { name: 'root', num_children: 5 },
      str('data_source'),
      { name: 'prompt', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', repetition_type: 'REQUIRED', num_children: 2 },
      str('role'),
      str('content'),
      str('ability'),
      { name: 'reward_model', repetition_type: 'REQUIRED', num_children: 2 },
      str('style'),
      str('ground_truth'),
      { name: 'extra_info', repetition_type: 'REQUIRED', num_children: 4 },
      str('split'),
      { name: 'index', type: 'INT64', repetition_type: 'REQUIRED' },
      str('task_prompt'),
      str('answer'),
    ],
    rowGroupSize: Math.max(1, n),
  });
}

const str = (name: string) =>
  ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' }) as const;
