// The RL policy loss (docs/DESIGN.md §5) as per-token coefficients: the loss enters the model only through
// dL/dlogπ[b,t] and dL/dH[b,t] (Engine.backward's inputs). Two layers:
// - `policyLossToken`: the elementwise part, one token in, one token out (the WGSL kernel mirrors it);
// - `planPolicyLoss`: the batch-level part — aggregation weights, covariance, top-entropy mask,
//   Clip-Cov / KL-Cov token selection (verl's `compute_policy_loss_clip_cov` / `_kl_cov`).
// `policyLossOn` (what the trainer calls) runs both, using an engine's device capabilities
// (Engine.tokenCovariance, Engine.tokenPolicyLoss) where it has them; `policyLossCoefficients` is the
// same in TypeScript alone, the reference those capabilities are held to.
// Total loss L = Σ w·(pgActive·pg + β·kl − α·H), w = aggregation weights, as verl's policy_loss
// (pg_loss + kl_coef·kl_loss − entropy_coeff·entropy_loss, each aggregated the same way).

import { aggregationWeights } from './aggregation';
import type { RunConfig } from './config';
import { klToken } from './kl';
import type { MetricName } from './metrics';
import {
  CLIP_COV_STREAM,
  CLIPPED_HIGH,
  CLIPPED_LOW,
  type Engine,
  type PolicyLossSums,
  type TokenLossParams,
  type TokenSelection,
} from '../models/engine';
import { Rng } from '../models/rng';

export type { TokenLossParams };

export type PolicyLossParams = Pick<
  RunConfig,
  | 'policyLoss'
  | 'epsLow'
  | 'epsHigh'
  | 'dualClip'
  | 'klCoef'
  | 'klEstimator'
  | 'clipCovRatio'
  | 'clipCovLb'
  | 'clipCovUb'
  | 'klCovRatio'
  | 'klCovCoef'
  | 'topEntropyQuantile'
  | 'lossAgg'
> & {
  entropyCoef: number; // α this step (adaptive entropy changes it)
  normLength: number; // L of seq-mean-token-sum-norm (max new tokens)
};

/** One token's inputs. weight, pgActive and klCovSelected come from the batch-level pass. */
export interface TokenLossInput {
  logp: number; // logπ
  oldLogp: number; // logπ_old (rollout policy)
  refLogp: number; // logπ_ref (frozen start)
  advantage: number; // A
  entropy: number; // H over the full vocabulary
  weight: number; // aggregation weight w (0 = not a loss token)
  pgActive: number; // 1 = the PG term counts; 0 = masked (top-entropy mask) or detached (Clip-Cov)
  klCovSelected: number; // 1 = KL-Cov adds k·|logπ − logπ_old| to this token's PG term
}

export interface TokenLossOutput {
  loss: number; // w·(pgActive·pg + β·kl − α·H): this token's share of L
  pg: number; // the PG term (incl. the KL-Cov penalty), before w and pgActive
  kl: number; // the KL estimator's value, before β and w
  dLogprob: number; // dL/dlogπ
  dEntropy: number; // dL/dH
  lowClipped: boolean; // A < 0 and ρ < 1 − ε_low (TRL's is_low_clipped)
  highClipped: boolean; // A > 0 and ρ > 1 + ε_high
}

/**
 * The elementwise policy loss of one token, ρ = exp(logπ − logπ_old):
 * clipped: pg = max(−ρA, −clip(ρ, 1−ε_low, 1+ε_high)A); dual-clip for A<0: min(pg, −cA).
 * unclipped (KL-Cov): pg = −ρA (+ k·|logπ − logπ_old| on selected tokens).
 */
export function policyLossToken(x: TokenLossInput, p: TokenLossParams): TokenLossOutput {
  const logRatio = x.logp - x.oldLogp;
  const ratio = Math.exp(logRatio);
  const A = x.advantage;
  let pg = -A * ratio;
  let dPg = -A * ratio; // d(−ρA)/dlogπ = −ρA
  if (p.clip) {
    const clipped = -A * Math.min(Math.max(ratio, 1 - p.epsLow), 1 + p.epsHigh);
    if (clipped > pg) {
      pg = clipped; // the clipped branch is constant in logπ
      dPg = 0;
    }
    if (p.dualClip !== null && A < 0 && -A * p.dualClip < pg) {
      pg = -A * p.dualClip;
      dPg = 0;
    }
  } else if (x.klCovSelected) {
    pg += p.klCovCoef * Math.abs(logRatio);
    dPg += p.klCovCoef * Math.sign(logRatio); // d|x|/dx at 0 is 0, as torch
  }
  const kl = klToken(x.logp, x.refLogp, p.klEstimator);
  const w = x.weight;
  return {
    loss: w * (x.pgActive * pg + p.klCoef * kl.value - p.entropyCoef * x.entropy),
    pg,
    kl: kl.value,
    dLogprob: w * (x.pgActive * dPg + p.klCoef * kl.dLogp),
    dEntropy: -p.entropyCoef * w,
    lowClipped: A < 0 && ratio < 1 - p.epsLow,
    highClipped: A > 0 && ratio > 1 + p.epsHigh,
  };
}

