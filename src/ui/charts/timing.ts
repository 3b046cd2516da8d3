// The per-step phase times a row carries (`timing/<phase>_ms`), for the stacked timing chart. Keys
// are read from the rows rather than from a fixed list, so phases added or renamed in the trainer
// show up without a change here.

import type { MetricsRow } from '../../rl/metrics';
import { stride } from './downsample';

const TIMING_KEY = /^timing\/(.+)_ms$/;

/** The order phases run in a step; phases not listed follow, by name. */
const PHASE_ORDER = ['eval', 'rollout', 'reward', 'reference', 'logprobs', 'update', 'gpu'];

/** Phases drawn as their own layer; `gpu` is kernel time inside the others, so it is not stacked on them. */
export interface TimingSeries {
  phases: string[]; // stacked, in step order
  overlay: string[]; // drawn as a line (part of the stacked time, not added to it)
  points: Record<string, number>[]; // { x: step, [phase]: ms }, at most MAX_POINTS
}

const rank = (p: string) => {
  const i = PHASE_ORDER.indexOf(p);
  return i < 0 ? PHASE_ORDER.length : i;
};

export function timingSeries(rows: readonly MetricsRow[]): TimingSeries {
  const found = new Set<string>();
  const points: Record<string, number>[] = [];
  for (const row of rows) {
    const point: Record<string, number> = { x: row.step };
    let any = false;
    for (const [k, v] of Object.entries(row)) {
      const m = TIMING_KEY.exec(k);
      if (!m || typeof v !== 'number' || !Number.isFinite(v)) continue;
      point[m[1]] = v;
      found.add(m[1]);
      any = true;
    }
    if (any) points.push(point);
  }
  const all = [...found].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  // Rows without a phase (eval only runs on eval steps) stack it as 0, so the layers stay continuous.
  const stacked = all.filter((p) => p !== 'gpu');
  for (const pt of points) for (const p of stacked) pt[p] ??= 0;
  return { phases: stacked, overlay: all.filter((p) => p === 'gpu'), points: stride(points) };
}
