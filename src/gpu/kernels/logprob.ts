// TS wrapper of shaders/logprob.wgsl: log-prob of the target + full-vocabulary entropy per position,
// and the logits gradient from per-token coefficients. CPU reference: logprobEntropyForward /
// logprobEntropyBackward (src/models/cpu/ops.ts).
import code from '../shaders/logprob.wgsl?raw';
import { type Binding, type KernelSpec, type Recorder, u32 } from '../runtime';

export const logprobEntropyForwardSpec: KernelSpec = {
  name: 'logprob_entropy_forward',
  code,
  entryPoint: 'logprob_entropy_forward',
};
export const logprobEntropyBackwardSpec: KernelSpec = {
  name: 'logprob_entropy_backward',
  code,
  entryPoint: 'logprob_entropy_backward',
};

/** logprobs (BT), entropy (BT), probs (BT,V) from logits (BT,V) and targets (BT, i32, -1 = none). */
export function logprobEntropyForward(
  rec: Recorder,
  logprobs: Binding,
  entropy: Binding,
  probs: Binding,
  logits: Binding,
  targets: Binding,
  BT: number,
  V: number,
): void {
  rec.dispatch(logprobEntropyForwardSpec, [u32(BT), u32(V)], [logprobs, entropy, probs, logits, targets], [BT]);
}

/** dlogits (BT,V) = a·(1[j=y] − p_j) − b·p_j·(log p_j + H) with a = dLogprobs (BT), b = dEntropy (BT). */
export function logprobEntropyBackward(
  rec: Recorder,
  dlogits: Binding,
  probs: Binding,
  targets: Binding,
  dLogprobs: Binding,
  dEntropy: Binding,
  BT: number,
  V: number,
): void {
  rec.dispatch(logprobEntropyBackwardSpec, [u32(BT), u32(V)], [dlogits, probs, targets, dLogprobs, dEntropy], [BT]);
}
