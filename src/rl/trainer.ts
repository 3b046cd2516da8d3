// The RL trainer (docs/DESIGN.md §5): one step = sample P prompts, generate G completions each, score them
// with the reward shape, compute advantages, take μ passes (minibatches optional) of the policy loss
// with the rollout policy's log-probs as "old" and a frozen reference for KL, log every metric.
// It drives any Engine (CPU or WebGPU) and owns all randomness through one Rng, so a run is
// deterministic for a seed and a saved state continues exactly.

import type {
  AdamWConfig,
  DeviceRlStep,
  Engine,
  OptimizerState,
  PolicyOutput,
  RolloutLogprobs,
} from '../models/engine';
import type { GPTConfig } from '../models/config';
import { MODEL_SIZES } from '../models/config';
import { hash32, Rng } from '../models/rng';
import { Tokenizer } from '../models/tokenizer';
import { aggregationWeights } from './aggregation';
import { computeAdvantages, hasRewardSignal, mean, stdUnbiased } from './advantages';
import { parseRunConfig, type RunConfig } from './config';
import { nextEntropyCoef } from './entropyControl';
import { evalPrompts } from './evalBudget';
import {
  KERNEL_TIME_METRIC,
  rewardComponentMetric,
  timingMetric,
  UPDATE_METRIC_NAMES,
  type MetricsRow,
  type TimingPhase,
} from './metrics';
import { meanPassAtK } from './passAtK';
import {
  metricsFromSums,
  planSelection,
  policyLossOn,
  tokenLossParams,
  type PolicyLossMetrics,
  type PolicyLossParams,
} from './policyLoss';
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

/** A phase of a step, in order; also the `timing/<phase>_ms` metrics. */
export type StepPhase = TimingPhase;

/** How a host watches and interrupts a step (docs/ARCHITECTURE.md: the worker's run lifecycle). */
export interface StepHooks {
  /** Called as each phase begins, with what it works on in words ("Evaluating 64 held-out prompts"). */
  onPhase?(phase: StepPhase, detail: string): void;
  /**
   * Asked at each safe point: before every phase. True abandons the step there, leaving the trainer as
   * it was before the step (same Rng, no weight changed), so the step is simply redone later.
   */
  shouldStop?(): boolean;
}

/** The step was abandoned at a safe point because `shouldStop` said so; nothing changed. */
export class StepStopped extends Error {
  override name = 'StepStopped';
  constructor(
    readonly step: number,
    readonly phase: StepPhase,
  ) {
    super(`step ${step} stopped before its ${phase} phase`);
  }
}

/** What went non-finite first. */
export type DivergedQuantity = 'reward' | 'policy loss' | 'gradient norm' | 'a weight';

/**
 * A non-finite reward, policy loss or gradient norm: the step stopped before that update was applied
 * (the engines take no step on a non-finite norm), so the weights are the last finite ones.
 */
export class DivergenceError extends Error {
  override name = 'DivergenceError';
  constructor(
    readonly step: number,
    readonly quantity: DivergedQuantity,
    readonly value: number,
    readonly advice: string,
  ) {
    super(`diverged at step ${step}: ${quantity} is ${value} — ${advice}`);
  }
}

type RunPhase = <R>(phase: StepPhase, detail: string, run: () => Promise<R> | R) => Promise<R>;

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

/** The training batch of a step: the kept groups' completions, rows g·G + i. */
interface TrainBatch {
  rollout: RolloutBatch;
  targetMask: Uint8Array; // (B,T) every completion token
  lossMask: Uint8Array; // (B,T) the tokens in the loss (maskTruncatedCompletions drops truncated rows)
  advantages: number[]; // (B)
  tokenAdvantages: Float32Array; // (B,T) each row's advantage on its completion tokens
}

type UpdateMetrics = PolicyLossMetrics & { grad_norm: number };

/** A metrics row's values, without its step. */
type MetricValues = Omit<MetricsRow, 'step'>;

