// CpuEngine against the Engine contract: KV-cache generation equals recomputing the full forward for
// every token (greedy and sampled), <eos>/maxNewTokens/blockSize stops and truncated flags, weights
// in/out with clear errors, nanoGPT init statistics, a small SFT loop that learns, clipping and the
// optimizer state.
import { describe, expect, test } from 'vitest';
import type { GPTConfig } from '../config';
import { DEFAULT_ADAMW, meanNllCoefficients, type GenerateRequest, type TokenBatch } from '../engine';
import { uniformAt, Rng } from '../rng';
import { CpuEngine } from './engine';
import { globalNorm } from './ops';
import { sampleToken } from './sampling';

const CONFIG: GPTConfig = { vocabSize: 9, blockSize: 12, nEmbd: 16, nLayer: 2, nHead: 2 };

/** The same sampling as generate(), without a cache: the full forward over the whole sequence per token. */
async function generateByRecompute(engine: CpuEngine, req: GenerateRequest) {
  const { vocabSize: V, blockSize } = engine.config;
  const completions: Int32Array[] = [];
  const truncated: boolean[] = [];
  for (let r = 0; r < req.prompts.length; r++) {
    const seq = Array.from(req.prompts[r]);
    const end = Math.min(seq.length + req.maxNewTokens, blockSize);
    let eos = false;
    while (seq.length < end && !eos) {
      const T = seq.length;
      const logits = await engine.logits({
        B: 1,
        T,
        tokens: Int32Array.from(seq),
        targets: new Int32Array(T).fill(-1),
      });
      const tok = sampleToken(logits, (T - 1) * V, V, req.temperature, req.topK ?? 0, uniformAt(req.seed, r, T));
      seq.push(tok);
      eos = tok === req.eosId;
    }
    completions.push(Int32Array.from(seq.slice(req.prompts[r].length)));
    truncated.push(!eos);
  }
  return { completions, truncated };
}

/** A model whose logits are far from uniform (weights × 20), so sampling paths differ visibly. */
async function sharpEngine(seed: number): Promise<CpuEngine> {
  const engine = new CpuEngine(CONFIG, { seed });
  const w = await engine.getWeights();
  for (const [name, t] of w) if (!name.includes('ln_')) t.forEach((v, i) => (t[i] = v * 20));
  await engine.setWeights(w);
  return engine;
}

const PROMPTS = [[1, 4, 5], [1], [1, 3, 3, 7, 8, 6], [1, 2]].map((p) => Int32Array.from(p));

