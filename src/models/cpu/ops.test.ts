// The CPU ops against naive references and the properties that define them: matmul (blocked rows)
// against a triple loop on odd shapes, layernorm's normalised rows, softmax rows, the LM head as a
// transposed matmul, attention's causal rows, clipping and AdamW by hand.
import { describe, expect, test } from 'vitest';
import { Rng } from '../rng';
import {
  adamwUpdate,
  attentionForward,
  globalNorm,
  layernormForward,
  lmHeadBackward,
  lmHeadForward,
  logprobEntropyForward,
  matmulBackward,
  matmulForward,
  scaleInPlace,
  softmaxForward,
} from './ops';

function randn(n: number, seed: number, scale = 1): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => scale * rng.normal());
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Naive y[i,j] = b[j] + Σ_k x[i,k]·W[k,j]. */
function naiveMatmul(x: Float64Array, W: Float64Array, b: Float64Array | null, BT: number, C: number, OC: number) {
  const y = new Float64Array(BT * OC);
  for (let i = 0; i < BT; i++)
    for (let j = 0; j < OC; j++) {
      let s = b === null ? 0 : b[j];
      for (let k = 0; k < C; k++) s += x[i * C + k] * W[k * OC + j];
      y[i * OC + j] = s;
    }
  return y;
}

describe('matmul', () => {
  test.each([
    [1, 1, 1],
    [3, 5, 7],
    [7, 13, 3],
    [9, 6, 11],
    [13, 17, 19],
  ])(
    'forward BT=%i C=%i OC=%i equals the naive triple loop (max |diff| < 1e-12), with and without bias',
    (BT, C, OC) => {
      const x = randn(BT * C, 1);
      const W = randn(C * OC, 2);
      const b = randn(OC, 3);
      for (const bias of [b, null]) {
        const out = new Float64Array(BT * OC).fill(99); // stale values must be overwritten
        matmulForward(out, x, W, bias, BT, C, OC);
        expect(maxAbsDiff(out, naiveMatmul(x, W, bias, BT, C, OC))).toBeLessThan(1e-12);
      }
    },
  );

  test.each([
    [3, 5, 7],
    [9, 6, 11],
    [13, 17, 19],
  ])('backward BT=%i C=%i OC=%i equals dout·Wᵀ, xᵀ·dout, Σ dout, and accumulates onto existing values', (BT, C, OC) => {
    const x = randn(BT * C, 4);
    const W = randn(C * OC, 5);
    const dout = randn(BT * OC, 6);
    const dinp = new Float64Array(BT * C).fill(1);
    const dW = new Float64Array(C * OC).fill(2);
    const db = new Float64Array(OC).fill(3);
    matmulBackward(dinp, dW, db, dout, x, W, BT, C, OC);
    const want = { dinp: new Float64Array(BT * C), dW: new Float64Array(C * OC), db: new Float64Array(OC) };
    for (let i = 0; i < BT; i++)
      for (let k = 0; k < C; k++)
        for (let j = 0; j < OC; j++) {
          want.dinp[i * C + k] += dout[i * OC + j] * W[k * OC + j];
          want.dW[k * OC + j] += x[i * C + k] * dout[i * OC + j];
        }
    for (let i = 0; i < BT; i++) for (let j = 0; j < OC; j++) want.db[j] += dout[i * OC + j];
    expect(
      maxAbsDiff(
        dinp,
        want.dinp.map((v) => v + 1),
      ),
    ).toBeLessThan(1e-12);
    expect(
      maxAbsDiff(
        dW,
        want.dW.map((v) => v + 2),
      ),
    ).toBeLessThan(1e-12);
    expect(
      maxAbsDiff(
        db,
        want.db.map((v) => v + 3),
      ),
    ).toBeLessThan(1e-12);
    // dinp = null skips the input gradient and leaves the rest identical
    const dW2 = new Float64Array(C * OC).fill(2);
    matmulBackward(null, dW2, null, dout, x, W, BT, C, OC);
    expect(maxAbsDiff(dW2, dW)).toBe(0);
  });

  test('a row of a float32 matmul is bitwise the same whether computed alone or in a block of 4 (what the KV cache relies on)', () => {
    const [BT, C, OC] = [6, 33, 29];
    const x = Float32Array.from(randn(BT * C, 7));
    const W = Float32Array.from(randn(C * OC, 8));
    const all = new Float32Array(BT * OC);
    matmulForward(all, x, W, null, BT, C, OC);
    for (let i = 0; i < BT; i++) {
      const one = new Float32Array(OC);
      matmulForward(one, x.subarray(i * C, (i + 1) * C), W, null, 1, C, OC);
      expect(Array.from(one)).toEqual(Array.from(all.subarray(i * OC, (i + 1) * OC)));
    }
  });

  test('LM head forward/backward equal matmul with the transposed embedding (V=11, C=6, BT=9)', () => {
    const [BT, C, V] = [9, 6, 11];
    const x = randn(BT * C, 9);
    const wte = randn(V * C, 10); // (V,C)
    const wT = new Float64Array(C * V); // (C,V)
    for (let v = 0; v < V; v++) for (let c = 0; c < C; c++) wT[c * V + v] = wte[v * C + c];
    const got = new Float64Array(BT * V);
    lmHeadForward(got, x, wte, BT, C, V);
    expect(maxAbsDiff(got, naiveMatmul(x, wT, null, BT, C, V))).toBeLessThan(1e-12);

    const dout = randn(BT * V, 11);
    const [dx, dwte] = [new Float64Array(BT * C), new Float64Array(V * C)];
    lmHeadBackward(dx, dwte, dout, x, wte, BT, C, V);
    const [dxRef, dwT] = [new Float64Array(BT * C), new Float64Array(C * V)];
    matmulBackward(dxRef, dwT, null, dout, x, wT, BT, C, V);
    expect(maxAbsDiff(dx, dxRef)).toBeLessThan(1e-12);
    for (let v = 0; v < V; v++) for (let c = 0; c < C; c++) expect(dwte[v * C + c]).toBeCloseTo(dwT[c * V + v], 12);
  });
});

