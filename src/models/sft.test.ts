// The shared SFT routine: batches as docs/DESIGN.md §9 builds them, demonstrations on their own seeded stream, and
// steps that are exactly forward → mean-NLL backward → clipped AdamW on the engine.
import { describe, expect, test } from 'vitest';
import type { GPTConfig } from './config';
import { CpuEngine } from './cpu/engine';
import { DEFAULT_ADAMW, meanNllCoefficients, type TokenBatch } from './engine';
import { Rng } from './rng';
import {
  checkSequenceLength,
  DEMONSTRATION_STREAM,
  demonstrationBatches,
  sftBatch,
  trainSft,
  type DemonstrationSource,
  type SftStepReport,
} from './sft';
import { Tokenizer } from './tokenizer';

const CONFIG: GPTConfig = { vocabSize: 8, blockSize: 10, nEmbd: 16, nLayer: 1, nHead: 2 };

describe('sftBatch', () => {
  test('right-pads with <pad>; targets are the next token from firstTarget−1 on, −1 elsewhere', () => {
    const b = sftBatch(
      [
        { tokens: [1, 5, 6, 2], firstTarget: 1 },
        { tokens: [1, 7, 3, 4, 5, 2], firstTarget: 3 },
      ],
      0,
    );
    expect([b.B, b.T]).toEqual([2, 6]);
    expect([...b.tokens]).toEqual([1, 5, 6, 2, 0, 0, 1, 7, 3, 4, 5, 2]);
    expect([...b.targets]).toEqual([5, 6, 2, -1, -1, -1, -1, -1, 4, 5, 2, -1]);
  });

  test('a sequence longer than the context is refused with its length and the context', () => {
    expect(() => checkSequenceLength([1, 2, 3], 3, 'x')).not.toThrow();
    expect(() => checkSequenceLength([1, 2, 3, 4], 3, 'line 2 of f')).toThrow(
      'line 2 of f is 4 tokens with <bos> and <eos>, longer than the context (n_positions 3)',
    );
  });
});

describe('demonstrationBatches', () => {
  // prompt: one digit; demonstration: the digit doubled mod 10, or a wrong digit with probability noise
  const source: DemonstrationSource<{ prompt: string; d: number }> = {
    sample: (rng) => {
      const d = rng.int(5);
      return { prompt: `${d}=`, d };
    },
    demonstrate: (p, rng, noise) => String(rng.bernoulli(noise) ? (p.d + 1) % 10 : (2 * p.d) % 10),
  };
  const tokenizer = Tokenizer.fromAlphabet('0123456789=');

  test('per row: the problem, then its demonstration, from Rng(seed, DEMONSTRATION_STREAM) across calls', () => {
    const next = demonstrationBatches(source, tokenizer, { B: 3, seed: 9, noise: 0.5, blockSize: 10 });
    const rng = new Rng(9, DEMONSTRATION_STREAM);
    for (let call = 0; call < 2; call++) {
      const rows = next();
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        const d = rng.int(5);
        const answer = rng.bernoulli(0.5) ? (d + 1) % 10 : (2 * d) % 10;
        expect(row.tokens).toEqual([
          tokenizer.bosId,
          ...tokenizer.encode(`${d}=`),
          ...tokenizer.encode(String(answer)),
          tokenizer.eosId,
        ]);
        expect(row.firstTarget).toBe(3); // <bos> + 2 prompt characters
      }
    }
  });

  test('a demonstration longer than the context is refused, naming it', () => {
    const next = demonstrationBatches(source, tokenizer, { B: 1, seed: 0, noise: 0, blockSize: 4 });
    expect(() => next()).toThrow(/^demonstration "\d=\d" is 5 tokens with <bos> and <eos>, longer than the context/);
  });
});

describe('trainSft', () => {
  function batchAt(step: number): TokenBatch {
    const rng = new Rng(step, 3);
    const B = 3;
    const T = 6;
    const tokens = Int32Array.from({ length: B * T }, () => rng.int(CONFIG.vocabSize));
    const targets = Int32Array.from({ length: B * T }, (_, i) => (i % T < 2 || i % T === T - 1 ? -1 : tokens[i + 1]));
    return { B, T, tokens, targets };
  }
  const opt = { ...DEFAULT_ADAMW, lr: 1e-2, weightDecay: 0.1, clip: 0.5 };

  test('each step is forward, −1/N coefficients, zeroGrad, backward, step: weights equal a hand-run loop', async () => {
    const engine = new CpuEngine(CONFIG, { seed: 4 });
    const reports: SftStepReport[] = [];
    await trainSft(engine, { steps: 4, batchAt, opt, onStep: (r) => reports.push(r) });

    const ref = new CpuEngine(CONFIG, { seed: 4 });
    for (let s = 0; s < 4; s++) {
      const batch = batchAt(s);
      const { logprobs } = await ref.forward(batch);
      const { dLogprobs, dEntropy, n } = meanNllCoefficients(batch);
      expect(n).toBe(9); // 3 rows × positions 2, 3, 4
      const loss = -logprobs.reduce((a, b) => a + b, 0) / n;
      ref.zeroGrad();
      await ref.backward(dLogprobs, dEntropy);
      const { gradNorm } = await ref.step(opt);
      expect(reports[s].step).toBe(s);
      expect(reports[s].loss).toBeCloseTo(loss, 6);
      expect(reports[s].gradNorm).toBe(gradNorm);
      expect(reports[s].positions).toBe(18);
      expect(reports[s].ms).toBeGreaterThan(0);
    }
    const got = await engine.getWeights();
    for (const [name, w] of await ref.getWeights()) expect(got.get(name), name).toEqual(w);
    expect(reports[0].loss).toBeGreaterThan(Math.log(CONFIG.vocabSize) - 0.5); // near-uniform at init
  });

  test('repeating one batch drives its loss down; 0 steps leaves the weights alone', async () => {
    const engine = new CpuEngine(CONFIG, { seed: 5 });
    const before = await engine.getWeights();
    await trainSft(engine, { steps: 0, batchAt, opt });
    expect(await engine.getWeights()).toEqual(before);
    const losses: number[] = [];
    await trainSft(engine, { steps: 30, batchAt: () => batchAt(0), opt, onStep: (r) => losses.push(r.loss) });
    expect(losses[29]).toBeLessThan(0.5 * losses[0]);
  });
});
