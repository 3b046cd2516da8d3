// A run's metrics as files people take elsewhere — CSV and JSON Lines with TRL's metric names, one
// row per step — and a whole run as JSON (metadata + rows) that imports back losslessly. Import reads
// either: a run export, or JSON Lines of metric rows (the run is then named after the file).

import { parseRunConfig, type RunConfig } from './config';
import { NUMERIC_FIELDS } from './configTable';
import type { Diagnostic, Severity } from './diagnostics';
import { isMetricKey, METRIC_NAMES, type MetricKey, type MetricsRow } from './metrics';

export type RunStatusName = 'running' | 'paused' | 'done' | 'error';

export interface RunMeta {
  id: string;
  name: string;
  createdAt: number; // ms since the epoch
  config: RunConfig;
  steps: number; // completed RL steps
  status: RunStatusName;
  /** Step count of the saved trainer snapshot, when there is one (resume continues from here). */
  savedStep?: number;
  /** Runs started together on seeds s, s+1, … share a group (docs/DESIGN.md §7) and its name. */
  groupId?: string;
  groupName?: string;
}

/** Rows that come from an RL step (the final evaluation row holds only step, accuracy and pass@k). */
export function isTrainRow(row: MetricsRow): boolean {
  return Object.keys(row).some((k) => k !== 'step' && k !== 'accuracy' && k !== 'pass@k');
}

/** Completed RL steps a run's rows show: one past the last step that trained. */
export function completedSteps(rows: readonly MetricsRow[]): number {
  let n = 0;
  for (const r of rows) if (isTrainRow(r)) n = Math.max(n, r.step + 1);
  return n;
}

/** Columns in METRIC_NAMES order, then the others (reward components, timings) alphabetically; `step` first. */
export function metricColumns(rows: readonly MetricsRow[]): MetricKey[] {
  const present = new Set<MetricKey>();
  for (const r of rows) for (const k of Object.keys(r)) if (isMetricKey(k)) present.add(k);
  present.delete('step');
  const known = METRIC_NAMES.filter((n) => n !== 'step' && present.has(n));
  const knownSet = new Set<MetricKey>(known);
  const others = [...present].filter((k) => !knownSet.has(k)).sort();
  return ['step', ...known, ...others];
}

const csvCell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Header `step,<metric names present>`; one line per row; a metric a step did not log is an empty cell. */
export function metricsToCsv(rows: readonly MetricsRow[]): string {
  const cols = metricColumns(rows);
  const lines = [cols.map(csvCell).join(',')];
  for (const r of rows) lines.push(cols.map((c) => (r[c] === undefined ? '' : String(r[c]))).join(','));
  return lines.join('\n') + '\n';
}

