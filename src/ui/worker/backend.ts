// Builds the policy and reference engines for a run inside the worker: WebGPU when the browser
// gives an adapter (its name is reported), else the CPU engine with the reason. The starting
// weights come from a policy the person imported, the task's base checkpoint
// (baseCheckpointUrl in src/rl/config.ts), or a fresh nanoGPT init.

import type { GPTConfig } from '../../models/config';
import type { Engine } from '../../models/engine';
import { decodeCheckpoint } from '../../models/checkpoint';
import { CpuEngine } from '../../models/cpu/engine';
import { WebGpuEngine } from '../../gpu/engine';
import { acquireDevice, type GpuContext } from '../../gpu/device';
import { GpuRuntime } from '../../gpu/runtime';
import { warmUpEngine } from '../../gpu/warmup';
import { getTask } from '../../rl/tasks';
import { gptConfigFor, taskTokenizer } from '../../rl/trainer';
import { baseCheckpointUrl, type RunConfig } from '../../rl/config';
import { RunsDb } from '../runs/db';
import { startWeightsFor } from '../runs/policyCheckpoint';
import { cpuThreadCount } from './cpuThreads';
import type { BackendInfo } from './protocol';
import {
  decideBackend,
  probeCache,
  probeCacheKey,
  probeEngine,
  probeShape,
  webgpuBudgetMs,
  type BackendChoice,
  type ProbeFigures,
} from './backendProbe';

export interface Engines {
  policy: Engine;
  reference: Engine; // frozen copy of the starting weights, for the KL term
  backend: BackendInfo;
  /** Called once if the GPU device is lost (never for the CPU engine), with the browser's reason. */
  onDeviceLost(cb: (why: string) => void): void;
  dispose(): void;
}

export interface BuildHooks {
  progress(message: string): void;
  notice(message: string): void;
  backend(info: BackendInfo): void;
}

/** The device is acquired once per worker; a failure is remembered so the reason stays the same. */
let gpu: Promise<GpuContext> | null = null;

async function startingWeights(
  config: RunConfig,
  hooks: BuildHooks,
): Promise<{ gpt: GPTConfig; weights?: Map<string, Float32Array> }> {
  const fresh = gptConfigFor(config, taskTokenizer(getTask(config.task)).size);
  if (config.init === 'scratch') return { gpt: fresh };
  // A policy the person imported (Runs panel) replaces the task's base when task and size match.
  const db = await RunsDb.open();
  const imported = startWeightsFor(await db.loadStartPolicy(), config);
  db.close();
  if (imported) {
    hooks.progress('Loading your imported policy…');
    return { gpt: imported.config, weights: imported.weights };
  }
  hooks.progress(`Loading the ${config.task} base policy…`);
  const res = await fetch(baseCheckpointUrl(config));
  // Vite's dev server answers a missing file with index.html, so check the type as well as the status.
  if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) {
    hooks.notice(
      `No base checkpoint for ${config.task} at size ${config.model} (${baseCheckpointUrl(config)}); ` +
        `starting from random weights. Pick model size "small" for a trained base policy.`,
    );
    return { gpt: fresh };
  }
  const ckpt = decodeCheckpoint(new Uint8Array(await res.arrayBuffer()));
  return { gpt: ckpt.config, weights: ckpt.weights };
}

/** The WebGPU context, or why there is none; after a device loss a new adapter and device are requested. */
async function gpuOrReason(): Promise<{ ctx: GpuContext } | { reason: string }> {
  if (!gpu) {
    const acquiring = acquireDevice();
    gpu = acquiring;
    void acquiring
      .then((ctx) =>
        ctx.onLost(() => {
          if (gpu === acquiring) gpu = null;
        }),
      )
      .catch(() => undefined);
  }
  try {
    return { ctx: await gpu };
  } catch (e) {
    return { reason: e instanceof Error ? e.message : String(e) };
  }
}

export async function probeBackend(): Promise<BackendInfo> {
  const g = await gpuOrReason();
  return 'ctx' in g ? { kind: 'webgpu', name: g.ctx.adapter.name } : { kind: 'cpu', name: 'CPU', reason: g.reason };
}

