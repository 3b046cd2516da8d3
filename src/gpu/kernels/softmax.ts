// TS wrapper of shaders/softmax.wgsl. CPU reference: softmaxForward (src/models/cpu/ops.ts).
import code from '../shaders/softmax.wgsl?raw';
import { type KernelSpec, type Recorder, u32 } from '../runtime';

export const softmaxSpec: KernelSpec = { name: 'softmax_forward', code, entryPoint: 'softmax_forward' };

/** probs (rows,V) = row softmax of logits (rows,V). */
export function softmaxForward(rec: Recorder, probs: GPUBuffer, logits: GPUBuffer, rows: number, V: number): void {
  rec.dispatch(softmaxSpec, [u32(rows), u32(V)], [probs, logits], [rows]);
}
