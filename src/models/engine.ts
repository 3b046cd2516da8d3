// The Engine contract (docs/DESIGN.md §2): the only thing the RL core and the UI talk to.
// Implemented by CpuEngine (src/models/cpu/) and WebGpuEngine (src/gpu/).
// All shapes are row-major; B = batch rows, T = positions, V = vocabulary, C = channels.

import type { GPTConfig } from './config';

/** A batch of token rows. targets[b,t] is the token predicted at position t (usually tokens[b,t+1]), -1 = none. */
export interface TokenBatch {
  B: number;
  T: number; // ≤ config.blockSize
  tokens: Int32Array; // (B,T)
  targets: Int32Array; // (B,T), -1 where nothing is predicted
}

export interface PolicyOutput {
  logprobs: Float32Array; // (B,T) log p(targets[b,t] | tokens[b,≤t]); 0 where targets = -1
  entropy: Float32Array; // (B,T) entropy of the full next-token distribution; 0 where targets = -1
}

export interface AdamWConfig {
  lr: number;
  beta1: number; // 0.9
  beta2: number; // 0.999
  eps: number; // 1e-8
  weightDecay: number; // decoupled, on tensors of ≥ 2 dims only
  clip: number; // global grad-norm clip before the update; 0 = off
}

export const DEFAULT_ADAMW: AdamWConfig = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clip: 1 };

export interface GenerateRequest {
  prompts: Int32Array[]; // each starts with <bos>; lengths may differ
  maxNewTokens: number; // L; a prompt + completion never exceeds blockSize
  temperature: number; // τ; 0 = greedy (argmax)
  topK?: number; // 0/undefined = full vocabulary
  seed: number; // sampling uses rng.uniformAt(seed, row, position) so engines agree
  eosId: number;
}

export interface GenerateResult {
  completions: Int32Array[]; // sampled tokens after the prompt, <eos> included when it was sampled
  truncated: boolean[]; // true when maxNewTokens (or blockSize) was reached without <eos>
}

export interface OptimizerState {
  m: Float32Array; // flat, laid out as the parameters
  v: Float32Array;
  t: number; // steps taken (bias correction)
}

/** KL-to-reference estimators (Schulman's k1, k2, k3; docs/DESIGN.md §5). */
export const KL_ESTIMATORS = ['k1', 'k2', 'k3'] as const;
export type KlEstimator = (typeof KL_ESTIMATORS)[number];

/** The batch-wide settings of the elementwise policy loss (src/rl/policyLoss.ts `policyLossToken`). */
export interface TokenLossParams {
  clip: boolean; // PPO clip on (vanilla, clip-cov) or off (kl-cov)
  epsLow: number;
  epsHigh: number;
  dualClip: number | null; // c, for A < 0; vanilla only (as verl)
  klCoef: number; // β
  klEstimator: KlEstimator;
  entropyCoef: number; // α
  klCovCoef: number; // k
}

/** Every token's inputs to the elementwise policy loss; N = B·T. The batch-level part is already planned. */
export interface TokenLossBatch {
  N: number;
  logprobs: Float32Array; // (N) logπ
  oldLogprobs: Float32Array; // (N) logπ_old (rollout policy)
  refLogprobs: Float32Array; // (N) logπ_ref (frozen start)
  entropy: Float32Array; // (N) H over the full vocabulary
  advantages: ArrayLike<number>; // (N) A
  weights: ArrayLike<number>; // (N) aggregation weight, 0 = not a loss token
  pgActive: ArrayLike<number>; // (N) 1 = the PG term counts
  klCovSelected: ArrayLike<number>; // (N) 1 = KL-Cov's penalty applies
  params: TokenLossParams;
}

/** clipped[i] values of TokenLossTerms. */
export const CLIPPED_NONE = 0;
export const CLIPPED_LOW = 1; // A < 0 and ρ < 1 − ε_low
export const CLIPPED_HIGH = 2; // A > 0 and ρ > 1 + ε_high