describe('CpuEngine.generate', () => {
  test.each([
    [0, 0],
    [1, 0],
    [0.8, 3],
  ])(
    'τ=%f top-k %i: KV-cache tokens equal the full-recompute tokens for prompts of 1–6 tokens',
    async (temperature, topK) => {
      const engine = await sharpEngine(11);
      for (const eosId of [2, 5, 8]) {
        const req: GenerateRequest = { prompts: PROMPTS, maxNewTokens: 7, temperature, topK, seed: 99, eosId };
        const got = await engine.generate(req);
        const want = await generateByRecompute(engine, req);
        expect(got.completions.map((c) => Array.from(c))).toEqual(want.completions.map((c) => Array.from(c)));
        expect(got.truncated).toEqual(want.truncated);
      }
      // the comparison means something: completions are non-trivial
      const any = await engine.generate({ prompts: PROMPTS, maxNewTokens: 7, temperature, topK, seed: 99, eosId: -1 });
      expect(any.completions.reduce((n, c) => n + c.length, 0)).toBe(7 + 7 + 6 + 7); // row 2 hits blockSize 12
    },
  );

  test('sampled generations depend on the seed and on the row (u = uniformAt(seed, row, position))', async () => {
    const engine = await sharpEngine(12);
    const same = Array.from({ length: 4 }, () => Int32Array.from([1, 4]));
    const a = await engine.generate({ prompts: same, maxNewTokens: 9, temperature: 1, seed: 5, eosId: -1 });
    const b = await engine.generate({ prompts: same, maxNewTokens: 9, temperature: 1, seed: 6, eosId: -1 });
    const rowsA = new Set(a.completions.map((c) => c.join(',')));
    expect(rowsA.size).toBeGreaterThan(1);
    expect(a.completions.map((c) => c.join(','))).not.toEqual(b.completions.map((c) => c.join(',')));
    const again = await engine.generate({ prompts: same, maxNewTokens: 9, temperature: 1, seed: 5, eosId: -1 });
    expect(again.completions).toEqual(a.completions);
  });

  test('a row stops at <eos> (included, truncated false); others run to maxNewTokens (truncated true)', async () => {
    const engine = await sharpEngine(13);
    const greedy = await engine.generate({ prompts: PROMPTS, maxNewTokens: 5, temperature: 0, seed: 0, eosId: -1 });
    expect(greedy.completions.map((c) => c.length)).toEqual([5, 5, 5, 5]);
    expect(greedy.truncated).toEqual([true, true, true, true]);
    // make row 0's third greedy token the <eos>: row 0 stops right there
    const eosId = greedy.completions[0][2];
    const firstAt = (c: Int32Array) => c.indexOf(eosId);
    const res = await engine.generate({ prompts: PROMPTS, maxNewTokens: 5, temperature: 0, seed: 0, eosId });
    res.completions.forEach((c, r) => {
      const k = firstAt(greedy.completions[r]);
      if (k < 0) {
        expect(Array.from(c)).toEqual(Array.from(greedy.completions[r]));
        expect(res.truncated[r]).toBe(true);
      } else {
        expect(Array.from(c)).toEqual(Array.from(greedy.completions[r].subarray(0, k + 1)));
        expect(res.truncated[r]).toBe(false);
      }
    });
    expect(res.completions[0].length).toBeLessThanOrEqual(3);
    expect(res.completions[0][res.completions[0].length - 1]).toBe(eosId);
  });

  test('prompt + completion never exceeds blockSize (12): 10-token prompt gets 2 tokens, a full prompt none; maxNewTokens 0 gives none', async () => {
    const engine = await sharpEngine(14);
    const prompts = [Int32Array.from({ length: 10 }, (_, i) => i % 9), Int32Array.from({ length: 12 }, () => 1)];
    const res = await engine.generate({ prompts, maxNewTokens: 8, temperature: 1, seed: 3, eosId: -1 });
    expect(res.completions.map((c) => c.length)).toEqual([2, 0]);
    expect(res.truncated).toEqual([true, true]);
    const none = await engine.generate({ prompts: PROMPTS, maxNewTokens: 0, temperature: 1, seed: 3, eosId: -1 });
    expect(none.completions.map((c) => c.length)).toEqual([0, 0, 0, 0]);
    await expect(
      engine.generate({ prompts: [new Int32Array(13)], maxNewTokens: 1, temperature: 1, seed: 3, eosId: -1 }),
    ).rejects.toThrow(/prompts\[0\] has 13 tokens, more than blockSize = 12/);
  });
});

