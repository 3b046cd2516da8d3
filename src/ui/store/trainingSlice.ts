// The live run: its status, its metrics by run id and the latest step's completions, and the
// actions behind Start / Pause / Step / Reset. It talks to the training worker through a channel
// given at store creation, so the page and the tests share this logic.

import type { StateCreator } from 'zustand';
import type { RunConfig } from '../../rl/config';
import type { MetricsRow } from '../../rl/metrics';
import type { SampleRecord, TrainerState } from '../../rl/trainer';
import type { BackendInfo, RunError, RunState, WorkerCommand, WorkerEvent } from '../worker/protocol';
import { presetRunName } from '../../rl/runLabel';
import type { Store } from './index';

export interface TrainingChannel {
  send(cmd: WorkerCommand): void;
}
export type ConnectTraining = (
  onEvent: (e: WorkerEvent) => void,
  onCrash: (message: string) => void,
) => TrainingChannel;

export interface RunStatus {
  state: RunState;
  step: number; // completed steps
  stepsPerSec: number;
  backend: BackendInfo | null; // null until the first run built its engine
  error: RunError | null;
  progress: string | null; // "Compiling shaders…" and other one-off work before the first step
  notice: string | null;
}

export interface TrainingSlice {
  status: RunStatus;
  currentRunId: string | null;
  /** The config the current run was started with (the sidebar's `config` may have moved on). */
  runConfig: RunConfig | null;
  metricsByRun: Record<string, MetricsRow[]>;
  latestSamples: SampleRecord[];
  /** Continue the current run, or begin a new one when there is none or the config changed. */
  start(): void;
  pause(): void;
  step(): void;
  reset(): void;
  /** Continue a saved run (after a reload) from its trainer state. */
  resume(runId: string, state: TrainerState): void;
  /** Ask the worker which backend it will use, so the status bar shows it before the first run. */
  probe(): void;
  dismissError(): void;
}

/** Step reports are applied to the store at most this often, so charts redraw a few times a second at most. */
export const FLUSH_MS = 200;

const idleStatus = (backend: BackendInfo | null): RunStatus => ({
  state: 'idle',
  step: 0,
  stepsPerSec: 0,
  backend,
  error: null,
  progress: null,
  notice: null,
});

/** Only `steps` can change on a live run; any other change starts a new run. */
export function needsNewRun(config: RunConfig, runConfig: RunConfig | null): boolean {
  if (!runConfig) return true;
  return JSON.stringify({ ...config, steps: 0 }) !== JSON.stringify({ ...runConfig, steps: 0 });
}

/** A short name for the runs list: the preset's name or the task and reward terms. */
export function runName(config: RunConfig, taken: readonly string[] = []): string {
  const base =
    config.name !== 'run'
      ? (presetRunName(config) ?? config.name)
      : `${config.task}: ${config.reward.map((t) => (t.weight === 1 ? t.component : `${t.weight}·${t.component}`)).join(' + ')}`;
  // A second run of the same preset gets "#2" so the runs list and the overlay legend tell them apart.
  if (!taken.includes(base)) return base;
  let n = 2;
  while (taken.includes(`${base} #${n}`)) n++;
  return `${base} #${n}`;
}

