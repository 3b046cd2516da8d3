// The runs store: CSV/JSONL export, import round trips, persistence across a reload (a new
// IndexedDB connection), deletion, merge of rows, and resume. IndexedDB is fake-indexeddb in Node;
// the store is the page's slices composed as src/ui/store/index.ts composes them, with a fake worker.

import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createStore, type StoreApi } from 'zustand';
import { parseRunConfig } from '../../rl/config';
import type { MetricsRow } from '../../rl/metrics';
import type { TrainerState } from '../../rl/trainer';
import { createConfigSlice } from '../store/configSlice';
import type { Store } from '../store/index';
import { createGroupsSlice } from '../store/groupsSlice';
import { createRunsSliceWith, OVERLAY_KEY, type OverlayStorage } from '../store/runsSlice';
import { createTrainingSlice } from '../store/trainingSlice';
import { createViewSlice } from '../store/viewSlice';
import type { WorkerCommand } from '../worker/protocol';
import { RunsDb } from './db';
import { metricsToCsv, metricsToJsonl, parseRunImport, runToJson } from '../../rl/runFile';

let dbCounter = 0;
const freshDbName = () => `runs-test-${++dbCounter}`;

/** The page's localStorage, as a map a test can look into (each test store gets its own unless shared). */
const memoryStorage = (): OverlayStorage & { items: Map<string, string> } => {
  const items = new Map<string, string>();
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) };
};

function makeTestStore(dbName: string, sent: WorkerCommand[] = [], storage = memoryStorage()): StoreApi<Store> {
  return createStore<Store>()((...a) => ({
    ...createConfigSlice(...a),
    ...createTrainingSlice(() => ({ send: (cmd) => sent.push(cmd) }))(...a),
    ...createViewSlice(...a),
    ...createRunsSliceWith(
      () => RunsDb.open(dbName),
      () => storage,
    )(...a),
    ...createGroupsSlice(() => ({ send: (cmd) => sent.push(cmd), terminate: () => undefined }))(...a),
  }));
}

// Steps 0..2 of a run with evalEvery 2 (eval metrics on steps 0 and 2 only) and the final evaluation row.
const ROWS: MetricsRow[] = [
  { step: 0, reward: 0.25, entropy: 1.5, accuracy: 0.125, 'pass@k': 0.5, 'rewards/format/mean': 1 },
  { step: 1, reward: 0.5, entropy: 1.25, 'rewards/format/mean': 0.75 },
  { step: 2, reward: 0.75, entropy: 1, accuracy: 0.375, 'pass@k': 0.625, 'rewards/format/mean': 0.5 },
  { step: 3, accuracy: 0.5, 'pass@k': 0.75 },
];

function fakeState(step: number, metrics: MetricsRow[]): TrainerState {
  return {
    config: parseRunConfig({ steps: 10 }),
    step,
    weights: new Map([['transformer.wte.weight', new Float32Array([0.5, -1.25, 3])]]),
    optimizer: { m: new Float32Array([0.125]), v: new Float32Array([0.0625]), t: step },
    refWeights: new Map([['transformer.wte.weight', new Float32Array([0.5, -1, 2])]]),
    rng: { seed: 7, stream: 0, counter: 42 },
    metrics,
    entropyCoef: 0.01,
  };
}

describe('metric exports', () => {
  it('CSV header is step + the union of metrics in METRIC_NAMES order (components last), one line per step, blanks where a step did not log', () => {
    const lines = metricsToCsv(ROWS).trimEnd().split('\n');
    expect(lines[0]).toBe('step,reward,entropy,accuracy,pass@k,rewards/format/mean');
    expect(lines).toHaveLength(1 + 4);
    expect(lines[2]).toBe('1,0.5,1.25,,,0.75');
    expect(lines[4]).toBe('3,,,0.5,0.75,');
  });

  it('JSON Lines holds one object per step with only the keys that step logged', () => {
    const lines = metricsToJsonl(ROWS).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(Object.keys(JSON.parse(lines[1]))).toEqual(['step', 'reward', 'entropy', 'rewards/format/mean']);
  });

  it('an import names the line that is not JSON and the field that is not a number', () => {
    expect(() => parseRunImport('{"step":0,"reward":1}\n{oops\n', 'x.jsonl')).toThrow('x.jsonl line 2: not valid JSON');
    expect(() => parseRunImport('{"step":0,"reward":"high"}\n{"step":1}', 'y.jsonl')).toThrow(
      '"reward" is not a number',
    );
    expect(() => parseRunImport('{"step":-1}\n{"step":1}', 'z.jsonl')).toThrow('"step" must be a non-negative integer');
  });
});

