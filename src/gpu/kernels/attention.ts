// TS wrapper of shaders/attention.wgsl: causal multi-head attention forward and backward.
// CPU reference: attentionForward / attentionBackward (src/models/cpu/ops.ts).
// One invocation per (b, h, row) with serial loops over the keys, no workgroup memory or barriers
// (why: the header of attention.wgsl).
import { type Binding, type KernelSpec, type Recorder, groups, u32 } from '../runtime';
import { kernel } from '../wgsl';

const WG = 64; // invocations per workgroup
/** Widest head the vec4 entry points hold in registers (MAX_HS4·4 in the WGSL). */
export const ATTENTION_VEC4_MAX_HEAD = 64;

export const attentionSpec = (entry: string, hs: number): KernelSpec =>
  usesVec4(hs) ? kernel('attention', `${entry}_vec4`, { WG, HS4: hs / 4 }) : kernel('attention', entry, { WG });

/** Whether a head of width hs takes the vec4 entry points: hs % 4 = 0 and hs ≤ ATTENTION_VEC4_MAX_HEAD. */
export function usesVec4(hs: number): boolean {
  return hs % 4 === 0 && hs <= ATTENTION_VEC4_MAX_HEAD;
}

function headWidth(C: number, NH: number): number {
  if (C % NH !== 0) throw new Error(`attention: C=${C} is not a multiple of NH=${NH}`);
  return C / NH;
}

/** out (B,T,C) and att (B,NH,T,T) (softmax, 0 above the diagonal) from inp (B,T,3C) = q|k|v. */
export function attentionForward(
  rec: Recorder,
  out: Binding,
  att: Binding,
  inp: Binding,
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  const hs = headWidth(C, NH);
  rec.dispatch(
    attentionSpec('attention_forward', hs),
    [u32(B), u32(T), u32(C), u32(NH)],
    [out, att, inp],
    [groups(B * NH * T, WG)],
  );
}

/**
 * Backward of attentionForward: dinp (B,T,3C) = dq|dk|dv, overwritten; dpreatt (B,NH,T,T) is
 * scratch (the scores' gradient), overwritten; dout (B,T,C); inp and att as the forward left them.
 */
export function attentionBackward(
  rec: Recorder,
  dinp: Binding,
  dpreatt: Binding,
  dout: Binding,
  inp: Binding,
  att: Binding,
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  const hs = headWidth(C, NH);
  const params = [u32(B), u32(T), u32(C), u32(NH)];
  const wgs: [number] = [groups(B * NH * T, WG)];
  rec.dispatch(attentionSpec('attention_backward_query', hs), params, [dinp, dpreatt, dout, inp, att], wgs);
  rec.dispatch(attentionSpec('attention_backward_kv', hs), params, [dinp, dpreatt, dout, inp, att], wgs);
}
