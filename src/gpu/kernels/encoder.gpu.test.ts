// encoder.wgsl against the CPU reference (src/models/cpu/ops.ts): token + position embedding and
// its deterministic backward, with repeated tokens (several positions feed one wte row), an unused
// vocabulary row, and T below the wpe table's length.
import { describe, expect, test } from 'vitest';
import { encoderBackward as backwardCpu, encoderForward as forwardCpu } from '../../models/cpu/ops';
import { Rng } from '../../models/rng';
import { allClose, randomArray, relToScale, testRuntime } from '../testing';
import { encoderBackward, encoderForward } from './encoder';

/** Tokens (B,T) in [0, V-1): the last vocabulary row is never used. */
function tokensFor(B: number, T: number, V: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: B * T }, () => rng.int(V - 1));
}

const SHAPES: [number, number, number, number][] = [
  // B, T, C, V
  [1, 1, 1, 2],
  [3, 7, 20, 11],
  [5, 13, 30, 67],
];

describe('encoder kernels', () => {
  test.each(SHAPES)('forward B=%i T=%i C=%i V=%i matches the CPU exactly', async (B, T, C, V) => {
    const rt = await testRuntime();
    const maxT = T + 3;
    const tokens = tokensFor(B, T, V, B + T); // (B,T)
    const wte = randomArray(V * C, V, 1); // (V,C)
    const wpe = randomArray(maxT * C, T, 1); // (maxT,C)
    const want = new Float32Array(B * T * C);
    forwardCpu(want, tokens, wte, wpe, B, T, C);
    const out = rt.buffer(B * T * C * 4);
    const rec = rt.recorder();
    encoderForward(rec, out, rt.upload(tokens), rt.upload(wte), rt.upload(wpe), B, T, C, V);
    rec.submit();
    expect(Array.from(await rt.readF32(out, B * T * C))).toEqual(Array.from(want));
  });

  test.each(SHAPES)(
    'backward B=%i T=%i C=%i V=%i accumulates dwte, dwpe within 1e-6 of scale, unused rows unchanged',
    async (B, T, C, V) => {
      const rt = await testRuntime();
      const maxT = T + 3;
      const tokens = tokensFor(B, T, V, 3 * B + T); // (B,T)
      const dout = randomArray(B * T * C, B * T, 1); // (B,T,C)
      const dwte0 = randomArray(V * C, 61, 1); // (V,C)
      const dwpe0 = randomArray(maxT * C, 62, 1); // (maxT,C)
      const [dwte, dwpe] = [dwte0.slice(), dwpe0.slice()];
      backwardCpu(dwte, dwpe, dout, tokens, B, T, C);
      const [gDwte, gDwpe] = [rt.upload(dwte0), rt.upload(dwpe0)];
      const rec = rt.recorder();
      encoderBackward(rec, gDwte, gDwpe, rt.upload(dout), rt.upload(tokens), B, T, C, V);
      rec.submit();
      const [a, b] = (
        await rt.read([
          { buffer: gDwte, count: V * C },
          { buffer: gDwpe, count: maxT * C },
        ])
      ).map((x) => new Float32Array(x));
      expect(relToScale(a, dwte)).toBeLessThan(1e-6);
      expect(allClose(b, dwpe, 1e-5, 1e-6).ok).toBe(true);
      // The never-seen token's row and the positions ≥ T keep their values bit for bit.
      expect(Array.from(a.subarray((V - 1) * C))).toEqual(Array.from(dwte0.subarray((V - 1) * C)));
      expect(Array.from(b.subarray(T * C))).toEqual(Array.from(dwpe0.subarray(T * C)));
    },
  );
});
