// GPT-2 on the CPU (docs/DESIGN.md §3), llm.c's train_gpt2.c in TypeScript: parameters, gradients, AdamW
// moments and activations each in one flat allocation addressed through named views
// (ParameterTensors / ActivationTensors); forward to log-probs + entropy, backward from per-token
// coefficients, AdamW with global-norm clipping, and a KV-cache decode step for generation.
// Generic over the float type: the engine runs Float32, the finite-difference check Float64.
//
// Not here: the Engine contract and generation loop (engine.ts), the layer math (ops.ts).

import type { GPTConfig } from '../config';
import type { AdamWConfig, TokenBatch } from '../engine';
import { decays, paramLayout, tensorViews, type FloatArray, type FloatArrayCtor, type ParamLayout } from '../params';
import { validateTokenBatch } from '../validate';
import {
  adamwUpdate,
  attentionBackward,
  attentionDecodeForward,
  attentionForward,
  encoderBackward,
  encoderForward,
  geluBackward,
  geluForward,
  globalNorm,
  layernormBackward,
  layernormForward,
  lmHeadBackward,
  lmHeadForward,
  logprobEntropyBackward,
  logprobEntropyForward,
  matmulBackward,
  matmulForward,
  residualBackward,
  residualForward,
  scaleInPlace,
} from './ops';

/** One block's parameters (or gradients): HF names in the comments, Conv1D [in, out] layout. */
export interface BlockTensors<A extends FloatArray> {
  ln1w: A; // (C) ln_1.weight
  ln1b: A; // (C) ln_1.bias
  qkvw: A; // (C,3C) attn.c_attn.weight
  qkvb: A; // (3C) attn.c_attn.bias
  attprojw: A; // (C,C) attn.c_proj.weight
  attprojb: A; // (C) attn.c_proj.bias
  ln2w: A; // (C) ln_2.weight
  ln2b: A; // (C) ln_2.bias
  fcw: A; // (C,4C) mlp.c_fc.weight
  fcb: A; // (4C) mlp.c_fc.bias
  fcprojw: A; // (4C,C) mlp.c_proj.weight
  fcprojb: A; // (C) mlp.c_proj.bias
}

/** llm.c's ParameterTensors: views into one flat array laid out by params.ts. */
export interface ParameterTensors<A extends FloatArray> {
  wte: A; // (V,C) token embedding, also the LM head (tied)
  wpe: A; // (maxT,C)
  h: BlockTensors<A>[]; // (L)
  lnfw: A; // (C)
  lnfb: A; // (C)
}

function parameterTensors<A extends FloatArray>(config: GPTConfig, layout: ParamLayout, flat: A): ParameterTensors<A> {
  const views = tensorViews(layout, flat);
  const get = (name: string): A => views.get(name) as A;
  const h: BlockTensors<A>[] = [];
  for (let l = 0; l < config.nLayer; l++) {
    const p = `transformer.h.${l}`;
    h.push({
      ln1w: get(`${p}.ln_1.weight`),
      ln1b: get(`${p}.ln_1.bias`),
      qkvw: get(`${p}.attn.c_attn.weight`),
      qkvb: get(`${p}.attn.c_attn.bias`),
      attprojw: get(`${p}.attn.c_proj.weight`),
      attprojb: get(`${p}.attn.c_proj.bias`),
      ln2w: get(`${p}.ln_2.weight`),
      ln2b: get(`${p}.ln_2.bias`),
      fcw: get(`${p}.mlp.c_fc.weight`),
      fcb: get(`${p}.mlp.c_fc.bias`),
      fcprojw: get(`${p}.mlp.c_proj.weight`),
      fcprojb: get(`${p}.mlp.c_proj.bias`),
    });
  }
  return {
    wte: get('transformer.wte.weight'),
    wpe: get('transformer.wpe.weight'),
    h,
    lnfw: get('transformer.ln_f.weight'),
    lnfb: get('transformer.ln_f.bias'),
  };
}

/** One block's saved activations (what its backward reads). BT = B·T. */
interface LayerActivations<A extends FloatArray> {
  ln1: A; // (BT,C)
  ln1Mean: A; // (BT)
  ln1Rstd: A; // (BT)
  qkv: A; // (BT,3C)
  atty: A; // (BT,C) attention output before c_proj
  att: A; // (B,NH,T,T) softmax of the scores
  residual2: A; // (BT,C) x + attn
  ln2: A; // (BT,C)
  ln2Mean: A; // (BT)
  ln2Rstd: A; // (BT)
  fch: A; // (BT,4C) before GELU
  fchGelu: A; // (BT,4C)
  residual3: A; // (BT,C) the block's output
}

