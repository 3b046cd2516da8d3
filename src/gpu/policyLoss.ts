// The RL policy loss of a whole batch on the GPU: the same result as policyLossCoefficients
// (src/rl/policyLoss.ts), with the elementwise part — ρ, clip, KL-Cov penalty, KL, entropy bonus and
// the coefficients dL/dlogπ, dL/dH — in the WGSL policy-loss kernel (kernels/policy_loss.ts).
// The batch-level part (aggregation weights, cov_t, top-entropy mask, Clip-Cov's random subset,
// KL-Cov's top-k) is a few sorts over B·T numbers and stays in TS, planned by planPolicyLoss and
// summed by reducePolicyLoss exactly as policyLossCoefficients does; it reaches the kernel as per-token inputs (packTokenInputs).
// Held to policyLossCoefficients through both engines by src/rl/rlStep.gpu.test.ts.

import { planPolicyLoss, reducePolicyLoss, type PolicyLossInput, type PolicyLossResult } from '../rl/policyLoss';
import { CLIPPED_HIGH, CLIPPED_LOW, packTokenInputs, policyLossForward } from './kernels/policy_loss';
import type { GpuRuntime } from './runtime';

const F32 = 4; // bytes

/** policyLossCoefficients with the per-token math on `rt`'s device: one submission, one readback. */
export async function policyLossCoefficientsGpu(rt: GpuRuntime, input: PolicyLossInput): Promise<PolicyLossResult> {
  const { B, T, mask } = input;
  const N = B * T;
  const plan = planPolicyLoss(input);
  const uploads = [
    rt.upload(input.logprobs), // (N)
    rt.upload(input.oldLogprobs), // (N)
    rt.upload(input.refLogprobs), // (N)
    rt.upload(input.entropy), // (N)
    rt.upload(packTokenInputs(input.advantages, plan.weights, plan.pgActive, plan.klCovSelected)), // (N,4)
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
    plan.tokenParams,
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
  return reducePolicyLoss(plan, mask, dLogprobs, dEntropy, (i) => ({
    loss: terms[i * 4],
    pg: terms[i * 4 + 1],
    kl: terms[i * 4 + 2],
    lowClipped: terms[i * 4 + 3] === CLIPPED_LOW,
    highClipped: terms[i * 4 + 3] === CLIPPED_HIGH,
  }));
}
