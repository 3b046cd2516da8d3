// The training Web Worker: builds the engine (WebGPU when the browser offers an adapter, else the
// CPU engine), loads the base checkpoint, and drives the trainer step by step, posting a report
// after each step. Every command is handled between steps, so Pause and Step answer at once.

import { Trainer } from '../../rl/trainer';
import { RewardCodeError } from '../../rl/rewards/sandbox';
import { buildEngines, probeBackend, type Engines } from './backend';
import type { RunState, WorkerCommand, WorkerEvent } from './protocol';
import type { RunConfig } from '../../rl/config';

/** A resume snapshot every this many steps (and on pause). */
const SNAPSHOT_EVERY = 10;

const post = (e: WorkerEvent) => (self as unknown as Worker).postMessage(e);

interface Run {
  id: string;
  config: RunConfig;
  trainer: Trainer;
  engines: Engines;
  stepsPerSec: number; // exponential moving average
}

let run: Run | null = null;
let running = false; // the loop keeps stepping while true
let looping = false; // a step loop is in flight
let pendingRunId = ''; // the run being built by `init` (for events before `run` exists)
let singleStepQueued = false; // `step` while paused: the loop takes exactly one step

function status(state: RunState) {
  const id = run?.id ?? pendingRunId;
  post({ type: 'status', runId: id, state, step: run?.trainer.stepIndex ?? 0, stepsPerSec: run?.stepsPerSec ?? 0 });
}

function reportError(e: unknown) {
  const id = run?.id ?? pendingRunId;
  running = false;
  if (e instanceof RewardCodeError) {
    post({
      type: 'error',
      runId: id,
      error: { kind: 'reward-code', message: e.message, line: e.line, prompt: e.prompt, completion: e.completion },
    });
    status('paused'); // nothing changed: the run can continue once the code is fixed
  } else {
    post({ type: 'error', runId: id, error: { kind: 'engine', message: e instanceof Error ? e.message : String(e) } });
    status('error');
  }
}

async function init(cmd: Extract<WorkerCommand, { type: 'init' }>) {
  dispose();
  pendingRunId = cmd.runId;
  status('loading');
  const engines = await buildEngines(cmd.resumeState?.config ?? cmd.config, {
    progress: (message) => post({ type: 'progress', runId: cmd.runId, message }),
    notice: (message) => post({ type: 'notice', runId: cmd.runId, message }),
    backend: (backend) => post({ type: 'backend', runId: cmd.runId, backend }),
  });
  const trainer = cmd.resumeState
    ? await Trainer.restore(cmd.resumeState, engines.policy, engines.reference)
    : await Trainer.create(cmd.config, engines.policy, engines.reference, {
        userRewardCode: cmd.config.userRewardCode,
      });
  run = { id: cmd.runId, config: cmd.config, trainer, engines, stepsPerSec: 0 };
  status('paused');
}

/** One trainer step with its report; the first WebGPU step compiles the pipelines, so say so. */
async function oneStep(r: Run) {
  if (r.trainer.stepIndex === 0 && r.engines.backend.kind === 'webgpu') {
    post({ type: 'progress', runId: r.id, message: 'Compiling shaders…' });
    status('compiling');
  }
  const t0 = performance.now();
  const report = await r.trainer.step();
  const sps = 1000 / Math.max(1, performance.now() - t0);
  r.stepsPerSec = r.stepsPerSec === 0 ? sps : 0.8 * r.stepsPerSec + 0.2 * sps;
  post({ type: 'step', runId: r.id, report });
  if (r.trainer.stepIndex % SNAPSHOT_EVERY === 0)
    post({ type: 'state', runId: r.id, state: await r.trainer.saveState() });
}

const done = (r: Run) => r.trainer.stepIndex >= r.config.steps;

async function loop() {
  if (looping) return;
  looping = true;
  try {
    while (run && (running || singleStepQueued)) {
      const r = run;
      if (done(r)) {
        running = false;
        // Step rows evaluate before their update; measure the final weights too.
        const rowsBefore = r.trainer.metrics.length;
        const last = await r.trainer.finalEvaluation();
        if (r.trainer.metrics.length > rowsBefore) {
          post({ type: 'step', runId: r.id, report: { step: last.step, metrics: last, samples: [] } });
        }
        status('done');
        post({ type: 'state', runId: r.id, state: await r.trainer.saveState() });
        break;
      }
      singleStepQueued = false;
      status(running ? 'running' : 'paused');
      await oneStep(r);
      if (run !== r) break; // reset or re-init during the step
      status(running ? 'running' : 'paused');
      // Let queued commands (pause, step) in before the next step.
      await new Promise((res) => setTimeout(res, 0));
    }
  } catch (e) {
    reportError(e);
  } finally {
    looping = false;
  }
}
function dispose() {
  running = false;
  singleStepQueued = false;
  run?.trainer.dispose();
  run?.engines.dispose();
  run = null;
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
        running = true;
        void loop();
        break;
      case 'pause':
        running = false;
        if (run) {
          status('paused');
          if (!looping) post({ type: 'state', runId: run.id, state: await run.trainer.saveState() });
        }
        break;
      case 'step':
        if (!running) {
          singleStepQueued = true;
          void loop();
        }
        break;
      case 'reset':
        dispose();
        status('idle');
        break;
      case 'setConfig':
        // Only the step budget can change on a live run (the store starts a new run for anything else).
        if (run) run.config = { ...run.config, steps: cmd.config.steps };
        break;
    }
  } catch (err) {
    reportError(err);
  }
}

// Commands run in order (a `step` sent right after `init` waits for the engine); the step loop
// itself is not awaited here, so `pause` is handled between two steps.
let queue = Promise.resolve();
self.onmessage = (e: MessageEvent<WorkerCommand>) => {
  queue = queue.then(() => handle(e.data));
};
