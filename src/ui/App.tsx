import { useEffect, useState } from 'react';

type AdapterState = { kind: 'probing' } | { kind: 'found'; name: string } | { kind: 'none'; reason: string };

async function probeWebGpu(): Promise<AdapterState> {
  if (!('gpu' in navigator)) return { kind: 'none', reason: 'this browser has no WebGPU (navigator.gpu is missing)' };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { kind: 'none', reason: 'WebGPU is present but no adapter was offered' };
  const i = adapter.info;
  return { kind: 'found', name: [i.vendor, i.architecture, i.description].filter(Boolean).join(' ') || 'unknown adapter' };
}

export function App() {
  const [adapter, setAdapter] = useState<AdapterState>({ kind: 'probing' });
  useEffect(() => {
    probeWebGpu().then(setAdapter, (e: unknown) => setAdapter({ kind: 'none', reason: String(e) }));
  }, []);
  return (
    <main>
      <h1>GRPO Playground</h1>
      <p>
        Train a small transformer policy with GRPO-style reinforcement learning on your own GPU, in this tab, and watch
        what a reward design does to entropy, response length and accuracy.
      </p>
      <p role="status">
        {adapter.kind === 'probing' && 'Looking for a WebGPU adapter…'}
        {adapter.kind === 'found' && `WebGPU adapter: ${adapter.name}`}
        {adapter.kind === 'none' && `No WebGPU: ${adapter.reason}. Training falls back to the CPU engine.`}
      </p>
    </main>
  );
}
