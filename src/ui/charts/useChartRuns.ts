// The runs a chart draws: the current run, then every run ticked for overlay, then every run group
// drawn, each with its own colour and a name for the legend. A group is drawn as its mean over seeds
// (its `rows`), with the per-seed rows kept for the band and the per-seed lines.

import { useMemo } from 'react';
import { meanRows } from '../../rl/groups';
import type { MetricsRow } from '../../rl/metrics';
import { useStore } from '../store';
import { groupsOf } from '../store/groupsSlice';
import { runName } from '../store/trainingSlice';
import { PALETTE } from './palette';

export interface ChartRun {
  id: string;
  name: string;
  colour: string;
  rows: MetricsRow[];
  /** A group's runs, one rows array per seed (absent for a single run). */
  seeds?: MetricsRow[][];
}

export const RUN_COLOURS = PALETTE;

/** "name (3 seeds)": the legend says how many seeds a mean is over. */
export const groupLabel = (name: string, seeds: number) => `${name} (${seeds} seed${seeds === 1 ? '' : 's'})`;

export function useChartRuns(): ChartRun[] {
  const currentRunId = useStore((s) => s.currentRunId);
  const runConfig = useStore((s) => s.runConfig);
  const overlay = useStore((s) => s.overlay);
  const runs = useStore((s) => s.runs);
  const metricsByRun = useStore((s) => s.metricsByRun);
  const groupOverlay = useStore((s) => s.groupOverlay);
  return useMemo(() => {
    const ids = [...new Set([...(currentRunId ? [currentRunId] : []), ...overlay])];
    const single: Omit<ChartRun, 'colour'>[] = ids.map((id) => ({
      id,
      name: runs.find((r) => r.id === id)?.name ?? (runConfig && id === currentRunId ? runName(runConfig) : id),
      rows: metricsByRun[id] ?? [],
    }));
    const groups: Omit<ChartRun, 'colour'>[] = groupsOf(runs)
      .filter((g) => groupOverlay.includes(g.id))
      .map((g) => {
        const seeds = g.runs.map((r) => metricsByRun[r.id] ?? []);
        return { id: `group:${g.id}`, name: groupLabel(g.name, g.runs.length), rows: meanRows(seeds), seeds };
      });
    return [...single, ...groups].map((r, i) => ({ ...r, colour: PALETTE[i % PALETTE.length] }));
  }, [currentRunId, runConfig, overlay, runs, metricsByRun, groupOverlay]);
}
