// decode.wgsl against the CPU reference (src/models/cpu/ops.ts): the one-position embedding, the
// one-query attention over a cache filled step by step (= full causal attention at that position),
// and the few-row matmul with each fused epilogue, on shapes that are not multiples of 64.
import { describe, expect, test } from 'vitest';
import { attentionForward, encoderForward, geluForward, matmulForward, residualForward } from '../../models/cpu/ops';
import { Rng } from '../../models/rng';
import { allClose, randomArray, testRuntime } from '../testing';
import { attentionDecode, encoderDecode, matmulDecode, type DecodeEpilogue } from './decode';
import { layernormForward } from './layernorm';

describe('decode kernels', () => {
  test('attention_decode, stepped over 0..T-1 with the cache, equals causal attention at each position (rtol 1e-4 / atol 1e-5)', async () => {
    const rt = await testRuntime();
    const [rows, T, C, NH, Tmax] = [3, 9, 12, 3, 11];
    const qkv = randomArray(rows * T * 3 * C, 5, 2); // (rows,T,3C)
    const want = new Float32Array(rows * T * C); // (rows,T,C)
    attentionForward(
      want,
      new Float32Array(rows * NH * T * T),
      new Float32Array(rows * NH * T * T),
      qkv,
      rows,
      T,
      C,
      NH,
    );

    const k = rt.buffer(rows * Tmax * C * 4);
    const v = rt.buffer(rows * Tmax * C * 4);
    const outs = Array.from({ length: T }, () => rt.buffer(rows * C * 4));
    const rec = rt.recorder();
    for (let pos = 0; pos < T; pos++) {
      const step = new Float32Array(rows * 3 * C); // (rows,3C) this position's q|k|v
      for (let r = 0; r < rows; r++)
        step.set(qkv.subarray((r * T + pos) * 3 * C, (r * T + pos + 1) * 3 * C), r * 3 * C);
      attentionDecode(rec, outs[pos], k, v, rt.upload(step), { rows, C, NH, Tmax }, pos);
    }
    rec.submit();
    const got = (await rt.read(outs.map((buffer) => ({ buffer, count: rows * C })))).map((b) => new Float32Array(b));
    for (let pos = 0; pos < T; pos++) {
      const exp = new Float32Array(rows * C);
      for (let r = 0; r < rows; r++) exp.set(want.subarray((r * T + pos) * C, (r * T + pos + 1) * C), r * C);
      const c = allClose(got[pos], exp, 1e-4, 1e-5);
      expect(c.ok, `pos ${pos}: worst |diff| ${c.maxAbs}`).toBe(true);
    }
  });

  test('encoder_decode gives wte[token at pos] + wpe[pos] per row, as encoderForward', async () => {
    const rt = await testRuntime();
    const [rows, Tmax, C, V, pos] = [5, 7, 13, 11, 4];
    const rng = new Rng(3);
    const tokens = Int32Array.from({ length: rows * Tmax }, () => rng.int(V)); // (rows,Tmax)
    const wte = randomArray(V * C, 1); // (V,C)
    const wpe = randomArray(Tmax * C, 2); // (Tmax,C)
    const full = new Float32Array(rows * Tmax * C); // (rows,Tmax,C)
    encoderForward(full, tokens, wte, wpe, rows, Tmax, C);
    const x = rt.buffer(rows * C * 4);
    const rec = rt.recorder();
    encoderDecode(rec, x, rt.upload(tokens), rt.upload(wte), rt.upload(wpe), { rows, C, NH: 1, Tmax }, pos);
    rec.submit();
    const got = await rt.readF32(x, rows * C);
    for (let r = 0; r < rows; r++)
      expect(Array.from(got.subarray(r * C, (r + 1) * C))).toEqual(
        Array.from(full.subarray((r * Tmax + pos) * C, (r * Tmax + pos + 1) * C)),
      );
  });

  test.each(['bias', 'gelu', 'residual', 'none'] as DecodeEpilogue[])(
    'matmul_decode with epilogue %s matches matmulForward (+ GELU / residual) within rtol 1e-4 / atol 1e-5',
    async (epilogue) => {
      const rt = await testRuntime();
      const [M, K, N] = [3, 130, 67];
      const a = randomArray(M * K, 1); // (M,K)
      const w = randomArray(K * N, 2, 0.2); // (K,N)
      const bias = randomArray(N, 3); // (N)
      const res = randomArray(M * N, 4); // (M,N)
      const lin = new Float32Array(M * N); // (M,N)
      matmulForward(lin, a, w, epilogue === 'none' ? null : bias, M, K, N);
      const want = new Float32Array(M * N);
      if (epilogue === 'gelu') geluForward(want, lin, M * N);
      else if (epilogue === 'residual') residualForward(want, res, lin, M * N);
      else want.set(lin);
      const out = rt.buffer(M * N * 4);
      const rec = rt.recorder();
      const b = epilogue === 'none' ? null : rt.upload(bias);
      matmulDecode(
        rec,
        out,
        rt.upload(a),
        rt.upload(w),
        M,
        N,
        K,
        epilogue,
        b,
        epilogue === 'residual' ? rt.upload(res) : null,
      );
      rec.submit();
      const c = allClose(await rt.readF32(out, M * N), want, 1e-4, 1e-5);
      expect(c.ok, `worst |diff| ${c.maxAbs} at ${c.worstIndex}`).toBe(true);
    },
  );

  test('matmul_decode with W stored (N,K) (the tied LM head) equals x·wteᵀ', async () => {
    const rt = await testRuntime();
    const [M, K, N] = [4, 70, 23];
    const a = randomArray(M * K, 5); // (M,K)
    const wte = randomArray(N * K, 6); // (N,K)
    const wT = new Float32Array(K * N); // (K,N)
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) wT[k * N + n] = wte[n * K + k];
    const want = new Float32Array(M * N);
    matmulForward(want, a, wT, null, M, K, N);
    const out = rt.buffer(M * N * 4);
    const rec = rt.recorder();
    matmulDecode(rec, out, rt.upload(a), rt.upload(wte), M, N, K, 'none', null, null, true);
    rec.submit();
    const c = allClose(await rt.readF32(out, M * N), want, 1e-4, 1e-5);
    expect(c.ok, `worst |diff| ${c.maxAbs}`).toBe(true);
  });

  test.each([
    [3, 70, 36, 'vec4'],
    [2, 19, 13, 'scalar'],
  ] as const)(
    'matmul_decode with a LayerNorm fused in front (M=%i, N=%i, K=%i, %s statistics) equals layernormForward then matmul_decode, bit for bit',
    async (M, N, K, _stats) => {
      const rt = await testRuntime();
      const a = rt.upload(randomArray(M * K, 21, 3)); // (M,K) rows of a residual stream
      const w = rt.upload(randomArray(K * N, 22)); // (K,N)
      const bias = rt.upload(randomArray(N, 23));
      const ln = { w: rt.upload(randomArray(K, 24, 2)), b: rt.upload(randomArray(K, 25)) };
      const [normed, mean, rstd, unfused, fused] = [M * K, M, M, M * N, M * N].map((n) => rt.buffer(n * 4));
      const start = rt.dispatchCount;
      const rec = rt.recorder();
      layernormForward(rec, normed, mean, rstd, a, ln.w, ln.b, M, K);
      matmulDecode(rec, unfused, normed, w, M, N, K, 'gelu', bias);
      const unfusedDispatches = rt.dispatchCount - start;
      matmulDecode(rec, fused, a, w, M, N, K, 'gelu', bias, null, false, ln);
      rec.submit();
      expect(rt.dispatchCount - start - unfusedDispatches, 'one dispatch').toBe(1);
      const [want, got] = (
        await rt.read([
          { buffer: unfused, count: M * N },
          { buffer: fused, count: M * N },
        ])
      ).map((b) => new Float32Array(b));
      expect(Math.max(...want.map(Math.abs)), 'not all zero').toBeGreaterThan(0.1);
      expect(Array.from(got)).toEqual(Array.from(want));
    },
  );
});
