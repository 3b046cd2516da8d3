// TS wrapper of shaders/crossentropy.wgsl: mean cross-entropy over target positions and the SFT
// coefficients -1/N. CPU reference: mean −logprobs of logprobEntropyForward (src/models/cpu/ops.ts), meanNllCoefficients.
import code from '../shaders/crossentropy.wgsl?raw';
import { type Binding, type KernelSpec, type Recorder, u32 } from '../runtime';

export const crossentropyForwardSpec: KernelSpec = {
  name: 'crossentropy_forward',
  code,
  entryPoint: 'crossentropy_forward',
};

/** loss (1) = mean −logprobs over targets ≠ -1; dLogprobs (BT) = -1/N there, 0 elsewhere. */
export function crossentropyForward(
  rec: Recorder,
  loss: Binding,
  dLogprobs: Binding,
  logprobs: Binding,
  targets: Binding,
  BT: number,
): void {
  rec.dispatch(crossentropyForwardSpec, [u32(BT)], [loss, dLogprobs, logprobs, targets], [1]);
}
