// The CLI's share of the cores for the CPU engine's thread pool (src/models/cpu/threads.ts).

import { availableParallelism } from 'node:os';

/**
 * How many threads the CPU engine's thread pool uses: GRPO_THREADS, else every core. `sweep --jobs J`
 * gives each of its J child processes an equal share.
 */
export function cliThreads(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.GRPO_THREADS;
  if (given === undefined || given === '') return availableParallelism();
  const n = Number(given);
  if (!Number.isInteger(n) || n < 1) throw new Error(`GRPO_THREADS must be a whole number ≥ 1, got ${given}`);
  return n;
}
