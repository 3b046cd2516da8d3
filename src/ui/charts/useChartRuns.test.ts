// sameChartRuns: the charts keep their input (and skip a redraw) exactly when what they draw is unchanged.
import { describe, expect, it } from 'vitest';
import type { MetricsRow } from '../../rl/metrics';
import { sameChartRuns, type ChartRun } from './useChartRuns';

const rows: MetricsRow[] = [{ step: 0, reward: 0.5 }];
const seedA: MetricsRow[] = [{ step: 0, reward: 0.25 }];
const seedB: MetricsRow[] = [{ step: 0, reward: 0.75 }];
const run = (o: Partial<ChartRun> = {}): ChartRun => ({ id: 'r1', name: 'alpha', colour: '#000', rows, ...o });
const group = (seeds: MetricsRow[][]): ChartRun => ({
  id: 'group:g',
  name: 'g (2 seeds)',
  colour: '#111',
  rows: [{ step: 0, reward: 0.5 }], // a mean is made anew on every render
  seeds,
});

describe('sameChartRuns', () => {
  it('holds for new arrays of the same runs over the same rows, and for a group whose mean was remade', () => {
    expect(sameChartRuns([run()], [run()])).toBe(true);
    expect(sameChartRuns([run(), group([seedA, seedB])], [run(), group([seedA, seedB])])).toBe(true);
    expect(sameChartRuns([], [])).toBe(true);
  });

  it('fails when rows, a name, a colour, the runs drawn or a seed change', () => {
    expect(sameChartRuns([run()], [run({ rows: [...rows, { step: 1, reward: 1 }] })])).toBe(false);
    expect(sameChartRuns([run()], [run({ name: 'beta' })])).toBe(false);
    expect(sameChartRuns([run()], [run({ colour: '#fff' })])).toBe(false);
    expect(sameChartRuns([run()], [run(), run({ id: 'r2' })])).toBe(false);
    expect(sameChartRuns([run()], [run({ id: 'r2' })])).toBe(false);
    expect(sameChartRuns([group([seedA, seedB])], [group([seedA, [...seedB]])])).toBe(false);
    expect(sameChartRuns([group([seedA, seedB])], [group([seedA])])).toBe(false);
    expect(sameChartRuns([run()], [group([rows])])).toBe(false);
  });
});
