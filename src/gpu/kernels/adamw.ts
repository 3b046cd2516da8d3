// TS wrapper of shaders/adamw.wgsl: one AdamW step over the flat parameter buffer, the gradient
// scaled by the clip factor that gradNorm left in `stats`. CPU reference: adamwUpdate (src/models/cpu/ops.ts).
import { type Binding, type Recorder, f32, u32 } from '../runtime';
import { kernel } from '../wgsl';

const WG = 256; // invocations per workgroup
const MAX_GROUPS = 4096; // larger tensors loop (grid stride) instead of exceeding the dispatch limit

const adamwUpdateSpec = kernel('adamw', 'adamw_update', { WG });

export interface AdamWStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  t: number; // this step's number, from 1 (bias correction)
}

/**
 * The decay mask adamw.wgsl reads: bit i%32 of word i/32 is set where element i decays.
 * tensors: element ranges of the flat buffer (n elements); gaps between them (alignment padding) never decay.
 */
export function decayMaskBits(n: number, tensors: { offset: number; size: number; decay: boolean }[]): Uint32Array {
  const bits = new Uint32Array(Math.ceil(n / 32)); // (⌈n/32⌉)
  for (const t of tensors) {
    if (!t.decay) continue;
    for (let i = t.offset; i < t.offset + t.size; i++) bits[i >>> 5] |= 1 << (i & 31);
  }
  return bits;
}

/** params, m, v (n) updated in place from grads (n) × stats[1]; decayBits from decayMaskBits; stats (2) from gradNorm. */
export function adamwUpdate(
  rec: Recorder,
  params: Binding,
  m: Binding,
  v: Binding,
  grads: Binding,
  decayBits: Binding,
  stats: Binding,
  n: number,
  s: AdamWStep,
): void {
  const workgroups = Math.max(1, Math.min(MAX_GROUPS, Math.ceil(n / WG)));
  rec.dispatch(
    adamwUpdateSpec,
    [
      u32(n),
      f32(s.lr),
      f32(s.beta1),
      f32(s.beta2),
      f32(s.eps),
      f32(s.weightDecay),
      f32(1 - Math.pow(s.beta1, s.t)),
      f32(1 - Math.pow(s.beta2, s.t)),
      u32(workgroups * WG),
    ],
    [params, m, v, grads, decayBits, stats],
    [workgroups],
  );
}
