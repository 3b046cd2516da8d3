// TS wrapper of shaders/matmul.wgsl (the linear layers' forward and backward and the tied LM head)
// and shaders/matmul_bias.wgsl (the bias gradient).
// CPU reference: matmulForward / matmulBackward and lmHeadForward / lmHeadBackward (src/models/cpu/ops.ts).
// The kernel reads global memory straight into a 4×4 register block per invocation (no workgroup
// memory, no barriers; why: the header of matmul.wgsl), with vec4 loads where the shape allows.
import { type Binding, type KernelSpec, type Recorder, groups, u32 } from '../runtime';
import { kernel } from '../wgsl';

const WG = 8; // invocations per workgroup edge (WG×WG per workgroup)
const RB = 4; // outputs per invocation per edge: RB in the WGSL, fixed (its 4×4 register block is unrolled)
const TILE = WG * RB; // output tile edge of one workgroup, both entry points
const BIAS_WG = 64; // invocations per workgroup of the bias gradient

const spec = (transA: boolean, transB: boolean, vec4: boolean): KernelSpec =>
  kernel('matmul', vec4 ? 'matmul_vec4' : 'matmul', { WG, TRANS_A: transA ? 1 : 0, TRANS_B: transB ? 1 : 0 });

/** Scalar entry (any shape): nn, nt, tn; vec4 entry (see `usesVec4`): nn4, nt4, tn4. */
const matmulSpecs = {
  nn: spec(false, false, false),
  nt: spec(false, true, false),
  tn: spec(true, false, false),
  nn4: spec(false, false, true),
  nt4: spec(false, true, true),
  tn4: spec(true, false, true),
};
const matmulBackwardBiasSpec = kernel('matmul_bias', 'matmul_backward_bias', { WG: BIAS_WG });
const matmulBackwardBiasColsSpec = kernel('matmul_bias', 'matmul_backward_bias_cols', { WG: BIAS_WG });

/**
 * Up to this many rows, dbias is summed by one invocation per column (no barriers, cheaper on a CPU
 * adapter); beyond it, by a workgroup per column with a tree reduction, which keeps a GPU busy when
 * the columns are few and the rows many.
 */
export const BIAS_COLUMN_MAX_ROWS = 1024;

/**
 * Whether matmul takes the vec4 entry point: every row it reads from A, B, out and bias must be whole
 * vec4s, i.e. N % 4 = 0 and, for the dimension A's rows run along, K % 4 = 0 (A (M,K), B (K,N) or
 * (N,K)) or M % 4 = 0 (A (K,M) when transA).
 */
export function usesVec4(M: number, N: number, K: number, transA = false): boolean {
  return N % 4 === 0 && (transA ? M % 4 === 0 : K % 4 === 0);
}

export interface MatmulOptions {
  transA?: boolean; // A is stored (K,M)
  transB?: boolean; // B is stored (N,K)
  bias?: Binding | null; // (N), added to every row
  accumulate?: boolean; // out += result instead of out = result
}

/** out (M,N) = [out +] op(A)·op(B) [+ bias]; A (M,K) or (K,M) when transA; B (K,N) or (N,K) when transB. */
export function matmul(
  rec: Recorder,
  out: Binding,
  a: Binding,
  b: Binding,
  M: number,
  N: number,
  K: number,
  o: MatmulOptions = {},
): void {
  if (o.transA && o.transB) throw new Error('matmul: transA and transB together are not supported');
  const layout = o.transA ? ('tn' as const) : o.transB ? ('nt' as const) : ('nn' as const);
  const s = matmulSpecs[usesVec4(M, N, K, o.transA) ? (`${layout}4` as const) : layout];
  const params = [u32(M), u32(N), u32(K), u32(o.bias ? 1 : 0), u32(o.accumulate ? 1 : 0)];
  // Without a bias, B is bound again in its place (read-only twice is allowed; the kernel never reads it).
  rec.dispatch(s, params, [out, a, b, o.bias ?? b], [groups(N, TILE), groups(M, TILE)]);
}

/** out (BT,OC) = inp (BT,C) · weight (C,OC) + bias (OC); bias may be null. */
export function matmulForward(
  rec: Recorder,
  out: Binding,
  inp: Binding,
  weight: Binding,
  bias: Binding | null,
  BT: number,
  C: number,
  OC: number,
): void {
  matmul(rec, out, inp, weight, BT, OC, C, { bias });
}

/**
 * Backward of matmulForward: dinp (BT,C) = dout·weightᵀ (overwritten, or added to when
 * `accumulateInput`), dweight (C,OC) += inpᵀ·dout, dbias (OC) += column sums of dout (skipped when null).
 */
export function matmulBackward(
  rec: Recorder,
  dinp: Binding,
  dweight: Binding,
  dbias: Binding | null,
  dout: Binding,
  inp: Binding,
  weight: Binding,
  BT: number,
  C: number,
  OC: number,
  accumulateInput = false,
): void {
  matmul(rec, dinp, dout, weight, BT, C, OC, { transB: true, accumulate: accumulateInput });
  matmul(rec, dweight, inp, dout, C, OC, BT, { transA: true, accumulate: true });
  if (dbias) matmulBackwardBias(rec, dbias, dout, BT, OC);
}

/** The tied LM head: logits (BT,V) = inp (BT,C) · wteᵀ, wte (V,C). */
export function lmHeadForward(
  rec: Recorder,
  logits: Binding,
  inp: Binding,
  wte: Binding,
  BT: number,
  C: number,
  V: number,
): void {
  matmul(rec, logits, inp, wte, BT, V, C, { transB: true });
}

/** Backward of lmHeadForward: dinp (BT,C) = dlogits·wte (overwritten), dwte (V,C) += dlogitsᵀ·inp. */
export function lmHeadBackward(
  rec: Recorder,
  dinp: Binding,
  dwte: Binding,
  dlogits: Binding,
  inp: Binding,
  wte: Binding,
  BT: number,
  C: number,
  V: number,
): void {
  matmul(rec, dinp, dlogits, wte, BT, C, V);
  matmul(rec, dwte, dlogits, inp, V, C, BT, { transA: true, accumulate: true });
}

/** dbias (OC) += Σ over rows of dout (BT,OC). */
export function matmulBackwardBias(rec: Recorder, dbias: Binding, dout: Binding, BT: number, OC: number): void {
  if (BT <= BIAS_COLUMN_MAX_ROWS) {
    rec.dispatch(matmulBackwardBiasColsSpec, [u32(BT), u32(OC)], [dbias, dout], [groups(OC, BIAS_WG)]);
  } else {
    rec.dispatch(matmulBackwardBiasSpec, [u32(BT), u32(OC)], [dbias, dout], [OC]);
  }
}
