// The runs list (docs/DESIGN.md §7): every run kept in IndexedDB with its metrics and latest trainer
// snapshot, which runs the charts overlay, and the actions of the Runs panel. Writes go through one
// queue, in order, so a run exists before its rows land and a reload finds every completed step.
// Actions never reject: a failure lands in `runsError`. Also composes the link state (urlSlice).

import type { StateCreator } from 'zustand';
import type { RunConfig } from '../../rl/config';
import type { MetricsRow } from '../../rl/metrics';
import type { TrainerState } from '../../rl/trainer';
import { completedSteps, RunsDb, type RunMeta, type RunStatusName } from '../runs/db';
import { parseRunsImportAsync, type ImportProgress } from '../../rl/runFile';
import { createUrlSlice, type UrlSlice } from '../url/urlSlice';
import { runsHeldElsewhere } from '../runs/runLocks';
import type { Store } from './index';

/** The imported start policy, as the panel shows it (the bytes stay in IndexedDB). */
export interface StartPolicyInfo {
  fileName: string;
  task: string;
  model: RunConfig['model'];
}

export interface RunsSlice extends UrlSlice {
  runs: RunMeta[]; // oldest first
  overlay: string[]; // run ids drawn on the charts besides the current run
  /** Ids of runs that stopped before their last step and have a snapshot to continue from. */
  resumable: string[];
  startPolicy: StartPolicyInfo | null;
  runsError: string | null;
  /** The import in progress: the file, rows read of its rows, then saving. */
  importProgress: (ImportProgress & { fileName: string; saving: boolean }) | null;
  /** Ids of runs another tab is training now (runLocks.ts): shown as such, never resumed here. */
  heldElsewhere: string[];
  /** Re-reads which runs other tabs hold. */
  refreshHeld(): Promise<void>;
  /** Reads every run from IndexedDB; runs that were `running` (the page was closed mid-run) become `paused`. */
  loadAll(): Promise<void>;
  createRun(meta: { id: string; name: string; config: RunConfig; groupId?: string; groupName?: string }): Promise<void>;
  /** Persists rows of a run (the live rows are already in metricsByRun). */
  appendMetrics(runId: string, rows: MetricsRow[]): Promise<void>;
  setRunStatus(runId: string, status: RunStatusName | string): Promise<void>;
  rename(runId: string, name: string): Promise<void>;
  /** The config a live run goes on with (a new step budget, or reward code that replaced failing code). */
  setRunConfig(runId: string, config: RunConfig): Promise<void>;
  deleteRun(runId: string): Promise<void>;
  toggleOverlay(runId: string): Promise<void>;
  saveTrainerState(runId: string, state: TrainerState): Promise<void>;
  loadTrainerState(runId: string): Promise<TrainerState | undefined>;
  /** Continues a run from its snapshot: its rows become the snapshot's and the worker picks it up. */
  resumeRun(runId: string): Promise<void>;
  /** A run's rows from IndexedDB (after every queued write). */
  runMetrics(runId: string): Promise<MetricsRow[]>;
  /** Adds the runs of an export file (a group export holds several); returns the first's id, or null (the reason in runsError). */
  importRun(text: string, fileName: string): Promise<string | null>;
  /** Keeps a .safetensors policy to start runs of its task and size from; the sidebar switches to them. */
  importCheckpoint(bytes: Uint8Array, fileName: string): Promise<boolean>;
  clearStartPolicy(): Promise<void>;
  dismissRunsError(): void;
}

const STATUSES: readonly string[] = ['running', 'paused', 'done', 'error'] satisfies RunStatusName[];

const isResumable = (r: RunMeta) =>
  r.status !== 'done' && r.savedStep !== undefined && r.savedStep < r.config.steps && r.savedStep > 0;

/** Where the overlay ticks live between visits (ids, in the order ticked: the charts' colours follow it). */
export const OVERLAY_KEY = 'grpo-playground.overlay';

export interface OverlayStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const pageStorage = (): OverlayStorage | null => (typeof localStorage === 'undefined' ? null : localStorage);

