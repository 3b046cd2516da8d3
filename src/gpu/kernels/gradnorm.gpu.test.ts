// gradnorm.wgsl: the global gradient norm and clip scale against globalNorm (src/models/cpu/ops.ts),
// on sizes that are not multiples of the workgroup and larger than one pass of the partial sums.
import { describe, expect, test } from 'vitest';
import { globalNorm } from '../../models/cpu/ops';
import { randomArray, testRuntime } from '../testing';
import { GRADNORM_PARTIALS, gradNorm } from './gradnorm';

describe('gradnorm kernel', () => {
  test.each([
    [1, 0.5],
    [1000, 1],
    [GRADNORM_PARTIALS + 1, 0], // one invocation's slice has two elements, the others one
    [100_003, 1],
    [100_003, 0],
    [70_001, 1e9],
  ])(
    'n=%i clip=%f: norm within rtol 1e-5 of globalNorm; scale = min(1, clip/(norm+1e-6)), 1 when clip ≤ 0',
    async (n, clip) => {
      const rt = await testRuntime();
      const g = randomArray(n, n, 0.1); // (n)
      const want = globalNorm(g);
      const stats = rt.buffer(8);
      const rec = rt.recorder();
      gradNorm(rec, stats, rt.buffer(GRADNORM_PARTIALS * 4), rt.upload(g), n, clip);
      rec.submit();
      const [norm, scale] = await rt.readF32(stats, 2);
      expect(Math.abs(norm - want) / want).toBeLessThan(1e-5);
      const wantScale = clip > 0 ? Math.min(1, clip / (want + 1e-6)) : 1;
      expect(Math.abs(scale - wantScale)).toBeLessThan(1e-5 * wantScale);
      if (n > 1000 && clip === 1) expect(scale).toBeLessThan(0.2); // the clip is actually active here
    },
  );

  test('the norm is bit-identical across runs (fixed reduction order)', async () => {
    const rt = await testRuntime();
    const n = 54_321;
    const g = rt.upload(randomArray(n, 3, 1));
    const stats = [rt.buffer(8), rt.buffer(8)];
    const partials = rt.buffer(GRADNORM_PARTIALS * 4);
    const rec = rt.recorder();
    for (const s of stats) gradNorm(rec, s, partials, g, n, 1);
    rec.submit();
    const [a, b] = (await rt.read(stats.map((buffer) => ({ buffer, count: 2 })))).map((x) => new Float32Array(x));
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
