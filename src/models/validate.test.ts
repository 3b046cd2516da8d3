// The shared checks of TokenBatch and GenerateRequest: each bad input is refused with its field and
// value named, good ones (at the bounds) pass, and the CPU engine refuses through them.
import { describe, expect, test } from 'vitest';
import type { GPTConfig } from './config';
import { CpuEngine } from './cpu/engine';
import type { GenerateRequest, TokenBatch } from './engine';
import { validateGenerateRequest, validateTokenBatch } from './validate';

const CONFIG: GPTConfig = { vocabSize: 7, blockSize: 6, nEmbd: 8, nLayer: 1, nHead: 2 };

const batch = (over: Partial<TokenBatch> = {}): TokenBatch => ({
  B: 2,
  T: 3,
  tokens: Int32Array.from([0, 1, 6, 2, 3, 4]),
  targets: Int32Array.from([1, 6, -1, 3, 4, -1]),
  ...over,
});

const request = (over: Partial<GenerateRequest> = {}): GenerateRequest => ({
  prompts: [Int32Array.from([1, 5]), Int32Array.from([1, 2, 3, 4, 5, 6])],
  maxNewTokens: 4,
  temperature: 1,
  topK: 0,
  seed: 0xffffffff,
  eosId: 2,
  ...over,
});

describe('validateTokenBatch', () => {
  test('a batch at the bounds passes: T = blockSize, tokens 0 and V−1, targets −1 and V−1', () => {
    expect(() => validateTokenBatch(CONFIG, batch())).not.toThrow();
    const full = { B: 1, T: 6, tokens: Int32Array.from([0, 6, 0, 6, 0, 6]), targets: new Int32Array(6).fill(-1) };
    expect(() => validateTokenBatch(CONFIG, full)).not.toThrow();
  });

  test.each([
    [{ B: 0 }, 'batch.B = 0 must be a positive integer'],
    [{ B: 1.5 }, 'batch.B = 1.5 must be a positive integer'],
    [{ T: -3 }, 'batch.T = -3 must be a positive integer'],
    [
      { B: 1, T: 7, tokens: new Int32Array(7), targets: new Int32Array(7) },
      'batch.T = 7 exceeds the context length blockSize = 6',
    ],
    [{ tokens: new Int32Array(5) }, 'batch.tokens has 5 entries, expected B·T = 6'],
    [{ targets: new Int32Array(8) }, 'batch.targets has 8 entries, expected B·T = 6'],
    [{ tokens: Int32Array.from([0, 1, 7, 2, 3, 4]) }, 'batch.tokens[2] = 7 is outside the vocabulary [0, 7)'],
    [{ tokens: Int32Array.from([0, 1, 2, 2, 3, -1]) }, 'batch.tokens[5] = -1 is outside the vocabulary [0, 7)'],
    [
      { targets: Int32Array.from([1, -2, -1, 3, 4, -1]) },
      'batch.targets[1] = -2 is neither -1 nor in the vocabulary [0, 7)',
    ],
    [
      { targets: Int32Array.from([1, 6, -1, 3, 7, -1]) },
      'batch.targets[4] = 7 is neither -1 nor in the vocabulary [0, 7)',
    ],
  ] as [Partial<TokenBatch>, string][])('%o → %s', (over, message) => {
    expect(() => validateTokenBatch(CONFIG, batch(over))).toThrow(message);
  });

  test('CpuEngine.forward and logits refuse through it', async () => {
    const engine = new CpuEngine(CONFIG, { seed: 0 });
    const bad = batch({ tokens: Int32Array.from([0, 1, 7, 2, 3, 4]) });
    await expect(engine.forward(bad)).rejects.toThrow('batch.tokens[2] = 7 is outside the vocabulary [0, 7)');
    await expect(engine.logits(bad)).rejects.toThrow('batch.tokens[2] = 7');
  });
});

describe('validateGenerateRequest', () => {
  test('a request at the bounds passes: a prompt of blockSize tokens, seed 2³²−1, eosId −1 and V−1, τ = 0', () => {
    expect(() => validateGenerateRequest(CONFIG, request())).not.toThrow();
    expect(() =>
      validateGenerateRequest(CONFIG, request({ eosId: -1, temperature: 0, maxNewTokens: 0 })),
    ).not.toThrow();
    expect(() => validateGenerateRequest(CONFIG, request({ eosId: 6, topK: undefined, prompts: [] }))).not.toThrow();
  });

  test.each([
    [{ maxNewTokens: -1 }, 'generate: maxNewTokens = -1 must be a non-negative integer'],
    [{ maxNewTokens: 2.5 }, 'generate: maxNewTokens = 2.5 must be a non-negative integer'],
    [{ temperature: -0.1 }, 'generate: temperature = -0.1 must be a finite number ≥ 0'],
    [{ temperature: NaN }, 'generate: temperature = NaN must be a finite number ≥ 0'],
    [{ temperature: Infinity }, 'generate: temperature = Infinity must be a finite number ≥ 0'],
    [{ topK: -2 }, 'generate: topK = -2 must be a non-negative integer'],
    [{ topK: 1.5 }, 'generate: topK = 1.5 must be a non-negative integer'],
    [{ seed: -1 }, 'generate: seed = -1 must be an integer in [0, 2^32)'],
    [{ seed: 2 ** 32 }, 'generate: seed = 4294967296 must be an integer in [0, 2^32)'],
    [{ seed: 0.5 }, 'generate: seed = 0.5 must be an integer in [0, 2^32)'],
    [{ eosId: 7 }, 'generate: eosId = 7 must be -1 (none) or in the vocabulary [0, 7)'],
    [{ eosId: -2 }, 'generate: eosId = -2 must be -1 (none) or in the vocabulary [0, 7)'],
    [{ prompts: [Int32Array.from([1]), new Int32Array(0)] }, 'generate: prompts[1] is empty'],
    [{ prompts: [new Int32Array(7)] }, 'generate: prompts[0] has 7 tokens, more than blockSize = 6'],
    [{ prompts: [Int32Array.from([1, 2, 9])] }, 'generate: prompts[0][2] = 9 is outside the vocabulary [0, 7)'],
    [{ prompts: [Int32Array.from([-1])] }, 'generate: prompts[0][0] = -1 is outside the vocabulary [0, 7)'],
  ] as [Partial<GenerateRequest>, string][])('%o → %s', (over, message) => {
    expect(() => validateGenerateRequest(CONFIG, request(over))).toThrow(message);
  });

  test('CpuEngine.generate refuses through it', async () => {
    const engine = new CpuEngine(CONFIG, { seed: 0 });
    await expect(engine.generate(request({ temperature: -1 }))).rejects.toThrow('temperature = -1');
  });
});