function readOverlay(storage: OverlayStorage | null): string[] {
  try {
    const v: unknown = JSON.parse(storage?.getItem(OVERLAY_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

const withRuns = (runs: RunMeta[], held: readonly string[]) => ({
  runs,
  resumable: runs.filter((r) => isResumable(r) && !held.includes(r.id)).map((r) => r.id),
});

/** The slice over a given database (tests open their own; the page opens DB_NAME). */
export const createRunsSliceWith =
  (
    openDb: () => Promise<RunsDb>,
    storage: () => OverlayStorage | null = pageStorage,
  ): StateCreator<Store, [], [], RunsSlice> =>
  (...a) => {
    const [set, get] = a;
    const setOverlay = (overlay: string[]) => {
      set({ overlay });
      try {
        storage()?.setItem(OVERLAY_KEY, JSON.stringify(overlay));
      } catch {
        // Storage full or blocked: the ticks still hold for this visit.
      }
    };
    const loadOverlaid = async (ids: readonly string[]) => {
      for (const id of ids) {
        if (get().metricsByRun[id] !== undefined) continue;
        const rows = await enqueue((d) => d.metrics(id));
        if (rows && get().metricsByRun[id] === undefined) setMetrics(id, rows);
      }
    };
    let db: Promise<RunsDb> | null = null;
    let queue: Promise<unknown> = Promise.resolve();

    const fail = (e: unknown) => set({ runsError: e instanceof Error ? e.message : String(e) });
    /** Runs `f` after every earlier write; a failure is reported, never thrown. */
    function enqueue<T>(f: (d: RunsDb) => Promise<T>): Promise<T | undefined> {
      const p = queue
        .then(async () => f(await (db ??= openDb())))
        .catch((e: unknown) => {
          fail(e);
          return undefined;
        });
      queue = p;
      return p;
    }
    const replaceMeta = (meta: RunMeta | undefined) => {
      if (meta)
        set((s) =>
          withRuns(
            s.runs.map((r) => (r.id === meta.id ? meta : r)),
            s.heldElsewhere,
          ),
        );
    };
    const setMetrics = (runId: string, rows: MetricsRow[]) =>
      set((s) => ({ metricsByRun: { ...s.metricsByRun, [runId]: rows } }));

    return {
      ...createUrlSlice(...a),
      runs: [],
      overlay: [],
      resumable: [],
      startPolicy: null,
      runsError: null,
      importProgress: null,
      heldElsewhere: [],

      async refreshHeld() {
        const held = await runsHeldElsewhere();
        if (held.join() === get().heldElsewhere.join()) return;
        set((s) => ({ heldElsewhere: held, ...withRuns(s.runs, held) }));
      },

      async loadAll() {
        await get().refreshHeld();
        await enqueue(async (d) => {
          const runs = await d.listRuns();
          const held = get().heldElsewhere;
          for (const r of runs) {
            if (r.status === 'running' && r.id !== get().currentRunId && !held.includes(r.id)) {
              r.status = 'paused';
              await d.putRun(r);
            }
          }
          const p = await d.loadStartPolicy();
          // A run created while this read was queued is not in the listing yet: keep it.
          const listed = new Set(runs.map((r) => r.id));
          const pending = get().runs.filter((r) => !listed.has(r.id));
          set({
            ...withRuns([...runs, ...pending], get().heldElsewhere),
            startPolicy: p ? { fileName: p.fileName, task: p.task, model: p.model } : null,
          });
        });
        // The ticks of the last visit, for runs that still exist.
        const known = new Set(get().runs.map((r) => r.id));
        const overlay = [...new Set([...get().overlay, ...readOverlay(storage())])].filter((id) => known.has(id));
        setOverlay(overlay);
        await loadOverlaid(overlay);
      },

      async createRun({ id, name, config, groupId, groupName }) {
        const meta: RunMeta = {
          id,
          name,
          createdAt: Date.now(),
          config,
          steps: 0,
          status: 'running',
          ...(groupId ? { groupId, groupName } : {}),
        };
        set((s) => withRuns([...s.runs.filter((r) => r.id !== id), meta], s.heldElsewhere));
        await enqueue((d) => d.putRun(meta));
      },

      async appendMetrics(runId, rows) {
        if (rows.length === 0) return;
        replaceMeta(await enqueue((d) => d.appendMetrics(runId, rows)));
      },

      async setRunStatus(runId, status) {
        if (!STATUSES.includes(status)) return;
        const meta = await enqueue(async (d) => {
          const m = await d.getRun(runId);
          // The worker reports its state at every phase of a step: only a change is written (and
          // redrawn), judged against the stored run in write order.
          if (!m || m.status === status) return undefined;
          m.status = status as RunStatusName;
          await d.putRun(m);
          return m;
        });
        replaceMeta(meta);
      },

      async setRunConfig(runId, config) {
        set((s) =>
          withRuns(
            s.runs.map((r) => (r.id === runId ? { ...r, config } : r)),
            s.heldElsewhere,
          ),
        );
        await enqueue(async (d) => {
          const m = await d.getRun(runId);
          if (m) await d.putRun({ ...m, config });
        });
      },

      async rename(runId, name) {
        const clean = name.trim();
        if (clean === '') return;
        set((s) =>
          withRuns(
            s.runs.map((r) => (r.id === runId ? { ...r, name: clean } : r)),
            s.heldElsewhere,
          ),
        );
        await enqueue(async (d) => {
          const m = await d.getRun(runId);
          if (m) await d.putRun({ ...m, name: clean });
        });
      },

      async deleteRun(runId) {
        if (get().currentRunId === runId) get().reset();
        set((s) => {
          const metricsByRun = { ...s.metricsByRun };
          delete metricsByRun[runId];
          return {
            ...withRuns(
              s.runs.filter((r) => r.id !== runId),
              s.heldElsewhere,
            ),
            overlay: s.overlay.filter((id) => id !== runId),
            metricsByRun,
          };
        });
        setOverlay(get().overlay.filter((id) => id !== runId));
        await enqueue((d) => d.deleteRun(runId));
      },

      async toggleOverlay(runId) {
        const overlay = get().overlay;
        if (overlay.includes(runId)) {
          setOverlay(overlay.filter((id) => id !== runId));
          return;
        }
        setOverlay([...overlay, runId]);
        await loadOverlaid([runId]);
      },

      async saveTrainerState(runId, state) {
        replaceMeta(await enqueue((d) => d.saveTrainerState(runId, state)));
      },

      async loadTrainerState(runId) {
        return enqueue((d) => d.loadTrainerState(runId));
      },

      async resumeRun(runId) {
        if ((await runsHeldElsewhere()).includes(runId)) {
          set({ runsError: 'This run is being trained in another tab: continue it there.' });
          return get().refreshHeld();
        }
        const found = await enqueue(async (d) => {
          const state = await d.loadTrainerState(runId);
          const meta = await d.getRun(runId);
          if (!state || !meta) throw new Error('this run has no saved state to resume from');
          await d.replaceMetrics(runId, state.metrics);
          const m: RunMeta = { ...meta, status: 'running', steps: completedSteps(state.metrics) };
          await d.putRun(m);
          return { state, meta: m };
        });
        if (!found) return;
        replaceMeta(found.meta);
        setMetrics(runId, found.state.metrics);
        get().resume(runId, found.state);
      },

      async runMetrics(runId) {
        return (await enqueue((d) => d.metrics(runId))) ?? [];
      },

      async importRun(text, fileName) {
        let parsed;
        try {
          parsed = await parseRunsImportAsync(text, fileName, (p) =>
            set({ importProgress: { fileName, ...p, saving: false } }),
          );
        } catch (e) {
          set({ importProgress: null });
          fail(e);
          return null;
        }
        // A group imported twice is two groups: each import gets fresh group ids.
        const groupIds = new Map<string, string>();
        const imported = parsed.map(({ metrics, diagnostics: _found, groupId, ...rest }) => {
          const meta: RunMeta = { id: crypto.randomUUID(), ...rest };
          if (groupId) {
            if (!groupIds.has(groupId)) groupIds.set(groupId, crypto.randomUUID());
            meta.groupId = groupIds.get(groupId);
          }
          return { meta, metrics };
        });
        const n = imported.reduce((sum, r) => sum + r.metrics.length, 0);
        set({ importProgress: { fileName, rows: n, total: n, saving: true } });
        const ok = await enqueue(async (d) => {
          for (const { meta, metrics } of imported) {
            await d.putRun(meta);
            await d.replaceMetrics(meta.id, metrics);
          }
          return true;
        });
        set({ importProgress: null });
        if (!ok) return null;
        set((s) => withRuns([...s.runs, ...imported.map((r) => r.meta)], s.heldElsewhere));
        return imported[0].meta.id;
      },

      async importCheckpoint(bytes, fileName) {
        let checked;
        try {
          // Loaded on demand: it brings the tasks and the trainer's tokenizer.
          const { startPolicyFromFile } = await import('../runs/policyCheckpoint');
          checked = startPolicyFromFile(bytes, fileName);
        } catch (e) {
          fail(e);
          return false;
        }
        const { policy, configPatch } = checked;
        const ok = await enqueue(async (d) => {
          await d.saveStartPolicy(policy);
          return true;
        });
        if (!ok) return false;
        set({ startPolicy: { fileName, task: policy.task, model: configPatch.model } });
        get().setConfig(configPatch);
        return true;
      },

      async clearStartPolicy() {
        set({ startPolicy: null });
        await enqueue((d) => d.clearStartPolicy());
      },

      dismissRunsError() {
        set({ runsError: null });
      },
    };
  };

export const createRunsSlice: StateCreator<Store, [], [], RunsSlice> = createRunsSliceWith(() => RunsDb.open());
