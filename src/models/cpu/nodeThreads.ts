// The thread pool's workers in Node (the CLI, tests): worker_threads running the pool's code.
// Workers are unref'd, so an idle pool never keeps a process alive.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ThreadPool, type SpawnWorker } from './threads';

export const spawnNodeWorker: SpawnWorker = (body) => {
  const prelude =
    "const { parentPort } = require('node:worker_threads'); const listen = (h) => parentPort.on('message', h);";
  const w = new Worker(`${prelude}\n${body}`, { eval: true });
  w.unref();
  return w;
};

/** A pool over `threads` threads (default: every core), or null where one thread is all there is. */
export function nodeThreadPool(threads = availableParallelism()): ThreadPool | null {
  return threads >= 2 ? new ThreadPool(threads, spawnNodeWorker) : null;
}
