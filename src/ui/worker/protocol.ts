// The typed message protocol between the page and the training Web Worker: the page sends
// commands, the worker answers with events. Everything here is structured-clone friendly.

import type { RunConfig } from '../../rl/config';
import type { StepReport, TrainerState } from '../../rl/trainer';
import type { BackendChoice } from './backendProbe';

export type WorkerCommand =
  /** Find the backend (WebGPU adapter or why not) before any run, for the status bar. */
  | { type: 'probe' }
  /**
   * `backend`: Auto measures both engines and takes the faster (src/ui/worker/backendProbe.ts).
   * `testHooks` lets the e2e tests send `test` commands (set only by a test's init script).
   */
  | {
      type: 'init';
      config: RunConfig;
      runId: string;
      resumeState?: TrainerState;
      backend?: BackendChoice;
      testHooks?: boolean;
      /** Threads for the CPU engine (default every core; a group's seeds, one worker each, take 1). */
      threads?: number;
    }
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'reset' }
  /** Hot-swaps the config of the live run (the trainer reads it from the next step on). */
  | { type: 'setConfig'; config: RunConfig }
  /** Faults for the e2e tests: destroy the GPU device, or make every gradient NaN from now on. */
  | { type: 'test'; action: 'destroy-device' | 'poison-gradients' };

/** Which engine the worker built, and why when it is the CPU fallback. */
export type BackendInfo = ({ kind: 'webgpu'; name: string } | { kind: 'cpu'; name: string; reason?: string }) & {
  /** How the backend was chosen: the probe's figures, or the person's choice. */
  choice?: string;
};

/**
 * The run lifecycle: idle → loading → compiling (first WebGPU step) → evaluating (eval phase) ⇄
 * running → pausing (until the step in progress reaches a safe point) → paused, and done or error.
 */
export type RunState =
  'idle' | 'loading' | 'compiling' | 'evaluating' | 'running' | 'pausing' | 'paused' | 'done' | 'error';

/** A reward function written by the user threw or timed out; the step did not happen. */
export interface RewardCodeErrorInfo {
  kind: 'reward-code';
  message: string;
  line: number | null;
  prompt: string;
  completion: string;
}
export interface EngineErrorInfo {
  kind: 'engine';
  message: string;
}
/** A non-finite reward, loss, gradient norm or weight stopped the run before that update (DivergenceError). */
export interface DivergedErrorInfo {
  kind: 'diverged';
  message: string;
  step: number;
}
export type RunError = RewardCodeErrorInfo | EngineErrorInfo | DivergedErrorInfo;

export type WorkerEvent =
  /** `detail`: what the state waits for ("step 3: Generating 8 completions…"), null when nothing. */
  | { type: 'status'; runId: string; state: RunState; detail?: string | null; step: number; stepsPerSec: number }
  | { type: 'backend'; runId: string; backend: BackendInfo }
  /** Slow one-off work before the first step: fetching the base checkpoint, compiling shaders. */
  | { type: 'progress'; runId: string; message: string }
  /** Something the person should know that does not stop the run (e.g. no base checkpoint for this size). */
  | { type: 'notice'; runId: string; message: string }
  | { type: 'step'; runId: string; report: StepReport }
  | { type: 'error'; runId: string; error: RunError }
  /** A snapshot to resume from after a reload (sent after every step; never a non-finite one). */
  | { type: 'state'; runId: string; state: TrainerState };
