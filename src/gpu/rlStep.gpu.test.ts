// The RL core on WebGpuEngine against the TypeScript reference (docs/DESIGN.md §2, §5).
// Part 1, the Engine capabilities alone: on a synthetic batch (ρ spanning e^±1.5, advantages of both
// signs, rows of different lengths), for every loss variant — vanilla, dual clip, Clip-Cov, KL-Cov,
// top-entropy, each KL estimator, each aggregation — WebGpuEngine.tokenCovariance equals
// tokenCovariance and WebGpuEngine.tokenPolicyLoss equals policyLossToken token by token, each float
// within 1e-5 of its array's scale and the clip flags exactly; policyLossOn(WebGpuEngine) then selects
// the same tokens as policyLossCoefficients and gives the same loss and metrics within 1e-5 relative.
// Part 2: one RL update through both engines: a CPU rollout (P=2 prompts × G=4, ≤ 8 new tokens) with
// fixed two-signed GRPO advantages; each engine forwards the same TokenBatch and takes its
// coefficients — the CPU from policyLossCoefficients, the GPU from policyLossOn (its capabilities) on its
// own log-probs; loss, dL/dlogπ, dL/dH, the Cov selection, clip counts and every parameter gradient
// agree. Old log-probs come from perturbed weights, so ρ ≠ 1 and tokens are clipped.
// Part 3: a whole greedy (τ = 0) Trainer step on each engine from the same saved state (policy θ,
// reference θ_ref): the same rollout, metrics, and weights after the AdamW step agree.
// Tiny shapes for SwiftShader: C = 32, 1 layer, V = 15 (the add task's tokenizer).
import { afterAll, describe, expect, test } from 'vitest';
import { CpuEngine } from '../models/cpu/engine';
import { paramLayout, tensorViews } from '../models/params';
import {
  CLIPPED_HIGH,
  CLIPPED_LOW,
  CLIPPED_NONE,
  KL_ESTIMATORS,
  type Engine,
  type OptimizerState,
  type TokenBatch,
} from '../models/engine';
import { Rng } from '../models/rng';
import { computeAdvantages } from '../rl/advantages';
import { LOSS_AGG_MODES, parseRunConfig, type RunConfig } from '../rl/config';
import type { MetricsRow } from '../rl/metrics';
import {
  planPolicyLoss,
  policyLossCoefficients,
  policyLossOn,
  policyLossToken,
  tokenCovariance,
  type PolicyLossInput,
  type PolicyLossParams,
} from '../rl/policyLoss';
import { broadcastToTokens, buildRolloutBatch, completionMask, encodePrompt, generateGroups } from '../rl/rollout';
import { getTask } from '../rl/tasks';
import { gptConfigFor, taskTokenizer, Trainer } from '../rl/trainer';
import { WebGpuEngine } from './engine';
import { allClose, randomArray, relToScale, testRuntime } from './testing';

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

/** A synthetic batch for the capabilities: SB rows (2 groups of G), completion tokens at 2…11 of ST. */
const SB = 2 * G;
const ST = 12;
function synthetic(): Omit<PolicyLossInput, 'params' | 'seed'> {
  const N = SB * ST;
  const rng = new Rng(SEED, 3);
  const u = (lo: number, hi: number) => lo + (hi - lo) * rng.next();
  const mask = new Uint8Array(N); // (SB,ST) rows of 2…10 tokens
  for (let b = 0; b < SB; b++) for (let t = 2; t < Math.min(ST, 4 + ((b * 5) % 9)); t++) mask[b * ST + t] = 1;
  const logprobs = Float32Array.from({ length: N }, () => -u(0.05, 3));
  const oldLogprobs = logprobs.map((l) => l + u(-1.5, 1.5)); // ρ in [e^−1.5, e^1.5]: both clip edges and dual clip
  const refLogprobs = logprobs.map((l) => l + u(-0.5, 0.5));
  const entropy = Float32Array.from({ length: N }, () => u(0.1, 2.5));
  const rowAdvantages = computeAdvantages([1, 0, 0, 0.5, 0, 1, 1, 0.25], G, {
    advantage: 'grpo',
    scaleRewards: 'group',
    lambdaPos: 1,
    lambdaNeg: 1,
  });
  const advantages = Float32Array.from(mask, (m, i) => (m ? rowAdvantages[Math.floor(i / ST)] : 0));
  return { B: SB, T: ST, logprobs, oldLogprobs, refLogprobs, entropy, advantages, mask };
}