export const createTrainingSlice =
  (connect: ConnectTraining): StateCreator<Store, [], [], TrainingSlice> =>
  (set, get) => {
    let channel: TrainingChannel | null = null;
    let pending: { runId: string; rows: MetricsRow[]; samples: SampleRecord[] | null } | null = null;
    let flushTimer: ReturnType<typeof setTimeout> | null = null;

    const flush = () => {
      flushTimer = null;
      if (!pending) return;
      const { runId, rows, samples } = pending;
      pending = null;
      set((s) => ({
        metricsByRun: { ...s.metricsByRun, [runId]: [...(s.metricsByRun[runId] ?? []), ...rows] },
        ...(samples ? { latestSamples: samples } : {}),
      }));
      get().appendMetrics(runId, rows);
    };

    const onEvent = (e: WorkerEvent) => {
      const patch = (p: Partial<RunStatus>) => set((s) => ({ status: { ...s.status, ...p } }));
      if (e.type === 'backend') return patch({ backend: e.backend }); // the probe's answer belongs to no run
      // A snapshot is worth keeping even when it arrives after the page moved on to a new run.
      if (e.type === 'state') return get().saveTrainerState(e.runId, e.state);
      if (e.runId !== get().currentRunId) return; // a late event of a run that was reset
      switch (e.type) {
        case 'status':
          if (e.state === 'running' || e.state === 'paused' || e.state === 'done') flush();
          patch({ state: e.state, step: e.step, stepsPerSec: e.stepsPerSec });
          if (e.state === 'paused' || e.state === 'done' || e.state === 'error') get().setRunStatus(e.runId, e.state);
          break;
        case 'progress':
          patch({ progress: e.message });
          break;
        case 'notice':
          patch({ notice: e.message });
          break;
        case 'step':
          if (get().status.progress) patch({ progress: null });
          if (!pending || pending.runId !== e.runId) {
            flush();
            pending = { runId: e.runId, rows: [], samples: null };
          }
          pending.rows.push(e.report.metrics);
          if (e.report.samples.length > 0) pending.samples = e.report.samples; // the final evaluation row has none
          flushTimer ??= setTimeout(flush, FLUSH_MS);
          break;
        case 'error':
          flush();
          patch({ error: e.error, progress: null });
          break;
      }
    };

    const send = (cmd: WorkerCommand) => {
      channel ??= connect(onEvent, (message) =>
        set((s) => ({ status: { ...s.status, state: 'error', error: { kind: 'engine', message } } })),
      );
      channel.send(cmd);
    };

    const newRun = () => {
      flush();
      const { config, status } = get();
      const runId = crypto.randomUUID();
      set((s) => ({
        currentRunId: runId,
        runConfig: config,
        metricsByRun: { ...s.metricsByRun, [runId]: [] },
        latestSamples: [],
        status: { ...idleStatus(status.backend), state: 'loading' },
      }));
      const taken = get().runs.map((r) => r.name);
      get().createRun({ id: runId, name: runName(config, taken), config });
      send({ type: 'init', config, runId, backend: get().backendChoice });
    };

    /** Makes the worker's run match the sidebar: a new run, or the new step budget for the live one. */
    const prepare = (): boolean => {
      const s = get();
      const busy = s.status.state === 'loading' || s.status.state === 'compiling' || s.status.state === 'running';
      if (busy) return false;
      if (s.status.state === 'idle' || s.status.state === 'error' || needsNewRun(s.config, s.runConfig)) newRun();
      else if (s.runConfig && s.config.steps !== s.runConfig.steps) {
        set({ runConfig: s.config });
        send({ type: 'setConfig', config: s.config });
      }
      if (get().status.error) set((st) => ({ status: { ...st.status, error: null } }));
      return true;
    };

    return {
      status: idleStatus(null),
      currentRunId: null,
      runConfig: null,
      metricsByRun: {},
      latestSamples: [],
      start() {
        if (!prepare()) return;
        set((s) => ({ status: { ...s.status, state: s.status.state === 'loading' ? 'loading' : 'running' } }));
        send({ type: 'start' });
      },
      pause() {
        send({ type: 'pause' });
      },
      step() {
        if (prepare()) send({ type: 'step' });
      },
      reset() {
        flush();
        if (flushTimer) clearTimeout(flushTimer);
        flushTimer = null;
        send({ type: 'reset' });
        set((s) => ({ currentRunId: null, runConfig: null, latestSamples: [], status: idleStatus(s.status.backend) }));
      },
      resume(runId, state) {
        flush();
        set((s) => ({
          currentRunId: runId,
          runConfig: state.config,
          config: state.config,
          latestSamples: [],
          status: { ...idleStatus(s.status.backend), state: 'loading', step: state.step },
        }));
        send({ type: 'init', config: state.config, runId, resumeState: state, backend: get().backendChoice });
      },
      probe() {
        send({ type: 'probe' });
      },
      dismissError() {
        set((s) => ({ status: { ...s.status, error: null } }));
      },
    };
  };
