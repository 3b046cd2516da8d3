// generate() (shaders/rollout.wgsl, the whole rollout in one dispatch) against CpuEngine.generate from
// the same weights: greedy tokens identical; sampled tokens (same seed, same counter-based RNG)
// identical except where logits tie within float error; rows split over several dispatches give the
// same tokens as one.
// Prompts of different lengths; the weights live in one buffer at 256-byte-aligned offsets, bound as
// ranges, as WebGpuEngine keeps them.
import { describe, expect, test } from 'vitest';
import { MODEL_SIZES, type GPTConfig } from '../models/config';
import { CpuEngine } from '../models/cpu/engine';
import type { GenerateRequest, GenerateResult } from '../models/engine';
import { paramLayout } from '../models/params';
import { Rng } from '../models/rng';
import { generate, generateInBatches, type GpuModel } from './generate';
import { GpuParamLayout, parameterBindings } from './params';
import { testRuntime } from './testing';

const cfg: GPTConfig = { vocabSize: 13, blockSize: 16, nEmbd: 32, nLayer: 2, nHead: 2 };
const EOS = 2;

/** Weights (HF names) of scale 0.3, so that next-token distributions are peaked and differ by context. */
function weights(seed: number, c: GPTConfig = cfg): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const out = new Map<string, Float32Array>();
  for (const t of paramLayout(c).tensors) {
    const a = new Float32Array(t.size);
    for (let i = 0; i < t.size; i++)
      a[i] = (t.name.includes('ln_') && t.name.endsWith('weight') ? 1 : 0) + 0.3 * rng.normal();
    out.set(t.name, a);
  }
  return out;
}

/** One flat buffer, each tensor at a 256-byte-aligned offset (WebGpuEngine's layout, src/gpu/params.ts). */
async function gpuModel(w: Map<string, Float32Array>, c: GPTConfig = cfg): Promise<GpuModel> {
  const rt = await testRuntime();
  const layout = new GpuParamLayout(c, 256);
  const buffer = rt.upload(layout.pack(w, 'gpuModel'));
  return { rt, config: c, weights: parameterBindings(c, (name) => layout.binding(buffer, name)) };
}

const prompts = [[1, 5, 7, 3], [1], [1, 9, 4, 4, 6, 12], [1, 3], [1, 11, 10]].map((p) => Int32Array.from(p));

async function both(req: GenerateRequest): Promise<[GenerateResult, GenerateResult]> {
  const w = weights(11);
  const cpu = new CpuEngine(cfg, { seed: 0 });
  await cpu.setWeights(w);
  const want = await cpu.generate(req);
  cpu.dispose();
  const got = await generate(await gpuModel(w), req);
  return [got, want];
}

