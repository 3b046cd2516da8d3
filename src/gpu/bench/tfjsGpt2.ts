// The bench's baseline: the same GPT-2 (docs/DESIGN.md §3) written with TF.js ops and autodiff, run on
// TF.js's WebGPU backend. Not used by the app; weights come from the same flat layout as our engines.
import * as tf from '@tensorflow/tfjs';
import type { GPTConfig } from '../../models/config';
import { paramLayout } from '../../models/params';

type Weights = Map<string, tf.Variable>;

export class TfjsGpt2 {
  readonly w: Weights = new Map();
  private readonly opt: tf.Optimizer;

  constructor(
    readonly cfg: GPTConfig,
    flat: Float32Array, // laid out by paramLayout(cfg)
    lr = 1e-3,
    scope = '', // prefixes the TF.js variable names, which must be unique while two models live
    // 'one-hot': the token embedding as a one-hot matmul, for backends without gather's gradient
    // (UnsortedSegmentSum is missing from TF.js's wasm backend)
    private readonly embedding: 'gather' | 'one-hot' = 'gather',
  ) {
    for (const t of paramLayout(cfg).tensors) {
      const init = tf.tensor(flat.subarray(t.offset, t.offset + t.size), t.shape);
      this.w.set(t.name, tf.variable(init, true, scope + t.name));
    }
    this.opt = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  }

  private p(name: string): tf.Tensor {
    const v = this.w.get(name);
    if (!v) throw new Error(`no tensor ${name}`);
    return v;
  }

  private layernorm(x: tf.Tensor, prefix: string): tf.Tensor {
    const { mean, variance } = tf.moments(x, -1, true);
    return x
      .sub(mean)
      .mul(tf.rsqrt(variance.add(1e-5)))
      .mul(this.p(`${prefix}.weight`))
      .add(this.p(`${prefix}.bias`));
  }

  private linear(x: tf.Tensor2D, prefix: string): tf.Tensor2D {
    return tf.matMul(x, this.p(`${prefix}.weight`) as tf.Tensor2D).add(this.p(`${prefix}.bias`));
  }

  private static gelu(x: tf.Tensor): tf.Tensor {
    const inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(0.5).mul(tf.tanh(inner).add(1));
  }

  /**
   * One block on n new positions per row: x (B,n,C); cache k,v (B,NH,P,hs) of the P earlier positions
   * (null = none). Returns the new x and the caches extended by the n positions.
   */
  private block(
    x: tf.Tensor3D,
    i: number,
    past: { k: tf.Tensor4D; v: tf.Tensor4D } | null,
  ): { x: tf.Tensor3D; k: tf.Tensor4D; v: tf.Tensor4D } {
    const [B, n, C] = x.shape;
    const NH = this.cfg.nHead;
    const hs = C / NH;
    const h = `transformer.h.${i}`;
    const qkv = this.linear(this.layernorm(x, `${h}.ln_1`).reshape([B * n, C]), `${h}.attn.c_attn`);
    const heads = (j: number) =>
      qkv
        .slice([0, j * C], [B * n, C])
        .reshape([B, n, NH, hs])
        .transpose([0, 2, 1, 3]) as tf.Tensor4D; // (B,NH,n,hs)
    const q = heads(0);
    const k = past ? (tf.concat([past.k, heads(1)], 2) as tf.Tensor4D) : heads(1);
    const v = past ? (tf.concat([past.v, heads(2)], 2) as tf.Tensor4D) : heads(2);
    const P = k.shape[2] - n;
    // Causal mask over (n queries at positions P..P+n-1) × (P+n keys).
    const allowed = tf.linalg.bandPart(tf.ones([n, P + n]), -1, P);
    const att = tf.softmax(
      tf
        .matMul(q, k, false, true)
        .mul(1 / Math.sqrt(hs))
        .add(allowed.sub(1).mul(1e9)),
    );
    const y = tf
      .matMul(att, v)
      .transpose([0, 2, 1, 3])
      .reshape([B * n, C]) as tf.Tensor2D;
    let out = x.add(this.linear(y, `${h}.attn.c_proj`).reshape([B, n, C]));
    const f = TfjsGpt2.gelu(this.linear(this.layernorm(out, `${h}.ln_2`).reshape([B * n, C]), `${h}.mlp.c_fc`));
    out = out.add(this.linear(f as tf.Tensor2D, `${h}.mlp.c_proj`).reshape([B, n, C]));
    return { x: out as tf.Tensor3D, k, v };
  }