describe('runs store (IndexedDB)', () => {
  it('JSON Lines export imports back as a run with the same rows, named after the file, 3 completed steps', async () => {
    const store = makeTestStore(freshDbName());
    const id = await store.getState().importRun(metricsToJsonl(ROWS), 'reward-shape-a.jsonl');
    expect(id).not.toBeNull();
    const run = store.getState().runs.find((r) => r.id === id)!;
    expect(run.name).toBe('reward-shape-a');
    expect(run.steps).toBe(3);
    expect(run.config.steps).toBe(3);
    expect(await store.getState().runMetrics(id!)).toEqual(ROWS);
  });

  it('a run export keeps name, config and status; a run exported mid-run arrives paused', async () => {
    const store = makeTestStore(freshDbName());
    const config = parseRunConfig({ task: 'sort', lr: 0.003, steps: 40 });
    const text = runToJson(
      { id: 'x', name: 'DAPO clip-higher', createdAt: 1234, config, steps: 3, status: 'running' },
      ROWS,
    );
    const id = (await store.getState().importRun(text, 'whatever.json'))!;
    const run = store.getState().runs.find((r) => r.id === id)!;
    expect(run).toMatchObject({ name: 'DAPO clip-higher', createdAt: 1234, steps: 3, status: 'paused' });
    expect(run.config.lr).toBe(0.003);
    expect(run.config.task).toBe('sort');
    expect(await store.getState().runMetrics(id)).toEqual(ROWS);
  });

  it('a status the run already has is not written again: the runs list (and so every chart) keeps its identity', async () => {
    const store = makeTestStore(freshDbName());
    const s = store.getState();
    await s.createRun({ id: 'a', name: 'run a', config: parseRunConfig({ steps: 10 }) });
    await s.setRunStatus('a', 'running');
    const before = store.getState().runs;
    for (let i = 0; i < 5; i++) await s.setRunStatus('a', 'running'); // one step's phase reports
    expect(store.getState().runs).toBe(before);
    await s.setRunStatus('a', 'paused');
    expect(store.getState().runs).not.toBe(before);
    expect(store.getState().runs.find((r) => r.id === 'a')?.status).toBe('paused');
  });

  it('a bad import file adds no run and says why', async () => {
    const store = makeTestStore(freshDbName());
    expect(await store.getState().importRun('{"step":0}\nnot json', 'bad.jsonl')).toBeNull();
    expect(store.getState().runs).toHaveLength(0);
    expect(store.getState().runsError).toBe('bad.jsonl line 2: not valid JSON');
  });

  it('after a reload (new connection) both runs, their rows, step counts and the snapshot are there; the interrupted run is paused and resumable', async () => {
    const name = freshDbName();
    const before = makeTestStore(name);
    const s = before.getState();
    const config = parseRunConfig({ steps: 10 });
    void s.createRun({ id: 'a', name: 'run a', config });
    void s.appendMetrics('a', ROWS.slice(0, 2));
    void s.appendMetrics('a', ROWS.slice(2, 3));
    void s.saveTrainerState('a', fakeState(2, ROWS.slice(0, 2)));
    void s.createRun({ id: 'b', name: 'run b', config });
    void s.appendMetrics('b', ROWS.slice(0, 1));
    await s.setRunStatus('b', 'done');

    const after = makeTestStore(name);
    await after.getState().loadAll();
    const runs = after.getState().runs;
    expect(runs.map((r) => [r.id, r.name, r.steps, r.status])).toEqual([
      ['a', 'run a', 3, 'paused'],
      ['b', 'run b', 1, 'done'],
    ]);
    expect(after.getState().resumable).toEqual(['a']);
    expect(await after.getState().runMetrics('a')).toEqual(ROWS.slice(0, 3));
    const state = (await after.getState().loadTrainerState('a'))!;
    expect(state.weights.get('transformer.wte.weight')).toEqual(new Float32Array([0.5, -1.25, 3]));
    expect(state.optimizer.m).toEqual(new Float32Array([0.125]));
    expect(state.rng.counter).toBe(42);
  });

  it('a run started while the list is still loading stays in the list next to the stored ones', async () => {
    const name = freshDbName();
    const writer = makeTestStore(name);
    await writer.getState().createRun({ id: 'old', name: 'old', config: parseRunConfig({}) });
    // the list is in creation order (createdAt, ms): the new run must not share the old one's millisecond
    await new Promise((r) => setTimeout(r, 2));
    const store = makeTestStore(name);
    const loading = store.getState().loadAll();
    void store.getState().createRun({ id: 'new', name: 'new', config: parseRunConfig({}) });
    await loading;
    expect(store.getState().runs.map((r) => r.id)).toEqual(['old', 'new']);
  });

  it('delete removes the run, its rows and its snapshot, and leaves the other run whole', async () => {
    const name = freshDbName();
    const store = makeTestStore(name);
    const s = store.getState();
    const config = parseRunConfig({});
    void s.createRun({ id: 'a', name: 'a', config });
    void s.appendMetrics('a', ROWS);
    void s.saveTrainerState('a', fakeState(3, ROWS));
    void s.createRun({ id: 'b', name: 'b', config });
    void s.appendMetrics('b', ROWS.slice(0, 2));
    await s.toggleOverlay('a');
    expect(store.getState().metricsByRun.a).toHaveLength(4);
    await s.deleteRun('a');
    expect(store.getState().overlay).toEqual([]);
    expect(store.getState().metricsByRun.a).toBeUndefined();

    const db = await RunsDb.open(name);
    expect(await db.metrics('a')).toEqual([]);
    expect(await db.loadTrainerState('a')).toBeUndefined();
    expect((await db.listRuns()).map((r) => r.id)).toEqual(['b']);
    expect(await db.metrics('b')).toHaveLength(2);
    db.close();
  });

  it('overlaying a stored run loads its rows for the charts; toggling again removes it', async () => {
    const name = freshDbName();
    const writer = makeTestStore(name);
    void writer.getState().createRun({ id: 'old', name: 'old', config: parseRunConfig({}) });
    await writer.getState().appendMetrics('old', ROWS);
    const store = makeTestStore(name);
    await store.getState().loadAll();
    await store.getState().toggleOverlay('old');
    expect(store.getState().overlay).toEqual(['old']);
    expect(store.getState().metricsByRun.old).toEqual(ROWS);
    await store.getState().toggleOverlay('old');
    expect(store.getState().overlay).toEqual([]);
  });

  it('overlay ticks survive a reload in the order ticked; a deleted run drops out of them', async () => {
    const name = freshDbName();
    const storage = memoryStorage();
    const before = makeTestStore(name, [], storage);
    const ids: string[] = [];
    for (const f of ['a.jsonl', 'b.jsonl', 'c.jsonl'])
      ids.push((await before.getState().importRun(metricsToJsonl(ROWS), f))!);
    await before.getState().toggleOverlay(ids[2]);
    await before.getState().toggleOverlay(ids[0]);
    expect(JSON.parse(storage.items.get(OVERLAY_KEY)!)).toEqual([ids[2], ids[0]]);

    const after = makeTestStore(name, [], storage);
    await after.getState().loadAll();
    expect(after.getState().overlay).toEqual([ids[2], ids[0]]);
    expect(after.getState().metricsByRun[ids[2]]).toEqual(ROWS);
    expect(after.getState().metricsByRun[ids[1]]).toBeUndefined();

    await after.getState().deleteRun(ids[2]);
    const third = makeTestStore(name, [], storage);
    await third.getState().loadAll();
    expect(third.getState().overlay).toEqual([ids[0]]);
  });

  it('a second row for a stored step is merged into it (later keys win), not added', async () => {
    const store = makeTestStore(freshDbName());
    void store.getState().createRun({ id: 'a', name: 'a', config: parseRunConfig({}) });
    void store.getState().appendMetrics('a', [{ step: 3, accuracy: 0.5 }]);
    void store.getState().appendMetrics('a', [{ step: 3, reward: 0.25, accuracy: 0.625 }]);
    expect(await store.getState().runMetrics('a')).toEqual([{ step: 3, accuracy: 0.625, reward: 0.25 }]);
    expect(store.getState().runs[0].steps).toBe(4);
  });

  it('rename persists; resume replaces the rows with the snapshot’s and sends the snapshot to the worker', async () => {
    const name = freshDbName();
    const first = makeTestStore(name);
    void first.getState().createRun({ id: 'a', name: 'a', config: parseRunConfig({ steps: 10 }) });
    void first.getState().appendMetrics('a', ROWS.slice(0, 3)); // steps 0..2 completed
    void first.getState().saveTrainerState('a', fakeState(2, ROWS.slice(0, 2))); // snapshot after step 1
    await first.getState().rename('a', '  baseline  ');

    const sent: WorkerCommand[] = [];
    const store = makeTestStore(name, sent);
    await store.getState().loadAll();
    expect(store.getState().runs[0].name).toBe('baseline');
    await store.getState().resumeRun('a');
    expect(await store.getState().runMetrics('a')).toEqual(ROWS.slice(0, 2));
    expect(store.getState().metricsByRun.a).toEqual(ROWS.slice(0, 2));
    expect(store.getState().runs[0]).toMatchObject({ status: 'running', steps: 2 });
    expect(store.getState().currentRunId).toBe('a');
    const init = sent.find((c) => c.type === 'init');
    expect(init?.type === 'init' && init.resumeState?.step).toBe(2);
  });
});
