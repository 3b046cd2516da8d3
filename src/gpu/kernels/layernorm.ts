// TS wrapper of shaders/layernorm.wgsl. CPU reference: layernormForward / layernormBackward
// (src/models/cpu/ops.ts).
// One invocation per row (and per column for the parameter gradients), serial loops, no workgroup
// memory or barriers (why: the header of layernorm.wgsl); vec4 rows when C % 4 = 0.
import { type Binding, type Recorder, groups, u32 } from '../runtime';
import { kernel } from '../wgsl';

const WG = 64; // invocations per workgroup

const spec = (entry: string) => kernel('layernorm', entry, { WG });

const layernormSpecs = {
  forward: spec('layernorm_forward'),
  forward4: spec('layernorm_forward_vec4'),
  backwardInput: spec('layernorm_backward_input'),
  backwardInput4: spec('layernorm_backward_input_vec4'),
  backwardParams: spec('layernorm_backward_params'),
  backwardParams4: spec('layernorm_backward_params_vec4'),
  backwardParamsTree: spec('layernorm_backward_params_tree'),
};

/**
 * Up to this many rows, dweight and dbias are summed by one invocation per column; beyond it, by a
 * workgroup per column with a tree reduction (keeps a GPU busy when the columns are few and the rows many).
 */
export const LAYERNORM_COLUMN_MAX_ROWS = 1024;

/**
 * The entry points the wrappers take for (BT, C): vec4 rows when C % 4 = 0 (else scalar), and the
 * parameter gradients by a tree past LAYERNORM_COLUMN_MAX_ROWS rows (else one invocation per column).
 */
export function layernormEntries(BT: number, C: number): { vec4: boolean; tree: boolean } {
  return { vec4: C % 4 === 0, tree: BT > LAYERNORM_COLUMN_MAX_ROWS };
}

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
  const s = layernormEntries(BT, C).vec4 ? layernormSpecs.forward4 : layernormSpecs.forward;
  rec.dispatch(s, [u32(BT), u32(C), u32(0)], [out, mean, rstd, inp, weight, bias], [groups(BT, WG)]);
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
  const { vec4, tree } = layernormEntries(BT, C);
  const input = vec4 ? layernormSpecs.backwardInput4 : layernormSpecs.backwardInput;
  rec.dispatch(input, params, [dinp, dout, inp, weight, mean, rstd], [groups(BT, WG)]);
  const paramBuffers = [dweight, dbias, dout, inp, mean, rstd];
  if (tree) rec.dispatch(layernormSpecs.backwardParamsTree, params, paramBuffers, [C]);
  else if (vec4) rec.dispatch(layernormSpecs.backwardParams4, params, paramBuffers, [groups(C / 4, WG)]);
  else rec.dispatch(layernormSpecs.backwardParams, params, paramBuffers, [groups(C, WG)]);
}
