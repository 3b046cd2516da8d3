// WebGpuEngine: the Engine contract (src/models/engine.ts) on WGSL kernels, held to CpuEngine by
// src/gpu/engine.gpu.test.ts. Parameters, gradients, AdamW moments and activations stay on the GPU;
// the CPU only uploads token ids and loss coefficients and reads back log-probs, entropies and the
// gradient norm. The forward and backward are recorded kernel by kernel in the order of
// src/models/cpu/model.ts, with its names.
//
// Submissions: work is recorded into one pending command encoder and submitted only when a result
// must come back. The usual SFT step (forward; zeroGrad; backward; step) is therefore two submissions,
// each with one mapAsync: [forward → logprobs, entropy] and [zero grads, backward, clip, AdamW → grad
// norm]. An RL update through `deviceRl` is one: the rollout batch's reference and old log-probs stay
// on the GPU, the policy-loss kernel writes the backward's coefficients in place, and only the loss
// sums and the grad norm come back. Inputs (tokens, coefficients) are copied in inside the same command
// stream, so recorded work never sees a later call's inputs.
//
// Not here: the aligned parameter layout (params.ts), the activation buffers (activations.ts),
// generation (generate.ts, which reads `rt`, `config` and `weights` through its GpuModel), the kernels
// (kernels/, shaders/).

import { validateConfig, type GPTConfig } from '../models/config';
import type {
  AdamWConfig,
  DeviceRlStep,
  DeviceUpdateRequest,
  DeviceUpdateResult,
  Engine,
  GenerateRequest,
  GenerateResult,
  OptimizerState,
  PolicyOutput,
  RolloutLogprobs,
  TokenBatch,
  TokenLossBatch,
  TokenLossTerms,
} from '../models/engine';
import { initialWeights } from '../models/init';
import type { ParamLayout } from '../models/params';
import { validateOptimizerState, validateTokenBatch, validateWeights } from '../models/validate';
import { Activations } from './activations';
import type { GpuContext } from './device';
import { generate } from './generate';
import { adamwUpdate, decayMaskBits } from './kernels/adamw';
import { attentionBackward, attentionForward } from './kernels/attention';
import { covarianceForward } from './kernels/covariance';
import { encoderBackward, encoderForward } from './kernels/encoder';
import { geluBackward, geluForward } from './kernels/gelu';
import { GRADNORM_PARTIALS, gradNorm } from './kernels/gradnorm';
import { layernormBackward, layernormForward } from './kernels/layernorm';
import { logprobEntropyBackward, logprobEntropyForward } from './kernels/logprob';
import { lmHeadBackward, lmHeadForward, matmulBackward, matmulForward } from './kernels/matmul';
import { packTokenInputs, POLICY_LOSS_SUMS, policyLossForward, policyLossReduce } from './kernels/policy_loss';
import { residualForward } from './kernels/residual';
import { tokenSelect } from './kernels/token_select';
import { GpuParamLayout, parameterBindings, type ParameterBindings } from './params';
import { GpuRuntime, type Recorder } from './runtime';

const F32 = 4; // bytes

/** The per-token arrays of a TokenLossBatch, each (N). */
const TOKEN_LOSS_INPUTS = [
  'logprobs',
  'oldLogprobs',
  'refLogprobs',
  'entropy',
  'advantages',
  'weights',
  'pgActive',
  'klCovSelected',
] as const;

export interface WebGpuEngineOptions {
  seed?: number; // init seed (src/models/init.ts), when no weights are given
  weights?: Map<string, Float32Array>; // HF names
}

export class WebGpuEngine implements Engine {
  readonly backend = 'webgpu' as const;
  readonly layout: ParamLayout; // the flat CPU layout (params.ts): getOptimizerState's order
  readonly params: GPUBuffer; // every parameter tensor, aligned (params.ts)
  readonly grads: GPUBuffer; // their gradients, same layout
  readonly weights: ParameterBindings; // the tensors of `params` by name
  readonly dweights: ParameterBindings; // the tensors of `grads` by name
  /**
   * Dispatches recorded by the last call of each (for the bench: forward + backward + step = one SFT step;
   * rolloutForward + update = one RL step's forwards and update on the device).
   */
  readonly dispatches = { forward: 0, backward: 0, step: 0, rolloutForward: 0, update: 0 };
  /** The RL update on the GPU: one command stream and one readback per update (DeviceRlStep). */
  readonly deviceRl: DeviceRlStep = {
    rolloutForward: (batch, reference, read) => this.rolloutForward(batch, reference, read),
    update: (req) => this.rlUpdate(req),
  };

