// The runs a chart draws: the current run, then every run ticked for overlay, each with its own
// colour and a name for the legend.

import { useMemo } from 'react';
import type { MetricsRow } from '../../rl/metrics';
import { useStore } from '../store';
import { runName } from '../store/trainingSlice';

export interface ChartRun {
  id: string;
  name: string;
  colour: string;
  rows: MetricsRow[];
}

/** Colour-blind-safe (Okabe–Ito), readable on a projector. */
export const RUN_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#f0e442'];

export function useChartRuns(): ChartRun[] {
  const currentRunId = useStore((s) => s.currentRunId);
  const runConfig = useStore((s) => s.runConfig);
  const overlay = useStore((s) => s.overlay);
  const runs = useStore((s) => s.runs);
  const metricsByRun = useStore((s) => s.metricsByRun);
  return useMemo(() => {
    const ids = [...new Set([...(currentRunId ? [currentRunId] : []), ...overlay])];
    return ids.map((id, i) => ({
      id,
      name: runs.find((r) => r.id === id)?.name ?? (runConfig && id === currentRunId ? runName(runConfig) : id),
      colour: RUN_COLOURS[i % RUN_COLOURS.length],
      rows: metricsByRun[id] ?? [],
    }));
  }, [currentRunId, runConfig, overlay, runs, metricsByRun]);
}
