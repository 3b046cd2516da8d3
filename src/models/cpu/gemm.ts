// The one matrix-product kernel of the CPU engine, and its entry point: a product large enough and
// held in shared memory is split by rows across the thread pool (parallel.ts) when one is installed;
// anything else runs here. Either way every output element is the same arithmetic.

import type { FloatArray } from '../params';
import { parallelFor, rangeKernel } from './parallel';

/** out (M,N) = A·B (+ bias), or out += A·B when `accumulate`: see gemmRows for the layout. */
export function gemm(
  out: FloatArray,
  A: FloatArray,
  B: FloatArray,
  bias: FloatArray | null,
  M: number,
  N: number,
  K: number,
  sAm: number,
  sAk: number,
  sBk: number,
  sBn: number,
  accumulate: boolean,
): void {
  parallelFor(GEMM_ROWS, [out, A, B, bias, 0, M, N, K, sAm, sAk, sBk, sBn, accumulate], M * N * K);
}

/**
 * out (M,N) = A·B (+ bias (N)), or out += A·B when `accumulate` (bias ignored), where
 * A[m,k] = A[m·sAm + k·sAk] and B[k,n] = B[k·sBk + n·sBn]: the strides let one kernel serve every
 * product of the forward and backward, transposes included, without copies.
 * 4×4 register tiles: per k, 4 loads of A and 4 of B feed 16 multiply-adds held in locals (JS keeps
 * them in registers; accumulating into an array costs a load and store per multiply-add). Each output
 * sums k = 0…K−1 in order, in float64, from 0, bias last; the edge elements outside whole tiles do the
 * same one at a time, so an output row never depends on which rows were computed with it (the
 * KV-cache decode relies on that to match the full forward bit for bit, and the thread pool on it to
 * split the rows m0…m1−1 of one product across threads). Self-contained with store4: the pool sends
 * both functions' source to its workers (parallel.ts).
 */
export function gemmRows(
  out: FloatArray,
  A: FloatArray,
  B: FloatArray,
  bias: FloatArray | null,
  m0: number,
  m1: number,
  N: number,
  K: number,
  sAm: number,
  sAk: number,
  sBk: number,
  sBn: number,
  accumulate: boolean,
): void {
  const M4 = m1 - ((m1 - m0) % 4);
  const N4 = N - (N % 4);
  for (let m = m0; m < M4; m += 4) {
    const a0 = m * sAm;
    const a1 = a0 + sAm;
    const a2 = a1 + sAm;
    const a3 = a2 + sAm;
    for (let n = 0; n < N4; n += 4) {
      const b0 = n * sBn;
      const b1 = b0 + sBn;
      const b2 = b1 + sBn;
      const b3 = b2 + sBn;
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0;
      let s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      let s20 = 0,
        s21 = 0,
        s22 = 0,
        s23 = 0;
      let s30 = 0,
        s31 = 0,
        s32 = 0,
        s33 = 0;
      for (let k = 0, ak = 0, bk = 0; k < K; k++, ak += sAk, bk += sBk) {
        const x0 = A[a0 + ak];
        const x1 = A[a1 + ak];
        const x2 = A[a2 + ak];
        const x3 = A[a3 + ak];
        const y0 = B[b0 + bk];
        const y1 = B[b1 + bk];
        const y2 = B[b2 + bk];
        const y3 = B[b3 + bk];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
        s20 += x2 * y0;
        s21 += x2 * y1;
        s22 += x2 * y2;
        s23 += x2 * y3;
        s30 += x3 * y0;
        s31 += x3 * y1;
        s32 += x3 * y2;
        s33 += x3 * y3;
      }
      store4(out, m * N + n, s00, s01, s02, s03, bias, n, accumulate);
      store4(out, (m + 1) * N + n, s10, s11, s12, s13, bias, n, accumulate);
      store4(out, (m + 2) * N + n, s20, s21, s22, s23, bias, n, accumulate);
      store4(out, (m + 3) * N + n, s30, s31, s32, s33, bias, n, accumulate);
    }
  }
  // edges: the columns past N4 of whole row tiles, then every column of the rows past M4
  for (let m = m0; m < m1; m++) {
    for (let n = m < M4 ? N4 : 0; n < N; n++) {
      let s = 0;
      for (let k = 0, ak = m * sAm, bk = n * sBn; k < K; k++, ak += sAk, bk += sBk) s += A[ak] * B[bk];
      const o = m * N + n;
      if (accumulate) out[o] += s;
      else out[o] = bias === null ? s : s + bias[n];
    }
  }
}

export function store4(
  out: FloatArray,
  o: number,
  s0: number,
  s1: number,
  s2: number,
  s3: number,
  bias: FloatArray | null,
  n: number,
  accumulate: boolean,
): void {
  if (accumulate) {
    out[o] += s0;
    out[o + 1] += s1;
    out[o + 2] += s2;
    out[o + 3] += s3;
  } else if (bias === null) {
    out[o] = s0;
    out[o + 1] = s1;
    out[o + 2] = s2;
    out[o + 3] = s3;
  } else {
    out[o] = s0 + bias[n];
    out[o + 1] = s1 + bias[n + 1];
    out[o + 2] = s2 + bias[n + 2];
    out[o + 3] = s3 + bias[n + 3];
  }
}

/** gemmRows as the pool runs it: rows in whole 4-row tiles, so a split adds no edge work. */
export const GEMM_ROWS = rangeKernel(gemmRows, 4, 4, [store4]);
