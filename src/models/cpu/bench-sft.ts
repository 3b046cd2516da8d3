// SFT throughput of the CPU engine (src/models/sft.ts: forward + backward + AdamW; tokens = B·T per step),
// by wall time and by this process's CPU time, with a breakdown of a step. Run: npx tsx src/models/cpu/bench-sft.ts [C L NH T B V]
import type { GPTConfig } from '../config';
import { DEFAULT_ADAMW, meanNllCoefficients, type TokenBatch } from '../engine';
import { Rng } from '../rng';
import { trainSft } from '../sft';
import { CpuEngine } from './engine';

const [C, L, NH, T, B, V] = (process.argv.length > 2 ? process.argv.slice(2) : ['64', '2', '4', '32', '16', '16']).map(
  Number,
);
const config: GPTConfig = { vocabSize: V, blockSize: T, nEmbd: C, nLayer: L, nHead: NH };
const engine = new CpuEngine(config, { seed: 0 });
const rng = new Rng(1);
const tokens = Int32Array.from({ length: B * T }, () => rng.int(V)); // (B,T)
const targets = Int32Array.from({ length: B * T }, (_, i) => ((i + 1) % T === 0 ? -1 : tokens[i + 1])); // (B,T)
const batch: TokenBatch = { B, T, tokens, targets };
const opt = { ...DEFAULT_ADAMW, lr: 1e-3 };
const sft = (steps: number) => trainSft(engine, { steps, batchAt: () => batch, opt });

await sft(5); // warm-up (JIT)
const steps = 30;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
await sft(steps);
const ms = (performance.now() - t0) / steps;
// CPU time of this process: on a machine shared with other jobs it is closer to the unloaded figure than wall time
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000 / steps;

const { dLogprobs, dEntropy } = meanNllCoefficients(batch);
const parts = { forward: 0, backward: 0, step: 0 };
for (let i = 0; i < 10; i++) {
  let t = performance.now();
  await engine.forward(batch);
  parts.forward += performance.now() - t;
  engine.zeroGrad();
  t = performance.now();
  await engine.backward(dLogprobs, dEntropy);
  parts.backward += performance.now() - t;
  t = performance.now();
  await engine.step(opt);
  parts.step += performance.now() - t;
}
console.log(
  `C=${C} L=${L} NH=${NH} T=${T} B=${B} V=${V}: ${ms.toFixed(1)} ms/step, ${Math.round((B * T * 1000) / ms)} tokens/s;` +
    ` per CPU second: ${cpuMs.toFixed(1)} ms/step, ${Math.round((B * T * 1000) / cpuMs)} tokens/s` +
    ` (forward ${(parts.forward / 10).toFixed(1)} ms, backward ${(parts.backward / 10).toFixed(1)} ms, AdamW ${(parts.step / 10).toFixed(1)} ms)`,
);
