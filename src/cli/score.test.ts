// `score`: per-character log-probs of `<bos> T` equal the engine's own logits and an independent
// float64 HF GPT-2 forward on a checkpoint file; unknown characters fail naming the character.

import { afterAll, describe, expect, it } from 'vitest';
import type { GPTConfig } from '../models/config';
import { writeCheckpointFile } from '../models/checkpoint-fs';
import { CpuEngine } from '../models/cpu/engine';
import { cli, randomCheckpoint, referenceLogSoftmax, tempDir } from './testing';

const config: GPTConfig = { vocabSize: 8, blockSize: 12, nEmbd: 16, nLayer: 2, nHead: 2 };
const vocab = ['<pad>', '<bos>', '<eos>', '1', '2', '+', '=', ' '];
const ckpt = randomCheckpoint(config, vocab, 7);
const tmp = tempDir();
const file = tmp.path('score.safetensors');
writeCheckpointFile(file, ckpt);
afterAll(() => tmp.remove());

describe('score', () => {
  it('prints tokens = ids of "<bos> T" and one logprob per character, equal to the engine and to an HF reference', async () => {
    const text = '12+21= 2';
    const r = await cli('score', '--checkpoint', file, '--text', text);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { tokens: number[]; logprobs: number[] };
    expect(out.tokens).toEqual([1, 3, 4, 5, 4, 3, 6, 7, 4]);
    expect(out.logprobs).toHaveLength(text.length);
    for (const lp of out.logprobs) expect(lp).toBeLessThanOrEqual(0);

    // The engine's full logits, log-softmaxed here in float64.
    const engine = new CpuEngine(config, { seed: 0, weights: ckpt.weights });
    const T = out.tokens.length;
    const logits = await engine.logits({
      B: 1,
      T,
      tokens: Int32Array.from(out.tokens),
      targets: new Int32Array(T).fill(-1),
    }); // (1,T,V)
    engine.dispose();
    const V = config.vocabSize;
    const reference = referenceLogSoftmax(ckpt, out.tokens);
    for (let i = 0; i < text.length; i++) {
      const row = Array.from(logits.subarray(i * V, (i + 1) * V));
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((a, l) => a + Math.exp(l - max), 0));
      expect(out.logprobs[i]).toBeCloseTo(row[out.tokens[i + 1]] - lse, 5);
      expect(out.logprobs[i]).toBeCloseTo(reference[i][out.tokens[i + 1]], 4);
    }
    // Random weights make the predictions far from uniform: a shifted or reversed alignment would show.
    expect(Math.max(...out.logprobs) - Math.min(...out.logprobs)).toBeGreaterThan(0.5);
  });

  it('an empty text gives only the <bos> token and no logprobs', async () => {
    const r = await cli('score', '--checkpoint', file, '--text', '');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ tokens: [1], logprobs: [] });
  });

  it('a character outside the vocabulary fails with one line naming it', async () => {
    const r = await cli('score', '--checkpoint', file, '--text', '12x');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('score: character "x" at position 2 of "12x" is not in the vocabulary\n');
  });

  it('a text longer than the context fails naming the limit', async () => {
    const r = await cli('score', '--checkpoint', file, '--text', '1'.repeat(12));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/13 tokens, longer than the checkpoint's context \(n_positions 12\)/);
  });
});
