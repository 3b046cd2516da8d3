// SFT throughput of the CPU engine (the SFT step of src/models/sft.ts: forward + backward + AdamW;
// tokens = B·T per step) on one thread and on a pool of every core (threads.ts), measured alternately
// in one process so both see the same machine; also a breakdown of a one-thread step.
// Run: npx tsx src/models/cpu/bench-sft.ts [C L NH T B V] (default: the bench page's "small" shape)
import { availableParallelism } from 'node:os';
import type { GPTConfig } from '../config';
import { DEFAULT_ADAMW, type Engine, type TokenBatch } from '../engine';
import { Rng } from '../rng';
import { sftStep } from '../sft';
import { CpuEngine } from './engine';
import { setThreadPool } from './parallel';
import { nodeThreadPool } from './nodeThreads';

const [C, L, NH, T, B, V] = (process.argv.length > 2 ? process.argv.slice(2) : ['64', '2', '4', '32', '16', '20']).map(
  Number,
);
const config: GPTConfig = { vocabSize: V, blockSize: T, nEmbd: C, nLayer: L, nHead: NH };
const rng = new Rng(1);
const tokens = Int32Array.from({ length: B * T }, () => rng.int(V)); // (B,T)
const targets = Int32Array.from({ length: B * T }, (_, i) => ((i + 1) % T === 0 ? -1 : tokens[i + 1])); // (B,T)
const batch: TokenBatch = { B, T, tokens, targets };
const opt = { ...DEFAULT_ADAMW, lr: 1e-3 };
const parts = { forward: 0, backward: 0, step: 0 };
type Part = keyof typeof parts;

/** `engine` with the time of each forward, backward and AdamW step added into `parts`. */
function timingParts(engine: CpuEngine): Engine {
  return new Proxy(engine, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      if (!(key in parts)) return value.bind(target);
      return async (...args: unknown[]) => {
        const t = performance.now();
        const result: unknown = await value.apply(target, args);
        parts[key as Part] += performance.now() - t;
        return result;
      };
    },
  });
}

const threads = availableParallelism();
const single = new CpuEngine(config, { seed: 0 });
const singleTimed = timingParts(single); // the measured one-thread runs also fill `parts`
const pool = nodeThreadPool(threads);
await pool?.started();
setThreadPool(pool);
const pooled = new CpuEngine(config, { seed: 0 }); // allocated in shared memory
setThreadPool(null);
const timed = async (engine: Engine, withPool: boolean) => {
  setThreadPool(withPool ? pool : null);
  const t0 = performance.now();
  await sftStep(engine, batch, opt);
  setThreadPool(null);
  return performance.now() - t0;
};
for (let i = 0; i < 5; i++) {
  // JIT warm-up
  await timed(single, false);
  await timed(pooled, true);
}
const runs = 20;
const ms = { single: [] as number[], pooled: [] as number[] };
for (let i = 0; i < runs; i++) {
  ms.single.push(await timed(singleTimed, false));
  if (pool) ms.pooled.push(await timed(pooled, true));
}
pool?.dispose();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const perSec = (m: number) => Math.round((B * T * 1000) / m);
const one = median(ms.single);
console.log(
  `C=${C} L=${L} NH=${NH} T=${T} B=${B} V=${V}, median of ${runs}: one thread ${one.toFixed(1)} ms/step ` +
    `(${perSec(one)} tokens/s; forward ${(parts.forward / runs).toFixed(1)} ms, backward ` +
    `${(parts.backward / runs).toFixed(1)} ms, AdamW ${(parts.step / runs).toFixed(1)} ms)`,
);
if (pool) {
  const many = median(ms.pooled);
  console.log(
    `${threads} threads ${many.toFixed(1)} ms/step (${perSec(many)} tokens/s): ${(one / many).toFixed(2)}× one thread`,
  );
} else console.log('one core: no thread pool to compare');
