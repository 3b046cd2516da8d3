// Picks the training backend by measurement: a short probe of each engine at the run's shape (one
// rollout's generation, one forward, backward and AdamW step), the faster one wins. A software WebGPU
// adapter (SwiftShader) can be ten times slower than the CPU engine, so "WebGPU when present" is not
// a rule. The figures are cached per adapter and shape, so only the first run at a shape pays.

import { DEFAULT_ADAMW, type Engine, type TokenBatch } from '../../models/engine';
import type { GPTConfig } from '../../models/config';
import { getTask } from '../../rl/tasks';
import { taskTokenizer } from '../../rl/trainer';
import { encodePrompt } from '../../rl/rollout';
import type { RunConfig } from '../../rl/config';
import { openDB } from 'idb';

export const BACKEND_CHOICES = ['auto', 'cpu', 'webgpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export const isBackendChoice = (s: string): s is BackendChoice => (BACKEND_CHOICES as readonly string[]).includes(s);

/** One engine's probe: steps/s, or (stopped) an upper bound on it when the probe ran past its budget. */
export interface EngineFigure {
  stepsPerSec: number;
  stopped: boolean;
}

export interface ProbeFigures {
  cpu: EngineFigure;
  webgpu: EngineFigure;
  software: boolean; // the WebGPU adapter is a CPU rasteriser
}

export interface BackendDecision {
  kind: 'cpu' | 'webgpu';
  text: string; // for the status bar, e.g. "CPU 1.3 steps/s, WebGPU (software) 0.1 steps/s → CPU"
}

/**
 * Ties go to WebGPU within this factor: on a par, the GPU leaves the CPU cores to the page and the
 * rest of the machine.
 */
export const TIE_FACTOR = 1.1;

const fmt = (x: number) => (x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2));
const label = (kind: 'cpu' | 'webgpu', software = false) =>
  kind === 'cpu' ? 'CPU' : `WebGPU${software ? ' (software)' : ''}`;
const figureText = (f: EngineFigure) => `${f.stopped ? '<' : ''}${fmt(f.stepsPerSec)} steps/s`;

/**
 * The backend for a run. `figures` is null when no probe ran (WebGPU missing, or the person chose).
 * `gpuReason` is why WebGPU is unavailable (null when it is available).
 */
export function decideBackend(
  choice: BackendChoice,
  figures: ProbeFigures | null,
  gpuReason: string | null,
): BackendDecision {
  if (gpuReason !== null) {
    const why = choice === 'webgpu' ? `WebGPU asked for but unavailable (${gpuReason})` : 'no WebGPU';
    return { kind: 'cpu', text: `${why} → CPU` };
  }
  if (choice !== 'auto') return { kind: choice, text: `backend=${choice}, probe skipped → ${label(choice)}` };
  if (!figures) return { kind: 'webgpu', text: `no probe figures → ${label('webgpu')}` };
  const { cpu, webgpu, software } = figures;
  const gpuWins = !webgpu.stopped && (cpu.stopped || webgpu.stepsPerSec * TIE_FACTOR >= cpu.stepsPerSec);
  const kind = gpuWins ? 'webgpu' : 'cpu';
  return {
    kind,
    text: `CPU ${figureText(cpu)}, ${label('webgpu', software)} ${figureText(webgpu)} → ${label(kind, software)}`,
  };
}

/** The probe's batch at a run's shape: P·G rollouts of L new tokens after the task's prompts. */
export interface ProbeShape {
  gpt: GPTConfig;
  rows: number; // promptsPerStep × groupSize
  maxNewTokens: number;
}

export const probeShape = (gpt: GPTConfig, run: RunConfig): ProbeShape => ({
  gpt,
  rows: run.promptsPerStep * run.groupSize,
  maxNewTokens: run.maxNewTokens,
});

/** Bumped when the probe's work changes, so old figures are not compared with new ones. */
const PROBE_VERSION = 2;

/** Where a probe's figures are cached: the adapter (and the cores the CPU engine has) and the shape. */
export function probeCacheKey(adapter: string, cpuThreads: number, task: string, s: ProbeShape): string {
  const g = s.gpt;
  const model = `L${g.nLayer}-H${g.nHead}-C${g.nEmbd}-T${g.blockSize}-V${g.vocabSize}`;
  return `probe-v${PROBE_VERSION}|${adapter}|cpu-threads=${cpuThreads}|${task}|${model}|rows=${s.rows}|new=${s.maxNewTokens}`;
}

