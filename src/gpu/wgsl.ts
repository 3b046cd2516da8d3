// The WGSL of every kernel family (src/gpu/shaders/<family>.wgsl), with the snippets they share
// (src/gpu/shaders/lib/<name>.wgsl: GELU, the KL estimators, PPO's clipped term, workgroup
// reductions, the RNG, drawing a token from a row's logits, vec4 sums) pasted in where a shader asks for one by name with a line
// `// #include <name>`. A snippet is pasted once per shader even when asked for twice, and may
// itself include others.
//
// Workgroup sizes are WGSL `override` constants without a default: the kernel wrapper passes the
// value it also divides by to count workgroups, so a size lives in one place (the wrapper's WG).

import adamw from './shaders/adamw.wgsl?raw';
import attention from './shaders/attention.wgsl?raw';
import covariance from './shaders/covariance.wgsl?raw';
import encoder from './shaders/encoder.wgsl?raw';
import gelu from './shaders/gelu.wgsl?raw';
import gradnorm from './shaders/gradnorm.wgsl?raw';
import layernorm from './shaders/layernorm.wgsl?raw';
import logprob from './shaders/logprob.wgsl?raw';
import matmul from './shaders/matmul.wgsl?raw';
import matmulBias from './shaders/matmul_bias.wgsl?raw';
import policyLoss from './shaders/policy_loss.wgsl?raw';
import policyLossReduce from './shaders/policy_loss_reduce.wgsl?raw';
import residual from './shaders/residual.wgsl?raw';
import rollout from './shaders/rollout.wgsl?raw';
import tokenSelect from './shaders/token_select.wgsl?raw';
import geluLib from './shaders/lib/gelu.wgsl?raw';
import klLib from './shaders/lib/kl.wgsl?raw';
import ppoClipLib from './shaders/lib/ppo_clip.wgsl?raw';
import reduceLib from './shaders/lib/reduce.wgsl?raw';
import rngLib from './shaders/lib/rng.wgsl?raw';
import sampleRowLib from './shaders/lib/sample_row.wgsl?raw';
import vec4Lib from './shaders/lib/vec4.wgsl?raw';
import { pipelineKey, type KernelSpec } from './runtime';

export const SHADERS = {
  adamw,
  attention,
  covariance,
  encoder,
  gelu,
  gradnorm,
  layernorm,
  logprob,
  matmul,
  matmul_bias: matmulBias,
  policy_loss: policyLoss,
  policy_loss_reduce: policyLossReduce,
  residual,
  rollout,
  token_select: tokenSelect,
};
export type ShaderName = keyof typeof SHADERS;

export const SNIPPETS: Record<string, string> = {
  gelu: geluLib,
  kl: klLib,
  ppo_clip: ppoClipLib,
  reduce: reduceLib,
  rng: rngLib,
  sample_row: sampleRowLib,
  vec4: vec4Lib,
};

/** `source` with every `// #include <name>` line replaced by that snippet (each snippet once). */
export function includeSnippets(
  source: string,
  snippets: Record<string, string> = SNIPPETS,
  included = new Set<string>(),
): string {
  return source.replace(/^\/\/ #include (\S+)[ \t]*$/gm, (_, name: string) => {
    const snippet = snippets[name];
    if (snippet === undefined) throw new Error(`WGSL: no snippet named '${name}' in src/gpu/shaders/lib/`);
    if (included.has(name)) return '';
    included.add(name);
    return includeSnippets(snippet, snippets, included);
  });
}

const composed = new Map<ShaderName, string>();

/** The WGSL of one kernel family, its snippets included. */
export function shaderCode(name: ShaderName): string {
  let code = composed.get(name);
  if (code === undefined) {
    code = includeSnippets(SHADERS[name]);
    composed.set(name, code);
  }
  return code;
}

/** Every kernel made so far by `kernel` (the kernel modules make most of theirs when imported). */
const registry = new Map<string, KernelSpec>();

/**
 * One entry point of a family's shader as a pipeline: `constants` are its `override` values (the
 * workgroup size, and any choice fixed when the pipeline is built). `name` keys the pipeline cache.
 */
export function kernel(
  shader: ShaderName,
  entryPoint: string,
  constants: Record<string, number>,
  name: string = entryPoint,
): KernelSpec {
  const spec = { name, code: shaderCode(shader), entryPoint, constants };
  registry.set(pipelineKey(spec), spec);
  return spec;
}

export const registeredKernels = (): KernelSpec[] => [...registry.values()];
