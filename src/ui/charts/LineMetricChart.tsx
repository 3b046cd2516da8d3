// A line chart of one or more metrics against step, for every run drawn (current + overlays).
// Series are downsampled for drawing (LTTB, ≤ MAX_POINTS) and memoised per rows array, animation is
// off, and the tooltip shows the values under the cursor.

import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MetricKey } from '../../rl/metrics';
import { lttb, seriesOf } from './downsample';
import type { ChartRun } from './useChartRuns';

export interface SeriesSpec {
  key: MetricKey;
  label: string;
}

/** Within one run, series differ by dash; across runs, by colour. */
const DASHES = ['', '6 3', '2 3', '10 4 2 4', '1 2'];
const SERIES_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9'];

export const fmtTick = (v: number) =>
  Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(0) : String(Number(v.toPrecision(4)));

/** What a chart plots, for whom: its accessible name ("Entropy per step for run A and run B"). */
export function chartLabel(plotted: string, runs: readonly ChartRun[]): string {
  if (runs.length === 0) return `${plotted}: no run yet`;
  const names = runs.map((r) => r.name);
  const who = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `${plotted} for ${runs.length === 1 ? 'run' : 'runs'} ${who}`;
}

/**
 * A titled chart. The plot is one image to assistive technology, named by `label`; recharts'
 * keyboard layer is off on every chart (accessibilityLayer={false}), so the plot is not a tab stop.
 */
export const ChartFrame = ({
  title,
  note,
  label,
  children,
}: {
  title: string;
  note?: string;
  label: string;
  children: React.ReactNode;
}) => (
  <figure className="chart" aria-label={title}>
    <figcaption>
      {title}
      {note && <span className="muted"> · {note}</span>}
    </figcaption>
    <div className="chart-body" role="img" aria-label={label}>
      {children}
    </div>
  </figure>
);

/** "Accuracy (accuracy (greedy), pass@k)"; a lone series named as its chart is not repeated. */
const plotted = (title: string, series: readonly SeriesSpec[]) =>
  series.length === 1 && series[0].label.toLowerCase() === title.toLowerCase()
    ? title
    : `${title} (${series.map((x) => x.label).join(', ')})`;

export const LineMetricChart = memo(function LineMetricChart({
  title,
  series,
  runs,
  note,
  domain,
}: {
  title: string;
  series: SeriesSpec[];
  runs: ChartRun[];
  note?: string;
  domain?: [number, number];
}) {
  // One data array for the whole chart (recharts re-registers every item that has its own data on
  // each render, which costs far more): rows keyed by step, one column per run × series, holding
  // the points LTTB keeps for each series.
  const { data, lines } = useMemo(() => {
    const byStep = new Map<number, Record<string, number>>();
    const lines = runs.flatMap((run, r) =>
      series.map((s, i) => {
        const dataKey = `${r}:${s.key}`;
        const points = lttb(seriesOf(run.rows, s.key));
        for (const p of points) {
          const row = byStep.get(p.x) ?? { x: p.x };
          row[dataKey] = p.y;
          byStep.set(p.x, row);
        }
        return {
          dataKey,
          name: runs.length > 1 ? `${run.name} · ${s.label}` : s.label,
          colour: runs.length > 1 ? run.colour : SERIES_COLOURS[i % SERIES_COLOURS.length],
          dash: runs.length > 1 ? DASHES[i % DASHES.length] : '',
          n: points.length,
        };
      }),
    );
    return { data: [...byStep.values()].sort((a, b) => a.x - b.x), lines };
  }, [runs, series]);
  const hasData = data.length > 0;
  return (
    <ChartFrame title={title} note={note} label={chartLabel(`${plotted(title, series)} per step`, runs)}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart accessibilityLayer={false} data={data} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e3e6ea" />
          <XAxis
            dataKey="x"
            type="number"
            domain={['dataMin', 'dataMax']}
            allowDuplicatedCategory={false}
            tickFormatter={fmtTick}
          />
          <YAxis width={56} domain={domain ?? ['auto', 'auto']} tickFormatter={fmtTick} />
          <Tooltip
            formatter={(v) => (typeof v === 'number' ? Number(v.toPrecision(4)) : String(v))}
            labelFormatter={(x) => `step ${x}`}
          />
          {(lines.length > 1 || runs.length > 1) && <Legend wrapperStyle={{ fontSize: 12 }} />}
          {lines.map((l) => (
            <Line
              key={l.dataKey}
              dataKey={l.dataKey}
              name={l.name}
              stroke={l.colour}
              strokeDasharray={l.dash}
              strokeWidth={2}
              dot={l.n < 3 ? { r: 3 } : false}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
      {!hasData && <p className="muted empty">no data yet</p>}
    </ChartFrame>
  );
});
