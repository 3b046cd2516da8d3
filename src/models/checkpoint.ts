// Checkpoint I/O (docs/DESIGN.md §4): one `.safetensors` file holding a GPT-2 policy, named and laid out as
// Hugging Face's GPT2LMHeadModel saves it (F32, [in,out] Conv1D weights, LM head tied so not stored),
// with the HF GPT2Config, the vocabulary and the task in `__metadata__`. Pure bytes in and out, so the
// browser can use it; the Node file helpers live in checkpoint-fs.ts.
//
// safetensors layout: u64 little-endian header length N · N bytes of JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}} (padded with
// spaces to 8-byte alignment, as HF writes it) · the raw tensor bytes; offsets are relative to the
// start of the data section.

import { validateConfig, type GPTConfig } from './config';
import { paramLayout, type ParamLayout } from './params';
import { BOS, EOS, PAD, Tokenizer } from './tokenizer';

export interface Checkpoint {
  config: GPTConfig;
  vocab: string[]; // index = token id
  task: string; // the task the policy was trained for ('' when none)
  weights: Map<string, Float32Array>; // HF name → values, shaped as paramLayout(config) says
}

/** An invalid checkpoint; the message says what is wrong with the file. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

// Typed arrays use the host's byte order; safetensors is little-endian. Every host we run on is, and
// copying bytes (not DataView floats) keeps NaN payloads bit-exact.
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
function requireLittleEndianHost(): void {
  if (!HOST_LITTLE_ENDIAN) throw new CheckpointError('checkpoint I/O needs a little-endian host');
}

// safetensors' own reader refuses headers above 100 MB; a larger length means a corrupt file.
const MAX_HEADER_BYTES = 100_000_000;

/** HF GPT2Config fields for our model (dropout 0: we train without it; LM head tied). */
export function hfConfig(config: GPTConfig, vocab: readonly string[]): Record<string, unknown> {
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    vocab_size: config.vocabSize,
    n_positions: config.blockSize,
    n_ctx: config.blockSize,
    n_embd: config.nEmbd,
    n_layer: config.nLayer,
    n_head: config.nHead,
    n_inner: null,
    activation_function: 'gelu_new',
    layer_norm_epsilon: 1e-5,
    initializer_range: 0.02,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    tie_word_embeddings: true,
    bos_token_id: vocab.indexOf(BOS),
    eos_token_id: vocab.indexOf(EOS),
    pad_token_id: vocab.indexOf(PAD),
  };
}

/**
 * GPTConfig from HF GPT2Config fields. `vocabSize` fills in a missing vocab_size (the tokenizer's size
 * when the vocabulary comes from elsewhere). Fields that would describe a different model than ours
 * (another activation, LayerNorm eps, MLP width) are errors, not silently ignored.
 */
export function configFromHf(json: unknown, vocabSize?: number): GPTConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CheckpointError('config is not a JSON object');
  }
  const o = json as Record<string, unknown>;
  if (o.model_type !== undefined && o.model_type !== 'gpt2') {
    throw new CheckpointError(`config.model_type is ${JSON.stringify(o.model_type)}, expected "gpt2"`);
  }
  if (
    o.activation_function !== undefined &&
    !['gelu_new', 'gelu_pytorch_tanh'].includes(String(o.activation_function))
  ) {
    throw new CheckpointError(
      `config.activation_function is ${JSON.stringify(o.activation_function)}; this model uses "gelu_new" (tanh GELU)`,
    );
  }
  if (o.layer_norm_epsilon !== undefined && o.layer_norm_epsilon !== 1e-5) {
    throw new CheckpointError(`config.layer_norm_epsilon is ${JSON.stringify(o.layer_norm_epsilon)}, expected 1e-5`);
  }
  if (o.tie_word_embeddings === false) {
    throw new CheckpointError('config.tie_word_embeddings is false; this model ties the LM head to wte');
  }
  const int = (key: string, fallback?: number): number => {
    const v = o[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new CheckpointError(
        v === undefined ? `config lacks ${key}` : `config.${key} must be a positive integer, got ${JSON.stringify(v)}`,
      );
    }
    return v;
  };
  const config: GPTConfig = {
    vocabSize: int('vocab_size', vocabSize),
    blockSize: int('n_positions'),
    nEmbd: int('n_embd'),
    nLayer: int('n_layer'),
    nHead: int('n_head'),
  };
  if (o.n_inner !== undefined && o.n_inner !== null && o.n_inner !== 4 * config.nEmbd) {
    throw new CheckpointError(`config.n_inner is ${JSON.stringify(o.n_inner)}; this model's MLP width is 4·n_embd`);
  }
  try {
    return validateConfig(config);
  } catch (e) {
    throw new CheckpointError((e as Error).message);
  }
}

