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
import { holdRun, releaseRun } from '../runs/runLocks';

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
  detail: string | null; // what the state waits for: "step 3: Generating 8 completions…", "Pausing — …"
  notice: string | null;
  startNote: string | null; // what the last Start did when it was not a plain continue (extend, new run)
}

export interface TrainingSlice {
  status: RunStatus;
  currentRunId: string | null;
  /** The config the current run was started with (the sidebar's `config` may have moved on). */
  runConfig: RunConfig | null;
  metricsByRun: Record<string, MetricsRow[]>;
  latestSamples: SampleRecord[];
  /** The current run's reward code threw: an edited code applies to this run (the failed step is redone). */
  rewardCodeFailed: boolean;
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
  detail: null,
  notice: null,
  startNote: null,
});

/** The states in which the worker is busy with a run (Start and Step wait; Pause applies). */
export const isBusy = (state: RunState) =>
  state === 'loading' || state === 'compiling' || state === 'evaluating' || state === 'running';

/**
 * Only `steps` can change on a live run, and the reward code after it threw; any other change
 * starts a new run.
 */
export function needsNewRun(config: RunConfig, runConfig: RunConfig | null, rewardCodeFailed = false): boolean {
  if (!runConfig) return true;
  const key = (c: RunConfig) =>
    JSON.stringify({ ...c, steps: 0, userRewardCode: rewardCodeFailed ? '' : c.userRewardCode });
  return key(config) !== key(runConfig);
}

/** What Start does now, and why: the page shows it before and after the press. */
export type StartPlan =
  | { kind: 'continue' }
  | { kind: 'extend'; from: number; to: number }
  | { kind: 'new'; why: 'no-run' | 'config' | 'finished' | 'failed' };

export function startPlan(
  s: Pick<TrainingSlice, 'status' | 'runConfig' | 'rewardCodeFailed'> & { config: RunConfig },
): StartPlan {
  const { state, step } = s.status;
  if (state === 'idle' || !s.runConfig) return { kind: 'new', why: 'no-run' };
  if (state === 'error') return { kind: 'new', why: 'failed' };
  if (needsNewRun(s.config, s.runConfig, s.rewardCodeFailed)) return { kind: 'new', why: 'config' };
  if (state === 'done' || step >= s.runConfig.steps) {
    return s.config.steps > step
      ? { kind: 'extend', from: step, to: s.config.steps }
      : { kind: 'new', why: 'finished' };
  }
  return { kind: 'continue' };
}

/** The sentence for a plan, or null when Start simply continues. */
export function startPlanText(p: StartPlan, steps: number): string | null {
  if (p.kind === 'extend') return `Start extends this run from ${p.from} to ${p.to} steps.`;
  if (p.kind !== 'new' || p.why === 'no-run') return null;
  if (p.why === 'config') return 'The config changed: Start begins a new run.';
  if (p.why === 'failed') return 'This run stopped with an error: Start begins a new run.';
  return `This run finished its ${steps} steps: Start begins a new run (raise Steps to extend it instead).`;
}

declare global {
  /** Set by an e2e test's init script: the page then offers `__grpoFault` to inject worker faults. */
  var __GRPO_TEST_HOOKS__: boolean | undefined;
  var __grpoFault: ((action: 'destroy-device' | 'poison-gradients') => void) | undefined;
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

/** Appends rows; a row for a step already there replaces it (an extended run's old final evaluation). */
function mergeRows(old: MetricsRow[], rows: MetricsRow[]): MetricsRow[] {
  const first = rows[0]?.step;
  const keep = first === undefined ? old : old.filter((r) => r.step < first);
  return [...keep, ...rows];
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
        metricsByRun: { ...s.metricsByRun, [runId]: mergeRows(s.metricsByRun[runId] ?? [], rows) },
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
          if (e.state !== 'loading' && e.state !== 'compiling') flush();
          patch({ state: e.state, step: e.step, stepsPerSec: e.stepsPerSec, detail: e.detail ?? null });
          if (e.state === 'paused' || e.state === 'done' || e.state === 'error') get().setRunStatus(e.runId, e.state);
          if (e.state === 'running' || e.state === 'evaluating') get().setRunStatus(e.runId, 'running');
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
          if (e.error.kind === 'reward-code') set({ rewardCodeFailed: true });
          break;
      }
    };

    const send = (cmd: WorkerCommand) => {
      if (!channel) {
        const ch = connect(onEvent, (message) =>
          set((s) => ({ status: { ...s.status, state: 'error', error: { kind: 'engine', message } } })),
        );
        channel = ch;
        if (globalThis.__GRPO_TEST_HOOKS__) globalThis.__grpoFault = (action) => ch.send({ type: 'test', action });
      }
      channel.send(cmd);
    };
    const testHooks = () => globalThis.__GRPO_TEST_HOOKS__ === true;

    const newRun = () => {
      flush();
      const { config, status } = get();
      const runId = crypto.randomUUID();
      set((s) => ({
        currentRunId: runId,
        runConfig: config,
        metricsByRun: { ...s.metricsByRun, [runId]: [] },
        latestSamples: [],
        rewardCodeFailed: false,
        status: { ...idleStatus(status.backend), state: 'loading', startNote: status.startNote },
      }));
      void holdRun(runId);
      const taken = get().runs.map((r) => r.name);
      get().createRun({ id: runId, name: runName(config, taken), config });
      send({ type: 'init', config, runId, backend: get().backendChoice, testHooks: testHooks() });
    };

    /** Makes the worker's run match the sidebar: a new run, or the new step budget for the live one. */
    const prepare = (): boolean => {
      const s = get();
      if (isBusy(s.status.state)) return false;
      const plan = startPlan(s);
      const said = startPlanText(plan, s.runConfig?.steps ?? 0);
      set((st) => ({ status: { ...st.status, startNote: plan.kind === 'extend' ? said : null } }));
      if (plan.kind === 'new') {
        newRun();
        if (plan.why === 'finished' || plan.why === 'failed') {
          const why =
            plan.why === 'finished'
              ? `the last run finished its ${s.runConfig?.steps} steps`
              : 'the last run stopped with an error';
          set((st) => ({
            status: {
              ...st.status,
              startNote: `Started a new run: ${why}. Raise Steps before Start to extend a finished run.`,
            },
          }));
        }
      } else if (
        s.runConfig &&
        (s.config.steps !== s.runConfig.steps || s.config.userRewardCode !== s.runConfig.userRewardCode)
      ) {
        set({ runConfig: s.config });
        send({ type: 'setConfig', config: s.config });
        if (s.currentRunId) void get().setRunConfig(s.currentRunId, s.config);
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
      rewardCodeFailed: false,
      start() {
        if (!prepare()) return;
        // the worker answers with the real state at once; until then the button must not be pressed twice
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
        releaseRun();
        set((s) => ({
          currentRunId: null,
          runConfig: null,
          latestSamples: [],
          rewardCodeFailed: false,
          status: idleStatus(s.status.backend),
        }));
      },
      resume(runId, state) {
        flush();
        void holdRun(runId);
        set((s) => ({
          currentRunId: runId,
          runConfig: state.config,
          config: state.config,
          latestSamples: [],
          status: { ...idleStatus(s.status.backend), state: 'loading', step: state.step },
        }));
        send({
          type: 'init',
          config: state.config,
          runId,
          resumeState: state,
          backend: get().backendChoice,
          testHooks: testHooks(),
        });
      },
      probe() {
        send({ type: 'probe' });
      },
      dismissError() {
        set((s) => ({ status: { ...s.status, error: null } }));
      },
    };
  };
