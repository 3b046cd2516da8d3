// kl.wgsl against the TS formulas (klToken, src/rl/kl.ts) for k1/k2/k3 on N not a multiple of 256.
import { describe, expect, test } from 'vitest';
import { klToken } from '../../rl/kl';
import { Rng } from '../../models/rng';
import { allClose, testRuntime } from '../testing';
import { klForward } from './kl';

describe('kl kernel', () => {
  test.each(['k1', 'k2', 'k3'] as const)(
    '%s: values and d/dlogπ match klToken within rtol 1e-4 / atol 1e-5, zero on masked tokens',
    async (estimator) => {
      const rt = await testRuntime();
      const N = 301;
      const rng = new Rng(42);
      const logp = new Float32Array(N); // (N)
      const ref = new Float32Array(N); // (N)
      const mask = new Uint32Array(N); // (N)
      for (let i = 0; i < N; i++) {
        logp[i] = -5 * rng.next();
        // Small and large gaps to the reference: k3's cancellation near Δ = 0 and its growth at |Δ| ~ 2.
        ref[i] = logp[i] + (rng.next() * 2 - 1) * (i % 3 === 0 ? 1e-3 : 2);
        mask[i] = rng.next() < 0.8 ? 1 : 0;
      }
      const wantV = new Float32Array(N);
      const wantD = new Float32Array(N);
      for (let i = 0; i < N; i++) {
        if (!mask[i]) continue;
        const k = klToken(logp[i], ref[i], estimator);
        wantV[i] = k.value;
        wantD[i] = k.dLogp;
      }
      const kl = rt.buffer(N * 4);
      const dKl = rt.buffer(N * 4);
      const rec = rt.recorder();
      klForward(rec, kl, dKl, rt.upload(logp), rt.upload(ref), rt.upload(mask), N, estimator);
      rec.submit();
      const [gV, gD] = (
        await rt.read([
          { buffer: kl, count: N },
          { buffer: dKl, count: N },
        ])
      ).map((b) => new Float32Array(b));
      const cv = allClose(gV, wantV, 1e-4, 1e-5);
      const cd = allClose(gD, wantD, 1e-4, 1e-5);
      expect(cv.ok, `value worst ${cv.maxAbs} at ${cv.worstIndex}`).toBe(true);
      expect(cd.ok, `dLogp worst ${cd.maxAbs} at ${cd.worstIndex}`).toBe(true);
      for (let i = 0; i < N; i++) if (!mask[i]) expect([gV[i], gD[i]]).toEqual([0, 0]);
      if (estimator !== 'k1') for (let i = 0; i < N; i++) expect(gV[i]).toBeGreaterThanOrEqual(0);
    },
  );
});
