// The training Web Worker: owns the run lifecycle (docs/ARCHITECTURE.md). It builds the engine
// (WebGPU when the browser offers an adapter, else the CPU engine), loads the base checkpoint, and
// drives the trainer through RunLoop, posting a report and a snapshot after every step and a status
// that says what the run is waiting for. Commands never wait for a step: Pause and Reset take effect
// at the next safe point inside the step in progress (Trainer.step's phases). When the GPU device is
// lost, the run is rebuilt from the last step's state on a new device (or the CPU) and goes on.

import { RunLoop, type RunLoopState } from '../../rl/loop';
import { DivergenceError, Trainer, type StepPhase, type TrainerState } from '../../rl/trainer';
import { RewardCodeError } from '../../rl/rewards/sandbox';
import type { RunConfig } from '../../rl/config';
import { nonFiniteTensor } from '../../models/checkpoint';
import { installCpuThreads } from './cpuThreads';
import { buildEngines, destroyDeviceForTest, probeBackend, type Engines } from './backend';
import type { BackendChoice } from './backendProbe';
import type { RunState, WorkerCommand, WorkerEvent } from './protocol';

const post = (e: WorkerEvent) => (self as unknown as Worker).postMessage(e);

/** The first non-finite tensor of a state (weights, moments, reference), or null when all are finite. */
function nonFiniteIn(s: TrainerState): string | null {
  return (
    nonFiniteTensor(s.weights) ??
    nonFiniteTensor(s.refWeights) ??
    nonFiniteTensor(
      new Map([
        ['optimizer.m', s.optimizer.m],
        ['optimizer.v', s.optimizer.v],
      ]),
    )
  );
}

/** How long a failed WebGPU step waits for `device.lost` before it counts as an engine error. */
const DEVICE_LOST_GRACE_MS = 1000;

/** One run in the worker: its trainer, engines and the RunLoop that drives it. */
class Run {
  stepsPerSec = 0; // exponential moving average over steps
  wantRunning = false; // Start was pressed and Pause was not
  phase: { step: number; phase: StepPhase; detail: string } | null = null; // of the step in progress
  deviceLost: string | null = null; // why, once the GPU device is gone
  private markLost!: () => void;
  /** Settles once the device is lost: a failed GPU read often arrives a moment before `device.lost`. */
  readonly lost = new Promise<void>((resolve) => (this.markLost = resolve));
  /** The state after the last completed step (kept in memory: a lost device rebuilds from it). */
  lastState: TrainerState | null = null;
  active: Promise<void> = Promise.resolve(); // the loop (or single step) in flight; settled when at rest
  loop: RunLoop;
  disposed = false;
  failedHard = false; // diverged or an engine error: the run is over (a new one starts)
  failing = false; // failed() is deciding what a step's error means (it rebuilds after a device loss)

  constructor(
    readonly id: string,
    public config: RunConfig,
    readonly trainer: Trainer,
    readonly engines: Engines,
  ) {
    this.loop = new RunLoop(
      trainer,
      {
        onReport: async (report) => {
          this.phase = null;
          const ms = report.metrics.step_time_ms ?? 0;
          if (ms > 0) this.stepsPerSec = this.stepsPerSec === 0 ? 1000 / ms : 0.8 * this.stepsPerSec + 200 / ms;
          post({ type: 'step', runId: this.id, report });
          await this.snapshot();
        },
        onFinal: async (row) => {
          post({ type: 'step', runId: this.id, report: { step: row.step, metrics: row, samples: [] } });
          await this.snapshot(); // with the final evaluation row
        },
        onPhase: (step, phase, detail) => {
          this.phase = { step, phase, detail };
          this.status();
        },
        onState: () => this.status(),
        onError: (e) => void this.failed(e),
      },
      config.steps,
    );
  }

  /** Keeps the state after the step (never a non-finite one) and posts it for IndexedDB. */
  async snapshot(): Promise<void> {
    const s = await this.trainer.saveState();
    const bad = nonFiniteIn(s);
    if (bad) throw new DivergenceError(s.step - 1, 'a weight', NaN, `${bad} is not finite; lower the learning rate`);
    this.lastState = s;
    if (run === this) post({ type: 'state', runId: this.id, state: s });
  }

