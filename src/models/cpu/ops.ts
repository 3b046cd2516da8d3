// The GPT-2 layers on the CPU, llm.c style (train_gpt2.c): one x_forward / x_backward pair per layer,
// side by side, shapes in the comments, the backward mirroring the forward. Every op is generic over
// FloatArray so the same code runs in Float32 (the engine) and Float64 (the finite-difference check).
// Out-parameters come first. Backward ops ACCUMULATE (+=) into parameter and input gradients, as
// llm.c's do, unless their comment says they write. These functions are also the references the
// WebGPU kernels are tested against (src/gpu/kernels/*.gpu.test.ts), so their signatures are fixed.
// The costly ones (products, attention, GELU) run their independent units through parallelFor, so a
// thread pool can share them out (parallel.ts); their kernels must stay self-contained for that.
//
// Not here: the model that strings them together (model.ts), sampling (sampling.ts).

import type { FloatArray } from '../params';
import { gemm } from './gemm';
import { parallelFor, rangeKernel } from './parallel';

const LN_EPS = 1e-5;

// ---------------------------------------------------------------------------------------------
// encoder: token + position embedding

/** out (B,T,C) = wte[tokens[b,t]] + wpe[t]; tokens (B,T), wte (V,C), wpe (maxT,C). */
export function encoderForward(
  out: FloatArray,
  tokens: Int32Array,
  wte: FloatArray,
  wpe: FloatArray,
  B: number,
  T: number,
  C: number,
): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const o = (b * T + t) * C;
      const ix = tokens[b * T + t] * C;
      const p = t * C;
      for (let i = 0; i < C; i++) out[o + i] = wte[ix + i] + wpe[p + i];
    }
  }
}