  private readonly aligned: GpuParamLayout;
  private readonly m: GPUBuffer; // AdamW first moment, same layout
  private readonly v: GPUBuffer; // AdamW second moment, same layout
  private readonly decayBits: GPUBuffer; // (⌈n/32⌉) bit set where AdamW decays
  private readonly stats: GPUBuffer; // (2) [grad norm, clip scale]
  private readonly partials: GPUBuffer; // (GRADNORM_PARTIALS)
  private t = 0; // AdamW steps taken
  private activations: Activations | null = null;
  private last: { B: number; T: number } | null = null; // shape of the last forward, whose activations are kept
  private pending: Recorder | null = null;
  private disposed = false;
  private readonly owned: GPUBuffer[] = []; // params, grads, moments, stats: destroyed by dispose()
  private staged: GPUBuffer[] = []; // upload sources of the pending submission
  /** The rollout batch's log-probs and entropies (B,T) kept by rolloutForward for rlUpdate. */
  private kept: { B: number; T: number; ref: GPUBuffer; old: GPUBuffer; entropy: GPUBuffer } | null = null;

  private constructor(
    readonly rt: GpuRuntime,
    readonly config: GPTConfig,
    private readonly ownsRuntime: boolean,
  ) {
    validateConfig(config);
    this.aligned = new GpuParamLayout(config, rt.device.limits.minStorageBufferOffsetAlignment);
    this.layout = this.aligned.flat;
    const n = this.aligned.total;
    this.params = this.ownBuffer(n * F32);
    this.grads = this.ownBuffer(n * F32);
    this.m = this.ownBuffer(n * F32);
    this.v = this.ownBuffer(n * F32);
    this.stats = this.ownBuffer(2 * F32);
    this.partials = this.ownBuffer(GRADNORM_PARTIALS * F32);
    const bits = decayMaskBits(n, this.aligned.decayRanges());
    this.decayBits = this.ownBuffer(bits.byteLength);
    rt.write(this.decayBits, bits);
    this.weights = parameterBindings(config, (name) => this.aligned.binding(this.params, name));
    this.dweights = parameterBindings(config, (name) => this.aligned.binding(this.grads, name));
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
    await engine.setWeights(opts.weights ?? initialWeights(config, opts.seed ?? 0));
    return engine;
  }

  async logits(batch: TokenBatch): Promise<Float32Array> {
    validateTokenBatch(this.config, batch);
    const { B, T } = batch;
    const { acts: a } = this.ensureActivations(B, T);
    const rec = this.recorder();
    this.stage(rec, a.tokens, batch.tokens);
    this.recordForward(rec, B, T);
    this.last = null; // the activations are overwritten; a backward needs a forward first
    return this.readF32(a.logits, B * T * this.config.vocabSize);
  }

  async forward(batch: TokenBatch): Promise<PolicyOutput> {
    validateTokenBatch(this.config, batch);
    const { B, T } = batch;
    const { acts: a } = this.ensureActivations(B, T);
    const start = this.rt.dispatchCount;
    const rec = this.recorder();
    this.stage(rec, a.tokens, batch.tokens);
    this.stage(rec, a.targets, batch.targets);
    this.recordForward(rec, B, T);
    logprobEntropyForward(rec, a.logprobs, a.entropy, a.probs, a.logits, a.targets, B * T, this.config.vocabSize);
    this.dispatches.forward = this.rt.dispatchCount - start;
    this.last = { B, T };
    this.flush();
    const [logprobs, entropy] = await this.rt.read([
      { buffer: a.logprobs, count: B * T },
      { buffer: a.entropy, count: B * T },
    ]);
    return { logprobs: new Float32Array(logprobs), entropy: new Float32Array(entropy) };
  }

