// Test helpers for the CLI tests: captured streams, temp files, a seeded random checkpoint, and an
// independent float64 GPT-2 forward written from Hugging Face's GPT2LMHeadModel (not from our engine),
// so that `score` and `sft` are held to the HF layout rather than to themselves.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Checkpoint } from '../models/checkpoint';
import type { GPTConfig } from '../models/config';
import { paramLayout } from '../models/params';
import { Rng } from '../models/rng';
import { run } from './main';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a function with captured streams. */
export async function cli(...argv: string[]): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** A fresh temp directory and its cleanup. */
export function tempDir(): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'grpo-cli-'));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Weights far from init (std 0.3, LayerNorm weights near 1), so log-probs differ clearly between tokens. */
export function randomCheckpoint(config: GPTConfig, vocab: string[], seed: number): Checkpoint {
  const rng = new Rng(seed);
  const weights = new Map<string, Float32Array>();
  for (const t of paramLayout(config).tensors) {
    const isLnWeight = /ln_(1|2|f)\.weight$/.test(t.name);
    weights.set(
      t.name,
      Float32Array.from({ length: t.size }, () => (isLnWeight ? 1 : 0) + 0.3 * rng.normal()),
    );
  }
  return { config, vocab, task: '', weights };
}

/**
 * HF GPT2LMHeadModel forward in float64 for one sequence: returns log-softmax rows (T,V).
 * Conv1D weights are [in,out]; c_attn's output is [q | k | v], each split into heads of C/NH
 * contiguous channels; GELU is gelu_new (tanh); LayerNorm eps 1e-5; the LM head is wte (tied).
 */
export function referenceLogSoftmax(ckpt: Checkpoint, tokens: number[]): Float64Array[] {
  const { nEmbd: C, nHead: NH, nLayer: L, vocabSize: V } = ckpt.config;
  const T = tokens.length;
  const hd = C / NH;
  const w = (name: string) => ckpt.weights.get(name)!;
  const layerNorm = (x: Float64Array, g: Float32Array, b: Float32Array) => {
    let mean = 0;
    for (const v of x) mean += v / C;
    let variance = 0;
    for (const v of x) variance += (v - mean) ** 2 / C;
    const r = 1 / Math.sqrt(variance + 1e-5);
    return Float64Array.from(x, (v, i) => (v - mean) * r * g[i] + b[i]);
  };
  // y = x·W + b with W [in,out]
  const conv1d = (x: Float64Array, W: Float32Array, b: Float32Array) => {
    const out = b.length;
    const y = Float64Array.from(b);
    for (let i = 0; i < x.length; i++) for (let o = 0; o < out; o++) y[o] += x[i] * W[i * out + o];
    return y;
  };
  const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

  const wte = w('transformer.wte.weight');
  const wpe = w('transformer.wpe.weight');
  let h = tokens.map((tok, t) => Float64Array.from({ length: C }, (_, c) => wte[tok * C + c] + wpe[t * C + c])); // (T,C)
  for (let l = 0; l < L; l++) {
    const p = `transformer.h.${l}`;
    const qkv = h.map((x) =>
      conv1d(
        layerNorm(x, w(`${p}.ln_1.weight`), w(`${p}.ln_1.bias`)),
        w(`${p}.attn.c_attn.weight`),
        w(`${p}.attn.c_attn.bias`),
      ),
    ); // (T,3C)
    const attn = h.map(() => new Float64Array(C)); // (T,C)
    for (let head = 0; head < NH; head++) {
      for (let t = 0; t < T; t++) {
        const scores = [];
        for (let s = 0; s <= t; s++) {
          let dot = 0;
          for (let d = 0; d < hd; d++) dot += qkv[t][head * hd + d] * qkv[s][C + head * hd + d];
          scores.push(dot / Math.sqrt(hd));
        }
        const max = Math.max(...scores);
        const e = scores.map((x) => Math.exp(x - max));
        const z = e.reduce((a, b) => a + b, 0);
        for (let s = 0; s <= t; s++) {
          for (let d = 0; d < hd; d++) attn[t][head * hd + d] += (e[s] / z) * qkv[s][2 * C + head * hd + d];
        }
      }
    }
    h = h.map((x, t) => {
      const a = conv1d(attn[t], w(`${p}.attn.c_proj.weight`), w(`${p}.attn.c_proj.bias`));
      const x1 = Float64Array.from(x, (v, i) => v + a[i]);
      const f = conv1d(
        layerNorm(x1, w(`${p}.ln_2.weight`), w(`${p}.ln_2.bias`)),
        w(`${p}.mlp.c_fc.weight`),
        w(`${p}.mlp.c_fc.bias`),
      );
      const m = conv1d(f.map(gelu), w(`${p}.mlp.c_proj.weight`), w(`${p}.mlp.c_proj.bias`));
      return Float64Array.from(x1, (v, i) => v + m[i]);
    });
  }
  return h.map((x) => {
    const y = layerNorm(x, w('transformer.ln_f.weight'), w('transformer.ln_f.bias'));
    const logits = Float64Array.from({ length: V }, (_, v) => {
      let s = 0;
      for (let c = 0; c < C; c++) s += y[c] * wte[v * C + c];
      return s;
    });
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((a, l) => a + Math.exp(l - max), 0));
    return logits.map((l) => l - lse);
  });
}

/** Mean −log p by the reference over the SFT targets of `<bos> line <eos>` rows (docs/DESIGN.md §9). */
export function referenceSftLoss(ckpt: Checkpoint, rows: number[][]): number {
  let nll = 0;
  let n = 0;
  for (const tokens of rows) {
    const lp = referenceLogSoftmax(ckpt, tokens);
    for (let t = 0; t + 1 < tokens.length; t++) {
      nll -= lp[t][tokens[t + 1]];
      n++;
    }
  }
  return nll / n;
}