describe('CpuEngine weights and init', () => {
  test('getWeights → setWeights round trip is exact, and the engines then give identical logits', async () => {
    const a = new CpuEngine(CONFIG, { seed: 1 });
    const b = new CpuEngine(CONFIG, { seed: 2 });
    const batch: TokenBatch = {
      B: 2,
      T: 4,
      tokens: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
      targets: new Int32Array(8).fill(-1),
    };
    expect(Array.from(await a.logits(batch))).not.toEqual(Array.from(await b.logits(batch)));
    const wa = await a.getWeights();
    await b.setWeights(wa);
    const wb = await b.getWeights();
    expect([...wb.keys()]).toEqual([...wa.keys()]);
    for (const [name, t] of wa) expect(Array.from(wb.get(name) as Float32Array), name).toEqual(Array.from(t));
    expect(Array.from(await b.logits(batch))).toEqual(Array.from(await a.logits(batch)));
    // constructing with weights is the same as setWeights
    const c = new CpuEngine(CONFIG, { seed: 3, weights: wa });
    expect(Array.from(await c.logits(batch))).toEqual(Array.from(await a.logits(batch)));
  });

  test('setWeights names the missing, unknown or wrongly sized tensor', async () => {
    const e = new CpuEngine(CONFIG);
    const w = await e.getWeights();
    const missing = new Map(w);
    missing.delete('transformer.h.1.mlp.c_fc.bias');
    await expect(e.setWeights(missing)).rejects.toThrow('missing tensor transformer.h.1.mlp.c_fc.bias [64]');
    const wrong = new Map(w).set('transformer.wpe.weight', new Float32Array(5));
    await expect(e.setWeights(wrong)).rejects.toThrow('transformer.wpe.weight has 5 elements, expected [12,16] = 192');
    const extra = new Map(w).set('lm_head.weight', new Float32Array(1));
    await expect(e.setWeights(extra)).rejects.toThrow('unknown tensor lm_head.weight');
  });

  test('nanoGPT init: std 0.02 (wte, wpe, c_attn, c_fc), 0.02/√(2L) for c_proj, biases 0, LayerNorm weights 1; seeded', async () => {
    const config: GPTConfig = { vocabSize: 50, blockSize: 64, nEmbd: 64, nLayer: 4, nHead: 4 };
    const w = await new CpuEngine(config, { seed: 7 }).getWeights();
    const std = (t: Float32Array) => Math.sqrt(t.reduce((s, v) => s + v * v, 0) / t.length);
    const mean = (t: Float32Array) => t.reduce((s, v) => s + v, 0) / t.length;
    for (const name of [
      'transformer.wte.weight',
      'transformer.wpe.weight',
      'transformer.h.2.attn.c_attn.weight',
      'transformer.h.0.mlp.c_fc.weight',
    ]) {
      const t = w.get(name) as Float32Array;
      expect(Math.abs(std(t) - 0.02), name).toBeLessThan(0.0015);
      expect(Math.abs(mean(t)), name).toBeLessThan(0.002);
    }
    const scaled = 0.02 / Math.sqrt(8);
    for (const name of ['transformer.h.3.attn.c_proj.weight', 'transformer.h.1.mlp.c_proj.weight']) {
      expect(Math.abs(std(w.get(name) as Float32Array) - scaled), name).toBeLessThan(0.0006);
    }
    for (const [name, t] of w) {
      if (name.endsWith('.bias'))
        expect(
          t.every((v) => v === 0),
          name,
        ).toBe(true);
      if (/ln_(1|2|f)\.weight$/.test(name))
        expect(
          t.every((v) => v === 1),
          name,
        ).toBe(true);
    }
    const again = await new CpuEngine(config, { seed: 7 }).getWeights();
    const other = await new CpuEngine(config, { seed: 8 }).getWeights();
    expect(Array.from(again.get('transformer.wte.weight') as Float32Array)).toEqual(
      Array.from(w.get('transformer.wte.weight') as Float32Array),
    );
    expect(Array.from(other.get('transformer.wte.weight') as Float32Array)).not.toEqual(
      Array.from(w.get('transformer.wte.weight') as Float32Array),
    );
  });
});

function randomBatch(B: number, T: number, V: number, seed: number): TokenBatch {
  const rng = new Rng(seed);
  const tokens = Int32Array.from({ length: B * T }, () => rng.int(V)); // (B,T)
  const targets = new Int32Array(B * T); // (B,T) next token; the last position of each row predicts nothing
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) targets[b * T + t] = t + 1 < T ? tokens[b * T + t + 1] : -1;
  return { B, T, tokens, targets };
}

