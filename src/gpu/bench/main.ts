// The bench page scripts/bench.mjs opens in headless Chromium (`npm run bench`): the GPU sections of
// src/gpu/bench/sections.ts, then (e) one SFT step of the CPU engine against TF.js's CPU-side
// backends (src/gpu/bench/cpu.ts), which needs a browser's workers and TF.js's wasm files.
import { benchCpu } from './cpu';
import { runBench } from './sections';

declare global {
  interface Window {
    __benchDone?: { markdown: string; error?: string };
  }
}

const params = new URLSearchParams(location.search);
const quick = params.has('quick');
const log = (s: string) => console.log(s);

runBench({ quick, only: params.get('only') ?? 'abcde', log, more: { e: () => benchCpu(quick, log) } })
  .then((markdown) => {
    (document.getElementById('out') as HTMLElement).textContent = markdown;
    window.__benchDone = { markdown };
  })
  .catch((e: unknown) => {
    window.__benchDone = { markdown: '', error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
  });
