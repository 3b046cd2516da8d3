// Rollout (docs/DESIGN.md §5): P prompts × G completions through Engine.generate, and the TokenBatch the
// policy is scored and trained on. A row is `<bos> prompt completion`; only completion tokens are
// targets (the prompt is given, not learned), `<eos>` included when it was sampled.

import type { Engine, TokenBatch } from '../models/engine';
import type { Tokenizer } from '../models/tokenizer';

export interface SamplingOptions {
  temperature: number; // τ; 0 = greedy
  topK: number; // 0 = full vocabulary
  maxNewTokens: number; // L
  seed: number; // generation seed (uniformAt(seed, row, position))
}

/** `<bos>` + the prompt's characters. */
export function encodePrompt(tokenizer: Tokenizer, prompt: string): Int32Array {
  return Int32Array.from([tokenizer.bosId, ...tokenizer.encode(prompt)]);
}

export interface Generated {
  completions: Int32Array[]; // per row (P·G): sampled tokens, <eos> included when sampled
  truncated: boolean[]; // per row: L (or the context) reached without <eos>
}

/** G completions of each prompt; rows are grouped: row g·G + i is completion i of prompt g. */
export async function generateGroups(
  engine: Engine,
  tokenizer: Tokenizer,
  prompts: Int32Array[], // per prompt, from encodePrompt
  groupSize: number,
  s: SamplingOptions,
): Promise<Generated> {
  const rows = prompts.flatMap((p) => Array.from({ length: groupSize }, () => p));
  const r = await engine.generate({
    prompts: rows,
    maxNewTokens: s.maxNewTokens,
    temperature: s.temperature,
    topK: s.topK,
    seed: s.seed,
    eosId: tokenizer.eosId,
  });
  return { completions: r.completions, truncated: r.truncated };
}

export interface RolloutBatch {
  batch: TokenBatch; // (B,T): rows `<bos> prompt completion[:-1]`, padded with <pad>
  start: number[]; // per row: position whose target is the completion's first token (= prompt length − 1)
  lengths: number[]; // per row: completion tokens (targets), <eos> included
}

/**
 * Rows for scoring and training. targets[b, start_b + j] = completion_b[j]; every other target is −1.
 * T = the longest prompt + completion − 1 (the last completion token is predicted, never fed).
 */
export function buildRolloutBatch(prompts: Int32Array[], completions: Int32Array[], padId: number): RolloutBatch {
  const B = prompts.length;
  if (completions.length !== B) throw new Error(`${B} prompts but ${completions.length} completions`);
  let T = 1;
  for (let b = 0; b < B; b++) T = Math.max(T, prompts[b].length + completions[b].length - 1);
  const tokens = new Int32Array(B * T).fill(padId); // (B,T)
  const targets = new Int32Array(B * T).fill(-1); // (B,T)
  const start: number[] = [];
  const lengths: number[] = [];
  for (let b = 0; b < B; b++) {
    const p = prompts[b];
    const c = completions[b];
    const row = b * T;
    tokens.set(p, row);
    tokens.set(c.subarray(0, Math.max(0, c.length - 1)), row + p.length);
    for (let j = 0; j < c.length; j++) targets[row + p.length - 1 + j] = c[j];
    start.push(p.length - 1);
    lengths.push(c.length);
  }
  return { batch: { B, T, tokens, targets }, start, lengths };
}

/** Loss mask (B,T): completion targets, minus truncated rows when masking truncated completions. */
export function completionMask(r: RolloutBatch, truncated: boolean[], maskTruncated: boolean): Uint8Array {
  const { B, T, targets } = r.batch;
  const mask = new Uint8Array(B * T); // (B,T)
  for (let b = 0; b < B; b++) {
    if (maskTruncated && truncated[b]) continue;
    for (let t = 0; t < T; t++) if (targets[b * T + t] >= 0) mask[b * T + t] = 1;
  }
  return mask;
}

/** A per-row value broadcast over that row's completion targets: (B,T), 0 elsewhere. */
export function broadcastToTokens(r: RolloutBatch, perRow: ArrayLike<number>): Float32Array {
  const { B, T } = r.batch;
  const out = new Float32Array(B * T); // (B,T)
  for (let b = 0; b < B; b++) out.fill(perRow[b], b * T + r.start[b], b * T + r.start[b] + r.lengths[b]);
  return out;
}

/** Row b's completion-token values of a (B,T) array. */
export function completionValues(r: RolloutBatch, values: Float32Array, b: number): number[] {
  const i = b * r.batch.T + r.start[b];
  return Array.from(values.subarray(i, i + r.lengths[b]));
}

/** The rows `rows` of a rollout batch (same T), for minibatches. */
export function selectRows(r: RolloutBatch, rows: number[]): RolloutBatch {
  const { T } = r.batch;
  const B = rows.length;
  const tokens = new Int32Array(B * T); // (B,T)
  const targets = new Int32Array(B * T); // (B,T)
  rows.forEach((src, b) => {
    tokens.set(r.batch.tokens.subarray(src * T, (src + 1) * T), b * T);
    targets.set(r.batch.targets.subarray(src * T, (src + 1) * T), b * T);
  });
  return {
    batch: { B, T, tokens, targets },
    start: rows.map((b) => r.start[b]),
    lengths: rows.map((b) => r.lengths[b]),
  };
}

/** The (B,T) rows `rows` of a (B_all,T) array. */
export function selectRowValues<A extends Float32Array | Uint8Array>(values: A, T: number, rows: number[]): A {
  const out = new (values.constructor as { new (n: number): A })(rows.length * T);
  rows.forEach((src, b) => out.set(values.subarray(src * T, (src + 1) * T), b * T));
  return out;
}
