// The one check of what callers hand an engine (docs/DESIGN.md §2): both engines run it before any
// work, so a bad batch, request, weight map or optimizer state fails the same way, with the field
// and the value named, on the CPU and on WebGPU.

import type { GPTConfig } from './config';
import type { GenerateRequest, OptimizerState, TokenBatch } from './engine';
import { paramLayout } from './params';

const isNonNegativeInt = (x: number) => Number.isInteger(x) && x >= 0;

/** B, T ≥ 1 with T ≤ blockSize; tokens and targets (B,T); tokens in [0, V); targets −1 or in [0, V). */
export function validateTokenBatch(config: GPTConfig, batch: TokenBatch): void {
  const { B, T, tokens, targets } = batch;
  const { blockSize, vocabSize: V } = config;
  if (!Number.isInteger(B) || B < 1) throw new Error(`batch.B = ${B} must be a positive integer`);
  if (!Number.isInteger(T) || T < 1) throw new Error(`batch.T = ${T} must be a positive integer`);
  if (T > blockSize) throw new Error(`batch.T = ${T} exceeds the context length blockSize = ${blockSize}`);
  if (tokens.length !== B * T) throw new Error(`batch.tokens has ${tokens.length} entries, expected B·T = ${B * T}`);
  if (targets.length !== B * T) {
    throw new Error(`batch.targets has ${targets.length} entries, expected B·T = ${B * T}`);
  }
  for (let i = 0; i < B * T; i++) {
    if (tokens[i] < 0 || tokens[i] >= V) {
      throw new Error(`batch.tokens[${i}] = ${tokens[i]} is outside the vocabulary [0, ${V})`);
    }
    if (targets[i] < -1 || targets[i] >= V) {
      throw new Error(`batch.targets[${i}] = ${targets[i]} is neither -1 nor in the vocabulary [0, ${V})`);
    }
  }
}

/**
 * Prompts of 1 … blockSize tokens in [0, V); maxNewTokens and topK non-negative integers; temperature
 * finite and ≥ 0; seed an integer in [0, 2³²) (the sampling hash's word); eosId in [0, V), or −1 for
 * a generation that never stops early.
 */
export function validateGenerateRequest(config: GPTConfig, req: GenerateRequest): void {
  const { blockSize, vocabSize: V } = config;
  if (!isNonNegativeInt(req.maxNewTokens)) {
    throw new Error(`generate: maxNewTokens = ${req.maxNewTokens} must be a non-negative integer`);
  }
  if (!Number.isFinite(req.temperature) || req.temperature < 0) {
    throw new Error(`generate: temperature = ${req.temperature} must be a finite number ≥ 0`);
  }
  if (req.topK !== undefined && !isNonNegativeInt(req.topK)) {
    throw new Error(`generate: topK = ${req.topK} must be a non-negative integer (0 = the whole vocabulary)`);
  }
  if (!isNonNegativeInt(req.seed) || req.seed > 0xffffffff) {
    throw new Error(`generate: seed = ${req.seed} must be an integer in [0, 2^32)`);
  }
  if (!Number.isInteger(req.eosId) || req.eosId < -1 || req.eosId >= V) {
    throw new Error(`generate: eosId = ${req.eosId} must be -1 (none) or in the vocabulary [0, ${V})`);
  }
  req.prompts.forEach((p, r) => {
    if (p.length < 1) throw new Error(`generate: prompts[${r}] is empty (it must start with <bos>)`);
    if (p.length > blockSize) {
      throw new Error(`generate: prompts[${r}] has ${p.length} tokens, more than blockSize = ${blockSize}`);
    }
    for (let i = 0; i < p.length; i++) {
      if (p[i] < 0 || p[i] >= V) {
        throw new Error(`generate: prompts[${r}][${i}] = ${p[i]} is outside the vocabulary [0, ${V})`);
      }
    }
  });
}

/** Exactly the tensors of the config's layout (HF names), each with its size: none missing, none unknown. */
export function validateWeights(config: GPTConfig, weights: Map<string, Float32Array>): void {
  const layout = paramLayout(config);
  for (const name of weights.keys()) {
    if (!layout.byName.has(name)) throw new Error(`setWeights: unknown tensor ${name} for this config`);
  }
  for (const t of layout.tensors) {
    const w = weights.get(t.name);
    if (w === undefined) throw new Error(`setWeights: missing tensor ${t.name} [${t.shape.join(',')}]`);
    if (w.length !== t.size) {
      throw new Error(`setWeights: ${t.name} has ${w.length} elements, expected [${t.shape.join(',')}] = ${t.size}`);
    }
  }
}

/** AdamW's moments m and v with one element per parameter (the flat layout), and its step count t ≥ 0. */
export function validateOptimizerState(config: GPTConfig, s: OptimizerState): void {
  const P = paramLayout(config).total;
  if (s.m.length !== P || s.v.length !== P) {
    throw new Error(`setOptimizerState: m/v have ${s.m.length}/${s.v.length} elements, the model has ${P} parameters`);
  }
  if (!Number.isInteger(s.t) || s.t < 0) {
    throw new Error(`setOptimizerState: t must be a non-negative integer, got ${s.t}`);
  }
}