/** The probe's figures at this run's shape, from the cache or measured (CPU first: it sets WebGPU's budget). */
async function probeFigures(
  ctx: GpuContext,
  rt: GpuRuntime,
  gpt: GPTConfig,
  weights: Map<string, Float32Array> | undefined,
  config: RunConfig,
  hooks: BuildHooks,
) {
  const shape = probeShape(gpt, config);
  const key = probeCacheKey(ctx.adapter.name, cpuThreadCount(), `${config.task}/${config.init}`, shape);
  const cached = await probeCache.get(key);
  if (cached) return cached;
  hooks.progress('Measuring the CPU engine…');
  const cpu = await probeEngine(async () => new CpuEngine(gpt, { seed: 1, weights }), config.task, shape, 60_000);
  hooks.progress('Measuring the WebGPU engine…');
  const software = ctx.adapter.isSoftware;
  const budget = webgpuBudgetMs(cpu.ms, software);
  let live = true; // a probe stopped early goes on in the background: it must not talk over the run
  const makeGpu = async () => {
    await warmUpEngine(rt, gpt, (m) => live && hooks.progress(m));
    return WebGpuEngine.create(rt, gpt, { seed: 1, weights });
  };
  const webgpu = await probeEngine(makeGpu, config.task, shape, budget);
  live = false;
  const figures: ProbeFigures = { cpu, webgpu, software };
  await probeCache.set(key, figures);
  return figures;
}

export async function buildEngines(
  config: RunConfig,
  hooks: BuildHooks,
  choice: BackendChoice = 'auto',
): Promise<Engines> {
  const { gpt, weights } = await startingWeights(config, hooks);
  const opts = { seed: config.seed, weights };
  const refOpts = { seed: config.seed }; // the trainer copies the policy's weights into the reference
  const g: { ctx: GpuContext } | { reason: string } =
    choice === 'cpu' ? { reason: 'backend=cpu' } : await gpuOrReason();
  // One runtime for the probe, the policy and the reference, so each pipeline is compiled once.
  const rt = 'ctx' in g ? new GpuRuntime(g.ctx.device) : null;
  const figures =
    'ctx' in g && rt && choice === 'auto' ? await probeFigures(g.ctx, rt, gpt, weights, config, hooks) : null;
  const decision = decideBackend(choice, figures, 'ctx' in g || choice === 'cpu' ? null : g.reason);
  const lostListeners: ((why: string) => void)[] = [];
  if ('ctx' in g) g.ctx.onLost(({ reason, message }) => lostListeners.forEach((cb) => cb(message || reason)));
  let policy: Engine;
  let reference: Engine;
  let backend: BackendInfo;
  if ('ctx' in g && rt && decision.kind === 'webgpu') {
    hooks.progress('Preparing the WebGPU engine…');
    await warmUpEngine(rt, gpt, hooks.progress);
    policy = await WebGpuEngine.create(rt, gpt, opts);
    reference = await WebGpuEngine.create(rt, gpt, refOpts);
    backend = { kind: 'webgpu', name: g.ctx.adapter.name, choice: decision.text };
  } else {
    policy = new CpuEngine(gpt, opts);
    reference = new CpuEngine(gpt, refOpts);
    backend = {
      kind: 'cpu',
      name: cpuThreadCount() > 1 ? `${cpuThreadCount()} threads` : 'CPU',
      reason: 'reason' in g && choice !== 'cpu' ? g.reason : undefined,
      choice: decision.text,
    };
  }
  hooks.backend(backend);
  return {
    policy,
    reference,
    backend,
    onDeviceLost: (cb) => lostListeners.push(cb),
    dispose() {
      policy.dispose();
      reference.dispose();
      if (backend.kind === 'webgpu') rt?.destroy();
    },
  };
}

/** Destroys the worker's GPU device, as a driver reset would (the e2e tests' device-loss fault). */
export async function destroyDeviceForTest(): Promise<void> {
  const g = await gpu?.catch(() => null);
  g?.device.destroy();
}
