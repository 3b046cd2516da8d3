// Loss aggregation (docs/DESIGN.md §5): how per-token losses ℓ[b,t] become one scalar. Every mode is a
// weighted sum L = Σ w[b,t]·ℓ[b,t]; the weights are what the backward needs (dL/dℓ = w).
// verl names; TRL names: token-mean = dapo/bnpo, seq-mean-token-mean = grpo, seq-mean-token-sum-norm = dr_grpo.

import type { RunConfig } from './config';

export type LossAggMode = RunConfig['lossAgg'];

/**
 * Aggregation weights w (B,T), zero where mask is 0. Sequences S = B (every row, as TRL: a fully
 * masked row — e.g. a masked truncated completion — still counts in the seq-mean).
 * - token-mean: 1/N, N = valid tokens in the batch
 * - seq-mean-token-mean: 1/(B·n_b), n_b = valid tokens of row b
 * - seq-mean-token-sum: 1/B
 * - seq-mean-token-sum-norm: 1/(B·L), L = normLength (max new tokens, a constant: Dr. GRPO)
 */
export function aggregationWeights(
  mask: Uint8Array, // (B,T) 1 = token counts in the loss
  B: number,
  T: number,
  mode: LossAggMode,
  normLength: number,
): Float64Array {
  const w = new Float64Array(B * T); // (B,T)
  let total = 0;
  for (let i = 0; i < B * T; i++) total += mask[i];
  for (let b = 0; b < B; b++) {
    let nb = 0;
    for (let t = 0; t < T; t++) nb += mask[b * T + t];
    let wb: number;
    switch (mode) {
      case 'token-mean':
        wb = total > 0 ? 1 / total : 0;
        break;
      case 'seq-mean-token-mean':
        wb = nb > 0 ? 1 / (B * nb) : 0;
        break;
      case 'seq-mean-token-sum':
        wb = 1 / B;
        break;
      case 'seq-mean-token-sum-norm':
        wb = 1 / (B * normLength);
        break;
    }
    for (let t = 0; t < T; t++) if (mask[b * T + t]) w[b * T + t] = wb;
  }
  return w;
}
