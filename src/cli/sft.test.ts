// `sft` held to docs/DESIGN.md §9: which lines each step uses, which positions count in the loss, the
// logged loss/grad-norm before the update, AdamW with decoupled decay and clipping, and the checkpoint it writes.

import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { GPTConfig } from '../models/config';
import { readCheckpointFile, writeCheckpointFile } from '../models/checkpoint-fs';
import { CpuEngine } from '../models/cpu/engine';
import type { TokenBatch } from '../models/engine';
import { Rng } from '../models/rng';
import { DEMONSTRATION_STREAM, sftBatch } from '../models/sft';
import { Tokenizer } from '../models/tokenizer';
import { getTask } from '../rl/tasks/index';
import { dataLines } from './sft';
import { cli, randomCheckpoint, referenceLogSoftmax, referenceSftLoss, tempDir } from './testing';

const config: GPTConfig = { vocabSize: 6, blockSize: 12, nEmbd: 16, nLayer: 2, nHead: 2 };
const vocab = ['<pad>', '<bos>', '<eos>', 'a', 'b', 'c'];
const tmp = tempDir();
const ckptFile = tmp.path('start.safetensors');
const start = randomCheckpoint(config, vocab, 11);
writeCheckpointFile(ckptFile, start);
afterAll(() => tmp.remove());

const BOS = 1;
const EOS = 2;
const PAD = 0;
const row = (line: string) => [BOS, ...[...line].map((ch) => vocab.indexOf(ch)), EOS];

/** A docs/DESIGN.md §9 batch built by hand: right-padded with <pad>; every real token after <bos> is a target. */
function handBatch(lines: string[]): TokenBatch {
  const rows = lines.map(row);
  const T = Math.max(...rows.map((r) => r.length));
  const tokens = new Int32Array(rows.length * T).fill(PAD);
  const targets = new Int32Array(rows.length * T).fill(-1);
  rows.forEach((r, b) =>
    r.forEach((tok, t) => {
      tokens[b * T + t] = tok;
      if (t > 0) targets[b * T + t - 1] = tok;
    }),
  );
  return { B: rows.length, T, tokens, targets };
}