const VARIANTS: [string, PolicyLossParams][] = [
  ['vanilla PPO-clip, k3 KL, seq-mean-token-mean', lossParams({}, 0.01)],
  ['vanilla with dual clip c = 3', lossParams({ dualClip: 3 }, 0.01)],
  [
    'Clip-Cov (ratio 0.2, cov in (0, 10))',
    lossParams({ policyLoss: 'clip-cov', clipCovRatio: 0.2, clipCovLb: 0, clipCovUb: 10 }, 0.01),
  ],
  ['KL-Cov (ratio 0.1, k 1)', lossParams({ policyLoss: 'kl-cov', klCovRatio: 0.1, klCovCoef: 1 }, 0.01)],
  ['top-entropy mask q = 0.3', lossParams({ topEntropyQuantile: 0.3 }, 0.01)],
  ...KL_ESTIMATORS.map((k): [string, PolicyLossParams] => [
    `KL estimator ${k}, β 0.1`,
    lossParams({ klEstimator: k, klCoef: 0.1 }, 0),
  ]),
  ...LOSS_AGG_MODES.map((m): [string, PolicyLossParams] => [`aggregation ${m}`, lossParams({ lossAgg: m }, 0.02)]),
];

const count = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, x) => s + (x ? 1 : 0), 0);