/** llm.c's ActivationTensors for one (B,T). */
interface ActivationTensors<A extends FloatArray> {
  encoded: A; // (BT,C) wte + wpe
  layers: LayerActivations<A>[]; // (L)
  preatt: A; // (B,NH,T,T) scratch: the backward needs only att
  attproj: A; // (BT,C) scratch: consumed by the residual
  fcproj: A; // (BT,C) scratch
  lnf: A; // (BT,C)
  lnfMean: A; // (BT)
  lnfRstd: A; // (BT)
  logits: A; // (BT,V)
  probs: A; // (BT,V)
  logprobs: A; // (BT)
  entropy: A; // (BT)
}

/**
 * Gradients of the activations. Unlike llm.c (one set per layer), one block's worth is reused by
 * every layer in turn: only the gradient of the residual stream crosses layers.
 */
interface GradActivationTensors<A extends FloatArray> {
  dlogits: A; // (BT,V)
  dlnf: A; // (BT,C)
  dresidualOut: A; // (BT,C) gradient w.r.t. the current block's output
  dresidualIn: A; // (BT,C) gradient w.r.t. its input (the previous block's output)
  dfcproj: A; // (BT,C)
  dfchGelu: A; // (BT,4C)
  dfch: A; // (BT,4C)
  dln2: A; // (BT,C)
  dresidual2: A; // (BT,C)
  dattproj: A; // (BT,C)
  datty: A; // (BT,C)
  dpreatt: A; // (B,NH,T,T)
  datt: A; // (B,NH,T,T)
  dqkv: A; // (BT,3C)
  dln1: A; // (BT,C)
}

/** Named views carved one after another from the start of a flat array (`total(sizes)` elements in all). */
function carve<A extends FloatArray>(flat: A, sizes: [string, number][]): Record<string, A> {
  const out: Record<string, A> = {};
  let off = 0;
  for (const [name, n] of sizes) {
    out[name] = flat.subarray(off, off + n) as A;
    off += n;
  }
  return out;
}
const total = (sizes: [string, number][]): number => sizes.reduce((s, [, n]) => s + n, 0);

/** The KV cache of a generation: keys and values of every row and position, per layer. */
export interface KVCache<A extends FloatArray> {
  rows: number; // R
  k: A[]; // (L) × (R,maxT,C)
  v: A[]; // (L) × (R,maxT,C)
}

export class GPT<A extends FloatArray> {
  readonly layout: ParamLayout;
  readonly params: A; // (P) every parameter, layout order
  readonly grads: A; // (P)
  readonly m: A; // (P) AdamW first moment
  readonly v: A; // (P) AdamW second moment
  t = 0; // AdamW steps taken
  readonly weights: ParameterTensors<A>;
  readonly dweights: ParameterTensors<A>;
  readonly decayMask: Uint8Array; // (P) 1 on tensors of ≥ 2 dims (nanoGPT's decay group)

  private actsFlat: A; // capacity grows with the largest B·T seen
  private gradActsFlat: A;
  private acts: ActivationTensors<A> | null = null;
  private gradActs: GradActivationTensors<A> | null = null;
  private shape = { B: 0, T: 0 }; // of acts / gradActs
  /** The batch of the last forward() when its activations are intact for backward(). */
  private saved: TokenBatch | null = null;

  constructor(
    readonly config: GPTConfig,
    private readonly ctor: FloatArrayCtor,
  ) {
    this.layout = paramLayout(config);
    const P = this.layout.total;
    this.params = this.alloc(P);
    this.grads = this.alloc(P);
    this.m = this.alloc(P);
    this.v = this.alloc(P);
    this.weights = parameterTensors(config, this.layout, this.params);
    this.dweights = parameterTensors(config, this.layout, this.grads);
    this.decayMask = new Uint8Array(P);
    for (const t of this.layout.tensors) if (decays(t)) this.decayMask.fill(1, t.offset, t.offset + t.size);
    this.actsFlat = this.alloc(0);
    this.gradActsFlat = this.alloc(0);
  }

  private alloc(n: number): A {
    return new (this.ctor as Float64ArrayConstructor)(n) as unknown as A;
  }

