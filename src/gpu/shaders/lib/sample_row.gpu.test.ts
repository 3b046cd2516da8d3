// lib/sample_row.wgsl (included as shaders/rollout.wgsl includes it, one workgroup per row) against
// sampleToken (src/models/cpu/sampling.ts): the same logits and the same counter-based u give the
// same token, greedy ties go to the lowest index, and top-k cuts where sampleToken cuts.
import { describe, expect, test } from 'vitest';
import { sampleToken } from '../../../models/cpu/sampling';
import { uniformAt } from '../../../models/rng';
import { randomArray, testRuntime } from '../../testing';
import { includeSnippets } from '../../wgsl';

const WG = 64;
const code = includeSnippets(`
// #include rng
// #include sample_row
override WG: u32;
struct Params { V: u32, temperature: f32, topK: u32, seed: u32, pos: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<u32>; // (rows)
@group(0) @binding(2) var<storage, read> logits: array<f32>; // (rows, V)
var<private> row: u32;
fn logit_at(j: u32) -> f32 { return logits[row * p.V + j]; }
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  row = wid.x;
  let token = sample_row(lid, p.V, p.temperature, p.topK, uniform_at(p.seed, wid.x, p.pos + 1u));
  if (lid == 0u) { out[wid.x] = token; }
}`);

async function draw(
  logits: Float32Array,
  rows: number,
  V: number,
  temperature: number,
  topK: number,
  seed: number,
  pos: number,
) {
  const rt = await testRuntime();
  const out = rt.buffer(rows * 4);
  const rec = rt.recorder();
  rec.dispatch(
    { name: 'sample_row_test', code, entryPoint: 'main', constants: { WG } },
    [{ u32: V }, { f32: temperature }, { u32: topK }, { u32: seed }, { u32: pos }],
    [out, rt.upload(logits)],
    [rows],
  );
  rec.submit();
  return Uint32Array.from(await rt.readI32(out, rows));
}

describe('sample_row', () => {
  test.each([
    [0, 0],
    [0.7, 0],
    [1, 5],
    [1.3, 1],
  ])('τ=%f topK=%i: 67 rows × V=71 draw the same tokens as sampleToken', async (temperature, topK) => {
    const rows = 67;
    const V = 71;
    const pos = 4;
    const seed = 1234;
    const logits = randomArray(rows * V, 99 + topK, 3); // (rows,V)
    const got = await draw(logits, rows, V, temperature, topK, seed, pos);
    const distinct = new Set<number>();
    for (let r = 0; r < rows; r++) {
      const want = sampleToken(logits, r * V, V, temperature, topK, uniformAt(seed, r, pos + 1));
      expect(got[r], `row ${r}`).toBe(want);
      distinct.add(want);
    }
    // Sampling over a wide top-k must spread over many tokens (the RNG stream is per row).
    if (temperature > 0 && topK !== 1) expect(distinct.size).toBeGreaterThan(10);
  });

  test('greedy ties pick the lowest index; top-k ties are cut by index as sampleToken cuts them', async () => {
    // Row 0: a tie between 0 and 2 → 0. Row 1: a clear argmax (1). Rows 2–3: top-2 over a three-way
    // tie keeps indices 0 and 1 only, so token 2 is never drawn, whatever u.
    const logits = Float32Array.from([5, 1, 5, 0, 9, 1, 4, 4, 4, 4, 4, 4]); // (rows,V=3)
    expect(Array.from(await draw(logits.subarray(0, 6), 2, 3, 0, 0, 1, 0))).toEqual([0, 1]);
    for (let seed = 0; seed < 20; seed++) {
      const got = await draw(logits.subarray(6), 2, 3, 1, 2, seed, 0);
      for (let r = 0; r < 2; r++) {
        const want = sampleToken(logits, 6 + r * 3, 3, 1, 2, uniformAt(seed, r, 1));
        expect(got[r]).toBe(want);
        expect(got[r]).toBeLessThan(2);
      }
    }
  });
});
