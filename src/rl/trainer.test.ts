// The trainer on the CPU engine at tiny size: determinism, exact save/restore, metric semantics,
// reward errors that change nothing, dynamic sampling, and the run loop's controls.
import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../models/cpu/engine';
import { computeAdvantages } from './advantages';
import { parseRunConfig, type RunConfig } from './config';
import { RunLoop, type RunLoopState } from './loop';
import { METRIC_NAMES, TIMING_PHASES, timingMetric, type MetricsRow } from './metrics';
import { RewardCodeError } from './rewards/sandbox';
import { getTask } from './tasks';
import {
  DivergenceError,
  gptConfigFor,
  rolloutMetrics,
  StepStopped,
  taskTokenizer,
  Trainer,
  type StepPhase,
  type StepReport,
} from './trainer';

const tiny = (o: Partial<RunConfig> = {}): RunConfig =>
  parseRunConfig({
    task: 'add',
    model: 'tiny',
    init: 'scratch',
    seed: 3,
    steps: 4,
    promptsPerStep: 3,
    groupSize: 4,
    maxNewTokens: 5,
    lr: 3e-3,
    evalEvery: 2,
    evalPrompts: 4,
    passN: 3,
    passK: 2,
    ...o,
  });

function engines(config: RunConfig) {
  const gpt = gptConfigFor(config, taskTokenizer(getTask(config.task)).size);
  return { engine: new CpuEngine(gpt, { seed: config.seed }), ref: new CpuEngine(gpt, { seed: 999 }) };
}

async function newTrainer(config: RunConfig, opts?: { userRewardCode?: string }) {
  const { engine, ref } = engines(config);
  return { trainer: await Trainer.create(config, engine, ref, opts), engine, ref };
}

const TIMING = new Set(['step_time_ms', 'tokens_per_s', ...TIMING_PHASES.map(timingMetric)]);
const withoutTiming = (rows: MetricsRow[]) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !TIMING.has(k))));

async function run(trainer: Trainer, n: number): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  for (let i = 0; i < n; i++) reports.push(await trainer.step());
  return reports;
}

