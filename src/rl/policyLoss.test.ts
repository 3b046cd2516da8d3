// Policy-loss formulas: hand-worked single tokens, aggregation weights, KL estimators, Clip-Cov /
// KL-Cov selection, a hand-worked batch, and every coefficient against finite differences of the loss.
import { describe, expect, it } from 'vitest';
import { aggregationWeights } from './aggregation';
import { klToken } from './kl';
import {
  planSelection,
  policyLossCoefficients,
  policyLossToken,
  selectClipCov,
  selectKlCov,
  selectionCount,
  tokenCovariance,
  topEntropyMask,
  type PolicyLossInput,
  type PolicyLossParams,
  type TokenLossInput,
  type TokenLossParams,
} from './policyLoss';
import { KL_ESTIMATORS } from '../models/engine';
import { Rng } from '../models/rng';

const tokenParams = (o: Partial<TokenLossParams> = {}): TokenLossParams => ({
  clip: true,
  epsLow: 0.2,
  epsHigh: 0.2,
  dualClip: null,
  klCoef: 0,
  klEstimator: 'k3',
  entropyCoef: 0,
  klCovCoef: 1,
  ...o,
});
const tok = (ratio: number, advantage: number, o: Partial<TokenLossInput> = {}): TokenLossInput => ({
  logp: Math.log(ratio) - 1,
  oldLogp: -1,
  refLogp: Math.log(ratio) - 1,
  advantage,
  entropy: 0,
  weight: 1,
  pgActive: 1,
  klCovSelected: 0,
  ...o,
});

describe('policyLossToken (per-token clipped surrogate)', () => {
  it('A>0, ρ=1.5 > 1+ε_high: clipped to −1.2·A, zero gradient, counted high-clipped', () => {
    // −ρA = −1.5; −clip(ρ)A = −1.2; max = −1.2 (the constant branch)
    const o = policyLossToken(tok(1.5, 1), tokenParams());
    expect(o.pg).toBeCloseTo(-1.2, 12);
    expect(o.dLogprob).toBe(0);
    expect(o.highClipped).toBe(true);
    expect(o.lowClipped).toBe(false);
  });

  it('A>0, ρ=0.5 below the band: the unclipped branch wins, gradient −ρA = −0.5, not counted clipped', () => {
    // −ρA = −0.5 > −0.8·A = −0.8
    const o = policyLossToken(tok(0.5, 1), tokenParams());
    expect(o.pg).toBeCloseTo(-0.5, 12);
    expect(o.dLogprob).toBeCloseTo(-0.5, 12);
    expect(o.lowClipped || o.highClipped).toBe(false);
  });

  it('A<0, ρ=0.5 < 1−ε_low: clipped to 0.8, zero gradient, counted low-clipped', () => {
    // −ρA = 0.5; −clip(ρ)A = 0.8; max = 0.8
    const o = policyLossToken(tok(0.5, -1), tokenParams());
    expect(o.pg).toBeCloseTo(0.8, 12);
    expect(o.dLogprob).toBe(0);
    expect(o.lowClipped).toBe(true);
  });

  it('asymmetric clip-higher: ε_high=0.28 lets ρ=1.25 through that ε_high=0.2 clips', () => {
    expect(policyLossToken(tok(1.25, 1), tokenParams({ epsHigh: 0.28 })).dLogprob).toBeCloseTo(-1.25, 12);
    expect(policyLossToken(tok(1.25, 1), tokenParams({ epsHigh: 0.2 })).dLogprob).toBe(0);
  });

  it('dual-clip c=3 caps the loss of A<0, ρ=5 at −cA = 3 with zero gradient', () => {
    // no dual clip: max(−ρA, −clip(ρ)A) = max(5, 1.2) = 5, gradient −ρA = 5
    const plain = policyLossToken(tok(5, -1), tokenParams());
    expect(plain.pg).toBeCloseTo(5, 12);
    expect(plain.dLogprob).toBeCloseTo(5, 12);
    // dual clip: min(5, −A·c = 3) = 3
    const dual = policyLossToken(tok(5, -1), tokenParams({ dualClip: 3 }));
    expect(dual.pg).toBeCloseTo(3, 12);
    expect(dual.dLogprob).toBe(0);
    // inside the band dual clip changes nothing: A=−2, ρ=1.1: −ρA = 2.2 < −cA = 6
    const inside = policyLossToken(tok(1.1, -2), tokenParams({ dualClip: 3 }));
    expect(inside.pg).toBeCloseTo(2.2, 12);
    expect(inside.dLogprob).toBeCloseTo(2.2, 12);
  });

  it('KL-Cov token: no clip, −ρA + k·|logπ − logπ_old|, gradient −ρA + k·sign', () => {
    // ρ = e^0.1 = 1.105171; pg = −1.105171 + 1·0.1 = −1.005171; d = −1.105171 + 1 = −0.105171
    const o = policyLossToken(tok(Math.exp(0.1), 1, { klCovSelected: 1 }), tokenParams({ clip: false }));
    expect(o.pg).toBeCloseTo(-1.005171, 6);
    expect(o.dLogprob).toBeCloseTo(-0.105171, 6);
    // unselected: plain −ρA, even past 1+ε (no clip in KL-Cov)
    const u = policyLossToken(tok(1.5, 1), tokenParams({ clip: false }));
    expect(u.pg).toBeCloseTo(-1.5, 12);
    expect(u.dLogprob).toBeCloseTo(-1.5, 12);
  });

  it('entropy bonus: loss −α·w·H and dL/dH = −α·w; pgActive=0 removes only the PG term', () => {
    // w=0.5, α=0.1, H=2, A=1, ρ=1: loss = 0.5·(−1 − 0.2) = −0.6
    const o = policyLossToken(tok(1, 1, { weight: 0.5, entropy: 2 }), tokenParams({ entropyCoef: 0.1 }));
    expect(o.loss).toBeCloseTo(-0.6, 12);
    expect(o.dEntropy).toBeCloseTo(-0.05, 12);
    const masked = policyLossToken(
      tok(1, 1, { weight: 0.5, entropy: 2, pgActive: 0 }),
      tokenParams({ entropyCoef: 0.1 }),
    );
    expect(masked.loss).toBeCloseTo(-0.1, 12);
    expect(masked.dLogprob).toBe(0);
  });
});