  async backward(dLogprobs: Float32Array, dEntropy: Float32Array): Promise<void> {
    if (!this.last || !this.activations) throw new Error('backward: call forward first (its activations are used)');
    const { B, T } = this.last;
    if (dLogprobs.length !== B * T || dEntropy.length !== B * T) {
      throw new Error(
        `backward: coefficients must be (B,T) = ${B * T} long, got ${dLogprobs.length}, ${dEntropy.length}`,
      );
    }
    const g = this.activations.grads;
    const start = this.rt.dispatchCount;
    const rec = this.recorder();
    this.stage(rec, g.dLogprobs, dLogprobs);
    this.stage(rec, g.dEntropy, dEntropy);
    this.recordBackward(rec, B, T);
    this.dispatches.backward = this.rt.dispatchCount - start;
  }

  zeroGrad(): void {
    this.recorder().clear(this.grads);
  }

  async step(opt: AdamWConfig): Promise<{ gradNorm: number }> {
    const start = this.rt.dispatchCount;
    this.recordStep(this.recorder(), opt);
    this.dispatches.step = this.rt.dispatchCount - start;
    const [norm] = await this.readF32(this.stats, 1);
    this.afterStep(norm);
    return { gradNorm: norm };
  }

  /** adamw.wgsl skips the update on a non-finite norm, so the step count stays as well. */
  private afterStep(norm: number): void {
    if (!Number.isFinite(norm)) this.t--;
  }

  /** Clip by the global grad norm (into stats) and AdamW, recorded. */
  private recordStep(rec: Recorder, opt: AdamWConfig): void {
    this.t++;
    const n = this.aligned.total;
    gradNorm(rec, this.stats, this.partials, this.grads, n, opt.clip);
    const { lr, beta1, beta2, eps, weightDecay } = opt;
    const s = { lr, beta1, beta2, eps, weightDecay, t: this.t };
    adamwUpdate(rec, this.params, this.m, this.v, this.grads, this.decayBits, this.stats, n, s);
  }

  generate(req: GenerateRequest): Promise<GenerateResult> {
    this.flush();
    return generate(this, req);
  }

  /** The elementwise policy loss on the GPU (kernels/policy_loss.ts): one submission, one readback. */
  async tokenPolicyLoss(batch: TokenLossBatch): Promise<TokenLossTerms> {
    const { N } = batch;
    for (const k of TOKEN_LOSS_INPUTS) {
      if (batch[k].length !== N) throw new Error(`tokenPolicyLoss: ${k} has ${batch[k].length} entries, N = ${N}`);
    }
    const rec = this.recorder();
    const temp: GPUBuffer[] = [];
    const buffer = (elements: number, data?: Float32Array) => {
      const b = this.rt.buffer(elements * F32);
      if (data) this.stage(rec, b, data);
      temp.push(b);
      return b;
    };
    const out = { dLogprobs: buffer(N), dEntropy: buffer(N), terms: buffer(N * 4) };
    const tokenIn = packTokenInputs(batch.advantages, batch.weights, batch.pgActive, batch.klCovSelected); // (N,4)
    const inp = {
      logprobs: buffer(N, batch.logprobs),
      oldLogprobs: buffer(N, batch.oldLogprobs),
      refLogprobs: buffer(N, batch.refLogprobs),
      entropy: buffer(N, batch.entropy),
      tokenIn: buffer(N * 4, tokenIn),
    };
    policyLossForward(rec, out, inp, N, batch.params);
    this.flush();
    const [dLogprobs, dEntropy, terms] = (
      await this.rt.read([
        { buffer: out.dLogprobs, count: N },
        { buffer: out.dEntropy, count: N },
        { buffer: out.terms, count: N * 4 },
      ])
    ).map((b) => new Float32Array(b));
    for (const b of temp) this.rt.release(b);
    const result: TokenLossTerms = {
      dLogprobs,
      dEntropy,
      loss: new Float32Array(N),
      pg: new Float32Array(N),
      kl: new Float32Array(N),
      clipped: new Uint8Array(N),
    };
    for (let i = 0; i < N; i++) {
      result.loss[i] = terms[i * 4];
      result.pg[i] = terms[i * 4 + 1];
      result.kl[i] = terms[i * 4 + 2];
      result.clipped[i] = terms[i * 4 + 3];
    }
    return result;
  }

