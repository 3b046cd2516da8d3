// `score`: the log-probability a checkpoint gives each character of a text, as JSON on stdout.
// The input is `<bos> T`, tokenised with the checkpoint's own vocabulary (docs/DESIGN.md §9).

import { readCheckpointFile } from '../models/checkpoint-fs';
import { CpuEngine } from '../models/cpu/engine';
import { Tokenizer } from '../models/tokenizer';
import { parseOptions, requireString, type CliIO, type Command } from './args';

const HELP = `Usage: npm run cli -- score --checkpoint FILE --text TEXT

Scores TEXT under a checkpoint and prints one JSON object to stdout:
  {"tokens": [...], "logprobs": [...]}
  tokens    the token ids of "<bos> TEXT" (the <bos> id first, then one id per character),
            from the vocabulary stored in the checkpoint
  logprobs  logprobs[i] = log p(tokens[i+1] | tokens[0..i]), natural log: one per character of TEXT

Options:
  --checkpoint FILE  a .safetensors checkpoint (HF GPT-2 layout with config and vocab metadata)
  --text TEXT        the text to score; every character must be in the checkpoint's vocabulary;
                     write --text=-abc for a text that starts with '-'
  -h, --help         show this help
`;

async function runScore(argv: string[], io: CliIO): Promise<void> {
  const values = parseOptions(argv, { checkpoint: { type: 'string' }, text: { type: 'string' } }, HELP, io);
  if (!values) return;
  const path = requireString(values, 'checkpoint');
  const text = requireString(values, 'text');
  const ckpt = readCheckpointFile(path);
  const tokenizer = new Tokenizer(ckpt.vocab);
  const tokens = [tokenizer.bosId, ...tokenizer.encode(text)]; // (T,)
  const T = tokens.length;
  if (T > ckpt.config.blockSize) {
    throw new Error(
      `"<bos> text" is ${T} tokens, longer than the checkpoint's context (n_positions ${ckpt.config.blockSize})`,
    );
  }
  const targets = new Int32Array(T).fill(-1); // (1,T): position i predicts token i+1; the last predicts nothing
  for (let i = 0; i + 1 < T; i++) targets[i] = tokens[i + 1];
  const engine = new CpuEngine(ckpt.config, { seed: 0, weights: ckpt.weights });
  try {
    const { logprobs } = await engine.forward({ B: 1, T, tokens: Int32Array.from(tokens), targets });
    io.stdout(JSON.stringify({ tokens, logprobs: Array.from(logprobs.subarray(0, T - 1)) }) + '\n');
  } finally {
    engine.dispose();
  }
}

export const score: Command = {
  name: 'score',
  summary: 'log-probability of each character of a text under a checkpoint (JSON on stdout)',
  help: HELP,
  run: runScore,
};
