// TS wrapper of shaders/residual.wgsl. CPU reference: residualForward (src/models/cpu/ops.ts).
import { type Binding, type Recorder, groups, u32 } from '../runtime';
import { kernel } from '../wgsl';

const WG = 256; // invocations per workgroup

const residualForwardSpec = kernel('residual', 'residual_forward', { WG });

/** out (N) = a (N) + b (N). */
export function residualForward(rec: Recorder, out: Binding, a: Binding, b: Binding, N: number): void {
  rec.dispatch(residualForwardSpec, [u32(N)], [out, a, b], [groups(N, WG)]);
}
