// Tests of the safetensors checkpoint format: bit-exact round trip, the HF header layout, reading files
// laid out differently by other writers, and one clear error per kind of broken file.

import { describe, expect, it } from 'vitest';
import type { GPTConfig } from './config';
import { checkVocabulary, decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './checkpoint';
import { paramLayout } from './params';
import { Rng } from './rng';
import { Tokenizer } from './tokenizer';

const config: GPTConfig = { vocabSize: 6, blockSize: 5, nEmbd: 4, nLayer: 2, nHead: 2 };
const vocab = ['<pad>', '<bos>', '<eos>', 'a', 'b', 'c'];

function randomWeights(seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const weights = new Map<string, Float32Array>();
  for (const t of paramLayout(config).tensors) {
    weights.set(
      t.name,
      Float32Array.from({ length: t.size }, () => rng.normal()),
    );
  }
  return weights;
}

function checkpoint(): Checkpoint {
  return { config, vocab, task: 'add', weights: randomWeights(1) };
}

interface RawTensor {
  name: string;
  dtype: string;
  shape: number[];
  data: Uint8Array; // raw bytes as stored
}

/** An independent safetensors writer: tensors in the given order, optional unpadded header. */
function buildFile(tensors: RawTensor[], metadata: Record<string, string> | null, opts: { pad?: boolean } = {}) {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.length] };
    offset += t.data.length;
  }
  if (metadata) header.__metadata__ = metadata;
  let json = JSON.stringify(header);
  if (opts.pad) json = json.padEnd(Math.ceil(json.length / 8) * 8, ' ');
  const jsonBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + jsonBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(jsonBytes.length), true);
  out.set(jsonBytes, 8);
  let p = 8 + jsonBytes.length;
  for (const t of tensors) {
    out.set(t.data, p);
    p += t.data.length;
  }
  return out;
}

function f32Bytes(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

function hfMetadata(overrides: Record<string, unknown> = {}): Record<string, string> {
  return {
    config: JSON.stringify({
      model_type: 'gpt2',
      vocab_size: 6,
      n_positions: 5,
      n_embd: 4,
      n_layer: 2,
      n_head: 2,
      activation_function: 'gelu_new',
      layer_norm_epsilon: 1e-5,
      ...overrides,
    }),
    vocab: JSON.stringify(vocab),
    task: 'add',
  };
}

/** Our tensors as RawTensors, in layout order. */
function rawTensors(weights = randomWeights(2)): RawTensor[] {
  return paramLayout(config).tensors.map((t) => ({
    name: t.name,
    dtype: 'F32',
    shape: t.shape,
    data: f32Bytes(weights.get(t.name)!),
  }));
}

function headerOf(bytes: Uint8Array): { n: number; header: Record<string, any> } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { n, header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) };
}

describe('checkpoint round trip', () => {
  it('decode(encode(x)) returns every weight bit-exactly (incl. -0, subnormals, NaN payload), config, vocab, task', () => {
    const ck = checkpoint();
    const w = ck.weights.get('transformer.h.1.mlp.c_fc.bias')!;
    const bits = new Uint32Array(w.buffer, w.byteOffset, w.length);
    bits[0] = 0x80000000; // -0
    bits[1] = 0x00000001; // smallest subnormal
    bits[2] = 0x7fc12345; // NaN with a payload
    const back = decodeCheckpoint(encodeCheckpoint(ck));
    expect(back.config).toEqual(config);
    expect(back.vocab).toEqual(vocab);
    expect(back.task).toBe('add');
    expect([...back.weights.keys()]).toEqual(paramLayout(config).tensors.map((t) => t.name));
    for (const [name, a] of ck.weights) {
      const b = back.weights.get(name)!;
      expect(Array.from(new Uint32Array(b.buffer, b.byteOffset, b.length)), name).toEqual(
        Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)),
      );
    }
  });

  it('writes the HF layout: 8-aligned space-padded header, contiguous F32 offsets, HF config fields, no lm_head', () => {
    const bytes = encodeCheckpoint(checkpoint());
    const { n, header } = headerOf(bytes);
    expect(n % 8).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(8, 8 + n))).toMatch(/^\{.*\} *$/);
    const layout = paramLayout(config);
    let offset = 0;
    for (const t of layout.tensors) {
      expect(header[t.name]).toEqual({ dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * t.size] });
      offset += 4 * t.size;
    }
    expect(bytes.length).toBe(8 + n + 4 * layout.total);
    expect(header['transformer.h.0.attn.c_attn.weight'].shape).toEqual([4, 12]); // [in, out]
    expect(header['lm_head.weight']).toBeUndefined();
    const hf = JSON.parse(header.__metadata__.config);
    expect(hf).toMatchObject({
      model_type: 'gpt2',
      vocab_size: 6,
      n_positions: 5,
      n_ctx: 5,
      n_embd: 4,
      n_layer: 2,
      n_head: 2,
      activation_function: 'gelu_new',
      layer_norm_epsilon: 1e-5,
      bos_token_id: 1,
      eos_token_id: 2,
      pad_token_id: 0,
    });
    expect(JSON.parse(header.__metadata__.vocab)).toEqual(vocab);
    expect(header.__metadata__.task).toBe('add');
  });
});

