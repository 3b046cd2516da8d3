// The run groups: per group its seeds' progress, whether the charts draw it, and its actions — add
// seeds (continue on the next seeds), stop, export as one file.

import { fileStem } from '../../rl/runFile';
import { groupLabel } from '../charts/useChartRuns';
import { download } from '../runs/download';
import { store, useStore } from '../store';
import { groupsOf, type RunGroup } from '../store/groupsSlice';

function GroupItem({ group }: { group: RunGroup }) {
  const drawn = useStore((s) => s.groupOverlay.includes(group.id));
  const seedStatus = useStore((s) => s.seedStatus);
  const more = useStore((s) => s.seeds);
  const { toggleGroupOverlay, addSeeds, stopGroup, groupJson } = store.getState();
  const done = group.runs.filter((r) => r.status === 'done').length;
  const active = group.runs.some((r) => {
    const st = seedStatus[r.id]?.state;
    return st === 'queued' || st === 'loading' || st === 'compiling' || st === 'running';
  });
  const label = groupLabel(group.name, group.runs.length);
  const exportGroup = async () => {
    download(`${fileStem(group.name)}.group.json`, await groupJson(group.id), 'application/json');
  };
  return (
    <li className="run-item group-item">
      <div className="run-head">
        <input
          type="checkbox"
          checked={drawn}
          aria-label={`Draw ${group.name} on the charts`}
          onChange={() => void toggleGroupOverlay(group.id)}
        />
        <strong>{label}</strong>
      </div>
      <p className="run-meta muted">
        seeds {group.runs.map((r) => r.config.seed).join(', ')} · {done}/{group.runs.length} done
        {active ? ' · training' : ''}
      </p>
      <div className="run-actions">
        <button type="button" onClick={() => addSeeds(group.id, more)} title="Train the same config on the next seeds">
          Add {more} seed{more === 1 ? '' : 's'}
        </button>
        {active && (
          <button type="button" onClick={() => stopGroup(group.id)}>
            Stop
          </button>
        )}
        <button type="button" aria-label={`Export group ${group.name}`} onClick={() => void exportGroup()}>
          Export
        </button>
      </div>
    </li>
  );
}

export function GroupsPanel() {
  const runs = useStore((s) => s.runs);
  const groups = groupsOf(runs);
  if (groups.length === 0) return null;
  return (
    <section className="panel groups-panel" aria-labelledby="groups-heading">
      <h2 id="groups-heading">Run groups</h2>
      <ul aria-label="Run groups" className="runs-list">
        {[...groups].reverse().map((g) => (
          <GroupItem key={g.id} group={g} />
        ))}
      </ul>
    </section>
  );
}
