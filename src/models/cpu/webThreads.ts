// The thread pool's workers in a browser: nested Web Workers started from the pool's code as a blob
// URL. A pool can only be used off the main thread (threads.ts) and where the page is cross-origin
// isolated, which `webThreadPool` checks.

import { ThreadPool, threadsAvailable, type SpawnWorker } from './threads';

export const spawnWebWorker: SpawnWorker = (body) => {
  const prelude = 'const listen = (h) => { self.onmessage = (e) => h(e.data); };';
  const url = URL.createObjectURL(new Blob([`${prelude}\n${body}`], { type: 'text/javascript' }));
  return new Worker(url, { name: 'cpu-thread' });
};

/** A pool of `threads` (default every core), or null where this context cannot run one. */
export function webThreadPool(threads = globalThis.navigator?.hardwareConcurrency ?? 1): ThreadPool | null {
  if (threads < 2 || !globalThis.crossOriginIsolated || !threadsAvailable()) return null;
  return new ThreadPool(threads, spawnWebWorker);
}
