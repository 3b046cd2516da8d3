// The RL trainer (docs/DESIGN.md §5): one step = sample P prompts, generate G completions each, score them
// with the reward shape, compute advantages, take μ passes (minibatches optional) of the policy loss
// with the rollout policy's log-probs as "old" and a frozen reference for KL, log every metric.
// It drives any Engine (CPU or WebGPU) and owns all randomness through one Rng, so a run is
// deterministic for a seed and a saved state continues exactly.

import type { AdamWConfig, Engine, OptimizerState, PolicyOutput } from '../models/engine';
import type { GPTConfig } from '../models/config';
import { MODEL_SIZES } from '../models/config';
import { hash32, Rng } from '../models/rng';
import { Tokenizer } from '../models/tokenizer';
import { computeAdvantages, hasRewardSignal, mean, stdUnbiased } from './advantages';
import { parseRunConfig, type RunConfig } from './config';
import { nextEntropyCoef } from './entropyControl';
import { rewardComponentMetric, type MetricsRow } from './metrics';
import { meanPassAtK } from './passAtK';
import { policyLossCoefficients, type PolicyLossInput, type PolicyLossMetrics } from './policyLoss';
import type { WebGpuEngine } from '../gpu/engine';
import {
  broadcastToTokens,
  buildRolloutBatch,
  completionMask,
  completionValues,
  encodePrompt,
  generateGroups,
  selectRows,
  selectRowValues,
  type RolloutBatch,
} from './rollout';
import { scoreGroup } from './rewards/shape';
import { UserRewardSandbox } from './rewards/sandbox';
import { getTask } from './tasks';
import type { Problem, Task, Verdict } from './tasks/task';

export interface SampleRecord {
  prompt: string;
  completion: string;
  tokens: number[]; // completion token ids, <eos> included when sampled
  reward: number;
  rewardBreakdown: Record<string, number>; // component → its (unweighted) value
  advantage: number;
  correct: boolean;
  truncated: boolean;
  tokenEntropy: number[]; // per completion token, under the rollout policy
  tokenLogprob: number[]; // per completion token, under the rollout policy
  groupIndex: number;
}

export interface StepReport {
  step: number;
  metrics: MetricsRow;
  samples: SampleRecord[];
}

export interface TrainerState {
  config: RunConfig;
  step: number;
  weights: Map<string, Float32Array>;
  optimizer: OptimizerState;
  refWeights: Map<string, Float32Array>;
  rng: { seed: number; stream: number; counter: number };
  metrics: MetricsRow[];
  entropyCoef: number;
}

/** The GPT config a run's model size gives for a vocabulary. */
export function gptConfigFor(run: Pick<RunConfig, 'model'>, vocabSize: number): GPTConfig {
  return { ...MODEL_SIZES[run.model], vocabSize };
}

/** The tokenizer a task's base checkpoints use (specials, then the task's alphabet). */
export function taskTokenizer(task: Pick<Task, 'alphabet'>): Tokenizer {
  return Tokenizer.fromAlphabet(task.alphabet);
}

const TRAIN_STREAM = 0x7121; // the trainer's Rng stream (prompts, sampling seeds, rewards, shuffles)
const now = () => performance.now();

/** A prompt's G completions, scored. */
interface Group {
  problem: Problem;
  prompt: Int32Array; // <bos> + prompt
  completions: Int32Array[]; // G
  texts: string[];
  truncated: boolean[];
  verdicts: Verdict[];
  rewards: number[];
  breakdown: Record<string, number>[];
}

export class Trainer {
  private constructor(
    readonly config: RunConfig,
    private readonly engine: Engine,
    private readonly refEngine: Engine,
    private readonly task: Task,
    private readonly tokenizer: Tokenizer,
    private readonly sandbox: UserRewardSandbox | null,
    private rng: Rng,
    private step_: number,
    private readonly metrics_: MetricsRow[],
    private entropyCoef: number,
  ) {}

