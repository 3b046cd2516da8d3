// WebGpuEngine: the Engine contract (src/models/engine.ts) on WGSL kernels, held to CpuEngine by
// src/gpu/engine.gpu.test.ts. Parameters, gradients, AdamW moments and activations stay on the GPU;
// the CPU only uploads token ids and loss coefficients and reads back log-probs, entropies and the
// gradient norm.
//
// Submissions: work is recorded into one pending command encoder and submitted only when a result
// must come back. The usual step (forward; zeroGrad; backward; step) is therefore two submissions,
// each with one mapAsync: [forward → logprobs, entropy] and [zero grads, backward, clip, AdamW → grad
// norm]. Inputs (tokens, coefficients) are copied in inside the same command stream, so recorded
// work never sees a later call's inputs.
//
// What generation (src/gpu/generate.ts, the GpuModel interface) and the bench use from here:
//   engine.rt                 the GpuRuntime (pipelines, buffer pool, dispatch counters)
//   engine.config             the GPTConfig
//   engine.params             the one parameter buffer (every tensor, HF names, 256-byte-aligned starts)
//   engine.paramBinding(name) the {buffer, offset, size} range of one tensor in it
//   engine.dispatches         dispatches recorded by the last forward / backward / step call
//
// Layout on the GPU: the tensors of src/models/params.ts in the same order, each starting at a
// multiple of minStorageBufferOffsetAlignment so a kernel can bind it as a range. Gradients and both
// AdamW moments use the same layout; the padding between tensors stays zero.
//
// Activations follow llm.c's ActivationTensors, kept per layer for the backward; the backward keeps
// one gradient buffer for the residual stream (dres) that every branch adds into, so residual adds
// need no backward kernel.

import type { GPTConfig } from '../models/config';
import { validateConfig } from '../models/config';
import { CpuEngine } from '../models/cpu/engine';
import type {
  AdamWConfig,
  Engine,
  GenerateRequest,
  GenerateResult,
  OptimizerState,
  PolicyOutput,
  TokenBatch,
} from '../models/engine';
import { decays, paramLayout, type ParamLayout } from '../models/params';
import type { GpuContext } from './device';
import { generate } from './generate';
import { adamwUpdate, decayMaskBits } from './kernels/adamw';
import { attentionBackward, attentionForward } from './kernels/attention';
import { encoderBackward, encoderForward } from './kernels/encoder';
import { geluBackward, geluForward } from './kernels/gelu';
import { GRADNORM_PARTIALS, gradNorm } from './kernels/gradnorm';
import { layernormBackward, layernormForward } from './kernels/layernorm';
import { logprobEntropyBackward, logprobEntropyForward } from './kernels/logprob';
import { matmul, matmulBackward, matmulForward } from './kernels/matmul';
import { residualForward } from './kernels/residual';
import { GpuRuntime, type Binding, type Recorder } from './runtime';

const F32 = 4; // bytes

/** Where one tensor lives in the GPU buffers (elements). */
interface GpuTensor {
  offset: number;
  size: number;
}

/** One layer's activations, each (BT,·) unless noted; kept from the forward for the backward. */
interface LayerActs {
  ln1: GPUBuffer; // (BT,C)
  ln1Mean: GPUBuffer; // (BT)
  ln1Rstd: GPUBuffer; // (BT)
  qkv: GPUBuffer; // (BT,3C)
  atty: GPUBuffer; // (BT,C) attention output before the projection
  att: GPUBuffer; // (B,NH,T,T)
  attproj: GPUBuffer; // (BT,C)
  residual2: GPUBuffer; // (BT,C)
  ln2: GPUBuffer; // (BT,C)
  ln2Mean: GPUBuffer; // (BT)
  ln2Rstd: GPUBuffer; // (BT)
  fch: GPUBuffer; // (BT,4C)
  fchGelu: GPUBuffer; // (BT,4C)
  fcproj: GPUBuffer; // (BT,C)
  residual3: GPUBuffer; // (BT,C)
}