  /** cov_t on the GPU (kernels/covariance.ts): one submission, one readback. */
  async tokenCovariance(logprobs: Float32Array, advantages: Float32Array, mask: Uint8Array): Promise<Float32Array> {
    const N = mask.length;
    if (logprobs.length !== N || advantages.length !== N) {
      throw new Error(
        `tokenCovariance: logprobs, advantages, mask have ${logprobs.length}, ${advantages.length}, ${N}`,
      );
    }
    const rec = this.recorder();
    const temp = [logprobs, advantages, Uint32Array.from(mask)].map((data) => {
      const b = this.rt.buffer(N * F32);
      this.stage(rec, b, data);
      return b;
    });
    const cov = this.rt.buffer(N * F32); // (N)
    covarianceForward(rec, cov, temp[0], temp[1], temp[2], N);
    const out = await this.readF32(cov, N);
    for (const b of [...temp, cov]) this.rt.release(b);
    return out;
  }

  takeKernelTimeMs(): number | null {
    return this.rt.takeKernelTimeMs();
  }

  // ---- the RL update on the device (DeviceRlStep) ----

  /**
   * The reference forward and the policy forward of the rollout batch in one command stream. A reference
   * engine on the same device lends its weights to this engine's kernels; any other reference forwards
   * on its own and its log-probs are uploaded.
   */
  private async rolloutForward(batch: TokenBatch, reference: Engine, read: boolean): Promise<RolloutLogprobs | null> {
    validateTokenBatch(this.config, batch);
    const { B, T } = batch;
    const N = B * T;
    const refGpu = reference instanceof WebGpuEngine && reference.sharesShapesAndDevice(this) ? reference : null;
    const refHost = refGpu ? null : (await reference.forward(batch)).logprobs;
    const { acts: a } = this.ensureActivations(B, T);
    this.releaseKept();
    const kept = { B, T, ref: this.rt.buffer(N * F32), old: this.rt.buffer(N * F32), entropy: this.rt.buffer(N * F32) };
    this.kept = kept;
    const start = this.rt.dispatchCount;
    const rec = this.recorder();
    this.stage(rec, a.tokens, batch.tokens);
    this.stage(rec, a.targets, batch.targets);
    const V = this.config.vocabSize;
    if (refHost) this.stage(rec, kept.ref, refHost);
    if (refGpu) {
      refGpu.flush(); // its weights' uploads go first
      this.recordForward(rec, B, T, refGpu.weights);
      logprobEntropyForward(rec, a.logprobs, a.entropy, a.probs, a.logits, a.targets, N, V);
      rec.copy(a.logprobs, 0, kept.ref, 0, N * F32);
    }
    this.recordForward(rec, B, T);
    logprobEntropyForward(rec, a.logprobs, a.entropy, a.probs, a.logits, a.targets, N, V);
    rec.copy(a.logprobs, 0, kept.old, 0, N * F32);
    rec.copy(a.entropy, 0, kept.entropy, 0, N * F32);
    this.dispatches.rolloutForward = this.rt.dispatchCount - start;
    this.last = { B, T };
    if (!read) return null;
    this.flush();
    return this.readKept(await this.rt.read(this.keptItems()));
  }