export interface PolicyLossInput {
  B: number;
  T: number;
  logprobs: Float32Array; // (B,T) logπ under the current weights
  oldLogprobs: Float32Array; // (B,T) logπ_old of the rollout policy
  refLogprobs: Float32Array; // (B,T) logπ_ref of the frozen reference
  entropy: Float32Array; // (B,T) H under the current weights
  advantages: Float32Array; // (B,T) A broadcast over each completion's tokens
  mask: Uint8Array; // (B,T) 1 = completion token in the loss
  params: PolicyLossParams;
  seed: number; // Clip-Cov's random subset
}

/**
 * policy_loss: Σ w·pgActive·pg (verl's pg_loss); kl: mean KL estimator value over loss tokens; cov: mean
 * cov_t over loss tokens; clip_ratio/*: fractions of loss tokens clipped (TRL's definitions).
 */
export type PolicyLossMetrics = Pick<
  Record<MetricName, number>,
  'policy_loss' | 'kl' | 'cov' | 'clip_ratio/low_mean' | 'clip_ratio/high_mean' | 'clip_ratio/region_mean'
>;

export interface PolicyLossResult {
  loss: number; // L
  dLogprobs: Float32Array; // (B,T) dL/dlogπ
  dEntropy: Float32Array; // (B,T) dL/dH
  metrics: PolicyLossMetrics;
  selected: Uint8Array; // (B,T) Clip-Cov: detached tokens; KL-Cov: penalised tokens; else zeros
  cov: Float64Array; // (B,T) cov_t, 0 off the mask
}

/** Whether PPO's clip is already the active branch (verl's clip_by_origin: −A·clip(ρ) > −Aρ). */
export function clippedByOrigin(logp: number, oldLogp: number, A: number, epsLow: number, epsHigh: number): boolean {
  const ratio = Math.exp(logp - oldLogp);
  return -A * Math.min(Math.max(ratio, 1 - epsLow), 1 + epsHigh) > -A * ratio;
}

/** cov_t = (A_t − mean A)·(logπ_t − mean logπ) over loss tokens (detached); 0 elsewhere. */
export function tokenCovariance(logprobs: Float32Array, advantages: Float32Array, mask: Uint8Array): Float64Array {
  let n = 0;
  let sumA = 0;
  let sumL = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    n++;
    sumA += advantages[i];
    sumL += logprobs[i];
  }
  const cov = new Float64Array(mask.length); // (B,T)
  if (n === 0) return cov;
  const meanA = sumA / n;
  const meanL = sumL / n;
  for (let i = 0; i < mask.length; i++) if (mask[i]) cov[i] = (advantages[i] - meanA) * (logprobs[i] - meanL);
  return cov;
}

/** Number of tokens a ratio selects: max(1, ⌊ratio·N⌋), as verl. */
export const selectionCount = (ratio: number, n: number) => Math.max(1, Math.floor(ratio * n));

/**
 * The counts and parameters of the batch's token selection, from the mask alone: the top-entropy mask
 * keeps ⌈q·N⌉ of the N loss tokens; Clip-Cov detaches and KL-Cov penalises max(1, ⌊ratio·N⌋).
 * planPolicyLoss selects by it here; an engine with deviceRl selects by it on its device.
 */
export function planSelection(
  p: Pick<
    PolicyLossParams,
    'policyLoss' | 'topEntropyQuantile' | 'clipCovRatio' | 'clipCovLb' | 'clipCovUb' | 'klCovRatio'
  >,
  mask: Uint8Array,
  seed: number,
): TokenSelection {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  const q = p.topEntropyQuantile;
  return {
    topEntropyK: q >= 1 ? null : Math.ceil(q * n),
    clipCov:
      p.policyLoss === 'clip-cov'
        ? { k: selectionCount(p.clipCovRatio, n), lb: p.clipCovLb, ub: p.clipCovUb, seed }
        : null,
    klCovK: p.policyLoss === 'kl-cov' ? selectionCount(p.klCovRatio, n) : null,
  };
}

/**
 * Clip-Cov: among loss tokens not already clipped with lb < cov_t < ub, a uniform random subset of
 * min(k, candidates) is detached (a Fisher–Yates shuffle on CLIP_COV_STREAM, src/models/engine.ts).
 * Returns the chosen flat indices, ascending.
 */
