// One RL step on WebGpuEngine against CpuEngine on the same rollout (docs/DESIGN.md §2, §5).
// Part 1: a CPU rollout (P=2 prompts × G=4, ≤ 8 new tokens) with fixed two-signed GRPO advantages;
// both engines forward the same TokenBatch; the CPU takes its per-token coefficients from
// policyLossCoefficients (TS), the GPU from the WGSL policy-loss kernel on its own log-probs
// (src/gpu/policyLoss.ts); loss, dL/dlogπ, dL/dH, the Cov selection, clip counts and every parameter
// gradient must agree. Old log-probs come from perturbed weights, so ρ ≠ 1 and tokens are clipped.
// Part 2: a whole greedy (τ = 0) Trainer step on each engine from the same saved state (policy θ,
// reference θ_ref): the same rollout, metrics, and weights after the AdamW step agree.
// Tiny shapes for SwiftShader: C = 32, 1 layer, V = 15 (the add task's tokenizer).
import { describe, expect, test } from 'vitest';
import { CpuEngine } from '../models/cpu/engine';
import { paramLayout, tensorViews } from '../models/params';
import type { Engine, OptimizerState, TokenBatch } from '../models/engine';
import { Rng } from '../models/rng';
import { WebGpuEngine } from '../gpu/engine';
import { policyLossCoefficientsGpu } from '../gpu/policyLoss';
import { allClose, randomArray, relToScale, testRuntime } from '../gpu/testing';
import { computeAdvantages } from './advantages';
import { parseRunConfig, type RunConfig } from './config';
import type { MetricsRow } from './metrics';
import { policyLossCoefficients, type PolicyLossParams } from './policyLoss';
import { broadcastToTokens, buildRolloutBatch, completionMask, encodePrompt, generateGroups } from './rollout';
import { getTask } from './tasks';
import { gptConfigFor, taskTokenizer, Trainer } from './trainer';

const task = getTask('add');
const tokenizer = taskTokenizer(task);
const CONFIG = gptConfigFor({ model: 'tiny' }, tokenizer.size); // C=32, 1 layer, 2 heads, V=15
const SEED = 4242;
const P = 2;
const G = 4;
const MAX_NEW = 8;

/** weights + uniform noise in [-scale, scale): "trained-looking" weights, or a nearby policy. */
function perturbed(weights: Map<string, Float32Array>, seed: number, scale: number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, w] of weights) {
    const noise = randomArray(w.length, seed + name.length * 131 + w.length, scale);
    out.set(
      name,
      w.map((x, i) => x + noise[i]),
    );
  }
  return out;
}

/** The rollout both engines train on, all from the CPU engine. */
interface Rollout {
  weights: Map<string, Float32Array>; // the current policy θ (both engines load it)
  batch: TokenBatch; // (B,T), B = P·G
  mask: Uint8Array; // (B,T) completion tokens
  advantages: Float32Array; // (B,T) broadcast per completion
  oldLogprobs: Float32Array; // (B,T) under θ_old (θ + noise): the rollout policy
  refLogprobs: Float32Array; // (B,T) under θ_ref (the init)
  refWeights: Map<string, Float32Array>; // θ_ref
}