describe('generate on the GPU', () => {
  test('greedy (τ=0) tokens equal CpuEngine greedy tokens for prompts of 1–6 tokens, in one submission of one dispatch', async () => {
    const req: GenerateRequest = { prompts, maxNewTokens: 9, temperature: 0, seed: 1, eosId: EOS };
    const rt = await testRuntime();
    const before = rt.submitCount;
    const dispatchesBefore = rt.dispatchCount;
    const [got, want] = await both(req);
    expect(rt.submitCount - before).toBe(1);
    expect(rt.dispatchCount - dispatchesBefore, 'dispatches').toBe(1);
    expect(got.completions.map((c) => Array.from(c))).toEqual(want.completions.map((c) => Array.from(c)));
    expect(got.truncated).toEqual(want.truncated);
    // Not degenerate: the rows produce different continuations of several tokens.
    expect(new Set(got.completions.map((c) => Array.from(c).join(','))).size).toBeGreaterThan(2);
  });

  test("greedy tokens equal CpuEngine's at the page's small size (C=64, 4 heads, 2 layers, context 48), 16 rows", async () => {
    const small: GPTConfig = { ...MODEL_SIZES.small, vocabSize: 20 };
    const w = weights(5, small);
    const rows = Array.from({ length: 16 }, (_, r) =>
      Int32Array.from({ length: 1 + (r % 6) }, (_, i) => 3 + ((r * 7 + i * 5) % 17)),
    );
    const req: GenerateRequest = { prompts: rows, maxNewTokens: 12, temperature: 0, seed: 1, eosId: EOS };
    const cpu = new CpuEngine(small, { seed: 0 });
    await cpu.setWeights(w);
    const want = await cpu.generate(req);
    cpu.dispose();
    const got = await generate(await gpuModel(w, small), req);
    expect(got.completions.map((c) => Array.from(c))).toEqual(want.completions.map((c) => Array.from(c)));
    expect(new Set(got.completions.map((c) => Array.from(c).join(','))).size).toBeGreaterThan(4);
  });

  test('a maxNewTokens past the context (2^32 + 3) generates up to the context, and a top-k of 2^32 + 3 is no cut, as in CpuEngine', async () => {
    const req: GenerateRequest = { prompts, maxNewTokens: 2 ** 32 + 3, temperature: 0, seed: 1, eosId: -1 };
    const [got, want] = await both(req);
    expect(got.completions.map((c) => Array.from(c))).toEqual(want.completions.map((c) => Array.from(c)));
    expect(got.completions.map((c) => c.length)).toEqual(prompts.map((p) => cfg.blockSize - p.length));
    const sampled: GenerateRequest = {
      prompts,
      maxNewTokens: 8,
      temperature: 1,
      topK: 2 ** 32 + 3,
      seed: 4,
      eosId: EOS,
    };
    const [gotK, wantK] = await both(sampled);
    const [gotAll] = await both({ ...sampled, topK: 0 });
    expect(gotK.completions.map((c) => Array.from(c))).toEqual(gotAll.completions.map((c) => Array.from(c)));
    for (let r = 0; r < prompts.length; r++) expect(gotK.completions[r][0], `row ${r}`).toBe(wantK.completions[r][0]);
  });

  test('rows in batches of 2 (3 dispatches for 5 rows, one KV scratch reused) draw the tokens of one dispatch', async () => {
    const req: GenerateRequest = { prompts, maxNewTokens: 10, temperature: 1, topK: 0, seed: 9, eosId: EOS };
    const model = await gpuModel(weights(11));
    const whole = await generate(model, req);
    const before = model.rt.dispatchCount;
    const batched = await generateInBatches(model, req, 2);
    expect(model.rt.dispatchCount - before).toBe(3);
    expect(batched.completions.map((c) => Array.from(c))).toEqual(whole.completions.map((c) => Array.from(c)));
    expect(batched.truncated).toEqual(whole.truncated);
  });

  test('sampled (τ=1, top-k 0 and 5) tokens equal CpuEngine with the same seed: first tokens all, ≥ 95% overall', async () => {
    for (const topK of [0, 5]) {
      const req: GenerateRequest = { prompts, maxNewTokens: 10, temperature: 1, topK, seed: 77, eosId: EOS };
      const [got, want] = await both(req);
      let same = 0;
      let total = 0;
      for (let r = 0; r < prompts.length; r++) {
        expect(got.completions[r][0], `row ${r} first token`).toBe(want.completions[r][0]);
        const n = Math.max(got.completions[r].length, want.completions[r].length);
        for (let i = 0; i < n; i++) {
          total++;
          if (got.completions[r][i] === want.completions[r][i]) same++;
        }
        expect(got.completions[r].length).toBeLessThanOrEqual(10);
      }
      expect(same / total).toBeGreaterThanOrEqual(0.95);
    }
  });

  test('a row that samples <eos> stops there (completion ends with <eos>, not truncated); others run to maxNewTokens', async () => {
    const req: GenerateRequest = { prompts, maxNewTokens: 12, temperature: 1.5, seed: 3, eosId: EOS };
    const [got] = await both(req);
    // This seed gives both kinds of row, so both branches below are checked.
    expect(got.truncated.some((t) => t)).toBe(true);
    expect(got.truncated.some((t) => !t)).toBe(true);
    for (let r = 0; r < prompts.length; r++) {
      const c = Array.from(got.completions[r]);
      const i = c.indexOf(EOS);
      if (i >= 0) {
        expect(i).toBe(c.length - 1);
        expect(got.truncated[r]).toBe(false);
      } else {
        expect(c.length).toBe(Math.min(12, cfg.blockSize - prompts[r].length));
        expect(got.truncated[r]).toBe(true);
      }
    }
  });
});