describe('KL estimators', () => {
  it('k1, k2, k3 at logπ=−1, logπ_ref=−1.5 with their derivatives', () => {
    // k1 = 0.5, d=1; k2 = ½·0.25 = 0.125, d = 0.5; k3: Δ=−0.5, e^Δ = 0.606531, 0.606531 + 0.5 − 1 = 0.106531, d = 1 − 0.606531
    expect(klToken(-1, -1.5, 'k1')).toEqual({ value: 0.5, dLogp: 1 });
    expect(klToken(-1, -1.5, 'k2')).toEqual({ value: 0.125, dLogp: 0.5 });
    const k3 = klToken(-1, -1.5, 'k3');
    expect(k3.value).toBeCloseTo(0.106531, 6);
    expect(k3.dLogp).toBeCloseTo(0.393469, 6);
  });

  it('every estimator is 0 when the policy equals the reference; k3 stays ≥ 0 where k1 goes negative', () => {
    for (const e of KL_ESTIMATORS) expect(klToken(-2, -2, e).value).toBe(0);
    expect(klToken(-2, -1, 'k1').value).toBe(-1);
    // Δ = 1: e − 1 − 1 = 0.718282
    expect(klToken(-2, -1, 'k3').value).toBeCloseTo(Math.E - 2, 12);
  });
});

