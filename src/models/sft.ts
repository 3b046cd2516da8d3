// Supervised fine-tuning on any Engine (docs/DESIGN.md §9): the warm-up that makes a base policy,
// shared by the CLI `sft` command, scripts/make-bases.ts and the CPU throughput bench. Each step:
// the batch's mean −log p over its target positions, backward, global-norm clip and AdamW.

import type { AdamWConfig, Engine, TokenBatch } from './engine';
import { meanNllCoefficients } from './engine';
import { Rng } from './rng';
import type { Tokenizer } from './tokenizer';

/** One training sequence: `<bos> … <eos>` token ids; tokens at index ≥ firstTarget are predicted (loss). */
export interface Sequence {
  tokens: number[];
  firstTarget: number; // 1 for a data line (everything after <bos>); 1 + prompt length for a demonstration
}

/** Right-pads sequences with <pad> to the longest; targets[b,t] = tokens[b,t+1] where that token is a target, else -1. */
export function sftBatch(sequences: Sequence[], padId: number): TokenBatch {
  const B = sequences.length;
  const T = Math.max(...sequences.map((s) => s.tokens.length));
  const tokens = new Int32Array(B * T).fill(padId); // (B,T)
  const targets = new Int32Array(B * T).fill(-1); // (B,T)
  sequences.forEach((s, b) => {
    tokens.set(s.tokens, b * T);
    for (let t = Math.max(0, s.firstTarget - 1); t + 1 < s.tokens.length; t++) targets[b * T + t] = s.tokens[t + 1];
  });
  return { B, T, tokens, targets };
}

/** Throws, naming `what`, when a sequence does not fit the context. */
export function checkSequenceLength(tokens: readonly number[], blockSize: number, what: string): void {
  if (tokens.length > blockSize) {
    throw new Error(
      `${what} is ${tokens.length} tokens with <bos> and <eos>, longer than the context (n_positions ${blockSize})`,
    );
  }
}

/** What demonstrations are drawn from: a task's seeded problems and its (possibly noisy) answers (src/rl/tasks/task.ts). */
export interface DemonstrationSource<P extends { prompt: string }> {
  sample(rng: Rng): P;
  demonstrate(problem: P, rng: Rng, noise: number): string;
}

/** The Rng stream of a seed that demonstrations are drawn on, apart from the init's draws. */
export const DEMONSTRATION_STREAM = 0xba5e;

/**
 * B demonstrations per call, `<bos> prompt completion <eos>` with the loss on the completion and <eos>:
 * per row the problem, then its demonstration, from one stream Rng(seed, DEMONSTRATION_STREAM) over the run.
 */
export function demonstrationBatches<P extends { prompt: string }>(
  source: DemonstrationSource<P>,
  tokenizer: Tokenizer,
  opts: { B: number; seed: number; noise: number; blockSize: number },
): () => Sequence[] {
  const rng = new Rng(opts.seed, DEMONSTRATION_STREAM);
  return () =>
    Array.from({ length: opts.B }, () => {
      const problem = source.sample(rng);
      const completion = source.demonstrate(problem, rng, opts.noise);
      const prompt = tokenizer.encode(problem.prompt);
      const tokens = [tokenizer.bosId, ...prompt, ...tokenizer.encode(completion), tokenizer.eosId];
      checkSequenceLength(tokens, opts.blockSize, `demonstration ${JSON.stringify(problem.prompt + completion)}`);
      return { tokens, firstTarget: 1 + prompt.length };
    });
}

export interface SftStepReport {
  step: number; // from 0
  loss: number; // mean −log p over the batch's targets, before the update
  gradNorm: number; // before clipping
  positions: number; // B·T of the batch
  ms: number; // wall time of the step, building its batch included
}

/** One SFT step on a batch: returns its loss before the update and the gradient norm before clipping. */
export async function sftStep(
  engine: Engine,
  batch: TokenBatch,
  opt: AdamWConfig,
): Promise<{ loss: number; gradNorm: number }> {
  const { logprobs } = await engine.forward(batch); // (B,T), 0 off target
  const { dLogprobs, dEntropy, n } = meanNllCoefficients(batch);
  let nll = 0;
  for (let i = 0; i < logprobs.length; i++) if (batch.targets[i] >= 0) nll -= logprobs[i];
  engine.zeroGrad();
  await engine.backward(dLogprobs, dEntropy);
  const { gradNorm } = await engine.step(opt);
  return { loss: nll / n, gradNorm };
}

/** `steps` SFT steps; step s trains on batchAt(s). onStep sees each step's report before the next begins. */
export async function trainSft(
  engine: Engine,
  opts: {
    steps: number;
    batchAt: (step: number) => TokenBatch;
    opt: AdamWConfig;
    onStep?: (r: SftStepReport) => void;
  },
): Promise<void> {
  for (let s = 0; s < opts.steps; s++) {
    const start = performance.now();
    const batch = opts.batchAt(s);
    const { loss, gradNorm } = await sftStep(engine, batch, opts.opt);
    opts.onStep?.({ step: s, loss, gradNorm, positions: batch.B * batch.T, ms: performance.now() - start });
  }
}
