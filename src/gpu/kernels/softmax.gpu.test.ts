import { describe, expect, test } from 'vitest';
import { softmaxForward as softmaxCpu } from '../../models/cpu/ops';
import { allClose, randomArray, testRuntime } from '../testing';
import { softmaxForward } from './softmax';

describe('softmax kernel', () => {
  // Shapes that are not multiples of the workgroup size (64), a single column, and a wide row.
  test.each([
    [1, 1],
    [3, 7],
    [5, 63],
    [17, 65],
    [2, 300],
  ])('rows=%i V=%i matches the CPU reference within rtol 1e-4 / atol 1e-5', async (rows, V) => {
    const rt = await testRuntime();
    const logits = randomArray(rows * V, rows * 1000 + V, 8);
    const want = new Float32Array(rows * V);
    softmaxCpu(want, logits, rows, V);
    const inBuf = rt.upload(logits);
    const outBuf = rt.buffer(rows * V * 4);
    const rec = rt.recorder();
    softmaxForward(rec, outBuf, inBuf, rows, V);
    rec.submit();
    const got = await rt.readF32(outBuf, rows * V);
    const c = allClose(got, want, 1e-4, 1e-5);
    expect(c.maxAbs).toBeLessThan(1e-5);
    expect(c.ok).toBe(true);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = 0; j < V; j++) s += got[r * V + j];
      expect(Math.abs(s - 1)).toBeLessThan(1e-5);
    }
  });
});