  /** Views over the activation buffers for (B,T), growing them when B·T needs more room. */
  private ensureActivations(B: number, T: number): void {
    if (this.acts !== null && this.shape.B === B && this.shape.T === T) return;
    const { nEmbd: C, nHead: NH, vocabSize: V, nLayer: L } = this.config;
    const BT = B * T;
    const att = B * NH * T * T;
    const layer: [string, number][] = [
      ['ln1', BT * C],
      ['ln1Mean', BT],
      ['ln1Rstd', BT],
      ['qkv', BT * 3 * C],
      ['atty', BT * C],
      ['att', att],
      ['residual2', BT * C],
      ['ln2', BT * C],
      ['ln2Mean', BT],
      ['ln2Rstd', BT],
      ['fch', BT * 4 * C],
      ['fchGelu', BT * 4 * C],
      ['residual3', BT * C],
    ];
    const top: [string, number][] = [
      ['encoded', BT * C],
      ['preatt', att],
      ['attproj', BT * C],
      ['fcproj', BT * C],
      ['lnf', BT * C],
      ['lnfMean', BT],
      ['lnfRstd', BT],
      ['logits', BT * V],
      ['probs', BT * V],
      ['logprobs', BT],
      ['entropy', BT],
    ];
    const grad: [string, number][] = [
      ['dlogits', BT * V],
      ['dlnf', BT * C],
      ['dresidualOut', BT * C],
      ['dresidualIn', BT * C],
      ['dfcproj', BT * C],
      ['dfchGelu', BT * 4 * C],
      ['dfch', BT * 4 * C],
      ['dln2', BT * C],
      ['dresidual2', BT * C],
      ['dattproj', BT * C],
      ['datty', BT * C],
      ['dpreatt', att],
      ['datt', att],
      ['dqkv', BT * 3 * C],
      ['dln1', BT * C],
    ];
    const nActs = total(top) + L * total(layer);
    if (this.actsFlat.length < nActs) this.actsFlat = this.alloc(nActs);
    if (this.gradActsFlat.length < total(grad)) this.gradActsFlat = this.alloc(total(grad));
    const topViews = carve(this.actsFlat, top);
    const layers: LayerActivations<A>[] = [];
    for (let l = 0; l < L; l++) {
      const off = total(top) + l * total(layer);
      layers.push(carve(this.actsFlat.subarray(off, off + total(layer)) as A, layer) as unknown as LayerActivations<A>);
    }
    this.acts = { ...topViews, layers } as unknown as ActivationTensors<A>;
    this.gradActs = carve(this.gradActsFlat, grad) as unknown as GradActivationTensors<A>;
    this.shape = { B, T };
  }

  /** Embedding → blocks → ln_f → logits (B,T,V) into the activations; returns them. */
  private forwardToLogits(batch: TokenBatch): ActivationTensors<A> {
    validateTokenBatch(this.config, batch);
    const { B, T, tokens } = batch;
    const { nEmbd: C, nHead: NH, vocabSize: V, nLayer: L } = this.config;
    const BT = B * T;
    this.ensureActivations(B, T);
    const a = this.acts as ActivationTensors<A>;
    const w = this.weights;
    encoderForward(a.encoded, tokens, w.wte, w.wpe, B, T, C);
    for (let l = 0; l < L; l++) {
      const residual = l === 0 ? a.encoded : a.layers[l - 1].residual3; // (BT,C)
      const p = w.h[l];
      const x = a.layers[l];
      layernormForward(x.ln1, x.ln1Mean, x.ln1Rstd, residual, p.ln1w, p.ln1b, BT, C);
      matmulForward(x.qkv, x.ln1, p.qkvw, p.qkvb, BT, C, 3 * C);
      attentionForward(x.atty, a.preatt, x.att, x.qkv, B, T, C, NH);
      matmulForward(a.attproj, x.atty, p.attprojw, p.attprojb, BT, C, C);
      residualForward(x.residual2, residual, a.attproj, BT * C);
      layernormForward(x.ln2, x.ln2Mean, x.ln2Rstd, x.residual2, p.ln2w, p.ln2b, BT, C);
      matmulForward(x.fch, x.ln2, p.fcw, p.fcb, BT, C, 4 * C);
      geluForward(x.fchGelu, x.fch, BT * 4 * C);
      matmulForward(a.fcproj, x.fchGelu, p.fcprojw, p.fcprojb, BT, 4 * C, C);
      residualForward(x.residual3, x.residual2, a.fcproj, BT * C);
    }
    const last = L === 0 ? a.encoded : a.layers[L - 1].residual3;
    layernormForward(a.lnf, a.lnfMean, a.lnfRstd, last, w.lnfw, w.lnfb, BT, C);
    lmHeadForward(a.logits, a.lnf, w.wte, BT, C, V);
    return a;
  }

