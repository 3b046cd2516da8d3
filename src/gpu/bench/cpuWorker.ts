// Bench (e)'s threaded row: the CPU engine's SFT step in a Web Worker with a pool of every core
// (src/models/cpu/webThreads.ts), since a pool cannot block on the page's main thread.
import type { GPTConfig } from '../../models/config';
import type { AdamWConfig, TokenBatch } from '../../models/engine';
import { CpuEngine } from '../../models/cpu/engine';
import { setThreadPool } from '../../models/cpu/parallel';
import { webThreadPool } from '../../models/cpu/webThreads';
import { sftStep } from '../../models/sft';
import { medianMs } from './timing';

export interface CpuBenchRequest {
  cfg: GPTConfig;
  weights: Map<string, Float32Array>;
  batch: TokenBatch;
  opt: AdamWConfig;
  runs: number;
}
export type CpuBenchReply = { threads: number; ms: number } | { error: string };

self.onmessage = async (e: MessageEvent<CpuBenchRequest>) => {
  try {
    const { cfg, weights, batch, opt, runs } = e.data;
    const pool = webThreadPool();
    await pool?.started();
    setThreadPool(pool);
    const engine = new CpuEngine(cfg, { weights });
    const ms = await medianMs(() => sftStep(engine, batch, opt), runs);
    pool?.dispose();
    self.postMessage({ threads: pool?.threads ?? 1, ms } satisfies CpuBenchReply);
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? err.message : String(err) } satisfies CpuBenchReply);
  }
};
