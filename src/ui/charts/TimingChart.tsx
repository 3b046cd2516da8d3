// Where a step's time goes: the phase times of the current run stacked per step (eval shows as a
// spike on eval steps), with GPU kernel time as a line where the adapter measures it.

import { memo, useMemo } from 'react';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { chartLabel, ChartFrame, fmtTick, LEGEND_STYLE, X_LABEL, yLabel } from './LineMetricChart';
import { colourAt } from './palette';
import { timingSeries } from './timing';
import type { ChartRun } from './useChartRuns';

export const TimingChart = memo(function TimingChart({ runs }: { runs: ChartRun[] }) {
  const run = runs[0];
  const s = useMemo(() => timingSeries(run?.rows ?? []), [run?.rows]);
  return (
    <ChartFrame
      title="Step time"
      note={`ms per phase, stacked${runs.length > 1 ? ` (${run.name})` : ''}`}
      label={chartLabel('Milliseconds per step phase, stacked, per step', runs.slice(0, 1))}
    >
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart accessibilityLayer={false} data={s.points} margin={{ top: 4, right: 4, bottom: 4, left: 4 }}>
          <CartesianGrid stroke="#e3e6ea" />
          <XAxis dataKey="x" type="number" domain={['dataMin', 'dataMax']} tickFormatter={fmtTick} label={X_LABEL} />
          <YAxis width={48} tickFormatter={fmtTick} label={yLabel('ms')} />
          <Tooltip formatter={(v) => `${Number(v).toFixed(0)} ms`} labelFormatter={(x) => `step ${x}`} />
          <Legend wrapperStyle={LEGEND_STYLE} />
          {s.phases.map((p, i) => (
            <Area
              key={p}
              dataKey={p}
              name={p}
              stackId="phases"
              type="stepAfter"
              stroke={colourAt(i)}
              fill={colourAt(i)}
              fillOpacity={0.6}
              isAnimationActive={false}
            />
          ))}
          {s.overlay.map((p) => (
            <Line key={p} dataKey={p} name={`${p} (kernels)`} stroke="#000" dot={false} isAnimationActive={false} />
          ))}
        </ComposedChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
});