  /** Logits (B,T,V), a view into the activations (overwritten by the next pass); backward() is off until the next forward(). */
  logits(batch: TokenBatch): A {
    this.saved = null;
    return this.forwardToLogits(batch).logits;
  }

  /** Log-probs of the targets and entropies (B,T), views into the activations; keeps everything backward() needs. */
  forward(batch: TokenBatch): { logprobs: A; entropy: A } {
    this.saved = null;
    const a = this.forwardToLogits(batch);
    const BT = batch.B * batch.T;
    logprobEntropyForward(a.logprobs, a.entropy, a.probs, a.logits, batch.targets, BT, this.config.vocabSize);
    this.saved = { B: batch.B, T: batch.T, tokens: batch.tokens.slice(), targets: batch.targets.slice() };
    return { logprobs: a.logprobs, entropy: a.entropy };
  }

  /** Accumulates into grads the gradient of L given dL/dlogp and dL/dH (B,T) at the last forward's positions. */
  backward(dLogprobs: FloatArray, dEntropy: FloatArray): void {
    const batch = this.saved;
    if (batch === null) throw new Error('backward() needs a forward() first (logits() does not keep activations)');
    const { B, T, tokens, targets } = batch;
    const BT = B * T;
    if (dLogprobs.length !== BT || dEntropy.length !== BT) {
      throw new Error(
        `backward: dLogprobs/dEntropy have ${dLogprobs.length}/${dEntropy.length} entries, expected B·T = ${BT}`,
      );
    }
    const { nEmbd: C, nHead: NH, vocabSize: V, nLayer: L } = this.config;
    const a = this.acts as ActivationTensors<A>;
    const g = this.gradActs as GradActivationTensors<A>;
    const w = this.weights;
    const dw = this.dweights;

    logprobEntropyBackward(g.dlogits, a.probs, targets, dLogprobs, dEntropy, BT, V);
    g.dlnf.fill(0);
    lmHeadBackward(g.dlnf, dw.wte, g.dlogits, a.lnf, w.wte, BT, C, V);
    const last = L === 0 ? a.encoded : a.layers[L - 1].residual3;
    g.dresidualOut.fill(0);
    layernormBackward(g.dresidualOut, dw.lnfw, dw.lnfb, g.dlnf, last, w.lnfw, a.lnfMean, a.lnfRstd, BT, C);

    for (let l = L - 1; l >= 0; l--) {
      const residual = l === 0 ? a.encoded : a.layers[l - 1].residual3; // (BT,C) the block's input
      const p = w.h[l];
      const dp = dw.h[l];
      const x = a.layers[l];
      // this block's activation gradients start from zero; dresidualOut carries the gradient of its output
      for (const d of [
        g.dfcproj,
        g.dfchGelu,
        g.dfch,
        g.dln2,
        g.dresidual2,
        g.dattproj,
        g.datty,
        g.dqkv,
        g.dln1,
        g.dresidualIn,
      ]) {
        d.fill(0);
      }
      // in the forward: residual3 = residual2 + fcproj
      residualBackward(g.dresidual2, g.dfcproj, g.dresidualOut, BT * C);
      // fcproj = fchGelu · fcprojw + fcprojb
      matmulBackward(g.dfchGelu, dp.fcprojw, dp.fcprojb, g.dfcproj, x.fchGelu, p.fcprojw, BT, 4 * C, C);
      // fchGelu = gelu(fch)
      geluBackward(g.dfch, x.fch, g.dfchGelu, BT * 4 * C);
      // fch = ln2 · fcw + fcb
      matmulBackward(g.dln2, dp.fcw, dp.fcb, g.dfch, x.ln2, p.fcw, BT, C, 4 * C);
      // ln2 = layernorm(residual2)
      layernormBackward(g.dresidual2, dp.ln2w, dp.ln2b, g.dln2, x.residual2, p.ln2w, x.ln2Mean, x.ln2Rstd, BT, C);
      // residual2 = residual + attproj
      residualBackward(g.dresidualIn, g.dattproj, g.dresidual2, BT * C);
      // attproj = atty · attprojw + attprojb
      matmulBackward(g.datty, dp.attprojw, dp.attprojb, g.dattproj, x.atty, p.attprojw, BT, C, C);
      // atty = attention(qkv)
      attentionBackward(g.dqkv, g.dpreatt, g.datt, g.datty, x.qkv, x.att, B, T, C, NH);
      // qkv = ln1 · qkvw + qkvb
      matmulBackward(g.dln1, dp.qkvw, dp.qkvb, g.dqkv, x.ln1, p.qkvw, BT, C, 3 * C);
      // ln1 = layernorm(residual)
      layernormBackward(g.dresidualIn, dp.ln1w, dp.ln1b, g.dln1, residual, p.ln1w, x.ln1Mean, x.ln1Rstd, BT, C);
      // the input's gradient is the previous block's output gradient
      g.dresidualOut.set(g.dresidualIn);
    }
    // encoded = wte[tokens] + wpe
    encoderBackward(dw.wte, dw.wpe, g.dresidualOut, tokens, B, T, C);
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }

