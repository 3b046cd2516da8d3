// The bench's GPU sections, shared by its two entries: the bench page (src/gpu/bench/main.ts, in
// Chromium, `npm run bench`) and Dawn for Node (scripts/bench-node.ts, `npm run bench:node`, for a GPU
// machine with no browser). (a) our matmul vs TF.js WebGPU tf.matMul at the model's shapes, (b) one
// SFT step of WebGpuEngine vs the same GPT-2 in TF.js (ops + autodiff), (c) generation tokens/s vs
// TF.js, (d) one GRPO step (generate, reference and rollout log-probs, policy loss, backward, clip,
// AdamW) through Engine.deviceRl, through the per-call Engine API, and in TF.js, with mapAsync and
// dispatch counts taken at the WebGPU API (so TF.js's are counted the same way).
// Medians of repeated runs, each ended by waiting for the GPU. On a software adapter (SwiftShader,
// ~0.2 GFLOP/s) shapes and repetitions are scaled down, and the table says what ran.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { acquireDevice } from '../device';
import { GpuRuntime } from '../runtime';
import { randomArray } from '../testing';
import { matmul } from '../kernels/matmul';
import type { AdamWConfig, Engine, TokenLossParams } from '../../models/engine';
import { WebGpuEngine } from '../engine';
import { generate } from '../generate';
import { benchBatch, benchConfig, benchWeightMap, benchWeights, uploadModel } from './model';
import { sftStep } from '../../models/sft';
import { TfjsGpt2 } from './tfjsGpt2';
import { fmt, medianMs, table } from './timing';

export interface BenchOptions {
  /** Fewer repetitions per measurement. */
  quick: boolean;
  /** The sections to run, by letter (a–d, GPU_SECTIONS in ./timing, and any in `more`). */
  only: string;
  /** Progress, one line per measurement. */
  log: (line: string) => void;
  /** Sections an entry adds after the GPU ones (the page adds e, the CPU engine against TF.js's CPU backends). */
  more?: Record<string, () => Promise<string>>;
}

async function tfWait(): Promise<void> {
  const backend = tf.backend() as WebGPUBackend;
  // TF.js keeps a pass and an encoder open between ops: close and submit them, then wait.
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
  await backend.queue.onSubmittedWorkDone();
}

/** (a) out (M,N) = A (M,K) · B (K,N), `reps` products per timed run. */
async function benchMatmul(
  rt: GpuRuntime,
  software: boolean,
  quick: boolean,
  log: (s: string) => void,
): Promise<string> {
  const full: [number, number, number][] = [
    [512, 64, 192],
    [512, 64, 256],
    [512, 256, 64],
    [1024, 1024, 1024],
  ];
  // SwiftShader: the model shapes as they are, 1024³ (2 GFLOP, ~10 s per product) cut to 256³.
  const shapes = software
    ? full.map(([m, k, n]) => (m === 1024 ? ([256, 256, 256] as [number, number, number]) : [m, k, n]))
    : full;
  const reps = software ? 2 : 20;
  const runs = software ? (quick ? 3 : 5) : 15;
  const rows: (string | number)[][] = [];
  for (const [M, K, N] of shapes) {
    log(`matmul ${M}×${K}·${K}×${N}`);
    const a = randomArray(M * K, 1, 1);
    const b = randomArray(K * N, 2, 1);
    const ga = rt.upload(a);
    const gb = rt.upload(b);
    const out = rt.buffer(M * N * 4);
    const ours = await medianMs(async () => {
      const rec = rt.recorder();
      for (let r = 0; r < reps; r++) matmul(rec, out, ga, gb, M, N, K);
      rec.submit();
      await rt.device.queue.onSubmittedWorkDone();
    }, runs);
    const ta = tf.tensor2d(a, [M, K]);
    const tb = tf.tensor2d(b, [K, N]);
    const theirs = await medianMs(async () => {
      const outs: tf.Tensor[] = [];
      for (let r = 0; r < reps; r++) outs.push(tf.matMul(ta, tb));
      await tfWait();
      tf.dispose(outs);
    }, runs);
    tf.dispose([ta, tb]);
    for (const buf of [ga, gb, out]) rt.release(buf);
    const gflops = (2 * M * N * K * reps) / (ours * 1e6);
    rows.push([`${M}×${K}·${K}×${N}`, fmt(ours / reps, 3), fmt(theirs / reps, 3), fmt(theirs / ours), fmt(gflops, 2)]);
  }
  return [
    `### (a) matmul (${reps} products per run, median of ${runs} runs)`,
    '',
    table(['shape', 'ours ms', 'TF.js ms', 'speed-up (TF.js/ours)', 'ours GFLOP/s'], rows),
  ].join('\n');
}

