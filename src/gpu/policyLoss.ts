// The RL policy loss of a whole batch on the GPU: the same result as policyLossCoefficients
// (src/rl/policyLoss.ts), with the elementwise part — ρ, clip, KL-Cov penalty, KL, entropy bonus and
// the coefficients dL/dlogπ, dL/dH — in the WGSL policy-loss kernel (kernels/policy_loss.ts).
// The batch-level part (aggregation weights, cov_t, top-entropy mask, Clip-Cov's random subset,
// KL-Cov's top-k) is a few sorts over B·T numbers and stays in TS, built from the same helpers
// policyLossCoefficients uses; it reaches the kernel as per-token inputs (packTokenInputs).
// Held to policyLossCoefficients through both engines by src/rl/rlStep.gpu.test.ts.

import { aggregationWeights } from '../rl/aggregation';
import {
  selectClipCov,
  selectKlCov,
  tokenCovariance,
  topEntropyMask,
  type PolicyLossInput,
  type PolicyLossResult,
  type TokenLossParams,
} from '../rl/policyLoss';
import { CLIPPED_HIGH, CLIPPED_LOW, packTokenInputs, policyLossForward } from './kernels/policy_loss';
import type { GpuRuntime } from './runtime';

const F32 = 4; // bytes

/** policyLossCoefficients with the per-token math on `rt`'s device: one submission, one readback. */
export async function policyLossCoefficientsGpu(rt: GpuRuntime, input: PolicyLossInput): Promise<PolicyLossResult> {
  const { B, T, mask, params: p } = input;
  const N = B * T;
  const weights = aggregationWeights(mask, B, T, p.lossAgg, p.normLength); // (B,T)
  const cov = tokenCovariance(input.logprobs, input.advantages, mask); // (B,T)
  const pgOn = topEntropyMask(input.entropy, mask, p.topEntropyQuantile); // (B,T)
  const selected = new Uint8Array(N); // (B,T)
  if (p.policyLoss === 'clip-cov') for (const i of selectClipCov(cov, input)) selected[i] = 1;
  if (p.policyLoss === 'kl-cov') for (const i of selectKlCov(cov, mask, p.klCovRatio)) selected[i] = 1;
  // Clip-Cov detaches its selection from the PG term; KL-Cov penalises its selection instead.
  const pgActive = p.policyLoss === 'clip-cov' ? pgOn.map((on, i) => on * (1 - selected[i])) : pgOn; // (B,T)
  const klCovSelected = p.policyLoss === 'kl-cov' ? selected : new Uint8Array(N); // (B,T)
  const lp: TokenLossParams = {
    clip: p.policyLoss !== 'kl-cov',
    epsLow: p.epsLow,
    epsHigh: p.epsHigh,
    dualClip: p.policyLoss === 'vanilla' ? p.dualClip : null,
    klCoef: p.klCoef,
    klEstimator: p.klEstimator,
    entropyCoef: p.entropyCoef,
    klCovCoef: p.klCovCoef,
  };

  const uploads = [
    rt.upload(input.logprobs), // (N)
    rt.upload(input.oldLogprobs), // (N)
    rt.upload(input.refLogprobs), // (N)
    rt.upload(input.entropy), // (N)
    rt.upload(packTokenInputs(input.advantages, weights, pgActive, klCovSelected)), // (N,4)
  ];
  const dLogprobsBuf = rt.buffer(N * F32); // (N)
  const dEntropyBuf = rt.buffer(N * F32); // (N)
  const termsBuf = rt.buffer(N * 4 * F32); // (N,4) [loss, pg, kl, clip flag]
  const rec = rt.recorder();
  const [logprobs, oldLogprobs, refLogprobs, entropy, tokenIn] = uploads;
  policyLossForward(
    rec,
    { dLogprobs: dLogprobsBuf, dEntropy: dEntropyBuf, terms: termsBuf },
    { logprobs, oldLogprobs, refLogprobs, entropy, tokenIn },
    N,
    lp,
  );
  rec.submit();
  const [dLogprobs, dEntropy, terms] = (
    await rt.read([
      { buffer: dLogprobsBuf, count: N },
      { buffer: dEntropyBuf, count: N },
      { buffer: termsBuf, count: N * 4 },
    ])
  ).map((b) => new Float32Array(b));
  for (const b of [...uploads, dLogprobsBuf, dEntropyBuf, termsBuf]) rt.release(b);

  // The sums over tokens, in f64 as policyLossCoefficients takes them.
  let loss = 0;
  let pgLoss = 0;
  let n = 0;
  let klSum = 0;
  let covSum = 0;
  let low = 0;
  let high = 0;
  for (let i = 0; i < N; i++) {
    if (!mask[i]) continue;
    const [tokenLoss, pg, kl, flag] = terms.subarray(i * 4, i * 4 + 4);
    loss += tokenLoss;
    pgLoss += weights[i] * pgActive[i] * pg;
    n++;
    klSum += kl;
    covSum += cov[i];
    if (flag === CLIPPED_LOW) low++;
    if (flag === CLIPPED_HIGH) high++;
  }
  const frac = (c: number) => (n > 0 ? c / n : 0);
  return {
    loss,
    dLogprobs,
    dEntropy,
    selected,
    cov,
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