describe('aggregation weights', () => {
  // rows: [1,1,1,0] (3 tokens), [1,0,0,0] (1 token); B=2, T=4, L=4
  const mask = new Uint8Array([1, 1, 1, 0, 1, 0, 0, 0]);
  it('token-mean: 1/N = 1/4 on every loss token', () => {
    expect([...aggregationWeights(mask, 2, 4, 'token-mean', 4)]).toEqual([0.25, 0.25, 0.25, 0, 0.25, 0, 0, 0]);
  });
  it('seq-mean-token-mean: 1/(B·n_b) = 1/6 on row 0, 1/2 on row 1', () => {
    const w = aggregationWeights(mask, 2, 4, 'seq-mean-token-mean', 4);
    expect(w[0]).toBeCloseTo(1 / 6, 15);
    expect(w[4]).toBe(0.5);
    expect(w[3]).toBe(0);
  });
  it('seq-mean-token-sum: 1/B = 1/2; seq-mean-token-sum-norm: 1/(B·L) = 1/8', () => {
    expect([...aggregationWeights(mask, 2, 4, 'seq-mean-token-sum', 4)]).toEqual([0.5, 0.5, 0.5, 0, 0.5, 0, 0, 0]);
    expect([...aggregationWeights(mask, 2, 4, 'seq-mean-token-sum-norm', 4)]).toEqual([
      0.125, 0.125, 0.125, 0, 0.125, 0, 0, 0,
    ]);
  });
});

// A batch with hand-computable covariance: B=2, T=3, every token valid.
// A = +1 on row 0, −1 on row 1 → mean A = 0. logπ = [0,−1,−2 | −1,−2,−6], mean −12/6 = −2.
// cov = (A − 0)·(logπ + 2) = [2, 1, 0 | −1, 0, 4]; mean cov = 6/6 = 1.
function covBatch(): Pick<PolicyLossInput, 'logprobs' | 'oldLogprobs' | 'advantages' | 'mask'> {
  return {
    logprobs: new Float32Array([0, -1, -2, -1, -2, -6]),
    oldLogprobs: new Float32Array([0, -1, -2, -1, -2, -6]),
    advantages: new Float32Array([1, 1, 1, -1, -1, -1]),
    mask: new Uint8Array([1, 1, 1, 1, 1, 1]),
  };
}
const params = (o: Partial<PolicyLossParams> = {}): PolicyLossParams => ({
  policyLoss: 'vanilla',
  epsLow: 0.2,
  epsHigh: 0.2,
  dualClip: null,
  klCoef: 0,
  klEstimator: 'k3',
  clipCovRatio: 0.02,
  clipCovLb: 1,
  clipCovUb: 5,
  klCovRatio: 0.02,
  klCovCoef: 1,
  topEntropyQuantile: 1,
  lossAgg: 'token-mean',
  entropyCoef: 0,
  normLength: 3,
  ...o,
});

