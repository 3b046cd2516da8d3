// Batched generation on the GPU with a KV cache (docs/DESIGN.md §2): the whole rollout is ONE
// dispatch of shaders/rollout.wgsl, a workgroup per row running every position of that row (rows are
// independent: each has its own prompt, cache and random stream), and the tokens come back in one
// mapAsync at the end. When the KV cache of all rows would not fit one storage binding, the rows go
// in batches, one dispatch each, in the same submission.
//
// A row's prompt is prefilled one position at a time through the same incremental forward (appending
// k, v to the cache); from its last prompt position on, each position samples the next token. A row
// stops at <eos> or after maxNewTokens; the slots after it keep the <eos> filler written here.
// CPU reference: CpuEngine.generate (src/models/cpu/engine.ts) with sampleToken, GPT.decode
// (src/models/cpu/model.ts) for one position.
import type { GPTConfig } from '../models/config';
import type { GenerateRequest, GenerateResult } from '../models/engine';
import { validateGenerateRequest } from '../models/validate';
import { decodeRollout, rolloutCacheBytesPerRow, rolloutOffsets, rolloutWorkgroupBytes } from './kernels/rollout';
import type { ParameterBindings } from './params';
import type { GpuRuntime } from './runtime';

/** What generation needs from an engine: its runtime, config and weights (all in one buffer). */
export interface GpuModel {
  rt: GpuRuntime;
  config: GPTConfig;
  weights: ParameterBindings;
}

export function generate(model: GpuModel, req: GenerateRequest): Promise<GenerateResult> {
  const perRow = rolloutCacheBytesPerRow(model.config);
  return generateInBatches(model, req, Math.floor(model.rt.device.limits.maxStorageBufferBindingSize / perRow));
}

/** generate() with at most `rowsPerDispatch` rows per dispatch (the KV cache of that many rows in one binding). */
export async function generateInBatches(
  model: GpuModel,
  req: GenerateRequest,
  rowsPerDispatch: number,
): Promise<GenerateResult> {
  const { rt, config: cfg, weights: w } = model;
  validateGenerateRequest(cfg, req);
  const rows = req.prompts.length;
  const Tmax = cfg.blockSize;
  if (rows === 0) return { completions: [], truncated: [] };
  const limits = rt.device.limits;
  const need = rolloutWorkgroupBytes(cfg);
  if (need > limits.maxComputeWorkgroupStorageSize)
    throw new Error(
      `generate: this model needs ${need} bytes of workgroup memory per row; the device allows ${limits.maxComputeWorkgroupStorageSize}`,
    );
  const plens = req.prompts.map((p) => p.length);
  const tokens = new Int32Array(rows * Tmax).fill(req.eosId); // (rows, Tmax) prompts, then samples
  req.prompts.forEach((p, r) => tokens.set(p.subarray(0, plens[r]), r * Tmax));
  const { buffer: weights, offsets } = rolloutOffsets(w);
  const perDispatch = Math.max(1, Math.min(rows, rowsPerDispatch));
  const bufs = {
    tokens: rt.upload(tokens),
    promptLen: rt.upload(Uint32Array.from(plens)), // (rows)
    offsets: rt.upload(offsets),
    kv: rt.buffer(perDispatch * rolloutCacheBytesPerRow(cfg)), // scratch, reused by each batch of rows
  };
  const rec = rt.recorder();
  const sampling = {
    maxNewTokens: req.maxNewTokens,
    temperature: req.temperature,
    topK: req.topK ?? 0,
    seed: req.seed,
    eosId: req.eosId,
  };
  const whole = { buffer: weights, offset: 0, size: weights.size };
  for (let r0 = 0; r0 < rows; r0 += perDispatch)
    decodeRollout(
      rec,
      cfg,
      bufs.tokens,
      bufs.promptLen,
      whole,
      bufs.offsets,
      bufs.kv,
      r0,
      Math.min(perDispatch, rows - r0),
      sampling,
    );
  rec.submit();
  const out = await rt.readI32(bufs.tokens, rows * Tmax);
  for (const b of Object.values(bufs)) rt.release(b);

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
