// A run's name that says what it is: a preset's name, then the settings edited away from the preset,
// so two runs of one preset with different knobs read apart in the runs list and a chart legend
// ("grpo-add · lr 3e-4, G 4").

import type { RunConfig } from './config';
import { PRESETS } from './presets/index';

/** Short names readers of the GRPO literature know; other settings keep their field name. */
const SHORT: Partial<Record<keyof RunConfig, string>> = {
  groupSize: 'G',
  promptsPerStep: 'P',
  temperature: 'T',
  maxNewTokens: 'L',
  klCoef: 'β',
};

/** Settings that never name a run: the name itself, the seed (a group's runs differ by it), and code shown elsewhere. */
const IGNORED: ReadonlySet<string> = new Set(['name', 'seed', 'userRewardCode']);

/** At most this many edits are listed; the rest are counted. */
export const MAX_LISTED_EDITS = 3;

const fmt = (v: unknown): string => {
  if (typeof v === 'number') {
    if (v !== 0 && (Math.abs(v) < 0.01 || Math.abs(v) >= 1e5)) return v.toExponential().replace(/\.?0*e\+?/, 'e');
    return String(Number(v.toPrecision(4)));
  }
  if (v === null) return 'off';
  if (Array.isArray(v)) {
    return v
      .map((t: RunConfig['reward'][number]) => (t.weight === 1 ? t.component : `${t.weight}·${t.component}`))
      .join(' + ');
  }
  return String(v);
};

/** The settings of `config` that differ from `base`, as "lr 3e-4" labels in the config's field order. */
export function editedSettings(config: RunConfig, base: RunConfig): string[] {
  return (Object.keys(config) as (keyof RunConfig)[])
    .filter((k) => !IGNORED.has(k) && JSON.stringify(config[k]) !== JSON.stringify(base[k]))
    .map((k) => `${SHORT[k] ?? k} ${fmt(config[k])}`);
}

/** The preset's name, with " · " and its edits when the config is not the preset's own (null when no preset has the config's name). */
export function presetRunName(
  config: RunConfig,
  presets: readonly { name: string; config: RunConfig }[] = PRESETS,
): string | null {
  const preset = presets.find((p) => p.name === config.name);
  if (!preset) return null;
  const edits = editedSettings(config, preset.config);
  if (edits.length === 0) return preset.name;
  const listed = edits.slice(0, MAX_LISTED_EDITS).join(', ');
  const more = edits.length > MAX_LISTED_EDITS ? ` +${edits.length - MAX_LISTED_EDITS} more` : '';
  return `${preset.name} · ${listed}${more}`;
}