/** Activations and backward scratch for batches up to `BT` positions and `BTT` = B·T·T. */
interface Acts {
  BT: number;
  BTT: number;
  tokens: GPUBuffer; // (BT) i32
  targets: GPUBuffer; // (BT) i32, -1 = none
  encoded: GPUBuffer; // (BT,C)
  layers: LayerActs[];
  lnf: GPUBuffer; // (BT,C)
  lnfMean: GPUBuffer; // (BT)
  lnfRstd: GPUBuffer; // (BT)
  logits: GPUBuffer; // (BT,V)
  probs: GPUBuffer; // (BT,V)
  logprobs: GPUBuffer; // (BT)
  entropy: GPUBuffer; // (BT)
  // backward scratch, shared by the layers
  dLogprobs: GPUBuffer; // (BT)
  dEntropy: GPUBuffer; // (BT)
  dlogits: GPUBuffer; // (BT,V)
  dres: GPUBuffer; // (BT,C) gradient of the residual stream
  dln: GPUBuffer; // (BT,C) gradient of a layernorm's output
  dqkv: GPUBuffer; // (BT,3C)
  datty: GPUBuffer; // (BT,C)
  dpreatt: GPUBuffer; // (B,NH,T,T)
  dfchGelu: GPUBuffer; // (BT,4C)
  dfch: GPUBuffer; // (BT,4C)
}

export interface WebGpuEngineOptions {
  seed?: number; // nanoGPT init seed (CpuEngine's init), when no weights are given
  weights?: Map<string, Float32Array>; // HF names
}

/** The CPU engine's nanoGPT init, so both engines start from the same weights for a seed. */
async function initialWeights(config: GPTConfig, seed: number): Promise<Map<string, Float32Array>> {
  const cpu = new CpuEngine(config, { seed });
  const weights = await cpu.getWeights();
  cpu.dispose();
  return weights;
}

export class WebGpuEngine implements Engine {
  readonly backend = 'webgpu' as const;
  readonly layout: ParamLayout; // the CPU (HF) layout: getOptimizerState's flat order
  readonly params: GPUBuffer; // (nGpu) every parameter tensor, aligned
  readonly grads: GPUBuffer; // (nGpu)
  /** Dispatches recorded by the last call of each (for the bench: forward + backward + step = one SFT step). */
  readonly dispatches = { forward: 0, backward: 0, step: 0 };

  private readonly gpuTensors = new Map<string, GpuTensor>();
  private readonly nGpu: number; // elements in each of params, grads, m, v
  private readonly m: GPUBuffer; // (nGpu) AdamW first moment
  private readonly v: GPUBuffer; // (nGpu) AdamW second moment
  private readonly decayBits: GPUBuffer; // (⌈nGpu/32⌉) bit set where AdamW decays
  private readonly stats: GPUBuffer; // (2) [grad norm, clip scale]
  private readonly partials: GPUBuffer; // (GRADNORM_PARTIALS)
  private t = 0; // AdamW steps taken
  private acts: Acts | null = null;
  private last: { B: number; T: number } | null = null; // shape of the last forward, whose activations are kept
  private pending: Recorder | null = null;
  private disposed = false;
  private readonly owned: GPUBuffer[] = []; // params, grads, moments, stats: destroyed by dispose()
  private actBuffers: GPUBuffer[] = []; // every buffer of `acts`
  private staged: GPUBuffer[] = []; // upload sources of the pending submission

