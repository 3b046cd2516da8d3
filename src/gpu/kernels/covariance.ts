// TS wrapper of shaders/covariance.wgsl: cov_t = (A_t − mean A)(logπ_t − mean logπ) over valid tokens
// and its mean. TS reference: tokenCovariance (src/rl/policyLoss.ts).
import code from '../shaders/covariance.wgsl?raw';
import { type Binding, type KernelSpec, type Recorder, u32 } from '../runtime';

export const covarianceForwardSpec: KernelSpec = { name: 'covariance_forward', code, entryPoint: 'covariance_forward' };

/** cov (N) and meanCov (1) from logprobs (N), advantages (N), mask (N, u32: 1 = valid). */
export function covarianceForward(
  rec: Recorder,
  cov: Binding,
  meanCov: Binding,
  logprobs: Binding,
  advantages: Binding,
  mask: Binding,
  N: number,
): void {
  rec.dispatch(covarianceForwardSpec, [u32(N)], [cov, meanCov, logprobs, advantages, mask], [1]);
}
