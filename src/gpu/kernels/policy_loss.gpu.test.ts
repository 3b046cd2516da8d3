// policy_loss.wgsl against policyLossToken (src/rl/policyLoss.ts) for each loss mode, with ratios
// that fall on both sides of the clip range, dual-clip, KL-Cov selection and every KL estimator
// (k1, k2, k3 of lib/kl.wgsl, k3 also at gaps to the reference small enough for its series branch);
// policy_loss_reduce.wgsl against the same sums in f64 over the masked tokens.
import { describe, expect, test } from 'vitest';
import { CLIPPED_HIGH, CLIPPED_LOW, type TokenLossParams } from '../../models/engine';
import { Rng } from '../../models/rng';
import { policyLossToken } from '../../rl/policyLoss';
import { allClose, testRuntime } from '../testing';
import { packTokenInputs, POLICY_LOSS_SUMS, policyLossForward, policyLossReduce } from './policy_loss';

const base: TokenLossParams = {
  clip: true,
  epsLow: 0.2,
  epsHigh: 0.28,
  dualClip: null,
  klCoef: 0.1,
  klEstimator: 'k3',
  entropyCoef: 0.01,
  klCovCoef: 1,
};

const cases: [string, TokenLossParams][] = [
  ['vanilla, k3', base],
  ['vanilla with dual-clip c=1.5, k1', { ...base, dualClip: 1.5, klEstimator: 'k1' }],
  ['clip-cov (pgActive 0 on detached tokens), k2', { ...base, klEstimator: 'k2' }],
  ['kl-cov (no clip, |logπ−logπ_old| on selected tokens)', { ...base, clip: false, klCovCoef: 2 }],
];

