// The presets' effects (docs/RESEARCH.md §4) at reduced size, one fixed seed, on the CPU engine from the task's base
// checkpoint (public/checkpoints, `npm run make-bases`). The full-size effects, on two seeds, are in
// the README's preset table (made with `npm run cli -- train --preset …`); these reduced runs check the
// direction of each effect in about 90 s. Thresholds sit below the effects measured at seeds
// 11, 12 and 13; a trainer that does not move the weights (advantages zeroed) fails each: its accuracy gain is
// exactly 0, its entropy and length stay at the start.
import { describe, expect, it } from 'vitest';
import { createCpuEngines } from '../cpuEngines';
import { parseRunConfig, type RunConfig } from '../config';
import type { MetricsRow } from '../metrics';
import { Trainer } from '../trainer';
import { getPreset } from './index';

const SEED = 11;

async function runPreset(name: string, overrides: Partial<RunConfig>): Promise<MetricsRow[]> {
  const config = parseRunConfig({ ...getPreset(name).config, ...overrides });
  const { engine, ref } = createCpuEngines(config);
  const trainer = await Trainer.create(config, engine, ref);
  for (let i = 0; i < config.steps; i++) await trainer.step();
  await trainer.finalEvaluation();
  return trainer.metrics;
}

/** Mean of a training metric over rows [from, to) of the rows that have it (negative from: the last rows). */
const meanOf = (
  rows: MetricsRow[],
  key: 'entropy' | 'reward' | 'completions/mean_length',
  from: number,
  to?: number,
) => {
  const r = rows.filter((x) => x[key] !== undefined).slice(from, to);
  return r.reduce((s, x) => s + x[key]!, 0) / r.length;
};
const accuracy = (rows: MetricsRow[]) => rows.filter((x) => x.accuracy !== undefined).map((x) => x.accuracy!);

describe(`preset effects (reduced size, seed ${SEED})`, () => {
  it('grpo-add: over 40 steps greedy held-out accuracy rises by ≥ 0.10 and mean reward by ≥ 0.02', async () => {
    const rows = await runPreset('grpo-add', { seed: SEED, steps: 40, evalEvery: 40 });
    const acc = accuracy(rows);
    expect(acc.length).toBe(2); // step 0 (before any update) and the final weights
    // Measured at seeds 11-13: +0.22, +0.21, +0.18 accuracy; reward +0.04, +0.09, +0.10.
    expect(acc[1] - acc[0]).toBeGreaterThanOrEqual(0.1);
    expect(meanOf(rows, 'reward', -10) - meanOf(rows, 'reward', 0, 10)).toBeGreaterThanOrEqual(0.02);
  });

  it('entropy-collapse loses ≥ 15% of its entropy in 30 steps; clip-cov and kl-cov keep ≥ 10% more at the same seed and steps', async () => {
    const small = { seed: SEED, steps: 30, promptsPerStep: 8, evalEvery: 30, evalPrompts: 64 };
    const plain = await runPreset('entropy-collapse', small);
    const clipCov = await runPreset('clip-cov', small);
    const klCov = await runPreset('kl-cov', small);
    // Measured at seeds 11-13: plain 0.75×, 0.70×, 0.72× of its start; clip-cov (lb 1.2, ub 10) 1.17×,
    // 1.82×, 1.50× the plain run's end; kl-cov 1.28×, 1.50×, 1.46×. A Cov preset that selected no token would
    // reproduce the plain run bit for bit (ratio exactly 1).
    const plainEnd = meanOf(plain, 'entropy', -3);
    expect(plainEnd).toBeLessThanOrEqual(0.85 * meanOf(plain, 'entropy', 0, 3));
    expect(meanOf(clipCov, 'entropy', -3)).toBeGreaterThanOrEqual(1.1 * plainEnd);
    expect(meanOf(klCov, 'entropy', -3)).toBeGreaterThanOrEqual(1.1 * plainEnd);
  });

  it('length-penalty: in 25 steps mean completion length falls to ≤ 0.7× the first step, greedy accuracy within 0.1', async () => {
    const rows = await runPreset('length-penalty', {
      seed: SEED,
      steps: 25,
      promptsPerStep: 8,
      evalEvery: 25,
      evalPrompts: 64,
    });
    // Measured at seeds 11-13: 19.2 → 11.4, 18.9 → 11.7, 18.2 → 11.7 (0.59-0.64×); accuracy −0.05 to +0.09.
    const first = meanOf(rows, 'completions/mean_length', 0, 1);
    expect(meanOf(rows, 'completions/mean_length', -3)).toBeLessThanOrEqual(0.7 * first);
    const acc = accuracy(rows);
    expect(acc[1]).toBeGreaterThanOrEqual(acc[0] - 0.1);
  });
});
