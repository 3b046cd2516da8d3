// Hand-worked advantages for every estimator on one batch of two groups of G=4 binary rewards.
import { describe, expect, it } from 'vitest';
import {
  computeAdvantages,
  hasRewardSignal,
  STD_EPS,
  stdUnbiased,
  whitenOverTokens,
  type AdvantageOptions,
} from './advantages';

// Group 1 = [1,0,0,1]: mean 0.5, deviations ±0.5, unbiased var (4·0.25)/3 = 1/3, std 0.577350.
// Group 2 = [1,1,1,0]: mean 0.75, deviations 0.25×3 and −0.75, var (3·0.0625+0.5625)/3 = 0.25, std 0.5.
// Batch: mean 5/8 = 0.625, Σ(r−m)² = 5·0.375² + 3·0.625² = 0.703125 + 1.171875 = 1.875, var 1.875/7, std 0.517549.
const rewards = [1, 0, 0, 1, 1, 1, 1, 0];
const G = 4;
const opts = (o: Partial<AdvantageOptions>): AdvantageOptions => ({
  advantage: 'grpo',
  scaleRewards: 'group',
  lambdaPos: 1,
  lambdaNeg: 1,
  ...o,
});
const batchStd = Math.sqrt(1.875 / 7);

function expectClose(actual: number[], expected: number[], digits = 6) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(a, `index ${i}`).toBeCloseTo(expected[i], digits));
}

describe('advantages', () => {
  it('grpo scaleRewards=group divides by the unbiased group std plus 1e-6', () => {
    const s1 = Math.sqrt(1 / 3) + STD_EPS; // 0.577351
    const s2 = 0.5 + STD_EPS;
    expectClose(computeAdvantages(rewards, G, opts({})), [
      0.5 / s1, // 0.866024
      -0.5 / s1,
      -0.5 / s1,
      0.5 / s1,
      0.25 / s2, // 0.499999
      0.25 / s2,
      0.25 / s2,
      -0.75 / s2, // −1.499997
    ]);
    expect(computeAdvantages(rewards, G, opts({}))[0]).toBeCloseTo(0.866024, 5);
  });

  it('grpo scaleRewards=batch removes the group mean and divides by the batch std (DLER)', () => {
    const s = batchStd + STD_EPS; // 0.517550
    expectClose(computeAdvantages(rewards, G, opts({ scaleRewards: 'batch' })), [
      0.5 / s, // 0.966090
      -0.5 / s,
      -0.5 / s,
      0.5 / s,
      0.25 / s, // 0.483045
      0.25 / s,
      0.25 / s,
      -0.75 / s, // −1.449135
    ]);
    expect(computeAdvantages(rewards, G, opts({ scaleRewards: 'batch' }))[7]).toBeCloseTo(-1.449135, 5);
  });

  it('grpo scaleRewards=none (Dr. GRPO) is the reward minus the group mean only', () => {
    expectClose(
      computeAdvantages(rewards, G, opts({ scaleRewards: 'none' })),
      [0.5, -0.5, -0.5, 0.5, 0.25, 0.25, 0.25, -0.75],
    );
  });

  it('rloo subtracts the mean of the other G−1 rewards', () => {
    // group 1: 1 − (0+0+1)/3 = 2/3; 0 − (1+0+1)/3 = −2/3. group 2: 1 − (1+1+0)/3 = 1/3; 0 − 3/3 = −1.
    expectClose(computeAdvantages(rewards, G, opts({ advantage: 'rloo' })), [
      2 / 3,
      -2 / 3,
      -2 / 3,
      2 / 3,
      1 / 3,
      1 / 3,
      1 / 3,
      -1,
    ]);
  });

  it('reinforce++ whitens raw rewards over the batch', () => {
    const s = batchStd + STD_EPS;
    // (1 − 0.625)/0.517550 = 0.724568; (0 − 0.625)/0.517550 = −1.207613
    const hi = 0.375 / s;
    const lo = -0.625 / s;
    expectClose(computeAdvantages(rewards, G, opts({ advantage: 'reinforce++' })), [hi, lo, lo, hi, hi, hi, hi, lo]);
    expect(hi).toBeCloseTo(0.724568, 5);
  });

  it('reinforce++-baseline removes the group mean, then whitens over the batch', () => {
    // centred = [.5,−.5,−.5,.5,.25,.25,.25,−.75], mean 0, Σc² = 1 + 0.1875 + 0.5625 = 1.75, var 1.75/7 = 0.25, std 0.5
    const s = 0.5 + STD_EPS;
    expectClose(
      computeAdvantages(rewards, G, opts({ advantage: 'reinforce++-baseline' })),
      [0.5, -0.5, -0.5, 0.5, 0.25, 0.25, 0.25, -0.75].map((c) => c / s),
    );
  });

  it('PSR/NSR weighting scales positive advantages by λ_pos and negative by λ_neg', () => {
    const w = computeAdvantages(rewards, G, opts({ scaleRewards: 'none', lambdaPos: 0.1, lambdaNeg: 2 }));
    expectClose(w, [0.05, -1, -1, 0.05, 0.025, 0.025, 0.025, -1.5]);
    const psrOnly = computeAdvantages(rewards, G, opts({ scaleRewards: 'none', lambdaNeg: 0 }));
    expectClose(psrOnly, [0.5, 0, 0, 0.5, 0.25, 0.25, 0.25, 0]);
  });

  it('a group of equal rewards gets zero advantage under every estimator', () => {
    for (const advantage of ['grpo', 'rloo', 'reinforce++-baseline'] as const) {
      const a = computeAdvantages([1, 1, 0, 1], 2, opts({ advantage }));
      expect(a[0]).toBe(0);
      expect(a[1]).toBe(0);
    }
  });

  it('rejects a batch that is not whole groups', () => {
    expect(() => computeAdvantages([1, 0, 1], 2, opts({}))).toThrow(/whole number of groups/);
  });
});