/** One JSON object per step with only the metrics that step logged (non-finite values become null). */
export function metricsToJsonl(rows: readonly MetricsRow[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

export const RUN_EXPORT_FORMAT = 'grpo-playground-run';

export interface RunExport {
  format: typeof RUN_EXPORT_FORMAT;
  version: 1;
  run: Omit<RunMeta, 'id' | 'savedStep'>;
  metrics: MetricsRow[];
  /** What `diagnose` found in the run when it was exported (docs/DESIGN.md §5). */
  diagnostics?: Diagnostic[];
}

export const GROUP_EXPORT_FORMAT = 'grpo-playground-group';

/** A run group as one file: every seed's run export. */
export interface GroupExport {
  format: typeof GROUP_EXPORT_FORMAT;
  version: 1;
  runs: Omit<RunExport, 'format' | 'version'>[];
}

function exportOf(meta: RunMeta, rows: readonly MetricsRow[], diagnostics?: Diagnostic[]): RunExport {
  const { name, createdAt, config, steps, status, groupId, groupName } = meta;
  return {
    format: RUN_EXPORT_FORMAT,
    version: 1,
    run: { name, createdAt, config, steps, status, ...(groupId ? { groupId, groupName } : {}) },
    metrics: [...rows],
    ...(diagnostics ? { diagnostics } : {}),
  };
}

export function runToJson(meta: RunMeta, rows: readonly MetricsRow[], diagnostics?: Diagnostic[]): string {
  return JSON.stringify(exportOf(meta, rows, diagnostics));
}

/** The runs of a group, in seed order, as one file. */
export function groupToJson(
  runs: readonly { meta: RunMeta; rows: readonly MetricsRow[]; diagnostics?: Diagnostic[] }[],
): string {
  const doc: GroupExport = {
    format: GROUP_EXPORT_FORMAT,
    version: 1,
    runs: runs.map(({ meta, rows, diagnostics }) => {
      const { run, metrics, diagnostics: d } = exportOf(meta, rows, diagnostics);
      return { run, metrics, ...(d ? { diagnostics: d } : {}) };
    }),
  };
  return JSON.stringify(doc);
}

/** A run read from a file, without an id yet. */
export interface ImportedRun {
  name: string;
  createdAt: number;
  config: RunMeta['config'];
  steps: number;
  status: RunStatusName;
  metrics: MetricsRow[];
  groupId?: string;
  groupName?: string;
  diagnostics?: Diagnostic[];
}

/**
 * A metric row from JSON: `step` a non-negative integer, numeric metrics kept, nulls and keys that name
 * none of our metrics (e.g. other tools' extra columns) dropped.
 */
function toRow(v: unknown, where: string): MetricsRow {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where}: not a JSON object`);
  const o = v as Record<string, unknown>;
  if (typeof o.step !== 'number' || !Number.isInteger(o.step) || o.step < 0) {
    throw new Error(`${where}: "step" must be a non-negative integer, got ${JSON.stringify(o.step) ?? 'nothing'}`);
  }
  const row: MetricsRow = { step: o.step };
  for (const [k, x] of Object.entries(o)) {
    if (typeof x === 'number') {
      if (isMetricKey(k)) row[k] = x;
    } else if (x !== null) throw new Error(`${where}: "${k}" is not a number`);
  }
  return row;
}

const STATUSES: readonly RunStatusName[] = ['running', 'paused', 'done', 'error'];

/** How far an import has got: rows read of the rows the file holds. */
export interface ImportProgress {
  rows: number;
  total: number;
}

/** Rows parsed between two progress reports (and, in parseRunsImportAsync, between two yields). */
export const IMPORT_CHUNK_ROWS = 5000;

const describeJson = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;

/** Python's json writes NaN and ±Infinity bare; JSON has no such numbers. */
const NON_JSON_NUMBER = /(?<![\w"])(-?Infinity|NaN)(?![\w"])/;

function parseLine(line: string, where: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    const bad = NON_JSON_NUMBER.exec(line);
    if (bad) throw new Error(`${where}: ${bad[1]} is not a JSON number (write null for a metric a step did not log)`);
    throw new Error(`${where}: not valid JSON`);
  }
}

/**
 * The import, as steps: yields progress after every IMPORT_CHUNK_ROWS rows and returns the run.
 * parseRunImport runs it through; parseRunsImportAsync yields to the page between chunks.
 */
function* importSteps(text: string, fileName: string): Generator<ImportProgress, ImportedRun> {
  const baseName = fileName.replace(/\.(jsonl|ndjson|json)$/i, '') || 'imported run';
  const trimmed = text.trim();
  if (trimmed === '') throw new Error(`${fileName} is empty`);
  let doc: unknown;
  let isSingleJson = true;
  try {
    doc = JSON.parse(trimmed);
  } catch {
    isSingleJson = false;
  }
  // Bare rows carry no config: the defaults, with the step budget the rows show (within the steps
  // range a config allows; the run's own step count keeps the full length).
  const fromRows = (rows: MetricsRow[]): ImportedRun => {
    if (rows.length === 0) throw new Error(`${fileName} holds no metric rows`);
    const steps = completedSteps(rows);
    const maxSteps = NUMERIC_FIELDS.steps.max;
    return {
      name: baseName,
      createdAt: Date.now(),
      config: parseRunConfig({ steps: Math.min(maxSteps, Math.max(1, steps)) }),
      steps,
      status: 'done',
      metrics: sortByStep(rows),
    };
  };

  const isRowObject = typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'step' in doc;
  if (!isSingleJson || isRowObject) {
    const numbered = trimmed
      .split(/\r?\n/)
      .map((l, i) => [l.trim(), i + 1] as const)
      .filter(([l]) => l !== '');
    const lines = numbered.map(([l]) => l);
    return fromRows(yield* readRows(lines, (i) => `${fileName} line ${numbered[i][1]}`, true));
  }
  if (Array.isArray(doc)) return fromRows(yield* readRows(doc, (i) => `${fileName} row ${i + 1}`, false));
  if (typeof doc !== 'object' || doc === null) {
    throw new Error(
      `${fileName} holds ${describeJson(doc)}, not a run: expected a run export, an array of metric rows, or JSON Lines of metric rows`,
    );
  }
  const o = doc as Partial<RunExport> & Record<string, unknown>;
  if (o.format !== RUN_EXPORT_FORMAT) {
    const got = o.format === undefined ? 'no "format"' : `format ${JSON.stringify(o.format)}`;
    throw new Error(
      `${fileName} has ${got}: expected a "${RUN_EXPORT_FORMAT}" run export, an array of metric rows, or JSON Lines of metric rows`,
    );
  }
  return yield* runOf(o, fileName, baseName);
}

/** Rows from JSON values (or, with `parse`, JSON Lines), yielding progress every IMPORT_CHUNK_ROWS. */
function* readRows(
  items: readonly unknown[],
  where: (i: number) => string,
  parse: boolean,
): Generator<ImportProgress, MetricsRow[]> {
  const rows: MetricsRow[] = [];
  for (let i = 0; i < items.length; i++) {
    const w = where(i);
    rows.push(toRow(parse ? parseLine(items[i] as string, w) : items[i], w));
    if ((i + 1) % IMPORT_CHUNK_ROWS === 0 && i + 1 < items.length) yield { rows: i + 1, total: items.length };
  }
  yield { rows: items.length, total: items.length };
  return rows;
}

/** A run object of a run or group export: its config through RunConfigSchema, its rows, its group. */
function* runOf(
  o: Partial<RunExport> & Record<string, unknown>,
  where: string,
  baseName: string,
): Generator<ImportProgress, ImportedRun> {
  if (typeof o.run !== 'object' || o.run === null || Array.isArray(o.run)) {
    throw new Error(`${where}: "run" must be an object with the run's name, config and steps`);
  }
  if (!Array.isArray(o.metrics)) throw new Error(`${where}: "metrics" must be an array of metric rows`);
  const run = o.run as Record<string, unknown>;
  let config: RunConfig;
  try {
    config = parseRunConfig(run.config ?? {});
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
  const metrics = sortByStep(yield* readRows(o.metrics, (i) => `${where} metrics[${i}]`, false));
  if (run.steps !== undefined && (typeof run.steps !== 'number' || !Number.isInteger(run.steps) || run.steps < 0)) {
    throw new Error(`${where}: run.steps must be a non-negative integer, got ${JSON.stringify(run.steps)}`);
  }
  if (run.createdAt !== undefined && (typeof run.createdAt !== 'number' || !Number.isFinite(run.createdAt))) {
    throw new Error(`${where}: run.createdAt must be a time in ms since the epoch`);
  }
  const status = STATUSES.includes(run.status as RunStatusName) ? (run.status as RunStatusName) : 'done';
  const diagnostics = Array.isArray(o.diagnostics) ? o.diagnostics.filter(isDiagnostic) : undefined;
  return {
    name: typeof run.name === 'string' && run.name !== '' ? run.name : baseName,
    createdAt: typeof run.createdAt === 'number' ? run.createdAt : Date.now(),
    config,
    steps: typeof run.steps === 'number' ? run.steps : completedSteps(metrics),
    status: status === 'running' ? 'paused' : status,
    metrics,
    ...(typeof run.groupId === 'string' && run.groupId !== ''
      ? { groupId: run.groupId, groupName: typeof run.groupName === 'string' ? run.groupName : baseName }
      : {}),
    ...(diagnostics ? { diagnostics } : {}),
  };
}

/**
 * Parses an export: a run JSON (this page's "Export run"), an array of metric rows, or JSON Lines of
 * metric rows. Errors name the line or field; a run's config goes through RunConfigSchema, so values
 * outside the sidebar's ranges are refused. A run that was running when exported arrives paused.
 */
export function parseRunImport(text: string, fileName: string): ImportedRun {
  return drain(importSteps(text, fileName));
}

/** Runs import steps through to their result. */
function drain<T>(it: Generator<ImportProgress, T>): T {
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/** Runs import steps through, reporting each and yielding to the page between them. */
async function drainAsync<T>(it: Generator<ImportProgress, T>, onProgress: (p: ImportProgress) => void): Promise<T> {
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    onProgress(r.value);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

const SEVERITIES: readonly Severity[] = ['warning', 'error'];
function isDiagnostic(v: unknown): v is Diagnostic {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  return (
    typeof d.id === 'string' &&
    SEVERITIES.includes(d.severity as Severity) &&
    typeof d.step === 'number' &&
    typeof d.message === 'string'
  );
}

/**
 * Every run a file holds, as import steps: a group export's runs (sharing their group), or the one run
 * `importSteps` reads. A group id from a file is kept as-is; the importer gives it a fresh one.
 */
function* importAllSteps(text: string, fileName: string): Generator<ImportProgress, ImportedRun[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(text.trim());
  } catch {
    return [yield* importSteps(text, fileName)];
  }
  const o = doc as Partial<GroupExport> | null;
  if (typeof o !== 'object' || o === null || o.format !== GROUP_EXPORT_FORMAT)
    return [yield* importSteps(text, fileName)];
  if (!Array.isArray(o.runs) || o.runs.length === 0) throw new Error(`${fileName}: a group export with no runs`);
  const baseName = fileName.replace(/\.(group\.json|json)$/i, '') || 'imported group';
  const runs: ImportedRun[] = [];
  for (const [i, r] of o.runs.entries()) {
    runs.push(yield* runOf(r as Partial<RunExport> & Record<string, unknown>, `${fileName} runs[${i}]`, baseName));
  }
  return runs;
}

/** Every run a file holds (parseRunImport's, or a group export's), read in one go. */
export function parseRunsImport(text: string, fileName: string): ImportedRun[] {
  return drain(importAllSteps(text, fileName));
}

/** parseRunsImport that reports progress and gives the page a turn between chunks of rows. */
export function parseRunsImportAsync(
  text: string,
  fileName: string,
  onProgress: (p: ImportProgress) => void = () => {},
): Promise<ImportedRun[]> {
  return drainAsync(importAllSteps(text, fileName), onProgress);
}

function sortByStep(rows: MetricsRow[]): MetricsRow[] {
  return [...rows].sort((a, b) => a.step - b.step);
}

/** A file name from a run name: letters, digits, dashes. */
export function fileStem(name: string): string {
  return name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
}
