// adamw.wgsl (with the clip scale from gradnorm.wgsl) against the CPU reference: globalNorm →
// scaleInPlace → adamwUpdate (src/models/cpu/ops.ts), two steps, decay on some ranges only, padding
// between tensors as the engine lays them out.
import { describe, expect, test } from 'vitest';
import { adamwUpdate as adamwCpu, globalNorm, scaleInPlace } from '../../models/cpu/ops';
import { allClose, randomArray, testRuntime } from '../testing';
import { adamwUpdate, decayMaskBits } from './adamw';
import { GRADNORM_PARTIALS, gradNorm } from './gradnorm';

describe('adamw kernel', () => {
  test('two clipped steps with decay on two of three tensors match the CPU within rtol 1e-4 / atol 1e-6', async () => {
    const rt = await testRuntime();
    // Three tensors with gaps between them (alignment padding): [0,300) decays, [320,700) not, [704,1001) decays.
    const tensors = [
      { offset: 0, size: 300, decay: true },
      { offset: 320, size: 380, decay: false },
      { offset: 704, size: 297, decay: true },
    ];
    const n = 1001;
    const inTensor = (i: number) => tensors.find((t) => i >= t.offset && i < t.offset + t.size);
    const mask = new Uint8Array(n); // (n) 1 = decays
    for (let i = 0; i < n; i++) mask[i] = inTensor(i)?.decay ? 1 : 0;
    const params = randomArray(n, 1, 1); // (n)
    for (let i = 0; i < n; i++) if (!inTensor(i)) params[i] = 0; // padding, as the engine keeps it
    const cfg = { lr: 0.01, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };
    const clip = 1;

    const p = rt.upload(params);
    const m = rt.upload(new Float32Array(n));
    const v = rt.upload(new Float32Array(n));
    const bits = rt.upload(decayMaskBits(n, tensors));
    const stats = rt.buffer(8);
    const partials = rt.buffer(GRADNORM_PARTIALS * 4);
    const want = { p: params.slice(), m: new Float32Array(n), v: new Float32Array(n) };
    for (let t = 1; t <= 2; t++) {
      const g = randomArray(n, 10 + t, 0.5); // (n) norm ≈ 9: the clip to 1 is active
      for (let i = 0; i < n; i++) if (!inTensor(i)) g[i] = 0;
      const gBuf = rt.upload(g);
      const rec = rt.recorder();
      gradNorm(rec, stats, partials, gBuf, n, clip);
      adamwUpdate(rec, p, m, v, gBuf, bits, stats, n, { ...cfg, t });
      rec.submit();
      const norm = globalNorm(g);
      expect(norm).toBeGreaterThan(2 * clip);
      scaleInPlace(g, Math.min(1, clip / (norm + 1e-6)));
      adamwCpu(want.p, g, want.m, want.v, t, cfg.lr, cfg.beta1, cfg.beta2, cfg.eps, cfg.weightDecay, mask);
    }
    const [gp, gm, gv] = (
      await rt.read([
        { buffer: p, count: n },
        { buffer: m, count: n },
        { buffer: v, count: n },
      ])
    ).map((b) => new Float32Array(b));
    for (const [name, got, exp] of [
      ['params', gp, want.p],
      ['m', gm, want.m],
      ['v', gv, want.v],
    ] as const) {
      const c = allClose(got, exp, 1e-4, 1e-6);
      expect(c.ok, `${name}: worst |diff| ${c.maxAbs} at ${c.worstIndex}`).toBe(true);
    }
    // Padding stays exactly zero; the update moved every real element.
    for (let i = 0; i < n; i++) {
      if (!inTensor(i)) expect(gp[i]).toBe(0);
      else expect(gp[i]).not.toBe(params[i]);
    }
  });

  test('decayMaskBits sets exactly the decaying ranges', () => {
    const bits = decayMaskBits(70, [
      { offset: 3, size: 30, decay: true },
      { offset: 40, size: 10, decay: false },
      { offset: 64, size: 6, decay: true },
    ]);
    expect(bits.length).toBe(3);
    for (let i = 0; i < 70; i++) {
      const set = ((bits[i >>> 5] >>> (i & 31)) & 1) === 1;
      expect(set, `element ${i}`).toBe((i >= 3 && i < 33) || (i >= 64 && i < 70));
    }
  });
});