describe('policy loss kernel', () => {
  test.each(cases)('%s: dL/dlogπ, dL/dH, loss, pg, kl and clip flags match policyLossToken', async (_, lp) => {
    const rt = await testRuntime();
    const N = 301; // not a multiple of the workgroup (256)
    const rng = new Rng(7 + N);
    const logp = new Float32Array(N); // (N)
    const old = new Float32Array(N); // (N)
    const ref = new Float32Array(N); // (N)
    const ent = new Float32Array(N); // (N)
    const adv = new Float32Array(N); // (N)
    const w = new Float32Array(N); // (N)
    const active = new Float32Array(N); // (N)
    const sel = new Float32Array(N); // (N)
    for (let i = 0; i < N; i++) {
      logp[i] = -4 * rng.next();
      old[i] = logp[i] + (rng.next() * 2 - 1) * 0.6; // ρ in [0.55, 1.8]: both clip edges hit
      // Every third gap to the reference is tiny: k3's exp(Δ) − Δ − 1 cancels there in f32.
      ref[i] = logp[i] + (rng.next() * 2 - 1) * (i % 3 === 0 ? 1e-3 : 0.5);
      ent[i] = 3 * rng.next();
      adv[i] = (rng.next() * 2 - 1) * 2;
      w[i] = rng.next() < 0.15 ? 0 : 1 / 100;
      active[i] = rng.next() < 0.2 ? 0 : 1;
      sel[i] = rng.next() < 0.3 ? 1 : 0;
    }
    const dLp = rt.buffer(N * 4);
    const dH = rt.buffer(N * 4);
    const terms = rt.buffer(N * 16);
    const rec = rt.recorder();
    policyLossForward(
      rec,
      { dLogprobs: dLp, dEntropy: dH, terms },
      {
        logprobs: rt.upload(logp),
        oldLogprobs: rt.upload(old),
        refLogprobs: rt.upload(ref),
        entropy: rt.upload(ent),
        tokenIn: rt.upload(packTokenInputs(adv, w, active, sel)),
      },
      N,
      lp,
    );
    rec.submit();
    const [gD, gH, gT] = (
      await rt.read([
        { buffer: dLp, count: N },
        { buffer: dH, count: N },
        { buffer: terms, count: N * 4 },
      ])
    ).map((b) => new Float32Array(b));

    const want = {
      d: new Float32Array(N),
      h: new Float32Array(N),
      loss: new Float32Array(N),
      pg: new Float32Array(N),
      kl: new Float32Array(N),
    };
    const got = { d: gD, h: gH, loss: new Float32Array(N), pg: new Float32Array(N), kl: new Float32Array(N) };
    let low = 0;
    let high = 0;
    for (let i = 0; i < N; i++) {
      [got.loss[i], got.pg[i], got.kl[i]] = [gT[i * 4], gT[i * 4 + 1], gT[i * 4 + 2]];
      if (w[i] === 0) {
        expect([gD[i], gH[i], gT[i * 4], gT[i * 4 + 3]]).toEqual([0, 0, 0, 0]);
        continue;
      }
      const o = policyLossToken(
        {
          logp: logp[i],
          oldLogp: old[i],
          refLogp: ref[i],
          advantage: adv[i],
          entropy: ent[i],
          weight: w[i],
          pgActive: active[i],
          klCovSelected: sel[i],
        },
        lp,
      );
      [want.d[i], want.h[i], want.loss[i], want.pg[i], want.kl[i]] = [o.dLogprob, o.dEntropy, o.loss, o.pg, o.kl];
      const flag = o.lowClipped ? CLIPPED_LOW : o.highClipped ? CLIPPED_HIGH : 0;
      expect(gT[i * 4 + 3], `clip flag of token ${i}`).toBe(flag);
      if (flag === CLIPPED_LOW) low++;
      if (flag === CLIPPED_HIGH) high++;
    }
    for (const k of ['d', 'h', 'loss', 'pg', 'kl'] as const) {
      const c = allClose(got[k], want[k], 1e-4, 1e-6);
      expect(c.ok, `${k}: worst |diff| ${c.maxAbs} at ${c.worstIndex}`).toBe(true);
    }
    // The random ratios must exercise both clip edges, or the test would not see a wrong clip branch.
    expect(low).toBeGreaterThan(5);
    expect(high).toBeGreaterThan(5);
    // k2 and k3 are ≥ 0; at tiny gaps (|Δ| ≤ 1e-3, kl ~ 1e-7) the k3 value holds 1e-3 relative, which
    // the plain f32 formula (error ~ 1e-7 absolute) would not.
    let tiny = 0;
    for (let i = 0; i < N; i++) {
      if (w[i] === 0) continue;
      if (lp.klEstimator !== 'k1') expect(got.kl[i], `kl of token ${i}`).toBeGreaterThanOrEqual(0);
      if (lp.klEstimator === 'k3' && i % 3 === 0 && want.kl[i] > 0) {
        tiny++;
        expect(Math.abs(got.kl[i] - want.kl[i]) / want.kl[i], `k3 at token ${i}`).toBeLessThan(1e-3);
      }
    }
    if (lp.klEstimator === 'k3') expect(tiny).toBeGreaterThan(50);
  });

  test('policy_loss_reduce: the masked sums of loss, w·pgActive·pg, kl, cov within 1e-6 of Σ|term|, clip counts exactly', async () => {
    const rt = await testRuntime();
    const N = 1000; // several tokens per invocation of the one workgroup (256)
    const rng = new Rng(11);
    const u = () => rng.next() * 2 - 1;
    const terms = new Float32Array(N * 4); // (N,4) [loss, pg, kl, clip flag]
    const tokenIn = new Float32Array(N * 4); // (N,4) [A, w, pgActive, klCovSelected]
    const cov = Float32Array.from({ length: N }, () => u() * 0.3);
    const mask = Uint32Array.from({ length: N }, () => (rng.next() < 0.7 ? 1 : 0));
    for (let i = 0; i < N; i++) {
      terms.set([u(), 2 * u(), Math.abs(u()) * 0.1, [0, CLIPPED_LOW, CLIPPED_HIGH][rng.int(3)]], i * 4);
      tokenIn.set([u(), rng.next() / 50, rng.next() < 0.8 ? 1 : 0, 0], i * 4);
    }
    const sums = rt.buffer(POLICY_LOSS_SUMS * 4);
    const rec = rt.recorder();
    policyLossReduce(rec, sums, rt.upload(terms), rt.upload(tokenIn), rt.upload(cov), rt.upload(mask), N);
    rec.submit();
    const got = await rt.readF32(sums, POLICY_LOSS_SUMS);
    const want = new Float64Array(POLICY_LOSS_SUMS);
    const scale = new Float64Array(POLICY_LOSS_SUMS); // Σ|term|: the size of f32 rounding in the sums
    for (let i = 0; i < N; i++) {
      if (!mask[i]) continue;
      const t = terms.subarray(i * 4, i * 4 + 4);
      const x = tokenIn.subarray(i * 4, i * 4 + 4);
      const values = [
        t[0],
        x[1] * x[2] * t[1],
        t[2],
        cov[i],
        t[3] === CLIPPED_LOW ? 1 : 0,
        t[3] === CLIPPED_HIGH ? 1 : 0,
        1,
      ];
      values.forEach((v, k) => {
        want[k] += v;
        scale[k] += Math.abs(v);
      });
    }
    for (let k = 0; k < 4; k++) expect(Math.abs(got[k] - want[k]), `sum ${k}`).toBeLessThan(1e-6 * scale[k]);
    expect(Array.from(got.subarray(4, 7))).toEqual(Array.from(want.subarray(4, 7)));
    expect(want[4] * want[5], 'both clip flags occur').toBeGreaterThan(0);
  });
});
