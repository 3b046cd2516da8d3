// "Export for TRL / verl" on a kept run: the run's config as a job a cluster can run, downloaded as a
// zip (the same files as `npm run cli -- export`, docs/DESIGN.md §10). The model is a Hugging Face
// id, or the run's own policy after its last saved step.

import { useId, useState } from 'react';
import { DEFAULT_MODEL } from '../../rl/export/model';
import { fileStem } from '../../rl/runFile';
import { store } from '../store';
import type { RunMeta } from './db';
import { download } from './download';

export function ExportJobMenu({ run }: { run: RunMeta }) {
  const [open, setOpen] = useState(false);
  const [model, setModel] = useState(DEFAULT_MODEL);
  const [usePolicy, setUsePolicy] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const panelId = useId();
  const { loadTrainerState } = store.getState();
  const hasPolicy = run.savedStep !== undefined;

  const exportJob = async (framework: 'trl' | 'verl') => {
    setBusy(`Writing the ${framework === 'trl' ? 'TRL' : 'verl'} zip…`);
    try {
      const { jobZip } = await import('./exportJob');
      const { policyCheckpointBytes } = await import('./policyCheckpoint');
      let policyBytes: Uint8Array | undefined;
      if (usePolicy && hasPolicy) {
        const state = await loadTrainerState(run.id);
        if (!state) throw new Error('this run has no saved weights yet');
        policyBytes = policyCheckpointBytes(state);
      }
      const folder = `${fileStem(run.name)}-${framework}`;
      const bytes = jobZip({ framework, run, folder, model: model.trim() || DEFAULT_MODEL, policyBytes });
      download(`${folder}.zip`, bytes, 'application/zip');
    } catch (e) {
      store.setState({ runsError: `Export for TRL / verl: ${(e as Error).message}` });
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={`Export ${run.name} for TRL / verl`}
        title="The run's settings as a TRL or verl job: training script, rewards in Python, dataset"
        onClick={() => setOpen(!open)}
      >
        Export for TRL / verl
      </button>
      {open && (
        <div id={panelId} className="export-job" role="group" aria-label={`Export ${run.name} for TRL / verl`}>
          <p className="muted">
            A zip to run on a cluster: the training script, the rewards in Python, the prompts, and a README of which
            settings map exactly, approximately or not at all.
          </p>
          <label>
            Hugging Face model{' '}
            <input
              value={model}
              disabled={usePolicy}
              spellCheck={false}
              onChange={(e) => setModel(e.target.value)}
              aria-label="Hugging Face model to train"
            />
          </label>
          <label title={hasPolicy ? undefined : 'No weights saved yet'}>
            <input
              type="checkbox"
              checked={usePolicy && hasPolicy}
              disabled={!hasPolicy}
              onChange={(e) => setUsePolicy(e.target.checked)}
            />{' '}
            Train this run's policy instead{hasPolicy ? ` (after step ${run.savedStep})` : ' (no weights saved yet)'}
          </label>
          <div className="export-job-actions">
            <button type="button" disabled={busy !== null} onClick={() => void exportJob('trl')}>
              TRL zip
            </button>
            <button type="button" disabled={busy !== null} onClick={() => void exportJob('verl')}>
              verl zip
            </button>
            {busy && <span aria-live="polite">{busy}</span>}
          </div>
        </div>
      )}
    </>
  );
}
