// TS wrapper of shaders/matmul.wgsl: the linear layers' forward and backward and the tied LM head.
// CPU reference: matmulForward / matmulBackward (src/models/cpu/ops.ts).
import code from '../shaders/matmul.wgsl?raw';
import { type Binding, type KernelSpec, type Recorder, groups, u32 } from '../runtime';

const TILE = 64; // output tile edge of the matmul entry point (TS in the WGSL)

const spec = (transA: boolean, transB: boolean): KernelSpec => ({
  name: 'matmul',
  code,
  entryPoint: 'matmul',
  constants: { TRANS_A: transA ? 1 : 0, TRANS_B: transB ? 1 : 0 },
});

export const matmulSpecs = {
  nn: spec(false, false),
  nt: spec(false, true),
  tn: spec(true, false),
};
export const matmulBackwardBiasSpec: KernelSpec = {
  name: 'matmul_backward_bias',
  code,
  entryPoint: 'matmul_backward_bias',
};

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
  const s = o.transA ? matmulSpecs.tn : o.transB ? matmulSpecs.nt : matmulSpecs.nn;
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

/** dbias (OC) += Σ over rows of dout (BT,OC). */
export function matmulBackwardBias(rec: Recorder, dbias: Binding, dout: Binding, BT: number, OC: number): void {
  rec.dispatch(matmulBackwardBiasSpec, [u32(BT), u32(OC)], [dbias, dout], [OC]);
}