  /** logits (B·n, V) of n new positions starting at `start`, extending `cache` (one entry per layer) in place. */
  private forward(tokens: tf.Tensor2D, start: number, cache: { k: tf.Tensor4D; v: tf.Tensor4D }[] | null): tf.Tensor2D {
    const [B, n] = tokens.shape;
    const C = this.cfg.nEmbd;
    const wte = this.p('transformer.wte.weight') as tf.Tensor2D;
    const flatTokens = tokens.reshape([B * n]) as tf.Tensor1D;
    const embedded =
      this.embedding === 'gather' ? tf.gather(wte, flatTokens) : tf.oneHot(flatTokens, wte.shape[0]).matMul(wte);
    let x = embedded.reshape([B, n, C]).add(this.p('transformer.wpe.weight').slice([start, 0], [n, C])) as tf.Tensor3D;
    for (let i = 0; i < this.cfg.nLayer; i++) {
      const r = this.block(x, i, cache && cache[i] ? cache[i] : null);
      x = r.x;
      if (cache) cache[i] = { k: r.k, v: r.v };
    }
    return tf.matMul(this.layernorm(x, 'transformer.ln_f').reshape([B * n, C]) as tf.Tensor2D, wte, false, true);
  }

  /** One SFT step: mean −log p over targets ≠ -1, autodiff, global-norm clip, Adam. Resolves once the GPU is done. */
  async sftStep(tokens: Int32Array, targets: Int32Array, B: number, T: number, clip = 1): Promise<number> {
    const V = this.cfg.vocabSize;
    const loss = tf.tidy(() => {
      const tok = tf.tensor2d(tokens, [B, T], 'int32');
      const valid = tf.tensor1d(targets, 'int32').greaterEqual(0).cast('float32');
      const tgt = tf.tensor1d(
        targets.map((t) => Math.max(t, 0)),
        'int32',
      ); // -1 → 0, masked by `valid`
      const n = tf.maximum(valid.sum(), 1);
      const { value, grads } = tf.variableGrads(() => {
        const logp = tf.logSoftmax(this.forward(tok, 0, null));
        const picked = logp.mul(tf.oneHot(tgt, V)).sum(-1);
        return picked.mul(valid).sum().neg().div(n) as tf.Scalar;
      });
      const names = Object.keys(grads);
      // Pairwise adds: tf.addN over every tensor exceeds the storage-buffer limit of some adapters.
      const norm = tf.sqrt(names.map((k) => grads[k].square().sum()).reduce((acc, x) => acc.add(x)));
      const scale = tf.minimum(1, tf.div(clip, norm.add(1e-6)));
      const clipped: tf.NamedTensorMap = {};
      for (const k of names) clipped[k] = grads[k].mul(scale);
      this.opt.applyGradients(clipped);
      return value;
    });
    const v = (await loss.data())[0];
    loss.dispose();
    return v;
  }

  /** log p(target) (B·T) and the entropy (B·T) of every position's next-token distribution. */
  private tokenLogprobs(tok: tf.Tensor2D, tgt: tf.Tensor1D): { logp: tf.Tensor1D; entropy: tf.Tensor1D } {
    const logp = tf.logSoftmax(this.forward(tok, 0, null));
    return {
      logp: logp.mul(tf.oneHot(tgt, this.cfg.vocabSize)).sum(-1) as tf.Tensor1D,
      entropy: logp.exp().mul(logp).sum(-1).neg() as tf.Tensor1D,
    };
  }

