// layernorm.wgsl against the CPU reference (src/models/cpu/ops.ts) on shapes that are not multiples
// of the 64-wide workgroup, including rows and columns beyond one workgroup's width, through every
// entry point: vec4 rows (C % 4 = 0) and scalar rows, parameter gradients per column and, past
// LAYERNORM_COLUMN_MAX_ROWS rows, per workgroup with a tree.
import { describe, expect, test } from 'vitest';
import { layernormBackward as backwardCpu, layernormForward as forwardCpu } from '../../models/cpu/ops';
import { allClose, randomArray, relToScale, testRuntime } from '../testing';
import { layernormBackward, layernormEntries, layernormForward } from './layernorm';

const SHAPES: [number, number, string][] = [
  // BT, C, the entry points: rows vec4 or scalar, then the parameter gradients' reduction
  [1, 1, 'scalar/column'],
  [13, 20, 'vec4/column'],
  [5, 70, 'scalar/column'],
  [70, 9, 'scalar/column'],
  [70, 64, 'vec4/column'],
  [1, 4, 'vec4/column'],
  [1100, 8, 'vec4/tree'],
  [1030, 5, 'scalar/tree'],
];

/** The entry points layernorm.ts takes for (BT, C), as the SHAPES labels name them. */
function entries(BT: number, C: number): string {
  const e = layernormEntries(BT, C);
  return `${e.vec4 ? 'vec4' : 'scalar'}/${e.tree ? 'tree' : 'column'}`;
}

describe('layernorm kernels', () => {
  test.each(SHAPES)(
    'forward BT=%i C=%i (%s): out, mean, rstd match the CPU within rtol 1e-4 / atol 1e-5',
    async (BT, C, e) => {
      expect(entries(BT, C)).toBe(e);
      const rt = await testRuntime();
      // An offset mean (3) checks the two-pass variance.
      const inp = randomArray(BT * C, BT * 7 + C, 2).map((x) => x + 3); // (BT,C)
      const weight = randomArray(C, C + 1, 1).map((x) => x + 1); // (C)
      const bias = randomArray(C, C + 2, 1); // (C)
      const [out, mean, rstd] = [new Float32Array(BT * C), new Float32Array(BT), new Float32Array(BT)];
      forwardCpu(out, mean, rstd, inp, weight, bias, BT, C);
      const [gOut, gMean, gRstd] = [rt.buffer(BT * C * 4), rt.buffer(BT * 4), rt.buffer(BT * 4)];
      const rec = rt.recorder();
      layernormForward(rec, gOut, gMean, gRstd, rt.upload(inp), rt.upload(weight), rt.upload(bias), BT, C);
      rec.submit();
      const got = (
        await rt.read([
          { buffer: gOut, count: BT * C },
          { buffer: gMean, count: BT },
          { buffer: gRstd, count: BT },
        ])
      ).map((b) => new Float32Array(b));
      [out, mean, rstd].forEach((want, i) => {
        const c = allClose(got[i], want, 1e-4, 1e-5);
        expect(c.ok, `output ${i}: worst |diff| ${c.maxAbs} at ${c.worstIndex}`).toBe(true);
      });
    },
  );

  test.each(SHAPES)(
    'backward BT=%i C=%i (%s) accumulates dinp, dweight, dbias onto existing values within 1e-5 of scale',
    async (BT, C, e) => {
      expect(entries(BT, C)).toBe(e);
      const rt = await testRuntime();
      const inp = randomArray(BT * C, BT + 11 * C, 2); // (BT,C)
      const weight = randomArray(C, C + 5, 1).map((x) => x + 1); // (C)
      const bias = randomArray(C, C + 6, 1); // (C)
      const dout = randomArray(BT * C, 13 * BT + C, 1); // (BT,C)
      const [out, mean, rstd] = [new Float32Array(BT * C), new Float32Array(BT), new Float32Array(BT)];
      forwardCpu(out, mean, rstd, inp, weight, bias, BT, C);
      const dinp0 = randomArray(BT * C, 41, 1); // (BT,C)
      const dw0 = randomArray(C, 42, 1); // (C)
      const db0 = randomArray(C, 43, 1); // (C)
      const [dinp, dw, db] = [dinp0.slice(), dw0.slice(), db0.slice()];
      backwardCpu(dinp, dw, db, dout, inp, weight, mean, rstd, BT, C);

      const [gDinp, gDw, gDb] = [rt.upload(dinp0), rt.upload(dw0), rt.upload(db0)];
      const rec = rt.recorder();
      layernormBackward(
        rec,
        gDinp,
        gDw,
        gDb,
        rt.upload(dout),
        rt.upload(inp),
        rt.upload(weight),
        rt.upload(mean),
        rt.upload(rstd),
        BT,
        C,
      );
      rec.submit();
      const got = (
        await rt.read([
          { buffer: gDinp, count: BT * C },
          { buffer: gDw, count: C },
          { buffer: gDb, count: C },
        ])
      ).map((b) => new Float32Array(b));
      expect(relToScale(got[0], dinp)).toBeLessThan(1e-5);
      expect(relToScale(got[1], dw)).toBeLessThan(1e-5);
      expect(relToScale(got[2], db)).toBeLessThan(1e-5);
    },
  );

  test.each([
    [13, 20],
    [13, 9],
  ])('backward BT=%i C=%i with accumulateInput=false overwrites dinp (within 1e-5 of scale)', async (BT, C) => {
    const rt = await testRuntime();
    const inp = randomArray(BT * C, 51, 2);
    const weight = randomArray(C, 52, 1);
    const dout = randomArray(BT * C, 53, 1);
    const [out, mean, rstd] = [new Float32Array(BT * C), new Float32Array(BT), new Float32Array(BT)];
    forwardCpu(out, mean, rstd, inp, weight, new Float32Array(C), BT, C);
    const want = new Float32Array(BT * C); // (BT,C) from zero
    backwardCpu(want, new Float32Array(C), new Float32Array(C), dout, inp, weight, mean, rstd, BT, C);
    const gDinp = rt.upload(randomArray(BT * C, 54, 100));
    const rec = rt.recorder();
    layernormBackward(
      rec,
      gDinp,
      rt.buffer(C * 4),
      rt.buffer(C * 4),
      rt.upload(dout),
      rt.upload(inp),
      rt.upload(weight),
      rt.upload(mean),
      rt.upload(rstd),
      BT,
      C,
      false,
    );
    rec.submit();
    expect(relToScale(await rt.readF32(gDinp, BT * C), want)).toBeLessThan(1e-5);
  });
});
