// nanoGPT's initialisation as a pure function of (config, seed): the starting weights of every fresh
// run, on either engine, by HF tensor name (docs/DESIGN.md §3).

import type { GPTConfig } from './config';
import { isResidualProjection, paramLayout } from './params';
import { Rng } from './rng';

/** Init std of the residual projections (attn.c_proj, mlp.c_proj): nanoGPT's 0.02/√(2·nLayer). */
export const residualInitStd = (config: GPTConfig): number => 0.02 / Math.sqrt(2 * config.nLayer);

/**
 * Biases 0, LayerNorm weights 1, the other weights (both embeddings, c_attn, c_fc) normal(0, 0.02) and
 * the residual projections normal(0, 0.02/√(2·nLayer)). The normals are drawn from Rng(seed), tensor
 * after tensor in params.ts layout order, each rounded to float32.
 */
export function initialWeights(config: GPTConfig, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const weights = new Map<string, Float32Array>();
  for (const t of paramLayout(config).tensors) {
    const w = new Float32Array(t.size); // zeros: the biases
    if (/\.ln_(1|2|f)\.weight$/.test(t.name)) w.fill(1);
    else if (!t.name.endsWith('.bias')) {
      const std = isResidualProjection(t.name) ? residualInitStd(config) : 0.02;
      for (let i = 0; i < w.length; i++) w[i] = rng.normal() * std;
    }
    weights.set(t.name, w);
  }
  return weights;
}
