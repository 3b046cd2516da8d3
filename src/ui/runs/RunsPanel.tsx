// The Runs panel (docs/DESIGN.md §7): every run kept, with rename, delete, overlay on the charts,
// export (metrics as CSV / JSON Lines with TRL names, the whole run as JSON, the policy as
// .safetensors, the run as a TRL or verl job) and import (a run export, or a checkpoint to start
// new runs from). Offers to resume a run the page was closed in the middle of.

import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { diagnose } from '../../rl/diagnostics';
import type { MetricsRow } from '../../rl/metrics';
import { RUN_COLOURS } from '../charts/useChartRuns';
import { store, useStore } from '../store';
import type { RunMeta } from './db';
import { fileStem, metricsToCsv, metricsToJsonl, runToJson } from '../../rl/runFile';
import { download } from './download';
import { ExportJobMenu } from './ExportJobMenu';
import './runs.css';

const HELD_POLL_MS = 1000;

const STATUS_TEXT: Record<RunMeta['status'], string> = {
  running: 'running',
  paused: 'paused',
  done: 'done',
  error: 'stopped by an error',
};

function RunName({ run }: { run: RunMeta }) {
  const rename = useStore((s) => s.rename);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(run.name);
  if (!editing) {
    return (
      <button
        type="button"
        className="run-name"
        title="Rename"
        aria-label={`Rename ${run.name}`}
        onClick={() => {
          setDraft(run.name);
          setEditing(true);
        }}
      >
        {run.name}
      </button>
    );
  }
  const commit = () => {
    setEditing(false);
    void rename(run.id, draft);
  };
  return (
    <input
      className="run-name-input"
      aria-label={`New name for ${run.name}`}
      value={draft}
      autoFocus
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
        if (e.key === 'Escape') setEditing(false);
      }}
    />
  );
}