/** The probe's budget on WebGPU: stop once it has taken this many times the CPU probe's step... */
export const SLOWER_FACTOR = 2;
/** ...but never before this long (a software adapter), or this long on a hardware adapter, whose
 * first step compiles every pipeline once and says little about the steps after it. */
export const MIN_BUDGET_MS = { software: 2000, hardware: 15000 };

export function webgpuBudgetMs(cpuMs: number, software: boolean): number {
  return Math.max(SLOWER_FACTOR * cpuMs, software ? MIN_BUDGET_MS.software : MIN_BUDGET_MS.hardware);
}

/** One probe step: generation of `rows` completions, then a forward, backward and AdamW step on them. */
async function probeStep(
  engine: Engine,
  task: string,
  s: ProbeShape,
  seed: number,
  live: () => boolean,
): Promise<void> {
  const t = getTask(task as RunConfig['task']);
  const tok = taskTokenizer(t);
  const problems = t.heldOut(s.rows, seed);
  const prompts = Array.from({ length: s.rows }, (_, i) => encodePrompt(tok, problems[i % problems.length].prompt));
  const gen = await engine.generate({
    prompts,
    maxNewTokens: s.maxNewTokens,
    temperature: 1,
    seed,
    eosId: tok.eosId,
  });
  if (!live()) return;
  const rows = prompts.map((p, i) => [...p, ...gen.completions[i]]);
  const T = Math.min(s.gpt.blockSize, Math.max(...rows.map((r) => r.length)));
  const batch: TokenBatch = { B: s.rows, T, tokens: new Int32Array(s.rows * T), targets: new Int32Array(s.rows * T) };
  batch.targets.fill(-1);
  rows.forEach((r, b) => {
    for (let i = 0; i < Math.min(r.length, T); i++) batch.tokens[b * T + i] = r[i];
    for (let i = 0; i + 1 < Math.min(r.length, T); i++) batch.targets[b * T + i] = r[i + 1];
  });
  await engine.forward(batch);
  if (!live()) return;
  const n = s.rows * T;
  engine.zeroGrad();
  await engine.backward(new Float32Array(n).fill(1 / n), new Float32Array(n));
  await engine.step({ ...DEFAULT_ADAMW, lr: 0 });
}

/**
 * Times one probe step on a fresh engine (`make` compiles what the engine needs, untimed unless the
 * budget runs out). Stops waiting once `budgetMs` has passed since the start and answers with the
 * bound that time gives; work already on the device finishes (it cannot be recalled), the rest is
 * skipped, and the engine is disposed after.
 */
export async function probeEngine(
  make: () => Promise<Engine>,
  task: string,
  shape: ProbeShape,
  budgetMs: number,
): Promise<EngineFigure & { ms: number }> {
  let engine: Engine | null = null;
  let live = true; // once the budget has passed, the rest of the probe's work is skipped
  const work = (async () => {
    engine = await make();
    const t = performance.now();
    if (live) await probeStep(engine, task, shape, 1, () => live);
    return performance.now() - t;
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), budgetMs)));
  const ms = await Promise.race([work, late]);
  clearTimeout(timer);
  const dispose = () => (engine as Engine | null)?.dispose();
  if (ms === null) {
    live = false;
    work.then(dispose, dispose);
    return { stepsPerSec: 1000 / budgetMs, stopped: true, ms: budgetMs };
  }
  dispose();
  return { stepsPerSec: 1000 / ms, stopped: false, ms };
}

const CACHE_DB = 'grpo-playground-probe';
const CACHE_STORE = 'figures';

/** Cached figures (IndexedDB: the worker has no localStorage); a cache that fails is a miss. */
export const probeCache = {
  async get(key: string): Promise<ProbeFigures | null> {
    try {
      const db = await openDB(CACHE_DB, 1, { upgrade: (d) => void d.createObjectStore(CACHE_STORE) });
      const v = (await db.get(CACHE_STORE, key)) as ProbeFigures | undefined;
      db.close();
      return v ?? null;
    } catch {
      return null;
    }
  },
  async set(key: string, figures: ProbeFigures): Promise<void> {
    try {
      const db = await openDB(CACHE_DB, 1, { upgrade: (d) => void d.createObjectStore(CACHE_STORE) });
      await db.put(CACHE_STORE, figures, key);
      db.close();
    } catch {
      // not cached: the next run probes again
    }
  },
};
