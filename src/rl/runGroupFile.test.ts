// Run and group files: a run keeps its diagnostics and group through export and import; a group
// file holds every seed's run; malformed diagnostics are dropped rather than trusted.

import { describe, expect, it } from 'vitest';
import { parseRunConfig } from './config';
import type { Diagnostic } from './diagnostics';
import type { MetricsRow } from './metrics';
import { groupToJson, parseRunImport, parseRunsImport, runToJson, type RunMeta } from './runFile';

const rows: MetricsRow[] = [
  { step: 0, reward: 0, frac_reward_zero_std: 1, accuracy: 0.25 },
  { step: 1, reward: 0, frac_reward_zero_std: 1 },
];
const meta = (seed: number): RunMeta => ({
  id: `id-${seed}`,
  name: `g · seed ${seed}`,
  createdAt: 5,
  config: parseRunConfig({ seed, steps: 2 }),
  steps: 2,
  status: 'done',
  groupId: 'grp',
  groupName: 'g',
});
const finding: Diagnostic = { id: 'no-signal', severity: 'warning', step: 0, message: 'No learning signal: …' };

describe('run files', () => {
  it('a run export keeps its diagnostics and group', () => {
    const back = parseRunImport(runToJson(meta(3), rows, [finding]), 'r.run.json');
    expect(back.diagnostics).toEqual([finding]);
    expect([back.groupId, back.groupName, back.config.seed, back.metrics]).toEqual(['grp', 'g', 3, rows]);
  });

  it('a group export holds every run in order, each with its own diagnostics', () => {
    const text = groupToJson([
      { meta: meta(1), rows, diagnostics: [finding] },
      { meta: meta(2), rows, diagnostics: [] },
    ]);
    const back = parseRunsImport(text, 'g.group.json');
    expect(back.map((r) => [r.name, r.config.seed, r.groupId, r.diagnostics?.length])).toEqual([
      ['g · seed 1', 1, 'grp', 1],
      ['g · seed 2', 2, 'grp', 0],
    ]);
    // A single run's file reads as one run.
    expect(parseRunsImport(runToJson(meta(1), rows), 'r.json')).toHaveLength(1);
  });

  it('drops diagnostics that are not findings, and refuses a group with no runs', () => {
    const doc = JSON.parse(runToJson(meta(1), rows)) as Record<string, unknown>;
    doc.diagnostics = [finding, { id: 'x', severity: 'fatal', step: 0, message: 'm' }, 'oops'];
    expect(parseRunImport(JSON.stringify(doc), 'r.json').diagnostics).toEqual([finding]);
    expect(() => parseRunsImport('{"format":"grpo-playground-group","version":1,"runs":[]}', 'e.json')).toThrow(
      'e.json: a group export with no runs',
    );
  });
});
