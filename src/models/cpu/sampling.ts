// The sampling rule both engines share (the WGSL twin is gpu/shaders/lib/sample_row.wgsl), so that the same
// logits and the same uniform draw give the same token on the CPU and on the GPU:
//
// - temperature 0: argmax, the lowest index on ties;
// - otherwise: keep the top-k logits (topK 0, or ≥ V, keeps all). Rank = (value descending, index
//   ascending), so ties at the k-th value keep the lowest indices. Weights w_j = exp((z_j − max)/τ)
//   over the kept j (unnormalised softmax(z/τ)); the token is the first kept j, in index order,
//   whose running sum of weights exceeds u·Σw (inverse CDF). If rounding leaves none, the last kept
//   index.
// - u = uniformAt(seed, row, position) (rng.ts): row = the prompt's index in the request, position =
//   the absolute index in the sequence of the token being sampled. The caller draws u.

import type { FloatArray } from '../params';

/** Token drawn from logits[offset … offset+V) with temperature τ, top-k and the uniform u ∈ [0,1). */
export function sampleToken(
  logits: FloatArray,
  offset: number,
  V: number,
  temperature: number,
  topK: number,
  u: number,
): number {
  let m = -Infinity;
  let argmax = 0;
  for (let j = 0; j < V; j++) {
    if (logits[offset + j] > m) {
      m = logits[offset + j];
      argmax = j;
    }
  }
  if (temperature === 0) return argmax;

  // The k-th entry in (value desc, index asc) order: everything ranked before it, and it, is kept.
  const useTopK = topK > 0 && topK < V;
  let kthValue = -Infinity;
  let kthIndex = V;
  if (useTopK) {
    const order = Array.from({ length: V }, (_, j) => j).sort(
      (a, b) => logits[offset + b] - logits[offset + a] || a - b,
    );
    kthIndex = order[topK - 1];
    kthValue = logits[offset + kthIndex];
  }
  const kept = (j: number): boolean => {
    if (!useTopK) return true;
    const z = logits[offset + j];
    return z > kthValue || (z === kthValue && j <= kthIndex);
  };

  let total = 0;
  for (let j = 0; j < V; j++) if (kept(j)) total += Math.exp((logits[offset + j] - m) / temperature);
  const goal = u * total;
  let cum = 0;
  let last = argmax;
  for (let j = 0; j < V; j++) {
    if (!kept(j)) continue;
    cum += Math.exp((logits[offset + j] - m) / temperature);
    last = j;
    if (cum > goal) return j;
  }
  return last;
}
