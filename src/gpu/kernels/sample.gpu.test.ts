// sample.wgsl against sampleToken (src/models/cpu/sampling.ts): the same logits and the same
// counter-based u give the same token; rows inside their prompt, rows done at <eos> and rows past
// maxNewTokens behave as generation needs.
import { describe, expect, test } from 'vitest';
import { sampleToken } from '../../models/cpu/sampling';
import { uniformAt } from '../../models/rng';
import { randomArray, testRuntime } from '../testing';
import { sampleTokens, type SampleParams } from './sample';

const PAD = 0;
const EOS = 2;

async function run(
  logits: Float32Array,
  rows: number,
  V: number,
  Tmax: number,
  pos: number,
  promptLen: Uint32Array,
  s: SampleParams,
  done?: Uint32Array,
) {
  const rt = await testRuntime();
  const tokens = new Int32Array(rows * Tmax).fill(-7); // (rows,Tmax) sentinel: untouched slots stay -7
  const tokBuf = rt.upload(tokens);
  const doneBuf = rt.upload(done ?? new Uint32Array(rows));
  const rec = rt.recorder();
  sampleTokens(rec, tokBuf, doneBuf, rt.upload(logits), rt.upload(promptLen), rows, V, Tmax, pos, s);
  rec.submit();
  const [t, d] = await rt.read([
    { buffer: tokBuf, count: rows * Tmax },
    { buffer: doneBuf, count: rows },
  ]);
  const all = new Int32Array(t);
  return { next: Int32Array.from({ length: rows }, (_, r) => all[r * Tmax + pos + 1]), done: new Uint32Array(d) };
}

describe('sample kernel', () => {
  test.each([
    [0, 0],
    [0.7, 0],
    [1, 5],
    [1.3, 1],
  ])('τ=%f topK=%i: 67 rows × V=71 draw the same tokens as sampleToken', async (temperature, topK) => {
    const rows = 67;
    const V = 71;
    const Tmax = 9;
    const pos = 4;
    const seed = 1234;
    const logits = randomArray(rows * V, 99 + topK, 3); // (rows,V)
    const s: SampleParams = { temperature, topK, seed, eosId: -1, padId: PAD, maxNewTokens: 100 };
    const { next } = await run(logits, rows, V, Tmax, pos, new Uint32Array(rows).fill(1), s);
    const distinct = new Set<number>();
    for (let r = 0; r < rows; r++) {
      const want = sampleToken(logits, r * V, V, temperature, topK, uniformAt(seed, r, pos + 1));
      expect(next[r], `row ${r}`).toBe(want);
      distinct.add(want);
    }
    // Sampling over a wide top-k must spread over many tokens (the RNG stream is per row).
    if (temperature > 0 && topK !== 1) expect(distinct.size).toBeGreaterThan(10);
  });

  test('greedy ties pick the lowest index; prompt rows untouched; done and over-length rows write <pad>; <eos> sets done', async () => {
    const rows = 5;
    const V = 3;
    const Tmax = 6;
    const pos = 2;
    // Row 0: tie between 0 and 2 → 0. Row 1: argmax <eos> (2) → done. Row 2 still in its prompt.
    // Row 3 already done → <pad>. Row 4 has generated maxNewTokens already → <pad>.
    const logits = Float32Array.from([5, 1, 5, 0, 1, 9, 0, 9, 1, 0, 9, 1, 0, 9, 1]); // (rows,V)
    const promptLen = Uint32Array.from([3, 3, 5, 3, 1]);
    const s: SampleParams = { temperature: 0, topK: 0, seed: 1, eosId: EOS, padId: PAD, maxNewTokens: 2 };
    const { next, done } = await run(logits, rows, V, Tmax, pos, promptLen, s, Uint32Array.from([0, 0, 0, 1, 0]));
    expect(Array.from(next)).toEqual([0, EOS, -7, PAD, PAD]);
    expect(Array.from(done)).toEqual([0, 1, 0, 1, 0]);
  });
});
