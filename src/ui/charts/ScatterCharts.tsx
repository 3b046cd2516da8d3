// Two scatter plots from "The Entropy Mechanism of RL for Reasoning LMs": the covariance of
// log-prob and advantage against the entropy change it predicts, and accuracy against entropy with
// the fitted law R = −a·e^H + b and its ceiling −a + b (the accuracy at zero entropy).

import { memo, useMemo } from 'react';
import {
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { entropyLawNote, fitEntropyLaw } from '../../rl/entropyLaw';
import { stride, type Point } from './downsample';
import { chartLabel, ChartFrame, fmtTick, LEGEND_STYLE, yLabel } from './LineMetricChart';
import type { ChartRun } from './useChartRuns';
import type { MetricKey, MetricsRow } from '../../rl/metrics';

function pairs(rows: readonly MetricsRow[], xKey: MetricKey, yKey: MetricKey): (Point & { step: number })[] {
  const out: (Point & { step: number })[] = [];
  for (const r of rows) {
    const x = r[xKey];
    const y = r[yKey];
    if (x !== undefined && y !== undefined && Number.isFinite(x) && Number.isFinite(y))
      out.push({ x, y, step: r.step });
  }
  return out;
}

const fmt = (v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(4)) : String(v));

const xTitle = (value: string) => ({
  value,
  position: 'insideBottom' as const,
  offset: 0,
  fontSize: 11,
  fill: '#5b6570',
});

export const CovChart = memo(function CovChart({ runs }: { runs: ChartRun[] }) {
  const drawn = useMemo(
    () => runs.map((run) => ({ run, points: stride(pairs(run.rows, 'cov', 'entropy_delta')) })),
    [runs],
  );
  const hasData = drawn.some((d) => d.points.length > 0);
  return (
    <ChartFrame
      title="cov vs entropy change"
      note="positive cov ⇒ entropy falls"
      label={chartLabel('Covariance against the change in entropy, one point per step,', runs)}
    >
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart accessibilityLayer={false} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e3e6ea" />
          <XAxis
            dataKey="x"
            type="number"
            name="cov"
            domain={['auto', 'auto']}
            tickFormatter={fmtTick}
            label={xTitle('cov(log π, A)')}
            height={34}
          />
          <YAxis
            dataKey="y"
            type="number"
            name="entropy_delta"
            width={60}
            domain={['auto', 'auto']}
            tickFormatter={fmtTick}
            label={yLabel('Δ entropy (nats)')}
          />
          <ReferenceLine x={0} stroke="#9aa3ad" />
          <ReferenceLine y={0} stroke="#9aa3ad" />
          <Tooltip formatter={fmt} cursor={{ strokeDasharray: '3 3' }} />
          {runs.length > 1 && <Legend wrapperStyle={LEGEND_STYLE} />}
          {drawn.map(({ run, points }) => (
            <Scatter
              key={run.id}
              name={run.name}
              data={points}
              fill={run.colour}
              fillOpacity={0.6}
              isAnimationActive={false}
            />
          ))}
        </ComposedChart>
      </ResponsiveContainer>
      {!hasData && <p className="muted empty">no data yet</p>}
    </ChartFrame>
  );
});

/** Points along the fitted curve from H = 0 (where the ceiling is) to just past the data. */
const CURVE_POINTS = 40;

export const EntropyLawChart = memo(function EntropyLawChart({ runs }: { runs: ChartRun[] }) {
  const drawn = useMemo(
    () =>
      runs.map((run) => {
        const points = pairs(run.rows, 'entropy', 'accuracy');
        const raw = fitEntropyLaw(points.map((p) => ({ entropy: p.x, accuracy: p.y })));
        const fit = raw && raw.a > 0 ? raw : null;
        const hMax = Math.max(0, ...points.map((p) => p.x)) * 1.05;
        const curve = fit
          ? Array.from({ length: CURVE_POINTS + 1 }, (_, i) => {
              const h = (hMax * i) / CURVE_POINTS;
              return { x: h, y: -fit.a * Math.exp(h) + fit.b };
            })
          : [];
        return { run, points: stride(points), fit, curve, note: entropyLawNote(raw, points.length) };
      }),
    [runs],
  );
  const hasData = drawn.some((d) => d.points.length > 0);
  return (
    <ChartFrame
      title="Accuracy vs entropy"
      label={chartLabel('Accuracy against entropy on eval steps, with the fitted curve,', runs)}
      note={drawn.length === 1 ? drawn[0].note : 'fit R = −a·e^H + b, drawn where a > 0'}
    >
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart accessibilityLayer={false} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e3e6ea" />
          <XAxis
            dataKey="x"
            type="number"
            name="entropy"
            domain={[0, 'auto']}
            tickFormatter={fmtTick}
            label={xTitle('entropy (nats / token)')}
            height={34}
          />
          <YAxis
            dataKey="y"
            type="number"
            name="accuracy"
            width={52}
            domain={[0, 1]}
            tickFormatter={fmtTick}
            allowDataOverflow
            label={yLabel('accuracy')}
          />
          <Tooltip formatter={fmt} />
          {runs.length > 1 && <Legend wrapperStyle={LEGEND_STYLE} />}
          {drawn.map(({ run, points, fit, curve }) => [
            <Scatter key={`${run.id}:pts`} name={run.name} data={points} fill={run.colour} isAnimationActive={false} />,
            fit && (
              <Line
                key={`${run.id}:fit`}
                data={curve}
                dataKey="y"
                name={`${run.name} fit`}
                legendType="none"
                stroke={run.colour}
                strokeDasharray="5 4"
                dot={false}
                isAnimationActive={false}
                tooltipType="none"
              />
            ),
            fit && (
              <ReferenceLine
                key={`${run.id}:ceiling`}
                y={fit.ceiling}
                stroke={run.colour}
                strokeOpacity={0.6}
                ifOverflow="extendDomain"
                label={{
                  value: `ceiling −a+b = ${fmt(fit.ceiling)}`,
                  position: 'insideTopRight',
                  fontSize: 12,
                  fill: run.colour,
                }}
              />
            ),
          ])}
        </ComposedChart>
      </ResponsiveContainer>
      {!hasData && <p className="muted empty">accuracy is measured on eval steps; points appear after the first</p>}
    </ChartFrame>
  );
});