/** The elementwise policy loss of every token: coefficients for `backward` and the terms the metrics sum. */
export interface TokenLossTerms {
  dLogprobs: Float32Array; // (N) dL/dlogπ
  dEntropy: Float32Array; // (N) dL/dH
  loss: Float32Array; // (N) the token's share of L
  pg: Float32Array; // (N) PG term before weight and pgActive
  kl: Float32Array; // (N) KL estimator value before β and weight
  clipped: Uint8Array; // (N) CLIPPED_NONE | CLIPPED_LOW | CLIPPED_HIGH
}

/** The rollout batch's log-probs under the reference and the rollout ("old") policy, and the latter's entropies. */
export interface RolloutLogprobs {
  ref: Float32Array; // (B,T) logπ_ref
  old: PolicyOutput; // (B,T) logπ_old and H
}

/** The sums over the loss tokens an update's metrics are made of (reduced on the engine's device). */
export interface PolicyLossSums {
  loss: number; // Σ w·(pgActive·pg + β·kl − α·H): L
  pgLoss: number; // Σ w·pgActive·pg
  kl: number; // Σ kl
  cov: number; // Σ cov_t (cov_t of the current log-probs, src/rl/policyLoss.ts `tokenCovariance`)
  low: number; // tokens CLIPPED_LOW
  high: number; // tokens CLIPPED_HIGH
  n: number; // loss tokens
}

/**
 * The batch-level token choices of the policy loss (docs/DESIGN.md §5), made on the engine's device from
 * the current log-probs and entropies; src/rl/policyLoss.ts `planPolicyLoss` is the reference. The
 * counts come from the host, which knows the mask; which tokens they pick needs the device's numbers.
 * Ties go to the lower index.
 */
export interface TokenSelection {
  topEntropyK: number | null; // the PG term only on the k loss tokens of highest H (null: on all of them)
  clipCov: { k: number; lb: number; ub: number; seed: number } | null; // detach a uniform k of the candidates
  klCovK: number | null; // KL-Cov's penalty on the k loss tokens of largest cov_t
}

/**
 * The stream of Clip-Cov's random subset: a Fisher–Yates shuffle of the candidates (ascending index)
 * drawing Rng(seed, CLIP_COV_STREAM).int(i + 1) for i = m−1 … 1 (src/models/rng.ts); the first k are chosen.
 */
export const CLIP_COV_STREAM = 0x0c11c0;

/** One AdamW step on the policy loss of rows of the batch kept by `DeviceRlStep.rolloutForward`. */
export interface DeviceUpdateRequest {
  rows: number[] | null; // rows of the kept batch (null = all, in order)
  batch: TokenBatch; // those rows
  reuseForward: boolean; // true: the engine's last forward was on `batch` under the current weights
  advantages: Float32Array; // (N) A, N = batch.B·batch.T
  mask: Uint8Array; // (N) 1 = loss token
  weights: ArrayLike<number>; // (N) aggregation weight
  selection: TokenSelection; // pgActive and klCovSelected are chosen on the device from the update's forward
  params: TokenLossParams;
  opt: AdamWConfig;
  readRollout: boolean; // also bring back the kept batch's log-probs (with the metrics, in the same readback)
}

export interface DeviceUpdateResult {
  sums: PolicyLossSums;
  gradNorm: number; // before clipping
  rollout: RolloutLogprobs | null; // when readRollout
}

/**
 * An RL update kept on the engine's device (docs/DESIGN.md §5, docs/ARCHITECTURE.md): the rollout
 * batch's reference and old log-probs stay where they were computed, and one update — forward (unless
 * reused), cov_t, the token selection (TokenSelection), elementwise loss, backward from its
 * coefficients, clip, AdamW, the loss terms reduced — is one command stream with one readback. Held
 * to the TypeScript path by src/gpu/rlStep.gpu.test.ts.
 */
