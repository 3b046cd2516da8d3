// covariance.wgsl against tokenCovariance (src/rl/policyLoss.ts) on batches that are not multiples of
// the workgroup size, with masked tokens whose values must not enter the means.
import { describe, expect, test } from 'vitest';
import { Rng } from '../../models/rng';
import { tokenCovariance } from '../../rl/policyLoss';
import { allClose, testRuntime } from '../testing';
import { covarianceForward } from './covariance';

describe('covariance kernel', () => {
  test.each([1, 37, 300, 1031])(
    'N=%i: cov_t and its mean match tokenCovariance within rtol 1e-4 / atol 1e-5',
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
      let wantMean = 0;
      let n = 0;
      for (let i = 0; i < N; i++) if (mask[i]) ((wantMean += want[i]), n++);
      wantMean /= n;

      const cov = rt.buffer(N * 4);
      const mean = rt.buffer(4);
      const rec = rt.recorder();
      covarianceForward(rec, cov, mean, rt.upload(logp), rt.upload(adv), rt.upload(Uint32Array.from(mask)), N);
      rec.submit();
      const [gCov, gMean] = (
        await rt.read([
          { buffer: cov, count: N },
          { buffer: mean, count: 1 },
        ])
      ).map((b) => new Float32Array(b));
      const c = allClose(gCov, want, 1e-4, 1e-5);
      expect(c.ok, `worst |diff| ${c.maxAbs} at ${c.worstIndex}`).toBe(true);
      expect(Math.abs(gMean[0] - wantMean)).toBeLessThan(1e-5 + 1e-4 * Math.abs(wantMean));
      for (let i = 0; i < N; i++) if (!mask[i]) expect(gCov[i]).toBe(0);
    },
  );
});
