// sampleToken, the sampling rule both engines share: greedy and top-1 are argmax (lowest index on
// ties), frequencies over many draws follow softmax(logits/τ) over the kept top-k, and ties at the
// k-th value keep the lowest indices.
import { describe, expect, test } from 'vitest';
import { uniformAt } from '../rng';
import { sampleToken } from './sampling';

function softmax(z: number[], tau: number): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp((v - m) / tau));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function frequencies(logits: Float32Array, offset: number, V: number, tau: number, topK: number, n: number): number[] {
  const count = new Array<number>(V).fill(0);
  for (let i = 0; i < n; i++) count[sampleToken(logits, offset, V, tau, topK, uniformAt(42, 0, i))]++;
  return count.map((c) => c / n);
}

describe('sampleToken', () => {
  const logits = Float32Array.from([9, 0.5, -1, 2, 1.5, 2, 0.1, -0.3]); // padding row, then the row at offset 1
  const V = 7;
  const row = Array.from(logits.subarray(1));

  test('temperature 0 is argmax with the lowest index on ties, whatever u', () => {
    for (const u of [0, 0.3, 0.999]) expect(sampleToken(logits, 1, V, 0, 0, u)).toBe(2); // 2 at indices 2 and 4
    expect(sampleToken(Float32Array.from([1, 3, 3]), 0, 3, 0, 0, 0.5)).toBe(1);
  });

  test('top-k 1 at τ = 1.5 is argmax for every u', () => {
    for (let i = 0; i < 50; i++) expect(sampleToken(logits, 1, V, 1.5, 1, uniformAt(1, 2, i))).toBe(2);
  });

  test.each([0.7, 1, 2])('τ=%f: frequencies over 20000 draws match softmax(logits/τ) within 0.012', (tau) => {
    const want = softmax(row, tau);
    const got = frequencies(logits, 1, V, tau, 0, 20000);
    for (let j = 0; j < V; j++) expect(Math.abs(got[j] - want[j]), `token ${j}`).toBeLessThan(0.012);
  });

  test('top-k 3 with a tie at the 2nd/3rd value: keeps indices 2, 4 (tie, both) and 3; frequencies follow their renormalised softmax', () => {
    // values: 2 (idx 2), 1.5 (idx 3), 2 (idx 4) are the top 3; with k = 2 the tie at value 2 keeps 2 and 4.
    const got = frequencies(logits, 1, V, 1, 3, 20000);
    const top = softmax([row[2], row[3], row[4]], 1);
    expect(Math.abs(got[2] - top[0])).toBeLessThan(0.012);
    expect(Math.abs(got[3] - top[1])).toBeLessThan(0.012);
    expect(Math.abs(got[4] - top[2])).toBeLessThan(0.012);
    for (const j of [0, 1, 5, 6]) expect(got[j]).toBe(0);
    // k = 2 keeps exactly the two tied 2s; k = 1 keeps the lower index of the tie
    const two = frequencies(logits, 1, V, 1, 2, 4000);
    expect(two[2] + two[4]).toBe(1);
    expect(Math.abs(two[2] - 0.5)).toBeLessThan(0.04);
    const tiedK = Float32Array.from([1, 5, 5, 5]);
    const keep2 = frequencies(tiedK, 0, 4, 1, 2, 2000);
    expect(keep2[3]).toBe(0); // ties at the k-th value: the lowest indices (1, 2) are kept
    expect(keep2[0]).toBe(0);
  });

  test('inverse CDF in index order: u = 0 gives the first kept index, u → 1 the last', () => {
    expect(sampleToken(logits, 1, V, 1, 0, 0)).toBe(0);
    expect(sampleToken(logits, 1, V, 1, 0, 1 - 2 ** -24)).toBe(6);
    expect(sampleToken(logits, 1, V, 1, 3, 0)).toBe(2);
    expect(sampleToken(logits, 1, V, 1, 3, 1 - 2 ** -24)).toBe(4);
  });
});
