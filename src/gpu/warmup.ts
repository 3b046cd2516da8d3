// Compiling every pipeline an engine needs before its first step (GpuRuntime.warmUp): the kernel
// modules make their fixed kernels when imported; the few that depend on the shape (attention's head
// width, generation's widths) are made here for the model at hand.

import type { GPTConfig } from '../models/config';
import { attentionSpec } from './kernels/attention';
import { rolloutSpec } from './kernels/rollout';
import type { GpuRuntime, KernelSpec } from './runtime';
import { registeredKernels } from './wgsl';
import './engine'; // imports every kernel module the engine dispatches

/** The kernels a WebGpuEngine for `config` can dispatch (with the module-made ones of other shapes). */
export function engineKernels(config: GPTConfig): KernelSpec[] {
  const hs = config.nEmbd / config.nHead;
  for (const entry of ['attention_forward', 'attention_backward_query', 'attention_backward_kv']) {
    attentionSpec(entry, hs);
  }
  rolloutSpec(config);
  return registeredKernels();
}

/** Compiles them in parallel, reporting "Compiling shaders 12/31". */
export function warmUpEngine(rt: GpuRuntime, config: GPTConfig, progress: (message: string) => void): Promise<void> {
  return rt.warmUp(engineKernels(config), (done, total) => progress(`Compiling shaders ${done}/${total}`));
}