describe('Clip-Cov and KL-Cov selection', () => {
  it('cov_t = (A − mean A)(logπ − mean logπ) over valid tokens', () => {
    const b = covBatch();
    expect([...tokenCovariance(b.logprobs, b.advantages, b.mask)].map((c) => c + 0)).toEqual([2, 1, 0, -1, 0, 4]); // + 0 folds −0
    // a masked token neither gets a cov nor moves the means: mask out the −6 → mean logπ = −6/5 = −1.2, mean A = 0.2
    const m = new Uint8Array([1, 1, 1, 1, 1, 0]);
    const cov = tokenCovariance(b.logprobs, b.advantages, m);
    expect(cov[0]).toBeCloseTo((1 - 0.2) * (0 + 1.2), 6); // 0.96
    expect(cov[5]).toBe(0);
  });

  it('KL-Cov picks the max(1,⌊ratio·N⌋) largest cov: ratio 0.2 → 1 token (cov 4), 0.34 → 2 (cov 4, 2)', () => {
    const b = covBatch();
    const cov = tokenCovariance(b.logprobs, b.advantages, b.mask);
    expect(selectKlCov(cov, b.mask, selectionCount(0.2, 6))).toEqual([5]); // ⌊1.2⌋ = 1
    expect(selectKlCov(cov, b.mask, selectionCount(0.34, 6))).toEqual([0, 5]); // ⌊2.04⌋ = 2
    expect(selectKlCov(cov, b.mask, selectionCount(1e-4, 6))).toEqual([5]); // max(1, 0)
  });

  it('Clip-Cov draws only from lb < cov < ub and not-yet-clipped tokens; count min(max(1,⌊rN⌋), candidates)', () => {
    const b = covBatch();
    const cov = tokenCovariance(b.logprobs, b.advantages, b.mask);
    // lb 0.5, ub 3 → candidates cov 2 (index 0) and 1 (index 1); cov 4 ≥ ub, 0 ≤ lb
    const p = params({ policyLoss: 'clip-cov', clipCovLb: 0.5, clipCovUb: 3, clipCovRatio: 0.2 });
    const sel = (q: PolicyLossParams) => planSelection(q, b.mask, 7).clipCov!;
    const one = selectClipCov(cov, { ...b, params: p }, sel(p));
    expect(one.length).toBe(1); // ⌊0.2·6⌋ = 1
    expect([0, 1]).toContain(one[0]);
    const half = { ...p, clipCovRatio: 0.5 };
    expect(selectClipCov(cov, { ...b, params: half }, sel(half))).toEqual([0, 1]); // min(3, 2)
    // token 0 already clipped by PPO (A=1, ρ = e^0.3 = 1.35 > 1.2): only token 1 remains
    const old = new Float32Array(b.oldLogprobs);
    old[0] = -0.3;
    expect(selectClipCov(cov, { ...b, oldLogprobs: old, params: half }, sel(half))).toEqual([1]);
  });

  it('on a seeded random batch: counts, bounds, top-cov property, seed reproducibility', () => {
    const rng = new Rng(42);
    const B = 8;
    const T = 12;
    const mask = new Uint8Array(B * T);
    const logprobs = new Float32Array(B * T);
    const advantages = new Float32Array(B * T);
    for (let b = 0; b < B; b++) {
      const len = 4 + rng.int(T - 3);
      const a = rng.normal();
      for (let t = 0; t < len; t++) {
        mask[b * T + t] = 1;
        logprobs[b * T + t] = -3 * rng.next();
        advantages[b * T + t] = a;
      }
    }
    const n = mask.reduce((s, m) => s + m, 0);
    const cov = tokenCovariance(logprobs, advantages, mask);
    const klSel = selectKlCov(cov, mask, selectionCount(0.1, n));
    expect(klSel.length).toBe(Math.floor(0.1 * n));
    const minSel = Math.min(...klSel.map((i) => cov[i]));
    for (let i = 0; i < B * T; i++) if (mask[i] && !klSel.includes(i)) expect(cov[i]).toBeLessThanOrEqual(minSel);

    const p = params({ policyLoss: 'clip-cov', clipCovLb: 0.05, clipCovUb: 2, clipCovRatio: 0.05 });
    const input = { logprobs, oldLogprobs: logprobs, advantages, mask, params: p };
    const candidates = [...cov.keys()].filter((i) => mask[i] && cov[i] > 0.05 && cov[i] < 2);
    expect(candidates.length).toBeGreaterThan(Math.floor(0.05 * n)); // so the draw is a real subset
    const draw = (seed: number) => selectClipCov(cov, input, planSelection(p, mask, seed).clipCov!);
    const s1 = draw(1);
    expect(s1.length).toBe(Math.max(1, Math.floor(0.05 * n)));
    for (const i of s1) expect(candidates).toContain(i);
    expect(draw(1)).toEqual(s1);
    const others = [2, 3, 4, 5].map((seed) => draw(seed).join());
    expect(others.some((s) => s !== s1.join())).toBe(true);

    // the batch function zeroes the PG gradient of exactly the Clip-Cov tokens
    const r = policyLossCoefficients({
      B,
      T,
      logprobs,
      oldLogprobs: logprobs,
      refLogprobs: logprobs,
      entropy: new Float32Array(B * T),
      advantages,
      mask,
      params: p,
      seed: 1,
    });
    expect([...r.selected.keys()].filter((i) => r.selected[i])).toEqual(s1);
    for (let i = 0; i < B * T; i++) {
      if (!mask[i]) continue;
      if (r.selected[i]) expect(r.dLogprobs[i]).toBe(0);
      else expect(r.dLogprobs[i]).toBeCloseTo(-advantages[i] / n, 6); // ρ=1: w·(−A), w = 1/N
    }
  });

  it('top-entropy mask keeps the ⌈q·N⌉ highest-entropy loss tokens', () => {
    const H = new Float32Array([0.1, 2, 0.5, 3, 9, 1]);
    const m = new Uint8Array([1, 1, 1, 1, 0, 1]); // the 9 is not a loss token
    const k = (q: number) => planSelection({ ...params({}), topEntropyQuantile: q }, m, 0).topEntropyK;
    expect(k(0.4)).toBe(2); // ⌈0.4·5⌉
    expect([...topEntropyMask(H, m, k(0.4))]).toEqual([0, 1, 0, 1, 0, 0]); // H=3, H=2
    expect(k(1)).toBe(null);
    expect([...topEntropyMask(H, m, k(1))]).toEqual([1, 1, 1, 1, 0, 1]);
  });
});

