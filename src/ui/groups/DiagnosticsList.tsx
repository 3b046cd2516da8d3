// The failure patterns `diagnose` (src/rl/diagnostics.ts) finds in the runs the charts draw, live as
// rows arrive: severity, the step it was first seen, and the message naming the fix. A finding shared
// by several seeds of a group is listed once with the seeds that show it.

import { useDeferredValue, useMemo } from 'react';
import { diagnose, type Diagnostic } from '../../rl/diagnostics';
import type { RunConfig } from '../../rl/config';
import { useStore } from '../store';
import { groupsOf } from '../store/groupsSlice';
import { runName } from '../store/trainingSlice';

interface Finding extends Diagnostic {
  where: string;
}

export function DiagnosticsList() {
  const currentRunId = useStore((s) => s.currentRunId);
  const runConfig = useStore((s) => s.runConfig);
  const overlay = useStore((s) => s.overlay);
  const groupOverlay = useStore((s) => s.groupOverlay);
  const runs = useStore((s) => s.runs);
  const metricsByRun = useDeferredValue(useStore((s) => s.metricsByRun));

  const findings = useMemo(() => {
    const out: Finding[] = [];
    const single = (id: string, name: string, config: RunConfig) => {
      const rows = metricsByRun[id];
      if (rows?.length) for (const d of diagnose(rows, config)) out.push({ ...d, where: name });
    };
    for (const id of new Set([...(currentRunId ? [currentRunId] : []), ...overlay])) {
      const meta = runs.find((r) => r.id === id);
      const config = meta?.config ?? (id === currentRunId ? runConfig : null);
      if (config) single(id, meta?.name ?? runName(config), config);
    }
    for (const g of groupsOf(runs).filter((x) => groupOverlay.includes(x.id))) {
      const byId = new Map<string, { d: Diagnostic; seeds: number[] }>();
      for (const r of g.runs) {
        const rows = metricsByRun[r.id];
        if (!rows?.length) continue;
        for (const d of diagnose(rows, r.config)) {
          const seen = byId.get(d.id);
          if (seen) seen.seeds.push(r.config.seed);
          else byId.set(d.id, { d, seeds: [r.config.seed] });
        }
      }
      for (const { d, seeds } of byId.values()) {
        out.push({ ...d, where: `${g.name}, seed${seeds.length === 1 ? '' : 's'} ${seeds.join(', ')}` });
      }
    }
    return out;
  }, [currentRunId, runConfig, overlay, groupOverlay, runs, metricsByRun]);

  if (findings.length === 0) return null;
  return (
    <section className="diagnostics" aria-label="Diagnostics">
      <ul>
        {findings.map((f) => (
          <li key={`${f.where}:${f.id}`} className={`diagnostic ${f.severity}`}>
            <span className="diagnostic-severity">{f.severity}</span>{' '}
            <span className="diagnostic-where">
              {f.where} · step {f.step}
            </span>
            <span className="diagnostic-message">{f.message}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