function RunItem({ run, colour }: { run: RunMeta; colour: string | null }) {
  const overlaid = useStore((s) => s.overlay.includes(run.id));
  const isCurrent = useStore((s) => s.currentRunId === run.id);
  const liveState = useStore((s) => (s.currentRunId === run.id ? s.status.state : null));
  const canResume = useStore((s) => s.resumable.includes(run.id) && s.currentRunId !== run.id);
  const elsewhere = useStore((s) => s.heldElsewhere.includes(run.id) && s.currentRunId !== run.id);
  const { toggleOverlay, deleteRun, runMetrics, loadTrainerState, resumeRun } = store.getState();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const stem = fileStem(run.name);

  const exportMetrics = async (format: 'csv' | 'jsonl' | 'json') => {
    const rows: MetricsRow[] = await runMetrics(run.id);
    if (format === 'csv') download(`${stem}.csv`, metricsToCsv(rows), 'text/csv');
    else if (format === 'jsonl') download(`${stem}.jsonl`, metricsToJsonl(rows), 'application/x-ndjson');
    else download(`${stem}.run.json`, runToJson(run, rows, diagnose(rows, run.config)), 'application/json');
  };
  const exportPolicy = async () => {
    setBusy('Writing checkpoint…');
    try {
      const state = await loadTrainerState(run.id);
      if (!state) throw new Error('this run has no saved weights yet');
      const { policyCheckpointBytes } = await import('./policyCheckpoint');
      download(
        `${stem}-step${state.step}.safetensors`,
        new Uint8Array(policyCheckpointBytes(state)),
        'application/octet-stream',
      );
    } catch (e) {
      store.setState({ runsError: `Export policy: ${(e as Error).message}` });
    } finally {
      setBusy(null);
    }
  };

  return (
    <li className={`run-item${isCurrent ? ' current' : ''}`}>
      <div className="run-head">
        <input
          type="checkbox"
          aria-label={`Overlay ${run.name} on the charts`}
          title="Draw this run on the charts"
          checked={overlaid || isCurrent}
          disabled={isCurrent}
          onChange={() => void toggleOverlay(run.id)}
        />
        {colour && <span className="run-swatch" style={{ background: colour }} aria-hidden />}
        <RunName run={run} />
      </div>
      <div className="run-meta muted">
        {run.steps}/{run.config.steps} steps ·{' '}
        {liveState ? `current · ${liveState}` : elsewhere ? 'running in another tab' : STATUS_TEXT[run.status]} ·{' '}
        {run.config.task} · {new Date(run.createdAt).toLocaleString()}
      </div>
      <div className="run-actions">
        {canResume && (
          <button type="button" className="primary" onClick={() => void resumeRun(run.id)}>
            Resume from step {run.savedStep}
          </button>
        )}
        <button
          type="button"
          aria-label={`Export ${run.name} metrics as CSV`}
          onClick={() => void exportMetrics('csv')}
        >
          CSV
        </button>
        <button
          type="button"
          aria-label={`Export ${run.name} metrics as JSON Lines`}
          onClick={() => void exportMetrics('jsonl')}
        >
          JSONL
        </button>
        <button
          type="button"
          aria-label={`Export ${run.name} as a run file`}
          title="The whole run (config + metrics), to import elsewhere"
          onClick={() => void exportMetrics('json')}
        >
          Run
        </button>
        <button
          type="button"
          aria-label={`Export ${run.name} policy as safetensors`}
          title={
            run.savedStep === undefined
              ? 'No weights saved yet'
              : `The policy after step ${run.savedStep}, as a Hugging Face GPT-2 .safetensors file`
          }
          disabled={run.savedStep === undefined || busy !== null}
          onClick={() => void exportPolicy()}
        >
          {busy ?? 'Policy'}
        </button>
        {confirmDelete ? (
          <>
            <button type="button" className="danger" onClick={() => void deleteRun(run.id)}>
              Delete {run.name}?
            </button>
            <button type="button" onClick={() => setConfirmDelete(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" aria-label={`Delete ${run.name}`} onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        )}
        <ExportJobMenu run={run} />
      </div>
    </li>
  );
}

function ImportProgressLine() {
  const p = useStore((s) => s.importProgress);
  if (!p) return null;
  const fmt = (n: number) => n.toLocaleString('en-US');
  return (
    <p className="import-progress" aria-live="polite">
      {p.saving
        ? `Saving ${p.fileName}: ${fmt(p.total)} rows…`
        : `Reading ${p.fileName}: ${fmt(p.rows)} of ${fmt(p.total)} rows`}
      <progress max={p.total} value={p.saving ? undefined : p.rows} aria-label={`Import of ${p.fileName}`} />
    </p>
  );
}

function ImportControls() {
  const importRun = useStore((s) => s.importRun);
  const importCheckpoint = useStore((s) => s.importCheckpoint);
  const runInput = useRef<HTMLInputElement>(null);
  const ckptInput = useRef<HTMLInputElement>(null);
  const onRun = async (e: ChangeEvent<HTMLInputElement>) => {
    const files = [...(e.target.files ?? [])];
    e.target.value = '';
    for (const f of files) await importRun(await f.text(), f.name);
  };
  const onCheckpoint = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    e.target.value = '';
    if (f) await importCheckpoint(new Uint8Array(await f.arrayBuffer()), f.name);
  };
  return (
    <div className="runs-import">
      <button type="button" onClick={() => runInput.current?.click()}>
        Import run…
      </button>
      <input
        ref={runInput}
        type="file"
        hidden
        multiple
        accept=".json,.jsonl,.ndjson,application/json"
        aria-label="Import run files"
        onChange={(e) => void onRun(e)}
      />
      <button
        type="button"
        title="A .safetensors GPT-2 policy to start new runs from instead of the task's base policy"
        onClick={() => ckptInput.current?.click()}
      >
        Import checkpoint…
      </button>
      <input
        ref={ckptInput}
        type="file"
        hidden
        accept=".safetensors"
        aria-label="Import checkpoint file"
        onChange={(e) => void onCheckpoint(e)}
      />
    </div>
  );
}

export function RunsPanel() {
  const runs = useStore((s) => s.runs);
  const overlay = useStore((s) => s.overlay);
  const currentRunId = useStore((s) => s.currentRunId);
  const error = useStore((s) => s.runsError);
  const startPolicy = useStore((s) => s.startPolicy);
  const interrupted = useStore((s) => s.resumable.filter((id) => id !== s.currentRunId).length);
  const { loadAll, dismissRunsError, clearStartPolicy, refreshHeld } = store.getState();
  useEffect(() => void loadAll(), [loadAll]);
  // another tab may start or stop training a run at any time; its lock says so (runLocks.ts)
  useEffect(() => {
    const t = setInterval(() => void refreshHeld(), HELD_POLL_MS);
    return () => clearInterval(t);
  }, [refreshHeld]);

  // The charts' colours: the current run first, then overlays in the order ticked (useChartRuns).
  const drawn = [...new Set([...(currentRunId ? [currentRunId] : []), ...overlay])];
  const colourOf = (id: string) => {
    const i = drawn.indexOf(id);
    return i < 0 ? null : RUN_COLOURS[i % RUN_COLOURS.length];
  };

  return (
    <section className="panel runs-panel" aria-labelledby="runs-heading">
      <h2 id="runs-heading">Runs</h2>
      {error && (
        <div className="banner error" role="alert">
          {error}
          <button type="button" className="icon" aria-label="Dismiss" onClick={dismissRunsError}>
            ×
          </button>
        </div>
      )}
      {interrupted > 0 && (
        <p className="banner info">
          {interrupted === 1 ? 'A run stopped' : `${interrupted} runs stopped`} before its last step (paused, or the
          page was closed); every completed step is kept. Press <strong>Resume</strong> to continue from its last
          snapshot.
        </p>
      )}
      {runs.length === 0 && <p className="muted">No runs yet. Press Start: each run is kept here.</p>}
      <ul aria-label="Runs" className="runs-list">
        {[...runs].reverse().map((r) => (
          <RunItem key={r.id} run={r} colour={colourOf(r.id)} />
        ))}
      </ul>
      <ImportControls />
      <ImportProgressLine />
      {startPolicy && (
        <p className="start-policy">
          New {startPolicy.task} runs at size {startPolicy.model} start from <strong>{startPolicy.fileName}</strong>.{' '}
          <button type="button" onClick={() => void clearStartPolicy()}>
            Use the base policy
          </button>
        </p>
      )}
    </section>
  );
}
