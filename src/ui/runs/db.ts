// The runs store in IndexedDB (via idb): every run's metadata, its metrics one row per step, the
// latest trainer snapshot per run (so a reload mid-run can resume), and an imported start policy.
// The page and the training worker can both open it; nothing here touches React or the store.

import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { GPTConfig } from '../../models/config';
import type { RunConfig } from '../../rl/config';
import type { MetricsRow } from '../../rl/metrics';
import type { TrainerState } from '../../rl/trainer';
import { completedSteps, type RunMeta } from '../../rl/runFile';

export { completedSteps, isTrainRow, type RunMeta, type RunStatusName } from '../../rl/runFile';

export const DB_NAME = 'grpo-playground';
const DB_VERSION = 1;

/** A policy checkpoint the person imported to start runs from instead of the task's base checkpoint. */
export interface StartPolicy {
  fileName: string;
  task: string;
  model: RunConfig['model']; // the model size its shape matches
  config: GPTConfig;
  bytes: Uint8Array; // the .safetensors file as imported
  importedAt: number;
}

interface RunsSchema extends DBSchema {
  runs: { key: string; value: RunMeta };
  metrics: { key: [string, number]; value: { runId: string; step: number; row: MetricsRow } };
  trainerStates: { key: string; value: TrainerState };
  startPolicy: { key: 'start'; value: StartPolicy };
}

const stepRange = (runId: string) => IDBKeyRange.bound([runId, -Infinity], [runId, Infinity]);

export class RunsDb {
  private constructor(private readonly db: IDBPDatabase<RunsSchema>) {}

  static async open(name: string = DB_NAME): Promise<RunsDb> {
    const db = await openDB<RunsSchema>(name, DB_VERSION, {
      upgrade(d) {
        d.createObjectStore('runs', { keyPath: 'id' });
        d.createObjectStore('metrics', { keyPath: ['runId', 'step'] });
        d.createObjectStore('trainerStates');
        d.createObjectStore('startPolicy');
      },
    });
    return new RunsDb(db);
  }

  close(): void {
    this.db.close();
  }

  /** Oldest first. */
  async listRuns(): Promise<RunMeta[]> {
    const runs = await this.db.getAll('runs');
    return runs.sort((a, b) => a.createdAt - b.createdAt);
  }

  getRun(id: string): Promise<RunMeta | undefined> {
    return this.db.get('runs', id);
  }

  async putRun(meta: RunMeta): Promise<void> {
    await this.db.put('runs', meta);
  }

  /**
   * Stores rows (one per step; a second row for a step already stored is merged into it, later keys
   * winning), raises the run's step count and marks it running (rows arrive only from a live run;
   * pause/done/error are set after its last rows). Returns the updated metadata.
   */
  async appendMetrics(runId: string, rows: readonly MetricsRow[]): Promise<RunMeta | undefined> {
    const tx = this.db.transaction(['runs', 'metrics'], 'readwrite');
    const metrics = tx.objectStore('metrics');
    for (const row of rows) {
      const old = await metrics.get([runId, row.step]);
      await metrics.put({ runId, step: row.step, row: old ? { ...old.row, ...row } : { ...row } });
    }
    const meta = await tx.objectStore('runs').get(runId);
    if (meta) {
      meta.steps = Math.max(meta.steps, completedSteps(rows));
      meta.status = 'running';
      await tx.objectStore('runs').put(meta);
    }
    await tx.done;
    return meta;
  }

  /** Replaces a run's rows (on resume the trainer's snapshot is the truth). */
  async replaceMetrics(runId: string, rows: readonly MetricsRow[]): Promise<void> {
    const tx = this.db.transaction('metrics', 'readwrite');
    // Requests queue in order inside the transaction: awaiting each put would cost a round trip per row.
    const writes: Promise<unknown>[] = [tx.store.delete(stepRange(runId))];
    for (const row of rows) writes.push(tx.store.put({ runId, step: row.step, row: { ...row } }));
    await Promise.all([...writes, tx.done]);
  }

  /** A run's rows by step. */
  async metrics(runId: string): Promise<MetricsRow[]> {
    const rows = await this.db.getAll('metrics', stepRange(runId));
    return rows.map((r) => r.row);
  }

  /** The run, its metrics and its snapshot, in one transaction. */
  async deleteRun(id: string): Promise<void> {
    const tx = this.db.transaction(['runs', 'metrics', 'trainerStates'], 'readwrite');
    await Promise.all([
      tx.objectStore('runs').delete(id),
      tx.objectStore('metrics').delete(stepRange(id)),
      tx.objectStore('trainerStates').delete(id),
      tx.done,
    ]);
  }

  /** Keeps only the latest snapshot of a run, and notes its step on the run. */
  async saveTrainerState(runId: string, state: TrainerState): Promise<RunMeta | undefined> {
    const tx = this.db.transaction(['runs', 'trainerStates'], 'readwrite');
    await tx.objectStore('trainerStates').put(state, runId);
    const meta = await tx.objectStore('runs').get(runId);
    if (meta) {
      meta.savedStep = state.step;
      await tx.objectStore('runs').put(meta);
    }
    await tx.done;
    return meta;
  }

  loadTrainerState(runId: string): Promise<TrainerState | undefined> {
    return this.db.get('trainerStates', runId);
  }

  async saveStartPolicy(p: StartPolicy): Promise<void> {
    await this.db.put('startPolicy', p, 'start');
  }

  loadStartPolicy(): Promise<StartPolicy | undefined> {
    return this.db.get('startPolicy', 'start');
  }

  async clearStartPolicy(): Promise<void> {
    await this.db.delete('startPolicy', 'start');
  }
}