export function selectClipCov(
  cov: Float64Array,
  input: Pick<PolicyLossInput, 'logprobs' | 'oldLogprobs' | 'advantages' | 'mask'> & {
    params: Pick<PolicyLossParams, 'epsLow' | 'epsHigh'>;
  },
  c: NonNullable<TokenSelection['clipCov']>,
): number[] {
  const { mask, params: p } = input;
  const candidates: number[] = [];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const clipped = clippedByOrigin(input.logprobs[i], input.oldLogprobs[i], input.advantages[i], p.epsLow, p.epsHigh);
    if (!clipped && cov[i] > c.lb && cov[i] < c.ub) candidates.push(i);
  }
  return new Rng(c.seed, CLIP_COV_STREAM)
    .shuffle(candidates)
    .slice(0, Math.min(c.k, candidates.length))
    .sort((a, b) => a - b);
}

/** The k loss tokens of largest value (ties: lower index first), ascending. */
function topK(values: ArrayLike<number>, mask: Uint8Array, k: number): number[] {
  const valid: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) valid.push(i);
  return valid
    .sort((a, b) => values[b] - values[a] || a - b)
    .slice(0, k)
    .sort((a, b) => a - b);
}

/** KL-Cov: the k loss tokens of largest cov_t (ties: lower index first). */
export function selectKlCov(cov: Float64Array, mask: Uint8Array, k: number): number[] {
  return topK(cov, mask, k);
}

/**
 * Top-entropy mask (Beyond the 80/20 rule): only the k loss tokens of highest H get the PG term (ties:
 * lower index first; k null: every loss token). Returns (B,T) 1 = PG term on.
 */
export function topEntropyMask(entropy: Float32Array, mask: Uint8Array, k: number | null): Uint8Array {
  if (k === null) return Uint8Array.from(mask, (m) => (m ? 1 : 0));
  const on = new Uint8Array(mask.length); // (B,T)
  for (const i of topK(entropy, mask, k)) on[i] = 1;
  return on;
}

/** The batch-level part of the loss: what each token's elementwise loss needs besides its own numbers. */
export interface PolicyLossPlan {
  weights: Float64Array | Float32Array; // (B,T) aggregation weight of each token
  cov: Float64Array; // (B,T) cov_t
  selected: Uint8Array; // (B,T) Clip-Cov / KL-Cov selection
  pgActive: Uint8Array; // (B,T) 1 where the token gets the policy-gradient term
  klCovSelected: Uint8Array; // (B,T) 1 where KL-Cov's penalty applies
  tokenParams: TokenLossParams;
}

/**
 * Aggregation weights, top-entropy mask and the Clip-Cov/KL-Cov selection (verl's semantics), given
 * cov_t (by default `tokenCovariance` of the input).
 */
export function planPolicyLoss(
  input: PolicyLossInput,
  cov = tokenCovariance(input.logprobs, input.advantages, input.mask),
): PolicyLossPlan {
  const { B, T, mask, params: p } = input;
  const weights = aggregationWeights(mask, B, T, p.lossAgg, p.normLength);
  const sel = planSelection(p, mask, input.seed);
  const pgOn = topEntropyMask(input.entropy, mask, sel.topEntropyK);
  const selected = new Uint8Array(B * T);
  if (sel.clipCov) for (const i of selectClipCov(cov, input, sel.clipCov)) selected[i] = 1;
  if (sel.klCovK !== null) for (const i of selectKlCov(cov, mask, sel.klCovK)) selected[i] = 1;
  // Clip-Cov detaches its selection from the PG term; KL-Cov penalises its selection instead.
  const pgActive = sel.clipCov ? pgOn.map((on, i) => on * (1 - selected[i])) : pgOn;
  const klCovSelected = sel.klCovK !== null ? selected : new Uint8Array(B * T);
  return { weights, cov, selected, pgActive, klCovSelected, tokenParams: tokenLossParams(p) };
}

/** The elementwise loss's parameters for the variant: PPO's clip except KL-Cov; dual clip on vanilla only. */
export function tokenLossParams(p: PolicyLossParams): TokenLossParams {
  return {
    clip: p.policyLoss !== 'kl-cov',
    epsLow: p.epsLow,
    epsHigh: p.epsHigh,
    dualClip: p.policyLoss === 'vanilla' ? p.dualClip : null,
    klCoef: p.klCoef,
    klEstimator: p.klEstimator,
    entropyCoef: p.entropyCoef,
    klCovCoef: p.klCovCoef,
  };
}

/** One token's share of the loss and its metrics, however it was computed (TS or an engine's device). */
interface TokenTerms {
  loss: number;
  pg: number;
  kl: number;
  lowClipped: boolean;
  highClipped: boolean;
}

