// One sentence per task for the Task select, from the tasks themselves.

import { TASK_NAMES, type RunConfig } from '../../rl/config';
import { getTask } from '../../rl/tasks';

export const TASK_HELP = Object.fromEntries(TASK_NAMES.map((n) => [n, `${n}: ${getTask(n).description}`])) as Record<
  RunConfig['task'],
  string
>;