  /**
   * One update: forward (unless reused), cov_t, the token selection, the elementwise loss written
   * straight into the backward's dL/dlogπ and dL/dH, the loss sums, zero grads, backward, clip, AdamW;
   * then one readback of the sums and the grad norm (and the kept rollout log-probs when asked).
   */
  private async rlUpdate(req: DeviceUpdateRequest): Promise<DeviceUpdateResult> {
    const kept = this.kept;
    if (!kept) throw new Error('deviceRl.update: call deviceRl.rolloutForward first');
    const { batch, rows } = req;
    const { B, T } = batch;
    const N = B * T;
    if (T !== kept.T || (rows ? rows.length : kept.B) !== B || (rows && rows.some((r) => r < 0 || r >= kept.B))) {
      throw new Error(`deviceRl.update: a (${B},${T}) batch is not rows of the kept (${kept.B},${kept.T}) batch`);
    }
    for (const k of ['advantages', 'mask', 'weights'] as const) {
      if (req[k].length !== N) throw new Error(`deviceRl.update: ${k} has ${req[k].length} entries, N = ${N}`);
    }
    const start = this.rt.dispatchCount;
    if (req.reuseForward) {
      if (!this.last || this.last.B !== B || this.last.T !== T) {
        throw new Error('deviceRl.update: reuseForward needs the last forward to be on this batch');
      }
    } else {
      validateTokenBatch(this.config, batch);
      const { acts: a } = this.ensureActivations(B, T);
      const rec = this.recorder();
      this.stage(rec, a.tokens, batch.tokens);
      this.stage(rec, a.targets, batch.targets);
      this.recordForward(rec, B, T);
      logprobEntropyForward(rec, a.logprobs, a.entropy, a.probs, a.logits, a.targets, N, this.config.vocabSize);
      this.last = { B, T };
    }
    const { acts: a, grads: g } = this.activations!;
    const rec = this.recorder();
    const temp: GPUBuffer[] = [];
    const buffer = (elements: number, data?: Float32Array | Uint32Array) => {
      const b = this.rt.buffer(elements * F32);
      if (data) this.stage(rec, b, data);
      temp.push(b);
      return b;
    };
    let old = kept.old;
    let ref = kept.ref;
    if (rows) {
      old = buffer(N);
      ref = buffer(N);
      rows.forEach((r, j) => {
        rec.copy(kept.old, r * T * F32, old, j * T * F32, T * F32);
        rec.copy(kept.ref, r * T * F32, ref, j * T * F32, T * F32);
      });
    }
    // pgActive 1 and klCovSelected 0 on every loss token until the selection below says otherwise.
    const packed = packTokenInputs(req.advantages, req.weights, req.mask, new Uint8Array(N));
    const tokenIn = buffer(N * 4, packed);
    const advantages = buffer(N, req.advantages);
    const mask = buffer(N, Uint32Array.from(req.mask));
    const cov = buffer(N);
    const terms = buffer(N * 4);
    const sums = buffer(POLICY_LOSS_SUMS);
    covarianceForward(rec, cov, a.logprobs, advantages, mask, N);
    const selection = { tokenIn, entropy: a.entropy, cov, mask, logprobs: a.logprobs, oldLogprobs: old };
    const candidates = req.selection.clipCov ? buffer(N) : null;
    tokenSelect(rec, { ...selection, candidates }, N, req.selection, req.params);
    const inp = { logprobs: a.logprobs, oldLogprobs: old, refLogprobs: ref, entropy: a.entropy, tokenIn };
    policyLossForward(rec, { dLogprobs: g.dLogprobs, dEntropy: g.dEntropy, terms }, inp, N, req.params);
    policyLossReduce(rec, sums, terms, tokenIn, cov, mask, N);
    rec.clear(this.grads);
    this.recordBackward(rec, B, T);
    this.recordStep(rec, req.opt);
    this.dispatches.update = this.rt.dispatchCount - start;
    this.flush();
    const items = [
      { buffer: sums, count: POLICY_LOSS_SUMS },
      { buffer: this.stats, count: 1 },
    ];
    const out = await this.rt.read(req.readRollout ? [...items, ...this.keptItems()] : items);
    for (const b of temp) this.rt.release(b);
    const s = new Float32Array(out[0]);
    const gradNorm = new Float32Array(out[1])[0];
    this.afterStep(gradNorm);
    return {
      sums: { loss: s[0], pgLoss: s[1], kl: s[2], cov: s[3], low: s[4], high: s[5], n: s[6] },
      gradNorm,
      rollout: req.readRollout ? this.readKept(out.slice(2)) : null,
    };
  }

  /** Whether `other`'s kernels can bind this engine's weights: same device, same model shape. */
  private sharesShapesAndDevice(other: WebGpuEngine): boolean {
    const [a, b] = [this.config, other.config];
    const same = (['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd'] as const).every((k) => a[k] === b[k]);
    return same && this.rt.device === other.rt.device && this.aligned.total === other.aligned.total;
  }

  private keptItems(): { buffer: GPUBuffer; count: number }[] {
    const k = this.kept!;
    const count = k.B * k.T;
    return [k.ref, k.old, k.entropy].map((buffer) => ({ buffer, count }));
  }

  private readKept([ref, old, entropy]: ArrayBuffer[]): RolloutLogprobs {
    return { ref: new Float32Array(ref), old: { logprobs: new Float32Array(old), entropy: new Float32Array(entropy) } };
  }

