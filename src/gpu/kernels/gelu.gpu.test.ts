// gelu.wgsl against the CPU reference (src/models/cpu/ops.ts), over a range wide enough to reach
// the tanh saturation (|x| up to 12) and a length that is not a multiple of the 256-wide workgroup.
import { describe, expect, test } from 'vitest';
import { geluBackward as backwardCpu, geluForward as forwardCpu } from '../../models/cpu/ops';
import { allClose, randomArray, relToScale, testRuntime } from '../testing';
import { geluBackward, geluForward } from './gelu';

describe('gelu kernels', () => {
  test.each([1, 300, 1031])('N=%i: forward matches the CPU within rtol 1e-4 / atol 1e-5', async (N) => {
    const rt = await testRuntime();
    const inp = randomArray(N, N, 12); // (N)
    const want = new Float32Array(N);
    forwardCpu(want, inp, N);
    const out = rt.buffer(N * 4);
    const rec = rt.recorder();
    geluForward(rec, out, rt.upload(inp), N);
    rec.submit();
    const c = allClose(await rt.readF32(out, N), want, 1e-4, 1e-5);
    expect(c.ok, `worst |diff| ${c.maxAbs} at ${c.worstIndex} (x=${inp[c.worstIndex]})`).toBe(true);
  });

  test.each([1, 300, 1031])('N=%i: backward accumulates onto dinp within 1e-5 of scale', async (N) => {
    const rt = await testRuntime();
    const inp = randomArray(N, 2 * N, 12); // (N)
    const dout = randomArray(N, 3 * N, 1); // (N)
    const dinp0 = randomArray(N, 4 * N, 1); // (N)
    const want = dinp0.slice();
    backwardCpu(want, inp, dout, N);
    const dinp = rt.upload(dinp0);
    const rec = rt.recorder();
    geluBackward(rec, dinp, rt.upload(inp), rt.upload(dout), N);
    rec.submit();
    const got = await rt.readF32(dinp, N);
    expect(relToScale(got, want)).toBeLessThan(1e-5);
    const c = allClose(got, want, 1e-4, 1e-5);
    expect(c.ok, `worst |diff| ${c.maxAbs} at ${c.worstIndex}`).toBe(true);
  });

  test('backward with accumulate=false overwrites dinp', async () => {
    const rt = await testRuntime();
    const N = 300;
    const inp = randomArray(N, 5, 4);
    const dout = randomArray(N, 6, 1);
    const want = new Float32Array(N);
    backwardCpu(want, inp, dout, N);
    const dinp = rt.upload(randomArray(N, 7, 100));
    const rec = rt.recorder();
    geluBackward(rec, dinp, rt.upload(inp), rt.upload(dout), N, false);
    rec.submit();
    expect(relToScale(await rt.readF32(dinp, N), want)).toBeLessThan(1e-5);
  });
});
