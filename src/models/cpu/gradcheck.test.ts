// The CPU model's backward against central finite differences, in float64 (docs/DESIGN.md §2): the
// gradient of L = Σ a·logp + Σ b·H (random per-token coefficients, some targets −1) with respect to
// every parameter tensor. Also the forward's log-probs and entropies against a direct computation
// from its logits.
import { describe, expect, test } from 'vitest';
import type { GPTConfig } from '../config';
import type { TokenBatch } from '../engine';
import { tensorViews } from '../params';
import { Rng } from '../rng';
import { GPT } from './model';

const CONFIG: GPTConfig = { vocabSize: 7, blockSize: 6, nEmbd: 8, nLayer: 2, nHead: 2 };
const B = 2;
const T = 5;

/** A model with O(1) random parameters everywhere (biases and LayerNorm affine included), so every path carries gradient. */
function randomModel(seed: number): GPT<Float64Array> {
  const model = new GPT<Float64Array>(CONFIG, Float64Array);
  const rng = new Rng(seed);
  for (const t of model.layout.tensors) {
    const isLnWeight = /\.ln_(1|2|f)\.weight$/.test(t.name);
    for (let i = t.offset; i < t.offset + t.size; i++) model.params[i] = (isLnWeight ? 1 : 0) + 0.4 * rng.normal();
  }
  return model;
}

function fixture() {
  const rng = new Rng(7);
  const tokens = Int32Array.from({ length: B * T }, () => rng.int(CONFIG.vocabSize)); // (B,T)
  const targets = Int32Array.from({ length: B * T }, () => rng.int(CONFIG.vocabSize)); // (B,T)
  targets[3] = -1;
  targets[B * T - 1] = -1;
  const batch: TokenBatch = { B, T, tokens, targets };
  const a = Float64Array.from({ length: B * T }, () => rng.normal()); // (B,T) dL/dlogp
  const b = Float64Array.from({ length: B * T }, () => rng.normal()); // (B,T) dL/dH
  return { batch, a, b };
}

function loss(model: GPT<Float64Array>, batch: TokenBatch, a: Float64Array, b: Float64Array): number {
  const { logprobs, entropy } = model.forward(batch);
  let L = 0;
  for (let i = 0; i < batch.B * batch.T; i++) L += a[i] * logprobs[i] + b[i] * entropy[i];
  return L;
}

describe('GPT float64 gradients', () => {
  test('every parameter tensor: backward matches central differences (worst |err| / max|grad| < 1e-6)', () => {
    const model = randomModel(3);
    const { batch, a, b } = fixture();
    model.zeroGrad();
    loss(model, batch, a, b);
    model.backward(a, b);
    const analytic = model.grads.slice(); // (P)

    const h = 1e-5;
    const rows: { tensor: string; maxGrad: number; maxAbsErr: number; relErr: number }[] = [];
    for (const t of model.layout.tensors) {
      let maxAbsErr = 0;
      let maxGrad = 0;
      for (let i = t.offset; i < t.offset + t.size; i++) {
        const p0 = model.params[i];
        model.params[i] = p0 + h;
        const lp = loss(model, batch, a, b);
        model.params[i] = p0 - h;
        const lm = loss(model, batch, a, b);
        model.params[i] = p0;
        const fd = (lp - lm) / (2 * h);
        maxAbsErr = Math.max(maxAbsErr, Math.abs(fd - analytic[i]));
        maxGrad = Math.max(maxGrad, Math.abs(fd));
      }
      rows.push({ tensor: t.name, maxGrad, maxAbsErr, relErr: maxGrad > 0 ? maxAbsErr / maxGrad : maxAbsErr });
    }
    console.table(
      rows.map((r) => ({
        ...r,
        maxGrad: r.maxGrad.toExponential(2),
        maxAbsErr: r.maxAbsErr.toExponential(2),
        relErr: r.relErr.toExponential(2),
      })),
    );
    const worst = rows.reduce((w, r) => (r.relErr > w.relErr ? r : w));
    console.log(`worst relative error over all tensors: ${worst.relErr.toExponential(3)} (${worst.tensor})`);
    for (const r of rows) {
      // wpe rows past T see no token: their gradient is exactly 0; every other tensor must carry signal
      expect(r.maxGrad, r.tensor).toBeGreaterThan(1e-4);
      expect(r.relErr, r.tensor).toBeLessThan(1e-6);
    }
  });

  test('wpe rows past the batch length get exactly zero gradient', () => {
    const model = randomModel(4);
    const { batch, a, b } = fixture();
    model.zeroGrad();
    loss(model, batch, a, b);
    model.backward(a, b);
    const wpe = tensorViews(model.layout, model.grads).get('transformer.wpe.weight') as Float64Array; // (blockSize,C)
    const C = CONFIG.nEmbd;
    for (let i = T * C; i < CONFIG.blockSize * C; i++) expect(wpe[i]).toBe(0);
    expect(Math.max(...Array.from(wpe.subarray(0, T * C), Math.abs))).toBeGreaterThan(1e-3);
  });

  test('logprobs and entropies equal log-softmax of the logits at the target, and −Σ p log p (0 where target −1)', () => {
    const model = randomModel(5);
    const { batch } = fixture();
    const V = CONFIG.vocabSize;
    const logits = model.logits(batch).slice(); // (B,T,V)
    const { logprobs, entropy } = model.forward(batch);
    for (let r = 0; r < B * T; r++) {
      const z = Array.from(logits.subarray(r * V, (r + 1) * V));
      const logZ = Math.log(z.reduce((s, x) => s + Math.exp(x), 0));
      const logp = z.map((x) => x - logZ);
      const H = -logp.reduce((s, lp) => s + Math.exp(lp) * lp, 0);
      const y = batch.targets[r];
      if (y < 0) {
        expect(logprobs[r]).toBe(0);
        expect(entropy[r]).toBe(0);
      } else {
        expect(logprobs[r]).toBeCloseTo(logp[y], 12);
        expect(entropy[r]).toBeCloseTo(H, 12);
        expect(entropy[r]).toBeGreaterThan(0.05); // random weights: a spread distribution, not a degenerate one
      }
    }
  });
});
