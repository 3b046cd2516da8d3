// Engine parity (docs/DESIGN.md §2): WebGpuEngine against CpuEngine from the same seed and weights —
// logits, log-probs and entropy (rtol 1e-4 / atol 1e-5), every parameter gradient (≤ 2e-2 of the
// tensor's scale, llm.c's bar; the worst per tensor kind is printed), and a 10-step SFT loss
// trajectory (within 1e-2). Tiny shapes for SwiftShader: C = 32, 2 layers, 4 heads, T = 11.
// Then the optional loss capabilities, tokenPolicyLoss and tokenCovariance, against the RL core's
// TS formulas (src/rl/policyLoss.ts) they stand in for.
import { describe, expect, test } from 'vitest';
import type { GPTConfig } from '../models/config';
import { CpuEngine } from '../models/cpu/engine';
import {
  CLIPPED_HIGH,
  CLIPPED_LOW,
  CLIPPED_NONE,
  meanNllCoefficients,
  type AdamWConfig,
  type TokenBatch,
  type TokenLossBatch,
} from '../models/engine';
import { Rng } from '../models/rng';
import { policyLossToken, tokenCovariance } from '../rl/policyLoss';
import { WebGpuEngine } from './engine';
import { allClose, randomArray, relToScale, testRuntime } from './testing';

const CONFIG: GPTConfig = { vocabSize: 19, blockSize: 16, nEmbd: 32, nLayer: 2, nHead: 4 };
const SEED = 1234;

/** B rows of T tokens; targets are the next token, -1 at each row's end and on a padded tail. */
function makeBatch(B: number, T: number, seed: number): TokenBatch {
  const rng = new Rng(seed);
  const tokens = new Int32Array(B * T); // (B,T)
  const targets = new Int32Array(B * T).fill(-1); // (B,T)
  for (let b = 0; b < B; b++) {
    const len = T - rng.int(4); // positions ≥ len are padding with no target
    for (let t = 0; t < T; t++) tokens[b * T + t] = rng.int(CONFIG.vocabSize);
    for (let t = 0; t + 1 < len; t++) targets[b * T + t] = tokens[b * T + t + 1];
  }
  return { B, T, tokens, targets };
}

/** A parameter's kind (wte, wpe, ln, attn, mlp): the gradient parity test logs its worst error per kind. */
function kind(name: string): string {
  if (name.includes('wte')) return 'wte';
  if (name.includes('wpe')) return 'wpe';
  if (name.includes('ln_')) return 'ln';
  if (name.includes('attn')) return 'attn';
  return 'mlp';
}

async function engines(weights?: Map<string, Float32Array>) {
  const rt = await testRuntime();
  const cpu = new CpuEngine(CONFIG, { seed: SEED, weights });
  const gpu = await WebGpuEngine.create(rt, CONFIG, { seed: SEED, weights });
  return { rt, cpu, gpu };
}

