// TS wrapper of shaders/gradnorm.wgsl: global gradient norm and clip scale, both left on the GPU.
// CPU reference: globalNorm / scaleInPlace (src/models/cpu/ops.ts).
// SwiftShader (2 shared CPU cores), n = 110 000: 75-80 ms with a workgroup tree per partial sum,
// 1.3-1.5 ms with one partial sum per invocation.
import code from '../shaders/gradnorm.wgsl?raw';
import { type Binding, type KernelSpec, type Recorder, f32, u32 } from '../runtime';

/** Partial sums of the first pass; the caller's `partials` buffer holds this many f32. */
export const GRADNORM_PARTIALS = 1024;
const WG = 64; // invocations per workgroup (WG in the WGSL)

export const gradnormPartialSpec: KernelSpec = { name: 'gradnorm_partial', code, entryPoint: 'gradnorm_partial' };
export const gradnormFinalizeSpec: KernelSpec = { name: 'gradnorm_finalize', code, entryPoint: 'gradnorm_finalize' };

/**
 * stats (2) = [‖grads‖₂, min(1, clip/(norm+1e-6))] (scale 1 when clip ≤ 0) over grads (n).
 * partials: scratch of GRADNORM_PARTIALS f32.
 */
export function gradNorm(
  rec: Recorder,
  stats: Binding,
  partials: Binding,
  grads: Binding,
  n: number,
  clip: number,
): void {
  rec.dispatch(gradnormPartialSpec, [u32(n), f32(clip)], [partials, grads], [GRADNORM_PARTIALS / WG]);
  rec.dispatch(gradnormFinalizeSpec, [u32(n), f32(clip)], [stats, partials], [1]);
}