describe('Trainer on the CPU engine', () => {
  it('is deterministic for a seed: two 3-step runs give identical metrics and weights', async () => {
    const a = await newTrainer(tiny());
    const b = await newTrainer(tiny());
    await run(a.trainer, 3);
    await run(b.trainer, 3);
    expect(withoutTiming(a.trainer.metrics)).toEqual(withoutTiming(b.trainer.metrics));
    expect(await a.engine.getWeights()).toEqual(await b.engine.getWeights());
    // and the seed matters
    const c = await newTrainer(tiny({ seed: 4 }));
    await run(c.trainer, 1);
    expect(
      c.trainer.metrics[0].reward === a.trainer.metrics[0].reward &&
        c.trainer.metrics[0].entropy === a.trainer.metrics[0].entropy,
    ).toBe(false);
  });

  it('save after 2 steps and restore into fresh engines continues exactly like 4 straight steps', async () => {
    const config = tiny({ miniBatches: 2, ppoEpochs: 2, policyLoss: 'clip-cov', clipCovLb: -10, clipCovUb: 10 });
    const straight = await newTrainer(config);
    await run(straight.trainer, 4);

    const first = await newTrainer(config);
    await run(first.trainer, 2);
    const state = structuredClone(await first.trainer.saveState());
    const fresh = engines(config);
    const resumed = await Trainer.restore(state, fresh.engine, fresh.ref);
    expect(resumed.stepIndex).toBe(2);
    await run(resumed, 2);

    expect(withoutTiming(resumed.metrics)).toEqual(withoutTiming(straight.trainer.metrics));
    expect(await fresh.engine.getWeights()).toEqual(await straight.engine.getWeights());
    expect((await fresh.engine.getOptimizerState()).t).toBe((await straight.engine.getOptimizerState()).t);
  });

  it('logs every metric name; accuracy and pass@k only on eval steps (0, evalEvery, …), before the update', async () => {
    const { trainer } = await newTrainer(tiny());
    const reports = await run(trainer, 3);
    const evalOnly = new Set(['accuracy', 'pass@k']);
    for (const name of METRIC_NAMES) {
      if (name === 'entropy_delta') continue; // needs a previous step
      expect(reports[1].metrics[name], name).toBeTypeOf(evalOnly.has(name) ? 'undefined' : 'number');
      expect(Number.isFinite(reports[0].metrics[name]), name).toBe(true);
    }
    // every phase is timed (eval only on eval steps), and the phases lie within the step's time
    let phases = 0;
    for (const phase of TIMING_PHASES) {
      const [t0, t1] = [reports[0].metrics[timingMetric(phase)], reports[1].metrics[timingMetric(phase)]];
      expect(t0, phase).toBeGreaterThanOrEqual(0);
      phases += t0!;
      if (phase === 'eval') expect(t1).toBeUndefined();
      else expect(t1, phase).toBeGreaterThanOrEqual(0);
    }
    expect(phases).toBeLessThanOrEqual(reports[0].metrics.step_time_ms!);
    expect(reports[0].metrics.entropy_delta).toBeUndefined();
    expect(reports[1].metrics.entropy_delta).toBeCloseTo(reports[1].metrics.entropy! - reports[0].metrics.entropy!, 12);
    expect(reports[2].metrics.accuracy).toBeTypeOf('number'); // evalEvery = 2
    expect(reports[0].metrics['rewards/correctness/mean']).toBeTypeOf('number');
    // step 0's accuracy is the starting policy's: evaluate() on a fresh trainer agrees
    const again = await newTrainer(tiny());
    expect((await again.trainer.evaluate()).accuracy).toBe(reports[0].metrics.accuracy);
  });

  it('metrics say what their names say: entropy, length, reward and advantages from the samples', async () => {
    const config = tiny({ reward: [{ component: 'random', weight: 1, params: { p: 0.5 } }], promptsPerStep: 4 });
    const { trainer } = await newTrainer(config);
    const [r] = await run(trainer, 1);
    const s = r.samples;
    expect(s.length).toBe(4 * 4);
    const tokens = s.flatMap((x) => x.tokenEntropy);
    expect(r.metrics.entropy).toBeCloseTo(tokens.reduce((a, b) => a + b, 0) / tokens.length, 5);
    expect(r.metrics['completions/mean_length']).toBeCloseTo(s.reduce((a, x) => a + x.tokens.length, 0) / s.length, 12);
    expect(r.metrics['completions/max_length']).toBe(Math.max(...s.map((x) => x.tokens.length)));
    expect(r.metrics['completions/clipped_ratio']).toBeCloseTo(s.filter((x) => x.truncated).length / s.length, 12);
    expect(r.metrics.reward).toBeCloseTo(s.reduce((a, x) => a + x.reward, 0) / s.length, 12);
    const adv = computeAdvantages(
      s.map((x) => x.reward),
      4,
      config,
    );
    s.forEach((x, i) => expect(x.advantage).toBeCloseTo(adv[i], 12));
    for (const x of s) {
      expect(x.tokenEntropy.length).toBe(x.tokens.length);
      expect(x.tokenLogprob.every((l) => l <= 0)).toBe(true);
      expect(x.truncated).toBe(x.tokens.length === 5 && x.tokens[4] !== taskTokenizer(getTask('add')).eosId);
    }
    // a fresh policy is near uniform: entropy close to ln V
    expect(r.metrics.entropy!).toBeGreaterThan(0.8 * Math.log(taskTokenizer(getTask('add')).size));
    // μ=1, one minibatch: ρ = 1 everywhere, so nothing is clipped and KL to the (identical) reference is 0
    expect(r.metrics['clip_ratio/region_mean']).toBe(0);
    expect(r.metrics.kl).toBe(0);
  });

  it('dynamic sampling keeps only groups whose rewards differ', async () => {
    const config = tiny({
      reward: [{ component: 'random', weight: 1, params: { p: 0.5 } }],
      groupSize: 2,
      promptsPerStep: 4,
      dynamicSampling: true,
      dynamicSamplingMaxRefills: 8,
    });
    const { trainer } = await newTrainer(config);
    const [r] = await run(trainer, 1);
    const groups = new Map<number, number[]>();
    for (const x of r.samples) groups.set(x.groupIndex, [...(groups.get(x.groupIndex) ?? []), x.reward]);
    expect(groups.size).toBe(4);
    for (const rewards of groups.values()) expect(new Set(rewards).size).toBe(2);
    // frac_reward_zero_std counts every group generated, refills included: with p=0.5, G=2 about half are equal
    expect(r.metrics.frac_reward_zero_std!).toBeGreaterThan(0);
  });

  it('a throwing user reward surfaces as RewardCodeError and changes nothing', async () => {
    const config = tiny({
      reward: [{ component: 'user-code', weight: 1, params: {} }],
      userRewardCode: 'function reward() { throw new Error("boom"); }',
    });
    const { trainer, engine } = await newTrainer(config);
    const before = await trainer.saveState();
    await expect(trainer.step()).rejects.toBeInstanceOf(RewardCodeError);
    const after = await trainer.saveState();
    expect(trainer.stepIndex).toBe(0);
    expect(after.rng).toEqual(before.rng);
    expect(after.metrics).toEqual([]);
    expect(await engine.getWeights()).toEqual(before.weights);
    trainer.dispose();
  });
});

