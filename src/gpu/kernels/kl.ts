// TS wrapper of shaders/kl.wgsl: per-token KL estimator values and d/dlogπ. TS reference: klToken (src/rl/kl.ts).
import code from '../shaders/kl.wgsl?raw';
import type { KlEstimator } from '../../rl/kl';
import { type Binding, type KernelSpec, type Recorder, u32 } from '../runtime';

export const klForwardSpec: KernelSpec = { name: 'kl_forward', code, entryPoint: 'kl_forward' };

const ESTIMATOR_ID: Record<KlEstimator, number> = { k1: 0, k2: 1, k3: 2 };

/** kl (N), dKl (N) from logprobs (N), refLogprobs (N), mask (N, u32: 1 = valid). */
export function klForward(
  rec: Recorder,
  kl: Binding,
  dKl: Binding,
  logprobs: Binding,
  refLogprobs: Binding,
  mask: Binding,
  N: number,
  estimator: KlEstimator,
): void {
  rec.dispatch(
    klForwardSpec,
    [u32(N), u32(ESTIMATOR_ID[estimator])],
    [kl, dKl, logprobs, refLogprobs, mask],
    [Math.ceil(N / 256)],
  );
}
