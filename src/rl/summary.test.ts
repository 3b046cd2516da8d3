// A run's summary numbers on hand-made rows: start/final evaluation rows, and the first/last three
// steps' rollout means.
import { describe, expect, it } from 'vitest';
import type { MetricsRow } from './metrics';
import { runSummary, SUMMARY_METRICS, sweepSummary } from './summary';

// 5 steps, evaluation at steps 0 and 4 and a final row at 5; entropy 1.0, 0.9, 0.8, 0.7, 0.6
const rows = [
  ...[0, 1, 2, 3, 4].map(
    (s) =>
      ({
        step: s,
        reward: 0.1 * s,
        entropy: 1 - 0.1 * s,
        kl: 0.01 * s,
        frac_reward_zero_std: 0.5,
        'completions/mean_length': 3 + s,
        'completions/clipped_ratio': s === 4 ? 0.25 : 0,
        ...(s % 4 === 0 ? { accuracy: 0.2 + 0.05 * s, 'pass@k': 0.3 } : {}),
      }) as MetricsRow,
  ),
  { step: 5, accuracy: 0.5, 'pass@k': 0.6 } as MetricsRow,
];

describe('runSummary', () => {
  it('start = step-0 evaluation or first 3 steps; final = final evaluation or last 3 steps', () => {
    const s = runSummary(rows);
    expect(Object.keys(s).sort()).toEqual([...SUMMARY_METRICS].sort());
    expect(s.accuracy_start).toBe(0.2);
    expect(s.accuracy_final).toBe(0.5);
    expect(s.accuracy_gain).toBeCloseTo(0.3, 12);
    expect(s['pass@k_start']).toBe(0.3);
    expect(s['pass@k_final']).toBe(0.6);
    expect(s.entropy_start).toBeCloseTo(0.9, 12); // (1 + 0.9 + 0.8)/3
    expect(s.entropy_final).toBeCloseTo(0.7, 12); // (0.8 + 0.7 + 0.6)/3
    expect(s.mean_length_start).toBeCloseTo(4, 12);
    expect(s.mean_length_final).toBeCloseTo(6, 12);
    expect(s.clipped_ratio_final).toBeCloseTo(0.25 / 3, 12);
  });

  it('a run without a step-0 evaluation is an error', () => {
    expect(() => runSummary(rows.slice(1))).toThrow(/no step-0 accuracy evaluation/);
  });
});

describe('sweepSummary', () => {
  it("per metric: the seeds' values in seed order, their mean and an interval inside their range", () => {
    const a = runSummary(rows);
    const b = { ...a, accuracy_final: 0.7 };
    const s = sweepSummary('p', [7, 9], [a, b]);
    expect(s.seeds).toEqual([7, 9]);
    expect(s.metrics.accuracy_final.per_seed).toEqual([0.5, 0.7]);
    expect(s.metrics.accuracy_final.mean).toBeCloseTo(0.6, 12);
    expect(s.metrics.accuracy_final.ci95).toEqual([0.5, 0.7]); // two values: resampled means 0.5, 0.6, 0.7 (¼, ½, ¼)
  });
});
