// TS wrapper of shaders/rollout.wgsl: a whole rollout, one workgroup per row, in one dispatch (one per
// batch of rows when the KV cache of all rows would exceed a storage binding).
// CPU reference: CpuEngine.generate (src/models/cpu/engine.ts).
import type { GPTConfig } from '../../models/config';
import type { ParameterBindings } from '../params';
import { type Binding, type KernelSpec, type Recorder, f32, i32, u32 } from '../runtime';
import { kernel } from '../wgsl';

const WG = 64; // invocations per workgroup (one workgroup per row)
const F32 = 4; // bytes

/** The pipeline for one model shape (its widths size the workgroup arrays). */
export const rolloutSpec = (cfg: GPTConfig): KernelSpec =>
  kernel(
    'rollout',
    'decode_rollout',
    { WG, C: cfg.nEmbd, NH: cfg.nHead, V: cfg.vocabSize, TMAX: cfg.blockSize, NLAYER: cfg.nLayer },
    `decode_rollout_${cfg.nEmbd}_${cfg.nHead}_${cfg.vocabSize}_${cfg.blockSize}_${cfg.nLayer}`,
  );

/**
 * Workgroup memory decode_rollout takes for a model, in bytes: the row's activations (6C), every
 * head's scores (NH·TMAX), the logits (V), and three words (the next token, the stop flag, the draw).
 */
export const rolloutWorkgroupBytes = (cfg: GPTConfig): number =>
  F32 * (6 * cfg.nEmbd + cfg.nHead * cfg.blockSize + cfg.vocabSize + 3);

/** KV cache bytes per row: keys and values of every layer over the whole context. */
export const rolloutCacheBytesPerRow = (cfg: GPTConfig): number => F32 * 2 * cfg.nLayer * cfg.nEmbd * cfg.blockSize;

/** The tensors the kernel reads, in the order of its `offs` table (shaders/rollout.wgsl). */
export function rolloutTensors(w: ParameterBindings): Binding[] {
  return [
    w.wte,
    w.wpe,
    w.lnfw,
    w.lnfb,
    ...w.h.flatMap((b) => [
      b.ln1w,
      b.ln1b,
      b.qkvw,
      b.qkvb,
      b.attprojw,
      b.attprojb,
      b.ln2w,
      b.ln2b,
      b.fcw,
      b.fcb,
      b.fcprojw,
      b.fcprojb,
    ]),
  ];
}

/** The one buffer every tensor lives in, and each tensor's element offset in it (the `offs` table). */
export function rolloutOffsets(w: ParameterBindings): { buffer: GPUBuffer; offsets: Uint32Array } {
  const tensors = rolloutTensors(w).map((b) => ('buffer' in b ? b : { buffer: b, offset: 0 }));
  const buffer = tensors[0].buffer;
  if (tensors.some((t) => t.buffer !== buffer)) throw new Error('decodeRollout: the weights must live in one buffer');
  return { buffer, offsets: Uint32Array.from(tensors, (t) => t.offset / F32) };
}

export interface RolloutParams {
  maxNewTokens: number;
  temperature: number; // τ; 0 = greedy
  topK: number; // 0 = full vocabulary
  seed: number;
  eosId: number;
}

/**
 * Generates rows rowBase … rowBase + rows − 1 of tokens (all rows, TMAX) i32, which holds each row's
 * prompt (its length in promptLen (all rows) u32) and <eos> after it: the sampled tokens are written
 * after the prompt, up to maxNewTokens or the context, and a row stops at <eos>. kv: scratch for
 * (rows, NLAYER, 2, NH, TMAX, C/NH). weights: the buffer all tensors live in; offsets: their element
 * offsets (rolloutOffsets).
 */
export function decodeRollout(
  rec: Recorder,
  cfg: GPTConfig,
  tokens: Binding,
  promptLen: Binding,
  weights: Binding,
  offsets: Binding,
  kv: Binding,
  rowBase: number,
  rows: number,
  s: RolloutParams,
): void {
  // no row generates past the context, so a larger maxNewTokens means the same (and fits a u32)
  const maxNew = Math.min(s.maxNewTokens, cfg.blockSize);
  const topK = Math.min(s.topK, cfg.vocabSize); // a top-k over the whole vocabulary is no cut
  const params = [u32(rowBase), u32(maxNew), f32(s.temperature), u32(topK), u32(s.seed), i32(s.eosId)];
  rec.dispatch(rolloutSpec(cfg), params, [tokens, promptLen, weights, offsets, kv], [rows]);
}
