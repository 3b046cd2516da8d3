// (e) The CPU side: one SFT step (forward, backward, clip, AdamW) of our CpuEngine against the same
// GPT-2 in TF.js on its CPU-side backends — `cpu` (plain JS) and `wasm` (XNNPACK, with SIMD, and with
// threads when the page is cross-origin isolated), and ours again on every core in a worker. Same
// shape, same weights, medians of the same number of runs, in one bench run so the ratios share a
// machine.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import plainWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { CpuEngine } from '../../models/cpu/engine';
import { benchBatch, benchConfig, benchWeightMap, benchWeights } from './model';
import { sftStep } from '../../models/sft';
import type { CpuBenchReply, CpuBenchRequest } from './cpuWorker';
import { TfjsGpt2 } from './tfjsGpt2';
import { fmt, medianMs, table } from './timing';

setWasmPaths({
  'tfjs-backend-wasm.wasm': plainWasm,
  'tfjs-backend-wasm-simd.wasm': simdWasm,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedWasm,
});

/** (e) SFT step on the CPU: ours and TF.js's cpu and wasm backends; restores the backend it found. */
export async function benchCpu(quick: boolean, log: (s: string) => void): Promise<string> {
  const cfg = benchConfig;
  const flat = benchWeights(cfg);
  const [B, T] = [16, 32];
  const runs = quick ? 3 : 7;
  const batch = benchBatch(cfg, B, T);
  const { tokens, targets } = batch;
  const opt = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clip: 1 };
  const weights = benchWeightMap(cfg, flat);

  log(`CPU SFT step ${B}×${T} ours`);
  const engine = new CpuEngine(cfg, { weights });
  const ours = await medianMs(() => sftStep(engine, batch, opt), runs);
  engine.dispose();

  log(`CPU SFT step ${B}×${T} ours, every core (in a worker)`);
  const threaded = await new Promise<{ threads: number; ms: number }>((resolve, reject) => {
    const w = new Worker(new URL('./cpuWorker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<CpuBenchReply>) => {
      w.terminate();
      if ('error' in e.data) reject(new Error(e.data.error));
      else resolve(e.data);
    };
    w.onerror = (e) => reject(new Error(e.message));
    w.postMessage({ cfg, weights, batch, opt, runs } satisfies CpuBenchRequest);
  });

  const previous = tf.getBackend();
  const theirs: { name: string; ms: number }[] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    log(`CPU SFT step ${B}×${T} TF.js ${backend}`);
    if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} did not initialise`);
    await tf.ready();
    const name =
      backend === 'wasm'
        ? `TF.js wasm (one-hot embedding; SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off'}, ` +
          `threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? `on, ${navigator.hardwareConcurrency} cores` : 'off'})`
        : 'TF.js cpu (plain JS)';
    const m = new TfjsGpt2(cfg, flat, 1e-3, '', backend === 'wasm' ? 'one-hot' : 'gather');
    theirs.push({ name, ms: await medianMs(() => m.sftStep(tokens, targets, B, T), runs) });
    m.dispose();
  }
  await tf.setBackend(previous);
  const best = Math.min(...theirs.map((t) => t.ms));
  return [
    `### (e) SFT step on the CPU: ${cfg.nLayer} layers, C=${cfg.nEmbd}, ${cfg.nHead} heads, V=${cfg.vocabSize}, ` +
      `batch ${B}×${T}, median of ${runs}, main thread (cross-origin isolated: ${crossOriginIsolated})`,
    '',
    table(
      ['', 'ms per step', 'tokens/s', 'its ms ÷ ours on one thread'],
      [
        ['ours (CpuEngine, one thread)', fmt(ours, 1), fmt(((B * T) / ours) * 1000, 0), '1.00'],
        [
          `ours, ${threaded.threads} threads (in a worker)`,
          fmt(threaded.ms, 1),
          fmt(((B * T) / threaded.ms) * 1000, 0),
          fmt(threaded.ms / ours),
        ],
        ...theirs.map((t) => [t.name, fmt(t.ms, 1), fmt(((B * T) / t.ms) * 1000, 0), fmt(t.ms / ours)]),
      ],
    ),
    '',
    `Ours against TF.js's fastest CPU-side backend: ${fmt(best / ours)}× on one thread, ` +
      `${fmt(best / threaded.ms)}× on ${threaded.threads}; threads against one thread: ${fmt(ours / threaded.ms)}×.`,
  ].join('\n');
}