  /**
   * Clips the global gradient norm to opt.clip (when > 0, in place, as clip_grad_norm_), then one AdamW step.
   * Returns the norm before clipping. A non-finite norm takes no step (weights, moments and t unchanged),
   * so one bad batch cannot poison the weights; the caller sees the norm and decides.
   */
  step(opt: AdamWConfig): number {
    const norm = globalNorm(this.grads);
    if (!Number.isFinite(norm)) return norm;
    if (opt.clip > 0) scaleInPlace(this.grads, Math.min(1, opt.clip / (norm + 1e-6)));
    this.t++;
    adamwUpdate(
      this.params,
      this.grads,
      this.m,
      this.v,
      this.t,
      opt.lr,
      opt.beta1,
      opt.beta2,
      opt.eps,
      opt.weightDecay,
      this.decayMask,
    );
    return norm;
  }

  newKVCache(rows: number): KVCache<A> {
    const n = rows * this.config.blockSize * this.config.nEmbd;
    const L = this.config.nLayer;
    return {
      rows,
      k: Array.from({ length: L }, () => this.alloc(n)),
      v: Array.from({ length: L }, () => this.alloc(n)),
    };
  }

  /**
   * One incremental forward at absolute position `pos` for n rows of a generation: rows[i] (n) is the
   * cache row, tokens[i] (n) its token at pos. Appends each row's k, v at pos and returns the logits
   * (n,V) predicting position pos+1. Per row, the same arithmetic as forward() on the whole sequence.
   */
  decode(cache: KVCache<A>, rows: Int32Array, tokens: Int32Array, n: number, pos: number): A {
    const { nEmbd: C, nHead: NH, vocabSize: V, nLayer: L, blockSize: Tmax } = this.config;
    if (pos >= Tmax) throw new Error(`decode: position ${pos} is past the context length ${Tmax}`);
    const w = this.weights;
    const x = this.alloc(n * C); // (n,C) residual stream
    const x2 = this.alloc(n * C); // (n,C) after attention
    const ln = this.alloc(n * C); // (n,C)
    const mean = this.alloc(n); // (n)
    const rstd = this.alloc(n); // (n)
    const qkv = this.alloc(n * 3 * C); // (n,3C)
    const atty = this.alloc(n * C); // (n,C)
    const proj = this.alloc(n * C); // (n,C)
    const fch = this.alloc(n * 4 * C); // (n,4C)
    const gelu = this.alloc(n * 4 * C); // (n,4C)
    const logits = this.alloc(n * V); // (n,V)
    for (let i = 0; i < n; i++) {
      const ix = tokens[i] * C;
      for (let c = 0; c < C; c++) x[i * C + c] = w.wte[ix + c] + w.wpe[pos * C + c];
    }
    for (let l = 0; l < L; l++) {
      const p = w.h[l];
      layernormForward(ln, mean, rstd, x, p.ln1w, p.ln1b, n, C);
      matmulForward(qkv, ln, p.qkvw, p.qkvb, n, C, 3 * C);
      attentionDecodeForward(atty, qkv, cache.k[l], cache.v[l], rows, n, pos, Tmax, C, NH);
      matmulForward(proj, atty, p.attprojw, p.attprojb, n, C, C);
      residualForward(x2, x, proj, n * C);
      layernormForward(ln, mean, rstd, x2, p.ln2w, p.ln2b, n, C);
      matmulForward(fch, ln, p.fcw, p.fcb, n, C, 4 * C);
      geluForward(gelu, fch, n * 4 * C);
      matmulForward(proj, gelu, p.fcprojw, p.fcprojb, n, 4 * C, C);
      residualForward(x, x2, proj, n * C);
    }
    layernormForward(ln, mean, rstd, x, w.lnfw, w.lnfb, n, C);
    lmHeadForward(logits, ln, w.wte, n, C, V);
    return logits;
  }
}
