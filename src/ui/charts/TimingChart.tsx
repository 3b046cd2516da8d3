// Where a step's time goes: the phase times of the current run stacked per step (eval shows as a
// spike on eval steps), with GPU kernel time as a line where the adapter measures it.

import { memo, useMemo } from 'react';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFrame, fmtTick } from './LineMetricChart';
import { timingSeries } from './timing';
import type { ChartRun } from './useChartRuns';

const PHASE_COLOURS = ['#e69f00', '#56b4e9', '#009e73', '#f0e442', '#0072b2', '#d55e00', '#cc79a7'];

export const TimingChart = memo(function TimingChart({ runs }: { runs: ChartRun[] }) {
  const run = runs[0];
  const s = useMemo(() => timingSeries(run?.rows ?? []), [run?.rows]);
  return (
    <ChartFrame title="Step time" note={`ms per phase, stacked${runs.length > 1 ? ` (${run.name})` : ''}`}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={s.points} margin={{ top: 4, right: 0, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e3e6ea" />
          <XAxis dataKey="x" type="number" domain={['dataMin', 'dataMax']} tickFormatter={fmtTick} />
          <YAxis width={48} tickFormatter={fmtTick} />
          <Tooltip formatter={(v) => `${Number(v).toFixed(0)} ms`} labelFormatter={(x) => `step ${x}`} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {s.phases.map((p, i) => (
            <Area
              key={p}
              dataKey={p}
              name={p}
              stackId="phases"
              type="stepAfter"
              stroke={PHASE_COLOURS[i % PHASE_COLOURS.length]}
              fill={PHASE_COLOURS[i % PHASE_COLOURS.length]}
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
