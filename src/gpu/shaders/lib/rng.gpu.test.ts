// lib/rng.wgsl (included as a shader would) against src/models/rng.ts: bit-identical draws.
import { expect, test } from 'vitest';
import { uniformAt } from '../../../models/rng';
import { testRuntime } from '../../testing';
import { includeSnippets } from '../../wgsl';

test('rng.wgsl uniform_at draws bit-identical numbers to rng.ts uniformAt', async () => {
  const rt = await testRuntime();
  const n = 1000;
  const code = includeSnippets(`
// #include rng
struct Params { seed: u32, stream: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x < arrayLength(&out)) { out[g.x] = uniform_at(p.seed, p.stream, g.x); }
}`);
  const out = rt.buffer(n * 4);
  const rec = rt.recorder();
  const seed = 0xdeadbeef;
  rec.dispatch({ name: 'rng_test', code, entryPoint: 'main' }, [{ u32: seed }, { u32: 7 }], [out], [Math.ceil(n / 64)]);
  rec.submit();
  const got = await rt.readF32(out, n);
  let mismatches = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    if (got[i] !== uniformAt(seed, 7, i)) mismatches++;
    mean += got[i] / n;
  }
  expect(mismatches).toBe(0);
  expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
});