describe('Engine capabilities: WebGpuEngine against the TypeScript policy loss', () => {
  let engine: Promise<WebGpuEngine> | null = null;
  const gpuEngine = () => (engine ??= testRuntime().then((rt) => WebGpuEngine.create(rt, CONFIG)));
  afterAll(async () => (await engine)?.dispose());

  test('tokenCovariance equals tokenCovariance within 1e-5 of scale, and is exactly 0 off the mask', async () => {
    const x = synthetic();
    const want = tokenCovariance(x.logprobs, x.advantages, x.mask);
    const got = await (await gpuEngine()).tokenCovariance(x.logprobs, x.advantages, x.mask);
    expect(want.some((c) => c > 0) && want.some((c) => c < 0)).toBe(true);
    const rel = relToScale(got, want);
    expect(rel).toBeLessThan(1e-5);
    expect(Array.from(got).filter((c, i) => !x.mask[i] && c !== 0)).toEqual([]);
    console.log(`tokenCovariance: ${count(x.mask)} tokens, max|Δ| ${rel.toExponential(2)} of scale`);
  });

  test.each(VARIANTS)(
    '%s: on loss tokens tokenPolicyLoss equals policyLossToken (floats within 1e-5 of scale, clip flags exactly); policyLossOn equals policyLossCoefficients',
    async (name, params) => {
      const gpu = await gpuEngine();
      const input: PolicyLossInput = { ...synthetic(), params, seed: 91 };
      const N = SB * ST;
      const plan = planPolicyLoss(input);
      const got = await gpu.tokenPolicyLoss({
        N,
        logprobs: input.logprobs,
        oldLogprobs: input.oldLogprobs,
        refLogprobs: input.refLogprobs,
        entropy: input.entropy,
        advantages: input.advantages,
        weights: plan.weights,
        pgActive: plan.pgActive,
        klCovSelected: plan.klCovSelected,
        params: plan.tokenParams,
      });
      const want = {
        loss: new Float64Array(N),
        pg: new Float64Array(N),
        kl: new Float64Array(N),
        dLogprobs: new Float64Array(N),
        dEntropy: new Float64Array(N),
        clipped: new Uint8Array(N),
      };
      let dualCapped = 0;
      for (let i = 0; i < N; i++) {
        const A = input.advantages[i];
        const out = policyLossToken(
          {
            logp: input.logprobs[i],
            oldLogp: input.oldLogprobs[i],
            refLogp: input.refLogprobs[i],
            advantage: A,
            entropy: input.entropy[i],
            weight: plan.weights[i],
            pgActive: plan.pgActive[i],
            klCovSelected: plan.klCovSelected[i],
          },
          plan.tokenParams,
        );
        want.loss[i] = out.loss;
        want.pg[i] = out.pg;
        want.kl[i] = out.kl;
        want.dLogprobs[i] = out.dLogprob;
        want.dEntropy[i] = out.dEntropy;
        want.clipped[i] = out.lowClipped ? CLIPPED_LOW : out.highClipped ? CLIPPED_HIGH : CLIPPED_NONE;
        const c = plan.tokenParams.dualClip;
        if (input.mask[i] && c !== null && A < 0 && out.pg === -A * c) dualCapped++;
      }
      // Compared on loss tokens (weight ≠ 0); elsewhere nothing may reach the backward.
      const lossTokens = Array.from({ length: N }, (_, i) => i).filter((i) => plan.weights[i] !== 0);
      const on = (xs: ArrayLike<number>) => lossTokens.map((i) => xs[i]);
      expect(lossTokens.length).toBe(count(input.mask));
      expect(on(got.clipped)).toEqual(on(want.clipped));
      const rels: string[] = [];
      for (const k of ['loss', 'pg', 'kl', 'dLogprobs', 'dEntropy'] as const) {
        const rel = relToScale(on(got[k]), on(want[k]));
        expect(rel, k).toBeLessThan(1e-5);
        rels.push(`${k} ${rel.toExponential(2)}`);
      }
      const offLoss = (xs: ArrayLike<number>) => Array.from(xs).filter((x, i) => plan.weights[i] === 0 && x !== 0);
      expect([...offLoss(got.dLogprobs), ...offLoss(got.dEntropy)]).toEqual([]);

      // The variant's branch is live: tokens clipped at both edges (when PPO's clip is on), capped by
      // the dual clip, selected by Clip-Cov / KL-Cov, masked by the top-entropy quantile.
      const inLoss = (flag: number) => count(Array.from(want.clipped, (f, i) => (input.mask[i] && f === flag ? 1 : 0)));
      const [low, high] = [inLoss(CLIPPED_LOW), inLoss(CLIPPED_HIGH)];
      expect(low > 0 && high > 0).toBe(true);
      if (params.dualClip !== null) expect(dualCapped).toBeGreaterThan(0);
      const selected = count(plan.selected);
      expect(selected > 0).toBe(params.policyLoss !== 'vanilla');
      const tokens = count(input.mask);
      expect(count(plan.pgActive)).toBe(
        Math.ceil(Math.min(1, params.topEntropyQuantile) * tokens) - (params.policyLoss === 'clip-cov' ? selected : 0),
      );

      const ts = policyLossCoefficients(input);
      const dev = await policyLossOn(gpu, input);
      expect(Array.from(dev.selected)).toEqual(Array.from(ts.selected));
      expect(relToScale(dev.cov, ts.cov), 'cov_t').toBeLessThan(1e-5);
      const lossErr = Math.abs(dev.loss - ts.loss) / Math.abs(ts.loss);
      expect(lossErr, `loss ${dev.loss} vs ${ts.loss}`).toBeLessThan(1e-5);
      for (const m of ['clip_ratio/low_mean', 'clip_ratio/high_mean', 'clip_ratio/region_mean'] as const) {
        expect(dev.metrics[m], m).toBe(ts.metrics[m]);
      }
      for (const m of ['policy_loss', 'kl', 'cov'] as const) {
        expect(Math.abs(dev.metrics[m] - ts.metrics[m]), m).toBeLessThanOrEqual(1e-5 * Math.abs(ts.metrics[m]) + 1e-7);
      }
      for (const k of ['dLogprobs', 'dEntropy'] as const) expect(relToScale(dev[k], ts[k]), k).toBeLessThan(1e-5);
      console.log(
        `${name}: ${tokens} loss tokens, clipped low ${low} / high ${high}, dual-capped ${dualCapped}, selected ` +
          `${selected}; per-token max|Δ|/scale ${rels.join(', ')}; |Δloss|/|loss| ${lossErr.toExponential(2)}`,
      );
    },
  );
});

