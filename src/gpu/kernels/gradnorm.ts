// TS wrapper of shaders/gradnorm.wgsl: global gradient norm and clip scale, both left on the GPU.
// CPU reference: globalNorm / scaleInPlace (src/models/cpu/ops.ts).
import { type Binding, type Recorder, f32, u32 } from '../runtime';
import { kernel } from '../wgsl';

/** Partial sums of the first pass (NP in the WGSL); the caller's `partials` buffer holds this many f32. */
export const GRADNORM_PARTIALS = 1024;
const WG = 64; // invocations per workgroup; divides GRADNORM_PARTIALS

const constants = { WG, NP: GRADNORM_PARTIALS };
const gradnormPartialSpec = kernel('gradnorm', 'gradnorm_partial', constants);
const gradnormFinalizeSpec = kernel('gradnorm', 'gradnorm_finalize', constants);

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