describe('hasRewardSignal (frac_reward_zero_std and dynamic sampling)', () => {
  it('identical rewards whose float std is not exactly 0 carry no signal: [0.1,0.1,0.1] has std ≈ 1.7e-17', () => {
    const group = [0.1, 0.1, 0.1];
    expect(stdUnbiased(group)).toBeGreaterThan(0); // the case an exact `=== 0` test gets wrong
    expect(stdUnbiased(group)).toBeLessThan(1e-16);
    expect(hasRewardSignal(group)).toBe(false);
    expect(hasRewardSignal([0.7, 0.7, 0.7])).toBe(false);
    expect(hasRewardSignal([0, 0, 0, 0])).toBe(false);
    expect(hasRewardSignal([250.3, 250.3, 250.3])).toBe(false);
  });

  it('a real difference is signal, down to small partial credit: [0, 1e-3] (std 7.1e-4)', () => {
    expect(hasRewardSignal([0, 1e-3])).toBe(true);
    expect(hasRewardSignal([1, 0, 0, 1])).toBe(true);
    expect(hasRewardSignal([0.1, 0.1, 0.2])).toBe(true);
  });
});

describe("REINFORCE++ whitening over tokens (verl's masked_whiten)", () => {
  it('weights each completion by its loss tokens: [1, 0] with 3 and 1 tokens → mean 0.75, var 0.25, [0.5, −1.5]', () => {
    const a = whitenOverTokens([1, 0], [3, 1]);
    expect(a[0]).toBeCloseTo(0.5, 6);
    expect(a[1]).toBeCloseTo(-1.5, 6);
  });

  it('a completion with no loss tokens counts for nothing and gets 0: [1, 0, 5] with [2, 2, 0] tokens', () => {
    const a = whitenOverTokens([1, 0, 5], [2, 2, 0]);
    expect(a[0]).toBeCloseTo(0.5 / Math.sqrt(1 / 3), 6);
    expect(a[1]).toBeCloseTo(-0.5 / Math.sqrt(1 / 3), 6);
    expect(a[2]).toBe(0);
  });

  it('computeAdvantages uses it for both REINFORCE++ estimators when token counts are given, and not for GRPO', () => {
    const rewards = [1, 0, 0, 0];
    const counts = [4, 1, 1, 1];
    expect(computeAdvantages(rewards, 2, opts({ advantage: 'reinforce++' }), counts)).toEqual(
      whitenOverTokens(rewards, counts),
    );
    expect(computeAdvantages(rewards, 2, opts({ advantage: 'reinforce++-baseline' }), counts)).toEqual(
      whitenOverTokens([0.5, -0.5, 0, 0], counts),
    );
    expect(computeAdvantages(rewards, 2, opts({ advantage: 'grpo' }), counts)).toEqual(
      computeAdvantages(rewards, 2, opts({ advantage: 'grpo' })),
    );
    // equal token counts (2 each): N = 8 tokens, mean 0.25, var 1.5/7 — not the per-completion 0.75/3
    const equal = computeAdvantages(rewards, 2, opts({ advantage: 'reinforce++' }), [2, 2, 2, 2]);
    expect(equal[0]).toBeCloseTo(0.75 / Math.sqrt(1.5 / 7), 6);
    expect(equal[1]).toBeCloseTo(-0.25 / Math.sqrt(1.5 / 7), 6);
  });
});
