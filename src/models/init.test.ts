// initialWeights: the nanoGPT init as a pure function of (config, seed), the weights a fresh CpuEngine starts from.
import { describe, expect, test } from 'vitest';
import type { GPTConfig } from './config';
import { CpuEngine } from './cpu/engine';
import { initialWeights, residualInitStd } from './init';
import { paramLayout } from './params';
import { Rng } from './rng';

const TINY: GPTConfig = { vocabSize: 11, blockSize: 12, nEmbd: 8, nLayer: 2, nHead: 2 };
const SMALL: GPTConfig = { vocabSize: 20, blockSize: 48, nEmbd: 64, nLayer: 2, nHead: 4 };

/** FNV-1a over every tensor's name and float32 bytes, in map order. */
function fingerprint(weights: Map<string, Float32Array>): string {
  let h = 0x811c9dc5;
  const mix = (byte: number) => {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const [name, w] of weights) {
    for (const ch of name) mix(ch.charCodeAt(0));
    for (const byte of new Uint8Array(w.buffer, w.byteOffset, w.byteLength)) mix(byte);
  }
  return h.toString(16).padStart(8, '0');
}

describe('initialWeights', () => {
  // The weights every fresh-init run and the base checkpoints were made from (CpuEngine's init with
  // these seeds); a change to the draw order or the stds changes all of them.
  test.each([
    ['tiny', 0, TINY, '0ace0239'],
    ['tiny', 7, TINY, '00c72d96'],
    ['small', 1, SMALL, '6d2e32a1'],
    ['small', 7, SMALL, '7c50e0e1'],
  ] as const)(
    '%s config, seed %i: the recorded weights, and CpuEngine starts from them',
    async (_, seed, config, fp) => {
      const w = initialWeights(config, seed);
      expect(fingerprint(w)).toBe(fp);
      const engine = await new CpuEngine(config, { seed }).getWeights();
      expect([...engine.keys()]).toEqual([...w.keys()]);
      expect(fingerprint(engine)).toBe(fp);
    },
  );

  test('draws Rng(seed) normals in layout order: 0.02, 0.02/√(2L) on c_proj, biases 0, LayerNorm gains 1', () => {
    const w = initialWeights(TINY, 5);
    const rng = new Rng(5);
    for (const t of paramLayout(TINY).tensors) {
      const got = w.get(t.name)!;
      expect(got.length, t.name).toBe(t.size);
      if (t.name.endsWith('.bias'))
        expect(
          got.every((x) => x === 0),
          t.name,
        ).toBe(true);
      else if (/ln_(1|2|f)\.weight$/.test(t.name))
        expect(
          got.every((x) => x === 1),
          t.name,
        ).toBe(true);
      else {
        const std = t.name.endsWith('c_proj.weight') ? 0.02 / Math.sqrt(2 * TINY.nLayer) : 0.02;
        for (let i = 0; i < got.length; i++) expect(got[i]).toBe(Math.fround(rng.normal() * std));
      }
    }
    expect(residualInitStd(TINY)).toBeCloseTo(0.01, 12);
  });

  test('deterministic: the same (config, seed) gives equal weights, another seed different ones', () => {
    const a = initialWeights(SMALL, 3);
    const b = initialWeights(SMALL, 3);
    const c = initialWeights(SMALL, 4);
    expect(fingerprint(b)).toBe(fingerprint(a));
    const wte = a.get('transformer.wte.weight')!;
    const other = c.get('transformer.wte.weight')!;
    expect(wte.filter((x, i) => x !== other[i]).length).toBe(wte.length);
  });
});