let rolloutPromise: Promise<Rollout> | null = null;
function rollout(): Promise<Rollout> {
  rolloutPromise ??= (async () => {
    const init = await new CpuEngine(CONFIG, { seed: SEED }).getWeights(); // θ_ref
    const weights = perturbed(init, 1, 0.15); // θ: peaked distributions, not the near-uniform init
    const oldEngine = new CpuEngine(CONFIG, { weights: perturbed(weights, 2, 0.04) }); // θ_old
    const rng = new Rng(SEED, 1);
    const prompts = Array.from({ length: P }, () => encodePrompt(tokenizer, task.sample(rng).prompt));
    const gen = await generateGroups(oldEngine, tokenizer, prompts, G, {
      temperature: 1,
      topK: 0,
      maxNewTokens: MAX_NEW,
      seed: SEED,
    });
    const rb = buildRolloutBatch(
      prompts.flatMap((p) => Array<Int32Array>(G).fill(p)),
      gen.completions,
      tokenizer.padId,
    );
    const oldLogprobs = (await oldEngine.forward(rb.batch)).logprobs;
    oldEngine.dispose();
    const refLogprobs = (await new CpuEngine(CONFIG, { weights: init }).forward(rb.batch)).logprobs;
    // Fixed rewards (the random init answers nothing right): both advantage signs in each group.
    const rewards = [1, 0, 0, 0.5, 0, 1, 1, 0.25];
    const adv = computeAdvantages(rewards, G, { advantage: 'grpo', scaleRewards: 'group', lambdaPos: 1, lambdaNeg: 1 });
    return {
      weights,
      batch: rb.batch,
      mask: completionMask(rb, gen.truncated, false),
      advantages: broadcastToTokens(rb, adv),
      oldLogprobs,
      refLogprobs,
      refWeights: init,
    };
  })();
  return rolloutPromise;
}

const lossParams = (o: Partial<RunConfig>, entropyCoef: number): PolicyLossParams => ({
  ...parseRunConfig({ epsLow: 0.2, epsHigh: 0.28, klCoef: 0.05, klEstimator: 'k3', ...o }),
  entropyCoef,
  normLength: MAX_NEW,
});

const CASES: [string, PolicyLossParams][] = [
  [
    'vanilla PPO-clip (ε_low 0.2, ε_high 0.28), k3 KL β 0.05, entropy bonus α 0.01, seq-mean-token-mean',
    lossParams({}, 0.01),
  ],
  [
    'Clip-Cov (ratio 0.2, cov in (0, 10)), k3 KL, α 0.01, token-mean',
    lossParams({ policyLoss: 'clip-cov', clipCovRatio: 0.2, clipCovLb: 0, clipCovUb: 10, lossAgg: 'token-mean' }, 0.01),
  ],
  [
    'KL-Cov (ratio 0.1, k 1), k3 KL, α 0.02, seq-mean-token-sum-norm',
    lossParams({ policyLoss: 'kl-cov', klCovRatio: 0.1, klCovCoef: 1, lossAgg: 'seq-mean-token-sum-norm' }, 0.02),
  ],
];

