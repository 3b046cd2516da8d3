// TS wrapper of shaders/gelu.wgsl. CPU reference: geluForward / geluBackward (src/models/cpu/ops.ts).
import { type Binding, type Recorder, groups, u32 } from '../runtime';
import { kernel } from '../wgsl';

const WG = 256; // invocations per workgroup

const geluForwardSpec = kernel('gelu', 'gelu_forward', { WG });
const geluBackwardSpec = kernel('gelu', 'gelu_backward', { WG });

/** out (N) = GELU(inp (N)). */
export function geluForward(rec: Recorder, out: Binding, inp: Binding, N: number): void {
  rec.dispatch(geluForwardSpec, [u32(N), u32(0)], [out, inp], [groups(N, WG)]);
}

/** dinp (N) += (or = when !accumulate) GELU'(inp)·dout; inp, dout (N). */
export function geluBackward(
  rec: Recorder,
  dinp: Binding,
  inp: Binding,
  dout: Binding,
  N: number,
  accumulate = true,
): void {
  rec.dispatch(geluBackwardSpec, [u32(N), u32(accumulate ? 1 : 0)], [dinp, inp, dout], [groups(N, WG)]);
}
