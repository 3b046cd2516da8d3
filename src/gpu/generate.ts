// Batched generation on the GPU with a KV cache (docs/DESIGN.md §2): every decode step of the rollout is
// recorded up front into ONE submission, and the tokens come back in one mapAsync at the end.
//
// Rows with different prompt lengths: no padding. All rows step through the same absolute position
// `pos` together; at each step a row's input token is its prompt token while pos < promptLen, else the
// token it sampled at the previous step. So the prompt is prefilled one position per step through
// the same incremental forward (appending k, v to the cache), and a row with a shorter prompt simply
// starts sampling earlier. A step samples only once some row is past its prompt. Rows that sampled
// <eos>, or have maxNewTokens tokens, keep writing a filler (<eos>) that is ignored.
//
// One step per position: embedding of the token at pos → per layer ln_1 + qkv matmul → attention of
// the one query over the cache (appending this k, v) → proj + residual → ln_2 + fc + GELU → proj +
// residual (matmuls for few rows with the LayerNorm before and the next op after fused, decode.wgsl);
// then ln_f + logits (tied wte) → sample the token at pos + 1: 5 dispatches per layer and 3 per step.
// CPU reference: CpuEngine.generate (src/models/cpu/engine.ts) with sampleToken, GPT.decode
// (src/models/cpu/model.ts) for one position.
import type { GPTConfig } from '../models/config';
import type { GenerateRequest, GenerateResult } from '../models/engine';
import { validateGenerateRequest } from '../models/validate';
import { attentionDecode, encoderDecode, matmulDecode, type DecodeShape } from './kernels/decode';
import { sampleTokens } from './kernels/sample';
import type { ParameterBindings } from './params';
import type { GpuRuntime } from './runtime';

/** What generation needs from an engine: its runtime, config and weights. */
export interface GpuModel {
  rt: GpuRuntime;
  config: GPTConfig;
  weights: ParameterBindings;
}

export async function generate(model: GpuModel, req: GenerateRequest): Promise<GenerateResult> {
  const { rt, config: cfg, weights: w } = model;
  validateGenerateRequest(cfg, req);
  const rows = req.prompts.length;
  const Tmax = cfg.blockSize;
  const { nEmbd: C, nHead: NH, vocabSize: V, nLayer } = cfg;
  if (rows === 0) return { completions: [], truncated: [] };
  const plens = req.prompts.map((p) => p.length);
  const maxPlen = Math.max(...plens);
  const minPlen = Math.min(...plens);
  // The last position whose logits are needed: the longest prompt's last sample, within the context.
  const lastPos = Math.min(maxPlen + req.maxNewTokens - 2, Tmax - 2);

  const tokens = new Int32Array(rows * Tmax).fill(req.eosId); // (rows, Tmax) prompts, then samples
  req.prompts.forEach((p, r) => tokens.set(p.subarray(0, plens[r]), r * Tmax));
  const shape: DecodeShape = { rows, C, NH, Tmax };

  const f = 4; // bytes per f32
  const bufs = {
    tokens: rt.upload(tokens),
    promptLen: rt.upload(Uint32Array.from(plens)), // (rows)
    done: rt.upload(new Uint32Array(rows)), // (rows)
    x: rt.buffer(rows * C * f), // (rows, C) residual stream
    x2: rt.buffer(rows * C * f), // (rows, C) residual stream after attention
    qkv: rt.buffer(rows * 3 * C * f), // (rows, 3C)
    att: rt.buffer(rows * C * f), // (rows, C)
    fcGelu: rt.buffer(rows * 4 * C * f), // (rows, 4C)
    logits: rt.buffer(rows * V * f), // (rows, V)
  };
  const caches = Array.from({ length: nLayer }, () => ({
    k: rt.buffer(rows * Tmax * C * f), // (rows, NH, Tmax, C/NH)
    v: rt.buffer(rows * Tmax * C * f), // (rows, NH, Tmax, C/NH)
  }));

  const rec = rt.recorder();
  for (let pos = 0; pos <= lastPos; pos++) {
    encoderDecode(rec, bufs.x, bufs.tokens, w.wte, w.wpe, shape, pos);
    for (let l = 0; l < nLayer; l++) {
      const p = w.h[l];
      const { k, v } = caches[l];
      const ln1 = { w: p.ln1w, b: p.ln1b };
      matmulDecode(rec, bufs.qkv, bufs.x, p.qkvw, rows, 3 * C, C, 'bias', p.qkvb, null, false, ln1);
      attentionDecode(rec, bufs.att, k, v, bufs.qkv, shape, pos);
      matmulDecode(rec, bufs.x2, bufs.att, p.attprojw, rows, C, C, 'residual', p.attprojb, bufs.x);
      const ln2 = { w: p.ln2w, b: p.ln2b };
      matmulDecode(rec, bufs.fcGelu, bufs.x2, p.fcw, rows, 4 * C, C, 'gelu', p.fcb, null, false, ln2);
      matmulDecode(rec, bufs.x, bufs.fcGelu, p.fcprojw, rows, C, 4 * C, 'residual', p.fcprojb, bufs.x2);
    }
    if (pos + 1 < minPlen) continue; // every row is still inside its prompt: no logits needed
    const lnf = { w: w.lnfw, b: w.lnfb };
    matmulDecode(rec, bufs.logits, bufs.x, w.wte, rows, V, C, 'none', null, null, true, lnf); // tied LM head
    sampleTokens(rec, bufs.tokens, bufs.done, bufs.logits, bufs.promptLen, rows, V, Tmax, pos, {
      temperature: req.temperature,
      topK: req.topK ?? 0,
      seed: req.seed,
      eosId: req.eosId,
      padId: req.eosId,
      maxNewTokens: req.maxNewTokens,
    });
  }
  rec.submit();
  const out = await rt.readI32(bufs.tokens, rows * Tmax);
  for (const b of Object.values(bufs)) rt.release(b);
  for (const c of caches) (rt.release(c.k), rt.release(c.v));

  const completions: Int32Array[] = [];
  const truncated: boolean[] = [];
  for (let r = 0; r < rows; r++) {
    const end = Math.min(plens[r] + req.maxNewTokens, Tmax);
    const row = out.subarray(r * Tmax + plens[r], r * Tmax + end);
    const eos = row.indexOf(req.eosId);
    completions.push(Int32Array.from(eos >= 0 ? row.subarray(0, eos + 1) : row));
    truncated.push(eos < 0);
  }
  return { completions, truncated };
}
