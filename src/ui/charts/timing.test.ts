import { describe, expect, it } from 'vitest';
import type { MetricsRow } from '../../rl/metrics';
import { timingSeries } from './timing';

const row = (step: number, t: Record<string, number>): MetricsRow => ({ step, ...t }) as MetricsRow;

describe('timingSeries', () => {
  it('stacks the phases the rows carry, in step order, with a missing eval as 0', () => {
    const s = timingSeries([
      row(0, { 'timing/update_ms': 30, 'timing/eval_ms': 200, 'timing/rollout_ms': 50, 'timing/logprobs_ms': 10 }),
      row(1, { 'timing/update_ms': 31, 'timing/rollout_ms': 52, 'timing/logprobs_ms': 11, reward: 0.5 }),
      row(2, { accuracy: 0.4 }),
    ] as MetricsRow[]);
    expect(s.phases).toEqual(['eval', 'rollout', 'logprobs', 'update']);
    expect(s.points).toEqual([
      { x: 0, eval: 200, rollout: 50, logprobs: 10, update: 30 },
      { x: 1, eval: 0, rollout: 52, logprobs: 11, update: 31 },
    ]);
  });

  it('reads renamed and new phases, and keeps GPU kernel time out of the stack', () => {
    const s = timingSeries([
      row(3, {
        'timing/reference_ms': 5,
        'timing/reward_ms': 2,
        'timing/rollout_ms': 40,
        'timing/gpu_ms': 25,
        'timing/zeta_ms': 1,
      }),
    ]);
    expect(s.phases).toEqual(['rollout', 'reward', 'reference', 'zeta']);
    expect(s.overlay).toEqual(['gpu']);
    expect(s.points[0]).toEqual({ x: 3, rollout: 40, reward: 2, reference: 5, zeta: 1, gpu: 25 });
  });

  it('keeps at most 400 points of a long run, the last step among them', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => row(i, { 'timing/update_ms': i }));
    const s = timingSeries(rows);
    expect(s.points.length).toBeLessThanOrEqual(400);
    expect(s.points[s.points.length - 1].x).toBe(999);
  });
});