  /**
   * One GRPO step as the trainer's common case runs it: generate L tokens after each row's prompt, the
   * rows' log-probs under `ref` and under these weights (the rollout policy), then the clipped surrogate
   * (ε 0.2 / 0.28) + β·k3 KL − α·H averaged over completion tokens (token-mean), autodiff, global-norm
   * clip, Adam; returns [loss, grad norm], read back together. `advantages` (B) are the rows' A.
   */
  async grpoStep(
    ref: TfjsGpt2,
    prompt: Int32Array,
    B: number,
    P: number,
    L: number,
    advantages: Float32Array,
    seed: number,
  ): Promise<Float32Array> {
    const completions = await this.generate(prompt, B, P, L, 1, seed); // (B,L)
    const T = P + L - 1;
    const tokens = new Int32Array(B * T); // (B,T) prompt, completion[:-1]
    const targets = new Int32Array(B * T).fill(-1); // (B,T) the completion, from position P−1
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < P; t++) tokens[b * T + t] = prompt[b * P + t];
      for (let j = 0; j < L; j++) {
        if (j < L - 1) tokens[b * T + P + j] = completions[b * L + j];
        targets[b * T + P - 1 + j] = completions[b * L + j];
      }
    }
    const [epsLow, epsHigh, beta, alpha, clip] = [0.2, 0.28, 0.05, 0.01, 1];
    const out = tf.tidy(() => {
      const tok = tf.tensor2d(tokens, [B, T], 'int32');
      const mask = tf.tensor1d(targets, 'int32').greaterEqual(0).cast('float32');
      const tgt = tf.tensor1d(
        targets.map((t) => Math.max(t, 0)),
        'int32',
      );
      const adv = tf
        .tensor1d(advantages)
        .reshape([B, 1])
        .tile([1, T])
        .reshape([B * T]);
      const refLogp = ref.tokenLogprobs(tok, tgt).logp;
      const oldLogp = this.tokenLogprobs(tok, tgt).logp;
      const n = tf.maximum(mask.sum(), 1);
      const { value, grads } = tf.variableGrads(() => {
        const cur = this.tokenLogprobs(tok, tgt);
        const ratio = cur.logp.sub(oldLogp).exp();
        const pg = tf.maximum(adv.neg().mul(ratio), adv.neg().mul(ratio.clipByValue(1 - epsLow, 1 + epsHigh)));
        const d = refLogp.sub(cur.logp);
        const kl = d.exp().sub(d).sub(1);
        const perToken = pg.add(kl.mul(beta)).sub(cur.entropy.mul(alpha));
        return perToken.mul(mask).sum().div(n) as tf.Scalar;
      });
      const names = Object.keys(grads);
      const norm = tf.sqrt(names.map((k) => grads[k].square().sum()).reduce((acc, x) => acc.add(x)));
      const scale = tf.minimum(1, tf.div(clip, norm.add(1e-6)));
      const clipped: tf.NamedTensorMap = {};
      for (const k of names) clipped[k] = grads[k].mul(scale);
      this.opt.applyGradients(clipped);
      return tf.stack([value, norm]);
    });
    const v = (await out.data()) as Float32Array;
    out.dispose();
    return v;
  }

  /**
   * Batched generation with a KV cache (concatenated per step): prefill of the prompt (B,P), then
   * one incremental forward per new token; multinomial sampling at temperature τ (argmax at 0).
   * Returns the new tokens (B, maxNewTokens), read back once at the end.
   */
  async generate(
    prompt: Int32Array,
    B: number,
    P: number,
    maxNewTokens: number,
    temperature: number,
    seed: number,
  ): Promise<Int32Array> {
    tf.engine().startScope(); // every intermediate (caches included) is freed at endScope
    const cache: { k: tf.Tensor4D; v: tf.Tensor4D }[] = [];
    let logits = this.forward(tf.tensor2d(prompt, [B, P], 'int32'), 0, cache);
    const V = this.cfg.vocabSize;
    const out: tf.Tensor[] = [];
    for (let s = 0; s < maxNewTokens; s++) {
      const last = logits
        .reshape([B, -1, V])
        .slice([0, logits.shape[0] / B - 1, 0], [B, 1, V])
        .reshape([B, V]) as tf.Tensor2D;
      const next =
        temperature === 0
          ? tf.argMax(last, -1).cast('int32')
          : tf.multinomial(last.div(temperature) as tf.Tensor2D, 1, seed + s).reshape([B]);
      out.push(next);
      if (s + 1 < maxNewTokens) logits = this.forward(next.reshape([B, 1]) as tf.Tensor2D, P + s, cache);
    }
    const tokens = tf.stack(out, 1);
    const data = (await tokens.data()) as Int32Array;
    tf.engine().endScope();
    return data;
  }

  dispose(): void {
    for (const v of this.w.values()) v.dispose();
    this.opt.dispose();
  }
}