/** Serialises a checkpoint to safetensors bytes, tensors in paramLayout order. */
export function encodeCheckpoint(ckpt: Checkpoint): Uint8Array {
  requireLittleEndianHost();
  validateConfig(ckpt.config);
  if (ckpt.vocab.length !== ckpt.config.vocabSize) {
    throw new CheckpointError(`vocab has ${ckpt.vocab.length} tokens but config.vocabSize is ${ckpt.config.vocabSize}`);
  }
  const layout = paramLayout(ckpt.config);
  const header: Record<string, unknown> = {
    __metadata__: {
      config: JSON.stringify(hfConfig(ckpt.config, ckpt.vocab)),
      vocab: JSON.stringify(ckpt.vocab),
      task: ckpt.task,
    },
  };
  let offset = 0; // bytes into the data section
  for (const t of layout.tensors) {
    const w = ckpt.weights.get(t.name);
    if (!w) throw new CheckpointError(`weights lack ${t.name}`);
    if (w.length !== t.size) throw new CheckpointError(`${t.name} has ${w.length} values, expected ${t.size}`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * t.size] };
    offset += 4 * t.size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const n = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + n + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n); // space padding keeps the JSON valid
  const data = 8 + n;
  for (const t of layout.tensors) {
    const w = ckpt.weights.get(t.name)!;
    const begin = (header[t.name] as { data_offsets: number[] }).data_offsets[0];
    out.set(new Uint8Array(w.buffer, w.byteOffset, w.byteLength), data + begin);
  }
  return out;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  begin: number; // absolute byte offsets into the file
  end: number;
}

/** Tensors HF may store that this tied, mask-computing model does not need. */
function isIgnoredBuffer(name: string): boolean {
  return /^transformer\.h\.\d+\.attn\.(bias|masked_bias)$/.test(name);
}

/** HF's bare GPT2Model names (`wte.weight`, `h.0.…`) map onto GPT2LMHeadModel's `transformer.` names. */
function canonicalName(name: string, layout: ParamLayout): string {
  if (layout.byName.has(name) || name === 'lm_head.weight' || name.startsWith('transformer.')) return name;
  return `transformer.${name}`;
}

function metadataJson(meta: Record<string, unknown>, key: string): unknown {
  const s = meta[key];
  if (s === undefined) throw new CheckpointError(`metadata lacks "${key}"`);
  if (typeof s !== 'string') throw new CheckpointError(`metadata "${key}" is not a string`);
  try {
    return JSON.parse(s);
  } catch (e) {
    throw new CheckpointError(`metadata "${key}" is not valid JSON: ${(e as Error).message}`);
  }
}

function parseVocab(json: unknown, vocabSize: number): string[] {
  if (!Array.isArray(json) || !json.every((t) => typeof t === 'string')) {
    throw new CheckpointError('metadata "vocab" is not a JSON array of strings');
  }
  if (json.length !== vocabSize) {
    throw new CheckpointError(`metadata "vocab" has ${json.length} tokens but config.vocab_size is ${vocabSize}`);
  }
  try {
    new Tokenizer(json);
  } catch (e) {
    throw new CheckpointError(`metadata "vocab" is invalid: ${(e as Error).message}`);
  }
  return json;
}

function parseEntry(name: string, v: unknown, dataStart: number, fileLength: number): HeaderEntry {
  const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const offs = e?.data_offsets;
  if (
    typeof e !== 'object' ||
    typeof e.dtype !== 'string' ||
    !Array.isArray(e.shape) ||
    !e.shape.every((d) => Number.isInteger(d) && d >= 0) ||
    !Array.isArray(offs) ||
    offs.length !== 2 ||
    !offs.every((d) => Number.isInteger(d) && d >= 0) ||
    offs[1] < offs[0]
  ) {
    throw new CheckpointError(`header entry ${name} is malformed: ${JSON.stringify(v)}`);
  }
  const [begin, end] = [dataStart + offs[0], dataStart + offs[1]];
  if (end > fileLength) {
    throw new CheckpointError(`truncated file: ${name} data ends at byte ${end} but the file has ${fileLength} bytes`);
  }
  return { dtype: e.dtype, shape: e.shape as number[], begin, end };
}

function readF32(bytes: Uint8Array, name: string, e: HeaderEntry): Float32Array {
  if (e.dtype !== 'F32') throw new CheckpointError(`${name} has dtype ${e.dtype}; only F32 is supported`);
  const count = e.shape.reduce((a, b) => a * b, 1);
  if (e.end - e.begin !== 4 * count) {
    throw new CheckpointError(
      `${name} data_offsets span ${e.end - e.begin} bytes but shape [${e.shape}] of F32 needs ${4 * count}`,
    );
  }
  // A copy: the result must not alias the file's buffer, and the offset need not be 4-aligned.
  const out = new Float32Array(count);
  new Uint8Array(out.buffer).set(bytes.subarray(e.begin, e.end));
  return out;
}