describe('WebGpuEngine parity with CpuEngine', () => {
  test('same seed gives bit-identical initial weights', async () => {
    const { cpu, gpu } = await engines();
    const [a, b] = [await cpu.getWeights(), await gpu.getWeights()];
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, w] of a) expect(Array.from(b.get(name)!), name).toEqual(Array.from(w));
    cpu.dispose();
    gpu.dispose();
  });

  test('logits, logprobs and entropy match within rtol 1e-4 / atol 1e-5', async () => {
    const { cpu, gpu } = await engines();
    const batch = makeBatch(3, 11, 1);
    const V = CONFIG.vocabSize;
    const close = (got: Float32Array, want: Float32Array, what: string) => {
      const c = allClose(got, want, 1e-4, 1e-5);
      expect(c.ok, `${what}: worst |diff| ${c.maxAbs} at ${c.worstIndex}`).toBe(true);
      console.log(`forward parity: ${what} max|Δ| ${c.maxAbs.toExponential(2)}`);
    };
    const [lc, lg] = [await cpu.logits(batch), await gpu.logits(batch)];
    expect(lg.length).toBe(3 * 11 * V);
    close(lg, lc, 'logits');
    const [fc, fg] = [await cpu.forward(batch), await gpu.forward(batch)];
    close(fg.logprobs, fc.logprobs, 'logprobs');
    close(fg.entropy, fc.entropy, 'entropy');
    // Not trivially equal: real distributions (entropy well above 0) and no-target positions at 0.
    expect(Math.max(...fg.entropy)).toBeGreaterThan(1);
    for (let i = 0; i < batch.targets.length; i++) if (batch.targets[i] < 0) expect(fg.logprobs[i]).toBe(0);
    cpu.dispose();
    gpu.dispose();
  });

  test('every parameter gradient matches within 2e-2 of its scale, in fact 1e-4 (RL coefficients on logprobs and entropy)', async () => {
    // Trained-looking weights (not the init), so every path carries a sizeable gradient.
    const start = new CpuEngine(CONFIG, { seed: SEED });
    const weights = await start.getWeights();
    for (const [name, w] of weights) {
      const noise = randomArray(w.length, name.length * 31 + w.length, 0.05);
      for (let i = 0; i < w.length; i++) w[i] += noise[i];
    }
    start.dispose();
    const { cpu, gpu } = await engines(weights);
    const batch = makeBatch(3, 11, 2);
    const dLogprobs = randomArray(33, 3, 0.5).map((x, i) => (batch.targets[i] < 0 ? 0 : x)); // (B,T)
    const dEntropy = randomArray(33, 4, 0.2).map((x, i) => (batch.targets[i] < 0 ? 0 : x)); // (B,T)
    for (const e of [cpu, gpu]) {
      await e.forward(batch);
      e.zeroGrad();
      await e.backward(dLogprobs, dEntropy);
    }
    const [gc, gg] = [await cpu.getGrads(), await gpu.getGrads()];
    const worst = new Map<string, { err: number; name: string }>();
    for (const [name, want] of gc) {
      const got = gg.get(name)!;
      const err = relToScale(got, want);
      expect(Math.max(...want.map(Math.abs)), `${name} has a gradient`).toBeGreaterThan(0);
      // llm.c's bar is 2e-2; both engines do the same f32 math in other orders, so far tighter holds.
      expect(err, name).toBeLessThan(1e-4);
      const k = kind(name);
      if (!worst.has(k) || worst.get(k)!.err < err) worst.set(k, { err, name });
    }
    console.log(
      'gradient parity, worst max|Δ|/max|g| per kind: ' +
        [...worst].map(([k, w]) => `${k} ${w.err.toExponential(2)} (${w.name})`).join('; '),
    );
    cpu.dispose();
    gpu.dispose();
  });

  test('a 10-step SFT loss trajectory from the same checkpoint matches within 1e-2', async () => {
    const { rt, cpu, gpu } = await engines();
    const opt: AdamWConfig = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, clip: 1 };
    const losses: number[][] = [[], []];
    const norms: number[][] = [[], []];
    for (let step = 0; step < 10; step++) {
      const batch = makeBatch(3, 10, 100 + (step % 3));
      const { dLogprobs, dEntropy, n } = meanNllCoefficients(batch);
      for (const [i, e] of [cpu, gpu].entries()) {
        const submits = rt.submitCount;
        const { logprobs } = await e.forward(batch);
        losses[i].push(-logprobs.reduce((s, x) => s + x, 0) / n);
        e.zeroGrad();
        await e.backward(dLogprobs, dEntropy);
        norms[i].push((await e.step(opt)).gradNorm);
        if (e === gpu) expect(rt.submitCount - submits, 'submissions per SFT step').toBe(2);
      }
    }
    const worstLoss = Math.max(...losses[0].map((x, s) => Math.abs(x - losses[1][s])));
    console.log(`SFT trajectory: worst |Δloss| ${worstLoss.toExponential(2)}`);
    console.log(`SFT losses cpu ${losses[0].map((x) => x.toFixed(4))} gpu ${losses[1].map((x) => x.toFixed(4))}`);
    for (let s = 0; s < 10; s++) {
      expect(Math.abs(losses[1][s] - losses[0][s]), `loss at step ${s}`).toBeLessThan(1e-2);
      expect(Math.abs(norms[1][s] - norms[0][s]) / norms[0][s], `grad norm at step ${s}`).toBeLessThan(1e-2);
    }
    // The run learned (the loss moved), so the match is not of two frozen models.
    expect(losses[0][9]).toBeLessThan(losses[0][0] - 0.1);
    const [wc, wg] = [await cpu.getWeights(), await gpu.getWeights()];
    for (const [name, w] of wc) expect(relToScale(wg.get(name)!, w), name).toBeLessThan(1e-2);
    cpu.dispose();
    gpu.dispose();
  });

  test('optimizer state and weights round-trip as copies; dispatch counts per SFT step', async () => {
    const { gpu } = await engines();
    const n = gpu.layout.total;
    const s = { m: randomArray(n, 5, 1), v: randomArray(n, 6, 1).map(Math.abs), t: 7 };
    await gpu.setOptimizerState(s);
    const back = await gpu.getOptimizerState();
    expect(back.t).toBe(7);
    expect(Array.from(back.m)).toEqual(Array.from(s.m));
    expect(Array.from(back.v)).toEqual(Array.from(s.v));
    const w = await gpu.getWeights();
    const wte = w.get('transformer.wte.weight')!;
    const first = wte[0];
    wte[0] = 99; // a copy: the engine's weights do not change
    expect((await gpu.getWeights()).get('transformer.wte.weight')![0]).toBe(first);

    const batch = makeBatch(2, 9, 3);
    const { dLogprobs, dEntropy } = meanNllCoefficients(batch);
    await gpu.forward(batch);
    gpu.zeroGrad();
    await gpu.backward(dLogprobs, dEntropy);
    await gpu.step({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clip: 1 });
    const L = CONFIG.nLayer;
    // forward: embedding, 10 per layer, ln_f, LM head, logprob; backward: 7 + 19 per layer; step: norm (2) + AdamW.
    const { forward, backward, step } = gpu.dispatches;
    expect({ forward, backward, step }).toEqual({ forward: 4 + 10 * L, backward: 7 + 19 * L, step: 3 });
    gpu.dispose();
  });

  test('a non-finite gradient norm takes no step: weights, moments and t stay bit-identical', async () => {
    const { gpu } = await engines();
    const batch = makeBatch(2, 7, 5);
    const { dLogprobs, dEntropy } = meanNllCoefficients(batch);
    const opt = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, clip: 1 };
    await gpu.forward(batch);
    gpu.zeroGrad();
    await gpu.backward(dLogprobs, dEntropy);
    await gpu.step(opt); // nonzero moments, t = 1
    const [w0, o0] = [await gpu.getWeights(), await gpu.getOptimizerState()];
    for (const bad of [NaN, Infinity]) {
      const poisoned = Float32Array.from(dLogprobs);
      poisoned[2] = bad;
      await gpu.forward(batch);
      gpu.zeroGrad();
      await gpu.backward(poisoned, dEntropy);
      const { gradNorm } = await gpu.step(opt);
      expect(Number.isFinite(gradNorm)).toBe(false);
      const [w1, o1] = [await gpu.getWeights(), await gpu.getOptimizerState()];
      for (const [name, w] of w0) expect(Array.from(w1.get(name)!)).toEqual(Array.from(w));
      expect(o1.t).toBe(1);
      expect(Array.from(o1.m)).toEqual(Array.from(o0.m));
      expect(Array.from(o1.v)).toEqual(Array.from(o0.v));
    }
    // a finite step afterwards still updates (the guard is not stuck)
    await gpu.forward(batch);
    gpu.zeroGrad();
    await gpu.backward(dLogprobs, dEntropy);
    expect(Number.isFinite((await gpu.step(opt)).gradNorm)).toBe(true);
    expect((await gpu.getOptimizerState()).t).toBe(2);
    gpu.dispose();
  });
});