  /**
   * A run from the engine's current weights; the reference engine gets a frozen copy of them.
   * `userRewardCode` (when given) replaces the config's, and is saved with the config.
   */
  static async create(
    config: RunConfig,
    engine: Engine,
    refEngine: Engine,
    opts: { userRewardCode?: string } = {},
  ): Promise<Trainer> {
    const c = parseRunConfig({ ...config, userRewardCode: opts.userRewardCode ?? config.userRewardCode });
    await refEngine.setWeights(await engine.getWeights());
    return Trainer.build(c, engine, refEngine, new Rng(c.seed, TRAIN_STREAM), 0, [], c.entropyCoef);
  }

  static async restore(state: TrainerState, engine: Engine, refEngine: Engine): Promise<Trainer> {
    await engine.setWeights(state.weights);
    await engine.setOptimizerState(state.optimizer);
    await refEngine.setWeights(state.refWeights);
    const c = parseRunConfig(state.config);
    const metrics = state.metrics.map((r) => ({ ...r }));
    return Trainer.build(c, engine, refEngine, Rng.restore(state.rng), state.step, metrics, state.entropyCoef);
  }

  private static async build(
    c: RunConfig,
    engine: Engine,
    refEngine: Engine,
    rng: Rng,
    step: number,
    metrics: MetricsRow[],
    entropyCoef: number,
  ): Promise<Trainer> {
    const task = getTask(c.task);
    const tokenizer = taskTokenizer(task);
    if (engine.config.vocabSize !== tokenizer.size) {
      throw new Error(
        `the policy's vocabulary has ${engine.config.vocabSize} tokens but task ${c.task} needs ${tokenizer.size}`,
      );
    }
    const needsSandbox = c.reward.some((t) => t.component === 'user-code');
    const sandbox = needsSandbox ? await UserRewardSandbox.create(c.userRewardCode) : null;
    return new Trainer(c, engine, refEngine, task, tokenizer, sandbox, rng, step, metrics, entropyCoef);
  }

  get stepIndex(): number {
    return this.step_;
  }

  get metrics(): MetricsRow[] {
    return this.metrics_;
  }

  /** Greedy accuracy and pass@k on the run's held-out prompts, with the current weights. Changes nothing. */
  async evaluate(): Promise<{ accuracy: number; passAtK: number }> {
    const { accuracy, passAtK } = await this.evaluateCounting();
    return { accuracy, passAtK };
  }

  /**
   * Evaluates the final weights and appends them as a row {step, accuracy, pass@k} (once): the step
   * rows evaluate before their update, so without it a run's last update is never measured.
   */
  async finalEvaluation(): Promise<MetricsRow> {
    const last = this.metrics_[this.metrics_.length - 1];
    if (last && last.step === this.step_) return last;
    const e = await this.evaluate();
    const row: MetricsRow = { step: this.step_, accuracy: e.accuracy, 'pass@k': e.passAtK };
    this.metrics_.push(row);
    return row;
  }

