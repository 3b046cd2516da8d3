// TS wrapper of shaders/encoder.wgsl: token + position embedding and its deterministic backward.
// CPU reference: encoderForward / encoderBackward (src/models/cpu/ops.ts).
import { type Binding, type Recorder, groups, u32 } from '../runtime';
import { kernel } from '../wgsl';

const WG = 256; // invocations per workgroup

const encoderForwardSpec = kernel('encoder', 'encoder_forward', { WG });
const encoderBackwardWteSpec = kernel('encoder', 'encoder_backward_wte', { WG });
const encoderBackwardWpeSpec = kernel('encoder', 'encoder_backward_wpe', { WG });

/** out (B,T,C) = wte[tokens[b,t]] + wpe[t]; tokens (B,T) i32, wte (V,C), wpe (≥T,C). */
export function encoderForward(
  rec: Recorder,
  out: Binding,
  tokens: Binding,
  wte: Binding,
  wpe: Binding,
  B: number,
  T: number,
  C: number,
  V: number,
): void {
  rec.dispatch(encoderForwardSpec, [u32(B), u32(T), u32(C), u32(V)], [out, tokens, wte, wpe], [groups(B * T * C, WG)]);
}

/** dwte (V,C) += dout rows gathered by token; dwpe (≥T,C) += dout summed over the batch; dout (B,T,C). */
export function encoderBackward(
  rec: Recorder,
  dwte: Binding,
  dwpe: Binding,
  dout: Binding,
  tokens: Binding,
  B: number,
  T: number,
  C: number,
  V: number,
): void {
  const params = [u32(B), u32(T), u32(C), u32(V)];
  rec.dispatch(encoderBackwardWteSpec, params, [dwte, dout, tokens], [groups(V * C, WG)]);
  rec.dispatch(encoderBackwardWpeSpec, params, [dwpe, dout], [groups(T * C, WG)]);
}