export class Trainer {
  private constructor(
    private config_: RunConfig,
    private readonly engine: Engine,
    private readonly refEngine: Engine,
    private readonly task: Task,
    private readonly tokenizer: Tokenizer,
    private sandbox: UserRewardSandbox | null,
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

  get config(): RunConfig {
    return this.config_;
  }

  private set config(c: RunConfig) {
    this.config_ = c;
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
   * One RL step, in the phases eval, rollout, reward, reference, update. On eval steps (step 0 and every
   * evalEvery) the held-out accuracy and pass@k of the weights before this step's update go in the same
   * row. An error before the update phase (the sandbox's RewardCodeError, StepStopped, a non-finite
   * reward) leaves the trainer as it was, Rng included, so the step can be retried; a DivergenceError
   * in the update phase leaves the last finite weights (the non-finite update is never applied).
   */
  async step(hooks: StepHooks = {}): Promise<StepReport> {
    const rngBefore = this.rng.state;
    try {
      return await this.stepPhases(hooks);
    } catch (e) {
      this.rng = Rng.restore(rngBefore);
      throw e;
    }
  }

  private async stepPhases(hooks: StepHooks): Promise<StepReport> {
    this.takeKernelTime(); // what ran before this step is not its time
    const start = now();
    const row: MetricsRow = { step: this.step_ };
    const timings: MetricValues = {};
    const phase: RunPhase = async (name, detail, run) => {
      if (hooks.shouldStop?.()) throw new StepStopped(this.step_, name);
      hooks.onPhase?.(name, detail);
      const t = now();
      const result = await run();
      const key = timingMetric(name);
      timings[key] = (timings[key] ?? 0) + now() - t;
      return result;
    };
    const c = this.config;
    const evalTokens = this.isEvalStep()
      ? await phase('eval', `Evaluating ${c.evalPrompts} held-out prompts`, () => this.evaluateInto(row))
      : 0;
    const { all, kept } = await this.collect(phase);
    const batch = this.buildBatch(kept);
    const rollout = await phase('reference', `Log-probs of ${batch.rollout.batch.B} completions`, () =>
      this.rolloutLogprobs(batch),
    );
    const updates = c.ppoEpochs * Math.min(c.miniBatches, batch.rollout.batch.B);
    const { metrics: update, logprobs } = await phase(
      'update',
      `${updates} AdamW update${updates === 1 ? '' : 's'}`,
      () => this.update(batch, rollout),
    );
    Object.assign(row, rolloutMetrics(all, this.config.scaleRewards), this.policyMetrics(batch, logprobs.old, update));
    this.writeThroughput(row, now() - start, all, batch, evalTokens);
    Object.assign(row, timings);
    const kernelMs = this.takeKernelTime(); // the update's readback brought back the step's last timestamps
    if (kernelMs !== null) row[KERNEL_TIME_METRIC] = kernelMs;
    const samples = this.samples(kept, batch, logprobs.old);
    this.finishStep(row);
    return { step: row.step, metrics: row, samples };
  }

  /**
   * Device kernel time of the policy and reference engines since the last call (Engine.takeKernelTimeMs);
   * null when neither has a device clock or one could not tell.
   */
  private takeKernelTime(): number | null {
    const times = [this.engine, this.refEngine].flatMap((e) => (e.takeKernelTimeMs ? [e.takeKernelTimeMs()] : []));
    if (times.length === 0 || times.some((t) => t === null)) return null;
    return times.reduce((s: number, t) => s + t!, 0);
  }

  /** Drops the final evaluation row so the run can go on past its old last step (RunLoop.setTotalSteps). */
  reopen(): void {
    const last = this.metrics_[this.metrics_.length - 1];
    if (last && last.step === this.step_) this.metrics_.pop();
  }

  /**
   * New reward code for this run (after the old code threw): the step that failed is redone with it,
   * and the config saved with the run carries it.
   */
  async replaceRewardCode(code: string): Promise<void> {
    if (code === this.config.userRewardCode) return;
    const needsSandbox = this.config.reward.some((t) => t.component === 'user-code');
    const sandbox = needsSandbox ? await UserRewardSandbox.create(code) : null;
    this.sandbox?.dispose();
    this.sandbox = sandbox;
    this.config = { ...this.config, userRewardCode: code };
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

  private isEvalStep(): boolean {
    return this.step_ % this.config.evalEvery === 0;
  }

  /** Writes accuracy and pass@k into the row; returns the tokens evaluation generated. */
  private async evaluateInto(row: MetricsRow): Promise<number> {
    const e = await this.evaluateCounting();
    row.accuracy = e.accuracy;
    row['pass@k'] = e.passAtK;
    return e.tokens;
  }

  /** The training batch: the kept groups' completions, rows g·G + i, with masks and advantages. */
  private buildBatch(kept: Group[]): TrainBatch {
    const c = this.config;
    const truncated = kept.flatMap((g) => g.truncated);
    const rollout = buildRolloutBatch(
      kept.flatMap((g) => g.completions.map(() => g.prompt)),
      kept.flatMap((g) => g.completions),
      this.tokenizer.padId,
    );
    const lossMask = completionMask(rollout, truncated, c.maskTruncatedCompletions);
    const lossTokens = Array.from(rollout.lengths, (n, b) => (c.maskTruncatedCompletions && truncated[b] ? 0 : n));
    const advantages = computeAdvantages(
      kept.flatMap((g) => g.rewards),
      c.groupSize,
      c,
      lossTokens,
    );
    return {
      rollout,
      targetMask: completionMask(rollout, truncated, false),
      lossMask,
      advantages,
      tokenAdvantages: broadcastToTokens(rollout, advantages),
    };
  }

  /**
   * The batch under the frozen reference and the rollout policy; the latter is the last forward on
   * `engine`. An engine with `deviceRl` keeps them on its device (null here): the first update brings
   * them back with its metrics.
   */
  private async rolloutLogprobs(batch: TrainBatch): Promise<RolloutLogprobs | null> {
    const rl = this.engine.deviceRl;
    if (rl) return rl.rolloutForward(batch.rollout.batch, this.refEngine, false);
    const ref = new Float32Array((await this.refEngine.forward(batch.rollout.batch)).logprobs);
    const old = copyOutput(await this.engine.forward(batch.rollout.batch));
    return { ref, old };
  }

  /**
   * μ passes (ppoEpochs) over minibatches, one AdamW step each. Returns the loss metrics and grad norm
   * averaged over the updates.
   */
  private async update(
    batch: TrainBatch,
    kept: RolloutLogprobs | null,
  ): Promise<{ metrics: UpdateMetrics; logprobs: RolloutLogprobs }> {
    const c = this.config;
    const { B } = batch.rollout.batch;
    const nMini = Math.min(c.miniBatches, B);
    const passes: UpdateMetrics[] = [];
    const rl = this.engine.deviceRl;
    let logprobs = kept;
    for (let epoch = 0; epoch < c.ppoEpochs; epoch++) {
      const order = Array.from({ length: B }, (_, i) => i);
      if (nMini > 1) this.rng.shuffle(order);
      for (let m = 0; m < nMini; m++) {
        const rows = nMini === 1 ? null : order.slice(Math.floor((m * B) / nMini), Math.floor(((m + 1) * B) / nMini));
        if (rl) {
          const r = await this.updateOnDevice(rl, batch, logprobs, rows, epoch === 0);
          logprobs ??= r.rollout;
          passes.push(r.metrics);
        } else passes.push(await this.updateOn(batch, logprobs!, rows, epoch === 0));
      }
    }
    return { metrics: meanOverPasses(passes), logprobs: logprobs! };
  }

  private lossParams(): PolicyLossParams {
    return { ...this.config, entropyCoef: this.entropyCoef, normLength: this.config.maxNewTokens };
  }

  private adamw(): AdamWConfig {
    const c = this.config;
    return { lr: c.lr, beta1: c.beta1, beta2: c.beta2, eps: 1e-8, weightDecay: c.weightDecay, clip: c.gradClip };
  }

  /**
   * `updateOn` on the engine's device (Engine.deviceRl): the aggregation weights and the selection's
   * counts come from the mask here; the device selects tokens from its own log-probs and entropies
   * (TokenSelection), and the whole update is one command stream with one readback, which also brings
   * back the rollout's log-probs when they have not come yet (`logprobs` null).
   */
  private async updateOnDevice(
    rl: DeviceRlStep,
    batch: TrainBatch,
    logprobs: RolloutLogprobs | null,
    rows: number[] | null,
    firstEpoch: boolean,
  ): Promise<{ metrics: UpdateMetrics; rollout: RolloutLogprobs | null }> {
    const { T } = batch.rollout.batch;
    const sub = rows ? selectRows(batch.rollout, rows) : batch.rollout;
    const pick = <A extends Float32Array | Uint8Array>(a: A) => (rows ? selectRowValues(a, T, rows) : a);
    const params = this.lossParams();
    const mask = pick(batch.lossMask);
    const r = await rl.update({
      rows,
      batch: sub.batch,
      reuseForward: !rows && firstEpoch,
      advantages: pick(batch.tokenAdvantages),
      mask,
      weights: aggregationWeights(mask, sub.batch.B, T, params.lossAgg, params.normLength),
      selection: planSelection(params, mask, this.rng.int(0x7fffffff)),
      params: tokenLossParams(params),
      opt: this.adamw(),
      readRollout: !logprobs,
    });
    // The device applied no update on a non-finite norm (adamw.wgsl); a non-finite loss makes one.
    if (!Number.isFinite(r.gradNorm)) throw this.diverged('gradient norm', r.gradNorm);
    if (!Number.isFinite(r.sums.loss)) throw this.diverged('policy loss', r.sums.loss);
    return { metrics: { ...metricsFromSums(r.sums), grad_norm: r.gradNorm }, rollout: r.rollout };
  }

  /**
   * One AdamW step on the policy loss of some rows of the batch (null: all of them; then the first epoch
   * reuses the rollout forward, the last forward on `engine`).
   */
  private async updateOn(
    batch: TrainBatch,
    { ref, old }: RolloutLogprobs,
    rows: number[] | null,
    firstEpoch: boolean,
  ): Promise<UpdateMetrics> {
    const { T } = batch.rollout.batch;
    const sub = rows ? selectRows(batch.rollout, rows) : batch.rollout;
    const cur = !rows && firstEpoch ? old : await this.engine.forward(sub.batch);
    const pick = <A extends Float32Array | Uint8Array>(a: A) => (rows ? selectRowValues(a, T, rows) : a);
    const res = await policyLossOn(this.engine, {
      B: sub.batch.B,
      T,
      logprobs: cur.logprobs,
      oldLogprobs: pick(old.logprobs),
      refLogprobs: pick(ref),
      entropy: cur.entropy,
      advantages: pick(batch.tokenAdvantages),
      mask: pick(batch.lossMask),
      params: this.lossParams(),
      seed: this.rng.int(0x7fffffff),
    });
    const loss = res.metrics.policy_loss;
    if (!Number.isFinite(loss)) throw this.diverged('policy loss', loss);
    this.engine.zeroGrad();
    await this.engine.backward(res.dLogprobs, res.dEntropy);
    const { gradNorm } = await this.engine.step(this.adamw());
    if (!Number.isFinite(gradNorm)) throw this.diverged('gradient norm', gradNorm);
    return { ...res.metrics, grad_norm: gradNorm };
  }

  private diverged(quantity: DivergedQuantity, value: number): DivergenceError {
    const advice =
      quantity === 'reward'
        ? 'make every reward a finite number'
        : `lower the learning rate (now ${this.config.lr}) or the gradient clip (now ${this.config.gradClip})`;
    return new DivergenceError(this.step_, quantity, value, advice);
  }

  /**
   * Entropy of the rollout policy over the loss tokens (TRL's completion mask; every completion token when
   * all are masked out as truncated), its change, and the updates' means.
   */
  private policyMetrics(batch: TrainBatch, old: PolicyOutput, update: UpdateMetrics): MetricValues {
    const mask = batch.lossMask.some((v) => v) ? batch.lossMask : batch.targetMask;
    const entropy = maskedMean(old.entropy, mask);
    const prevEntropy = [...this.metrics_].reverse().find((r) => r.entropy !== undefined)?.entropy;
    return {
      entropy,
      ...(prevEntropy !== undefined && { entropy_delta: entropy - prevEntropy }),
      ...update,
      entropy_coef: this.entropyCoef,
    };
  }

  /** Step time, and tokens per second over generation, training (μ passes) and evaluation. */
  private writeThroughput(row: MetricsRow, elapsed: number, all: Group[], batch: TrainBatch, evalTokens: number) {
    const generated = all.reduce((s, g) => g.completions.reduce((t, x) => t + x.length, s), 0);
    const trained = batch.targetMask.reduce((s, v) => s + v, 0) * this.config.ppoEpochs;
    row.step_time_ms = elapsed;
    row.tokens_per_s = ((generated + trained + evalTokens) * 1000) / Math.max(elapsed, 1e-3);
  }

  /** One record per trained completion, with its per-token entropy and log-prob under the rollout policy. */
  private samples(kept: Group[], batch: TrainBatch, old: PolicyOutput): SampleRecord[] {
    const G = this.config.groupSize;
    return kept.flatMap((g, gi) =>
      g.completions.map((comp, i): SampleRecord => {
        const b = gi * G + i;
        return {
          prompt: g.problem.prompt,
          completion: g.texts[i],
          tokens: Array.from(comp),
          reward: g.rewards[i],
          rewardBreakdown: g.breakdown[i],
          advantage: batch.advantages[b],
          correct: g.verdicts[i].correct,
          truncated: g.truncated[i],
          tokenEntropy: completionValues(batch.rollout, old.entropy, b),
          tokenLogprob: completionValues(batch.rollout, old.logprobs, b),
          groupIndex: gi,
        };
      }),
    );
  }

  /** Adapts α to this step's entropy (when on), records the row, advances the step. */
  private finishStep(row: MetricsRow): void {
    const c = this.config;
    if (c.adaptiveEntropy) this.entropyCoef = nextEntropyCoef(this.entropyCoef, row.entropy!, c);
    this.metrics_.push(row);
    this.step_++;
  }

  /** Samples and scores groups; with dynamic sampling keeps only groups whose rewards differ, refilling. */
  private async collect(phase: RunPhase): Promise<{ all: Group[]; kept: Group[] }> {
    const c = this.config;
    const all: Group[] = [];
    let kept: Group[] = [];
    let need = c.promptsPerStep;
    for (let round = 0; ; round++) {
      const problems = Array.from({ length: need }, () => this.task.sample(this.rng));
      const groups = await this.rolloutGroups(problems, phase);
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

  /** Generates G completions per problem (the rollout phase), then scores them (the reward phase). */
  private async rolloutGroups(problems: Problem[], phase: RunPhase): Promise<Group[]> {
    const c = this.config;
    const G = c.groupSize;
    const n = problems.length * G;
    const prompts = problems.map((p) => encodePrompt(this.tokenizer, p.prompt));
    const gen = await phase('rollout', `Generating ${n} completions`, () =>
      generateGroups(this.engine, this.tokenizer, prompts, G, {
        temperature: c.temperature,
        topK: c.topK,
        maxNewTokens: c.maxNewTokens,
        seed: this.rng.int(0x7fffffff),
      }),
    );
    return phase('reward', `Scoring ${n} completions`, () => this.scoreGroups(problems, prompts, gen));
  }

  private scoreGroups(
    problems: Problem[],
    prompts: Int32Array[],
    gen: { completions: Int32Array[]; truncated: boolean[] },
  ): Group[] {
    const c = this.config;
    const G = c.groupSize;
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
      const bad = scored.rewards.find((r) => !Number.isFinite(r));
      if (bad !== undefined) throw this.diverged('reward', bad);
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
    const passProblems = problems.slice(0, evalPrompts(c, this.step_).sampled);
    // pass@k samples at the run's temperature (1 when the run is greedy), seeded by (seed, step) only
    const sampled = await generateGroups(this.engine, this.tokenizer, prompts.slice(0, passProblems.length), c.passN, {
      ...sampling,
      temperature: c.temperature > 0 ? c.temperature : 1,
      seed: hash32(c.seed ^ hash32(this.step_ + 0x5eed)),
    });
    const counts = passProblems.map((_, g) =>
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

/**
 * Rewards and lengths over every completion generated this step, dynamic sampling's dropped groups included.
 * reward_std and frac_reward_zero_std are TRL's: over the std each completion's advantage is scaled by —
 * its group's (scaleRewards group or none), or the whole batch's (batch).
 */
export function rolloutMetrics(all: Group[], scaleRewards: RunConfig['scaleRewards']): MetricValues {
  const rewards = all.flatMap((g) => g.rewards);
  const byBatch = scaleRewards === 'batch';
  const row: MetricValues = {
    reward: mean(rewards),
    reward_std: byBatch ? stdUnbiased(rewards) : mean(all.map((g) => stdUnbiased(g.rewards))),
    frac_reward_zero_std: byBatch
      ? hasRewardSignal(rewards)
        ? 0
        : 1
      : mean(all.map((g) => (hasRewardSignal(g.rewards) ? 0 : 1))),
  };
  for (const name of Object.keys(all[0].breakdown[0] ?? {})) {
    row[rewardComponentMetric(name)] = mean(all.flatMap((g) => g.breakdown.map((b) => b[name])));
  }
  const lengths = all.flatMap((g) => g.completions.map((x) => x.length)); // tokens, <eos> included (TRL)
  const truncated = all.flatMap((g) => g.truncated);
  const terminated = lengths.filter((_, i) => !truncated[i]);
  row['completions/mean_length'] = mean(lengths);
  row['completions/min_length'] = Math.min(...lengths);
  row['completions/max_length'] = Math.max(...lengths);
  row['completions/clipped_ratio'] = mean(truncated.map((t) => (t ? 1 : 0)));
  row['completions/mean_terminated_length'] = terminated.length > 0 ? mean(terminated) : 0;
  return row;
}

/** Each update metric's mean over the passes (summed in pass order). */
function meanOverPasses(passes: UpdateMetrics[]): UpdateMetrics {
  const means = {} as UpdateMetrics;
  for (const k of UPDATE_METRIC_NAMES) means[k] = passes.reduce((s, p) => s + p[k], 0) / passes.length;
  return means;
}