  private constructor(
    readonly rt: GpuRuntime,
    readonly config: GPTConfig,
    private readonly ownsRuntime: boolean,
  ) {
    validateConfig(config);
    this.layout = paramLayout(config);
    const align = rt.device.limits.minStorageBufferOffsetAlignment / F32;
    let offset = 0;
    for (const t of this.layout.tensors) {
      this.gpuTensors.set(t.name, { offset, size: t.size });
      offset = Math.ceil((offset + t.size) / align) * align;
    }
    this.nGpu = offset;
    const own = (bytes: number) => this.ownBuffer(bytes);
    this.params = own(this.nGpu * F32);
    this.grads = own(this.nGpu * F32);
    this.m = own(this.nGpu * F32);
    this.v = own(this.nGpu * F32);
    this.stats = own(2 * F32);
    this.partials = own(GRADNORM_PARTIALS * F32);
    const bits = decayMaskBits(
      this.nGpu,
      this.layout.tensors.map((t) => ({ ...this.gpuTensors.get(t.name)!, decay: decays(t) })),
    );
    this.decayBits = own(bits.byteLength);
    rt.write(this.decayBits, bits);
    const rec = this.recorder();
    for (const b of [this.params, this.grads, this.m, this.v]) rec.clear(b);
  }

  /** An engine on `ctx`'s device (a runtime of its own) or on a shared runtime; weights given or initialised. */
  static async create(
    ctx: GpuContext | GpuRuntime,
    config: GPTConfig,
    opts: WebGpuEngineOptions = {},
  ): Promise<WebGpuEngine> {
    const owns = !(ctx instanceof GpuRuntime);
    const rt = ctx instanceof GpuRuntime ? ctx : new GpuRuntime(ctx.device);
    const engine = new WebGpuEngine(rt, config, owns);
    await engine.setWeights(opts.weights ?? (await initialWeights(config, opts.seed ?? 0)));
    return engine;
  }

  /** The {buffer, offset, size} range of one parameter tensor (HF name) in `params`. */
  paramBinding(name: string): Binding {
    return this.range(this.params, name);
  }

  /** The range of one tensor's gradient in `grads`. */
  gradBinding(name: string): Binding {
    return this.range(this.grads, name);
  }

  async logits(batch: TokenBatch): Promise<Float32Array> {
    const { B, T } = this.checkBatch(batch);
    const V = this.config.vocabSize;
    const a = this.ensureActs(B, T);
    const rec = this.recorder();
    this.stage(rec, a.tokens, batch.tokens);
    this.recordForward(rec, B, T);
    this.last = null; // the activations are overwritten; a backward needs a forward first
    return this.readF32(a.logits, B * T * V);
  }

  async forward(batch: TokenBatch): Promise<PolicyOutput> {
    const { B, T } = this.checkBatch(batch);
    const { vocabSize: V } = this.config;
    const a = this.ensureActs(B, T);
    const start = this.rt.dispatchCount;
    const rec = this.recorder();
    this.stage(rec, a.tokens, batch.tokens);
    this.stage(rec, a.targets, batch.targets);
    this.recordForward(rec, B, T);
    logprobEntropyForward(rec, a.logprobs, a.entropy, a.probs, a.logits, a.targets, B * T, V);
    this.dispatches.forward = this.rt.dispatchCount - start;
    this.last = { B, T };
    this.flush();
    const [lp, h] = await this.rt.read([
      { buffer: a.logprobs, count: B * T },
      { buffer: a.entropy, count: B * T },
    ]);
    return { logprobs: new Float32Array(lp), entropy: new Float32Array(h) };
  }

  async backward(dLogprobs: Float32Array, dEntropy: Float32Array): Promise<void> {
    if (!this.last || !this.acts) throw new Error('backward: call forward first (its activations are used)');
    const { B, T } = this.last;
    if (dLogprobs.length !== B * T || dEntropy.length !== B * T) {
      throw new Error(
        `backward: coefficients must be (B,T) = ${B * T} long, got ${dLogprobs.length}, ${dEntropy.length}`,
      );
    }
    const a = this.acts;
    const start = this.rt.dispatchCount;
    const rec = this.recorder();
    this.stage(rec, a.dLogprobs, dLogprobs);
    this.stage(rec, a.dEntropy, dEntropy);
    this.recordBackward(rec, B, T);
    this.dispatches.backward = this.rt.dispatchCount - start;
  }