describe('one RL update: WebGpuEngine (policyLossOn, its capabilities) against CpuEngine (TS policy loss)', () => {
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
      const got = await policyLossOn(gpu, { ...shared, logprobs: fg.logprobs, entropy: fg.entropy });

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

/** The settings a whole-step case varies (every loss variant, KL estimator and aggregation is in one). */
const STEP_CASES: [string, Partial<RunConfig>][] = [
  ['vanilla, k3, seq-mean-token-mean, one pass', {}],
  [
    'vanilla dual clip c=3, k1, token-mean, μ=2',
    { dualClip: 3, klEstimator: 'k1', lossAgg: 'token-mean', ppoEpochs: 2 },
  ],
  [
    'Clip-Cov (ratio 0.2, cov in (0, 10)), k2, seq-mean-token-sum, μ=2, 2 minibatches',
    {
      policyLoss: 'clip-cov',
      clipCovRatio: 0.2,
      clipCovLb: 0,
      clipCovUb: 10,
      klEstimator: 'k2',
      lossAgg: 'seq-mean-token-sum',
      ppoEpochs: 2,
      miniBatches: 2,
    },
  ],
  [
    'KL-Cov (ratio 0.2, k 1), k3, seq-mean-token-sum-norm, μ=2',
    { policyLoss: 'kl-cov', klCovRatio: 0.2, klCovCoef: 1, lossAgg: 'seq-mean-token-sum-norm', ppoEpochs: 2 },
  ],
  [
    'top-entropy q=0.5, k1, token-mean, 2 minibatches',
    { topEntropyQuantile: 0.5, klEstimator: 'k1', lossAgg: 'token-mean', miniBatches: 2 },
  ],
];

/**
 * mapAsync calls of one non-eval Trainer step through Engine.deviceRl (src/rl/trainer.ts): the
 * generation's tokens and one per update, whatever the loss variant (its token selection is on the device).
 */
const expectedMapAsync = (c: RunConfig): number => 1 + c.ppoEpochs * c.miniBatches;

/**
 * `e` without deviceRl: the RL core drives forward, backward and step itself, with the elementwise loss
 * and cov_t on the GPU (tokenPolicyLoss, tokenCovariance), each its own readback.
 */
function plainEngine(e: WebGpuEngine): Engine {
  return {
    backend: e.backend,
    config: e.config,
    logits: (b) => e.logits(b),
    forward: (b) => e.forward(b),
    backward: (dl, dh) => e.backward(dl, dh),
    zeroGrad: () => e.zeroGrad(),
    step: (o) => e.step(o),
    generate: (r) => e.generate(r),
    getWeights: () => e.getWeights(),
    setWeights: (w) => e.setWeights(w),
    getGrads: () => e.getGrads(),
    getOptimizerState: () => e.getOptimizerState(),
    setOptimizerState: (s) => e.setOptimizerState(s),
    tokenPolicyLoss: (b) => e.tokenPolicyLoss(b),
    tokenCovariance: (l, a, m) => e.tokenCovariance(l, a, m),
    dispose: () => e.dispose(),
  };
}

describe('a whole Trainer step on WebGpuEngine against CpuEngine', () => {
  test.each(STEP_CASES)(
    '%s: same greedy rollout; update metrics within 1e-5 relative (1e-4 after a first pass), clip counts equal; weights likewise; deviceRl bit-equal to the path without it in fewer mapAsync',
    async (label, variant) => {
      // τ = 0 so both engines roll out the same tokens (sampled rollouts may differ in a rare token);
      // greedy completions of a prompt are all equal, so a spurious Bernoulli reward (from the
      // trainer's seeded Rng, the same on both) gives advantages of both signs; λ_neg = 0.5 keeps
      // their sum, and so policy_loss, away from 0. Several passes use a larger lr so that ρ moves off 1
      // and the clip branches are taken in the later passes.
      const passes = (variant.ppoEpochs ?? 1) * (variant.miniBatches ?? 1);
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
        ...variant,
      });
      const r = await rollout();
      // A run at step 1 (not an eval step) whose reference is θ_ref (the init), not θ, so the KL term is live.
      const start = await Trainer.create(config, new CpuEngine(CONFIG, { weights: r.weights }), new CpuEngine(CONFIG));
      const state = { ...(await start.saveState()), step: 1, refWeights: r.refWeights };
      const rt = await testRuntime();
      type Run = { metrics: MetricsRow; tokens: number[][]; weights: Map<string, Float32Array>; opt: OptimizerState };
      const runs: Run[] = [];
      const maps: number[] = [];
      const pairs: [Engine, Engine][] = [
        [new CpuEngine(CONFIG), new CpuEngine(CONFIG)],
        [await WebGpuEngine.create(rt, CONFIG), await WebGpuEngine.create(rt, CONFIG)],
      ];
      // And on WebGPU without deviceRl: the readbacks deviceRl saves, and the same kernels giving the same weights.
      pairs.push([plainEngine(await WebGpuEngine.create(rt, CONFIG)), await WebGpuEngine.create(rt, CONFIG)]);
      for (const [engine, ref] of pairs) {
        const trainer = await Trainer.restore(state, engine, ref);
        await engine.getWeights(); // restore's uploads done: only the step's readbacks are counted
        const before = rt.mapCount;
        const report = await trainer.step();
        maps.push(rt.mapCount - before);
        runs.push({
          metrics: report.metrics,
          tokens: report.samples.map((s) => s.tokens),
          weights: await engine.getWeights(),
          opt: await engine.getOptimizerState(),
        });
        engine.dispose();
        ref.dispose();
      }
      expect(maps[1], 'mapAsync per step through deviceRl').toBe(expectedMapAsync(config));
      expect(maps[1], 'fewer than without deviceRl').toBeLessThan(maps[2]);
      // After the first AdamW step both engines carry f32 rounding into the next pass's forward, and Adam's
      // normalised step magnifies it where gradients are small; the later passes are held to 1e-4 (the
      // metric bar is 1e-3). The GPU path without deviceRl drifts from the CPU by the same amounts.
      const tol = passes > 1 ? 1e-4 : 1e-5;
      const [c] = runs; // cpu
      expect(c.metrics['reward_std']).toBeGreaterThan(0); // the advantages are not all zero

      const tokens = c.tokens.reduce((s, t) => s + t.length, 0);
      const lines: string[] = [];
      // Kernel time: the device's clock on WebGPU (within the step's wall time), absent on the CPU.
      expect(c.metrics['timing/gpu_ms']).toBeUndefined();
      const kernelShare = runs.slice(1).map((g) => {
        const kernel = g.metrics['timing/gpu_ms']!;
        expect(kernel).toBeGreaterThan(0);
        expect(kernel).toBeLessThan(g.metrics.step_time_ms!);
        return `${((100 * kernel) / g.metrics.step_time_ms!).toFixed(0)}%`;
      });
      for (const g of runs.slice(1)) {
        expect(g.tokens).toEqual(c.tokens);
        const rel: string[] = [];
        for (const m of ['reward', 'entropy', 'policy_loss', 'grad_norm', 'kl'] as const) {
          const [a, b] = [g.metrics[m]!, c.metrics[m]!];
          expect(Math.abs(b), `${m} is not trivially 0`).toBeGreaterThan(1e-3);
          const err = Math.abs(a - b) / Math.abs(b);
          expect(err, `${m}: gpu ${a} cpu ${b}`).toBeLessThan(tol);
          rel.push(`${m} ${err.toExponential(2)}`);
        }
        // cov: a mean of centred products, near 0 when the greedy groups' rows coincide; f32 on the GPU
        const [gc, cc] = [g.metrics.cov!, c.metrics.cov!];
        expect(Math.abs(gc - cc), `cov: gpu ${gc} cpu ${cc}`).toBeLessThanOrEqual(1e-4 * Math.abs(cc) + 1e-7);
        rel.push(`cov |Δ| ${Math.abs(gc - cc).toExponential(2)} (cpu ${cc.toExponential(2)})`);
        // Clip fractions are (clipped tokens)/(loss tokens) averaged over the passes: the counts agree exactly.
        for (const m of ['clip_ratio/low_mean', 'clip_ratio/high_mean'] as const) {
          expect(Math.round(g.metrics[m]! * tokens * passes), m).toBe(Math.round(c.metrics[m]! * tokens * passes));
        }
        // Weights: every element within tol of its tensor's scale, except the attention key bias. Its
        // gradient is exactly 0 in exact arithmetic (softmax ignores a constant added to all of a query's
        // scores), so both engines hold f32 rounding there, and Adam's step lr·m̂/(√v̂+ε) turns that into
        // up to ±lr per update on a coin flip. For it: the first moment is at rounding level, and no
        // move exceeds lr per update.
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
              expect(Math.abs(w[i] - before[i]), `${name}[${i}] move`).toBeLessThan(1.01 * config.lr * passes);
          }
          expect(d / scale, name).toBeLessThan(tol);
          if (d / scale > worst.err) worst = { err: d / scale, name };
        }
        lines.push(
          `relative metric differences ${rel.join(', ')}; worst weight ${worst.err.toExponential(2)} of scale ` +
            `(${worst.name}), attention key bias aside`,
        );
      }
      // deviceRl and the path without it run the same kernels on the same inputs: the same weights, bit for bit.
      const [dev, plain] = runs.slice(1);
      for (const [name, w] of dev.weights) expect(Array.from(w), name).toEqual(Array.from(plain.weights.get(name)!));
      const clip = [c.metrics['clip_ratio/low_mean']!, c.metrics['clip_ratio/high_mean']!].map((x) => x.toFixed(3));
      console.log(
        `Trainer step, ${label}: mapAsync per step ${maps.slice(1).join(' (deviceRl) vs ')}${maps.length > 2 ? ' (without)' : ''}; ` +
          `kernel time ${kernelShare.join(' vs ')} of the step; ` +
          `clip ratio low/high ${clip.join('/')}; ${lines.join(' | without deviceRl: ')}`,
      );
    },
  );
});