describe('one RL step: WebGpuEngine (WGSL policy loss) against CpuEngine (TS policy loss)', () => {
  test.each(CASES)(
    '%s: same selected and clipped tokens; loss, dL/dlogπ, dL/dH and every gradient within 1e-5 of scale',
    async (_, params) => {
      const r = await rollout();
      const { B, T } = r.batch;
      const rt = await testRuntime();
      const cpu = new CpuEngine(CONFIG, { weights: r.weights });
      const gpu = await WebGpuEngine.create(rt, CONFIG, { weights: r.weights });

      const [fc, fg] = [await cpu.forward(r.batch), await gpu.forward(r.batch)];
      const fwd: string[] = [];
      for (const k of ['logprobs', 'entropy'] as const) {
        const c = allClose(fg[k], fc[k], 1e-4, 1e-5);
        expect(c.ok, `${k}: worst |diff| ${c.maxAbs} at ${c.worstIndex}`).toBe(true);
        fwd.push(`${k} max|Δ| ${c.maxAbs.toExponential(2)}`);
      }
      // Advantages of both signs reach the loss, so both clip edges can be hit.
      expect(r.advantages.some((a, i) => r.mask[i] && a > 0) && r.advantages.some((a, i) => r.mask[i] && a < 0)).toBe(
        true,
      );
      const common = { B, T, oldLogprobs: r.oldLogprobs, refLogprobs: r.refLogprobs, advantages: r.advantages };
      const shared = { ...common, mask: r.mask, params, seed: 77 };
      const want = policyLossCoefficients({ ...shared, logprobs: fc.logprobs, entropy: fc.entropy });
      const got = await policyLossCoefficientsGpu(rt, { ...shared, logprobs: fg.logprobs, entropy: fg.entropy });

      // The same tokens are selected (Clip-Cov / KL-Cov) and clipped; some are, or a wrong branch would pass.
      expect(Array.from(got.selected)).toEqual(Array.from(want.selected));
      const nSelected = want.selected.reduce((s, x) => s + x, 0);
      if (params.policyLoss !== 'vanilla') expect(nSelected).toBeGreaterThan(0);
      const tokens = r.mask.reduce((s, x) => s + x, 0);
      const clipCount = (m: typeof want.metrics, k: 'low' | 'high') => Math.round(m[`clip_ratio/${k}_mean`] * tokens);
      for (const k of ['low', 'high'] as const) {
        expect(clipCount(got.metrics, k), `${k}-clipped tokens`).toBe(clipCount(want.metrics, k));
        expect(clipCount(want.metrics, k), `${k}-clipped tokens`).toBeGreaterThan(0);
      }

      const lossErr = Math.abs(got.loss - want.loss) / Math.abs(want.loss);
      expect(lossErr, `loss ${got.loss} vs ${want.loss}`).toBeLessThan(1e-5);
      for (const m of ['policy_loss', 'kl', 'cov'] as const) {
        expect(Math.abs(got.metrics[m] - want.metrics[m]), m).toBeLessThanOrEqual(
          1e-4 * Math.abs(want.metrics[m]) + 1e-7,
        );
      }
      const coef: string[] = [];
      for (const k of ['dLogprobs', 'dEntropy'] as const) {
        const c = allClose(got[k], want[k], 1e-4, 1e-5);
        expect(c.ok, `${k}: worst |diff| ${c.maxAbs} at ${c.worstIndex}`).toBe(true);
        const rel = relToScale(got[k], want[k]);
        expect(rel, k).toBeLessThan(1e-5);
        coef.push(`${k} max|Δ| ${c.maxAbs.toExponential(2)} (${rel.toExponential(2)} of scale)`);
      }

      for (const [e, res] of [
        [cpu, want],
        [gpu, got],
      ] as const) {
        e.zeroGrad();
        await e.backward(res.dLogprobs, res.dEntropy);
      }
      const [gc, gg] = [await cpu.getGrads(), await gpu.getGrads()];
      let worst = { err: 0, name: '' };
      for (const [name, g] of gc) {
        expect(Math.max(...g.map(Math.abs)), `${name} has a gradient`).toBeGreaterThan(0);
        const err = relToScale(gg.get(name)!, g);
        expect(err, name).toBeLessThan(1e-5); // llm.c's bar is 2e-2; the same f32 math in other orders holds far tighter
        if (err > worst.err) worst = { err, name };
      }
      console.log(
        `${params.policyLoss}: ${fwd.join(', ')}; ${tokens} loss tokens, clipped low ${clipCount(want.metrics, 'low')} / high ` +
          `${clipCount(want.metrics, 'high')}, selected ${nSelected}; |Δloss|/|loss| ${lossErr.toExponential(2)}; ` +
          `${coef.join('; ')}; worst gradient ${worst.err.toExponential(2)} of scale (${worst.name})`,
      );
      cpu.dispose();
      gpu.dispose();
    },
  );
});

