// The Seeds control and the button that starts a run group: the sidebar's config on seeds s, s+1, …
// (docs/DESIGN.md §7), plus the toggle that draws each seed's own line under the group's band.

import { SEEDS_FIELD } from '../../rl/configTable';
import { store, useStore } from '../store';

export function GroupControls() {
  const seeds = useStore((s) => s.seeds);
  const seed = useStore((s) => s.config.seed);
  const showSeedLines = useStore((s) => s.showSeedLines);
  const { setSeeds, startGroup, setShowSeedLines } = store.getState();
  return (
    <div className="group-controls">
      <label>
        Seeds{' '}
        <input
          type="number"
          min={SEEDS_FIELD.min}
          max={SEEDS_FIELD.max}
          step={1}
          value={seeds}
          onChange={(e) => setSeeds(Number(e.target.value))}
        />
      </label>
      <button
        type="button"
        onClick={() => startGroup()}
        title={`Trains this config on seeds ${seed}…${seed + seeds - 1} and draws their mean with a 95% band`}
      >
        Start {seeds} seed{seeds === 1 ? '' : 's'}
      </button>
      <label className="field-check">
        <input type="checkbox" checked={showSeedLines} onChange={(e) => setShowSeedLines(e.target.checked)} /> per-seed
        lines
      </label>
    </div>
  );
}
