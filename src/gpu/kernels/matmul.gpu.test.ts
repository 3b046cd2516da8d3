// matmul.wgsl against the CPU reference (src/models/cpu/ops.ts) on shapes that are not multiples of
// the 32×32 output tile, with and without bias, plus the transposed variants the tied LM head uses
// (held to lmHeadForward / lmHeadBackward); then both entry points (vec4 and scalar) in all three
// layouts with bias and accumulation, against the definition of op(A)·op(B).
import { describe, expect, test } from 'vitest';
import {
  lmHeadBackward as lmHeadBackwardCpu,
  lmHeadForward as lmHeadForwardCpu,
  matmulBackward as backwardCpu,
  matmulForward as forwardCpu,
} from '../../models/cpu/ops';
import { allClose, randomArray, relToScale, testRuntime } from '../testing';
import {
  BIAS_COLUMN_MAX_ROWS,
  lmHeadBackward,
  lmHeadForward,
  matmul,
  matmulBackward,
  matmulBackwardBias,
  matmulForward,
  usesVec4,
} from './matmul';

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [13, 20, 36],
  [70, 33, 67],
];

describe('matmul kernels', () => {
  test.each(SHAPES)(
    'forward BT=%i C=%i OC=%i with and without bias matches the CPU within rtol 1e-4 / atol 1e-5',
    async (BT, C, OC) => {
      const rt = await testRuntime();
      const inp = randomArray(BT * C, BT + C, 1); // (BT,C)
      const weight = randomArray(C * OC, C + OC, 0.5); // (C,OC)
      const bias = randomArray(OC, OC, 1); // (OC)
      for (const withBias of [true, false]) {
        const want = new Float32Array(BT * OC); // (BT,OC)
        forwardCpu(want, inp, weight, withBias ? bias : null, BT, C, OC);
        const out = rt.buffer(BT * OC * 4);
        const rec = rt.recorder();
        matmulForward(rec, out, rt.upload(inp), rt.upload(weight), withBias ? rt.upload(bias) : null, BT, C, OC);
        rec.submit();
        const got = await rt.readF32(out, BT * OC);
        const c = allClose(got, want, 1e-4, 1e-5);
        expect(c.ok, `bias=${withBias}: worst |diff| ${c.maxAbs} at ${c.worstIndex}`).toBe(true);
      }
    },
  );

  test.each(SHAPES)(
    'backward BT=%i C=%i OC=%i accumulates dinp, dweight, dbias onto existing values within 1e-5 of scale',
    async (BT, C, OC) => {
      const rt = await testRuntime();
      const inp = randomArray(BT * C, 3 * BT + C, 1); // (BT,C)
      const weight = randomArray(C * OC, 3 * C + OC, 0.5); // (C,OC)
      const dout = randomArray(BT * OC, 5 * OC + BT, 1); // (BT,OC)
      // Gradients start non-zero so accumulation (+=) is checked, not just assignment.
      const dinp0 = randomArray(BT * C, 7, 1); // (BT,C)
      const dweight0 = randomArray(C * OC, 8, 1); // (C,OC)
      const dbias0 = randomArray(OC, 9, 1); // (OC)
      const [dinp, dweight, dbias] = [dinp0.slice(), dweight0.slice(), dbias0.slice()];
      backwardCpu(dinp, dweight, dbias, dout, inp, weight, BT, C, OC);

      const [gDinp, gDweight, gDbias] = [rt.upload(dinp0), rt.upload(dweight0), rt.upload(dbias0)];
      const rec = rt.recorder();
      matmulBackward(rec, gDinp, gDweight, gDbias, rt.upload(dout), rt.upload(inp), rt.upload(weight), BT, C, OC, true);
      rec.submit();
      const [a, b, c] = (
        await rt.read([
          { buffer: gDinp, count: BT * C },
          { buffer: gDweight, count: C * OC },
          { buffer: gDbias, count: OC },
        ])
      ).map((x) => new Float32Array(x));
      expect(relToScale(a, dinp)).toBeLessThan(1e-5);
      expect(relToScale(b, dweight)).toBeLessThan(1e-5);
      expect(relToScale(c, dbias)).toBeLessThan(1e-5);
      // The accumulated part must be there: the result differs from a pure assignment.
      expect(relToScale(b, new Float32Array(dweight.map((x, i) => x - dweight0[i])))).toBeGreaterThan(0.1);
    },
  );

  test('backward without accumulateInput overwrites dinp (garbage there is ignored)', async () => {
    const rt = await testRuntime();
    const [BT, C, OC] = [13, 20, 36];
    const inp = randomArray(BT * C, 21, 1);
    const weight = randomArray(C * OC, 22, 0.5);
    const dout = randomArray(BT * OC, 23, 1);
    const want = new Float32Array(BT * C); // (BT,C), from zero
    backwardCpu(want, new Float32Array(C * OC), null, dout, inp, weight, BT, C, OC);
    const gDinp = rt.upload(randomArray(BT * C, 24, 100));
    const rec = rt.recorder();
    matmulBackward(
      rec,
      gDinp,
      rt.buffer(C * OC * 4),
      null,
      rt.upload(dout),
      rt.upload(inp),
      rt.upload(weight),
      BT,
      C,
      OC,
    );
    rec.submit();
    expect(relToScale(await rt.readF32(gDinp, BT * C), want)).toBeLessThan(1e-5);
  });

  test('LM head: logits = x·wteᵀ, dx = dlogits·wte, dwte += dlogitsᵀ·x match lmHeadForward / lmHeadBackward', async () => {
    const rt = await testRuntime();
    const [BT, C, V] = [13, 20, 67];
    const x = randomArray(BT * C, 31, 1); // (BT,C)
    const wte = randomArray(V * C, 32, 0.5); // (V,C)
    const dlogits = randomArray(BT * V, 33, 1); // (BT,V)
    const dwte0 = randomArray(V * C, 34, 1); // (V,C)
    const wantLogits = new Float32Array(BT * V); // (BT,V)
    lmHeadForwardCpu(wantLogits, x, wte, BT, C, V);
    const wantDx = new Float32Array(BT * C); // (BT,C), from zero
    const wantDwte = dwte0.slice(); // (V,C), accumulated onto dwte0
    lmHeadBackwardCpu(wantDx, wantDwte, dlogits, x, wte, BT, C, V);

    const [gx, gwte, gdl, gdwte] = [rt.upload(x), rt.upload(wte), rt.upload(dlogits), rt.upload(dwte0)];
    const logits = rt.buffer(BT * V * 4);
    const dx = rt.upload(randomArray(BT * C, 35, 100)); // garbage: the backward overwrites dx
    const rec = rt.recorder();
    lmHeadForward(rec, logits, gx, gwte, BT, C, V);
    lmHeadBackward(rec, dx, gdwte, gdl, gx, gwte, BT, C, V);
    rec.submit();
    const [l, d, w] = (
      await rt.read([
        { buffer: logits, count: BT * V },
        { buffer: dx, count: BT * C },
        { buffer: gdwte, count: V * C },
      ])
    ).map((b) => new Float32Array(b));
    const c = allClose(l, wantLogits, 1e-4, 1e-5);
    expect(c.ok, `logits worst |diff| ${c.maxAbs}`).toBe(true);
    expect(relToScale(d, wantDx)).toBeLessThan(1e-5);
    expect(relToScale(w, wantDwte)).toBeLessThan(1e-5);
  });

  // [layout, M, N, K, vec4 entry expected]. M and N cross the 32-wide tile edge raggedly; K % 4 ≠ 0
  // exercises the remainder after the 4-deep unrolled loop, K = 3 skips that loop entirely.
  const LAYOUT_CASES: ['nn' | 'nt' | 'tn', number, number, number, boolean][] = [
    ['nn', 37, 44, 20, true],
    ['nt', 37, 44, 20, true],
    ['tn', 36, 44, 37, true],
    ['nn', 37, 43, 21, false],
    ['nn', 36, 44, 21, false],
    ['nt', 37, 44, 23, false],
    ['tn', 38, 44, 23, false],
    ['tn', 36, 42, 20, false],
    ['nn', 5, 6, 3, false],
  ];
  test.each(LAYOUT_CASES)(
    '%s M=%i N=%i K=%i (vec4 entry: %s) with bias and accumulate matches Σ op(A)·op(B) + bias + old within 1e-4',
    async (layout, M, N, K, vec4) => {
      const transA = layout === 'tn';
      const transB = layout === 'nt';
      expect(usesVec4(M, N, K, transA)).toBe(vec4);
      const rt = await testRuntime();
      const a = randomArray(M * K, M * 100 + K, 1); // (M,K), or (K,M) when transA
      const b = randomArray(K * N, N * 100 + K, 1); // (K,N), or (N,K) when transB
      const bias = randomArray(N, N + 3, 1); // (N)
      const old = randomArray(M * N, M + N, 1); // (M,N), accumulated onto
      const want = new Float32Array(M * N); // (M,N)
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++) {
          let s = old[m * N + n] + bias[n];
          for (let k = 0; k < K; k++)
            s += (transA ? a[k * M + m] : a[m * K + k]) * (transB ? b[n * K + k] : b[k * N + n]);
          want[m * N + n] = s;
        }
      const out = rt.upload(old);
      const rec = rt.recorder();
      matmul(rec, out, rt.upload(a), rt.upload(b), M, N, K, {
        transA,
        transB,
        bias: rt.upload(bias),
        accumulate: true,
      });
      rec.submit();
      const c = allClose(await rt.readF32(out, M * N), want, 1e-4, 1e-5);
      expect(c.ok, `worst |diff| ${c.maxAbs} at ${c.worstIndex}`).toBe(true);
    },
  );

  // Both dbias paths: one invocation per column (rows ≤ BIAS_COLUMN_MAX_ROWS) and the tree reduction.
  test.each([
    [BIAS_COLUMN_MAX_ROWS, 70],
    [BIAS_COLUMN_MAX_ROWS + 77, 5],
  ])('dbias += column sums of dout for BT=%i OC=%i matches the CPU within 1e-5 of scale', async (BT, OC) => {
    const rt = await testRuntime();
    const dout = randomArray(BT * OC, BT + OC, 1); // (BT,OC)
    const dbias0 = randomArray(OC, 41, 1); // (OC), accumulated onto
    const want = Float64Array.from(dbias0); // (OC)
    for (let m = 0; m < BT; m++) for (let n = 0; n < OC; n++) want[n] += dout[m * OC + n];
    const gDbias = rt.upload(dbias0);
    const rec = rt.recorder();
    matmulBackwardBias(rec, gDbias, rt.upload(dout), BT, OC);
    rec.submit();
    expect(relToScale(await rt.readF32(gDbias, OC), want)).toBeLessThan(1e-5);
  });
});
