// The activation buffers of WebGpuEngine's forward and backward: llm.c's ActivationTensors, with
// the names src/models/cpu/model.ts gives them, one GPU buffer each. A set is allocated for a
// capacity of B·T positions and B·T·T attention scores and reused by every batch that fits.
// Unlike the CPU model, the backward keeps one gradient buffer for the residual stream (dres) that
// every branch adds into, so the residual adds need no backward kernel.

import type { GPTConfig } from '../models/config';

const F32 = 4; // bytes

/** One block's saved activations (what its backward reads). BT = B·T. */
export interface LayerActivations {
  ln1: GPUBuffer; // (BT,C)
  ln1Mean: GPUBuffer; // (BT)
  ln1Rstd: GPUBuffer; // (BT)
  qkv: GPUBuffer; // (BT,3C)
  atty: GPUBuffer; // (BT,C) attention output before c_proj
  att: GPUBuffer; // (B,NH,T,T) softmax of the scores
  residual2: GPUBuffer; // (BT,C) x + attn
  ln2: GPUBuffer; // (BT,C)
  ln2Mean: GPUBuffer; // (BT)
  ln2Rstd: GPUBuffer; // (BT)
  fch: GPUBuffer; // (BT,4C) before GELU
  fchGelu: GPUBuffer; // (BT,4C)
  residual3: GPUBuffer; // (BT,C) the block's output
}

/** The forward's inputs and activations. */
export interface ActivationTensors {
  tokens: GPUBuffer; // (BT) i32
  targets: GPUBuffer; // (BT) i32, -1 = none
  encoded: GPUBuffer; // (BT,C) wte + wpe
  layers: LayerActivations[]; // (L)
  attproj: GPUBuffer; // (BT,C) scratch: consumed by the residual
  fcproj: GPUBuffer; // (BT,C) scratch
  lnf: GPUBuffer; // (BT,C)
  lnfMean: GPUBuffer; // (BT)
  lnfRstd: GPUBuffer; // (BT)
  logits: GPUBuffer; // (BT,V)
  probs: GPUBuffer; // (BT,V)
  logprobs: GPUBuffer; // (BT)
  entropy: GPUBuffer; // (BT)
}

/** The backward's inputs and the gradients of the activations, one block's worth reused by every layer. */
export interface GradActivationTensors {
  dLogprobs: GPUBuffer; // (BT) dL/dlogp, the backward's input
  dEntropy: GPUBuffer; // (BT) dL/dH, the backward's input
  dlogits: GPUBuffer; // (BT,V)
  dres: GPUBuffer; // (BT,C) gradient of the residual stream
  dln: GPUBuffer; // (BT,C) gradient of a layernorm's output (ln_f, ln_2, ln_1 in turn)
  dfchGelu: GPUBuffer; // (BT,4C)
  dfch: GPUBuffer; // (BT,4C)
  datty: GPUBuffer; // (BT,C)
  dpreatt: GPUBuffer; // (B,NH,T,T) gradient of the scores
  dqkv: GPUBuffer; // (BT,3C)
}

/** Activations and their gradients for batches of up to BT positions and BTT = B·T·T scores. */
export class Activations {
  readonly acts: ActivationTensors;
  readonly grads: GradActivationTensors;
  private readonly buffers: GPUBuffer[] = [];

  constructor(
    device: GPUDevice,
    config: GPTConfig,
    readonly BT: number,
    readonly BTT: number,
  ) {
    const { nEmbd: C, nHead: NH, vocabSize: V, nLayer: L } = config;
    const buf = (elements: number) => {
      const b = device.createBuffer({
        size: Math.max(16, Math.ceil((elements * F32) / 16) * 16),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
      this.buffers.push(b);
      return b;
    };
    const layers = Array.from({ length: L }, (): LayerActivations => ({
      ln1: buf(BT * C),
      ln1Mean: buf(BT),
      ln1Rstd: buf(BT),
      qkv: buf(BT * 3 * C),
      atty: buf(BT * C),
      att: buf(BTT * NH),
      residual2: buf(BT * C),
      ln2: buf(BT * C),
      ln2Mean: buf(BT),
      ln2Rstd: buf(BT),
      fch: buf(BT * 4 * C),
      fchGelu: buf(BT * 4 * C),
      residual3: buf(BT * C),
    }));
    this.acts = {
      tokens: buf(BT),
      targets: buf(BT),
      encoded: buf(BT * C),
      layers,
      attproj: buf(BT * C),
      fcproj: buf(BT * C),
      lnf: buf(BT * C),
      lnfMean: buf(BT),
      lnfRstd: buf(BT),
      logits: buf(BT * V),
      probs: buf(BT * V),
      logprobs: buf(BT),
      entropy: buf(BT),
    };
    this.grads = {
      dLogprobs: buf(BT),
      dEntropy: buf(BT),
      dlogits: buf(BT * V),
      dres: buf(BT * C),
      dln: buf(BT * C),
      dfchGelu: buf(BT * 4 * C),
      dfch: buf(BT * 4 * C),
      datty: buf(BT * C),
      dpreatt: buf(BTT * NH),
      dqkv: buf(BT * 3 * C),
    };
  }

  /** Whether a (B,T) batch fits these buffers. */
  fits(B: number, T: number): boolean {
    return B * T <= this.BT && B * T * T <= this.BTT;
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
  }
}
