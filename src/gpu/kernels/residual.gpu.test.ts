// residual.wgsl against the CPU reference (src/models/cpu/ops.ts) at lengths that are not multiples
// of the 256-wide workgroup.
import { describe, expect, test } from 'vitest';
import { residualForward as forwardCpu } from '../../models/cpu/ops';
import { randomArray, testRuntime } from '../testing';
import { residualForward } from './residual';

describe('residual kernel', () => {
  test.each([1, 257, 1031])('N=%i: out = a + b exactly as the CPU computes it', async (N) => {
    const rt = await testRuntime();
    const a = randomArray(N, N, 3); // (N)
    const b = randomArray(N, N + 1, 3); // (N)
    const want = new Float32Array(N);
    forwardCpu(want, a, b, N);
    const out = rt.buffer(N * 4);
    const rec = rt.recorder();
    residualForward(rec, out, rt.upload(a), rt.upload(b), N);
    rec.submit();
    // One f32 addition per element: bit-identical.
    expect(Array.from(await rt.readF32(out, N))).toEqual(Array.from(want));
  });
});