/** (b) One SFT step (forward, backward, clip, AdamW) on a (B,T) batch; both end with the loss or norm read back. */
async function benchSft(rt: GpuRuntime, software: boolean, quick: boolean, log: (s: string) => void): Promise<string> {
  const cfg = benchConfig;
  const flat = benchWeights(cfg);
  const [B, T] = software ? [8, 32] : [16, 32];
  const runs = software ? (quick ? 3 : 5) : 15;
  const batch = benchBatch(cfg, B, T);
  const { tokens, targets } = batch;
  const opt = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clip: 1 };
  const weights = benchWeightMap(cfg, flat);
  const engine = await WebGpuEngine.create(rt, cfg, { weights });
  const step = () => sftStep(engine, batch, opt);
  log(`SFT step ${B}×${T} ours`);
  rt.resetCounters();
  await step();
  const dispatches = rt.dispatchCount;
  const submits = rt.submitCount;
  const ours = await medianMs(step, runs);
  engine.dispose();
  log(`SFT step ${B}×${T} TF.js`);
  const tfm = new TfjsGpt2(cfg, flat);
  const theirs = await medianMs(() => tfm.sftStep(tokens, targets, B, T), runs);
  tfm.dispose();
  return [
    `### (b) SFT step: ${cfg.nLayer} layers, C=${cfg.nEmbd}, ${cfg.nHead} heads, V=${cfg.vocabSize}, batch ${B}×${T}, median of ${runs}`,
    '',
    table(
      ['', 'ours (WebGpuEngine)', 'TF.js (ops + autodiff)', 'speed-up (TF.js/ours)'],
      [
        ['ms per step', fmt(ours, 1), fmt(theirs, 1), fmt(theirs / ours)],
        ['tokens/s', fmt(((B * T) / ours) * 1000, 0), fmt(((B * T) / theirs) * 1000, 0), ''],
        ['dispatches per step', dispatches, '', ''],
        ['submissions per step', submits, '', ''],
      ],
    ),
  ].join('\n');
}

/** (c) Generation: B rows, a P-token prompt, L new tokens each (no <eos> stop, so both run all L). */
async function benchGenerate(
  rt: GpuRuntime,
  software: boolean,
  quick: boolean,
  log: (s: string) => void,
): Promise<string> {
  const cfg = benchConfig;
  const flat = benchWeights(cfg);
  const B = 16;
  const P = 8;
  const L = software ? 16 : 40;
  const runs = software ? (quick ? 3 : 5) : 10;
  const prompt = new Int32Array(B * P); // (B,P)
  for (let i = 0; i < prompt.length; i++) prompt[i] = 3 + ((i * 7) % (cfg.vocabSize - 3));
  const prompts = Array.from({ length: B }, (_, r) => prompt.subarray(r * P, (r + 1) * P));
  const model = uploadModel(rt, cfg, flat);
  const req = { prompts, maxNewTokens: L, temperature: 1, seed: 5, eosId: -1 };
  log(`generate ${B}×(${P}+${L}) ours`);
  rt.resetCounters();
  await generate(model, req);
  const dispatches = rt.dispatchCount;
  const submits = rt.submitCount;
  const ours = await medianMs(() => generate(model, req), runs);
  log(`generate ${B}×(${P}+${L}) TF.js`);
  const tfm = new TfjsGpt2(cfg, flat);
  const theirs = await medianMs(() => tfm.generate(prompt, B, P, L, 1, 5), runs);
  tfm.dispose();
  const tokens = B * L;
  const steps = P + L - 1; // decode steps: the prompt is prefilled one position per step
  return [
    `### (c) generation: ${cfg.nLayer} layers, C=${cfg.nEmbd}, ${B} rows × (${P} prompt + ${L} new tokens), τ=1, median of ${runs}`,
    '',
    table(
      ['', 'ours', 'TF.js (KV cache by concat)', 'ratio ours/TF.js'],
      [
        ['ms per rollout', fmt(ours, 1), fmt(theirs, 1), ''],
        ['tokens/s', fmt((tokens / ours) * 1000, 0), fmt((tokens / theirs) * 1000, 0), fmt(theirs / ours)],
        ['dispatches per rollout', dispatches, '', ''],
        [`dispatches per decode step (${B} tokens)`, fmt(dispatches / steps, 2), '', ''],
        ['dispatches per generated token', fmt(dispatches / tokens, 3), '', ''],
        ['submissions per rollout', submits, '', ''],
      ],
    ),
  ].join('\n');
}

