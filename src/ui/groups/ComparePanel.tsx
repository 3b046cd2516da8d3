// Compare two groups (or runs): per final metric, B − A with its 95% bootstrap interval and
// permutation p-value, as sentences a person can act on (verdictSentence, src/rl/groups.ts).
// "Add seeds" on an undecided comparison continues both groups on more seeds.

import { useEffect, useMemo } from 'react';
import { compareGroups, verdictSentence } from '../../rl/groups';
import type { MetricsRow } from '../../rl/metrics';
import { groupLabel } from '../charts/useChartRuns';
import { store, useStore } from '../store';
import { groupsOf, type CompareTarget } from '../store/groupsSlice';

interface Option {
  value: string;
  label: string;
  target: CompareTarget;
  runIds: string[];
}

const keyOf = (t: CompareTarget | null) => (t ? `${t.kind}:${t.id}` : '');

export function ComparePanel() {
  const runs = useStore((s) => s.runs);
  const compare = useStore((s) => s.compare);
  const metricsByRun = useStore((s) => s.metricsByRun);
  const seeds = useStore((s) => s.seeds);
  const { setCompare, ensureMetrics, addSeeds } = store.getState();

  const options = useMemo<Option[]>(() => {
    const groups = groupsOf(runs).map((g) => ({
      value: `group:${g.id}`,
      label: groupLabel(g.name, g.runs.length),
      target: { kind: 'group' as const, id: g.id },
      runIds: g.runs.map((r) => r.id),
    }));
    const singles = runs
      .filter((r) => !r.groupId)
      .map((r) => ({
        value: `run:${r.id}`,
        label: r.name,
        target: { kind: 'run' as const, id: r.id },
        runIds: [r.id],
      }));
    return [...groups, ...singles];
  }, [runs]);
  const [a, b] = compare.map((t) => options.find((o) => o.value === keyOf(t)) ?? null);

  const wanted = [...(a?.runIds ?? []), ...(b?.runIds ?? [])].join('|');
  useEffect(() => {
    if (wanted) void ensureMetrics(wanted.split('|'));
  }, [wanted, ensureMetrics]);

  const sentences = useMemo(() => {
    if (!a || !b) return null;
    const rowsOf = (o: Option) => o.runIds.map((id) => metricsByRun[id]).filter((r): r is MetricsRow[] => !!r);
    return compareGroups(rowsOf(a), rowsOf(b)).map((d) => verdictSentence(d, { a: 'A', b: 'B' }));
  }, [a, b, metricsByRun]);

  if (options.length < 2) return null;
  const picker = (side: 0 | 1, name: string, current: Option | null) => (
    <label>
      {name}{' '}
      <select
        aria-label={`Compare ${name}`}
        value={current?.value ?? ''}
        onChange={(e) => setCompare(side, options.find((o) => o.value === e.target.value)?.target ?? null)}
      >
        <option value="">choose a group or run</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
  const undecided = sentences?.some((s) => s.endsWith('add seeds')) ?? false;
  const groupsPicked = [a, b].filter((o) => o?.target.kind === 'group') as Option[];
  return (
    <section className="panel compare-panel" aria-labelledby="compare-heading">
      <h2 id="compare-heading">Compare</h2>
      <div className="compare-pickers">
        {picker(0, 'A', a)}
        {picker(1, 'B', b)}
      </div>
      {sentences && (
        <>
          <p className="muted">
            Final metrics, B − A: the difference of means, its 95% bootstrap interval, and a permutation-test p-value.
          </p>
          {sentences.length === 0 ? (
            <p className="muted">No final metrics yet: both sides need a finished evaluation.</p>
          ) : (
            <ul aria-label="Verdicts" className="verdicts">
              {sentences.map((s) => (
                <li key={s} className={s.endsWith('add seeds') ? 'undecided' : 'decided'}>
                  {s}
                </li>
              ))}
            </ul>
          )}
          {undecided && groupsPicked.length > 0 && (
            <button type="button" onClick={() => groupsPicked.forEach((o) => addSeeds(o.target.id, seeds))}>
              Add {seeds} seed{seeds === 1 ? '' : 's'} to {groupsPicked.length === 2 ? 'both groups' : 'the group'}
            </button>
          )}
        </>
      )}
    </section>
  );
}
