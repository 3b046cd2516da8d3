import { afterEach, describe, expect, it } from 'vitest';
import type { GPTConfig } from '../config';
import { DEFAULT_ADAMW, meanNllCoefficients, type TokenBatch } from '../engine';
import { Rng } from '../rng';
import { CpuEngine } from './engine';
import { gemm, gemmRows } from './gemm';
import { nodeThreadPool } from './nodeThreads';
import { attentionBackward, attentionForward, geluBackward, geluForward } from './ops';
import { setThreadPool } from './parallel';
import { claimChunk, partRange, sharedFloat32, threadsAvailable, type ThreadPool } from './threads';

let pool: ThreadPool | null = null;
afterEach(() => {
  setThreadPool(null);
  pool?.dispose();
  pool = null;
});

function differing(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

function filled(n: number, seed: number, shared: boolean): Float32Array {
  const a = shared ? sharedFloat32(n) : new Float32Array(n);
  const rng = new Rng(seed);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

describe('the CPU thread pool', () => {
  it('is available in Node, and parts cover a range in whole granules', () => {
    expect(threadsAvailable()).toBe(true);
    for (const [r0, r1, parts, granule] of [
      [0, 37, 2, 4],
      [0, 64, 3, 4],
      [0, 5, 4, 4],
      [0, 1024, 2, 4],
      [3, 12, 2, 1],
      [0, 9, 4, 1],
    ]) {
      const ranges = Array.from({ length: parts }, (_, p) => partRange(r0, r1, parts, p, granule));
      expect(ranges[0][0]).toBe(r0);
      expect(ranges[parts - 1][1]).toBe(r1);
      for (let p = 1; p < parts; p++) expect(ranges[p][0]).toBe(ranges[p - 1][1]);
      for (const [u0, u1] of ranges) if (u1 < r1) expect((u1 - u0) % granule).toBe(0);
    }
  });

  it('hands out each chunk of a job once, and none of a job whose tag has moved on', () => {
    const claim = new Int32Array(new SharedArrayBuffer(8));
    const [tag, chunks, bits] = [5, 7, 8];
    claim[0] = (tag << bits) | chunks;
    claim[1] = chunks;
    expect(claimChunk(claim, tag + 1, bits)).toBe(-1); // a worker still on another job
    const taken = Array.from({ length: chunks + 2 }, () => claimChunk(claim, tag, bits));
    expect(taken).toEqual([0, 1, 2, 3, 4, 5, 6, -1, -1]);
  });

  it('splits a product across threads bit for bit, with and without bias, accumulate and strides', async () => {
    pool = nodeThreadPool(3)!;
    await pool.started();
    setThreadPool(pool);
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

  it('splits attention over (batch, head) pairs bit for bit, forward and backward', async () => {
    pool = nodeThreadPool(2)!;
    await pool.started();
    // B·NH = 9 pairs (not a multiple of the threads), T = 37 (off the tiles), hs = 48
    const [B, T, NH, C] = [3, 37, 3, 144];
    const qkv = filled(B * T * 3 * C, 1, true);
    const dout = filled(B * T * C, 2, true);
    const run = () => {
      const out = sharedFloat32(B * T * C);
      const preatt = sharedFloat32(B * NH * T * T);
      const att = sharedFloat32(B * NH * T * T);
      attentionForward(out, preatt, att, qkv, B, T, C, NH);
      const dqkv = filled(B * T * 3 * C, 3, true); // accumulated onto
      const dpreatt = sharedFloat32(B * NH * T * T);
      const datt = sharedFloat32(B * NH * T * T);
      attentionBackward(dqkv, dpreatt, datt, dout, qkv, att, B, T, C, NH);
      return [out, preatt, att, dqkv, dpreatt, datt];
    };
    const want = run();
    setThreadPool(pool);
    const got = run();
    expect(pool.counts.parallel).toBe(2);
    for (let i = 0; i < want.length; i++) expect(differing(got[i], want[i])).toBe(0);
    expect(differing(want[3], filled(B * T * 3 * C, 3, true))).toBeGreaterThan(B * T * 3 * C * 0.9); // dqkv moved
  });

  it('splits GELU over its elements bit for bit, forward and backward', async () => {
    pool = nodeThreadPool(3)!;
    await pool.started();
    const N = 10_007;
    const x = filled(N, 1, true);
    const dout = filled(N, 2, true);
    const run = () => {
      const y = sharedFloat32(N);
      geluForward(y, x, N);
      const dx = filled(N, 3, true); // accumulated onto
      geluBackward(dx, x, dout, N);
      return [y, dx];
    };
    const want = run();
    setThreadPool(pool);
    const got = run();
    expect(pool.counts.parallel).toBe(2);
    for (let i = 0; i < want.length; i++) expect(differing(got[i], want[i])).toBe(0);
    expect(differing(want[1], filled(N, 3, true))).toBeGreaterThan(N * 0.9); // dx moved
  });

  it('leaves products of unshared arrays or small shapes to the calling thread', () => {
    pool = nodeThreadPool(2)!;
    setThreadPool(pool);
    const out = new Float32Array(64 * 64);
    gemm(out, filled(64 * 64, 1, false), filled(64 * 64, 2, false), null, 64, 64, 64, 64, 1, 64, 1, false);
    gemm(sharedFloat32(16), filled(16, 1, true), filled(16, 2, true), null, 4, 4, 4, 4, 1, 4, 1, false);
    expect(pool.counts).toEqual({ parallel: 0, local: 2 });
  });

  it.each([2, 3])(
    'a CpuEngine on a pool of %i threads trains bit-identically to one on a single thread',
    async (threads) => {
      // B·NH = 15 attention pairs and B·T = 135 rows: neither splits evenly, nor into whole 4-row tiles
      const config: GPTConfig = { vocabSize: 16, blockSize: 27, nEmbd: 48, nLayer: 2, nHead: 3 };
      const rng = new Rng(5);
      const [B, T] = [5, 27];
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
      pool = nodeThreadPool(threads)!;
      await pool.started();
      setThreadPool(pool);
      const threaded = await train(new CpuEngine(config, { seed: 3 }));
      expect(pool.counts.parallel).toBeGreaterThan(3 * 30); // 3 steps of products, attention and GELU
      let differ = 0;
      let values = 0;
      for (const [name, w] of single) {
        const t = threaded.get(name)!;
        values += w.length;
        for (let i = 0; i < w.length; i++) if (w[i] !== t[i]) differ++;
      }
      expect(values).toBeGreaterThan(50_000);
      expect(differ).toBe(0);
    },
  );
});
