// Run groups (docs/DESIGN.md §7): one config trained on seeds s, s+1, …, each seed an ordinary run
// in the runs list sharing a groupId. Each seed gets its own training worker; on the CPU they train
// at once (one worker per seed), on WebGPU one after another, since the seeds would only take turns
// on the one device. Also holds what the charts draw of groups and which two the Compare panel reads.

import type { StateCreator } from 'zustand';
import { SEEDS_FIELD } from '../../rl/configTable';
import type { RunConfig } from '../../rl/config';
import { diagnose } from '../../rl/diagnostics';
import type { MetricsRow } from '../../rl/metrics';
import { groupToJson, type RunMeta } from '../../rl/runFile';
import type { RunState, WorkerCommand, WorkerEvent } from '../worker/protocol';
import type { Store } from './index';
import { FLUSH_MS, runName } from './trainingSlice';

export interface SeedWorker {
  send(cmd: WorkerCommand): void;
  terminate(): void;
}
export type SpawnTraining = (onEvent: (e: WorkerEvent) => void, onCrash: (message: string) => void) => SeedWorker;

export interface SeedStatus {
  state: RunState | 'queued';
  step: number;
  error: string | null;
}

/** A group as the page lists it: its runs in seed order. */
export interface RunGroup {
  id: string;
  name: string;
  runs: RunMeta[];
}

/** What the Compare panel picks: a group or a single run. */
export type CompareTarget = { kind: 'group' | 'run'; id: string };

export interface GroupsSlice {
  seeds: number;
  /** Draw each seed's own line besides the group's mean and band. */
  showSeedLines: boolean;
  /** Group ids the charts draw (a started group is drawn at once). */
  groupOverlay: string[];
  seedStatus: Record<string, SeedStatus>;
  compare: [CompareTarget | null, CompareTarget | null];
  setSeeds(n: number): void;
  setShowSeedLines(on: boolean): void;
  /** Starts `seeds` runs of the sidebar's config on seeds config.seed, config.seed + 1, …; returns the group id. */
  startGroup(): string;
  /** Continues a group with `more` runs on the seeds after its last. */
  addSeeds(groupId: string, more: number): void;
  /** Stops the group's runs that are queued or training. */
  stopGroup(groupId: string): void;
  toggleGroupOverlay(groupId: string): Promise<void>;
  /** Loads the rows of runs not in memory yet (runs from an earlier visit or an import) from IndexedDB. */
  ensureMetrics(runIds: readonly string[]): Promise<void>;
  setCompare(side: 0 | 1, target: CompareTarget | null): void;
  /** The group's runs, metrics and diagnostics as one file. */
  groupJson(groupId: string): Promise<string>;
}

/** The groups among the runs, in the order their first run was made. */
export function groupsOf(runs: readonly RunMeta[]): RunGroup[] {
  const byId = new Map<string, RunGroup>();
  for (const r of runs) {
    if (!r.groupId) continue;
    const g = byId.get(r.groupId) ?? { id: r.groupId, name: r.groupName ?? r.name, runs: [] };
    g.runs.push(r);
    byId.set(r.groupId, g);
  }
  for (const g of byId.values()) g.runs.sort((a, b) => a.config.seed - b.config.seed);
  return [...byId.values()];
}

/** A seed count from a link or a field: an integer in SEEDS_FIELD's range, else null. */
export function parseSeeds(v: string | number | null): number | null {
  if (v === null || v === '') return null;
  const n = Number(v);
  return Number.isInteger(n) && n >= SEEDS_FIELD.min && n <= SEEDS_FIELD.max ? n : null;
}

const ACTIVE: readonly SeedStatus['state'][] = ['queued', 'loading', 'compiling', 'running'];

