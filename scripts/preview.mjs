// The built app under `vite preview` on one local port, for the scripts that drive it in Chromium
// (screenshots, the page benchmark). Builds nothing: run `npx vite build` first.
import { spawn } from 'node:child_process';

/**
 * Starts the preview server; `ready()` resolves once it answers, `stop()` ends it (and its children).
 * @param {number} port
 */
export function startPreview(port) {
  const base = `http://127.0.0.1:${port}`;
  const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    stdio: 'ignore',
    detached: true,
  });
  const stop = () => {
    if (server.pid === undefined) return; // spawn failed: nothing to stop
    try {
      process.kill(-server.pid);
    } catch {
      /* already gone */
    }
  };
  const ready = async () => {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(base)).ok) return;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`vite preview did not answer on ${base}`);
  };
  return { base, ready, stop };
}
