// The chart grid: what to watch while a run trains, in the order a reader asks about it.

import { useDeferredValue, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useLatestWhile, useOnScreen } from '../components/useOnScreen';
import { isRewardComponentMetric, type MetricsRow } from '../../rl/metrics';
import { LengthChart } from './LengthChart';
import { LineMetricChart, type SeriesSpec } from './LineMetricChart';
import { CovChart, EntropyLawChart } from './ScatterCharts';
import { TimingChart } from './TimingChart';
import { useChartRuns, type ChartRun } from './useChartRuns';

const ENTROPY: SeriesSpec[] = [{ key: 'entropy', label: 'entropy' }];
const ACCURACY: SeriesSpec[] = [
  { key: 'accuracy', label: 'accuracy (greedy)' },
  { key: 'pass@k', label: 'pass@k' },
];
const KL: SeriesSpec[] = [{ key: 'kl', label: 'KL to reference' }];
const CLIP: SeriesSpec[] = [
  { key: 'clip_ratio/low_mean', label: 'low' },
  { key: 'clip_ratio/high_mean', label: 'high' },
  { key: 'clip_ratio/region_mean', label: 'any' },
];

/** The y range of a fraction (a constant: a new array at each render would defeat the charts' memo). */
const FRACTION: [number, number] = [0, 1];

/** The last row of a training step (it has `reward`), scanning back from the end. */
function lastStepRow(rows: readonly MetricsRow[]): MetricsRow | undefined {
  for (let i = rows.length - 1; i >= 0; i--) if (rows[i].reward !== undefined) return rows[i];
  return undefined;
}

/** Charts redraw at most this often while rows stream in (the last change always lands). */
export const CHART_REDRAW_MS = 1500;

/**
 * `value`, passed on at most once per `ms` (the latest one at the end of each interval), so that a
 * value changing several times a second is drawn every `ms` instead.
 */
function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const wait = last.current + ms - Date.now();
    const show = () => {
      last.current = Date.now();
      setShown(() => value);
    };
    if (wait <= 0) {
      show();
      return;
    }
    const timer = setTimeout(show, wait);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return shown;
}

/**
 * One chart's place in the grid: the chart is drawn with the latest runs while it is on screen, and
 * keeps its last drawing while it is not (the charts are memoised, so the same runs cost nothing).
 */
function ChartSlot({ runs, children }: { runs: ChartRun[]; children: (runs: ChartRun[]) => ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const shown = useLatestWhile(runs, useOnScreen(ref));
  return (
    <div ref={ref} className="chart-slot">
      {children(shown)}
    </div>
  );
}

export function Charts() {
  // Redrawing nine recharts charts is the page's heaviest work, and it shares the cores with the
  // training worker: while a run streams rows the charts redraw every CHART_REDRAW_MS, not at every
  // step, and as a deferred value React renders them in interruptible slices, so the main thread
  // stays free for input. A chart off screen is not redrawn at all until it is scrolled into view.
  const runs = useDeferredValue(useThrottled(useChartRuns(), CHART_REDRAW_MS));
  // Reward components present in any drawn run: step rows carry `rewards/<c>/mean` for each term
  // (a finished run's last row is its final evaluation, which has none). Each key once, however
  // many runs carry it, else overlaid runs would draw every component twice.
  const componentKeys = [
    ...new Set(runs.flatMap((r) => Object.keys(lastStepRow(r.rows) ?? {})).filter(isRewardComponentMetric)),
  ]
    .sort()
    .join('|');
  const reward = useMemo<SeriesSpec[]>(
    () => [
      { key: 'reward', label: 'reward' },
      ...componentKeys
        .split('|')
        .filter(isRewardComponentMetric)
        .map((k) => ({
          key: k,
          label: k.replace(/^rewards\/|\/mean$/g, ''),
        })),
    ],
    [componentKeys],
  );
  return (
    <section className="charts" aria-label="Charts">
      <ChartSlot runs={runs}>
        {(r) => <LineMetricChart title="Entropy" note="mean per token" unit="nats / token" series={ENTROPY} runs={r} />}
      </ChartSlot>
      <ChartSlot runs={runs}>{(r) => <LengthChart runs={r} />}</ChartSlot>
      <ChartSlot runs={runs}>
        {(r) => (
          <LineMetricChart
            title="Accuracy"
            note="held-out, on eval steps"
            unit="fraction correct"
            series={ACCURACY}
            runs={r}
            domain={FRACTION}
          />
        )}
      </ChartSlot>
      <ChartSlot runs={runs}>
        {(r) => (
          <LineMetricChart title="Reward" note="and each component's mean" unit="reward" series={reward} runs={r} />
        )}
      </ChartSlot>
      <ChartSlot runs={runs}>
        {(r) => <LineMetricChart title="KL" note="to the reference policy" unit="nats / token" series={KL} runs={r} />}
      </ChartSlot>
      <ChartSlot runs={runs}>
        {(r) => (
          <LineMetricChart
            title="Clip ratio"
            note="fraction of tokens clipped"
            unit="fraction of tokens"
            series={CLIP}
            runs={r}
            domain={FRACTION}
          />
        )}
      </ChartSlot>
      <ChartSlot runs={runs}>{(r) => <CovChart runs={r} />}</ChartSlot>
      <ChartSlot runs={runs}>{(r) => <EntropyLawChart runs={r} />}</ChartSlot>
      <ChartSlot runs={runs}>{(r) => <TimingChart runs={r} />}</ChartSlot>
    </section>
  );
}
