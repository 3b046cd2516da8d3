// Compiling every pipeline an engine needs before its first step (GpuRuntime.warmUp): the kernel
// modules make their fixed kernels when imported; the few that depend on the shape (attention's head
// width, the decode matmul's epilogues) are made here for the model at hand.

import type { GPTConfig } from '../models/config';
import { attentionSpec } from './kernels/attention';
import { matmulDecodeSpec, type DecodeEpilogue } from './kernels/decode';
import { layernormEntries } from './kernels/layernorm';
import type { GpuRuntime, KernelSpec } from './runtime';
import { registeredKernels } from './wgsl';
import './engine'; // imports every kernel module the engine dispatches

/**
 * The decode matmuls generation uses: (epilogue, transposed weight, LayerNorm fused in front) as
 * src/gpu/generate.ts calls them.
 */
const DECODE_MATMULS: [DecodeEpilogue, boolean, boolean][] = [
  ['bias', false, true], // ln_1 → qkv
  ['residual', false, false], // attention projection
  ['gelu', false, true], // ln_2 → fc
  ['residual', false, false], // fc projection
  ['none', true, true], // ln_f → tied LM head
];

/** The kernels a WebGpuEngine for `config` can dispatch (with the module-made ones of other shapes). */
export function engineKernels(config: GPTConfig): KernelSpec[] {
  const hs = config.nEmbd / config.nHead;
  for (const entry of ['attention_forward', 'attention_backward_query', 'attention_backward_kv']) {
    attentionSpec(entry, hs);
  }
  const ln = layernormEntries(1, config.nEmbd).vec4 ? 2 : 1; // decode.wgsl's LN_VEC4 or LN_SCALAR
  for (const [epilogue, transB, withLn] of DECODE_MATMULS) matmulDecodeSpec(epilogue, transB, withLn ? ln : 0);
  return registeredKernels();
}

/** Compiles them in parallel, reporting "Compiling shaders 12/31". */
export function warmUpEngine(rt: GpuRuntime, config: GPTConfig, progress: (message: string) => void): Promise<void> {
  return rt.warmUp(engineKernels(config), (done, total) => progress(`Compiling shaders ${done}/${total}`));
}
