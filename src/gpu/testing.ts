// Helpers for the browser (WebGPU) tests: a shared runtime that FAILS when no adapter exists
// (CI must never skip GPU tests), and tolerance checks that report the worst element.

import { acquireDevice } from './device';
import { GpuRuntime } from './runtime';
import { Rng } from '../models/rng';

let shared: Promise<GpuRuntime> | null = null;

/** The runtime for tests; throws (failing the test) when WebGPU or an adapter is missing. */
export function testRuntime(): Promise<GpuRuntime> {
  shared ??= acquireDevice().then((ctx) => new GpuRuntime(ctx.device));
  return shared;
}

export interface Closeness {
  maxAbs: number;
  worstIndex: number;
  ok: boolean;
}

/** |a−b| ≤ atol + rtol·|b| elementwise (numpy allclose); reports the worst violation. */
export function allClose(a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, atol: number): Closeness {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let maxAbs = 0;
  let worstIndex = -1;
  let ok = true;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= atol + rtol * Math.abs(b[i]))) ok = false;
    if (!(d <= maxAbs)) {
      maxAbs = d;
      worstIndex = i;
    }
  }
  return { maxAbs, worstIndex, ok };
}

/** max|a−b| / max|b| — llm.c's gradient bar is ≤ 2e-2 relative to the tensor's scale. */
export function relToScale(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return s === 0 ? d : d / s;
}

/** Deterministic test data in [-scale, scale), from the project's one RNG. */
export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rng.next() * 2 - 1) * scale;
  return out;
}