  zeroGrad(): void {
    this.recorder().clear(this.grads);
  }

  async step(opt: AdamWConfig): Promise<{ gradNorm: number }> {
    this.t++;
    const start = this.rt.dispatchCount;
    const rec = this.recorder();
    gradNorm(rec, this.stats, this.partials, this.grads, this.nGpu, opt.clip);
    adamwUpdate(rec, this.params, this.m, this.v, this.grads, this.decayBits, this.stats, this.nGpu, {
      lr: opt.lr,
      beta1: opt.beta1,
      beta2: opt.beta2,
      eps: opt.eps,
      weightDecay: opt.weightDecay,
      t: this.t,
    });
    this.dispatches.step = this.rt.dispatchCount - start;
    const [norm] = await this.readF32(this.stats, 1);
    return { gradNorm: norm };
  }

  generate(req: GenerateRequest): Promise<GenerateResult> {
    this.flush();
    return generate(this, req);
  }

  async getWeights(): Promise<Map<string, Float32Array>> {
    return this.unpack(await this.readF32(this.params, this.nGpu));
  }

  async setWeights(weights: Map<string, Float32Array>): Promise<void> {
    this.flush();
    this.rt.write(this.params, this.pack(weights, 'setWeights'));
  }

  async getGrads(): Promise<Map<string, Float32Array>> {
    return this.unpack(await this.readF32(this.grads, this.nGpu));
  }

  async getOptimizerState(): Promise<OptimizerState> {
    this.flush();
    const [m, v] = await this.rt.read([
      { buffer: this.m, count: this.nGpu },
      { buffer: this.v, count: this.nGpu },
    ]);
    return { m: this.gather(new Float32Array(m)), v: this.gather(new Float32Array(v)), t: this.t };
  }

  async setOptimizerState(s: OptimizerState): Promise<void> {
    const n = this.layout.total;
    if (s.m.length !== n || s.v.length !== n) throw new Error(`setOptimizerState: m and v must hold ${n} elements`);
    this.flush();
    this.rt.write(this.m, this.scatter(s.m));
    this.rt.write(this.v, this.scatter(s.v));
    this.t = s.t;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.flush();
    this.freeActs();
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
    if (this.ownsRuntime) this.rt.destroy();
  }

  // ---- forward and backward (llm.c's gpt2_forward / gpt2_backward) ----

  private recordForward(rec: Recorder, B: number, T: number): void {
    const { nEmbd: C, nHead: NH, vocabSize: V, nLayer: L } = this.config;
    const BT = B * T;
    const a = this.acts!;
    const w = (name: string) => this.paramBinding(name);
    encoderForward(rec, a.encoded, a.tokens, w('transformer.wte.weight'), w('transformer.wpe.weight'), B, T, C, V);
    for (let l = 0; l < L; l++) {
      const h = `transformer.h.${l}`;
      const x = a.layers[l];
      const residual = l === 0 ? a.encoded : a.layers[l - 1].residual3;
      layernormForward(rec, x.ln1, x.ln1Mean, x.ln1Rstd, residual, w(`${h}.ln_1.weight`), w(`${h}.ln_1.bias`), BT, C);
      matmulForward(rec, x.qkv, x.ln1, w(`${h}.attn.c_attn.weight`), w(`${h}.attn.c_attn.bias`), BT, C, 3 * C);
      attentionForward(rec, x.atty, x.att, x.qkv, B, T, C, NH);
      matmulForward(rec, x.attproj, x.atty, w(`${h}.attn.c_proj.weight`), w(`${h}.attn.c_proj.bias`), BT, C, C);
      residualForward(rec, x.residual2, residual, x.attproj, BT * C);
      layernormForward(
        rec,
        x.ln2,
        x.ln2Mean,
        x.ln2Rstd,
        x.residual2,
        w(`${h}.ln_2.weight`),
        w(`${h}.ln_2.bias`),
        BT,
        C,
      );
      matmulForward(rec, x.fch, x.ln2, w(`${h}.mlp.c_fc.weight`), w(`${h}.mlp.c_fc.bias`), BT, C, 4 * C);
      geluForward(rec, x.fchGelu, x.fch, BT * 4 * C);
      matmulForward(rec, x.fcproj, x.fchGelu, w(`${h}.mlp.c_proj.weight`), w(`${h}.mlp.c_proj.bias`), BT, 4 * C, C);
      residualForward(rec, x.residual3, x.residual2, x.fcproj, BT * C);
    }
    const top = L === 0 ? a.encoded : a.layers[L - 1].residual3;
    const lnf = ['transformer.ln_f.weight', 'transformer.ln_f.bias'].map(w);
    layernormForward(rec, a.lnf, a.lnfMean, a.lnfRstd, top, lnf[0], lnf[1], BT, C);
    // LM head tied to the token embedding: logits (BT,V) = lnf (BT,C) · wteᵀ, wte (V,C).
    matmul(rec, a.logits, a.lnf, w('transformer.wte.weight'), BT, V, C, { transB: true });
  }