describe('RunLoop', () => {
  it('runs to the last step, then reports the final evaluation once and is done', async () => {
    const { trainer } = await newTrainer(tiny({ steps: 2 }));
    const steps: number[] = [];
    const states: RunLoopState[] = [];
    let final: MetricsRow | null = null;
    const loop = new RunLoop(trainer, {
      onReport: (r) => steps.push(r.step),
      onFinal: (row) => (final = row),
      onState: (s) => states.push(s),
    });
    await loop.start();
    expect(steps).toEqual([0, 1]);
    expect(final!.step).toBe(2);
    expect(final!.accuracy).toBeTypeOf('number');
    expect(trainer.metrics.map((r) => r.step)).toEqual([0, 1, 2]);
    expect(states).toEqual(['running', 'done']);
    expect(await loop.singleStep()).toBeNull();
  });

  it('start right after pause, while the step is still running, keeps the loop running to the end', async () => {
    const { trainer } = await newTrainer(tiny({ steps: 3 }));
    let pausedOnce = false;
    const loop = new RunLoop(trainer, {
      onReport: () => {
        if (pausedOnce) return;
        pausedOnce = true;
        loop.pause();
        void loop.start(); // the user presses Start before the paused loop has come to rest
      },
    });
    await loop.start();
    expect(trainer.stepIndex).toBe(3);
    expect(loop.state).toBe('done');
  });

  it('pause stops between steps; singleStep takes exactly one; resume continues', async () => {
    const { trainer } = await newTrainer(tiny({ steps: 3 }));
    const loop: RunLoop = new RunLoop(trainer, { onReport: () => loop.pause() });
    await loop.start();
    expect(trainer.stepIndex).toBe(1);
    expect(loop.state).toBe('paused');
    const r = await loop.singleStep();
    expect(r!.step).toBe(1);
    expect(loop.state).toBe('paused');
    const l2 = new RunLoop(trainer, { onReport: () => undefined });
    await l2.resume();
    expect(trainer.stepIndex).toBe(3);
    expect(l2.state).toBe('done');
  });
});

describe('rolloutMetrics: reward_std and frac_reward_zero_std as TRL logs them', () => {
  // two groups of 2: one with signal (1, 0), one without (0, 0)
  const group = (rewards: number[]) =>
    ({
      rewards,
      breakdown: rewards.map((r) => ({ correctness: r })),
      completions: rewards.map(() => new Int32Array(3)),
      truncated: rewards.map(() => false),
    }) as unknown as Parameters<typeof rolloutMetrics>[0][number];
  const all = [group([1, 0]), group([0, 0])];

  it('scaleRewards group/none: mean of the group stds (√0.5 and 0 → 0.3536), half the groups without signal', () => {
    for (const s of ['group', 'none'] as const) {
      const m = rolloutMetrics(all, s);
      expect(m.reward_std).toBeCloseTo(Math.sqrt(0.5) / 2, 6);
      expect(m.frac_reward_zero_std).toBe(0.5);
    }
  });

  it('scaleRewards batch: the batch std (of 1,0,0,0: 0.5), and zero-std only when the whole batch agrees', () => {
    const m = rolloutMetrics(all, 'batch');
    expect(m.reward_std).toBeCloseTo(0.5, 6);
    expect(m.frac_reward_zero_std).toBe(0);
    expect(rolloutMetrics([group([0, 0]), group([0, 0])], 'batch').frac_reward_zero_std).toBe(1);
  });
});

