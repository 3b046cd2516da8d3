import { describe, expect, it } from 'vitest';
import { bandOverSeeds, compareGroups, meanRows, tQuantile975, verdictSentence, COMPARE_METRICS } from './groups';
import type { MetricsRow } from './metrics';
import type { Comparison } from './stats';

describe('bandOverSeeds', () => {
  it('gives the mean and mean ± t·s/√n per step, over the seeds that logged the metric', () => {
    const seeds: MetricsRow[][] = [
      [
        { step: 0, entropy: 1 },
        { step: 1, entropy: 2 },
      ],
      [
        { step: 0, entropy: 2 },
        { step: 1, entropy: 2 },
      ],
      [{ step: 0, entropy: 3 }],
    ];
    const band = bandOverSeeds(seeds, 'entropy');
    expect(band.map((p) => [p.step, p.n])).toEqual([
      [0, 3],
      [1, 2],
    ]);
    // step 0: mean 2, s = 1, t(2) = 4.303 → half width 4.303/√3 = 2.4843
    expect(band[0].mean).toBe(2);
    expect(band[0].hi - band[0].mean).toBeCloseTo(4.303 / Math.sqrt(3), 4);
    expect(band[0].mean - band[0].lo).toBeCloseTo(4.303 / Math.sqrt(3), 4);
    // step 1: both seeds agree → no spread
    expect([band[1].lo, band[1].mean, band[1].hi]).toEqual([2, 2, 2]);
  });

  it('gives a zero-width band for one seed and skips non-finite values', () => {
    const band = bandOverSeeds([[{ step: 0, kl: 0.5 }], [{ step: 0, kl: NaN }]], 'kl');
    expect(band).toEqual([{ step: 0, mean: 0.5, lo: 0.5, hi: 0.5, n: 1 }]);
  });

  it('uses t quantiles that shrink toward 1.96', () => {
    expect(tQuantile975(1)).toBeCloseTo(12.706, 3);
    expect(tQuantile975(4)).toBeCloseTo(2.776, 3);
    expect(tQuantile975(100)).toBe(1.96);
  });
});

describe('meanRows', () => {
  it('averages each metric per step over the seeds that have it', () => {
    const rows = meanRows([
      [
        { step: 0, reward: 1, accuracy: 0.5 },
        { step: 1, reward: 3 },
      ],
      [
        { step: 0, reward: 2 },
        { step: 1, reward: 5 },
      ],
    ]);
    expect(rows).toEqual([
      { step: 0, reward: 1.5, accuracy: 0.5 },
      { step: 1, reward: 4 },
    ]);
  });
});

/** A run of 4 steps whose final accuracy, entropy and reward are given (eval rows at steps 0 and 4). */
function run(acc: number, entropy: number): MetricsRow[] {
  const rows: MetricsRow[] = [{ step: 0, accuracy: 0.3, 'pass@k': 0.5 }];
  for (let s = 0; s < 4; s++) {
    rows.push({ step: s, reward: acc, entropy, 'completions/mean_length': 4, 'completions/clipped_ratio': 0 });
    rows.push({ step: s, frac_reward_zero_std: 0, kl: 0 });
  }
  rows.push({ step: 4, accuracy: acc, 'pass@k': 0.6 });
  return rows;
}

describe('compareGroups', () => {
  it('reports B − A of the final metrics with a decided verdict when the seeds separate', () => {
    const a = [run(0.5, 1.0), run(0.52, 1.1), run(0.48, 1.05)];
    const b = [run(0.5, 1.5), run(0.49, 1.55), run(0.51, 1.45)];
    const diffs = compareGroups(a, b);
    expect(diffs.map((d) => d.metric.name)).toEqual(COMPARE_METRICS.map((m) => m.name));
    const entropy = diffs.find((d) => d.metric.name === 'entropy_final')!;
    expect(entropy.comparison.diff).toBeCloseTo(1.5 - 1.05, 10);
    expect(entropy.comparison.verdict).toBe('B higher');
    expect(verdictSentence(entropy, { a: 'A', b: 'B' })).toMatch(
      /^B keeps entropy higher: \+0\.45 \[\+0\.\d\d, \+0\.\d\d\] nats over 3 seeds each \(p = 0\.10\)$/,
    );
    const acc = diffs.find((d) => d.metric.name === 'accuracy_final')!;
    expect(acc.comparison.verdict).toBe('undecided');
  });

  it('leaves out runs without a step-0 evaluation', () => {
    const noEval = run(0.5, 1).filter((r) => !('accuracy' in r));
    const diffs = compareGroups([noEval], [run(0.5, 1)]);
    expect(diffs.map((d) => d.metric.name)).not.toContain('accuracy_final');
  });
});

describe('verdictSentence', () => {
  const cmp = (diff: number, lo: number, hi: number, p: number): Comparison => ({
    a_mean: 0,
    b_mean: diff,
    diff,
    ci95: [lo, hi],
    p_value: p,
    verdict: lo > 0 ? 'B higher' : hi < 0 ? 'A higher' : 'undecided',
  });
  const entropy = COMPARE_METRICS.find((m) => m.name === 'entropy_final')!;
  const accuracy = COMPARE_METRICS.find((m) => m.name === 'accuracy_final')!;
  const names = { a: 'clip-cov', b: 'kl-cov' };

  it('names the winner, the signed difference, its interval, the seeds and p', () => {
    expect(
      verdictSentence({ metric: entropy, comparison: cmp(0.42, 0.3, 0.55, 0.008), seedsA: 5, seedsB: 5 }, names),
    ).toBe('kl-cov keeps entropy higher: +0.42 [+0.30, +0.55] nats over 5 seeds each (p = 0.008)');
    expect(
      verdictSentence({ metric: entropy, comparison: cmp(-0.42, -0.55, -0.3, 0.0004), seedsA: 5, seedsB: 4 }, names),
    ).toBe('clip-cov keeps entropy higher: \u22120.42 [\u22120.55, \u22120.30] nats over 5 and 4 seeds (p < 0.001)');
  });

  it('says undecided and asks for seeds when the interval spans 0', () => {
    expect(
      verdictSentence({ metric: accuracy, comparison: cmp(-0.02, -0.08, 0.04, 0.55), seedsA: 5, seedsB: 5 }, names),
    ).toBe('accuracy: undecided, \u22120.02 [\u22120.08, +0.04] over 5 seeds each (p = 0.55) — add seeds');
  });

  it('never decides on one seed a side, whatever the interval', () => {
    const s = verdictSentence({ metric: accuracy, comparison: cmp(0.2, 0.2, 0.2, 1), seedsA: 1, seedsB: 1 }, names);
    expect(s).toBe('accuracy: undecided, +0.20 [+0.20, +0.20] over 1 seed each (p = 1.00) — add seeds');
  });
});
