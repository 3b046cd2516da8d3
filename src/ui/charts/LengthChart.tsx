// Completion length: the mean with its min–max band, and the truncated fraction (cut at L) on
// the right axis. Overlaid runs show their mean and truncated fraction only, so bands don't pile up.

import { memo, useMemo } from 'react';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { bandBuckets, lttb, seriesOf } from './downsample';
import { chartLabel, ChartFrame, fmtTick } from './LineMetricChart';
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
        band: single ? bandBuckets(run.rows, MEAN, MIN, MAX) : [],
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
        <ComposedChart accessibilityLayer={false} margin={{ top: 4, right: 0, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e3e6ea" />
          <XAxis
            dataKey="x"
            type="number"
            domain={['dataMin', 'dataMax']}
            allowDuplicatedCategory={false}
            tickFormatter={fmtTick}
          />
          <YAxis yAxisId="len" width={40} tickFormatter={fmtTick} />
          <YAxis yAxisId="frac" orientation="right" width={40} domain={[0, 1]} tickFormatter={fmtTick} />
          <Tooltip
            formatter={(v) =>
              Array.isArray(v)
                ? v.map((x) => Number(Number(x).toPrecision(3))).join(' – ')
                : Number(Number(v).toPrecision(4))
            }
            labelFormatter={(x) => `step ${x}`}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {drawn.map(({ run, band, mean, truncated }) => {
            const prefix = single ? '' : `${run.name} · `;
            return [
              single && (
                <Area
                  key={`${run.id}:band`}
                  yAxisId="len"
                  data={band}
                  dataKey="band"
                  name="min–max"
                  stroke="none"
                  fill={run.colour}
                  fillOpacity={0.15}
                  isAnimationActive={false}
                />
              ),
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
