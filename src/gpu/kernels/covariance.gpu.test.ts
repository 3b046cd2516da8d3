// covariance.wgsl against tokenCovariance (src/rl/policyLoss.ts) on batches that are not multiples of
// the workgroup size, with masked tokens whose values must not enter the means.
import { describe, expect, test } from 'vitest';
import { Rng } from '../../models/rng';
import { tokenCovariance } from '../../rl/policyLoss';
import { allClose, testRuntime } from '../testing';
import { covarianceForward } from './covariance';

describe('covariance kernel', () => {
  test.each([1, 37, 300, 1031])(
    'N=%i: cov_t matches tokenCovariance within rtol 1e-4 / atol 1e-5, 0 on masked tokens',
    async (N) => {
      const rt = await testRuntime();
      const rng = new Rng(N);
      const logp = new Float32Array(N); // (N)
      const adv = new Float32Array(N); // (N)
      const mask = new Uint8Array(N); // (N)
      for (let i = 0; i < N; i++) {
        mask[i] = N === 1 || rng.next() < 0.7 ? 1 : 0;
        // Masked tokens carry large values: a kernel that let them into the means would be far off.
        logp[i] = mask[i] ? -3 * rng.next() : -50;
        adv[i] = mask[i] ? rng.next() * 2 - 1 : 40;
      }
      const want = tokenCovariance(logp, adv, mask); // (N) f64

      const cov = rt.buffer(N * 4);
      const rec = rt.recorder();
      covarianceForward(rec, cov, rt.upload(logp), rt.upload(adv), rt.upload(Uint32Array.from(mask)), N);
      rec.submit();
      const got = await rt.readF32(cov, N);
      const c = allClose(got, want, 1e-4, 1e-5);
      expect(c.ok, `worst |diff| ${c.maxAbs} at ${c.worstIndex}`).toBe(true);
      for (let i = 0; i < N; i++) if (!mask[i]) expect(got[i]).toBe(0);
      // Not trivially 0: the centred products are of order 1 where N > 1.
      if (N > 1) expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(0.1);
    },
  );
});
