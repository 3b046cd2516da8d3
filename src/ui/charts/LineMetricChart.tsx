// A line chart of one or more metrics against step, for every run drawn (current + overlays + run
// groups). Series are downsampled for drawing (LTTB, ≤ MAX_POINTS) and memoised per rows array,
// animation is off, and the tooltip shows the values under the cursor. A group draws its mean over
// seeds with a shaded 95% band (bandOverSeeds, src/rl/groups.ts) and, on demand, each seed's line.

import { memo, useMemo } from 'react';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { bandOverSeeds } from '../../rl/groups';
import type { MetricKey } from '../../rl/metrics';
import { useStore } from '../store';
import { lttb, seriesOf } from './downsample';
import { PALETTE } from './palette';
import type { ChartRun } from './useChartRuns';

export interface SeriesSpec {
  key: MetricKey;
  label: string;
}

/** Within one run, series differ by dash; across runs, by colour. */
const DASHES = ['', '6 3', '2 3', '10 4 2 4', '1 2'];

/** Legends scroll past this height, so a dozen overlaid runs do not squash the plot. */
export const LEGEND_STYLE = { fontSize: 12, maxHeight: 54, overflowY: 'auto' as const, lineHeight: '16px' };

/** Axis titles: the x axis is always the RL step; the y title names the unit. */
export const X_LABEL = { value: 'step', position: 'insideBottom' as const, offset: 0, fontSize: 11, fill: '#5b6570' };
export const yLabel = (value: string) => ({
  value,
  angle: -90,
  position: 'insideLeft' as const,
  style: { textAnchor: 'middle' as const },
  fontSize: 11,
  fill: '#5b6570',
});

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
  unit,
}: {
  title: string;
  series: SeriesSpec[];
  runs: ChartRun[];
  note?: string;
  domain?: [number, number];
  /** The y axis title (what the values are, in which unit). */
  unit: string;
}) {
  const showSeedLines = useStore((s) => s.showSeedLines);
  // One data array for the whole chart (recharts re-registers every item that has its own data on
  // each render, which costs far more): rows keyed by step, one column per run × series, holding
  // the points LTTB keeps for each series (a band and per-seed lines get columns of their own).
  const { data, lines, bands } = useMemo(() => {
    const byStep = new Map<number, Record<string, number | [number, number]>>();
    const put = (x: number, key: string, v: number | [number, number]) => {
      const row = byStep.get(x) ?? { x };
      row[key] = v;
      byStep.set(x, row);
    };
    const named = runs.length > 1 || runs.some((r) => r.seeds);
    const bands: { dataKey: string; colour: string }[] = [];
    const lines = runs.flatMap((run, r) =>
      series.flatMap((s, i) => {
        const dataKey = `${r}:${s.key}`;
        const points = lttb(seriesOf(run.rows, s.key));
        for (const p of points) put(p.x, dataKey, p.y);
        const colour = runs.length > 1 ? run.colour : PALETTE[i % PALETTE.length];
        const dash = runs.length > 1 ? DASHES[i % DASHES.length] : '';
        const own = {
          dataKey,
          name: named ? `${run.name} · ${s.label}` : s.label,
          colour,
          dash,
          n: points.length,
          seed: false,
        };
        if (!run.seeds) return [own];
        if (run.seeds.length > 1) {
          const band = bandOverSeeds(run.seeds, s.key);
          for (const b of band) put(b.step, `${dataKey}:band`, [b.lo, b.hi]);
          if (band.length > 0) bands.push({ dataKey: `${dataKey}:band`, colour });
        }
        if (!showSeedLines) return [own];
        const seedLines = run.seeds.map((rows, j) => {
          const key = `${dataKey}:seed${j}`;
          const pts = lttb(seriesOf(rows, s.key));
          for (const p of pts) put(p.x, key, p.y);
          return { dataKey: key, name: `${run.name} seed ${j + 1}`, colour, dash, n: pts.length, seed: true };
        });
        return [own, ...seedLines];
      }),
    );
    return { data: [...byStep.values()].sort((a, b) => (a.x as number) - (b.x as number)), lines, bands };
  }, [runs, series, showSeedLines]);
  const hasData = data.length > 0;
  return (
    <ChartFrame title={title} note={note} label={chartLabel(`${plotted(title, series)} per step`, runs)}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart accessibilityLayer={false} data={data} margin={{ top: 4, right: 12, bottom: 4, left: 4 }}>
          <CartesianGrid stroke="#e3e6ea" />
          <XAxis
            dataKey="x"
            type="number"
            domain={['dataMin', 'dataMax']}
            allowDuplicatedCategory={false}
            allowDecimals={false}
            tickFormatter={fmtTick}
            label={X_LABEL}
            height={34}
          />
          <YAxis
            width={60}
            domain={domain ?? ['auto', 'auto']}
            allowDataOverflow={domain !== undefined}
            tickFormatter={fmtTick}
            label={yLabel(unit)}
          />
          <Tooltip
            formatter={(v) =>
              Array.isArray(v)
                ? v.map((x) => Number(Number(x).toPrecision(3))).join(' – ')
                : typeof v === 'number'
                  ? Number(v.toPrecision(4))
                  : String(v)
            }
            labelFormatter={(x) => `step ${x}`}
          />
          {(lines.length > 1 || runs.length > 1 || bands.length > 0) && <Legend wrapperStyle={LEGEND_STYLE} />}
          {bands.map((b) => (
            <Area
              key={b.dataKey}
              dataKey={b.dataKey}
              name="95% band"
              legendType="none"
              tooltipType="none"
              stroke="none"
              fill={b.colour}
              fillOpacity={0.18}
              isAnimationActive={false}
              connectNulls
              className="seed-band"
            />
          ))}
          {lines.map((l) => (
            <Line
              key={l.dataKey}
              dataKey={l.dataKey}
              name={l.name}
              stroke={l.colour}
              strokeDasharray={l.dash}
              strokeWidth={l.seed ? 1 : 2}
              strokeOpacity={l.seed ? 0.45 : 1}
              legendType={l.seed ? 'none' : 'line'}
              dot={!l.seed && l.n < 3 ? { r: 3 } : false}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </ComposedChart>
      </ResponsiveContainer>
      {!hasData && <p className="muted empty">no data yet</p>}
    </ChartFrame>
  );
});