describe('CpuEngine training', () => {
  test('SFT on a fixed batch (AdamW lr 1e-2, 30 steps) cuts the mean NLL by ≥ 50%', async () => {
    const engine = new CpuEngine(CONFIG, { seed: 21 });
    const batch = randomBatch(4, 10, CONFIG.vocabSize, 5);
    const { dLogprobs, dEntropy, n } = meanNllCoefficients(batch);
    const losses: number[] = [];
    for (let s = 0; s < 30; s++) {
      const { logprobs } = await engine.forward(batch);
      losses.push(-logprobs.reduce((a, b) => a + b, 0) / n);
      engine.zeroGrad();
      await engine.backward(dLogprobs, dEntropy);
      await engine.step({ ...DEFAULT_ADAMW, lr: 1e-2 });
    }
    const { logprobs } = await engine.forward(batch);
    const final = -logprobs.reduce((a, b) => a + b, 0) / n;
    expect(losses[0]).toBeCloseTo(Math.log(CONFIG.vocabSize), 1); // near-uniform at init
    expect(final).toBeLessThan(0.5 * losses[0]);
  });

  test('step clips the global gradient norm to exactly the clip value and returns the norm before clipping', async () => {
    const engine = new CpuEngine(CONFIG, { seed: 22 });
    const batch = randomBatch(3, 7, CONFIG.vocabSize, 6);
    const { dEntropy } = meanNllCoefficients(batch);
    await engine.forward(batch);
    engine.zeroGrad();
    await engine.backward(new Float32Array(21).fill(-3), dEntropy); // large coefficients: norm ≫ clip
    const before = globalNorm(Float32Array.from([...(await engine.getGrads()).values()].flatMap((t) => Array.from(t))));
    expect(before).toBeGreaterThan(1);
    const { gradNorm } = await engine.step({ ...DEFAULT_ADAMW, clip: 0.25 });
    expect(gradNorm).toBeCloseTo(before, 4);
    const after = globalNorm(Float32Array.from([...(await engine.getGrads()).values()].flatMap((t) => Array.from(t))));
    expect(Math.abs(after - 0.25) / 0.25).toBeLessThan(1e-5);
  });

  test('a non-finite gradient norm takes no step: weights, moments and t stay bit-identical', async () => {
    const engine = new CpuEngine(CONFIG, { seed: 24 });
    const batch = randomBatch(2, 5, CONFIG.vocabSize, 9);
    const { dLogprobs, dEntropy } = meanNllCoefficients(batch);
    await engine.forward(batch);
    engine.zeroGrad();
    await engine.backward(dLogprobs, dEntropy);
    await engine.step({ ...DEFAULT_ADAMW, lr: 1e-2 }); // nonzero moments, t = 1
    const [w0, o0] = [await engine.getWeights(), await engine.getOptimizerState()];
    for (const bad of [NaN, Infinity]) {
      const poisoned = Float32Array.from(dLogprobs);
      poisoned[3] = bad;
      await engine.forward(batch);
      engine.zeroGrad();
      await engine.backward(poisoned, dEntropy);
      const { gradNorm } = await engine.step({ ...DEFAULT_ADAMW, lr: 1e-2 });
      expect(Number.isFinite(gradNorm)).toBe(false);
      const [w1, o1] = [await engine.getWeights(), await engine.getOptimizerState()];
      for (const [name, w] of w0) expect(w1.get(name)).toEqual(w);
      expect([o1.t, o1.m, o1.v]).toEqual([1, o0.m, o0.v]);
    }
  });

  test('optimizer state moved to a second engine (same weights) gives the identical next step; backward without forward throws', async () => {
    const batch = randomBatch(2, 6, CONFIG.vocabSize, 7);
    const { dLogprobs, dEntropy } = meanNllCoefficients(batch);
    const a = new CpuEngine(CONFIG, { seed: 23 });
    const trainStep = async (e: CpuEngine) => {
      await e.forward(batch);
      e.zeroGrad();
      await e.backward(dLogprobs, dEntropy);
      await e.step({ ...DEFAULT_ADAMW, lr: 1e-2, weightDecay: 0.1 });
    };
    await trainStep(a);
    await trainStep(a);
    const state = await a.getOptimizerState();
    expect(state.t).toBe(2);
    const b = new CpuEngine(CONFIG, { seed: 0, weights: await a.getWeights() });
    await b.setOptimizerState(state);
    await trainStep(a);
    await trainStep(b);
    const [wa, wb] = [await a.getWeights(), await b.getWeights()];
    for (const [name, t] of wa) expect(Array.from(wb.get(name) as Float32Array), name).toEqual(Array.from(t));

    const fresh = new CpuEngine(CONFIG);
    await expect(fresh.backward(dLogprobs, dEntropy)).rejects.toThrow(/needs a forward/);
    await fresh.forward(batch);
    await fresh.logits(batch);
    await expect(fresh.backward(dLogprobs, dEntropy)).rejects.toThrow(/logits\(\) does not keep activations/);
  });
});
