// The runs a chart draws: the current run, then every run ticked for overlay, then every run group
// drawn, each with its own colour and a name for the legend. A group is drawn as its mean over seeds
// (its `rows`), with the per-seed rows kept for the band and the per-seed lines.

import { useMemo, useRef } from 'react';
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

/**
 * Whether two chart inputs draw the same: the same runs, names and colours over the same rows (a
 * group's mean is made anew each time, so groups compare their seeds' rows).
 */
export function sameChartRuns(a: readonly ChartRun[], b: readonly ChartRun[]): boolean {
  return (
    a.length === b.length &&
    a.every((r, i) => {
      const o = b[i];
      if (r.id !== o.id || r.name !== o.name || r.colour !== o.colour) return false;
      if (!r.seeds || !o.seeds) return r.rows === o.rows && !r.seeds && !o.seeds;
      return r.seeds.length === o.seeds.length && r.seeds.every((rows, j) => rows === o.seeds![j]);
    })
  );
}

/**
 * The runs the charts draw. The runs list changes on every status, snapshot and row a run writes;
 * the previous array is kept unless what the charts draw changed, so the charts (the page's heaviest
 * rendering) redraw once per batch of rows, not on every such change.
 */
export function useChartRuns(): ChartRun[] {
  const kept = useRef<ChartRun[]>([]);
  const currentRunId = useStore((s) => s.currentRunId);
  const runConfig = useStore((s) => s.runConfig);
  const overlay = useStore((s) => s.overlay);
  const runs = useStore((s) => s.runs);
  const metricsByRun = useStore((s) => s.metricsByRun);
  const groupOverlay = useStore((s) => s.groupOverlay);
  const next = useMemo(() => {
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
  if (!sameChartRuns(kept.current, next)) kept.current = next;
  return kept.current;
}
