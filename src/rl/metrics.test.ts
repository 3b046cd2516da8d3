// Metric names: a row's type admits exactly the names metrics.ts lists, so a misspelt name is a
// compile error (the @ts-expect-error lines fail `tsc --noEmit` if the misspelling ever compiles),
// and isMetricKey, which filters imported rows, accepts the same names at run time.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  isMetricKey,
  METRIC_NAMES,
  rewardComponentMetric,
  TIMING_PHASES,
  timingMetric,
  type MetricKey,
  type MetricsRow,
} from './metrics';

describe('metric names', () => {
  it('a row takes the listed names, reward components and phase timings; misspelt names do not compile', () => {
    const row: MetricsRow = { step: 3, reward: 0.5, 'rewards/format/mean': 0.25, 'timing/update_ms': 12 };
    // @ts-expect-error "rewrad" is no metric
    const typo: MetricsRow = { step: 3, rewrad: 0.5 };
    // @ts-expect-error "updates" is no phase
    row['timing/updates_ms'] = 1;
    // @ts-expect-error a component's metric is rewards/<component>/mean
    row['rewards/format'] = 1;
    // @ts-expect-error TRL's name is clip_ratio/low_mean
    row['clip_ratio/low'] = 1;
    // @ts-expect-error every row has its step
    const stepless: MetricsRow = { reward: 1 };
    expectTypeOf(rewardComponentMetric('format')).toExtend<MetricKey>();
    expectTypeOf<'pass@k' | 'timing/eval_ms' | 'rewards/x/mean'>().toExtend<MetricKey>();
    expectTypeOf<'pass@K'>().not.toExtend<MetricKey>();
    expect([row.reward, row['rewards/format/mean'], row['timing/update_ms']]).toEqual([0.5, 0.25, 12]);
    expect([typo, stepless].map((r) => Object.keys(r).length)).toEqual([2, 1]);
  });

  it('isMetricKey accepts the 23 listed names, the 4 phase timings and any component mean, and nothing else', () => {
    expect(METRIC_NAMES.length).toBe(23);
    expect(METRIC_NAMES.filter(isMetricKey).length).toBe(23);
    expect(TIMING_PHASES.map(timingMetric).filter(isMetricKey).length).toBe(5);
    expect(isMetricKey(rewardComponentMetric('length-penalty'))).toBe(true);
    const wrong = ['rewrad', 'timing/updates_ms', 'rewards/format', 'rewards//mean', 'clip_ratio/low', 'pass@K', ''];
    expect(wrong.filter(isMetricKey)).toEqual([]);
  });
});
