// TS wrapper of shaders/attention.wgsl: causal multi-head attention forward and backward.
// CPU reference: attentionForward / attentionBackward (src/models/cpu/ops.ts).
import code from '../shaders/attention.wgsl?raw';
import { type Binding, type KernelSpec, type Recorder, u32 } from '../runtime';

/** Longest sequence and widest head the kernels support (their workgroup arrays). */
export const ATTENTION_MAX_T = 256;
export const ATTENTION_MAX_HEAD = 256;

export const attentionForwardSpec: KernelSpec = { name: 'attention_forward', code, entryPoint: 'attention_forward' };
export const attentionBackwardQuerySpec: KernelSpec = {
  name: 'attention_backward_query',
  code,
  entryPoint: 'attention_backward_query',
};
export const attentionBackwardKvSpec: KernelSpec = {
  name: 'attention_backward_kv',
  code,
  entryPoint: 'attention_backward_kv',
};

function check(T: number, C: number, NH: number): void {
  if (T > ATTENTION_MAX_T) throw new Error(`attention: T=${T} exceeds ${ATTENTION_MAX_T}`);
  if (C % NH !== 0 || C / NH > ATTENTION_MAX_HEAD) throw new Error(`attention: bad head width C=${C} NH=${NH}`);
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
  check(T, C, NH);
  rec.dispatch(attentionForwardSpec, [u32(B), u32(T), u32(C), u32(NH)], [out, att, inp], [B * NH * T]);
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
  check(T, C, NH);
  const params = [u32(B), u32(T), u32(C), u32(NH)];
  rec.dispatch(attentionBackwardQuerySpec, params, [dinp, dpreatt, dout, inp, att], [B * NH * T]);
  rec.dispatch(attentionBackwardKvSpec, params, [dinp, dpreatt, dout, inp, att], [B * NH * T]);
}
