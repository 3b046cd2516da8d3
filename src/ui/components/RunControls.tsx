// Start / Pause / Step / Reset and the status bar: step, backend (WebGPU adapter or CPU), steps/s.

import { useStore } from '../store';
import { isBusy, startPlan, startPlanText } from '../store/trainingSlice';
import { useAnnouncement } from './useAnnouncement';
import { BACKEND_CHOICES, type BackendChoice } from '../worker/backendProbe';

const BACKEND_LABEL: Record<BackendChoice, string> = { auto: 'Auto', cpu: 'CPU', webgpu: 'WebGPU' };

/** Auto measures both engines before a run and takes the faster; the choice applies to the next run. */
function BackendSelect() {
  const choice = useStore((s) => s.backendChoice);
  const setChoice = useStore((s) => s.setBackendChoice);
  return (
    <label className="backend-select" title="Auto times a short probe of each engine and trains on the faster">
      Backend{' '}
      <select value={choice} onChange={(e) => setChoice(e.target.value as BackendChoice)}>
        {BACKEND_CHOICES.map((c) => (
          <option key={c} value={c}>
            {BACKEND_LABEL[c]}
          </option>
        ))}
      </select>
    </label>
  );
}

export function RunControls() {
  const state = useStore((s) => s.status.state);
  const plan = useStore((s) => startPlanText(startPlan(s), s.runConfig?.steps ?? 0));
  const start = useStore((s) => s.start);
  const pause = useStore((s) => s.pause);
  const step = useStore((s) => s.step);
  const reset = useStore((s) => s.reset);
  const busy = isBusy(state);
  return (
    <div className="run-controls" id="run-controls" tabIndex={-1} role="group" aria-label="Run controls">
      <button type="button" className="primary" onClick={start} disabled={busy}>
        Start
      </button>
      <button type="button" onClick={pause} disabled={!busy || state === 'loading'}>
        Pause
      </button>
      <button type="button" onClick={step} disabled={busy || state === 'pausing'}>
        Step
      </button>
      <button type="button" onClick={reset} disabled={state === 'idle'}>
        Reset
      </button>
      <BackendSelect />
      {!busy && state !== 'idle' && plan && <span className="hint">{plan}</span>}
    </div>
  );
}

export function StatusBar() {
  const s = useStore((st) => st.status);
  const backend = s.backend
    ? s.backend.choice
      ? `${s.backend.choice}${s.backend.kind === 'webgpu' || s.backend.name !== 'CPU' ? ` (${s.backend.name})` : ''}`
      : s.backend.kind === 'webgpu'
        ? `WebGPU: ${s.backend.name}`
        : `CPU: ${s.backend.reason || 'chosen'}`
    : 'Looking for a WebGPU adapter…';
  const label = s.progress && s.state === 'loading' ? s.progress : s.detail;
  const state = label ? `${s.state} · ${label}` : s.state;
  // The bar shows every step; assistive technology hears a throttled copy (useAnnouncement).
  const announced = useAnnouncement(`Step ${s.step}, ${state}`, s.state);
  return (
    <>
      <div className="status-bar" role="status" aria-live="off">
        <span className="status-step">Step {s.step}</span>{' '}
        <span className={`status-state state-${s.state}`}>{state}</span>{' '}
        <span className="status-backend">{backend}</span>{' '}
        <span className="status-speed">{s.stepsPerSec > 0 ? `${s.stepsPerSec.toFixed(2)} steps/s` : '– steps/s'}</span>
      </div>
      <span className="visually-hidden" aria-live="polite">
        {announced}
      </span>
    </>
  );
}

/** Banners: CPU fallback (why, and what to do), notices, and errors with what to do next. */
export function Banners() {
  const backend = useStore((s) => s.status.backend);
  const notice = useStore((s) => s.status.notice);
  const startNote = useStore((s) => s.status.startNote);
  const error = useStore((s) => s.status.error);
  const dismissError = useStore((s) => s.dismissError);
  return (
    <>
      {backend?.kind === 'cpu' && backend.reason && (
        <div className="banner warn" role="note">
          <strong>No WebGPU — training on the CPU (slower).</strong> {backend.reason} To train on your GPU use Chrome or
          Edge 113+ with WebGPU enabled (on Linux: chrome://flags/#enable-unsafe-webgpu and
          chrome://flags/#enable-vulkan).
        </div>
      )}
      {startNote && (
        <div className="banner info" role="note">
          {startNote}
        </div>
      )}
      {notice && (
        <div className="banner info" role="note">
          {notice}
        </div>
      )}
      {error && (
        <div className="banner error" role="alert">
          {error.kind === 'reward-code' ? (
            <>
              <strong>
                Your reward code failed{error.line !== null ? ` at line ${error.line}` : ''}: {error.message}
              </strong>{' '}
              The run is paused and nothing was lost; fix the code and press Start.
              <pre>
                prompt: {error.prompt}
                {'\n'}completion: {error.completion}
              </pre>
            </>
          ) : error.kind === 'diverged' ? (
            <>
              <strong>Training stopped: {error.message}.</strong> The update was not applied: the run keeps its last
              finite weights (after step {error.step}), and only finite snapshots are saved. Change the setting and
              press Start for a new run.
            </>
          ) : (
            <>
              <strong>Training stopped: {error.message}</strong> Every completed step is kept in the Runs list; press
              Reset, then Start (or Resume the run there).
            </>
          )}
          <button type="button" className="icon" aria-label="dismiss" onClick={dismissError}>
            ×
          </button>
        </div>
      )}
    </>
  );
}