  private recordBackward(rec: Recorder, B: number, T: number): void {
    const { nEmbd: C, nHead: NH, vocabSize: V, nLayer: L } = this.config;
    const BT = B * T;
    const a = this.acts!;
    const w = (name: string) => this.paramBinding(name);
    const g = (name: string) => this.gradBinding(name);
    logprobEntropyBackward(rec, a.dlogits, a.probs, a.targets, a.dLogprobs, a.dEntropy, BT, V);
    // In the forward: logits = lnf·wteᵀ. So dlnf = dlogits·wte and dwte += dlogitsᵀ·lnf.
    matmul(rec, a.dln, a.dlogits, w('transformer.wte.weight'), BT, C, V);
    matmul(rec, g('transformer.wte.weight'), a.dlogits, a.lnf, V, C, BT, { transA: true, accumulate: true });
    const top = L === 0 ? a.encoded : a.layers[L - 1].residual3;
    layernormBackward(
      rec,
      a.dres, // overwritten: the residual stream's gradient starts here
      g('transformer.ln_f.weight'),
      g('transformer.ln_f.bias'),
      a.dln,
      top,
      w('transformer.ln_f.weight'),
      a.lnfMean,
      a.lnfRstd,
      BT,
      C,
      false,
    );
    for (let l = L - 1; l >= 0; l--) {
      const h = `transformer.h.${l}`;
      const x = a.layers[l];
      const residual = l === 0 ? a.encoded : a.layers[l - 1].residual3;
      // residual3 = residual2 + c_proj(gelu(c_fc(ln_2(residual2)))): dres is the gradient of both.
      matmulBackward(
        rec,
        a.dfchGelu,
        g(`${h}.mlp.c_proj.weight`),
        g(`${h}.mlp.c_proj.bias`),
        a.dres,
        x.fchGelu,
        w(`${h}.mlp.c_proj.weight`),
        BT,
        4 * C,
        C,
      );
      geluBackward(rec, a.dfch, x.fch, a.dfchGelu, BT * 4 * C, false);
      matmulBackward(
        rec,
        a.dln,
        g(`${h}.mlp.c_fc.weight`),
        g(`${h}.mlp.c_fc.bias`),
        a.dfch,
        x.ln2,
        w(`${h}.mlp.c_fc.weight`),
        BT,
        C,
        4 * C,
      );
      layernormBackward(
        rec,
        a.dres,
        g(`${h}.ln_2.weight`),
        g(`${h}.ln_2.bias`),
        a.dln,
        x.residual2,
        w(`${h}.ln_2.weight`),
        x.ln2Mean,
        x.ln2Rstd,
        BT,
        C,
      );
      // residual2 = residual + c_proj(attn(c_attn(ln_1(residual)))).
      matmulBackward(
        rec,
        a.datty,
        g(`${h}.attn.c_proj.weight`),
        g(`${h}.attn.c_proj.bias`),
        a.dres,
        x.atty,
        w(`${h}.attn.c_proj.weight`),
        BT,
        C,
        C,
      );
      attentionBackward(rec, a.dqkv, a.dpreatt, a.datty, x.qkv, x.att, B, T, C, NH);
      matmulBackward(
        rec,
        a.dln,
        g(`${h}.attn.c_attn.weight`),
        g(`${h}.attn.c_attn.bias`),
        a.dqkv,
        x.ln1,
        w(`${h}.attn.c_attn.weight`),
        BT,
        C,
        3 * C,
      );
      layernormBackward(
        rec,
        a.dres,
        g(`${h}.ln_1.weight`),
        g(`${h}.ln_1.bias`),
        a.dln,
        residual,
        w(`${h}.ln_1.weight`),
        x.ln1Mean,
        x.ln1Rstd,
        BT,
        C,
      );
    }
    encoderBackward(rec, g('transformer.wte.weight'), g('transformer.wpe.weight'), a.dres, a.tokens, B, T, C, V);
  }

