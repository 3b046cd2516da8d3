// Run groups in the store: a group is N ordinary runs on seeds s, s+1, …, one worker each (all at once
// on the CPU, one at a time otherwise); "add seeds" continues it; its export is one file that imports
// back as one group with each run's diagnostics. IndexedDB is fake-indexeddb; workers are fakes.

import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { createStore, type StoreApi } from 'zustand';
import { parseRunConfig } from '../../rl/config';
import type { MetricsRow } from '../../rl/metrics';
import { parseRunsImport } from '../../rl/runFile';
import { RunsDb } from '../runs/db';
import type { WorkerCommand, WorkerEvent } from '../worker/protocol';
import { createConfigSlice } from './configSlice';
import { createGroupsSlice, groupsOf, parseSeeds } from './groupsSlice';
import type { Store } from './index';
import { createRunsSliceWith } from './runsSlice';
import { createTrainingSlice } from './trainingSlice';
import { createViewSlice } from './viewSlice';

let n = 0;
interface FakeWorker {
  sent: WorkerCommand[];
  emit: (e: WorkerEvent) => void;
  terminated: boolean;
}

function harness() {
  const workers: FakeWorker[] = [];
  const dbName = `groups-test-${++n}`;
  const store: StoreApi<Store> = createStore<Store>()((...a) => ({
    ...createConfigSlice(...a),
    ...createTrainingSlice(() => ({ send: () => undefined }))(...a),
    ...createViewSlice(...a),
    ...createRunsSliceWith(() => RunsDb.open(dbName))(...a),
    ...createGroupsSlice((onEvent) => {
      const w: FakeWorker = { sent: [], emit: onEvent, terminated: false };
      workers.push(w);
      return { send: (c) => void w.sent.push(c), terminate: () => void (w.terminated = true) };
    })(...a),
  }));
  return { store, workers };
}

const runIdOf = (w: FakeWorker) => (w.sent[0] as Extract<WorkerCommand, { type: 'init' }>).runId;
const seedOf = (w: FakeWorker) => (w.sent[0] as Extract<WorkerCommand, { type: 'init' }>).config.seed;

/** A finished 2-step run as a worker reports it: steps with rollout metrics, evaluations at 0 and 2. */
function finish(w: FakeWorker, reward: number) {
  const runId = runIdOf(w);
  const rows: MetricsRow[] = [
    { step: 0, reward, entropy: 1, frac_reward_zero_std: 1, accuracy: 0.25, 'pass@k': 0.5 },
    { step: 1, reward, entropy: 0.9, frac_reward_zero_std: 1 },
    { step: 2, accuracy: 0.5, 'pass@k': 0.75 },
  ];
  for (const metrics of rows) w.emit({ type: 'step', runId, report: { metrics, samples: [] } as never });
  w.emit({ type: 'status', runId, state: 'done', step: 2, stepsPerSec: 1 });
}

describe('run groups', () => {
  it('start N runs on consecutive seeds sharing a group, one worker at a time before a CPU backend is known', async () => {
    const { store, workers } = harness();
    store.getState().setConfig({ seed: 5, steps: 2 });
    store.getState().setSeeds(3);
    const groupId = store.getState().startGroup();
    const [group] = groupsOf(store.getState().runs);
    expect(group.id).toBe(groupId);
    expect(group.runs.map((r) => r.config.seed)).toEqual([5, 6, 7]);
    expect(group.runs.map((r) => r.name)).toEqual([
      'add: correctness · seed 5',
      'add: correctness · seed 6',
      'add: correctness · seed 7',
    ]);
    expect(workers).toHaveLength(1);
    expect(workers[0].sent.map((c) => c.type)).toEqual(['init', 'start']);
    finish(workers[0], 0);
    expect(workers[0].terminated).toBe(true);
    expect(workers.map(seedOf)).toEqual([5, 6]);
    expect(store.getState().metricsByRun[runIdOf(workers[0])]).toHaveLength(3);
    await vi.waitFor(() =>
      expect(store.getState().runs.find((r) => r.id === runIdOf(workers[0]))?.status).toBe('done'),
    );
  });

  it('train every seed at once on the CPU, and add seeds after the last one', () => {
    const { store, workers } = harness();
    store.setState((s) => ({ status: { ...s.status, backend: { kind: 'cpu', name: 'CPU' } } }));
    store.getState().setSeeds(2);
    const groupId = store.getState().startGroup();
    expect(workers.map(seedOf)).toEqual([1, 2]);
    store.getState().addSeeds(groupId, 3);
    expect(workers.map(seedOf)).toEqual([1, 2, 3, 4, 5]);
    expect(groupsOf(store.getState().runs)[0].runs).toHaveLength(5);
  });

  it('stop a group: every seed ends paused and queued seeds never start a worker', async () => {
    const { store, workers } = harness();
    store.getState().setSeeds(3);
    const groupId = store.getState().startGroup();
    store.getState().stopGroup(groupId);
    expect(workers).toHaveLength(1);
    expect(workers[0].terminated).toBe(true);
    expect(Object.values(store.getState().seedStatus).map((s) => s.state)).toEqual(['paused', 'paused', 'paused']);
    store.getState().stopGroup(groupId);
    expect(workers).toHaveLength(1);
  });

  it('export a group as one file with diagnostics, and import it back as a new group', async () => {
    const { store, workers } = harness();
    store.getState().setConfig({ steps: 2, groupSize: 2 });
    store.getState().setSeeds(2);
    const groupId = store.getState().startGroup();
    finish(workers[0], 0);
    finish(workers[1], 0);
    const json = await store.getState().groupJson(groupId);
    const parsed = parseRunsImport(json, 'g.group.json');
    expect(parsed.map((r) => [r.config.seed, r.groupId, r.metrics.length])).toEqual([
      [1, groupId, 3],
      [2, groupId, 3],
    ]);
    // every group had the same reward on both steps: no learning signal, reported from step 0
    expect(parsed[0].diagnostics?.map((d) => [d.id, d.step])).toEqual([['no-signal', 0]]);
    const first = await store.getState().importRun(json, 'g.group.json');
    expect(first).not.toBeNull();
    const groups = groupsOf(store.getState().runs);
    expect(groups).toHaveLength(2);
    expect(groups[1].id).not.toBe(groupId);
    expect(groups[1].runs.map((r) => r.config.seed)).toEqual([1, 2]);
    expect(await store.getState().runMetrics(groups[1].runs[1].id)).toHaveLength(3);
  });

  it('read the seed count from a link only inside its range', () => {
    expect([parseSeeds('3'), parseSeeds('0'), parseSeeds('17'), parseSeeds('2.5'), parseSeeds(null)]).toEqual([
      3,
      null,
      null,
      null,
      null,
    ]);
    expect(parseRunConfig({}).seed).toBe(1);
  });
});
