// The CPU engine's thread pool inside a training worker (src/models/cpu/threads.ts), installed once
// per worker where the page is cross-origin isolated (vite.config.ts sends the headers). Without
// isolation the engine runs on one thread.

import { setThreadPool } from '../../models/cpu/parallel';
import { webThreadPool } from '../../models/cpu/webThreads';

let installed = 1;

/**
 * Installs a pool of `wanted` threads (default: every core) the first time it is called with more
 * than one and a pool can run here; returns the threads the CPU engine now uses.
 */
export function installCpuThreads(wanted?: number): number {
  if (installed > 1 || wanted === 1) return installed;
  const pool = webThreadPool(wanted);
  if (pool) {
    setThreadPool(pool);
    installed = pool.threads;
  }
  return installed;
}

/** The threads the CPU engine uses in this worker. */
export function cpuThreadCount(): number {
  return installed;
}