describe('reading files written by other writers', () => {
  it('loads tensors in reverse order with an unpadded header, a tied lm_head.weight and HF attn.bias buffers', () => {
    const weights = randomWeights(3);
    const tensors = rawTensors(weights).reverse();
    tensors.splice(3, 0, { name: 'lm_head.weight', dtype: 'F32', shape: [6, 4], data: tensors.at(-1)!.data });
    tensors.push({ name: 'transformer.h.0.attn.bias', dtype: 'BOOL', shape: [1, 1, 5, 5], data: new Uint8Array(25) });
    tensors.unshift({ name: 'transformer.h.1.attn.masked_bias', dtype: 'F32', shape: [], data: new Uint8Array(4) });
    const bytes = buildFile(tensors, hfMetadata(), { pad: false });
    expect(headerOf(bytes).n % 4).not.toBe(0); // data starts unaligned: the reader must copy, not view
    const ck = decodeCheckpoint(bytes);
    expect(ck.weights.size).toBe(paramLayout(config).tensors.length);
    for (const [name, a] of weights) expect(Array.from(ck.weights.get(name)!), name).toEqual(Array.from(a));
  });

  it("loads HF GPT2Model's bare names (wte.weight, h.0.…) as the transformer.* tensors", () => {
    const weights = randomWeights(4);
    const tensors = rawTensors(weights).map((t) => ({ ...t, name: t.name.replace(/^transformer\./, '') }));
    const ck = decodeCheckpoint(buildFile(tensors, hfMetadata(), { pad: true }));
    expect(Array.from(ck.weights.get('transformer.h.1.mlp.c_proj.weight')!)).toEqual(
      Array.from(weights.get('transformer.h.1.mlp.c_proj.weight')!),
    );
  });
});

