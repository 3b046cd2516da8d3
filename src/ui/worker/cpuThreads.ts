// The CPU engine's thread pool inside a training worker (src/models/cpu/threads.ts): nested Web
// Workers over shared memory, installed once per training worker where the page is cross-origin
// isolated (vite.config.ts sends the headers). Without isolation the engine runs on one thread.

import { setGemmPool } from '../../models/cpu/gemm';
import { ThreadPool, threadsAvailable, type SpawnWorker } from '../../models/cpu/threads';

const spawnWebWorker: SpawnWorker = (body) => {
  const prelude = 'const listen = (h) => { self.onmessage = (e) => h(e.data); };';
  const url = URL.createObjectURL(new Blob([`${prelude}\n${body}`], { type: 'text/javascript' }));
  return new Worker(url, { name: 'cpu-thread' });
};

let installed = 1;

/**
 * Installs a pool of `wanted` threads (default: every core) the first time it is called with more
 * than one; returns the threads the CPU engine now uses.
 */
export function installCpuThreads(wanted = globalThis.navigator?.hardwareConcurrency ?? 1): number {
  if (installed > 1 || wanted < 2) return installed;
  if (!globalThis.crossOriginIsolated || !threadsAvailable()) return installed;
  setGemmPool(new ThreadPool(wanted, spawnWebWorker));
  installed = wanted;
  return installed;
}

/** The threads the CPU engine uses in this worker. */
export function cpuThreadCount(): number {
  return installed;
}