  // ---- buffers ----

  private ownBuffer(bytes: number): GPUBuffer {
    const b = this.rt.device.createBuffer({
      size: Math.max(16, Math.ceil(bytes / 16) * 16),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    this.owned.push(b);
    return b;
  }

  /** Activations for (B,T), reused while a batch fits the ones allocated. */
  private ensureActs(B: number, T: number): Acts {
    const BT = B * T;
    const BTT = B * T * T;
    if (this.acts && BT <= this.acts.BT && BTT <= this.acts.BTT) return this.acts;
    this.flush(); // recorded work may still reference the old buffers
    this.freeActs();
    const { nEmbd: C, nHead: NH, vocabSize: V, nLayer: L } = this.config;
    const list: GPUBuffer[] = [];
    const buf = (elements: number) => {
      const b = this.rt.device.createBuffer({
        size: Math.max(16, Math.ceil((elements * F32) / 16) * 16),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
      list.push(b);
      return b;
    };
    const layers: LayerActs[] = Array.from({ length: L }, () => ({
      ln1: buf(BT * C),
      ln1Mean: buf(BT),
      ln1Rstd: buf(BT),
      qkv: buf(BT * 3 * C),
      atty: buf(BT * C),
      att: buf(BTT * NH),
      attproj: buf(BT * C),
      residual2: buf(BT * C),
      ln2: buf(BT * C),
      ln2Mean: buf(BT),
      ln2Rstd: buf(BT),
      fch: buf(BT * 4 * C),
      fchGelu: buf(BT * 4 * C),
      fcproj: buf(BT * C),
      residual3: buf(BT * C),
    }));
    this.acts = {
      BT,
      BTT,
      tokens: buf(BT),
      targets: buf(BT),
      encoded: buf(BT * C),
      layers,
      lnf: buf(BT * C),
      lnfMean: buf(BT),
      lnfRstd: buf(BT),
      logits: buf(BT * V),
      probs: buf(BT * V),
      logprobs: buf(BT),
      entropy: buf(BT),
      dLogprobs: buf(BT),
      dEntropy: buf(BT),
      dlogits: buf(BT * V),
      dres: buf(BT * C),
      dln: buf(BT * C),
      dqkv: buf(BT * 3 * C),
      datty: buf(BT * C),
      dpreatt: buf(BTT * NH),
      dfchGelu: buf(BT * 4 * C),
      dfch: buf(BT * 4 * C),
    };
    this.actBuffers = list;
    this.last = null;
    return this.acts;
  }

  private freeActs(): void {
    for (const b of this.actBuffers) b.destroy();
    this.actBuffers = [];
    this.acts = null;
    this.last = null;
  }

  private range(buffer: GPUBuffer, name: string): Binding {
    const t = this.gpuTensors.get(name);
    if (!t) throw new Error(`no parameter named ${name}`);
    return { buffer, offset: t.offset * F32, size: t.size * F32 };
  }

  // ---- recording and transfers ----

  /** The pending recorder: work waits in it until a result has to come back. */
  private recorder(): Recorder {
    if (this.disposed) throw new Error('WebGpuEngine: used after dispose()');
    this.pending ??= this.rt.recorder();
    return this.pending;
  }

  private flush(): void {
    if (this.pending) {
      this.pending.submit();
      this.pending = null;
    }
    // Destroying after submission is safe: the browser frees them once the queued copies have run.
    for (const b of this.staged) b.destroy();
    this.staged = [];
  }

  /** Copies `data` into `dst` inside the recorded command stream (ordered with the work around it). */
  private stage(rec: Recorder, dst: GPUBuffer, data: Int32Array | Float32Array): void {
    const bytes = Math.max(4, data.byteLength);
    const src = this.rt.device.createBuffer({
      size: Math.ceil(bytes / 4) * 4,
      usage: GPUBufferUsage.COPY_SRC,
      mappedAtCreation: true,
    });
    new Uint8Array(src.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    src.unmap();
    if (data.byteLength > 0) rec.copy(src, 0, dst, 0, data.byteLength);
    this.staged.push(src);
  }

  private async readF32(buffer: GPUBuffer, count: number): Promise<Float32Array> {
    this.flush();
    return this.rt.readF32(buffer, count);
  }

  private checkBatch(batch: TokenBatch): { B: number; T: number } {
    const { B, T } = batch;
    if (T > this.config.blockSize) throw new Error(`batch T=${T} exceeds the context ${this.config.blockSize}`);
    if (batch.tokens.length !== B * T || batch.targets.length !== B * T) {
      throw new Error(`batch tokens and targets must be (B,T) = ${B * T} long`);
    }
    const V = this.config.vocabSize;
    for (const tok of batch.tokens)
      if (tok < 0 || tok >= V) throw new Error(`token ${tok} outside the vocabulary [0,${V})`);
    for (const tok of batch.targets) if (tok < -1 || tok >= V) throw new Error(`target ${tok} outside [-1,${V})`);
    return { B, T };
  }

  // ---- layout conversions: CPU flat (params.ts) ⇄ GPU aligned ----

  private pack(weights: Map<string, Float32Array>, what: string): Float32Array {
    const flat = new Float32Array(this.nGpu); // (nGpu), padding zero
    for (const t of this.layout.tensors) {
      const src = weights.get(t.name);
      if (!src) throw new Error(`${what}: missing tensor ${t.name}`);
      if (src.length !== t.size) throw new Error(`${what}: ${t.name} has ${src.length} elements, expected ${t.size}`);
      flat.set(src, this.gpuTensors.get(t.name)!.offset);
    }
    return flat;
  }

  private unpack(flat: Float32Array): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const t of this.layout.tensors) {
      const g = this.gpuTensors.get(t.name)!;
      out.set(t.name, flat.slice(g.offset, g.offset + g.size));
    }
    return out;
  }

  /** GPU-aligned (nGpu) → CPU flat (layout.total). */
  private gather(flat: Float32Array): Float32Array {
    const out = new Float32Array(this.layout.total);
    for (const t of this.layout.tensors) {
      const g = this.gpuTensors.get(t.name)!;
      out.set(flat.subarray(g.offset, g.offset + g.size), t.offset);
    }
    return out;
  }

  /** CPU flat (layout.total) → GPU-aligned (nGpu). */
  private scatter(flat: Float32Array): Float32Array {
    const out = new Float32Array(this.nGpu);
    for (const t of this.layout.tensors)
      out.set(flat.subarray(t.offset, t.offset + t.size), this.gpuTensors.get(t.name)!.offset);
    return out;
  }
}
