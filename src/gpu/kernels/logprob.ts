// TS wrapper of shaders/logprob.wgsl: log-prob of the target + full-vocabulary entropy per position,
// and the logits gradient from per-token coefficients. CPU reference: logprobEntropyForward /
// logprobEntropyBackward (src/models/cpu/ops.ts).
import { type Binding, type Recorder, u32 } from '../runtime';
import { kernel } from '../wgsl';

const WG = 64; // invocations per workgroup (one workgroup per row)

const logprobEntropyForwardSpec = kernel('logprob', 'logprob_entropy_forward', { WG });
const logprobEntropyBackwardSpec = kernel('logprob', 'logprob_entropy_backward', { WG });

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
