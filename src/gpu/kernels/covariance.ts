// TS wrapper of shaders/covariance.wgsl: cov_t = (A_t − mean A)(logπ_t − mean logπ) over the valid
// tokens. TS reference: tokenCovariance (src/rl/policyLoss.ts).
import { type Binding, type Recorder, u32 } from '../runtime';
import { kernel } from '../wgsl';

const WG = 256; // invocations of the one workgroup

const covarianceForwardSpec = kernel('covariance', 'covariance_forward', { WG });

/** cov (N) from logprobs (N), advantages (N), mask (N, u32: 1 = valid); 0 where mask = 0. */
export function covarianceForward(
  rec: Recorder,
  cov: Binding,
  logprobs: Binding,
  advantages: Binding,
  mask: Binding,
  N: number,
): void {
  rec.dispatch(covarianceForwardSpec, [u32(N)], [cov, logprobs, advantages, mask], [1]);
}