/** Every mapAsync and dispatchWorkgroups on the page, ours and TF.js's alike. */
const apiCounts = { maps: 0, dispatches: 0 };
function countWebGpuCalls(): void {
  const map = GPUBuffer.prototype.mapAsync;
  GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>) {
    apiCounts.maps++;
    return map.apply(this, args);
  };
  const dispatch = GPUComputePassEncoder.prototype.dispatchWorkgroups;
  GPUComputePassEncoder.prototype.dispatchWorkgroups = function (
    this: GPUComputePassEncoder,
    ...args: Parameters<GPUComputePassEncoder['dispatchWorkgroups']>
  ) {
    apiCounts.dispatches++;
    return dispatch.apply(this, args);
  };
}

/** mapAsync and dispatches of one call of `fn`. */
async function counted(fn: () => Promise<unknown>): Promise<{ maps: number; dispatches: number }> {
  const [m, d] = [apiCounts.maps, apiCounts.dispatches];
  await fn();
  return { maps: apiCounts.maps - m, dispatches: apiCounts.dispatches - d };
}

/**
 * The share of `fn`'s wall time the device spent in our kernels (GpuRuntime.takeKernelTimeMs), summed
 * over `runs` calls, as a percentage; 'n/a' where the adapter has no timestamp queries.
 */
async function kernelShare(rt: GpuRuntime, fn: () => Promise<unknown>, runs: number): Promise<string> {
  rt.takeKernelTimeMs();
  const t = performance.now();
  for (let i = 0; i < runs; i++) await fn();
  const wall = performance.now() - t;
  const kernel = rt.takeKernelTimeMs();
  return kernel === null ? 'n/a' : `${((100 * kernel) / wall).toFixed(0)}%`;
}

/**
 * (d) One GRPO step in the trainer's common case (vanilla clip ε 0.2/0.28, k3 KL β 0.05, α 0.01,
 * token-mean, one pass; docs/DESIGN.md §5): B rows = B/4 prompts × 4 completions of L tokens at τ = 1,
 * fixed advantages ±1 per row.
 */
