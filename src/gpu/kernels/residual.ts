// TS wrapper of shaders/residual.wgsl. CPU reference: residualForward (src/models/cpu/ops.ts).
import code from '../shaders/residual.wgsl?raw';
import { type Binding, type KernelSpec, type Recorder, groups, u32 } from '../runtime';

const WG = 256;

export const residualForwardSpec: KernelSpec = { name: 'residual_forward', code, entryPoint: 'residual_forward' };

/** out (N) = a (N) + b (N). */
export function residualForward(rec: Recorder, out: Binding, a: Binding, b: Binding, N: number): void {
  rec.dispatch(residualForwardSpec, [u32(N)], [out, a, b], [groups(N, WG)]);
}
