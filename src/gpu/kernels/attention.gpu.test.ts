// attention.wgsl against the CPU reference (src/models/cpu/ops.ts): causal multi-head attention
// forward (out and the softmax) and backward (dq|dk|dv), through both entry points (vec4 heads and
// scalar heads), at T = 1, odd T, T above the 64-wide workgroup, and row counts B·NH·T that are not
// multiples of it.
import { describe, expect, test } from 'vitest';
import { attentionBackward as backwardCpu, attentionForward as forwardCpu } from '../../models/cpu/ops';
import { allClose, randomArray, relToScale, testRuntime } from '../testing';
import { attentionBackward, attentionForward, usesVec4 } from './attention';

const SHAPES: [number, number, number, number, string][] = [
  // B, T, C, NH, the entry points the head width hs = C/NH takes
  [1, 1, 4, 1, 'vec4'],
  [2, 13, 20, 4, 'scalar'],
  [1, 70, 12, 2, 'scalar'],
  [2, 7, 64, 4, 'vec4'], // the bench's head width (16), odd T
  [3, 5, 32, 1, 'vec4'],
  [1, 70, 24, 3, 'vec4'], // hs 8, T above the workgroup
  [1, 3, 68, 1, 'scalar'], // hs % 4 = 0 but wider than the vec4 entries hold
  [1, 1, 10, 2, 'scalar'],
];

function cpuForward(inp: Float32Array, B: number, T: number, C: number, NH: number) {
  const out = new Float32Array(B * T * C); // (B,T,C)
  const preatt = new Float32Array(B * NH * T * T); // (B,NH,T,T)
  const att = new Float32Array(B * NH * T * T); // (B,NH,T,T)
  forwardCpu(out, preatt, att, inp, B, T, C, NH);
  return { out, att };
}

describe('attention kernels', () => {
  test.each(SHAPES)(
    'forward B=%i T=%i C=%i NH=%i (%s): out and att match the CPU within rtol 1e-4 / atol 1e-5, causal',
    async (B, T, C, NH, entry) => {
      expect(usesVec4(C / NH) ? 'vec4' : 'scalar').toBe(entry);
      const rt = await testRuntime();
      const inp = randomArray(B * T * 3 * C, B + T + C, 2); // (B,T,3C)
      const want = cpuForward(inp, B, T, C, NH);
      const [out, att] = [rt.buffer(B * T * C * 4), rt.buffer(B * NH * T * T * 4)];
      const rec = rt.recorder();
      attentionForward(rec, out, att, rt.upload(inp), B, T, C, NH);
      rec.submit();
      const [gOut, gAtt] = (
        await rt.read([
          { buffer: out, count: B * T * C },
          { buffer: att, count: B * NH * T * T },
        ])
      ).map((x) => new Float32Array(x));
      const co = allClose(gOut, want.out, 1e-4, 1e-5);
      expect(co.ok, `out worst |diff| ${co.maxAbs}`).toBe(true);
      const ca = allClose(gAtt, want.att, 1e-4, 1e-5);
      expect(ca.ok, `att worst |diff| ${ca.maxAbs}`).toBe(true);
      // Causal: nothing above the diagonal; each row sums to 1.
      for (let r = 0; r < B * NH * T; r++) {
        const t = r % T;
        let s = 0;
        for (let t2 = 0; t2 < T; t2++) {
          if (t2 > t) expect(gAtt[r * T + t2]).toBe(0);
          s += gAtt[r * T + t2];
        }
        expect(Math.abs(s - 1)).toBeLessThan(1e-5);
      }
    },
  );

  test.each(SHAPES)(
    'backward B=%i T=%i C=%i NH=%i (%s): dq|dk|dv match the CPU within 1e-5 of scale',
    async (B, T, C, NH, entry) => {
      expect(usesVec4(C / NH) ? 'vec4' : 'scalar').toBe(entry);
      const rt = await testRuntime();
      const inp = randomArray(B * T * 3 * C, 2 * B + T + C, 2); // (B,T,3C)
      const dout = randomArray(B * T * C, 3 * B + T + C, 1); // (B,T,C)
      const { att } = cpuForward(inp, B, T, C, NH);
      const want = new Float32Array(B * T * 3 * C); // (B,T,3C)
      backwardCpu(
        want,
        new Float32Array(B * NH * T * T),
        new Float32Array(B * NH * T * T),
        dout,
        inp,
        att,
        B,
        T,
        C,
        NH,
      );
      // dinp starts as garbage: the kernels overwrite every element.
      const dinp = rt.upload(randomArray(B * T * 3 * C, 71, 100));
      const rec = rt.recorder();
      attentionBackward(
        rec,
        dinp,
        rt.buffer(B * NH * T * T * 4),
        rt.upload(dout),
        rt.upload(inp),
        rt.upload(att),
        B,
        T,
        C,
        NH,
      );
      rec.submit();
      const got = await rt.readF32(dinp, B * T * 3 * C);
      expect(relToScale(got, want)).toBeLessThan(1e-5);
      const c = allClose(got, want, 1e-4, 1e-5);
      expect(c.ok, `worst |diff| ${c.maxAbs} at ${c.worstIndex}`).toBe(true);
    },
  );
});
