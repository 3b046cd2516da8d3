// Batched generation on the GPU with a KV cache (docs/DESIGN.md §2): every decode step of the rollout is
// recorded up front into ONE submission, and the tokens come back in one mapAsync at the end.
//
// Rows with different prompt lengths: no padding. All rows step through the same absolute position
// `pos` together; at each step a row's input token is its prompt token while pos < promptLen, else the
// token it sampled at the previous step. So the prompt is prefilled one position per step through
// the same incremental forward (appending k, v to the cache), and a row with a shorter prompt simply
// starts sampling earlier. A step samples only once some row is past its prompt. Rows that sampled
// <eos>, or have maxNewTokens, keep writing a filler (<eos>) that is ignored.
//
// One step per position: embedding of the token at pos → per layer ln_1 → qkv matmul → attention of
// the one query over the cache (appending this k, v) → proj + residual → ln_2 → fc + GELU → proj +
// residual (matmuls for few rows with the next op fused, decode.wgsl); then ln_f → logits (tied wte)
// → sample the token at pos + 1.
// CPU reference: CpuEngine.generate (src/models/cpu/engine.ts) with sampleToken.
import type { GPTConfig } from '../models/config';
import type { GenerateRequest, GenerateResult } from '../models/engine';
import { attentionDecode, encoderDecode, matmulDecode, type DecodeShape } from './kernels/decode';
import { layernormForward } from './kernels/layernorm';
import { sampleTokens } from './kernels/sample';
import type { Binding, GpuRuntime } from './runtime';

/** What generation needs from an engine: its runtime, config and the GPU range of each weight (HF name). */
export interface GpuModel {
  rt: GpuRuntime;
  config: GPTConfig;
  paramBinding(name: string): Binding;
}

/** Dispatches of one decode step that samples: embedding + 7 per layer + ln_f, logits, sample. */
export const dispatchesPerStep = (nLayer: number): number => 1 + 7 * nLayer + 3;

export async function generate(model: GpuModel, req: GenerateRequest): Promise<GenerateResult> {
  const { rt, config: cfg } = model;
  const rows = req.prompts.length;
  const Tmax = cfg.blockSize;
  const { nEmbd: C, nHead: NH, vocabSize: V, nLayer } = cfg;
  if (rows === 0) return { completions: [], truncated: [] };
  req.prompts.forEach((p, r) => {
    if (p.length < 1) throw new Error(`generate: prompt ${r} is empty (it must start with <bos>)`);
    if (p.length > Tmax) throw new Error(`generate: prompt ${r} has ${p.length} tokens, more than blockSize ${Tmax}`);
  });
  const plens = req.prompts.map((p) => p.length);
  const maxPlen = Math.max(...plens);
  const minPlen = Math.min(...plens);
  // The last position whose logits are needed: the longest prompt's last sample, within the context.
  const lastPos = Math.min(maxPlen + req.maxNewTokens - 2, Tmax - 2);

  const tokens = new Int32Array(rows * Tmax).fill(req.eosId); // (rows, Tmax) prompts, then samples
  req.prompts.forEach((p, r) => tokens.set(p.subarray(0, plens[r]), r * Tmax));
  const shape: DecodeShape = { rows, C, NH, Tmax };
  const w = (name: string) => model.paramBinding(name);

  const f = 4; // bytes per f32
  const bufs = {
    tokens: rt.upload(tokens),
    promptLen: rt.upload(Uint32Array.from(plens)), // (rows)
    done: rt.upload(new Uint32Array(rows)), // (rows)
    x: rt.buffer(rows * C * f), // (rows, C) residual stream
    x2: rt.buffer(rows * C * f), // (rows, C) residual stream after attention
    ln: rt.buffer(rows * C * f), // (rows, C)
    mean: rt.buffer(rows * f), // (rows) layernorm statistics, unused here
    rstd: rt.buffer(rows * f), // (rows)
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
    encoderDecode(rec, bufs.x, bufs.tokens, w('transformer.wte.weight'), w('transformer.wpe.weight'), shape, pos);
    for (let l = 0; l < nLayer; l++) {
      const h = `transformer.h.${l}`;
      layernormForward(rec, bufs.ln, bufs.mean, bufs.rstd, bufs.x, w(`${h}.ln_1.weight`), w(`${h}.ln_1.bias`), rows, C);
      matmulDecode(
        rec,
        bufs.qkv,
        bufs.ln,
        w(`${h}.attn.c_attn.weight`),
        rows,
        3 * C,
        C,
        'bias',
        w(`${h}.attn.c_attn.bias`),
      );
      attentionDecode(rec, bufs.att, caches[l].k, caches[l].v, bufs.qkv, shape, pos);
      const projB = w(`${h}.attn.c_proj.bias`);
      matmulDecode(rec, bufs.x2, bufs.att, w(`${h}.attn.c_proj.weight`), rows, C, C, 'residual', projB, bufs.x);
      layernormForward(
        rec,
        bufs.ln,
        bufs.mean,
        bufs.rstd,
        bufs.x2,
        w(`${h}.ln_2.weight`),
        w(`${h}.ln_2.bias`),
        rows,
        C,
      );
      matmulDecode(
        rec,
        bufs.fcGelu,
        bufs.ln,
        w(`${h}.mlp.c_fc.weight`),
        rows,
        4 * C,
        C,
        'gelu',
        w(`${h}.mlp.c_fc.bias`),
      );
      const fcProjB = w(`${h}.mlp.c_proj.bias`);
      matmulDecode(rec, bufs.x, bufs.fcGelu, w(`${h}.mlp.c_proj.weight`), rows, C, 4 * C, 'residual', fcProjB, bufs.x2);
    }
    if (pos + 1 < minPlen) continue; // every row is still inside its prompt: no logits needed
    const lnf = ['transformer.ln_f.weight', 'transformer.ln_f.bias'].map(w);
    layernormForward(rec, bufs.ln, bufs.mean, bufs.rstd, bufs.x, lnf[0], lnf[1], rows, C);
    matmulDecode(rec, bufs.logits, bufs.ln, w('transformer.wte.weight'), rows, V, C, 'none', null, null, true);
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
