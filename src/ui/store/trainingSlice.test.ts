// The training slice's contract with the worker: which commands Start / Step / Pause / Reset send,
// when a new run begins, and how step reports reach the store (batched, every row kept).

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand';
import type { MetricsRow } from '../../rl/metrics';
import type { SampleRecord } from '../../rl/trainer';
import type { WorkerCommand, WorkerEvent } from '../worker/protocol';
import { parseRunConfig } from '../../rl/config';
import { getPreset } from '../../rl/presets/index';
import { createConfigSlice } from './configSlice';
import type { Store } from './index';
import type { RunsSlice } from './runsSlice';
import { createTrainingSlice, FLUSH_MS, needsNewRun, runName } from './trainingSlice';
import { createGroupsSlice } from './groupsSlice';
import { createViewSlice } from './viewSlice';

/** The store with a recording worker channel and a runs slice that only records calls. */
function harness() {
  const sent: WorkerCommand[] = [];
  let emit: (e: WorkerEvent) => void = () => undefined;
  const calls = { createRun: [] as { id: string; name: string }[], appendMetrics: [] as [string, MetricsRow[]][] };
  const runs = {
    runs: [],
    overlay: [],
    hiddenControls: [],
    createRun: (m: { id: string; name: string }) => void calls.createRun.push(m),
    appendMetrics: (id: string, rows: MetricsRow[]) => void calls.appendMetrics.push([id, rows]),
    saveTrainerState: () => undefined,
    setRunStatus: () => undefined,
    setRunConfig: () => undefined,
  } as unknown as RunsSlice;
  const store = createStore<Store>()((...a) => ({
    ...createConfigSlice(...a),
    ...createTrainingSlice((onEvent) => {
      emit = onEvent;
      return { send: (c) => void sent.push(c) };
    })(...a),
    ...createViewSlice(...a),
    ...runs,
    ...createGroupsSlice(() => ({ send: (c) => void sent.push(c), terminate: () => undefined }))(...a),
  }));
  return { store, sent, calls, emit: (e: WorkerEvent) => emit(e) };
}

const sample = (groupIndex: number): SampleRecord => ({
  prompt: '1+2=',
  completion: '3',
  tokens: [5, 2],
  reward: 1,
  rewardBreakdown: { correctness: 1 },
  advantage: 0.5,
  correct: true,
  truncated: false,
  tokenEntropy: [0.3, 0.1],
  tokenLogprob: [-0.2, -0.05],
  groupIndex,
});

describe('training slice', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('Start with no run sends init (a new run id, the sidebar config) then start, and lists the run', () => {
    const h = harness();
    h.store.getState().start();
    expect(h.sent.map((c) => c.type)).toEqual(['init', 'start']);
    const init = h.sent[0] as Extract<WorkerCommand, { type: 'init' }>;
    const id = h.store.getState().currentRunId;
    expect(init.runId).toBe(id);
    expect(init.config).toEqual(h.store.getState().config);
    expect(h.calls.createRun).toEqual([expect.objectContaining({ id, name: 'add: correctness' })]);
  });

  it('a run named like an existing one gets the first free "#n": runs of one preset stay apart', () => {
    const config = parseRunConfig({ ...getPreset('grpo-add').config });
    expect(runName(config)).toBe('grpo-add');
    expect(runName(config, ['grpo-add'])).toBe('grpo-add #2');
    expect(runName(config, ['grpo-add', 'grpo-add #2', 'grpo-add #4'])).toBe('grpo-add #3');
    expect(runName(parseRunConfig({ ...config, name: 'run' }), ['add: correctness'])).toBe('add: correctness #2');
  });

  it('5 step reports inside one flush window reach the store as 5 rows in one update and one appendMetrics call', () => {
    const h = harness();
    h.store.getState().start();
    const runId = h.store.getState().currentRunId!;
    for (let s = 0; s < 5; s++) {
      h.emit({
        type: 'step',
        runId,
        report: { step: s, metrics: { step: s, entropy: 1 - s / 10 }, samples: [sample(s)] },
      });
    }
    expect(h.store.getState().metricsByRun[runId]).toEqual([]); // nothing drawn before the flush
    vi.advanceTimersByTime(FLUSH_MS);
    const rows = h.store.getState().metricsByRun[runId];
    expect(rows.map((r) => r.step)).toEqual([0, 1, 2, 3, 4]);
    expect(rows[4].entropy).toBeCloseTo(0.6, 12);
    expect(h.calls.appendMetrics).toHaveLength(1);
    expect(h.calls.appendMetrics[0][1]).toHaveLength(5);
    expect(h.store.getState().latestSamples.map((s) => s.groupIndex)).toEqual([4]); // the latest step's only
  });

  it('on a paused run, changing only the step budget sends setConfig; changing the reward starts a new run', () => {
    const h = harness();
    h.store.getState().start();
    const first = h.store.getState().currentRunId!;
    h.emit({ type: 'status', runId: first, state: 'paused', step: 3, stepsPerSec: 2 });
    h.store.getState().setConfig({ steps: 500 });
    h.store.getState().start();
    expect(h.sent.map((c) => c.type)).toEqual(['init', 'start', 'setConfig', 'start']);
    expect(h.store.getState().currentRunId).toBe(first);

    h.emit({ type: 'status', runId: first, state: 'paused', step: 4, stepsPerSec: 2 });
    h.store.getState().setConfig({ reward: [{ component: 'format', weight: 0.5, params: {} }] });
    expect(needsNewRun(h.store.getState().config, h.store.getState().runConfig)).toBe(true);
    h.store.getState().start();
    expect(h.sent.map((c) => c.type).slice(4)).toEqual(['init', 'start']);
    expect(h.store.getState().currentRunId).not.toBe(first);
  });

  it('after Reset, late events of the old run change nothing (step stays 0, no rows)', () => {
    const h = harness();
    h.store.getState().start();
    const old = h.store.getState().currentRunId!;
    h.store.getState().reset();
    h.emit({ type: 'status', runId: old, state: 'running', step: 7, stepsPerSec: 3 });
    h.emit({ type: 'step', runId: old, report: { step: 7, metrics: { step: 7 }, samples: [] } });
    vi.advanceTimersByTime(FLUSH_MS);
    expect(h.store.getState().status).toMatchObject({ state: 'idle', step: 0 });
    expect(h.calls.appendMetrics).toEqual([]);
    expect(h.sent.at(-1)).toEqual({ type: 'reset' });
  });

  it('a reward-code error keeps its line, prompt and completion in the status for the banner', () => {
    const h = harness();
    h.store.getState().start();
    const runId = h.store.getState().currentRunId!;
    const error = { kind: 'reward-code' as const, message: 'boom', line: 4, prompt: '1+2=', completion: '3' };
    h.emit({ type: 'error', runId, error });
    h.emit({ type: 'status', runId, state: 'paused', step: 2, stepsPerSec: 1 });
    expect(h.store.getState().status).toMatchObject({ state: 'paused', step: 2, error });
  });

  it('the backend found by the probe is shown before any run (WebGPU adapter name)', () => {
    const h = harness();
    h.store.getState().probe();
    expect(h.sent).toEqual([{ type: 'probe' }]);
    h.emit({ type: 'backend', runId: '', backend: { kind: 'webgpu', name: 'Google SwiftShader' } });
    expect(h.store.getState().status.backend).toEqual({ kind: 'webgpu', name: 'Google SwiftShader' });
  });
});