describe('policyLossCoefficients on a hand-worked batch', () => {
  it('seq-mean-token-mean with α=0.1, ρ=1: loss 0.15, dLogπ = −w·A, dH = −α·w', () => {
    // rows: mask [1,1,0] A=0.5, H=[1,2,·]; mask [1,0,0] A=−1, H=[0.5]
    // w row0 = 1/(2·2) = 0.25, row1 = 1/(2·1) = 0.5
    // loss = 0.25(−0.5 − 0.1) + 0.25(−0.5 − 0.2) + 0.5(1 − 0.05) = −0.15 − 0.175 + 0.475 = 0.15
    const lp = new Float32Array([-1, -2, 0, -0.5, 0, 0]);
    const r = policyLossCoefficients({
      B: 2,
      T: 3,
      logprobs: lp,
      oldLogprobs: lp,
      refLogprobs: lp,
      entropy: new Float32Array([1, 2, 0, 0.5, 0, 0]),
      advantages: new Float32Array([0.5, 0.5, 0.5, -1, -1, -1]),
      mask: new Uint8Array([1, 1, 0, 1, 0, 0]),
      params: params({ lossAgg: 'seq-mean-token-mean', entropyCoef: 0.1 }),
      seed: 0,
    });
    expect(r.loss).toBeCloseTo(0.15, 7);
    expect([...r.dLogprobs]).toEqual([-0.125, -0.125, 0, 0.5, 0, 0]);
    expect(r.dEntropy[0]).toBeCloseTo(-0.025, 7);
    expect(r.dEntropy[3]).toBeCloseTo(-0.05, 7);
    expect(r.dEntropy[2]).toBe(0);
    // policy_loss = 0.25·(−0.5)·2 + 0.5·1 = 0.25; ρ=1 so nothing clipped; KL 0 against itself
    expect(r.metrics.policy_loss).toBeCloseTo(0.25, 7);
    expect(r.metrics['clip_ratio/region_mean']).toBe(0);
    expect(r.metrics.kl).toBe(0);
  });

  it('clip ratio metrics are fractions of loss tokens (TRL definitions)', () => {
    // 4 tokens: (A=1, ρ=1.5) high; (A=−1, ρ=0.5) low; (A=−1, ρ=1.5) neither; (A=1, ρ=1) neither
    const old = new Float32Array([-1, -1, -1, -1]);
    const lp = new Float32Array([Math.log(1.5) - 1, Math.log(0.5) - 1, Math.log(1.5) - 1, -1]);
    const r = policyLossCoefficients({
      B: 1,
      T: 4,
      logprobs: lp,
      oldLogprobs: old,
      refLogprobs: old,
      entropy: new Float32Array(4),
      advantages: new Float32Array([1, -1, -1, 1]),
      mask: new Uint8Array([1, 1, 1, 1]),
      params: params(),
      seed: 0,
    });
    expect(r.metrics['clip_ratio/high_mean']).toBe(0.25);
    expect(r.metrics['clip_ratio/low_mean']).toBe(0.25);
    expect(r.metrics['clip_ratio/region_mean']).toBe(0.5);
  });
});