  /**
   * One RL step. On eval steps (step 0 and every evalEvery) the held-out accuracy and pass@k of the
   * weights before this step's update go in the same row. A reward error (e.g. the sandbox's
   * RewardCodeError) is thrown before any state changes, so the step can be retried.
   */
  async step(): Promise<StepReport> {
    const c = this.config;
    const t0 = now();
    const row: MetricsRow = { step: this.step_ };
    let evalTokens = 0;
    if (this.step_ % c.evalEvery === 0) {
      const e = await this.evaluateCounting();
      row.accuracy = e.accuracy;
      row['pass@k'] = e.passAtK;
      evalTokens = e.tokens;
    }

    const rngBefore = this.rng.state;
    let collected: { all: Group[]; kept: Group[] };
    try {
      collected = await this.collect();
    } catch (e) {
      this.rng = Rng.restore(rngBefore);
      throw e;
    }
    const { all, kept } = collected;
    const G = c.groupSize;

    // the training batch: kept groups, rows g·G + i
    const prompts = kept.flatMap((g) => g.completions.map(() => g.prompt));
    const completions = kept.flatMap((g) => g.completions);
    const truncated = kept.flatMap((g) => g.truncated);
    const rewards = kept.flatMap((g) => g.rewards);
    const rb = buildRolloutBatch(prompts, completions, this.tokenizer.padId);
    const { B, T } = rb.batch;
    const targetMask = completionMask(rb, truncated, false); // (B,T) every completion token
    const lossMask = completionMask(rb, truncated, c.maskTruncatedCompletions); // (B,T)

    const refOut = await this.refEngine.forward(rb.batch);
    const refLogprobs = new Float32Array(refOut.logprobs); // (B,T)
    const oldOut = copyOutput(await this.engine.forward(rb.batch)); // (B,T) the rollout policy; last forward on `engine`
    const advantages = computeAdvantages(rewards, G, c); // (B)
    const tokenAdvantages = broadcastToTokens(rb, advantages); // (B,T)

    // μ passes over minibatches; the first pass over the whole batch reuses the rollout forward
    const opt: AdamWConfig = {
      lr: c.lr,
      beta1: c.beta1,
      beta2: c.beta2,
      eps: 1e-8,
      weightDecay: c.weightDecay,
      clip: c.gradClip,
    };
    const alpha = this.entropyCoef;
    const nMini = Math.min(c.miniBatches, B);
    const sums = { grad_norm: 0, policy_loss: 0, kl: 0, cov: 0, low: 0, high: 0, region: 0 };
    let updates = 0;
    for (let epoch = 0; epoch < c.ppoEpochs; epoch++) {
      const order = Array.from({ length: B }, (_, i) => i);
      if (nMini > 1) this.rng.shuffle(order);
      for (let m = 0; m < nMini; m++) {
        const rows = order.slice(Math.floor((m * B) / nMini), Math.floor(((m + 1) * B) / nMini));
        const whole = nMini === 1;
        const sub: RolloutBatch = whole ? rb : selectRows(rb, rows);
        const cur: PolicyOutput = whole && epoch === 0 ? oldOut : await this.engine.forward(sub.batch);
        const pick = <A extends Float32Array | Uint8Array>(a: A) => (whole ? a : selectRowValues(a, T, rows));
        const lossInput: PolicyLossInput = {
          B: sub.batch.B,
          T,
          logprobs: cur.logprobs,
          oldLogprobs: pick(oldOut.logprobs),
          refLogprobs: pick(refLogprobs),
          entropy: cur.entropy,
          advantages: pick(tokenAdvantages),
          mask: pick(lossMask),
          params: { ...c, entropyCoef: alpha, normLength: c.maxNewTokens },
          seed: this.rng.int(0x7fffffff),
        };
        // On WebGPU the per-token coefficients come from the WGSL policy-loss kernel (held to the TS formulas).
        const res =
          this.engine.backend === 'webgpu'
            ? await (
                await import('../gpu/policyLoss')
              ).policyLossCoefficientsGpu((this.engine as WebGpuEngine).rt, lossInput) // loaded lazily: the Node CLI never bundles WGSL
            : policyLossCoefficients(lossInput);
        this.engine.zeroGrad();
        await this.engine.backward(res.dLogprobs, res.dEntropy);
        const { gradNorm } = await this.engine.step(opt);
        addLossMetrics(sums, res.metrics, gradNorm);
        updates++;
      }
    }

    // metrics: rewards and lengths over every completion generated this step; the rest over the batch
    const allRewards = all.flatMap((g) => g.rewards);
    row.reward = mean(allRewards);
    row.reward_std = mean(all.map((g) => stdUnbiased(g.rewards))); // TRL: mean of the per-group std
    row.frac_reward_zero_std = mean(all.map((g) => (hasRewardSignal(g.rewards) ? 0 : 1)));
    for (const name of Object.keys(all[0].breakdown[0] ?? {})) {
      row[rewardComponentMetric(name)] = mean(all.flatMap((g) => g.breakdown.map((b) => b[name])));
    }
    const lengths = all.flatMap((g) => g.completions.map((x) => x.length)); // tokens, <eos> included (TRL)
    const allTruncated = all.flatMap((g) => g.truncated);
    const terminated = lengths.filter((_, i) => !allTruncated[i]);
    row['completions/mean_length'] = mean(lengths);
    row['completions/min_length'] = Math.min(...lengths);
    row['completions/max_length'] = Math.max(...lengths);
    row['completions/clipped_ratio'] = mean(allTruncated.map((t) => (t ? 1 : 0)));
    row['completions/mean_terminated_length'] = terminated.length > 0 ? mean(terminated) : 0;
    const entropy = maskedMean(oldOut.entropy, targetMask);
    row.entropy = entropy;
    const prevEntropy = [...this.metrics_].reverse().find((r) => r.entropy !== undefined)?.entropy;
    if (prevEntropy !== undefined) row.entropy_delta = entropy - prevEntropy;
    row.kl = sums.kl / updates;
    row['clip_ratio/low_mean'] = sums.low / updates;
    row['clip_ratio/high_mean'] = sums.high / updates;
    row['clip_ratio/region_mean'] = sums.region / updates;
    row.policy_loss = sums.policy_loss / updates;
    row.grad_norm = sums.grad_norm / updates;
    row.cov = sums.cov / updates;
    row.entropy_coef = alpha;
    const elapsed = now() - t0;
    const generated = lengths.reduce((s, l) => s + l, 0);
    const trained = targetMask.reduce((s, v) => s + v, 0) * c.ppoEpochs;
    row.step_time_ms = elapsed;
    row.tokens_per_s = ((generated + trained + evalTokens) * 1000) / Math.max(elapsed, 1e-3);

    const samples: SampleRecord[] = [];
    kept.forEach((g, gi) =>
      g.completions.forEach((comp, i) => {
        const b = gi * G + i;
        samples.push({
          prompt: g.problem.prompt,
          completion: g.texts[i],
          tokens: Array.from(comp),
          reward: g.rewards[i],
          rewardBreakdown: g.breakdown[i],
          advantage: advantages[b],
          correct: g.verdicts[i].correct,
          truncated: g.truncated[i],
          tokenEntropy: completionValues(rb, oldOut.entropy, b),
          tokenLogprob: completionValues(rb, oldOut.logprobs, b),
          groupIndex: gi,
        });
      }),
    );

    if (c.adaptiveEntropy) this.entropyCoef = nextEntropyCoef(alpha, entropy, c);
    this.metrics_.push(row);
    this.step_++;
    return { step: row.step, metrics: row, samples };
  }