describe('layernorm, softmax, attention', () => {
  test('layernorm with weight 1, bias 0: each row has mean 0 and variance 1/(1+eps/var) ≈ 1; affine applied after', () => {
    const [BT, C] = [5, 37];
    const x = randn(BT * C, 12, 3).map((v, i) => v + (i % 7)); // rows with offsets and scale
    const out = new Float64Array(BT * C);
    const [mean, rstd] = [new Float64Array(BT), new Float64Array(BT)];
    layernormForward(out, mean, rstd, x, new Float64Array(C).fill(1), new Float64Array(C), BT, C);
    for (let r = 0; r < BT; r++) {
      const row = out.subarray(r * C, (r + 1) * C);
      const m = row.reduce((s, v) => s + v, 0) / C;
      const v = row.reduce((s, y) => s + (y - m) ** 2, 0) / C;
      const xr = x.subarray(r * C, (r + 1) * C);
      const xm = xr.reduce((s, y) => s + y, 0) / C;
      const xv = xr.reduce((s, y) => s + (y - xm) ** 2, 0) / C;
      expect(Math.abs(m)).toBeLessThan(1e-12);
      expect(v).toBeCloseTo(xv / (xv + 1e-5), 12);
      expect(mean[r]).toBeCloseTo(xm, 12);
      expect(rstd[r]).toBeCloseTo(1 / Math.sqrt(xv + 1e-5), 12);
    }
    const w = randn(C, 13);
    const b = randn(C, 14);
    const out2 = new Float64Array(BT * C);
    layernormForward(out2, mean, rstd, x, w, b, BT, C);
    for (let i = 0; i < BT * C; i++) expect(out2[i]).toBeCloseTo(out[i] * w[i % C] + b[i % C], 12);
  });

  test('softmax rows sum to 1, are positive, and are unchanged by adding a constant 1000 to a row', () => {
    const [BT, V] = [4, 9];
    const z = randn(BT * V, 15, 5);
    const p = new Float64Array(BT * V);
    softmaxForward(p, z, BT, V);
    const shifted = z.map((v) => v + 1000);
    const p2 = new Float64Array(BT * V);
    softmaxForward(p2, shifted, BT, V);
    for (let r = 0; r < BT; r++) {
      expect(p.subarray(r * V, (r + 1) * V).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
      for (let j = 0; j < V; j++) expect(p[r * V + j]).toBeGreaterThan(0);
    }
    expect(maxAbsDiff(p, p2)).toBeLessThan(1e-12);
    // logprobEntropyForward's probs are the same softmax
    const probs = new Float64Array(BT * V);
    logprobEntropyForward(new Float64Array(BT), new Float64Array(BT), probs, z, new Int32Array(BT), BT, V);
    expect(maxAbsDiff(probs, p)).toBeLessThan(1e-14);
  });

  test('attention: causal (att 0 above the diagonal, rows sum to 1) and the first position returns its own value', () => {
    const [B, T, C, NH] = [2, 5, 12, 3];
    const hs = C / NH;
    const inp = randn(B * T * 3 * C, 16);
    const out = new Float64Array(B * T * C);
    const [preatt, att] = [new Float64Array(B * NH * T * T), new Float64Array(B * NH * T * T)];
    attentionForward(out, preatt, att, inp, B, T, C, NH);
    for (let row = 0; row < B * NH * T; row++) {
      const t = row % T;
      let s = 0;
      for (let t2 = 0; t2 < T; t2++) {
        const a = att[row * T + t2];
        if (t2 > t) expect(a).toBe(0);
        s += a;
      }
      expect(s).toBeCloseTo(1, 14);
    }
    // position 0 attends only to itself: out = v
    for (let b = 0; b < B; b++)
      for (let c = 0; c < C; c++) expect(out[b * T * C + c]).toBeCloseTo(inp[b * T * 3 * C + 2 * C + c], 14);
    // a score by hand: batch 1, head 2, t=3, t2=1
    const [b, h, t, t2] = [1, 2, 3, 1];
    let dot = 0;
    for (let i = 0; i < hs; i++)
      dot += inp[(b * T + t) * 3 * C + h * hs + i] * inp[(b * T + t2) * 3 * C + C + h * hs + i];
    expect(preatt[((b * NH + h) * T + t) * T + t2]).toBeCloseTo(dot / Math.sqrt(hs), 14);
  });
});

describe('optimizer', () => {
  test('clipping with scale min(1, clip/(norm+1e-6)) brings the global norm to the clip value (2.5 → 1e-6 rel)', () => {
    const g = randn(101, 17, 3);
    const norm = globalNorm(g);
    expect(norm).toBeCloseTo(Math.sqrt(g.reduce((s, v) => s + v * v, 0)), 10);
    expect(norm).toBeGreaterThan(2.5);
    scaleInPlace(g, Math.min(1, 2.5 / (norm + 1e-6)));
    expect(Math.abs(globalNorm(g) - 2.5) / 2.5).toBeLessThan(1e-6);
  });

  test('AdamW: two steps on 3 elements match the hand-worked update (bias correction, decay only where masked)', () => {
    const params = Float64Array.from([1, -2, 0.5]);
    const m = new Float64Array(3);
    const v = new Float64Array(3);
    const mask = Uint8Array.from([1, 0, 1]);
    const [lr, b1, b2, eps, wd] = [0.1, 0.9, 0.99, 1e-8, 0.5];
    const g1 = Float64Array.from([0.2, -0.4, 0]);
    const g2 = Float64Array.from([0.1, 0.3, -1]);
    adamwUpdate(params, g1, m, v, 1, lr, b1, b2, eps, wd, mask);
    // step 1: mhat = g, vhat = g² ⇒ update = sign(g) (or 0 where g = 0) + decay
    const p1 = [
      1 - 0.1 * (0.2 / (0.2 + 1e-8) + 0.5 * 1),
      -2 - 0.1 * (-0.4 / (0.4 + 1e-8)),
      0.5 - 0.1 * (0 + 0.5 * 0.5),
    ];
    for (let i = 0; i < 3; i++) expect(params[i]).toBeCloseTo(p1[i], 14);
    [0.02, -0.04, 0].forEach((want, i) => expect(m[i]).toBeCloseTo(want, 15)); // m = (1 − β1)·g
    adamwUpdate(params, g2, m, v, 2, lr, b1, b2, eps, wd, mask);
    for (let i = 0; i < 3; i++) {
      const m2 = 0.9 * (0.1 * g1[i]) + 0.1 * g2[i];
      const v2 = 0.99 * (0.01 * g1[i] ** 2) + 0.01 * g2[i] ** 2;
      const mhat = m2 / (1 - 0.81);
      const vhat = v2 / (1 - 0.9801);
      const want = p1[i] - 0.1 * (mhat / (Math.sqrt(vhat) + 1e-8) + (mask[i] ? 0.5 * p1[i] : 0));
      expect(params[i]).toBeCloseTo(want, 13);
    }
    // element 0, worked by hand to 6 digits: m2 = 0.028, v2 = 0.0004960, mhat = 0.147368, vhat = 0.0249246
    expect(params[0]).toBeCloseTo(0.85 - 0.1 * (0.147368 / Math.sqrt(0.0249246) + 0.5 * 0.85), 5);
  });
});
