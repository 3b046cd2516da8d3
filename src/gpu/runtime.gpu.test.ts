// GpuRuntime's kernel clock (timestamp queries) on the test adapter: the time it reports is the
// passes' own, it rides along with a readback instead of costing one, and it is never more than the
// wall time the work took.
import { expect, test } from 'vitest';
import { matmulForward } from './kernels/matmul';
import { randomArray, testRuntime } from './testing';

test('takeKernelTimeMs: pass time comes back with the next readback (no extra mapAsync), positive and within the wall time', async () => {
  const rt = await testRuntime();
  expect(rt.device.features.has('timestamp-query'), 'the test adapter offers timestamp queries').toBe(true);
  const [BT, C, OC] = [128, 64, 256];
  const inp = rt.upload(randomArray(BT * C, 1, 1));
  const weight = rt.upload(randomArray(OC * C, 2, 1));
  const out = rt.buffer(BT * OC * 4);
  rt.takeKernelTimeMs(); // whatever ran before
  await rt.readF32(out, 1);
  expect(rt.takeKernelTimeMs(), 'no passes, no time').toBe(0);

  const maps = rt.mapCount;
  const t0 = performance.now();
  for (let s = 0; s < 3; s++) {
    const rec = rt.recorder();
    for (let i = 0; i < 4; i++) matmulForward(rec, out, inp, weight, null, BT, C, OC);
    rec.submit();
  }
  const submitted = rt.takeKernelTimeMs();
  expect(submitted, 'nothing has come back before the readback').toBe(0);
  await rt.readF32(out, 1);
  const wall = performance.now() - t0;
  const kernel = rt.takeKernelTimeMs()!;
  expect(rt.mapCount - maps, 'the timestamps rode along with the one readback').toBe(1);
  expect(kernel).toBeGreaterThan(0);
  expect(kernel).toBeLessThanOrEqual(wall);
  expect(rt.takeKernelTimeMs(), 'taken once').toBe(0);
  console.log(
    `12 matmuls (${BT}×${C}·${C}×${OC}) in 3 submissions: kernel ${kernel.toFixed(2)} ms of ${wall.toFixed(2)} ms wall`,
  );
  for (const b of [inp, weight, out]) rt.release(b);
});