/** Accumulates dwte (V,C) and dwpe (maxT,C) from dout (B,T,C). */
export function encoderBackward(
  dwte: FloatArray,
  dwpe: FloatArray,
  dout: FloatArray,
  tokens: Int32Array,
  B: number,
  T: number,
  C: number,
): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const o = (b * T + t) * C;
      const ix = tokens[b * T + t] * C;
      const p = t * C;
      for (let i = 0; i < C; i++) {
        const d = dout[o + i];
        dwte[ix + i] += d;
        dwpe[p + i] += d;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// layernorm

/** out (BT,C) = (inp − mean)·rstd·weight + bias per row; writes mean, rstd (BT) for the backward. */
export function layernormForward(
  out: FloatArray,
  mean: FloatArray,
  rstd: FloatArray,
  inp: FloatArray,
  weight: FloatArray,
  bias: FloatArray,
  BT: number,
  C: number,
): void {
  for (let r = 0; r < BT; r++) {
    const x = r * C;
    let m = 0;
    for (let i = 0; i < C; i++) m += inp[x + i];
    m /= C;
    let v = 0;
    for (let i = 0; i < C; i++) {
      const d = inp[x + i] - m;
      v += d * d;
    }
    v /= C; // biased variance, as PyTorch's LayerNorm
    const s = 1 / Math.sqrt(v + LN_EPS);
    for (let i = 0; i < C; i++) out[x + i] = (inp[x + i] - m) * s * weight[i] + bias[i];
    mean[r] = m;
    rstd[r] = s;
  }
}

/** Accumulates dinp (BT,C), dweight (C), dbias (C) from dout (BT,C), with the forward's mean and rstd (BT). */
export function layernormBackward(
  dinp: FloatArray,
  dweight: FloatArray,
  dbias: FloatArray,
  dout: FloatArray,
  inp: FloatArray,
  weight: FloatArray,
  mean: FloatArray,
  rstd: FloatArray,
  BT: number,
  C: number,
): void {
  for (let r = 0; r < BT; r++) {
    const x = r * C;
    const m = mean[r];
    const s = rstd[r];
    // in the forward: norm = (inp − mean)·rstd; out = norm·weight + bias.
    let dnormMean = 0;
    let dnormNormMean = 0;
    for (let i = 0; i < C; i++) {
      const norm = (inp[x + i] - m) * s;
      const dnorm = weight[i] * dout[x + i];
      dnormMean += dnorm;
      dnormNormMean += dnorm * norm;
    }
    dnormMean /= C;
    dnormNormMean /= C;
    for (let i = 0; i < C; i++) {
      const norm = (inp[x + i] - m) * s;
      const d = dout[x + i];
      const dnorm = weight[i] * d;
      dbias[i] += d;
      dweight[i] += norm * d;
      dinp[x + i] += (dnorm - dnormMean - norm * dnormNormMean) * s;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// matmul: y = x·W + b with W in HF Conv1D layout (in, out); and the LM head y = x·wteᵀ

/** out (BT,OC) = inp (BT,C) · weight (C,OC) + bias (OC). */
export function matmulForward(
  out: FloatArray,
  inp: FloatArray,
  weight: FloatArray,
  bias: FloatArray | null,
  BT: number,
  C: number,
  OC: number,
): void {
  gemm(out, inp, weight, bias, BT, OC, C, C, 1, OC, 1, false);
}

/** Accumulates dinp (BT,C) (skipped when null), dweight (C,OC), dbias (OC) from dout (BT,OC). */
export function matmulBackward(
  dinp: FloatArray | null,
  dweight: FloatArray,
  dbias: FloatArray | null,
  dout: FloatArray,
  inp: FloatArray,
  weight: FloatArray,
  BT: number,
  C: number,
  OC: number,
): void {
  // in the forward: out[i,j] = bias[j] + Σ_k inp[i,k]·weight[k,j]
  // dinp[i,k] += Σ_j dout[i,j]·weight[k,j]: dout (BT,OC) · weightᵀ
  if (dinp !== null) gemm(dinp, dout, weight, null, BT, C, OC, OC, 1, 1, OC, true);
  // dweight[k,j] += Σ_i inp[i,k]·dout[i,j]: inpᵀ · dout (BT,OC)
  gemm(dweight, inp, dout, null, C, OC, BT, 1, C, OC, 1, true);
  if (dbias !== null) {
    for (let r = 0; r < BT; r++) {
      const d0 = r * OC;
      for (let j = 0; j < OC; j++) dbias[j] += dout[d0 + j];
    }
  }
}

/** LM head, weights tied to the token embedding: out (BT,V) = inp (BT,C) · wteᵀ, wte (V,C). */
export function lmHeadForward(
  out: FloatArray,
  inp: FloatArray,
  wte: FloatArray,
  BT: number,
  C: number,
  V: number,
): void {
  gemm(out, inp, wte, null, BT, V, C, C, 1, 1, C, false);
}

/** Accumulates dinp (BT,C) and dwte (V,C) from dout (BT,V). */
export function lmHeadBackward(
  dinp: FloatArray,
  dwte: FloatArray,
  dout: FloatArray,
  inp: FloatArray,
  wte: FloatArray,
  BT: number,
  C: number,
  V: number,
): void {
  // in the forward: out[i,v] = Σ_c inp[i,c]·wte[v,c]
  // dinp[i,c] += Σ_v dout[i,v]·wte[v,c]: dout (BT,V) · wte (V,C)
  gemm(dinp, dout, wte, null, BT, C, V, V, 1, C, 1, true);
  // dwte[v,c] += Σ_i dout[i,v]·inp[i,c]: doutᵀ · inp (BT,C)
  gemm(dwte, dout, inp, null, V, C, BT, 1, V, C, 1, true);
}

// ---------------------------------------------------------------------------------------------
// causal self-attention

/**
 * inp (B,T,3C) is q|k|v as HF's c_attn splits them, head h using channels h·hs…(h+1)·hs of each;
 * out (B,T,C); preatt, att (B,NH,T,T): scores scaled by 1/√hs, and their causal softmax (0 above the
 * diagonal in both). Each (b,t,h) row is computed in float64 and stored once (attentionRow), so
 * attentionDecodeForward reproduces it exactly from a KV cache.
 */
export function attentionForward(
  out: FloatArray,
  preatt: FloatArray,
  att: FloatArray,
  inp: FloatArray,
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  // each (b,h) pair reads its own head's q, k, v and writes its own rows: the pairs are the units
  parallelFor(ATTENTION_FORWARD, [out, preatt, att, inp, 0, B * NH, T, C, NH], B * NH * T * T * (C / NH));
}

/** attentionForward for the (b,h) pairs p0…p1−1, p = b·NH + h. */
function attentionForwardPairs(
  out: FloatArray,
  preatt: FloatArray,
  att: FloatArray,
  inp: FloatArray,
  p0: number,
  p1: number,
  T: number,
  C: number,
  NH: number,
): void {
  const C3 = 3 * C;
  const hs = C / NH;
  const s: RowScratch = { preatt: new Float64Array(T), att: new Float64Array(T), out: new Float64Array(hs) };
  for (let p = p0; p < p1; p++) {
    const h = p % NH;
    const b = (p - h) / NH;
    // keys and values of this head at position t2: inp[(b·T + t2)·3C + C|2C + h·hs + i]
    const kv = b * T * C3 + h * hs;
    for (let t = 0; t < T; t++) {
      attentionRow(s, inp, (b * T + t) * C3 + h * hs, inp, kv + C, inp, kv + 2 * C, C3, t, hs);
      const row = (p * T + t) * T;
      for (let t2 = 0; t2 <= t; t2++) {
        preatt[row + t2] = s.preatt[t2];
        att[row + t2] = s.att[t2];
      }
      for (let t2 = t + 1; t2 < T; t2++) {
        preatt[row + t2] = 0;
        att[row + t2] = 0;
      }
      const o = (b * T + t) * C + h * hs;
      for (let i = 0; i < hs; i++) out[o + i] = s.out[i];
    }
  }
}

/** Float64 scratch for one query row (attentionRow). */
interface RowScratch {
  preatt: Float64Array; // (T)
  att: Float64Array; // (T)
  out: Float64Array; // (hs)
}

/**
 * One query row of one head: the query at q[qOff…+hs], keys and values of positions 0…t at
 * k[kOff + t2·stride…], v[vOff + t2·stride…]. Writes s.preatt, s.att (t+1) and s.out (hs), in float64.
 */
function attentionRow(
  s: RowScratch,
  q: FloatArray,
  qOff: number,
  k: FloatArray,
  kOff: number,
  v: FloatArray,
  vOff: number,
  stride: number,
  t: number,
  hs: number,
): void {
  const scale = 1 / Math.sqrt(hs);
  let maxval = -Infinity;
  for (let t2 = 0; t2 <= t; t2++) {
    const kb = kOff + t2 * stride;
    let dot = 0;
    for (let i = 0; i < hs; i++) dot += q[qOff + i] * k[kb + i];
    dot *= scale;
    s.preatt[t2] = dot;
    if (dot > maxval) maxval = dot;
  }
  let sum = 0;
  for (let t2 = 0; t2 <= t; t2++) {
    const e = Math.exp(s.preatt[t2] - maxval);
    s.att[t2] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let t2 = 0; t2 <= t; t2++) s.att[t2] *= inv;
  for (let i = 0; i < hs; i++) s.out[i] = 0;
  for (let t2 = 0; t2 <= t; t2++) {
    const vb = vOff + t2 * stride;
    const a = s.att[t2];
    for (let i = 0; i < hs; i++) s.out[i] += a * v[vb + i];
  }
}

/**
 * Accumulates dinp (B,T,3C) from dout (B,T,C), with the forward's att (B,NH,T,T).
 * datt and dpreatt (B,NH,T,T) are scratch: WRITTEN (not accumulated) on and below the diagonal.
 */
export function attentionBackward(
  dinp: FloatArray,
  dpreatt: FloatArray,
  datt: FloatArray,
  dout: FloatArray,
  inp: FloatArray,
  att: FloatArray,
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  // a (b,h) pair accumulates only into its own head's channels of dinp, so the pairs are the units
  const work = 2 * B * NH * T * T * (C / NH);
  parallelFor(ATTENTION_BACKWARD, [dinp, dpreatt, datt, dout, inp, att, 0, B * NH, T, C, NH], work);
}

/**
 * attentionBackward for the (b,h) pairs p0…p1−1, p = b·NH + h. Within a pair, t runs in order, so
 * every element of dinp sums its terms in the same order however the pairs are shared out.
 */
function attentionBackwardPairs(
  dinp: FloatArray,
  dpreatt: FloatArray,
  datt: FloatArray,
  dout: FloatArray,
  inp: FloatArray,
  att: FloatArray,
  p0: number,
  p1: number,
  T: number,
  C: number,
  NH: number,
): void {
  const C3 = 3 * C;
  const hs = C / NH;
  const scale = 1 / Math.sqrt(hs);
  for (let p = p0; p < p1; p++) {
    const h = p % NH;
    const b = (p - h) / NH;
    for (let t = 0; t < T; t++) {
      const row = (p * T + t) * T;
      const q = (b * T + t) * C3 + h * hs;
      const o = (b * T + t) * C + h * hs;
      // in the forward: out = Σ_t2 att[t2]·v[t2]
      for (let t2 = 0; t2 <= t; t2++) {
        const v = (b * T + t2) * C3 + 2 * C + h * hs;
        const a = att[row + t2];
        let s = 0;
        for (let i = 0; i < hs; i++) {
          s += inp[v + i] * dout[o + i];
          dinp[v + i] += a * dout[o + i];
        }
        datt[row + t2] = s;
      }
      // in the forward: att = softmax(preatt) over t2 ≤ t; its Jacobian is att_j·(δ_ij − att_i)
      let dot = 0;
      for (let t2 = 0; t2 <= t; t2++) dot += att[row + t2] * datt[row + t2];
      for (let t2 = 0; t2 <= t; t2++) dpreatt[row + t2] = att[row + t2] * (datt[row + t2] - dot);
      // in the forward: preatt[t2] = scale·q·k[t2]
      for (let t2 = 0; t2 <= t; t2++) {
        const k = (b * T + t2) * C3 + C + h * hs;
        const d = dpreatt[row + t2] * scale;
        for (let i = 0; i < hs; i++) {
          dinp[q + i] += inp[k + i] * d;
          dinp[k + i] += inp[q + i] * d;
        }
      }
    }
  }
}

export const ATTENTION_FORWARD = rangeKernel(attentionForwardPairs, 4, 1, [attentionRow]);
export const ATTENTION_BACKWARD = rangeKernel(attentionBackwardPairs, 6, 1);

/**
 * One decode step of attention with a KV cache (generation). For each of the n rows listed in `rows`,
 * qkv (n,3C) holds the new position's q|k|v; its k and v are stored at position `pos` of that row's
 * cache, then its query attends over positions 0…pos. kCache, vCache (R,Tmax,C); out (n,C).
 * The same arithmetic as attentionForward at that position (attentionRow).
 */
export function attentionDecodeForward(
  out: FloatArray,
  qkv: FloatArray,
  kCache: FloatArray,
  vCache: FloatArray,
  rows: Int32Array,
  n: number,
  pos: number,
  Tmax: number,
  C: number,
  NH: number,
): void {
  const C3 = 3 * C;
  const hs = C / NH;
  const s: RowScratch = {
    preatt: new Float64Array(pos + 1),
    att: new Float64Array(pos + 1),
    out: new Float64Array(hs),
  };
  for (let r = 0; r < n; r++) {
    const base = rows[r] * Tmax * C;
    const x = r * C3;
    for (let i = 0; i < C; i++) {
      kCache[base + pos * C + i] = qkv[x + C + i];
      vCache[base + pos * C + i] = qkv[x + 2 * C + i];
    }
    for (let h = 0; h < NH; h++) {
      attentionRow(s, qkv, x + h * hs, kCache, base + h * hs, vCache, base + h * hs, C, pos, hs);
      const o = r * C + h * hs;
      for (let i = 0; i < hs; i++) out[o + i] = s.out[i];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// GELU, tanh approximation (HF gelu_new)

// a tanh costs about as much as 30 multiply-adds of a product
const GELU_WORK = 30;

/** out (N) = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function geluForward(out: FloatArray, inp: FloatArray, N: number): void {
  parallelFor(GELU_FORWARD, [out, inp, 0, N], GELU_WORK * N);
}

/** Accumulates dinp (N) from dout (N). */
export function geluBackward(dinp: FloatArray, inp: FloatArray, dout: FloatArray, N: number): void {
  parallelFor(GELU_BACKWARD, [dinp, inp, dout, 0, N], GELU_WORK * N);
}

/** geluForward over the elements i0…i1−1. */
function geluForwardRange(out: FloatArray, inp: FloatArray, i0: number, i1: number): void {
  const scale = Math.sqrt(2 / Math.PI);
  for (let i = i0; i < i1; i++) {
    const x = inp[i];
    const cube = 0.044715 * x * x * x;
    out[i] = 0.5 * x * (1 + Math.tanh(scale * (x + cube)));
  }
}

/** geluBackward over the elements i0…i1−1. */
function geluBackwardRange(dinp: FloatArray, inp: FloatArray, dout: FloatArray, i0: number, i1: number): void {
  const scale = Math.sqrt(2 / Math.PI);
  for (let i = i0; i < i1; i++) {
    const x = inp[i];
    const cube = 0.044715 * x * x * x;
    const arg = scale * (x + cube);
    const th = Math.tanh(arg);
    const sech2 = 1 - th * th; // 1/cosh² = 1 − tanh²
    const local = 0.5 * (1 + th) + x * 0.5 * sech2 * scale * (1 + 3 * 0.044715 * x * x);
    dinp[i] += local * dout[i];
  }
}

export const GELU_FORWARD = rangeKernel(geluForwardRange, 2, 1);
export const GELU_BACKWARD = rangeKernel(geluBackwardRange, 3, 1);

// ---------------------------------------------------------------------------------------------
// residual

/** out (N) = a + b. */
export function residualForward(out: FloatArray, a: FloatArray, b: FloatArray, N: number): void {
  for (let i = 0; i < N; i++) out[i] = a[i] + b[i];
}

/** Accumulates dout (N) into both inputs' gradients da, db (N). */
export function residualBackward(da: FloatArray, db: FloatArray, dout: FloatArray, N: number): void {
  for (let i = 0; i < N; i++) {
    da[i] += dout[i];
    db[i] += dout[i];
  }
}

// ---------------------------------------------------------------------------------------------
// softmax, log-probs and entropy (the policy head)

/** probs (BT,V) = softmax of each row of logits (BT,V), max-subtracted. */
export function softmaxForward(probs: FloatArray, logits: FloatArray, BT: number, V: number): void {
  for (let r = 0; r < BT; r++) {
    const z = r * V;
    let m = -Infinity;
    for (let j = 0; j < V; j++) if (logits[z + j] > m) m = logits[z + j];
    let sum = 0;
    for (let j = 0; j < V; j++) {
      const e = Math.exp(logits[z + j] - m);
      probs[z + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < V; j++) probs[z + j] *= inv;
  }
}

/**
 * From logits (BT,V): probs (BT,V) (saved for the backward), logprobs (BT) = log p(target), entropy (BT)
 * = −Σ_j p_j·log p_j over the full vocabulary. Both are 0 where targets (BT) = −1 (probs still written).
 */
export function logprobEntropyForward(
  logprobs: FloatArray,
  entropy: FloatArray,
  probs: FloatArray,
  logits: FloatArray,
  targets: Int32Array,
  BT: number,
  V: number,
): void {
  for (let r = 0; r < BT; r++) {
    const z = r * V;
    let m = -Infinity;
    for (let j = 0; j < V; j++) if (logits[z + j] > m) m = logits[z + j];
    let sum = 0;
    for (let j = 0; j < V; j++) sum += Math.exp(logits[z + j] - m);
    const logZ = m + Math.log(sum); // log Σ exp(logits)
    let h = 0;
    for (let j = 0; j < V; j++) {
      const lp = logits[z + j] - logZ;
      const p = Math.exp(lp);
      probs[z + j] = p;
      h -= p * lp;
    }
    const y = targets[r];
    logprobs[r] = y < 0 ? 0 : logits[z + y] - logZ;
    entropy[r] = y < 0 ? 0 : h;
  }
}

/**
 * WRITES dlogits (BT,V) given a = dLogprobs (BT), b = dEntropy (BT), probs (BT,V) from the forward:
 * dlogits_j = a·(1[j=y] − p_j) − b·p_j·(log p_j + H). Rows with target −1 get 0.
 */
export function logprobEntropyBackward(
  dlogits: FloatArray,
  probs: FloatArray,
  targets: Int32Array,
  dLogprobs: FloatArray,
  dEntropy: FloatArray,
  BT: number,
  V: number,
): void {
  for (let r = 0; r < BT; r++) {
    const z = r * V;
    const y = targets[r];
    if (y < 0) {
      for (let j = 0; j < V; j++) dlogits[z + j] = 0;
      continue;
    }
    const a = dLogprobs[r];
    const b = dEntropy[r];
    // p·log p → 0 as p → 0: an underflowed probability contributes nothing (and no NaN).
    let h = 0;
    for (let j = 0; j < V; j++) {
      const p = probs[z + j];
      if (p > 0) h -= p * Math.log(p);
    }
    for (let j = 0; j < V; j++) {
      const p = probs[z + j];
      const ent = p > 0 ? p * (Math.log(p) + h) : 0;
      dlogits[z + j] = a * ((j === y ? 1 : 0) - p) - b * ent;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// optimizer: global-norm clipping and AdamW

/** √(Σ g²) over a flat array, summed in float64. */
export function globalNorm(grads: FloatArray): number {
  let s = 0;
  for (let i = 0; i < grads.length; i++) s += grads[i] * grads[i];
  return Math.sqrt(s);
}

/** grads (N) *= s. Clipping (PyTorch clip_grad_norm_): s = min(1, clip / (norm + 1e-6)). */
export function scaleInPlace(grads: FloatArray, s: number): void {
  for (let i = 0; i < grads.length; i++) grads[i] *= s;
}

/**
 * One AdamW step over flat params, grads, m, v (N). t = the step number after incrementing (1 on the
 * first step), for bias correction. Decoupled decay lr·wd·param only where decayMask[i] = 1;
 * decayMask is a per-element Uint8Array (N), or null for no decay anywhere.
 */
export function adamwUpdate(
  params: FloatArray,
  grads: FloatArray,
  m: FloatArray,
  v: FloatArray,
  t: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  decayMask: Uint8Array | null,
): void {
  const bc1 = 1 - Math.pow(beta1, t);
  const bc2 = 1 - Math.pow(beta2, t);
  for (let i = 0; i < params.length; i++) {
    const g = grads[i];
    const mi = beta1 * m[i] + (1 - beta1) * g;
    const vi = beta2 * v[i] + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    const mhat = mi / bc1;
    const vhat = vi / bc2;
    const decay = decayMask !== null && decayMask[i] === 1 ? weightDecay * params[i] : 0;
    params[i] -= lr * (mhat / (Math.sqrt(vhat) + eps) + decay);
  }
}
