// lib/rng.wgsl (included as a shader would) against src/models/rng.ts: bit-identical draws.
import { expect, test } from 'vitest';
import { Rng, uniformAt } from '../../../models/rng';
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

test('rng.wgsl rand_below draws the integers of rng.ts Rng.int, for n from 1 to 2^20', async () => {
  const rt = await testRuntime();
  const ns = [1, 2, 3, 7, 100, 4097, 65537, 1 << 20];
  const per = 500;
  const code = includeSnippets(`
// #include rng
struct Params { seed: u32, stream: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> ns: array<u32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x < arrayLength(&out)) { out[g.x] = rand_below(p.seed, p.stream, g.x % ${per}u, ns[g.x / ${per}u]); }
}`);
  const total = ns.length * per;
  const out = rt.buffer(total * 4);
  const rec = rt.recorder();
  const seed = 0x1234567;
  const spec = { name: 'rand_below_test', code, entryPoint: 'main' };
  rec.dispatch(spec, [{ u32: seed }, { u32: 9 }], [out, rt.upload(Uint32Array.from(ns))], [Math.ceil(total / 64)]);
  rec.submit();
  const got = new Uint32Array((await rt.read([{ buffer: out, count: total }]))[0]);
  let mismatches = 0;
  ns.forEach((n, k) => {
    const rng = new Rng(seed, 9);
    for (let c = 0; c < per; c++) if (got[k * per + c] !== rng.int(n)) mismatches++;
  });
  expect(mismatches).toBe(0);
  // The draws span their range: the largest n's reach its top eighth.
  expect(Math.max(...got.subarray((ns.length - 1) * per))).toBeGreaterThan((7 / 8) * (1 << 20));
});