async function benchGrpo(rt: GpuRuntime, software: boolean, quick: boolean, log: (s: string) => void): Promise<string> {
  const cfg = benchConfig;
  const flat = benchWeights(cfg);
  const [B, P, L] = software ? [8, 8, 8] : [16, 8, 24];
  const T = P + L - 1;
  const runs = software ? (quick ? 3 : 5) : 10;
  const prompt = new Int32Array(B * P); // (B,P) 4 rows per prompt
  for (let i = 0; i < prompt.length; i++)
    prompt[i] = 3 + ((Math.floor(i / (4 * P)) * 5 + (i % P) * 7) % (cfg.vocabSize - 3));
  const prompts = Array.from({ length: B }, (_, r) => prompt.subarray(r * P, (r + 1) * P));
  const rowAdvantages = Float32Array.from({ length: B }, (_, r) => (r % 2 ? -1 : 1));
  const weights = benchWeightMap(cfg, flat);
  const params: TokenLossParams = {
    clip: true,
    epsLow: 0.2,
    epsHigh: 0.28,
    dualClip: null,
    klCoef: 0.05,
    klEstimator: 'k3',
    entropyCoef: 0.01,
    klCovCoef: 0,
  };
  const opt: AdamWConfig = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clip: 1 };
  /** The rollout batch of a generation, token-mean weights and per-token advantages (as src/rl/rollout.ts). */
  const rolloutBatch = (completions: Int32Array[]) => {
    const tokens = new Int32Array(B * T); // (B,T)
    const targets = new Int32Array(B * T).fill(-1); // (B,T)
    for (let b = 0; b < B; b++) {
      tokens.set(prompts[b], b * T);
      tokens.set(completions[b].subarray(0, L - 1), b * T + P);
      targets.set(completions[b], b * T + P - 1);
    }
    const mask = Uint8Array.from(targets, (t) => (t >= 0 ? 1 : 0));
    const n = mask.reduce((a, x) => a + x, 0);
    const advantages = Float32Array.from(mask, (m, i) => m * rowAdvantages[Math.floor(i / T)]);
    return { batch: { B, T, tokens, targets }, mask, weights: Float32Array.from(mask, (m) => m / n), advantages };
  };
  const engines = async (): Promise<[WebGpuEngine, WebGpuEngine]> => [
    await WebGpuEngine.create(rt, cfg, { weights }),
    await WebGpuEngine.create(rt, cfg, { weights }),
  ];
  let seed = 1;
  const generateOn = (e: Engine) => e.generate({ prompts, maxNewTokens: L, temperature: 1, seed: seed++, eosId: -1 });

  const [engine, ref] = await engines();
  const deviceStep = async () => {
    const r = rolloutBatch((await generateOn(engine)).completions);
    await engine.deviceRl.rolloutForward(r.batch, ref, false);
    return engine.deviceRl.update({
      rows: null,
      batch: r.batch,
      reuseForward: true,
      advantages: r.advantages,
      mask: r.mask,
      weights: r.weights,
      selection: { topEntropyK: null, clipCov: null, klCovK: null },
      params,
      opt,
      readRollout: true,
    });
  };
  const [engine2, ref2] = await engines();
  const perCallStep = async () => {
    const r = rolloutBatch((await generateOn(engine2)).completions);
    const refLogprobs = (await ref2.forward(r.batch)).logprobs;
    const cur = await engine2.forward(r.batch);
    await engine2.tokenCovariance(cur.logprobs, r.advantages, r.mask);
    const old = new Float32Array(cur.logprobs);
    const terms = await engine2.tokenPolicyLoss({
      N: B * T,
      logprobs: cur.logprobs,
      oldLogprobs: old,
      refLogprobs,
      entropy: cur.entropy,
      advantages: r.advantages,
      weights: r.weights,
      pgActive: r.mask,
      klCovSelected: new Float32Array(B * T),
      params,
    });
    engine2.zeroGrad();
    await engine2.backward(terms.dLogprobs, terms.dEntropy);
    return engine2.step(opt);
  };
  log(`GRPO step ${B}×(${P}+${L}) ours`);
  await deviceStep(); // pipelines compiled
  const devCounts = await counted(deviceStep);
  const dev = await medianMs(deviceStep, runs);
  const devKernel = await kernelShare(rt, deviceStep, runs);
  await perCallStep();
  const perCallCounts = await counted(perCallStep);
  const perCall = await medianMs(perCallStep, runs);
  const perCallKernel = await kernelShare(rt, perCallStep, runs);
  for (const e of [engine, ref, engine2, ref2]) e.dispose();
  log(`GRPO step ${B}×(${P}+${L}) TF.js`);
  const tfm = new TfjsGpt2(cfg, flat);
  const tfRef = new TfjsGpt2(cfg, flat, 1e-3, 'reference/');
  const tfStep = () => tfm.grpoStep(tfRef, prompt, B, P, L, rowAdvantages, seed++);
  await tfStep();
  const tfCounts = await counted(tfStep);
  const theirs = await medianMs(tfStep, runs);
  tfm.dispose();
  tfRef.dispose();
  return [
    `### (d) GRPO step: ${cfg.nLayer} layers, C=${cfg.nEmbd}, ${B} rows × (${P} prompt + ${L} new tokens), vanilla clip + k3 KL + entropy, token-mean, median of ${runs}`,
    '',
    table(
      [
        '',
        'ours (Engine.deviceRl)',
        'ours (per-call Engine API)',
        'TF.js (ops + autodiff)',
        'speed-up (TF.js/deviceRl)',
      ],
      [
        ['ms per step', fmt(dev, 1), fmt(perCall, 1), fmt(theirs, 1), fmt(theirs / dev)],
        ['mapAsync per step', devCounts.maps, perCallCounts.maps, tfCounts.maps, ''],
        ['dispatches per step', devCounts.dispatches, perCallCounts.dispatches, tfCounts.dispatches, ''],
        ['kernel time (timestamp queries), % of the step', devKernel, perCallKernel, '', ''],
      ],
    ),
  ].join('\n');
}

/**
 * Runs the sections in `only` on the first adapter WebGPU offers (the page's navigator.gpu, or Dawn's
 * in Node) and returns the markdown table: which adapter, TF.js's version, then each section.
 */
export async function runBench({ quick, only, log, more = {} }: BenchOptions): Promise<string> {
  countWebGpuCalls();
  const ctx = await acquireDevice();
  const rt = new GpuRuntime(ctx.device);
  await tf.setBackend('webgpu');
  await tf.ready();
  const software = ctx.adapter.isSoftware;
  const parts = [
    `## Bench on ${ctx.adapter.name}${software ? ' (software adapter: reduced shapes)' : ''}`,
    '',
    `TF.js ${tf.version.tfjs}, backend ${tf.getBackend()}; ${new Date().toISOString()}`,
    '',
  ];
  const sections: [string, () => Promise<string>][] = [
    ['a', () => benchMatmul(rt, software, quick, log)],
    ['b', () => benchSft(rt, software, quick, log)],
    ['c', () => benchGenerate(rt, software, quick, log)],
    ['d', () => benchGrpo(rt, software, quick, log)],
    ...Object.entries(more),
  ];
  for (const [letter, run] of sections) if (only.includes(letter)) parts.push(await run(), '');
  return parts.join('\n');
}