  /** Everything a run needs to continue exactly (structured-clone friendly). */
  async saveState(): Promise<TrainerState> {
    return {
      config: { ...this.config },
      step: this.step_,
      weights: await this.engine.getWeights(),
      optimizer: await this.engine.getOptimizerState(),
      refWeights: await this.refEngine.getWeights(),
      rng: this.rng.state,
      metrics: this.metrics_.map((r) => ({ ...r })),
      entropyCoef: this.entropyCoef,
    };
  }

  dispose(): void {
    this.sandbox?.dispose();
  }

  /** Samples and scores groups; with dynamic sampling keeps only groups whose rewards differ, refilling. */
  private async collect(): Promise<{ all: Group[]; kept: Group[] }> {
    const c = this.config;
    const all: Group[] = [];
    let kept: Group[] = [];
    let need = c.promptsPerStep;
    for (let round = 0; ; round++) {
      const problems = Array.from({ length: need }, () => this.task.sample(this.rng));
      const groups = await this.rolloutGroups(problems);
      all.push(...groups);
      if (!c.dynamicSampling) {
        kept = groups;
        break;
      }
      kept.push(...groups.filter((g) => hasRewardSignal(g.rewards)));
      if (kept.length >= c.promptsPerStep || round >= c.dynamicSamplingMaxRefills) break;
      need = c.promptsPerStep - kept.length;
    }
    // nothing to learn from after every refill: train on the first round (zero advantages; KL/entropy terms only)
    if (kept.length === 0) kept = all.slice(0, c.promptsPerStep);
    return { all, kept: kept.slice(0, c.promptsPerStep) };
  }