  /** The lifecycle state and what it waits for, from the loop and the step in progress. */
  status(): void {
    if (run !== this) return;
    const s: RunLoopState = this.loop.state;
    const p = this.phase;
    let state: RunState;
    let detail: string | null = null;
    if (this.failedHard) state = 'error';
    else if (s === 'done') state = 'done';
    else if (s === 'running' && p) {
      state = p.phase === 'eval' ? 'evaluating' : 'running';
      detail = `step ${p.step}: ${p.detail}…`;
    } else if (s === 'running') state = 'running';
    else if (this.loop.busy && p) {
      state = 'pausing';
      // a step can stop before each phase, so one paused in its last phase (the update) completes
      const outcome = p.phase === 'update' ? 'the step completes' : 'the step is redone on Start';
      detail = `Pausing — finishing step ${p.step}'s ${p.phase} phase; ${outcome}`;
    } else state = 'paused';
    post({
      type: 'status',
      runId: this.id,
      state,
      detail,
      step: this.trainer.stepIndex,
      stepsPerSec: this.stepsPerSec,
    });
  }

  start(): void {
    if (this.wantRunning && this.loop.state === 'running') return;
    this.wantRunning = true;
    const settle = () => {
      if (this.loop.state !== 'running') this.wantRunning = false;
      if (!this.loop.busy) this.phase = null;
      this.status();
    };
    if (this.loop.busy) {
      // a pause that has not reached its safe point yet is withdrawn
      void this.loop.start();
      this.status();
      return;
    }
    this.active = this.loop.start().then(settle);
    this.status();
  }

  pause(): void {
    this.wantRunning = false;
    this.loop.pause();
    this.status();
  }

  singleStep(): void {
    if (this.loop.busy) return;
    this.active = this.loop.singleStep().then(() => {
      this.phase = null;
      this.status();
    });
  }

