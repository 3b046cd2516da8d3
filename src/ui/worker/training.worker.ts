// The training Web Worker: builds the engine (WebGPU when the browser offers an adapter, else the
// CPU engine), loads the base checkpoint, and drives the trainer through RunLoop, posting a report
// after every step. Commands are handled between steps, so Pause and Step answer at once and the
// page never waits on training.

import { RunLoop, type RunLoopState } from '../../rl/loop';
import { Trainer } from '../../rl/trainer';
import { RewardCodeError } from '../../rl/rewards/sandbox';
import type { RunConfig } from '../../rl/config';
import { buildEngines, probeBackend, type Engines } from './backend';
import type { RunState, WorkerCommand, WorkerEvent } from './protocol';

/**
 * A resume snapshot every this many steps, taken with the loop at rest so weights, optimizer
 * moments and RNG belong to the same step (and on pause, done and error).
 */
const SNAPSHOT_EVERY = 10;

const post = (e: WorkerEvent) => (self as unknown as Worker).postMessage(e);

/** One run in the worker: its trainer, engines and the RunLoop that drives it. */
class Run {
  stepsPerSec = 0; // exponential moving average over steps
  wantRunning = false; // Start was pressed and Pause was not
  snapshotPause = false; // the loop paused itself to take a snapshot, not because of Pause
  compiling = false; // the first WebGPU step is compiling pipelines
  active: Promise<void> = Promise.resolve(); // the loop (or single step) in flight; settled when at rest
  loop: RunLoop;

  constructor(
    readonly id: string,
    public config: RunConfig,
    readonly trainer: Trainer,
    readonly engines: Engines,
  ) {
    this.loop = this.makeLoop();
  }

  /** A loop up to the current step budget (a new one after the budget changes). */
  makeLoop(): RunLoop {
    return new RunLoop(
      this.trainer,
      {
        onReport: (report) => {
          this.compiling = false;
          const ms = report.metrics.step_time_ms ?? 0;
          if (ms > 0) this.stepsPerSec = this.stepsPerSec === 0 ? 1000 / ms : 0.8 * this.stepsPerSec + 200 / ms;
          post({ type: 'step', runId: this.id, report });
          status(this.wantRunning ? 'running' : 'paused');
          if (this.wantRunning && this.trainer.stepIndex % SNAPSHOT_EVERY === 0) {
            this.snapshotPause = true;
            this.loop.pause();
          }
        },
        onFinal: (row) => post({ type: 'step', runId: this.id, report: { step: row.step, metrics: row, samples: [] } }),
        onState: (s) => {
          if (run !== this || (s === 'paused' && this.snapshotPause)) return;
          status(s === 'running' && this.compiling ? 'compiling' : STATE_OF[s]);
        },
        onError: reportError,
      },
      this.config.steps,
    );
  }
}

let run: Run | null = null;
let pendingRunId = ''; // the run being built by `init` (for events before `run` exists)

function status(state: RunState) {
  post({
    type: 'status',
    runId: run?.id ?? pendingRunId,
    state,
    step: run?.trainer.stepIndex ?? 0,
    stepsPerSec: run?.stepsPerSec ?? 0,
  });
}

function reportError(e: unknown) {
  const runId = run?.id ?? pendingRunId;
  if (run) run.wantRunning = false;
  if (e instanceof RewardCodeError) {
    const { message, line, prompt, completion } = e;
    post({ type: 'error', runId, error: { kind: 'reward-code', message, line, prompt, completion } });
    status('paused'); // the trainer changed nothing: the run can go on once the code is fixed
  } else {
    post({ type: 'error', runId, error: { kind: 'engine', message: e instanceof Error ? e.message : String(e) } });
    status('error');
  }
}

const STATE_OF: Record<RunLoopState, RunState> = {
  idle: 'paused',
  running: 'running',
  paused: 'paused',
  stopped: 'idle',
  done: 'done',
};

async function snapshot(r: Run) {
  if (run === r) post({ type: 'state', runId: r.id, state: await r.trainer.saveState() });
}

/** The first WebGPU step compiles the pipelines (seconds on some machines): say so instead of looking frozen. */
function announceCompile(r: Run) {
  if (r.trainer.stepIndex === 0 && r.engines.backend.kind === 'webgpu') {
    r.compiling = true;
    post({ type: 'progress', runId: r.id, message: 'Compiling shaders (first step)…' });
    status('compiling');
  }
}

/** Runs until Pause, done or an error, resting briefly every SNAPSHOT_EVERY steps for a snapshot. */
async function runUntilRest(r: Run) {
  for (;;) {
    r.snapshotPause = false;
    await r.loop.start();
    if (run !== r) return;
    await snapshot(r);
    if (!r.snapshotPause || !r.wantRunning) return;
  }
}

async function init(cmd: Extract<WorkerCommand, { type: 'init' }>) {
  await dispose();
  pendingRunId = cmd.runId;
  status('loading');
  const config = cmd.resumeState?.config ?? cmd.config;
  const engines = await buildEngines(
    config,
    {
      progress: (message) => post({ type: 'progress', runId: cmd.runId, message }),
      notice: (message) => post({ type: 'notice', runId: cmd.runId, message }),
      backend: (backend) => post({ type: 'backend', runId: cmd.runId, backend }),
    },
    cmd.backend,
  );
  const trainer = cmd.resumeState
    ? await Trainer.restore(cmd.resumeState, engines.policy, engines.reference)
    : await Trainer.create(config, engines.policy, engines.reference, { userRewardCode: config.userRewardCode });
  run = new Run(cmd.runId, config, trainer, engines);
  status('paused');
}

async function dispose() {
  const r = run;
  if (!r) return;
  r.wantRunning = false;
  r.loop.stop();
  run = null;
  await r.active.catch(() => undefined); // never free engines under a running step
  r.trainer.dispose();
  r.engines.dispose();
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
        if (run && !run.wantRunning) {
          const r = run;
          r.wantRunning = true;
          announceCompile(r);
          r.active = runUntilRest(r).catch(reportError);
        }
        break;
      case 'pause':
        if (run) {
          run.wantRunning = false;
          run.loop.pause();
        }
        break;
      case 'step':
        if (run && !run.wantRunning) {
          const r = run;
          await r.active;
          announceCompile(r);
          r.active = r.loop
            .singleStep()
            .then(() => snapshot(r))
            .catch(reportError);
          await r.active;
          if (run === r && r.loop.state !== 'done') status('paused');
        }
        break;
      case 'reset':
        await dispose();
        status('idle');
        break;
      case 'setConfig':
        // Only the step budget changes on a live run (the page starts a new run for anything else).
        if (run && !run.wantRunning) {
          await run.active;
          run.config = { ...run.config, steps: cmd.config.steps };
          run.loop = run.makeLoop();
        }
        break;
    }
  } catch (err) {
    reportError(err);
  }
}

// Commands run in order (a `step` sent right after `init` waits for the engine). A running loop is
// not awaited here, so `pause` is handled between two steps.
let queue = Promise.resolve();
self.onmessage = (e: MessageEvent<WorkerCommand>) => {
  queue = queue.then(() => handle(e.data));
};
