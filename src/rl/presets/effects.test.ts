// The presets' effects (issue 4) at reduced size, seeded, on the CPU engine from the task's base
// checkpoint (public/checkpoints, `npm run make-bases`). The full-size effects, on two seeds, are in
// the README's preset table (made with `npm run cli -- train --preset …`); these reduced runs check
// the direction of each effect in well under two minutes.
import { describe, expect, it } from 'vitest';
import { createCpuEngines } from '../../cli/train';
import { parseRunConfig, type RunConfig } from '../config';
import type { MetricsRow } from '../metrics';
import { Trainer } from '../trainer';
import { getPreset } from './index';

async function runPreset(name: string, overrides: Partial<RunConfig>): Promise<MetricsRow[]> {
  const config = parseRunConfig({ ...getPreset(name).config, ...overrides });
  const { engine, ref } = createCpuEngines(config);
  const trainer = await Trainer.create(config, engine, ref);
  for (let i = 0; i < config.steps; i++) await trainer.step();
  await trainer.finalEvaluation();
  return trainer.metrics;
}

/** Mean entropy of training rows [from, to) (negative from: the last rows). */
const entropyAt = (rows: MetricsRow[], from: number, to?: number) => {
  const r = rows.filter((x) => x.entropy !== undefined).slice(from, to);
  return r.reduce((s, x) => s + x.entropy!, 0) / r.length;
};
const accuracy = (rows: MetricsRow[]) => rows.filter((x) => x.accuracy !== undefined).map((x) => x.accuracy!);

describe('preset effects (reduced size, seed 11)', () => {
  it('grpo-add: greedy held-out accuracy rises over 40 steps', async () => {
    const rows = await runPreset('grpo-add', { seed: 11, steps: 40, evalEvery: 40 });
    const acc = accuracy(rows);
    expect(acc.length).toBe(2); // step 0 (before any update) and the final weights
    expect(acc[1] - acc[0]).toBeGreaterThanOrEqual(0.05);
  });

  it('entropy-collapse loses entropy; clip-cov keeps more of it at the same seed and steps', async () => {
    const small = { seed: 11, steps: 30, promptsPerStep: 8, evalEvery: 30, evalPrompts: 64 };
    const plain = await runPreset('entropy-collapse', small);
    const clipCov = await runPreset('clip-cov', small);
    const start = entropyAt(plain, 0, 3);
    expect(entropyAt(plain, -3)).toBeLessThan(0.85 * start);
    expect(entropyAt(clipCov, -3)).toBeGreaterThan(1.2 * entropyAt(plain, -3));
  });
});
