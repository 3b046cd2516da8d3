// TS wrapper of shaders/layernorm.wgsl. CPU reference: layernormForward / layernormBackward
// (src/models/cpu/ops.ts).
import code from '../shaders/layernorm.wgsl?raw';
import { type Binding, type KernelSpec, type Recorder, u32 } from '../runtime';

export const layernormForwardSpec: KernelSpec = { name: 'layernorm_forward', code, entryPoint: 'layernorm_forward' };
export const layernormBackwardInputSpec: KernelSpec = {
  name: 'layernorm_backward_input',
  code,
  entryPoint: 'layernorm_backward_input',
};
export const layernormBackwardParamsSpec: KernelSpec = {
  name: 'layernorm_backward_params',
  code,
  entryPoint: 'layernorm_backward_params',
};

/** out (BT,C) = LayerNorm(inp (BT,C)) with weight, bias (C); keeps mean, rstd (BT) for the backward. */
export function layernormForward(
  rec: Recorder,
  out: Binding,
  mean: Binding,
  rstd: Binding,
  inp: Binding,
  weight: Binding,
  bias: Binding,
  BT: number,
  C: number,
): void {
  rec.dispatch(layernormForwardSpec, [u32(BT), u32(C), u32(0)], [out, mean, rstd, inp, weight, bias], [BT]);
}

/**
 * Backward of layernormForward: dinp (BT,C) += (or = when !accumulateInput) the input gradient;
 * dweight, dbias (C) += the parameter gradients. The input gradient is added in place, so dinp may be
 * the residual stream's gradient that dout was computed from.
 */
export function layernormBackward(
  rec: Recorder,
  dinp: Binding,
  dweight: Binding,
  dbias: Binding,
  dout: Binding,
  inp: Binding,
  weight: Binding,
  mean: Binding,
  rstd: Binding,
  BT: number,
  C: number,
  accumulateInput = true,
): void {
  const params = [u32(BT), u32(C), u32(accumulateInput ? 1 : 0)];
  rec.dispatch(layernormBackwardInputSpec, params, [dinp, dout, inp, weight, mean, rstd], [BT]);
  rec.dispatch(layernormBackwardParamsSpec, params, [dweight, dbias, dout, inp, mean, rstd], [C]);
}
