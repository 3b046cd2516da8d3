// The parameter layout on the GPU: the tensors of src/models/params.ts in the same order, each starting
// at a multiple of the device's minStorageBufferOffsetAlignment so that a kernel can bind one tensor
// as a range of the one buffer that holds them all. Gradients and both AdamW moments are laid out
// the same way; the padding between tensors stays zero.
// Also the tensors as named bindings (llm.c's ParameterTensors, with the field names of
// src/models/cpu/model.ts), which the forward, backward and generation read.

import type { GPTConfig } from '../models/config';
import { decays, paramLayout, type ParamLayout } from '../models/params';
import type { Binding } from './runtime';

const F32 = 4; // bytes

/** Where every tensor lives in an aligned buffer, and conversions to and from the flat CPU layout. */
export class GpuParamLayout {
  readonly flat: ParamLayout; // the CPU layout (params.ts, no padding): getOptimizerState's order
  readonly total: number; // elements in an aligned buffer, padding included
  private readonly offsets = new Map<string, number>(); // aligned start of each tensor (elements)

  constructor(config: GPTConfig, alignBytes: number) {
    this.flat = paramLayout(config);
    const align = alignBytes / F32;
    let offset = 0;
    for (const t of this.flat.tensors) {
      this.offsets.set(t.name, offset);
      offset = Math.ceil((offset + t.size) / align) * align;
    }
    this.total = offset;
  }

  /** The {buffer, offset, size} range of tensor `name` (HF name) in a buffer laid out this way. */
  binding(buffer: GPUBuffer, name: string): Binding {
    const t = this.flat.byName.get(name);
    if (!t) throw new Error(`no parameter named ${name}`);
    return { buffer, offset: this.offsets.get(name)! * F32, size: t.size * F32 };
  }

  /** Element ranges of the tensors in an aligned buffer, and whether AdamW decays each. */
  decayRanges(): { offset: number; size: number; decay: boolean }[] {
    return this.flat.tensors.map((t) => ({ offset: this.offsets.get(t.name)!, size: t.size, decay: decays(t) }));
  }

  /** Tensors by HF name → one aligned array (total); every tensor must be there at its size. */
  pack(weights: Map<string, Float32Array>, what: string): Float32Array {
    const out = new Float32Array(this.total); // padding zero
    for (const t of this.flat.tensors) {
      const src = weights.get(t.name);
      if (!src) throw new Error(`${what}: missing tensor ${t.name}`);
      if (src.length !== t.size) throw new Error(`${what}: ${t.name} has ${src.length} elements, expected ${t.size}`);
      out.set(src, this.offsets.get(t.name)!);
    }
    return out;
  }

  /** One aligned array (total) → tensors by HF name (copies). */
  unpack(aligned: Float32Array): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const t of this.flat.tensors) {
      const o = this.offsets.get(t.name)!;
      out.set(t.name, aligned.slice(o, o + t.size));
    }
    return out;
  }

  /** Aligned (total) → flat CPU layout (flat.total). */
  toFlat(aligned: Float32Array): Float32Array {
    const out = new Float32Array(this.flat.total);
    for (const t of this.flat.tensors) {
      const o = this.offsets.get(t.name)!;
      out.set(aligned.subarray(o, o + t.size), t.offset);
    }
    return out;
  }

  /** Flat CPU layout (flat.total) → aligned (total), padding zero. */
  fromFlat(flat: Float32Array): Float32Array {
    const out = new Float32Array(this.total);
    for (const t of this.flat.tensors) out.set(flat.subarray(t.offset, t.offset + t.size), this.offsets.get(t.name)!);
    return out;
  }
}

/** One block's tensors (or their gradients): HF names in the comments, Conv1D [in, out] layout. */
export interface BlockBindings {
  ln1w: Binding; // (C) ln_1.weight
  ln1b: Binding; // (C) ln_1.bias
  qkvw: Binding; // (C,3C) attn.c_attn.weight
  qkvb: Binding; // (3C) attn.c_attn.bias
  attprojw: Binding; // (C,C) attn.c_proj.weight
  attprojb: Binding; // (C) attn.c_proj.bias
  ln2w: Binding; // (C) ln_2.weight
  ln2b: Binding; // (C) ln_2.bias
  fcw: Binding; // (C,4C) mlp.c_fc.weight
  fcb: Binding; // (4C) mlp.c_fc.bias
  fcprojw: Binding; // (4C,C) mlp.c_proj.weight
  fcprojb: Binding; // (C) mlp.c_proj.bias
}

/** Every parameter tensor (or gradient) as a binding. */
export interface ParameterBindings {
  wte: Binding; // (V,C) token embedding, also the LM head (tied)
  wpe: Binding; // (maxT,C)
  h: BlockBindings[]; // (L)
  lnfw: Binding; // (C)
  lnfb: Binding; // (C)
}

/** The named bindings of a model's tensors, each looked up once by HF name. */
export function parameterBindings(config: GPTConfig, tensor: (name: string) => Binding): ParameterBindings {
  const h: BlockBindings[] = [];
  for (let l = 0; l < config.nLayer; l++) {
    const p = `transformer.h.${l}`;
    h.push({
      ln1w: tensor(`${p}.ln_1.weight`),
      ln1b: tensor(`${p}.ln_1.bias`),
      qkvw: tensor(`${p}.attn.c_attn.weight`),
      qkvb: tensor(`${p}.attn.c_attn.bias`),
      attprojw: tensor(`${p}.attn.c_proj.weight`),
      attprojb: tensor(`${p}.attn.c_proj.bias`),
      ln2w: tensor(`${p}.ln_2.weight`),
      ln2b: tensor(`${p}.ln_2.bias`),
      fcw: tensor(`${p}.mlp.c_fc.weight`),
      fcb: tensor(`${p}.mlp.c_fc.bias`),
      fcprojw: tensor(`${p}.mlp.c_proj.weight`),
      fcprojb: tensor(`${p}.mlp.c_proj.bias`),
    });
  }
  return {
    wte: tensor('transformer.wte.weight'),
    wpe: tensor('transformer.wpe.weight'),
    h,
    lnfw: tensor('transformer.ln_f.weight'),
    lnfb: tensor('transformer.ln_f.bias'),
  };
}
