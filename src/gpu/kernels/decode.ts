// TS wrapper of shaders/decode.wgsl: the embedding of one new token per row, one-query attention over
// the KV cache, and the few-row matmul with a fused epilogue, for generation.
// CPU reference: encoderForward / attentionForward / matmulForward (src/models/cpu/ops.ts).
import { type Binding, type KernelSpec, type Recorder, groups, u32 } from '../runtime';
import { layernormEntries } from './layernorm';
import { kernel } from '../wgsl';

const WG = 64; // invocations per workgroup, every entry point
/** Longest context attention_decode supports (its score buffer in workgroup memory, MAX_T in the WGSL). */
export const DECODE_MAX_T = 1024;

const constants = { WG, MAX_T: DECODE_MAX_T };
const encoderDecodeSpec = kernel('decode', 'encoder_decode', constants);
const attentionDecodeSpec = kernel('decode', 'attention_decode', constants);

export interface DecodeShape {
  rows: number;
  C: number;
  NH: number;
  Tmax: number; // cache length and the row stride of `tokens`
}

/** x (rows,C) = wte[tokens[r, pos]] + wpe[pos]; tokens (rows,Tmax) i32, wte (V,C), wpe (Tmax,C). */
export function encoderDecode(
  rec: Recorder,
  x: Binding,
  tokens: Binding,
  wte: Binding,
  wpe: Binding,
  s: DecodeShape,
  pos: number,
): void {
  const params = [u32(s.rows), u32(s.C), u32(s.NH), u32(s.Tmax), u32(pos)];
  rec.dispatch(encoderDecodeSpec, params, [x, tokens, wte, wpe], [groups(s.rows * s.C, WG)]);
}

/**
 * Appends k, v of qkv (rows,3C) at `pos` to kCache, vCache (rows,NH,Tmax,C/NH), then out (rows,C) =
 * attention of q over positions 0..pos.
 */
export function attentionDecode(
  rec: Recorder,
  out: Binding,
  kCache: Binding,
  vCache: Binding,
  qkv: Binding,
  s: DecodeShape,
  pos: number,
): void {
  if (s.Tmax > DECODE_MAX_T) throw new Error(`attentionDecode: context ${s.Tmax} exceeds ${DECODE_MAX_T}`);
  const params = [u32(s.rows), u32(s.C), u32(s.NH), u32(s.Tmax), u32(pos)];
  rec.dispatch(attentionDecodeSpec, params, [out, kCache, vCache, qkv], [s.rows * s.NH]);
}

/** What matmulDecode does after the product. */
export type DecodeEpilogue = 'bias' | 'gelu' | 'residual' | 'none';
const EPILOGUE_ID: Record<DecodeEpilogue, number> = { bias: 0, gelu: 1, residual: 2, none: 3 };

/** A LayerNorm of each row of `a` (its weight and bias, (K)) fused in front of matmulDecode. */
export interface DecodeLayerNorm {
  w: Binding;
  b: Binding;
}

export const matmulDecodeSpec = (epilogue: DecodeEpilogue, transB: boolean, ln: number): KernelSpec =>
  kernel('decode', 'matmul_decode', {
    ...constants,
    EPILOGUE: EPILOGUE_ID[epilogue],
    TRANS_B: transB ? 1 : 0,
    LN: ln, // LN_NONE, LN_SCALAR, LN_VEC4 of decode.wgsl
  });

/**
 * out (M,N) = a (M,K) · W (K,N) [(N,K) when transB], then: 'bias' + bias (N); 'gelu' GELU(· + bias);
 * 'residual' res (M,N) + · + bias; 'none' as is (bias and res unused). With `ln`, a's rows go through
 * that LayerNorm first (as layernormForward computes it), saving its dispatch.
 */
export function matmulDecode(
  rec: Recorder,
  out: Binding,
  a: Binding,
  w: Binding,
  M: number,
  N: number,
  K: number,
  epilogue: DecodeEpilogue,
  bias: Binding | null = null,
  res: Binding | null = null,
  transB = false,
  ln: DecodeLayerNorm | null = null,
): void {
  if ((epilogue !== 'none') !== (bias !== null)) throw new Error(`matmulDecode: '${epilogue}' and the bias disagree`);
  if ((epilogue === 'residual') !== (res !== null)) throw new Error(`matmulDecode: '${epilogue}' and res disagree`);
  // Unused bindings are filled with `a` (read-only), never with `out`.
  rec.dispatch(
    matmulDecodeSpec(epilogue, transB, ln === null ? 0 : layernormEntries(M, K).vec4 ? 2 : 1),
    [u32(M), u32(N), u32(K)],
    [out, a, w, bias ?? a, res ?? a, ln?.w ?? a, ln?.b ?? a],
    [groups(N, WG), M],
  );
}
