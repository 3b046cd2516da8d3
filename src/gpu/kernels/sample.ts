// TS wrapper of shaders/sample.wgsl: one sampled token per row for generation (greedy at τ = 0,
// temperature + top-k otherwise, u = uniformAt(seed, row, position)), stopping rows at <eos>.
// CPU reference: sampleToken (src/models/cpu/sampling.ts).
import { type Binding, type Recorder, f32, i32, u32 } from '../runtime';
import { kernel } from '../wgsl';

const WG = 64; // invocations per workgroup (one workgroup per row)

const sampleTokensSpec = kernel('sample', 'sample_tokens', { WG });

export interface SampleParams {
  temperature: number; // τ; 0 = greedy
  topK: number; // 0 = full vocabulary
  seed: number;
  eosId: number;
  padId: number; // written by rows that are done or past maxNewTokens
  maxNewTokens: number;
}

/**
 * Samples the token at position pos + 1 of each row from logits (rows,V) of position pos, into
 * tokens (rows,Tmax); rows still inside their prompt (pos + 1 < promptLen, (rows) u32) are left alone.
 * done (rows, u32) is set when a row samples <eos>.
 */
export function sampleTokens(
  rec: Recorder,
  tokens: Binding,
  done: Binding,
  logits: Binding,
  promptLen: Binding,
  rows: number,
  V: number,
  Tmax: number,
  pos: number,
  s: SampleParams,
): void {
  rec.dispatch(
    sampleTokensSpec,
    [
      u32(rows),
      u32(V),
      u32(Tmax),
      u32(pos),
      f32(s.temperature),
      u32(s.topK),
      u32(s.seed),
      i32(s.eosId),
      i32(s.padId),
      u32(s.maxNewTokens),
    ],
    [tokens, done, logits, promptLen],
    [rows],
  );
}