  private async rolloutGroups(problems: Problem[]): Promise<Group[]> {
    const c = this.config;
    const G = c.groupSize;
    const prompts = problems.map((p) => encodePrompt(this.tokenizer, p.prompt));
    const gen = await generateGroups(this.engine, this.tokenizer, prompts, G, {
      temperature: c.temperature,
      topK: c.topK,
      maxNewTokens: c.maxNewTokens,
      seed: this.rng.int(0x7fffffff),
    });
    const groups: Group[] = [];
    for (let g = 0; g < problems.length; g++) {
      const completions = gen.completions.slice(g * G, (g + 1) * G);
      const truncated = gen.truncated.slice(g * G, (g + 1) * G);
      const texts = completions.map((x) => this.tokenizer.decode(x));
      const verdicts = texts.map((t) => this.task.verify(problems[g], t));
      const scored = scoreGroup({
        terms: c.reward,
        problem: problems[g],
        completions: texts,
        verdicts,
        lengths: completions.map((x, i) => x.length - (truncated[i] ? 0 : 1)),
        truncated,
        maxNewTokens: c.maxNewTokens,
        step: this.step_,
        rand: () => this.rng.next(),
        sandbox: this.sandbox,
      });
      groups.push({
        problem: problems[g],
        prompt: prompts[g],
        completions,
        texts,
        truncated,
        verdicts,
        rewards: scored.rewards,
        breakdown: scored.breakdown,
      });
    }
    return groups;
  }

  private async evaluateCounting(): Promise<{ accuracy: number; passAtK: number; tokens: number }> {
    const c = this.config;
    const problems = this.task.heldOut(c.evalPrompts, c.seed);
    const prompts = problems.map((p) => encodePrompt(this.tokenizer, p.prompt));
    const sampling = { topK: c.topK, maxNewTokens: c.maxNewTokens };
    const greedy = await generateGroups(this.engine, this.tokenizer, prompts, 1, {
      ...sampling,
      temperature: 0,
      seed: 0,
    });
    const correct = (g: number, comp: Int32Array) => this.task.verify(problems[g], this.tokenizer.decode(comp)).correct;
    const accuracy = mean(greedy.completions.map((comp, g) => (correct(g, comp) ? 1 : 0)));
    // pass@k samples at the run's temperature (1 when the run is greedy), seeded by (seed, step) only
    const sampled = await generateGroups(this.engine, this.tokenizer, prompts, c.passN, {
      ...sampling,
      temperature: c.temperature > 0 ? c.temperature : 1,
      seed: hash32(c.seed ^ hash32(this.step_ + 0x5eed)),
    });
    const counts = problems.map((_, g) =>
      sampled.completions.slice(g * c.passN, (g + 1) * c.passN).reduce((s, comp) => s + (correct(g, comp) ? 1 : 0), 0),
    );
    const tokens = [...greedy.completions, ...sampled.completions].reduce((s, x) => s + x.length, 0);
    return { accuracy, passAtK: meanPassAtK(counts, c.passN, c.passK), tokens };
  }
}

function copyOutput(o: PolicyOutput): PolicyOutput {
  return { logprobs: new Float32Array(o.logprobs), entropy: new Float32Array(o.entropy) };
}

function maskedMean(values: Float32Array, mask: Uint8Array): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    s += values[i];
    n++;
  }
  return n > 0 ? s / n : 0;
}

function addLossMetrics(
  sums: { grad_norm: number; policy_loss: number; kl: number; cov: number; low: number; high: number; region: number },
  m: PolicyLossMetrics,
  gradNorm: number,
): void {
  sums.grad_norm += gradNorm;
  sums.policy_loss += m.policy_loss;
  sums.kl += m.kl;
  sums.cov += m.cov;
  sums.low += m['clip_ratio/low_mean'];
  sums.high += m['clip_ratio/high_mean'];
  sums.region += m['clip_ratio/region_mean'];
}