  private releaseKept(): void {
    if (!this.kept) return;
    this.flush(); // recorded work may still read them
    for (const b of [this.kept.ref, this.kept.old, this.kept.entropy]) this.rt.release(b);
    this.kept = null;
  }

  async getWeights(): Promise<Map<string, Float32Array>> {
    return this.aligned.unpack(await this.readF32(this.params, this.aligned.total));
  }

  async setWeights(weights: Map<string, Float32Array>): Promise<void> {
    validateWeights(this.config, weights);
    this.flush();
    this.rt.write(this.params, this.aligned.pack(weights, 'setWeights'));
  }

  async getGrads(): Promise<Map<string, Float32Array>> {
    return this.aligned.unpack(await this.readF32(this.grads, this.aligned.total));
  }

  async getOptimizerState(): Promise<OptimizerState> {
    this.flush();
    const [m, v] = await this.rt.read([
      { buffer: this.m, count: this.aligned.total },
      { buffer: this.v, count: this.aligned.total },
    ]);
    const flat = (b: ArrayBuffer) => this.aligned.toFlat(new Float32Array(b));
    return { m: flat(m), v: flat(v), t: this.t };
  }

  async setOptimizerState(s: OptimizerState): Promise<void> {
    validateOptimizerState(this.config, s);
    this.flush();
    this.rt.write(this.m, this.aligned.fromFlat(s.m));
    this.rt.write(this.v, this.aligned.fromFlat(s.v));
    this.t = s.t;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.flush();
    this.activations?.destroy();
    this.activations = null;
    if (this.kept) for (const b of [this.kept.ref, this.kept.old, this.kept.entropy]) b.destroy();
    this.kept = null;
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
    if (this.ownsRuntime) this.rt.destroy();
  }

  // ---- forward and backward: src/models/cpu/model.ts forwardToLogits / backward, kernel by kernel ----

  /** Embedding → blocks → ln_f → logits (B,T,V) into the activations, under weights `w` (this engine's by default). */
  private recordForward(rec: Recorder, B: number, T: number, w: ParameterBindings = this.weights): void {
    const { nEmbd: C, nHead: NH, vocabSize: V, nLayer: L } = this.config;
    const BT = B * T;
    const a = this.activations!.acts;
    encoderForward(rec, a.encoded, a.tokens, w.wte, w.wpe, B, T, C, V);
    for (let l = 0; l < L; l++) {
      const residual = l === 0 ? a.encoded : a.layers[l - 1].residual3; // (BT,C)
      const p = w.h[l];
      const x = a.layers[l];
      layernormForward(rec, x.ln1, x.ln1Mean, x.ln1Rstd, residual, p.ln1w, p.ln1b, BT, C);
      matmulForward(rec, x.qkv, x.ln1, p.qkvw, p.qkvb, BT, C, 3 * C);
      attentionForward(rec, x.atty, x.att, x.qkv, B, T, C, NH); // the scores stay in att (no preatt)
      matmulForward(rec, a.attproj, x.atty, p.attprojw, p.attprojb, BT, C, C);
      residualForward(rec, x.residual2, residual, a.attproj, BT * C);
      layernormForward(rec, x.ln2, x.ln2Mean, x.ln2Rstd, x.residual2, p.ln2w, p.ln2b, BT, C);
      matmulForward(rec, x.fch, x.ln2, p.fcw, p.fcb, BT, C, 4 * C);
      geluForward(rec, x.fchGelu, x.fch, BT * 4 * C);
      matmulForward(rec, a.fcproj, x.fchGelu, p.fcprojw, p.fcprojb, BT, 4 * C, C);
      residualForward(rec, x.residual3, x.residual2, a.fcproj, BT * C);
    }
    const last = L === 0 ? a.encoded : a.layers[L - 1].residual3;
    layernormForward(rec, a.lnf, a.lnfMean, a.lnfRstd, last, w.lnfw, w.lnfb, BT, C);
    lmHeadForward(rec, a.logits, a.lnf, w.wte, BT, C, V);
  }

