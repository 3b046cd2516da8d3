// Keeps the config in the address bar (docs/DESIGN.md §7): reads the link once when the page opens,
// then rewrites the query on every config change (replaceState, so Back does not step through
// slider moves). Shows what could not be read from the link, and gates shared reward code.

import { useEffect, useState } from 'react';
import { store, useStore } from '../store';
import { backendParam, configToUrl, shareableConfig } from './query';
import { BACKEND_CHOICES } from '../worker/backendProbe';
import { SharedCodeGate } from './SharedCodeGate';

function syncAddressBar(): void {
  const s = store.getState();
  const href = configToUrl(shareableConfig(s.config, s.pendingCode), window.location.href, s.hiddenControls, {
    backend: s.backendChoice,
    seeds: s.seeds,
  });
  if (href !== window.location.href) window.history.replaceState(window.history.state, '', href);
}

function CopyLink() {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      setCopied('Link copied');
    } catch {
      setCopied('Copy the address bar: it holds this setup');
    }
  };
  return (
    <span className="copy-link">
      <button type="button" title="The link opens this page with the same settings" onClick={() => void copy()}>
        Copy link
      </button>
      {copied && (
        <span className="muted" aria-live="polite">
          {' '}
          {copied}
        </span>
      )}
    </span>
  );
}

export function UrlSync() {
  const warnings = useStore((s) => s.urlWarnings);
  const dismiss = useStore((s) => s.dismissUrlWarnings);
  useEffect(() => {
    store.getState().applyUrl(window.location.href);
    const backend = backendParam(window.location.href, BACKEND_CHOICES);
    if (backend) store.getState().setBackendChoice(backend);
    syncAddressBar();
    return store.subscribe((s, prev) => {
      if (
        s.config !== prev.config ||
        s.pendingCode !== prev.pendingCode ||
        s.hiddenControls !== prev.hiddenControls ||
        s.backendChoice !== prev.backendChoice ||
        s.seeds !== prev.seeds
      ) {
        syncAddressBar();
      }
    });
  }, []);
  return (
    <>
      <CopyLink />
      {warnings.length > 0 && (
        <div className="banner warn" role="alert">
          Some settings in the link were not used:
          <ul>
            {warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
          <button type="button" className="icon" aria-label="Dismiss" onClick={dismiss}>
            ×
          </button>
        </div>
      )}
      <SharedCodeGate />
    </>
  );
}
