// The shared checks of TokenBatch, GenerateRequest, weight maps and optimizer states: each bad input
// is refused with its field and value named, good ones (at the bounds) pass, and the CPU engine
// refuses through them.
import { describe, expect, test } from 'vitest';
import type { GPTConfig } from './config';
import { CpuEngine } from './cpu/engine';
import type { GenerateRequest, OptimizerState, TokenBatch } from './engine';
import { initialWeights } from './init';
import { paramLayout } from './params';
import { validateGenerateRequest, validateOptimizerState, validateTokenBatch, validateWeights } from './validate';

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

describe('validateWeights', () => {
  // CONFIG's layout: wte (7,8), wpe (6,8), one block, ln_f.
  const weights = () => initialWeights(CONFIG, 0);

  test('the init passes; a map missing a tensor, with an unknown one or a wrong size is refused by name', () => {
    expect(() => validateWeights(CONFIG, weights())).not.toThrow();
    const missing = weights();
    missing.delete('transformer.h.0.mlp.c_fc.bias');
    expect(() => validateWeights(CONFIG, missing)).toThrow(
      'setWeights: missing tensor transformer.h.0.mlp.c_fc.bias [32]',
    );
    const extra = weights().set('lm_head.weight', new Float32Array(56));
    expect(() => validateWeights(CONFIG, extra)).toThrow('setWeights: unknown tensor lm_head.weight for this config');
    const wrong = weights().set('transformer.wpe.weight', new Float32Array(47));
    expect(() => validateWeights(CONFIG, wrong)).toThrow(
      'setWeights: transformer.wpe.weight has 47 elements, expected [6,8] = 48',
    );
  });

  test('CpuEngine.setWeights and its constructor refuse through it, and leave the weights as they were', async () => {
    const engine = new CpuEngine(CONFIG, { seed: 0 });
    const extra = weights().set('lm_head.weight', new Float32Array(56));
    expect(() => new CpuEngine(CONFIG, { weights: extra })).toThrow('unknown tensor lm_head.weight');
    const before = await engine.getWeights();
    const wrong = weights().set('transformer.wte.weight', new Float32Array(3).fill(1));
    await expect(engine.setWeights(wrong)).rejects.toThrow('transformer.wte.weight has 3 elements');
    expect(await engine.getWeights()).toEqual(before);
  });
});

describe('validateOptimizerState', () => {
  const P = paramLayout(CONFIG).total;
  const state = (over: Partial<OptimizerState> = {}): OptimizerState => ({
    m: new Float32Array(P),
    v: new Float32Array(P),
    t: 0,
    ...over,
  });

  test('moments of P elements with t = 0 or a later step pass', () => {
    expect(() => validateOptimizerState(CONFIG, state())).not.toThrow();
    expect(() => validateOptimizerState(CONFIG, state({ t: 12 }))).not.toThrow();
  });

  test.each([
    [{ m: new Float32Array(3) }, `setOptimizerState: m/v have 3/${P} elements, the model has ${P} parameters`],
    [{ v: new Float32Array(P + 1) }, `setOptimizerState: m/v have ${P}/${P + 1} elements`],
    [{ t: -1 }, 'setOptimizerState: t must be a non-negative integer, got -1'],
    [{ t: 1.5 }, 'setOptimizerState: t must be a non-negative integer, got 1.5'],
  ] as [Partial<OptimizerState>, string][])('%o → %s', (over, message) => {
    expect(() => validateOptimizerState(CONFIG, state(over))).toThrow(message);
  });

  test('CpuEngine.setOptimizerState refuses through it', async () => {
    const engine = new CpuEngine(CONFIG, { seed: 0 });
    await expect(engine.setOptimizerState(state({ t: NaN }))).rejects.toThrow(
      't must be a non-negative integer, got NaN',
    );
  });
});
