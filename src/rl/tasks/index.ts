// The built-in tasks by name (docs/DESIGN.md §6).

import type { TaskName } from '../config';
import { addTask } from './add';
import { addScratchTask } from './addScratch';
import { countdownTask } from './countdown';
import { reverseLongTask, reverseTask } from './reverse';
import { sortTask } from './sort';
import type { Task } from './task';

export const TASKS: Record<TaskName, Task> = {
  add: addTask,
  sort: sortTask,
  reverse: reverseTask,
  'add-scratch': addScratchTask,
  countdown: countdownTask,
  'reverse-long': reverseLongTask,
};

/** The task of that name; an unknown name is an error that lists the known ones. */
export function getTask(name: TaskName | string): Task {
  const task = (TASKS as Record<string, Task>)[name];
  if (!task) throw new Error(`unknown task ${JSON.stringify(name)}; known: ${Object.keys(TASKS).join(', ')}`);
  return task;
}