export interface DeviceRlStep {
  /**
   * Forwards `batch` under `reference`'s weights and under this engine's (whose activations are kept for
   * a backward) and keeps both log-probs and the entropies on the device. Reads them back only when `read`.
   */
  rolloutForward(batch: TokenBatch, reference: Engine, read: boolean): Promise<RolloutLogprobs | null>;
  update(req: DeviceUpdateRequest): Promise<DeviceUpdateResult>;
}

export interface Engine {
  readonly backend: 'cpu' | 'webgpu';
  readonly config: GPTConfig;

  /** Full logits (B,T,V); does not keep activations. */
  logits(batch: TokenBatch): Promise<Float32Array>;

  /** Log-probs of the targets and entropies; keeps activations for `backward`. */
  forward(batch: TokenBatch): Promise<PolicyOutput>;

  /**
   * Accumulates parameter gradients of L, given per-token coefficients of the last `forward`:
   * dLogprobs[b,t] = dL/dlogp_t and dEntropy[b,t] = dL/dH_t, both (B,T).
   * SFT: dLogprobs = -1/N on target positions, dEntropy = 0.
   */
  backward(dLogprobs: Float32Array, dEntropy: Float32Array): Promise<void>;

  zeroGrad(): void;

  /**
   * Clips the global gradient norm to `opt.clip` (when > 0) and takes an AdamW step. Returns the norm
   * before clipping. A non-finite norm takes no step: weights and optimizer state stay as they were.
   */
  step(opt: AdamWConfig): Promise<{ gradNorm: number }>;

  generate(req: GenerateRequest): Promise<GenerateResult>;

  /** Weights by HF tensor name (copies). */
  getWeights(): Promise<Map<string, Float32Array>>;
  setWeights(weights: Map<string, Float32Array>): Promise<void>;
  /** Accumulated gradients by HF tensor name (copies), for tests and diagnostics. */
  getGrads(): Promise<Map<string, Float32Array>>;
  getOptimizerState(): Promise<OptimizerState>;
  setOptimizerState(s: OptimizerState): Promise<void>;

  /**
   * Optional capability: the elementwise policy loss computed on the engine's device (the WebGPU
   * engine's WGSL kernel), held to src/rl/policyLoss.ts `policyLossToken`. Engines without it leave
   * the RL core to compute the same numbers in TypeScript.
   */
  tokenPolicyLoss?(batch: TokenLossBatch): Promise<TokenLossTerms>;

  /**
   * Optional capability: cov_t = (A_t − mean A)·(logπ_t − mean logπ) over the tokens where mask = 1
   * (0 elsewhere), on the engine's device; held to src/rl/policyLoss.ts `tokenCovariance`.
   * logprobs, advantages, mask are (N).
   */
  tokenCovariance?(logprobs: Float32Array, advantages: Float32Array, mask: Uint8Array): Promise<Float32Array>;

  /**
   * Optional capability: milliseconds the device spent running this engine's kernels since the last
   * call, from the device's own clock (WebGPU timestamp queries), covering the work whose results have
   * come back; null when the device cannot tell. Engines sharing a device may report each other's time.
   */
  takeKernelTimeMs?(): number | null;

  /** Optional capability: the update on the device (DeviceRlStep); without it the RL core drives forward/backward/step. */
  readonly deviceRl?: DeviceRlStep;

  dispose(): void;
}

/** SFT batch helper: loss coefficients -1/N on every target position (N = count of targets ≠ -1). */
export function meanNllCoefficients(batch: TokenBatch): { dLogprobs: Float32Array; dEntropy: Float32Array; n: number } {
  let n = 0;
  for (let i = 0; i < batch.targets.length; i++) if (batch.targets[i] >= 0) n++;
  const dLogprobs = new Float32Array(batch.targets.length);
  if (n > 0) for (let i = 0; i < batch.targets.length; i++) if (batch.targets[i] >= 0) dLogprobs[i] = -1 / n;
  return { dLogprobs, dEntropy: new Float32Array(batch.targets.length), n };
}
