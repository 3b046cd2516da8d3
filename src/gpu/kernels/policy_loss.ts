// TS wrapper of shaders/policy_loss.wgsl: per-token policy-loss coefficients dL/dlogπ, dL/dH and the
// loss terms. TS reference: policyLossToken (src/rl/policyLoss.ts).
import { CLIPPED_HIGH, CLIPPED_LOW, KL_ESTIMATORS, type TokenLossParams } from '../../models/engine';
import { type Binding, type Recorder, f32, groups, u32 } from '../runtime';
import { kernel } from '../wgsl';

const WG = 256; // invocations per workgroup

const policyLossForwardSpec = kernel('policy_loss', 'policy_loss_forward', { WG, CLIPPED_LOW, CLIPPED_HIGH });
const policyLossReduceSpec = kernel('policy_loss_reduce', 'policy_loss_reduce', { WG, CLIPPED_LOW, CLIPPED_HIGH });

/** Floats `policyLossReduce` writes. */
export const POLICY_LOSS_SUMS = 8;

/**
 * The batch-level per-token inputs, packed as the kernel reads them: (N,4) [advantage, weight,
 * pgActive, klCovSelected]. Weight 0 marks a token outside the loss.
 */
export function packTokenInputs(
  advantages: ArrayLike<number>,
  weights: ArrayLike<number>,
  pgActive: ArrayLike<number>,
  klCovSelected: ArrayLike<number>,
): Float32Array {
  const N = advantages.length;
  const out = new Float32Array(N * 4); // (N,4)
  for (let i = 0; i < N; i++) {
    out[i * 4] = advantages[i];
    out[i * 4 + 1] = weights[i];
    out[i * 4 + 2] = pgActive[i];
    out[i * 4 + 3] = klCovSelected[i];
  }
  return out;
}

/**
 * dLogprobs (N), dEntropy (N), terms (N,4) [loss, pg, kl, clip flag (CLIPPED_* of src/models/engine.ts)]
 * from logprobs, oldLogprobs, refLogprobs, entropy (N each) and tokenIn (N,4) from packTokenInputs.
 */
export function policyLossForward(
  rec: Recorder,
  out: { dLogprobs: Binding; dEntropy: Binding; terms: Binding },
  inp: { logprobs: Binding; oldLogprobs: Binding; refLogprobs: Binding; entropy: Binding; tokenIn: Binding },
  N: number,
  lp: TokenLossParams,
): void {
  rec.dispatch(
    policyLossForwardSpec,
    [
      u32(N),
      u32(lp.clip ? 1 : 0),
      f32(lp.epsLow),
      f32(lp.epsHigh),
      u32(lp.dualClip === null ? 0 : 1),
      f32(lp.dualClip ?? 0),
      f32(lp.klCoef),
      u32(KL_ESTIMATORS.indexOf(lp.klEstimator)), // KL_K1, KL_K2, KL_K3 of lib/kl.wgsl
      f32(lp.entropyCoef),
      f32(lp.klCovCoef),
    ],
    [out.dLogprobs, out.dEntropy, out.terms, inp.logprobs, inp.oldLogprobs, inp.refLogprobs, inp.entropy, inp.tokenIn],
    [groups(N, WG)],
  );
}

/**
 * sums (POLICY_LOSS_SUMS) = [Σ loss, Σ w·pgActive·pg, Σ kl, Σ cov, low-clipped, high-clipped, loss tokens, 0]
 * over the tokens where mask (N, u32) = 1, from policyLossForward's terms, the packed tokenIn and cov (N).
 */
export function policyLossReduce(
  rec: Recorder,
  sums: Binding,
  terms: Binding,
  tokenIn: Binding,
  cov: Binding,
  mask: Binding,
  N: number,
): void {
  rec.dispatch(policyLossReduceSpec, [u32(N)], [sums, terms, tokenIn, cov, mask], [1]);
}
