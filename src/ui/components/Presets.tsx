// Presets as one-click cards: each loads a whole config that reproduces one paper's phenomenon,
// with two sentences on what to watch for.

import { PRESETS } from '../../rl/presets';
import { useStore } from '../store';

export function Presets() {
  const replaceConfig = useStore((s) => s.replaceConfig);
  const current = useStore((s) => s.config.name);
  return (
    <section className="presets" aria-label="Presets">
      {PRESETS.map((p) => (
        <button
          key={p.name}
          type="button"
          className={`preset-card${current === p.name ? ' active' : ''}`}
          aria-pressed={current === p.name}
          onClick={() => replaceConfig(p.config)}
        >
          <strong>{p.title}</strong>
          <span className="preset-desc">{p.description}</span>
          <span className="preset-paper">{p.paper}</span>
        </button>
      ))}
    </section>
  );
}