/** Sums the per-token terms over the mask (in f64) into the loss and the TRL-named metrics. */
function reducePolicyLoss(
  plan: PolicyLossPlan,
  mask: Uint8Array,
  dLogprobs: Float32Array,
  dEntropy: Float32Array,
  term: (i: number) => TokenTerms,
): PolicyLossResult {
  let loss = 0;
  let pgLoss = 0;
  let n = 0;
  let klSum = 0;
  let covSum = 0;
  let low = 0;
  let high = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const t = term(i);
    loss += t.loss;
    pgLoss += plan.weights[i] * plan.pgActive[i] * t.pg;
    n++;
    klSum += t.kl;
    covSum += plan.cov[i];
    if (t.lowClipped) low++;
    if (t.highClipped) high++;
  }
  const frac = (c: number) => (n > 0 ? c / n : 0);
  return {
    loss,
    dLogprobs,
    dEntropy,
    selected: plan.selected,
    cov: plan.cov,
    metrics: {
      policy_loss: pgLoss,
      kl: frac(klSum),
      cov: frac(covSum),
      'clip_ratio/low_mean': frac(low),
      'clip_ratio/high_mean': frac(high),
      'clip_ratio/region_mean': frac(low + high),
    },
  };
}

/** The whole batch in TypeScript: per-token coefficients dL/dlogπ and dL/dH, the loss, metrics and the Cov selection. */
export function policyLossCoefficients(input: PolicyLossInput): PolicyLossResult {
  return elementwiseInTs(input, planPolicyLoss(input));
}

function elementwiseInTs(input: PolicyLossInput, plan: PolicyLossPlan): PolicyLossResult {
  const { B, T, mask } = input;
  const dLogprobs = new Float32Array(B * T); // (B,T)
  const dEntropy = new Float32Array(B * T); // (B,T)
  return reducePolicyLoss(plan, mask, dLogprobs, dEntropy, (i) => {
    const out = policyLossToken(
      {
        logp: input.logprobs[i],
        oldLogp: input.oldLogprobs[i],
        refLogp: input.refLogprobs[i],
        advantage: input.advantages[i],
        entropy: input.entropy[i],
        weight: plan.weights[i],
        pgActive: plan.pgActive[i],
        klCovSelected: plan.klCovSelected[i],
      },
      plan.tokenParams,
    );
    dLogprobs[i] = out.dLogprob;
    dEntropy[i] = out.dEntropy;
    return out;
  });
}

/**
 * The whole batch as `policyLossCoefficients` computes it, with cov_t and the elementwise part on the
 * engine's device when it offers them (Engine.tokenCovariance, Engine.tokenPolicyLoss); the
 * batch-level selection always runs here, in f64. A device's cov_t is f32: it is widened to f64 and
 * goes through the same selection code, so only tokens whose cov_t ties (or sits on a Clip-Cov bound)
 * within f32 rounding can be chosen differently from the TypeScript reference.
 */
export async function policyLossOn(
  engine: Pick<Engine, 'tokenCovariance' | 'tokenPolicyLoss'>,
  input: PolicyLossInput,
): Promise<PolicyLossResult> {
  const { logprobs, advantages, mask } = input;
  const cov = engine.tokenCovariance
    ? Float64Array.from(await engine.tokenCovariance(logprobs, advantages, mask))
    : tokenCovariance(logprobs, advantages, mask);
  const plan = planPolicyLoss(input, cov);
  if (!engine.tokenPolicyLoss) return elementwiseInTs(input, plan);
  const terms = await engine.tokenPolicyLoss({
    N: input.B * input.T,
    logprobs,
    oldLogprobs: input.oldLogprobs,
    refLogprobs: input.refLogprobs,
    entropy: input.entropy,
    advantages,
    weights: plan.weights,
    pgActive: plan.pgActive,
    klCovSelected: plan.klCovSelected,
    params: plan.tokenParams,
  });
  return reducePolicyLoss(plan, mask, terms.dLogprobs, terms.dEntropy, (i) => ({
    loss: terms.loss[i],
    pg: terms.pg[i],
    kl: terms.kl[i],
    lowClipped: terms.clipped[i] === CLIPPED_LOW,
    highClipped: terms.clipped[i] === CLIPPED_HIGH,
  }));
}

/** The loss metrics from sums over the loss tokens (reducePolicyLoss's definitions). */
export function metricsFromSums(s: PolicyLossSums): PolicyLossMetrics {
  const frac = (c: number) => (s.n > 0 ? c / s.n : 0);
  return {
    policy_loss: s.pgLoss,
    kl: frac(s.kl),
    cov: frac(s.cov),
    'clip_ratio/low_mean': frac(s.low),
    'clip_ratio/high_mean': frac(s.high),
    'clip_ratio/region_mean': frac(s.low + s.high),
  };
}