describe('errors name what is wrong with the file', () => {
  const good = () => buildFile(rawTensors(), hfMetadata(), { pad: true });

  it('a header length larger than the file is a truncated file', () => {
    const bytes = good();
    expect(() => decodeCheckpoint(bytes.subarray(0, 100))).toThrow(
      /truncated file: header length \d+ exceeds the 92 bytes after it/,
    );
    expect(() => decodeCheckpoint(bytes.subarray(0, 5))).toThrow(/truncated file: 5 bytes/);
  });

  it('data offsets past the end of the file are a truncated file naming the tensor', () => {
    const bytes = good();
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4))).toThrow(
      `truncated file: transformer.ln_f.bias data ends at byte ${bytes.length} but the file has ${bytes.length - 4} bytes`,
    );
  });

  it('a non-F32 tensor names the tensor and its dtype', () => {
    const tensors = rawTensors();
    tensors[5] = { ...tensors[5], dtype: 'F16', data: tensors[5].data.subarray(0, tensors[5].data.length / 2) };
    expect(() => decodeCheckpoint(buildFile(tensors, hfMetadata()))).toThrow(
      `${tensors[5].name} has dtype F16; only F32 is supported`,
    );
  });

  it('a missing tensor is named', () => {
    const tensors = rawTensors().filter((t) => t.name !== 'transformer.h.1.attn.c_proj.bias');
    expect(() => decodeCheckpoint(buildFile(tensors, hfMetadata()))).toThrow(
      'missing tensor transformer.h.1.attn.c_proj.bias',
    );
  });

  it('a misshapen tensor names the tensor, the expected and the found shape', () => {
    const tensors = rawTensors();
    const i = tensors.findIndex((t) => t.name === 'transformer.h.0.attn.c_attn.weight');
    tensors[i] = { ...tensors[i], shape: [12, 4] }; // [out, in]: torch Linear layout instead of Conv1D
    expect(() => decodeCheckpoint(buildFile(tensors, hfMetadata()))).toThrow(
      'transformer.h.0.attn.c_attn.weight has shape [12,4], expected [4,12]',
    );
  });

  it('an unexpected tensor is named', () => {
    const tensors = [
      ...rawTensors(),
      { name: 'transformer.h.2.ln_1.weight', dtype: 'F32', shape: [4], data: new Uint8Array(16) },
    ];
    expect(() => decodeCheckpoint(buildFile(tensors, hfMetadata()))).toThrow(
      'unexpected tensor transformer.h.2.ln_1.weight',
    );
  });

  it('an lm_head.weight that differs from wte is refused (the head is tied)', () => {
    const tensors = [
      ...rawTensors(),
      { name: 'lm_head.weight', dtype: 'F32', shape: [6, 4], data: new Uint8Array(96) },
    ];
    expect(() => decodeCheckpoint(buildFile(tensors, hfMetadata()))).toThrow(
      'lm_head.weight differs from transformer.wte.weight',
    );
  });

  it('a header that is not JSON says so', () => {
    const bytes = good();
    bytes[8] = '['.charCodeAt(0);
    expect(() => decodeCheckpoint(bytes)).toThrow(/^header is not valid JSON: /);
  });

  it('missing or invalid config/vocab metadata is named', () => {
    const t = rawTensors();
    const { vocab: _v, ...noVocab } = hfMetadata();
    const { config: _c, ...noConfig } = hfMetadata();
    expect(() => decodeCheckpoint(buildFile(t, null))).toThrow('header lacks "__metadata__"');
    expect(() => decodeCheckpoint(buildFile(t, noConfig))).toThrow('metadata lacks "config"');
    expect(() => decodeCheckpoint(buildFile(t, noVocab))).toThrow('metadata lacks "vocab"');
    expect(() => decodeCheckpoint(buildFile(t, { ...hfMetadata(), config: '{n_embd' }))).toThrow(
      /^metadata "config" is not valid JSON/,
    );
    expect(() => decodeCheckpoint(buildFile(t, hfMetadata({ n_head: 3 })))).toThrow(
      'config.nEmbd (4) must be divisible by nHead (3)',
    );
    expect(() => decodeCheckpoint(buildFile(t, hfMetadata({ n_layer: undefined })))).toThrow('config lacks n_layer');
    expect(() => decodeCheckpoint(buildFile(t, hfMetadata({ activation_function: 'relu' })))).toThrow(
      'config.activation_function is "relu"',
    );
    expect(() =>
      decodeCheckpoint(buildFile(t, { ...hfMetadata(), vocab: '["<pad>","<bos>","<eos>","a","b"]' })),
    ).toThrow('metadata "vocab" has 5 tokens but config.vocab_size is 6');
    expect(() =>
      decodeCheckpoint(buildFile(t, { ...hfMetadata(), vocab: '["<pad>","<bos>","x","a","b","c"]' })),
    ).toThrow('metadata "vocab" is invalid: vocabulary lacks the special token <eos>');
  });
});

describe('checkVocabulary', () => {
  it('accepts the same vocabulary and names the first differing token id otherwise', () => {
    expect(() => checkVocabulary(vocab, Tokenizer.fromAlphabet('abc'))).not.toThrow();
    expect(() => checkVocabulary(vocab, Tokenizer.fromAlphabet('abd'))).toThrow(
      'token id 5 is "c" in the checkpoint, "d" in the task',
    );
    expect(() => checkVocabulary(vocab, Tokenizer.fromAlphabet('abcd'))).toThrow(
      'token id 6 is nothing in the checkpoint, "d" in the task (checkpoint has 6 tokens, task 7)',
    );
  });
});