export const createGroupsSlice =
  (spawn: SpawnTraining): StateCreator<Store, [], [], GroupsSlice> =>
  (set, get) => {
    const queue: { runId: string; config: RunConfig }[] = [];
    const workers = new Map<string, SeedWorker>();
    const pending = new Map<string, MetricsRow[]>();
    let flushTimer: ReturnType<typeof setTimeout> | null = null;

    const flush = () => {
      flushTimer = null;
      const batches = [...pending.entries()];
      pending.clear();
      if (batches.length === 0) return;
      set((s) => {
        const metricsByRun = { ...s.metricsByRun };
        for (const [id, rows] of batches) metricsByRun[id] = [...(metricsByRun[id] ?? []), ...rows];
        return { metricsByRun };
      });
      for (const [id, rows] of batches) void get().appendMetrics(id, rows);
    };

    const patchSeed = (runId: string, p: Partial<SeedStatus>) =>
      set((s) => ({
        seedStatus: {
          ...s.seedStatus,
          [runId]: { ...(s.seedStatus[runId] ?? { state: 'queued', step: 0, error: null }), ...p },
        },
      }));

    /** Seeds that may train at once: all of them on the CPU, one on WebGPU or before the backend is known. */
    const concurrency = () => (get().status.backend?.kind === 'cpu' ? Infinity : 1);

    const finish = (runId: string) => {
      workers.get(runId)?.terminate();
      workers.delete(runId);
      pump();
    };

    const onEvent = (runId: string) => (e: WorkerEvent) => {
      if (!workers.has(runId)) return; // a late event of a stopped seed
      switch (e.type) {
        case 'backend':
          if (!get().status.backend) set((s) => ({ status: { ...s.status, backend: e.backend } }));
          break;
        case 'state':
          void get().saveTrainerState(runId, e.state);
          break;
        case 'step':
          pending.set(runId, [...(pending.get(runId) ?? []), e.report.metrics]);
          flushTimer ??= setTimeout(flush, FLUSH_MS);
          break;
        case 'status':
          patchSeed(runId, { state: e.state, step: e.step });
          if (e.state === 'done' || e.state === 'error') {
            flush();
            void get().setRunStatus(runId, e.state);
            finish(runId);
          }
          break;
        case 'error':
          flush();
          patchSeed(runId, { state: 'error', error: e.error.message });
          void get().setRunStatus(runId, 'error');
          finish(runId);
          break;
        default:
          break;
      }
    };

    function pump() {
      while (queue.length > 0 && workers.size < concurrency()) {
        const { runId, config } = queue.shift()!;
        const w = spawn(onEvent(runId), (message) => {
          patchSeed(runId, { state: 'error', error: message });
          void get().setRunStatus(runId, 'error');
          finish(runId);
        });
        workers.set(runId, w);
        patchSeed(runId, { state: 'loading' });
        w.send({ type: 'init', config, runId, threads: 1 }); // the seeds already share the cores
        w.send({ type: 'start' });
      }
    }

    const enqueue = (groupId: string, groupName: string, config: RunConfig, seeds: number[]) => {
      for (const seed of seeds) {
        const runId = crypto.randomUUID();
        const cfg = { ...config, seed };
        const meta = { id: runId, name: `${groupName} · seed ${seed}`, config: cfg, groupId, groupName };
        void get().createRun(meta);
        set((s) => ({ metricsByRun: { ...s.metricsByRun, [runId]: [] } }));
        patchSeed(runId, { state: 'queued', step: 0, error: null });
        queue.push({ runId, config: cfg });
      }
      pump();
    };

    return {
      seeds: SEEDS_FIELD.default,
      showSeedLines: false,
      groupOverlay: [],
      seedStatus: {},
      compare: [null, null],
      setSeeds(n) {
        const v = parseSeeds(n);
        if (v !== null) set({ seeds: v });
      },
      setShowSeedLines(showSeedLines) {
        set({ showSeedLines });
      },
      startGroup() {
        const { config, seeds, runs } = get();
        const groupId = crypto.randomUUID();
        const taken = groupsOf(runs).map((g) => g.name);
        const name = runName(config, taken);
        set((s) => ({ groupOverlay: [...s.groupOverlay, groupId] }));
        enqueue(
          groupId,
          name,
          config,
          Array.from({ length: seeds }, (_, i) => config.seed + i),
        );
        return groupId;
      },
      addSeeds(groupId, more) {
        const g = groupsOf(get().runs).find((x) => x.id === groupId);
        if (!g || g.runs.length === 0 || more < 1) return;
        const last = g.runs[g.runs.length - 1];
        const seeds = Array.from({ length: more }, (_, i) => last.config.seed + 1 + i);
        if (!get().groupOverlay.includes(groupId)) set((s) => ({ groupOverlay: [...s.groupOverlay, groupId] }));
        enqueue(groupId, g.name, last.config, seeds);
      },
      stopGroup(groupId) {
        const ids = new Set(
          get()
            .runs.filter((r) => r.groupId === groupId)
            .map((r) => r.id),
        );
        for (let i = queue.length - 1; i >= 0; i--) if (ids.has(queue[i].runId)) queue.splice(i, 1);
        flush();
        for (const id of ids) {
          const st = get().seedStatus[id];
          if (!st || !ACTIVE.includes(st.state)) continue;
          patchSeed(id, { state: 'paused' });
          void get().setRunStatus(id, 'paused');
          workers.get(id)?.terminate();
          workers.delete(id);
        }
        pump();
      },
      async toggleGroupOverlay(groupId) {
        if (get().groupOverlay.includes(groupId)) {
          set((s) => ({ groupOverlay: s.groupOverlay.filter((id) => id !== groupId) }));
          return;
        }
        set((s) => ({ groupOverlay: [...s.groupOverlay, groupId] }));
        await get().ensureMetrics(
          get()
            .runs.filter((x) => x.groupId === groupId)
            .map((r) => r.id),
        );
      },
      async ensureMetrics(runIds) {
        for (const id of runIds) {
          if (get().metricsByRun[id] !== undefined) continue;
          const rows = await get().runMetrics(id);
          if (get().metricsByRun[id] === undefined) set((s) => ({ metricsByRun: { ...s.metricsByRun, [id]: rows } }));
        }
      },
      setCompare(side, target) {
        set((s) => {
          const compare: GroupsSlice['compare'] = [...s.compare];
          compare[side] = target;
          return { compare };
        });
      },
      async groupJson(groupId) {
        const metas = groupsOf(get().runs).find((g) => g.id === groupId)?.runs ?? [];
        const runs = [];
        for (const meta of metas) {
          const rows = await get().runMetrics(meta.id);
          runs.push({ meta, rows, diagnostics: diagnose(rows, meta.config) });
        }
        return groupToJson(runs);
      },
    };
  };