/** Parses safetensors bytes written by us or by any writer of the HF GPT-2 layout. */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  requireLittleEndianHost();
  if (bytes.length < 8)
    throw new CheckpointError(`truncated file: ${bytes.length} bytes, less than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) {
    throw new CheckpointError(`truncated file: header length ${n} exceeds the ${bytes.length - 8} bytes after it`);
  }
  if (n > BigInt(MAX_HEADER_BYTES)) throw new CheckpointError(`header length ${n} is implausibly large`);
  const dataStart = 8 + Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (e) {
    throw new CheckpointError(`header is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new CheckpointError('header is not a JSON object');
  }
  const h = header as Record<string, unknown>;
  const meta = h.__metadata__;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new CheckpointError('header lacks "__metadata__" (with config and vocab)');
  }
  const m = meta as Record<string, unknown>;
  const config = configFromHf(metadataJson(m, 'config'));
  const vocab = parseVocab(metadataJson(m, 'vocab'), config.vocabSize);
  if (m.task !== undefined && typeof m.task !== 'string') throw new CheckpointError('metadata "task" is not a string');
  const task = (m.task as string | undefined) ?? '';

  const layout = paramLayout(config);
  const entries = new Map<string, HeaderEntry>();
  for (const [raw, v] of Object.entries(h)) {
    if (raw === '__metadata__') continue;
    const name = canonicalName(raw, layout);
    const entry = parseEntry(raw, v, dataStart, bytes.length);
    if (isIgnoredBuffer(name)) continue;
    if (!layout.byName.has(name) && name !== 'lm_head.weight') {
      throw new CheckpointError(`unexpected tensor ${raw} (not part of a GPT-2 with this config)`);
    }
    if (entries.has(name)) throw new CheckpointError(`tensor ${name} appears twice`);
    entries.set(name, entry);
  }
  const missing = layout.tensors.filter((t) => !entries.has(t.name)).map((t) => t.name);
  if (missing.length > 0) {
    const shown = missing.slice(0, 4).join(', ') + (missing.length > 4 ? ` and ${missing.length - 4} more` : '');
    throw new CheckpointError(`missing tensor${missing.length > 1 ? 's' : ''} ${shown}`);
  }
  const weights = new Map<string, Float32Array>();
  for (const t of layout.tensors) {
    const e = entries.get(t.name)!;
    if (e.shape.length !== t.shape.length || e.shape.some((d, i) => d !== t.shape[i])) {
      throw new CheckpointError(`${t.name} has shape [${e.shape}], expected [${t.shape}]`);
    }
    weights.set(t.name, readF32(bytes, t.name, e));
  }
  const head = entries.get('lm_head.weight');
  if (head) {
    const wte = weights.get('transformer.wte.weight')!;
    const lm = readF32(bytes, 'lm_head.weight', head);
    // Bitwise compare: a tied head is the same tensor, and an untied one is a different model.
    const a = new Uint32Array(lm.buffer);
    const b = new Uint32Array(wte.buffer);
    if (lm.length !== wte.length || a.some((x, i) => x !== b[i])) {
      throw new CheckpointError('lm_head.weight differs from transformer.wte.weight; this model needs a tied LM head');
    }
  }
  return { config, vocab, task, weights };
}

/** Throws when a checkpoint's vocabulary is not the task tokenizer's, naming the first differing token. */
export function checkVocabulary(ckptVocab: readonly string[], tokenizer: Tokenizer): void {
  const want = tokenizer.vocab;
  const n = Math.max(ckptVocab.length, want.length);
  for (let i = 0; i < n; i++) {
    if (ckptVocab[i] !== want[i]) {
      const show = (t: string | undefined) => (t === undefined ? 'nothing' : JSON.stringify(t));
      throw new CheckpointError(
        `checkpoint vocabulary does not match the task's: token id ${i} is ${show(ckptVocab[i])} in the checkpoint, ` +
          `${show(want[i])} in the task (checkpoint has ${ckptVocab.length} tokens, task ${want.length})`,
      );
    }
  }
}

/**
 * The first tensor holding a NaN or ±Infinity, described ("transformer.h.0.attn.c_attn.weight[12] = NaN"),
 * or null when every value is finite: nothing non-finite is saved, exported or imported.
 */
export function nonFiniteTensor(tensors: ReadonlyMap<string, Float32Array>): string | null {
  for (const [name, t] of tensors) {
    for (let i = 0; i < t.length; i++) if (!Number.isFinite(t[i])) return `${name}[${i}] = ${t[i]}`;
  }
  return null;
}