describe('coefficients equal finite differences of the loss', () => {
  // A random batch with log-ratios kept away from the kinks (0, ln 0.8, ln 1.2) so L is smooth there.
  function randomBatch(seed: number, B = 4, T = 6): Omit<PolicyLossInput, 'params' | 'seed'> {
    const rng = new Rng(seed);
    const N = B * T;
    const mask = new Uint8Array(N);
    const logprobs = new Float32Array(N);
    const oldLogprobs = new Float32Array(N);
    const refLogprobs = new Float32Array(N);
    const entropy = new Float32Array(N);
    const advantages = new Float32Array(N);
    const kinks = [0, Math.log(0.8), Math.log(1.2)];
    for (let b = 0; b < B; b++) {
      const len = 2 + rng.int(T - 1);
      const a = 2 * rng.next() - 1;
      for (let t = 0; t < len; t++) {
        const i = b * T + t;
        mask[i] = 1;
        logprobs[i] = -0.1 - 2.5 * rng.next();
        let lr = 0;
        while (kinks.some((k) => Math.abs(lr - k) < 0.02)) lr = 1.2 * rng.next() - 0.6;
        oldLogprobs[i] = logprobs[i] - lr;
        refLogprobs[i] = logprobs[i] + 0.6 * rng.next() - 0.3;
        entropy[i] = 0.1 + 2 * rng.next();
        advantages[i] = a;
      }
    }
    return { B, T, logprobs, oldLogprobs, refLogprobs, entropy, advantages, mask };
  }

  const cases: [string, Partial<PolicyLossParams>][] = [
    ['vanilla, dual-clip, k3, entropy bonus, token-mean', { dualClip: 1.5, klCoef: 0.3, entropyCoef: 0.05 }],
    ['k1, seq-mean-token-mean', { klCoef: 0.2, klEstimator: 'k1', lossAgg: 'seq-mean-token-mean' }],
    [
      'k2, seq-mean-token-sum, top-entropy q=0.5',
      { klCoef: 0.7, klEstimator: 'k2', lossAgg: 'seq-mean-token-sum', topEntropyQuantile: 0.5 },
    ],
    [
      'clip-cov, seq-mean-token-sum-norm',
      {
        policyLoss: 'clip-cov',
        clipCovLb: -1,
        clipCovUb: 1,
        clipCovRatio: 0.2,
        lossAgg: 'seq-mean-token-sum-norm',
        entropyCoef: 0.01,
      },
    ],
    ['kl-cov, k=2', { policyLoss: 'kl-cov', klCovRatio: 0.2, klCovCoef: 2, klCoef: 0.1 }],
  ];

  for (const [name, o] of cases) {
    it(`dL/dlogπ and dL/dH match central differences: ${name}`, () => {
      const batch = randomBatch(name.length);
      const p = params({ normLength: batch.T, ...o });
      const base = policyLossCoefficients({ ...batch, params: p, seed: 3 });
      expect(base.loss).not.toBe(0);
      let nonZero = 0;
      const h = 1e-3;
      for (const field of ['logprobs', 'entropy'] as const) {
        for (let i = 0; i < batch.mask.length; i++) {
          if (!batch.mask[i]) continue;
          const at = (delta: number) => {
            const arr = new Float32Array(batch[field]);
            arr[i] += delta;
            const r = policyLossCoefficients({ ...batch, [field]: arr, params: p, seed: 3 });
            // the selection must not move under a small perturbation, or L is not differentiable there
            expect([...r.selected]).toEqual([...base.selected]);
            return { loss: r.loss, x: arr[i] };
          };
          const plus = at(h);
          const minus = at(-h);
          const fd = (plus.loss - minus.loss) / (plus.x - minus.x); // the f32-rounded step actually taken
          const coef = field === 'logprobs' ? base.dLogprobs[i] : base.dEntropy[i];
          expect(coef, `${field}[${i}]`).toBeCloseTo(fd, 4);
          if (coef !== 0) nonZero++;
        }
      }
      expect(nonZero).toBeGreaterThan(5);
    });
  }
});