describe('a whole Trainer step on WebGpuEngine against CpuEngine', () => {
  test('from the same state: same greedy rollout; reward, entropy, policy_loss, grad_norm, kl within 1e-5 relative; weights within 1e-5 of scale', async () => {
    // τ = 0 so both engines roll out the same tokens (sampled rollouts may differ in a rare token);
    // greedy completions of a prompt are all equal, so a spurious Bernoulli reward (from the
    // trainer's seeded Rng, the same on both) gives advantages of both signs; λ_neg = 0.5 keeps
    // their sum, and so policy_loss, away from 0.
    const config = parseRunConfig({
      task: 'add',
      model: 'tiny',
      init: 'scratch',
      seed: 5,
      promptsPerStep: P,
      groupSize: G,
      temperature: 0,
      maxNewTokens: 6,
      reward: [{ component: 'random', weight: 1, params: { p: 0.5 } }],
      lambdaNeg: 0.5,
      epsHigh: 0.28,
      klCoef: 0.05,
      entropyCoef: 0.01,
      lr: 3e-3,
      evalEvery: 100,
      evalPrompts: 1,
      passN: 1,
      passK: 1,
    });
    const r = await rollout();
    // A run at step 0 whose reference is θ_ref (the init), not θ itself, so the KL term is live.
    const start = await Trainer.create(config, new CpuEngine(CONFIG, { weights: r.weights }), new CpuEngine(CONFIG));
    const state = { ...(await start.saveState()), refWeights: r.refWeights };
    const rt = await testRuntime();
    const runs: { metrics: MetricsRow; tokens: number[][]; weights: Map<string, Float32Array>; opt: OptimizerState }[] =
      [];
    const pairs: [Engine, Engine][] = [
      [new CpuEngine(CONFIG), new CpuEngine(CONFIG)],
      [await WebGpuEngine.create(rt, CONFIG), await WebGpuEngine.create(rt, CONFIG)],
    ];
    for (const [engine, ref] of pairs) {
      const report = await (await Trainer.restore(state, engine, ref)).step();
      runs.push({
        metrics: report.metrics,
        tokens: report.samples.map((s) => s.tokens),
        weights: await engine.getWeights(),
        opt: await engine.getOptimizerState(),
      });
      engine.dispose();
      ref.dispose();
    }
    const [c, g] = runs; // cpu, gpu
    expect(g.tokens).toEqual(c.tokens);
    expect(c.metrics['reward_std']).toBeGreaterThan(0); // the advantages are not all zero
    const rel: string[] = [];
    for (const m of ['reward', 'entropy', 'policy_loss', 'grad_norm', 'kl'] as const) {
      const [a, b] = [g.metrics[m]!, c.metrics[m]!];
      expect(Math.abs(b), `${m} is not trivially 0`).toBeGreaterThan(1e-3);
      const err = Math.abs(a - b) / Math.abs(b);
      expect(err, `${m}: gpu ${a} cpu ${b}`).toBeLessThan(1e-5); // the bar is 1e-3; far tighter holds
      rel.push(`${m} ${err.toExponential(2)}`);
    }
    // Weights: every element within 1e-5 of its tensor's scale, except the attention key bias. Its
    // gradient is exactly 0 in exact arithmetic (softmax ignores a constant added to all of a query's
    // scores), so both engines hold f32 rounding there, and Adam's first step lr·g/(|g|+ε) turns that
    // into ±lr on a coin flip. For it: the first moment is at rounding level, and no move exceeds lr.
    const C = CONFIG.nEmbd;
    const keyBias = (name: string, i: number) => name.endsWith('attn.c_attn.bias') && i >= C && i < 2 * C;
    const firstMoment = tensorViews(paramLayout(CONFIG), c.opt.m);
    let worst = { err: 0, name: '' };
    for (const [name, want] of c.weights) {
      const got = g.weights.get(name)!;
      const before = r.weights.get(name)!;
      const m = firstMoment.get(name)!;
      const scale = Math.max(...want.map(Math.abs));
      const mScale = Math.max(...m.map(Math.abs));
      let d = 0;
      for (let i = 0; i < want.length; i++) {
        if (!keyBias(name, i)) {
          d = Math.max(d, Math.abs(got[i] - want[i]));
          continue;
        }
        expect(Math.abs(m[i]), `${name}[${i}] first moment`).toBeLessThan(1e-6 * mScale);
        for (const w of [want, got])
          expect(Math.abs(w[i] - before[i]), `${name}[${i}] move`).toBeLessThan(1.01 * config.lr);
      }
      expect(d / scale, name).toBeLessThan(1e-5);
      if (d / scale > worst.err) worst = { err: d / scale, name };
    }
    console.log(
      `Trainer step: relative metric differences ${rel.join(', ')}; worst weight ${worst.err.toExponential(2)} of ` +
        `scale (${worst.name}), attention key bias aside`,
    );
  });
});
