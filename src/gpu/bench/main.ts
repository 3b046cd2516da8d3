// The bench page: (a) our matmul vs TF.js WebGPU tf.matMul at the model's shapes, (b) one SFT step
// of WebGpuEngine vs the same GPT-2 in TF.js (ops + autodiff), (c) generation tokens/s vs TF.js.
// Medians of repeated runs, each ended by waiting for the GPU. On a software adapter (SwiftShader,
// ~0.2 GFLOP/s) shapes and repetitions are scaled down, and the table says what ran.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { acquireDevice } from '../device';
import { GpuRuntime } from '../runtime';
import { randomArray } from '../testing';
import { matmul } from '../kernels/matmul';
import { meanNllCoefficients, type TokenBatch } from '../../models/engine';
import { paramLayout } from '../../models/params';
import { WebGpuEngine } from '../engine';
import { generate } from '../generate';
import { benchConfig, benchWeights, uploadModel } from './model';
import { TfjsGpt2 } from './tfjsGpt2';
import { fmt, medianMs, table } from './timing';

declare global {
  interface Window {
    __benchDone?: { markdown: string; error?: string };
  }
}

const log = (s: string) => console.log(s);
const quick = new URLSearchParams(location.search).has('quick');

async function tfWait(): Promise<void> {
  const backend = tf.backend() as WebGPUBackend;
  // TF.js keeps a pass and an encoder open between ops: close and submit them, then wait.
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
  await backend.queue.onSubmittedWorkDone();
}

/** (a) out (M,N) = A (M,K) · B (K,N), `reps` products per timed run. */
async function benchMatmul(rt: GpuRuntime, software: boolean): Promise<string> {
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
async function benchSft(rt: GpuRuntime, software: boolean): Promise<string> {
  const cfg = benchConfig;
  const flat = benchWeights(cfg);
  const [B, T] = software ? [8, 32] : [16, 32];
  const runs = software ? (quick ? 3 : 5) : 15;
  const tokens = new Int32Array(B * T); // (B,T)
  const targets = new Int32Array(B * T); // (B,T) next token, -1 at the end of each row
  for (let i = 0; i < B * T; i++) tokens[i] = 3 + ((i * 7 + (i >> 3)) % (cfg.vocabSize - 3));
  for (let i = 0; i < B * T; i++) targets[i] = (i + 1) % T === 0 ? -1 : tokens[i + 1];
  const batch: TokenBatch = { B, T, tokens, targets };
  const opt = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clip: 1 };
  const weights = new Map<string, Float32Array>();
  for (const t of paramLayout(cfg).tensors) weights.set(t.name, flat.slice(t.offset, t.offset + t.size));
  const engine = await WebGpuEngine.create(rt, cfg, { weights });
  const coef = meanNllCoefficients(batch);
  const step = async () => {
    await engine.forward(batch);
    engine.zeroGrad();
    await engine.backward(coef.dLogprobs, coef.dEntropy);
    return engine.step(opt);
  };
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
async function benchGenerate(rt: GpuRuntime, software: boolean): Promise<string> {
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
        [`dispatches per decode step (${B} tokens)`, fmt(dispatches / steps, 1), '', ''],
        ['dispatches per generated token', fmt(dispatches / tokens, 2), '', ''],
        ['submissions per rollout', submits, '', ''],
      ],
    ),
  ].join('\n');
}

async function main(): Promise<void> {
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
  parts.push(await benchMatmul(rt, software), '');
  parts.push(await benchSft(rt, software), '');
  parts.push(await benchGenerate(rt, software), '');
  const markdown = parts.join('\n');
  (document.getElementById('out') as HTMLElement).textContent = markdown;
  window.__benchDone = { markdown };
}

main().catch((e: unknown) => {
  window.__benchDone = { markdown: '', error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
});