/** N tokens of a policy-loss batch with ratios across both clip edges and some non-loss tokens. */
function lossBatch(N: number, seed: number): TokenLossBatch {
  const rng = new Rng(seed);
  const f32 = (f: (i: number) => number) => Float32Array.from({ length: N }, (_, i) => f(i));
  const logprobs = f32(() => -3 * rng.next());
  return {
    N,
    logprobs,
    oldLogprobs: f32((i) => logprobs[i] + (rng.next() * 2 - 1) * 0.6),
    refLogprobs: f32((i) => logprobs[i] + (rng.next() * 2 - 1) * 0.4),
    entropy: f32(() => 2 * rng.next()),
    advantages: f32(() => rng.next() * 2 - 1),
    weights: f32(() => (rng.next() < 0.2 ? 0 : 1 / N)),
    pgActive: f32(() => (rng.next() < 0.1 ? 0 : 1)),
    klCovSelected: f32(() => (rng.next() < 0.3 ? 1 : 0)),
    params: {
      clip: true,
      epsLow: 0.2,
      epsHigh: 0.28,
      dualClip: 3,
      klCoef: 0.05,
      klEstimator: 'k3',
      entropyCoef: 0.01,
      klCovCoef: 1,
    },
  };
}

describe('WebGpuEngine loss capabilities', () => {
  test('tokenPolicyLoss matches policyLossToken per token (rtol 1e-4 / atol 1e-6), clip flags exactly', async () => {
    const rt = await testRuntime();
    const gpu = await WebGpuEngine.create(rt, CONFIG, { seed: SEED });
    const N = 300; // not a multiple of the kernel's workgroup
    const batch = lossBatch(N, 5);
    gpu.zeroGrad(); // pending work: the loss goes in the same submission, ordered after it
    const got = await gpu.tokenPolicyLoss(batch);
    const keys = ['dLogprobs', 'dEntropy', 'loss', 'pg', 'kl'] as const;
    const want = Object.fromEntries(keys.map((k) => [k, new Float32Array(N)])) as Record<
      (typeof keys)[number],
      Float32Array
    >;
    const flags = new Uint8Array(N);
    for (let i = 0; i < N; i++) {
      const o = policyLossToken(
        {
          logp: batch.logprobs[i],
          oldLogp: batch.oldLogprobs[i],
          refLogp: batch.refLogprobs[i],
          advantage: batch.advantages[i],
          entropy: batch.entropy[i],
          weight: batch.weights[i],
          pgActive: batch.pgActive[i],
          klCovSelected: batch.klCovSelected[i],
        },
        batch.params,
      );
      if (batch.weights[i] === 0) continue; // not a loss token: every output stays 0
      [want.dLogprobs[i], want.dEntropy[i], want.loss[i], want.pg[i], want.kl[i]] = [
        o.dLogprob,
        o.dEntropy,
        o.loss,
        o.pg,
        o.kl,
      ];
      flags[i] = o.lowClipped ? CLIPPED_LOW : o.highClipped ? CLIPPED_HIGH : CLIPPED_NONE;
    }
    for (const k of keys) {
      expect(got[k].length, k).toBe(N);
      const c = allClose(got[k], want[k], 1e-4, 1e-6);
      expect(c.ok, `${k}: worst |diff| ${c.maxAbs} at ${c.worstIndex}`).toBe(true);
    }
    expect(Array.from(got.clipped)).toEqual(Array.from(flags));
    expect(flags.filter((f) => f === CLIPPED_LOW).length).toBeGreaterThan(5);
    expect(flags.filter((f) => f === CLIPPED_HIGH).length).toBeGreaterThan(5);
    const short = Float32Array.from(batch.weights).subarray(1);
    await expect(gpu.tokenPolicyLoss({ ...batch, weights: short })).rejects.toThrow(/weights has 299 entries/);
    gpu.dispose();
  });

  test('tokenCovariance matches tokenCovariance (rtol 1e-4 / atol 1e-5), 0 off the mask', async () => {
    const rt = await testRuntime();
    const gpu = await WebGpuEngine.create(rt, CONFIG, { seed: SEED });
    const N = 300;
    const rng = new Rng(9);
    const mask = Uint8Array.from({ length: N }, () => (rng.next() < 0.7 ? 1 : 0));
    // Off the mask: values far from the rest, which must not enter the means.
    const logprobs = Float32Array.from(mask, (m) => (m ? -3 * rng.next() : -60));
    const advantages = Float32Array.from(mask, (m) => (m ? rng.next() * 2 - 1 : 30));
    const got = await gpu.tokenCovariance(logprobs, advantages, mask);
    const want = tokenCovariance(logprobs, advantages, mask);
    const c = allClose(got, want, 1e-4, 1e-5);
    expect(c.ok, `worst |diff| ${c.maxAbs} at ${c.worstIndex}`).toBe(true);
    expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(0.1);
    for (let i = 0; i < N; i++) if (!mask[i]) expect(got[i]).toBe(0);
    gpu.dispose();
  });
});
