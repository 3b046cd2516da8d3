// logprob.wgsl against the CPU reference (src/models/cpu/ops.ts) on shapes that are not multiples of
// the workgroup size (64), with ignored targets (-1) mixed in.
import { describe, expect, test } from 'vitest';
import { logprobEntropyBackward as backwardCpu, logprobEntropyForward as forwardCpu } from '../../models/cpu/ops';
import { Rng } from '../../models/rng';
import { allClose, randomArray, relToScale, testRuntime } from '../testing';
import { logprobEntropyBackward, logprobEntropyForward } from './logprob';

/** Targets (BT) in [0,V) with about a fifth set to -1. */
function randomTargets(BT: number, V: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const t = new Int32Array(BT);
  for (let i = 0; i < BT; i++) t[i] = rng.next() < 0.2 ? -1 : rng.int(V);
  return t;
}

describe('logprob + entropy kernels', () => {
  test.each([
    [1, 1],
    [3, 7],
    [13, 65],
    [5, 130],
  ])('BT=%i V=%i: forward logprobs, entropy and probs match the CPU within rtol 1e-4 / atol 1e-5', async (BT, V) => {
    const rt = await testRuntime();
    const logits = randomArray(BT * V, 11 * BT + V, 6); // (BT,V)
    const targets = randomTargets(BT, V, BT + 7 * V); // (BT)
    const wantLp = new Float32Array(BT);
    const wantH = new Float32Array(BT);
    const wantP = new Float32Array(BT * V);
    forwardCpu(wantLp, wantH, wantP, logits, targets, BT, V);

    const lp = rt.buffer(BT * 4);
    const h = rt.buffer(BT * 4);
    const probs = rt.buffer(BT * V * 4);
    const rec = rt.recorder();
    logprobEntropyForward(rec, lp, h, probs, rt.upload(logits), rt.upload(targets), BT, V);
    rec.submit();
    const [gLp, gH, gP] = (
      await rt.read([
        { buffer: lp, count: BT },
        { buffer: h, count: BT },
        { buffer: probs, count: BT * V },
      ])
    ).map((b) => new Float32Array(b));

    for (const [got, want] of [
      [gLp, wantLp],
      [gH, wantH],
      [gP, wantP],
    ]) {
      const c = allClose(got, want, 1e-4, 1e-5);
      expect(c.ok, `worst |diff| ${c.maxAbs} at ${c.worstIndex}`).toBe(true);
    }
    for (let i = 0; i < BT; i++) {
      if (targets[i] < 0) {
        expect(gLp[i]).toBe(0);
        expect(gH[i]).toBe(0);
      } else {
        // log p ≤ 0 and 0 ≤ H ≤ log V (both bounds tight only for V = 1).
        expect(gLp[i]).toBeLessThanOrEqual(V === 1 ? 1e-6 : -1e-6);
        expect(gH[i]).toBeGreaterThanOrEqual(V === 1 ? -1e-6 : 1e-6);
        expect(gH[i]).toBeLessThanOrEqual(Math.log(V) + 1e-5);
      }
    }
  });

  test.each([
    [3, 7],
    [13, 65],
    [4, 200],
  ])('BT=%i V=%i: backward dlogits match the CPU within relToScale 1e-4', async (BT, V) => {
    const rt = await testRuntime();
    const logits = randomArray(BT * V, 5 * BT + V, 5); // (BT,V)
    const targets = randomTargets(BT, V, 3 * BT + V); // (BT)
    const dLogprobs = randomArray(BT, 17 + BT, 1); // (BT)
    const dEntropy = randomArray(BT, 19 + V, 1); // (BT)
    const lp = new Float32Array(BT);
    const h = new Float32Array(BT);
    const probs = new Float32Array(BT * V);
    forwardCpu(lp, h, probs, logits, targets, BT, V);
    const want = new Float32Array(BT * V);
    backwardCpu(want, probs, targets, dLogprobs, dEntropy, BT, V);

    const dlogits = rt.buffer(BT * V * 4);
    const rec = rt.recorder();
    const t = rt.upload(targets);
    const p = rt.buffer(BT * V * 4);
    logprobEntropyForward(rec, rt.buffer(BT * 4), rt.buffer(BT * 4), p, rt.upload(logits), t, BT, V);
    logprobEntropyBackward(rec, dlogits, p, t, rt.upload(dLogprobs), rt.upload(dEntropy), BT, V);
    rec.submit();
    const got = await rt.readF32(dlogits, BT * V);
    expect(relToScale(got, want)).toBeLessThan(1e-4);
    // The logits gradient of a softmax quantity sums to zero over each row.
    for (let r = 0; r < BT; r++) {
      let s = 0;
      for (let j = 0; j < V; j++) s += got[r * V + j];
      expect(Math.abs(s)).toBeLessThan(1e-5);
      if (targets[r] < 0) for (let j = 0; j < V; j++) expect(got[r * V + j]).toBe(0);
    }
  });
});
