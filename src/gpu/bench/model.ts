// The bench's model: GPT-2 at the "small" size (C=64, 2 layers, 4 heads, context 48) with a
// character vocabulary, nanoGPT-style random weights, and those weights on the GPU, each
// tensor at aligned offsets of one buffer for generate(). The same flat weights go to TF.js.
import { MODEL_SIZES, type GPTConfig } from '../../models/config';
import type { TokenBatch } from '../../models/engine';
import { initialWeights } from '../../models/init';
import { paramLayout } from '../../models/params';
import type { GpuModel } from '../generate';
import { GpuParamLayout, parameterBindings } from '../params';
import type { GpuRuntime } from '../runtime';

export const benchConfig: GPTConfig = { ...MODEL_SIZES.small, vocabSize: 20 };

/** Flat weights in paramLayout order: the init a fresh run starts from (src/models/init.ts). */
export function benchWeights(cfg: GPTConfig, seed = 1): Float32Array {
  const layout = paramLayout(cfg);
  const flat = new Float32Array(layout.total);
  const weights = initialWeights(cfg, seed);
  for (const t of layout.tensors) flat.set(weights.get(t.name)!, t.offset);
  return flat;
}

/** A GpuModel over one buffer holding `flat`, each tensor aligned as WebGpuEngine lays them out. */
export function uploadModel(rt: GpuRuntime, cfg: GPTConfig, flat: Float32Array): GpuModel {
  const layout = new GpuParamLayout(cfg, rt.device.limits.minStorageBufferOffsetAlignment);
  const buffer = rt.upload(layout.fromFlat(flat));
  return { rt, config: cfg, weights: parameterBindings(cfg, (name) => layout.binding(buffer, name)) };
}

/** A fixed SFT batch (B,T) over the bench vocabulary: next-token targets, -1 at the end of each row. */
export function benchBatch(cfg: GPTConfig, B: number, T: number): TokenBatch {
  const tokens = new Int32Array(B * T); // (B,T)
  const targets = new Int32Array(B * T); // (B,T)
  for (let i = 0; i < B * T; i++) tokens[i] = 3 + ((i * 7 + (i >> 3)) % (cfg.vocabSize - 3));
  for (let i = 0; i < B * T; i++) targets[i] = (i + 1) % T === 0 ? -1 : tokens[i + 1];
  return { B, T, tokens, targets };
}

/** The bench weights by tensor name, as an engine takes them. */
export function benchWeightMap(cfg: GPTConfig, flat: Float32Array): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  for (const t of paramLayout(cfg).tensors) weights.set(t.name, flat.slice(t.offset, t.offset + t.size));
  return weights;
}