describe('Step hooks: phases and safe points', () => {
  const PHASES: StepPhase[] = ['eval', 'rollout', 'reward', 'reference', 'update'];

  it('reports the phases of an eval step in order, each with what it works on', async () => {
    const { trainer } = await newTrainer(tiny());
    const seen: [StepPhase, string][] = [];
    await trainer.step({ onPhase: (p, d) => seen.push([p, d]) });
    expect(seen).toEqual([
      ['eval', 'Evaluating 4 held-out prompts'],
      ['rollout', 'Generating 12 completions'],
      ['reward', 'Scoring 12 completions'],
      ['reference', 'Log-probs of 12 completions'],
      ['update', '1 AdamW update'],
    ]);
  });

  it.each(PHASES.map((p, i) => [p, i] as const))(
    'stopping before %s leaves saveState identical, and the redone step equals an uninterrupted one',
    async (phase, index) => {
      const config = tiny({ miniBatches: 2 });
      const a = await newTrainer(config);
      await a.trainer.step(); // step 1 is not an eval step: use step 2 (eval) so every phase is there
      await a.trainer.step();
      const before = await a.trainer.saveState();
      let asked = 0;
      const err = await a.trainer.step({ shouldStop: () => asked++ === index }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StepStopped);
      expect((err as StepStopped).phase).toBe(phase);
      expect((err as StepStopped).step).toBe(2);
      const after = await a.trainer.saveState();
      expect(after).toEqual(before);
      await a.trainer.step();

      const b = await newTrainer(config);
      await run(b.trainer, 3);
      expect(withoutTiming(a.trainer.metrics)).toEqual(withoutTiming(b.trainer.metrics));
      expect(await a.engine.getWeights()).toEqual(await b.engine.getWeights());
    },
  );

  it('RunLoop.pause during a phase stops the step at the next safe point: no row lands, resume redoes it', async () => {
    const { trainer } = await newTrainer(tiny({ steps: 3 }));
    const phases: string[] = [];
    const reports: number[] = [];
    const loop: RunLoop = new RunLoop(trainer, {
      onReport: (r) => reports.push(r.step),
      onPhase: (step, phase) => {
        phases.push(`${step}:${phase}`);
        if (step === 1 && phase === 'rollout' && reports.length === 1) loop.pause();
      },
    });
    await loop.start();
    expect(loop.state).toBe('paused');
    expect(reports).toEqual([0]);
    expect(trainer.stepIndex).toBe(1);
    expect(phases.slice(-1)).toEqual(['1:rollout']); // reward, reference, update never began
    reports.push(-1); // the resumed loop must not pause again
    await loop.start();
    expect(reports).toEqual([0, -1, 1, 2]);
    expect(loop.state).toBe('done');
  });

  it('a finished loop given more steps goes on to the new last step without a duplicate row', async () => {
    const { trainer } = await newTrainer(tiny({ steps: 2 }));
    const loop = new RunLoop(trainer, { onReport: () => undefined });
    await loop.start();
    expect([loop.state, trainer.stepIndex]).toEqual(['done', 2]);
    loop.setTotalSteps(4);
    expect(loop.state).toBe('paused');
    await loop.start();
    expect([loop.state, trainer.stepIndex]).toEqual(['done', 4]);
    expect(trainer.metrics.map((r) => r.step)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('Divergence guard on the CPU engine', () => {
  it('a NaN gradient stops the step before the update: DivergenceError names it, weights and state unchanged', async () => {
    const { trainer, engine } = await newTrainer(tiny());
    await trainer.step();
    const before = await trainer.saveState();
    const backward = engine.backward.bind(engine);
    engine.backward = (dLogprobs, dEntropy) =>
      backward(
        dLogprobs.map(() => NaN),
        dEntropy,
      );
    const err = await trainer.step().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    const d = err as DivergenceError;
    expect([d.step, d.quantity, Number.isNaN(d.value)]).toEqual([1, 'gradient norm', true]);
    expect(d.message).toMatch(/^diverged at step 1: gradient norm is NaN — lower the learning rate/);
    expect(await trainer.saveState()).toEqual(before);
    for (const w of (await engine.getWeights()).values()) expect(w.every(Number.isFinite)).toBe(true);
  });

  it('a non-finite policy loss is caught before backward, and the loop pauses with the error', async () => {
    const { trainer, engine } = await newTrainer(tiny({ steps: 3 }));
    const forward = engine.forward.bind(engine);
    let poison = false;
    engine.forward = async (batch) => {
      const out = await forward(batch);
      return poison ? { ...out, logprobs: out.logprobs.map(() => Infinity) } : out;
    };
    let backwards = 0;
    const backward = engine.backward.bind(engine);
    engine.backward = (a, b) => {
      backwards++;
      return backward(a, b);
    };
    const errors: unknown[] = [];
    const loop: RunLoop = new RunLoop(trainer, {
      onReport: () => (poison = true),
      onError: (e) => errors.push(e),
    });
    await loop.start();
    expect(loop.state).toBe('paused');
    expect(trainer.stepIndex).toBe(1);
    expect(backwards).toBe(1); // step 0 only
    expect(errors).toHaveLength(1);
    expect((errors[0] as DivergenceError).quantity).toBe('policy loss');
  });
});