  /**
   * Accumulates into grads the gradient of L from dLogprobs, dEntropy (B,T). Where the CPU keeps
   * dresidualOut / dresidualIn / dresidual2 and runs residualBackward, one buffer dres holds the
   * residual stream's gradient: the branches' layernorm backwards add into it.
   */
  private recordBackward(rec: Recorder, B: number, T: number): void {
    const { nEmbd: C, nHead: NH, vocabSize: V, nLayer: L } = this.config;
    const BT = B * T;
    const { acts: a, grads: g } = this.activations!;
    const w = this.weights;
    const dw = this.dweights;

    logprobEntropyBackward(rec, g.dlogits, a.probs, a.targets, g.dLogprobs, g.dEntropy, BT, V);
    lmHeadBackward(rec, g.dln, dw.wte, g.dlogits, a.lnf, w.wte, BT, C, V); // g.dln is dlnf here (overwritten)
    const last = L === 0 ? a.encoded : a.layers[L - 1].residual3;
    // dres starts here (overwritten, the CPU's dresidualOut.fill(0) + layernormBackward)
    layernormBackward(rec, g.dres, dw.lnfw, dw.lnfb, g.dln, last, w.lnfw, a.lnfMean, a.lnfRstd, BT, C, false);

    for (let l = L - 1; l >= 0; l--) {
      const residual = l === 0 ? a.encoded : a.layers[l - 1].residual3; // (BT,C) the block's input
      const p = w.h[l];
      const dp = dw.h[l];
      const x = a.layers[l];
      // in the forward: residual3 = residual2 + fcproj, so dres is also dfcproj
      // fcproj = fchGelu · fcprojw + fcprojb
      matmulBackward(rec, g.dfchGelu, dp.fcprojw, dp.fcprojb, g.dres, x.fchGelu, p.fcprojw, BT, 4 * C, C);
      // fchGelu = gelu(fch)
      geluBackward(rec, g.dfch, x.fch, g.dfchGelu, BT * 4 * C, false);
      // fch = ln2 · fcw + fcb
      matmulBackward(rec, g.dln, dp.fcw, dp.fcb, g.dfch, x.ln2, p.fcw, BT, C, 4 * C);
      // ln2 = layernorm(residual2); adding into dres makes it dresidual2
      layernormBackward(rec, g.dres, dp.ln2w, dp.ln2b, g.dln, x.residual2, p.ln2w, x.ln2Mean, x.ln2Rstd, BT, C);
      // residual2 = residual + attproj, so dres is also dattproj
      // attproj = atty · attprojw + attprojb
      matmulBackward(rec, g.datty, dp.attprojw, dp.attprojb, g.dres, x.atty, p.attprojw, BT, C, C);
      // atty = attention(qkv)
      attentionBackward(rec, g.dqkv, g.dpreatt, g.datty, x.qkv, x.att, B, T, C, NH);
      // qkv = ln1 · qkvw + qkvb
      matmulBackward(rec, g.dln, dp.qkvw, dp.qkvb, g.dqkv, x.ln1, p.qkvw, BT, C, 3 * C);
      // ln1 = layernorm(residual); adding into dres makes it the gradient of the block's input
      layernormBackward(rec, g.dres, dp.ln1w, dp.ln1b, g.dln, residual, p.ln1w, x.ln1Mean, x.ln1Rstd, BT, C);
    }
    // encoded = wte[tokens] + wpe
    encoderBackward(rec, dw.wte, dw.wpe, g.dres, a.tokens, B, T, C, V);
  }

  // ---- buffers, recording and transfers ----

  private ownBuffer(bytes: number): GPUBuffer {
    const b = this.rt.device.createBuffer({
      size: Math.max(16, Math.ceil(bytes / 16) * 16),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    this.owned.push(b);
    return b;
  }

  /** Activations for (B,T): the current ones while the batch fits them, else a larger set. */
  private ensureActivations(B: number, T: number): Activations {
    if (this.activations?.fits(B, T)) return this.activations;
    this.flush(); // recorded work may still reference the old buffers
    this.activations?.destroy();
    this.activations = new Activations(this.rt.device, this.config, B * T, B * T * T);
    this.last = null;
    return this.activations;
  }

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
  private stage(rec: Recorder, dst: GPUBuffer, data: Int32Array | Uint32Array | Float32Array): void {
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
}