function writeData(name: string, lines: string[]): string {
  const file = tmp.path(name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function readLog(file: string): { step: number; loss: number; grad_norm: number; tokens_per_s: number }[] {
  return readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
}

const sftArgs = (data: string, out: string, log: string, ...extra: string[]) => [
  'sft',
  '--checkpoint',
  ckptFile,
  '--data',
  data,
  '--out',
  out,
  '--log',
  log,
  ...extra,
];

describe('sft --data', () => {
  const lines = ['abcab', 'c', 'bba', 'cabbacab'];

  it('8 steps: 8 log rows, loss falls, row 0 is the untouched model loss of lines 0–1 and its unclipped grad norm', async () => {
    const data = writeData('train.txt', lines);
    const [out, log] = [tmp.path('out.safetensors'), tmp.path('train.jsonl')];
    const r = await cli(...sftArgs(data, out, log, '--steps', '8', '--batch', '2', '--lr', '0.01', '--clip', '0.5'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/sft \(1\/8\) step 0 {2}loss \d+\.\d{4} {2}grad_norm \d+\.\d{4} {2}\d+ tokens\/s\n/);
    expect(r.stderr).toMatch(/sft \(8\/8\) step 7 /);

    const rows = readLog(log);
    expect(rows.map((x) => x.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const x of rows) expect(x.tokens_per_s).toBeGreaterThan(0);
    // Steps 0,2,4,6 all see lines 0–1: their loss must fall step over step; so must steps 1,3,5,7 (lines 2–3).
    for (const k of [2, 3, 4, 5, 6, 7]) expect(rows[k].loss).toBeLessThan(rows[k - 2].loss);
    expect(rows[6].loss).toBeLessThan(0.7 * rows[0].loss);

    // Row 0 = the loss of the first batch before any update, by an independent HF GPT-2 and by the engine.
    expect(rows[0].loss).toBeCloseTo(referenceSftLoss(start, lines.slice(0, 2).map(row)), 5);
    const engine = new CpuEngine(config, { seed: 0, weights: start.weights });
    const batch = handBatch(lines.slice(0, 2));
    const { logprobs } = await engine.forward(batch);
    let nll = 0;
    let n = 0;
    batch.targets.forEach((t, i) => {
      if (t >= 0) ((nll -= logprobs[i]), n++);
    });
    expect(n).toBe(8); // 'abcab' <eos> + 'c' <eos>: pad and <bos> excluded
    expect(rows[0].loss).toBeCloseTo(nll / n, 6);
    const coefficient = new Float32Array(batch.targets.length).map((_, i) => (batch.targets[i] >= 0 ? -1 / n : 0));
    engine.zeroGrad();
    await engine.backward(coefficient, new Float32Array(batch.targets.length));
    let sq = 0;
    for (const g of (await engine.getGrads()).values()) for (const v of g) sq += v * v;
    engine.dispose();
    expect(Math.sqrt(sq)).toBeGreaterThan(0.5); // so the logged norm must be the one before clipping to 0.5
    expect(rows[0].grad_norm).toBeCloseTo(Math.sqrt(sq), 4);

    const trained = readCheckpointFile(out);
    expect(trained.config).toEqual(config);
    expect(trained.vocab).toEqual(vocab);
    const before = start.weights.get('transformer.h.0.attn.c_attn.weight')!;
    const after = trained.weights.get('transformer.h.0.attn.c_attn.weight')!;
    expect(after.some((v, i) => v !== before[i])).toBe(true);
  });

  it('step s uses lines s·B … s·B+B−1 modulo the line count, in order (lr 0 keeps the model fixed)', async () => {
    const order = ['a', 'bb', 'ccc', 'abca', 'cbacb']; // 5 lines, B=2: steps see [0,1] [2,3] [4,0] [1,2] [3,4]
    const data = writeData('order.txt', order);
    const log = tmp.path('order.jsonl');
    const r = await cli(
      ...sftArgs(data, tmp.path('order.safetensors'), log, '--steps', '5', '--batch', '2', '--lr', '0'),
    );
    expect(r.code, r.stderr).toBe(0);
    const expected = [0, 1, 2, 3, 4].map((s) =>
      referenceSftLoss(start, [order[(2 * s) % 5], order[(2 * s + 1) % 5]].map(row)),
    );
    // The five batches have clearly different losses, so any other order would show.
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < i; j++) expect(Math.abs(expected[i] - expected[j])).toBeGreaterThan(1e-3);
    readLog(log).forEach((x, s) => expect(x.loss).toBeCloseTo(expected[s], 5));
  });

  it('one step is AdamW on the clipped gradient with decoupled decay on ≥2-dim tensors only', async () => {
    const data = writeData('adam.txt', lines);
    const out = tmp.path('adam.safetensors');
    const [lr, wd, clip, eps] = [0.01, 0.1, 0.05, 1e-3];
    const r = await cli(
      ...sftArgs(data, out, tmp.path('adam.jsonl'), '--steps', '1', '--batch', '3', '--lr', `${lr}`),
      ...['--weight-decay', `${wd}`, '--clip', `${clip}`, '--eps', `${eps}`, '--beta1', '0.8', '--beta2', '0.95'],
    );
    expect(r.code, r.stderr).toBe(0);
    const engine = new CpuEngine(config, { seed: 0, weights: start.weights });
    const batch = handBatch(lines.slice(0, 3));
    await engine.forward(batch);
    const n = batch.targets.filter((t) => t >= 0).length;
    engine.zeroGrad();
    await engine.backward(
      batch.targets.reduce((c, t, i) => ((c[i] = t >= 0 ? -1 / n : 0), c), new Float32Array(batch.targets.length)),
      new Float32Array(batch.targets.length),
    );
    const grads = await engine.getGrads();
    engine.dispose();
    let sq = 0;
    for (const g of grads.values()) for (const v of g) sq += v * v;
    const scale = Math.min(1, clip / Math.sqrt(sq));
    expect(scale).toBeLessThan(0.5); // clipping is active
    const trained = readCheckpointFile(out);
    let worst = 0;
    for (const [name, w0] of start.weights) {
      const g = grads.get(name)!;
      const is2d = /(wte|wpe|c_attn|c_proj|c_fc)\.weight$/.test(name);
      const w1 = trained.weights.get(name)!;
      for (let i = 0; i < w0.length; i++) {
        // First step: m̂ = g', v̂ = g'² whatever the betas, so the update is lr·g'/(|g'| + eps).
        const gc = g[i] * scale;
        const want = w0[i] * (is2d ? 1 - lr * wd : 1) - (lr * gc) / (Math.abs(gc) + eps);
        worst = Math.max(worst, Math.abs(w1[i] - want));
      }
    }
    expect(worst).toBeLessThan(2e-6);
  });

  it('--model-config with --data: fresh seeded init, vocabulary = specials + the data characters in code-point order', async () => {
    const data = writeData('fresh.txt', ['ba', 'ca']);
    const json = tmp.path('model.json');
    writeFileSync(json, JSON.stringify({ model_type: 'gpt2', n_positions: 8, n_embd: 8, n_layer: 1, n_head: 2 }));
    const make = async (name: string, seed: string) => {
      const out = tmp.path(name);
      const r = await cli(
        'sft',
        '--model-config',
        json,
        '--data',
        data,
        '--steps',
        '0',
        '--batch',
        '1',
        '--lr',
        '0.1',
        '--seed',
        seed,
        '--out',
        out,
      );
      expect(r.code, r.stderr).toBe(0);
      return out;
    };
    const [a, b, c] = [
      await make('s3a.safetensors', '3'),
      await make('s3b.safetensors', '3'),
      await make('s4.safetensors', '4'),
    ];
    const ck = readCheckpointFile(a);
    expect(ck.vocab).toEqual(['<pad>', '<bos>', '<eos>', 'a', 'b', 'c']);
    expect(ck.config).toEqual({ vocabSize: 6, blockSize: 8, nEmbd: 8, nLayer: 1, nHead: 2 });
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
    // nanoGPT init: LayerNorm weight 1, biases 0, weights std ≈ 0.02.
    expect(Array.from(ck.weights.get('transformer.ln_f.weight')!)).toEqual(new Array(8).fill(1));
    expect(Array.from(ck.weights.get('transformer.h.0.mlp.c_fc.bias')!)).toEqual(new Array(32).fill(0));
    const wte = ck.weights.get('transformer.wte.weight')!;
    const std = Math.sqrt(wte.reduce((s, v) => s + v * v, 0) / wte.length);
    expect(std).toBeGreaterThan(0.01);
    expect(std).toBeLessThan(0.03);

    writeFileSync(json, JSON.stringify({ vocab_size: 9, n_positions: 8, n_embd: 8, n_layer: 1, n_head: 2 }));
    const bad = await cli(
      'sft',
      '--model-config',
      json,
      '--data',
      data,
      '--steps',
      '0',
      '--batch',
      '1',
      '--lr',
      '0.1',
      '--out',
      tmp.path('x'),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("sft: --model-config vocab_size is 9 but the data's vocabulary has 6 tokens\n");
  });

  it('a data line with an unknown character or longer than the context fails naming the line', async () => {
    const unknown = await cli(
      ...sftArgs(
        writeData('bad.txt', ['ab', 'abd']),
        tmp.path('x'),
        tmp.path('y'),
        '--steps',
        '1',
        '--batch',
        '1',
        '--lr',
        '1',
      ),
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^sft: line 2 of .*bad\.txt: character "d" at position 2 of "abd" is not in the vocabulary\n$/,
    );
    const long = await cli(
      ...sftArgs(
        writeData('long.txt', ['a'.repeat(11)]),
        tmp.path('x'),
        tmp.path('y'),
        '--steps',
        '1',
        '--batch',
        '1',
        '--lr',
        '1',
      ),
    );
    expect(long.code).toBe(1);
    expect(long.stderr).toMatch(
      /line 1 of .*long\.txt is 13 tokens with <bos> and <eos>, longer than the context \(n_positions 12\)/,
    );
  });
});

describe('sft batches', () => {
  it('pads right with <pad> to the longest row; targets are -1 on pad, the last token and before firstTarget', () => {
    const b = sftBatch(
      [
        { tokens: [1, 3, 4, 2], firstTarget: 1 },
        { tokens: [1, 5, 3, 4, 5, 2], firstTarget: 3 }, // a demonstration with a 2-character prompt
      ],
      0,
    );
    expect([b.B, b.T]).toEqual([2, 6]);
    expect(Array.from(b.tokens)).toEqual([1, 3, 4, 2, 0, 0, 1, 5, 3, 4, 5, 2]);
    expect(Array.from(b.targets)).toEqual([3, 4, 2, -1, -1, -1, -1, -1, 4, 5, 2, -1]);
  });

  it('data lines split on \\n or \\r\\n; a final newline adds no line; empty lines in between are sequences', () => {
    expect(dataLines('ab\r\n\nc\n')).toEqual(['ab', '', 'c']);
    expect(dataLines('ab')).toEqual(['ab']);
  });
});

describe('sft --task', () => {
  const modelJson = () => {
    const json = tmp.path('task-model.json');
    writeFileSync(json, JSON.stringify({ n_positions: 16, n_embd: 16, n_layer: 1, n_head: 2 }));
    return json;
  };

  it('--model-config --task add: task vocabulary, loss on completion + <eos> of seeded demonstrations only', async () => {
    const json = modelJson();
    const init = tmp.path('add-init.safetensors');
    const base = ['sft', '--model-config', json, '--task', 'add', '--batch', '4', '--lr', '0.01', '--seed', '5'];
    expect((await cli(...base, '--steps', '0', '--out', init)).code).toBe(0);
    const log = tmp.path('add.jsonl');
    const r = await cli(...base, '--steps', '2', '--out', tmp.path('add.safetensors'), '--log', log);
    expect(r.code, r.stderr).toBe(0);
    const start = readCheckpointFile(init);
    const task = getTask('add');
    expect(start.vocab).toEqual([...Tokenizer.fromAlphabet(task.alphabet).vocab]);
    expect(start.task).toBe('add');
    expect(readCheckpointFile(tmp.path('add.safetensors')).task).toBe('add');

    // The first batch, redrawn: demonstrations come from their own stream of the seed, sample then demonstrate.
    const tok = new Tokenizer(start.vocab);
    const rng = new Rng(5, DEMONSTRATION_STREAM);
    let nll = 0;
    let n = 0;
    for (let b = 0; b < 4; b++) {
      const problem = task.sample(rng);
      const completion = task.demonstrate(problem, rng, 0);
      const prompt = tok.encode(problem.prompt);
      const tokens = [tok.bosId, ...prompt, ...tok.encode(completion), tok.eosId];
      const lp = referenceLogSoftmax(start, tokens);
      for (let t = prompt.length; t + 1 < tokens.length; t++) {
        nll -= lp[t][tokens[t + 1]];
        n++;
      }
    }
    const rows = readLog(log);
    expect(rows).toHaveLength(2);
    expect(rows[0].loss).toBeCloseTo(nll / n, 5);
  });

  it('--checkpoint whose vocabulary is not the task’s fails naming the first differing token; an unknown task is a usage error', async () => {
    const base = ['--steps', '1', '--batch', '1', '--lr', '1', '--out', tmp.path('x')];
    const r = await cli('sft', '--checkpoint', ckptFile, '--task', 'add', ...base);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^sft: checkpoint vocabulary does not match the task's: token id 3 is "a" in the checkpoint, "\d" in the task/,
    );
    const u = await cli('sft', '--checkpoint', ckptFile, '--task', 'nope', ...base);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/^sft: --task: unknown task "nope"; known: add, /);
  });
});
