// Completion length: the mean with its min–max band, and the truncated fraction (cut at L) on
// the right axis. Overlaid runs keep their bands, fainter, so the spread of lengths stays readable.

import { memo, useMemo } from 'react';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { bandBuckets, lttb, seriesOf } from './downsample';
import { chartLabel, ChartFrame, fmtTick, LEGEND_STYLE, X_LABEL, yLabel } from './LineMetricChart';
import type { ChartRun } from './useChartRuns';

const MEAN = 'completions/mean_length';
const MIN = 'completions/min_length';
const MAX = 'completions/max_length';
const TRUNCATED = 'completions/clipped_ratio';

export const LengthChart = memo(function LengthChart({ runs }: { runs: ChartRun[] }) {
  const single = runs.length === 1;
  const drawn = useMemo(
    () =>
      runs.map((run) => ({
        run,
        band: bandBuckets(run.rows, MEAN, MIN, MAX),
        mean: lttb(seriesOf(run.rows, MEAN)),
        truncated: lttb(seriesOf(run.rows, TRUNCATED)),
      })),
    [runs, single],
  );
  const hasData = drawn.some((d) => d.mean.length > 0);
  return (
    <ChartFrame
      title="Completion length"
      note="mean, min–max band, truncated fraction (right axis)"
      label={chartLabel('Completion length (mean, min–max band, truncated fraction) per step', runs)}
    >
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart accessibilityLayer={false} margin={{ top: 4, right: 4, bottom: 4, left: 4 }}>
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
          <YAxis yAxisId="len" width={52} tickFormatter={fmtTick} label={yLabel('tokens')} />
          <YAxis
            yAxisId="frac"
            orientation="right"
            width={52}
            domain={[0, 1]}
            tickFormatter={fmtTick}
            label={{ ...yLabel('truncated fraction'), angle: 90, position: 'insideRight' }}
          />
          <Tooltip
            formatter={(v) =>
              Array.isArray(v)
                ? v.map((x) => Number(Number(x).toPrecision(3))).join(' – ')
                : Number(Number(v).toPrecision(4))
            }
            labelFormatter={(x) => `step ${x}`}
          />
          <Legend wrapperStyle={LEGEND_STYLE} />
          {drawn.map(({ run, band, mean, truncated }) => {
            const prefix = single ? '' : `${run.name} · `;
            return [
              <Area
                key={`${run.id}:band`}
                yAxisId="len"
                data={band}
                dataKey="band"
                name="min–max"
                legendType={single ? 'rect' : 'none'}
                stroke="none"
                fill={run.colour}
                fillOpacity={single ? 0.15 : 0.07}
                isAnimationActive={false}
              />,
              <Line
                key={`${run.id}:mean`}
                yAxisId="len"
                data={mean}
                dataKey="y"
                name={`${prefix}mean length`}
                stroke={run.colour}
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />,
              <Line
                key={`${run.id}:trunc`}
                yAxisId="frac"
                data={truncated}
                dataKey="y"
                name={`${prefix}truncated`}
                stroke={run.colour}
                strokeDasharray="4 3"
                strokeWidth={1.5}
                dot={false}
                isAnimationActive={false}
              />,
            ];
          })}
        </ComposedChart>
      </ResponsiveContainer>
      {!hasData && <p className="muted empty">no data yet</p>}
    </ChartFrame>
  );
});
