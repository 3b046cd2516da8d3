// CpuEngine: the Engine contract (src/models/engine.ts) on the float32 CPU model (model.ts). The
// readable reference the WebGPU engine is held to, and the fallback where WebGPU is missing. The
// interface is async; everything here is computed synchronously inside.
//
// Generation: rows step through absolute positions together, one incremental forward per position
// with a KV cache (GPT.decode). Row r feeds its prompt token while pos < its prompt length, and
// samples the token at pos+1 after that (sampleToken, u = uniformAt(seed, r, pos+1)); it stops at
// <eos>, after maxNewTokens, or when the sequence fills blockSize.

import { validateConfig, type GPTConfig } from '../config';
import type {
  AdamWConfig,
  Engine,
  GenerateRequest,
  GenerateResult,
  OptimizerState,
  PolicyOutput,
  TokenBatch,
} from '../engine';
import { initialWeights } from '../init';
import { tensorViews } from '../params';
import { uniformAt } from '../rng';
import { validateGenerateRequest, validateOptimizerState, validateWeights } from '../validate';
import { GPT } from './model';
import { threadPool } from './parallel';
import { sampleToken } from './sampling';
import { sharedFloat32 } from './threads';

/** `new SharedFloat32(n)`: a Float32Array over shared memory (a constructor that returns its array). */
const SharedFloat32 = function (n: number) {
  return sharedFloat32(n);
} as unknown as Float32ArrayConstructor;

export interface CpuEngineOptions {
  seed?: number; // nanoGPT init seed (default 0), used when no weights are given
  weights?: Map<string, Float32Array>; // HF names and sizes, as getWeights returns them
}

export class CpuEngine implements Engine {
  readonly backend = 'cpu' as const;
  readonly config: GPTConfig;
  private readonly model: GPT<Float32Array>;

  constructor(config: GPTConfig, opts: CpuEngineOptions = {}) {
    this.config = validateConfig({ ...config });
    // With a thread pool installed the model lives in shared memory, so the pool's workers can
    // work on its tensors in place (threads.ts).
    this.model = new GPT(this.config, threadPool() ? SharedFloat32 : Float32Array);
    this.loadWeights(opts.weights ?? initialWeights(this.config, opts.seed ?? 0));
  }

  async logits(batch: TokenBatch): Promise<Float32Array> {
    return this.model.logits(batch).slice();
  }

  async forward(batch: TokenBatch): Promise<PolicyOutput> {
    const { logprobs, entropy } = this.model.forward(batch);
    return { logprobs: logprobs.slice(), entropy: entropy.slice() };
  }

  async backward(dLogprobs: Float32Array, dEntropy: Float32Array): Promise<void> {
    this.model.backward(dLogprobs, dEntropy);
  }

  zeroGrad(): void {
    this.model.zeroGrad();
  }

  async step(opt: AdamWConfig): Promise<{ gradNorm: number }> {
    return { gradNorm: this.model.step(opt) };
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    validateGenerateRequest(this.config, req);
    const R = req.prompts.length;
    const { blockSize: Tmax, vocabSize: V } = this.config;
    const topK = req.topK ?? 0;
    const seqs = req.prompts.map((p) => {
      const s = new Int32Array(Tmax); // (Tmax) prompt, then sampled tokens
      s.set(p);
      return s;
    });
    const plen = req.prompts.map((p) => p.length);
    const len = plen.slice(); // tokens in each row so far
    const end = plen.map((l) => Math.min(l + req.maxNewTokens, Tmax)); // the most tokens a row may hold
    const done = new Array<boolean>(R).fill(false); // <eos> sampled
    const cache = this.model.newKVCache(R);
    const rows = new Int32Array(R); // (n) rows computed at this position
    const tokens = new Int32Array(R); // (n) their token at pos
    for (let pos = 0; pos < Tmax - 1; pos++) {
      // a row needs position pos while the token at pos+1 is still to come
      let n = 0;
      for (let r = 0; r < R; r++) {
        if (done[r] || pos + 1 >= end[r]) continue;
        rows[n] = r;
        tokens[n] = seqs[r][pos];
        n++;
      }
      if (n === 0) break;
      const logits = this.model.decode(cache, rows, tokens, n, pos); // (n,V)
      for (let i = 0; i < n; i++) {
        const r = rows[i];
        if (pos + 1 < plen[r]) continue; // still reading the prompt
        const u = uniformAt(req.seed, r, pos + 1);
        const tok = sampleToken(logits, i * V, V, req.temperature, topK, u);
        seqs[r][pos + 1] = tok;
        len[r] = pos + 2;
        if (tok === req.eosId) done[r] = true;
      }
    }
    return {
      completions: seqs.map((s, r) => s.slice(plen[r], len[r])),
      truncated: done.map((d) => !d),
    };
  }

  async getWeights(): Promise<Map<string, Float32Array>> {
    return copyViews(tensorViews(this.model.layout, this.model.params));
  }

  async setWeights(weights: Map<string, Float32Array>): Promise<void> {
    this.loadWeights(weights);
  }

  async getGrads(): Promise<Map<string, Float32Array>> {
    return copyViews(tensorViews(this.model.layout, this.model.grads));
  }

  async getOptimizerState(): Promise<OptimizerState> {
    return { m: this.model.m.slice(), v: this.model.v.slice(), t: this.model.t };
  }

  async setOptimizerState(s: OptimizerState): Promise<void> {
    validateOptimizerState(this.config, s);
    this.model.m.set(s.m);
    this.model.v.set(s.v);
    this.model.t = s.t;
  }

  dispose(): void {}

  private loadWeights(weights: Map<string, Float32Array>): void {
    validateWeights(this.config, weights);
    for (const t of this.model.layout.tensors) this.model.params.set(weights.get(t.name) as Float32Array, t.offset);
  }
}

function copyViews(views: Map<string, Float32Array>): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of views) out.set(name, v.slice());
  return out;
}
