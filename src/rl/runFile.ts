// A run's metrics as files people take elsewhere — CSV and JSON Lines with TRL's metric names, one
// row per step — and a whole run as JSON (metadata + rows) that imports back losslessly. Import reads
// either: a run export, or JSON Lines of metric rows (the run is then named after the file).

import { parseRunConfig, type RunConfig } from './config';
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
    throw new Error(`${where}: "step" must be a non-negative integer`);
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

/**
 * Parses an export: a run JSON (this page's "Export run"), an array of metric rows, or JSON Lines of
 * metric rows. Errors name the line or field. A run that was running when exported arrives paused.
 */
export function parseRunImport(text: string, fileName: string): ImportedRun {
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
  // Bare rows carry no config: the defaults, with the step budget the rows show.
  const fromRows = (rows: MetricsRow[]): ImportedRun => ({
    name: baseName,
    createdAt: Date.now(),
    config: parseRunConfig({ steps: Math.max(1, completedSteps(rows)) }),
    steps: completedSteps(rows),
    status: 'done',
    metrics: sortByStep(rows),
  });
  if (!isSingleJson || (typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'step' in doc)) {
    const rows = trimmed
      .split(/\r?\n/)
      .map((l, i) => [l.trim(), i + 1] as const)
      .filter(([l]) => l !== '')
      .map(([l, n]) => {
        let v: unknown;
        try {
          v = JSON.parse(l);
        } catch {
          throw new Error(`${fileName} line ${n}: not valid JSON`);
        }
        return toRow(v, `${fileName} line ${n}`);
      });
    return fromRows(rows);
  }
  if (Array.isArray(doc)) return fromRows(doc.map((v, i) => toRow(v, `${fileName} row ${i + 1}`)));
  const o = doc as Partial<RunExport> & Record<string, unknown>;
  if (o.format !== RUN_EXPORT_FORMAT) throw new Error(`${fileName} is neither a run export nor metric rows`);
  return runOf(o, fileName, baseName);
}

/** A run object of a run or group export. */
function runOf(o: Partial<RunExport> & Record<string, unknown>, where: string, baseName: string): ImportedRun {
  if (typeof o.run !== 'object' || o.run === null || !Array.isArray(o.metrics)) {
    throw new Error(`${where} is neither a run export nor metric rows`);
  }
  const run = o.run as Partial<ImportedRun>;
  const metrics = sortByStep(o.metrics.map((v, i) => toRow(v, `${where} metrics[${i}]`)));
  const status = STATUSES.includes(run.status as RunStatusName) ? (run.status as RunStatusName) : 'done';
  const diagnostics = Array.isArray(o.diagnostics) ? o.diagnostics.filter(isDiagnostic) : undefined;
  return {
    name: typeof run.name === 'string' && run.name !== '' ? run.name : baseName,
    createdAt: typeof run.createdAt === 'number' ? run.createdAt : Date.now(),
    config: parseRunConfig(run.config ?? {}),
    steps: typeof run.steps === 'number' ? run.steps : completedSteps(metrics),
    status: status === 'running' ? 'paused' : status,
    metrics,
    ...(typeof run.groupId === 'string' && run.groupId !== ''
      ? { groupId: run.groupId, groupName: typeof run.groupName === 'string' ? run.groupName : baseName }
      : {}),
    ...(diagnostics ? { diagnostics } : {}),
  };
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
 * Every run a file holds: a group export's runs (sharing their group), or the one run `parseRunImport`
 * reads. A group id from a file is kept as-is; the importer gives it a fresh one.
 */
export function parseRunsImport(text: string, fileName: string): ImportedRun[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text.trim());
  } catch {
    return [parseRunImport(text, fileName)];
  }
  const o = doc as Partial<GroupExport> | null;
  if (typeof o !== 'object' || o === null || o.format !== GROUP_EXPORT_FORMAT) return [parseRunImport(text, fileName)];
  if (!Array.isArray(o.runs) || o.runs.length === 0) throw new Error(`${fileName}: a group export with no runs`);
  const baseName = fileName.replace(/\.(group\.json|json)$/i, '') || 'imported group';
  return o.runs.map((r, i) =>
    runOf(r as Partial<RunExport> & Record<string, unknown>, `${fileName} runs[${i}]`, baseName),
  );
}

function sortByStep(rows: MetricsRow[]): MetricsRow[] {
  return [...rows].sort((a, b) => a.step - b.step);
}

/** A file name from a run name: letters, digits, dashes. */
export function fileStem(name: string): string {
  return name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
}
