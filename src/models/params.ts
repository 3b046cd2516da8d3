// Parameter layout: every GPT-2 tensor, named as Hugging Face's GPT2LMHeadModel names it, shaped in
// HF's Conv1D layout (linear weights are [in, out]: y = x·W + b), living in one flat allocation
// (llm.c's ParameterTensors). The same layout addresses gradients and AdamW moments.

import type { GPTConfig } from './config';

export type FloatArray = Float32Array | Float64Array;
export type FloatArrayCtor = Float32ArrayConstructor | Float64ArrayConstructor;

export interface TensorSpec {
  name: string; // HF name, e.g. transformer.h.0.attn.c_attn.weight
  shape: number[];
  offset: number; // in elements, into the flat allocation
  size: number; // product of shape
}

export interface ParamLayout {
  tensors: TensorSpec[];
  byName: Map<string, TensorSpec>;
  total: number; // elements in the flat allocation
}

/** Elements in a tensor of this shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The tensors of one block, in HF order; `i` is the layer index. */
export function blockTensorShapes(c: GPTConfig, i: number): [string, number[]][] {
  const C = c.nEmbd;
  const h = `transformer.h.${i}`;
  return [
    [`${h}.ln_1.weight`, [C]],
    [`${h}.ln_1.bias`, [C]],
    [`${h}.attn.c_attn.weight`, [C, 3 * C]],
    [`${h}.attn.c_attn.bias`, [3 * C]],
    [`${h}.attn.c_proj.weight`, [C, C]],
    [`${h}.attn.c_proj.bias`, [C]],
    [`${h}.ln_2.weight`, [C]],
    [`${h}.ln_2.bias`, [C]],
    [`${h}.mlp.c_fc.weight`, [C, 4 * C]],
    [`${h}.mlp.c_fc.bias`, [4 * C]],
    [`${h}.mlp.c_proj.weight`, [4 * C, C]],
    [`${h}.mlp.c_proj.bias`, [C]],
  ];
}

export function paramLayout(c: GPTConfig): ParamLayout {
  const shapes: [string, number[]][] = [
    ['transformer.wte.weight', [c.vocabSize, c.nEmbd]],
    ['transformer.wpe.weight', [c.blockSize, c.nEmbd]],
  ];
  for (let i = 0; i < c.nLayer; i++) shapes.push(...blockTensorShapes(c, i));
  shapes.push(['transformer.ln_f.weight', [c.nEmbd]], ['transformer.ln_f.bias', [c.nEmbd]]);
  const tensors: TensorSpec[] = [];
  let offset = 0;
  for (const [name, shape] of shapes) {
    const size = numel(shape);
    tensors.push({ name, shape, offset, size });
    offset += size;
  }
  return { tensors, byName: new Map(tensors.map((t) => [t.name, t])), total: offset };
}

/** Named views into one flat array laid out by `layout`. */
export function tensorViews<A extends FloatArray>(layout: ParamLayout, flat: A): Map<string, A> {
  const views = new Map<string, A>();
  for (const t of layout.tensors) views.set(t.name, flat.subarray(t.offset, t.offset + t.size) as A);
  return views;
}

/** Residual projections get the scaled init (nanoGPT: 0.02/√(2·n_layer)). */
export function isResidualProjection(name: string): boolean {
  return name.endsWith('attn.c_proj.weight') || name.endsWith('mlp.c_proj.weight');
}

/** nanoGPT's optimizer groups: weight decay on tensors of ≥ 2 dims only. */
export function decays(spec: TensorSpec): boolean {
  return spec.shape.length >= 2;
}
