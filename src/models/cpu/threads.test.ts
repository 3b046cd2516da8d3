import { afterEach, describe, expect, it } from 'vitest';
import type { GPTConfig } from '../config';
import { DEFAULT_ADAMW, meanNllCoefficients, type TokenBatch } from '../engine';
import { Rng } from '../rng';
import { CpuEngine } from './engine';
import { gemm, gemmRows, setGemmPool } from './gemm';
import { nodeThreadPool } from './nodeThreads';
import { partRows, sharedFloat32, threadsAvailable, type ThreadPool } from './threads';

let pool: ThreadPool | null = null;
afterEach(() => {
  setGemmPool(null);
  pool?.dispose();
  pool = null;
});

function filled(n: number, seed: number, shared: boolean): Float32Array {
  const a = shared ? sharedFloat32(n) : new Float32Array(n);
  const rng = new Rng(seed);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

describe('the CPU thread pool', () => {
  it('is available in Node, and parts cover the rows in whole 4-row tiles', () => {
    expect(threadsAvailable()).toBe(true);
    for (const [M, parts] of [
      [37, 2],
      [64, 3],
      [5, 4],
      [1024, 2],
    ]) {
      const ranges = Array.from({ length: parts }, (_, p) => partRows(M, parts, p));
      expect(ranges[0][0]).toBe(0);
      expect(ranges[parts - 1][1]).toBe(M);
      for (let p = 1; p < parts; p++) expect(ranges[p][0]).toBe(ranges[p - 1][1]);
      for (const [m0, m1] of ranges) if (m1 < M) expect((m1 - m0) % 4).toBe(0);
    }
  });

  it('splits a product across threads bit for bit, with and without bias, accumulate and strides', async () => {
    pool = nodeThreadPool(3)!;
    await pool.started();
    setGemmPool(pool);
    const [M, N, K] = [203, 70, 96]; // rows and columns off the 4×4 tiles
    const A = filled(M * K, 1, true);
    const B = filled(K * N, 2, true);
    const bias = filled(N, 3, true);
    for (const [sAm, sAk, sBk, sBn, accumulate, withBias] of [
      [K, 1, N, 1, false, true],
      [1, M, 1, K, true, false], // both transposed: Aᵀ and Bᵀ read in place
    ] as const) {
      const out = filled(M * N, 4, true);
      const want = Float32Array.from(out);
      gemmRows(want, A, B, withBias ? bias : null, 0, M, N, K, sAm, sAk, sBk, sBn, accumulate);
      const before = pool.counts.parallel;
      gemm(out, A, B, withBias ? bias : null, M, N, K, sAm, sAk, sBk, sBn, accumulate);
      expect(pool.counts.parallel).toBe(before + 1);
      let differ = 0;
      for (let i = 0; i < out.length; i++) if (out[i] !== want[i]) differ++;
      expect(differ).toBe(0);
    }
  });

  it('leaves products of unshared arrays or small shapes to the calling thread', () => {
    pool = nodeThreadPool(2)!;
    setGemmPool(pool);
    const out = new Float32Array(64 * 64);
    gemm(out, filled(64 * 64, 1, false), filled(64 * 64, 2, false), null, 64, 64, 64, 64, 1, 64, 1, false);
    gemm(sharedFloat32(16), filled(16, 1, true), filled(16, 2, true), null, 4, 4, 4, 4, 1, 4, 1, false);
    expect(pool.counts).toEqual({ parallel: 0, local: 2 });
  });

  it('a CpuEngine on the pool trains bit-identically to one on a single thread', async () => {
    const config: GPTConfig = { vocabSize: 16, blockSize: 32, nEmbd: 64, nLayer: 2, nHead: 4 };
    const rng = new Rng(5);
    const [B, T] = [8, 32];
    const tokens = Int32Array.from({ length: B * T }, () => rng.int(16));
    const targets = Int32Array.from({ length: B * T }, (_, i) => ((i + 1) % T === 0 ? -1 : tokens[i + 1]));
    const batch: TokenBatch = { B, T, tokens, targets };
    const { dLogprobs, dEntropy } = meanNllCoefficients(batch);
    const train = async (engine: CpuEngine) => {
      for (let s = 0; s < 3; s++) {
        await engine.forward(batch);
        engine.zeroGrad();
        await engine.backward(dLogprobs, dEntropy);
        await engine.step({ ...DEFAULT_ADAMW, lr: 1e-3 });
      }
      return engine.getWeights();
    };
    const single = await train(new CpuEngine(config, { seed: 3 }));
    pool = nodeThreadPool(2)!;
    await pool.started();
    setGemmPool(pool);
    const threaded = await train(new CpuEngine(config, { seed: 3 }));
    expect(pool.counts.parallel).toBeGreaterThan(30); // forward and backward products of 3 steps
    let differ = 0;
    let values = 0;
    for (const [name, w] of single) {
      const t = threaded.get(name)!;
      values += w.length;
      for (let i = 0; i < w.length; i++) if (w[i] !== t[i]) differ++;
    }
    expect(values).toBeGreaterThan(100_000);
    expect(differ).toBe(0);
  });
});