  /** Stops at the next safe point; the engines are freed once the step in progress has let go of them. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.wantRunning = false;
    this.loop.stop();
    void this.active
      .catch(() => undefined)
      .then(() => {
        this.trainer.dispose();
        this.engines.dispose();
      });
  }

  lostNow(): void {
    this.markLost();
  }

  async failed(e: unknown): Promise<void> {
    if (run !== this) return;
    const wanted = this.wantRunning; // the loop has already paused itself on the error
    this.wantRunning = false;
    this.failing = true;
    this.phase = null;
    const gpuFault = !(e instanceof DivergenceError) && !(e instanceof RewardCodeError);
    if (!this.deviceLost && this.engines.backend.kind === 'webgpu' && gpuFault) {
      await Promise.race([this.lost, new Promise((resolve) => setTimeout(resolve, DEVICE_LOST_GRACE_MS))]);
    }
    this.failing = false;
    if (this.deviceLost) return recover(this, wanted);
    if (e instanceof RewardCodeError) {
      const { message, line, prompt, completion } = e;
      post({ type: 'error', runId: this.id, error: { kind: 'reward-code', message, line, prompt, completion } });
      this.status(); // paused: the trainer changed nothing, the step is redone once the code is fixed
    } else if (e instanceof DivergenceError) {
      this.failedHard = true;
      post({ type: 'error', runId: this.id, error: { kind: 'diverged', message: e.message, step: e.step } });
      this.status();
    } else {
      this.failedHard = true;
      reportError(e);
    }
  }
}

let run: Run | null = null;
let pendingRunId = ''; // the run being built by `init` (for events before `run` exists)
let testHooks = false;
/** The Backend setting of the last init: a run rebuilt after a device loss keeps it. */
let backendChoice: BackendChoice = 'auto';

function reportError(e: unknown) {
  const runId = run?.id ?? pendingRunId;
  if (run) run.wantRunning = false;
  post({ type: 'error', runId, error: { kind: 'engine', message: e instanceof Error ? e.message : String(e) } });
  post({ type: 'status', runId, state: 'error', detail: null, step: run?.trainer.stepIndex ?? 0, stepsPerSec: 0 });
}

function loading(runId: string, detail: string | null, step = 0) {
  post({ type: 'status', runId, state: 'loading', detail, step, stepsPerSec: 0 });
}

/** Builds engines and a trainer (fresh, or from a state) for a run id; replaces the current run. */
async function build(
  runId: string,
  config: RunConfig,
  state?: TrainerState,
  choice: BackendChoice = 'auto',
): Promise<Run> {
  const engines = await buildEngines(
    config,
    {
      // WebGPU compiles every pipeline before the first step (gpu/warmup.ts): its own lifecycle state
      progress: (message) =>
        /^Compiling shaders \d/.test(message)
          ? post({ type: 'status', runId, state: 'compiling', detail: message, step: state?.step ?? 0, stepsPerSec: 0 })
          : post({ type: 'progress', runId, message }),
      notice: (message) => post({ type: 'notice', runId, message }),
      backend: (backend) => post({ type: 'backend', runId, backend }),
    },
    choice,
  );
  const trainer = state
    ? await Trainer.restore(state, engines.policy, engines.reference)
    : await Trainer.create(config, engines.policy, engines.reference, { userRewardCode: config.userRewardCode });
  const r = new Run(runId, trainer.config, trainer, engines);
  r.lastState = state ?? (await trainer.saveState());
  engines.onDeviceLost((why) => {
    r.deviceLost = why;
    r.lostNow();
    // a lost device fails the step in progress (failed() then rebuilds); at rest, rebuild at once
    if (run === r && !r.loop.busy && !r.failing) void recover(r, r.wantRunning || r.loop.state === 'running');
  });
  return r;
}

async function init(cmd: Extract<WorkerCommand, { type: 'init' }>) {
  run?.dispose();
  run = null;
  pendingRunId = cmd.runId;
  if (cmd.testHooks) testHooks = true;
  backendChoice = cmd.backend ?? 'auto';
  installCpuThreads(cmd.threads);
  loading(cmd.runId, null, cmd.resumeState?.step ?? 0);
  const r = await build(cmd.runId, cmd.resumeState?.config ?? cmd.config, cmd.resumeState, backendChoice);
  if (pendingRunId !== cmd.runId) {
    r.dispose(); // reset or another init arrived while this one was loading
    return;
  }
  run = r;
  r.status();
}

/**
 * The GPU device was lost: rebuild the engines from the last completed step's state (a new device,
 * or the CPU when no adapter comes back) and go on where the run was.
 */
/** Rebuilds a run whose device was lost from its last state; `wasRunning`: Start was in force, so go on. */
async function recover(lost: Run, wasRunning: boolean): Promise<void> {
  if (run !== lost) return;
  const state = lost.lastState!;
  run = null;
  pendingRunId = lost.id;
  lost.dispose();
  loading(
    lost.id,
    `The GPU device was lost (${lost.deviceLost}); rebuilding the engine from step ${state.step}…`,
    state.step,
  );
  try {
    const r = await build(lost.id, state.config, state, backendChoice);
    if (pendingRunId !== lost.id) return r.dispose();
    run = r;
    post({
      type: 'notice',
      runId: r.id,
      message:
        `The GPU device was lost (${lost.deviceLost}). The run was rebuilt from step ${state.step} on ` +
        `${r.engines.backend.kind === 'webgpu' ? 'a new WebGPU device' : 'the CPU'}; only the step in progress was redone.`,
    });
    if (wasRunning) r.start();
    else r.status();
  } catch (e) {
    reportError(e);
  }
}

async function handle(cmd: WorkerCommand) {
  try {
    switch (cmd.type) {
      case 'probe':
        post({ type: 'backend', runId: '', backend: await probeBackend() });
        break;
      case 'init':
        await init(cmd);
        break;
      case 'start':
        if (run && run.loop.state === 'done')
          run.status(); // nothing left: say so instead of "running"
        else run?.start();
        break;
      case 'pause':
        run?.pause();
        break;
      case 'step':
        run?.singleStep();
        break;
      case 'reset': {
        const r = run;
        run = null;
        pendingRunId = '';
        r?.dispose(); // never waits for the step in progress: it stops at its next safe point
        post({ type: 'status', runId: r?.id ?? '', state: 'idle', detail: null, step: 0, stepsPerSec: 0 });
        break;
      }
      case 'setConfig':
        // Only the step budget and (after it failed) the reward code change on a live run.
        if (run && !run.loop.busy) {
          run.config = { ...run.config, steps: cmd.config.steps };
          run.loop.setTotalSteps(cmd.config.steps);
          await run.trainer.replaceRewardCode(cmd.config.userRewardCode);
          run.status();
        }
        break;
      case 'test':
        if (!testHooks) break;
        if (cmd.action === 'destroy-device') await destroyDeviceForTest();
        else if (cmd.action === 'poison-gradients' && run) {
          // Every later gradient is NaN, whichever path the update takes: per call, or on the device.
          const policy = run.engines.policy;
          const backward = policy.backward.bind(policy);
          policy.backward = (dLogprobs, dEntropy) =>
            backward(
              dLogprobs.map(() => NaN),
              dEntropy,
            );
          const rl = policy.deviceRl;
          if (rl) {
            const update = rl.update.bind(rl);
            rl.update = (req) => update({ ...req, params: { ...req.params, entropyCoef: NaN } });
          }
        }
        break;
    }
  } catch (err) {
    reportError(err);
  }
}

// Commands run in order (a `step` sent right after `init` waits for the engine). A running loop is
// never awaited here, so `pause` and `reset` are handled while a step runs.
let queue = Promise.resolve();
self.onmessage = (e: MessageEvent<WorkerCommand>) => {
  queue = queue.then(() => handle(e.data));
};
