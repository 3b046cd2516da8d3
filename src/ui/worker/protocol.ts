// The typed message protocol between the page and the training Web Worker: the page sends
// commands, the worker answers with events. Everything here is structured-clone friendly.

import type { RunConfig } from '../../rl/config';
import type { StepReport, TrainerState } from '../../rl/trainer';
import type { BackendChoice } from './backendProbe';

export type WorkerCommand =
  /** Find the backend (WebGPU adapter or why not) before any run, for the status bar. */
  | { type: 'probe' }
  /** `backend`: Auto measures both engines and takes the faster (src/ui/worker/backendProbe.ts). */
  | { type: 'init'; config: RunConfig; runId: string; resumeState?: TrainerState; backend?: BackendChoice }
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'reset' }
  /** Hot-swaps the config of the live run (the trainer reads it from the next step on). */
  | { type: 'setConfig'; config: RunConfig };

/** Which engine the worker built, and why when it is the CPU fallback. */
export type BackendInfo = ({ kind: 'webgpu'; name: string } | { kind: 'cpu'; name: string; reason?: string }) & {
  /** How the backend was chosen: the probe's figures, or the person's choice. */
  choice?: string;
};

export type RunState = 'idle' | 'loading' | 'compiling' | 'running' | 'paused' | 'done' | 'error';

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
export type RunError = RewardCodeErrorInfo | EngineErrorInfo;

export type WorkerEvent =
  | { type: 'status'; runId: string; state: RunState; step: number; stepsPerSec: number }
  | { type: 'backend'; runId: string; backend: BackendInfo }
  /** Slow one-off work before the first step: fetching the base checkpoint, compiling shaders. */
  | { type: 'progress'; runId: string; message: string }
  /** Something the person should know that does not stop the run (e.g. no base checkpoint for this size). */
  | { type: 'notice'; runId: string; message: string }
  | { type: 'step'; runId: string; report: StepReport }
  | { type: 'error'; runId: string; error: RunError }
  /** A snapshot to resume from after a reload (sent every few steps and on pause). */
  | { type: 'state'; runId: string; state: TrainerState };
