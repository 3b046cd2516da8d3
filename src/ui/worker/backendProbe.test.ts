import { describe, expect, it } from 'vitest';
import { MODEL_SIZES } from '../../models/config';
import type { Engine } from '../../models/engine';
import {
  decideBackend,
  probeEngine,
  probeCacheKey,
  probeShape,
  webgpuBudgetMs,
  type EngineFigure,
  type ProbeFigures,
} from './backendProbe';
import { parseRunConfig } from '../../rl/config';

const fig = (stepsPerSec: number, stopped = false): EngineFigure => ({ stepsPerSec, stopped });
const figures = (cpu: EngineFigure, webgpu: EngineFigure, software = false): ProbeFigures => ({
  cpu,
  webgpu,
  software,
});

describe('decideBackend', () => {
  it('takes the CPU when a software adapter measures ten times slower, and says both figures', () => {
    const d = decideBackend('auto', figures(fig(1.3), fig(0.1), true), null);
    expect(d.kind).toBe('cpu');
    expect(d.text).toBe('CPU 1.3 steps/s, WebGPU (software) 0.10 steps/s → CPU');
  });

  it('takes WebGPU when it is faster', () => {
    const d = decideBackend('auto', figures(fig(1.2), fig(14)), null);
    expect(d.kind).toBe('webgpu');
    expect(d.text).toBe('CPU 1.2 steps/s, WebGPU 14 steps/s → WebGPU');
  });

  it('gives WebGPU a tie within 10% and the CPU anything beyond', () => {
    expect(decideBackend('auto', figures(fig(1.0), fig(0.91)), null).kind).toBe('webgpu');
    expect(decideBackend('auto', figures(fig(1.0), fig(0.9)), null).kind).toBe('cpu');
  });

  it('a WebGPU probe stopped at its budget loses and shows its bound', () => {
    const d = decideBackend('auto', figures(fig(2), fig(0.5, true), true), null);
    expect(d.kind).toBe('cpu');
    expect(d.text).toBe('CPU 2.0 steps/s, WebGPU (software) <0.50 steps/s → CPU');
  });

  it('a CPU probe stopped at its budget loses to a finished WebGPU probe, however slow', () => {
    expect(decideBackend('auto', figures(fig(1 / 60, true), fig(0.01)), null).kind).toBe('webgpu');
  });

  it('follows the person without figures, and falls back to the CPU when WebGPU is missing', () => {
    expect(decideBackend('cpu', null, null)).toEqual({ kind: 'cpu', text: 'backend=cpu, probe skipped → CPU' });
    expect(decideBackend('webgpu', null, null).kind).toBe('webgpu');
    expect(decideBackend('webgpu', null, 'no adapter')).toEqual({
      kind: 'cpu',
      text: 'WebGPU asked for but unavailable (no adapter) → CPU',
    });
    expect(decideBackend('auto', null, 'no adapter').kind).toBe('cpu');
  });
});

describe('probe budget and cache key', () => {
  it('stops a WebGPU probe at 2× the CPU probe, at least 2 s on a software adapter and 15 s on hardware', () => {
    expect(webgpuBudgetMs(400, true)).toBe(2000);
    expect(webgpuBudgetMs(1500, true)).toBe(3000);
    expect(webgpuBudgetMs(1000, false)).toBe(15000);
    expect(webgpuBudgetMs(9000, false)).toBe(18000);
  });

  const gpt = { ...MODEL_SIZES.small, vocabSize: 20 };
  const run = parseRunConfig({ promptsPerStep: 16, groupSize: 8, maxNewTokens: 8 });
  const key = probeCacheKey('Google SwiftShader', 2, 'add', probeShape(gpt, run));

  it('names the adapter, the CPU engine threads and every size the probe depends on', () => {
    const g = gpt;
    expect(key).toContain('Google SwiftShader');
    expect(key).toContain('cpu-threads=2');
    expect(key).toContain(`L${g.nLayer}-H${g.nHead}-C${g.nEmbd}-T${g.blockSize}-V20`);
    expect(key).toContain('rows=128');
    expect(key).toContain('new=8');
  });

  it('changes with the adapter and with the batch, and not with settings the probe does not time', () => {
    const other = (a: string, r: typeof run) => probeCacheKey(a, 2, 'add', probeShape(gpt, r));
    expect(other('NVIDIA RTX 4090', run)).not.toBe(key);
    expect(other('Google SwiftShader', { ...run, groupSize: 4 })).not.toBe(key);
    expect(other('Google SwiftShader', { ...run, maxNewTokens: 6 })).not.toBe(key);
    expect(probeCacheKey('Google SwiftShader', 4, 'add', probeShape(gpt, run))).not.toBe(key);
    expect(other('Google SwiftShader', { ...run, lr: 0.01, klCoef: 0.1 })).toBe(key);
  });
});

describe('probeEngine', () => {
  const gpt = { ...MODEL_SIZES.tiny, vocabSize: 20 };
  const shape = probeShape(gpt, parseRunConfig({ promptsPerStep: 2, groupSize: 2, maxNewTokens: 4 }));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** An engine whose generate takes `ms` and counts its calls and disposal. */
  const fake = (ms: number) => {
    const log = { generate: 0, steps: 0, disposed: false };
    const engine = {
      async generate(req: { prompts: Int32Array[] }) {
        log.generate++;
        await sleep(ms);
        return { completions: req.prompts.map(() => Int32Array.from([3, 4])), truncated: req.prompts.map(() => false) };
      },
      async forward() {
        return { logprobs: new Float32Array(0), entropy: new Float32Array(0) };
      },
      zeroGrad() {},
      async backward() {},
      async step() {
        log.steps++;
        return { gradNorm: 0 };
      },
      dispose() {
        log.disposed = true;
      },
    } as unknown as Engine;
    return { engine, log };
  };

  it('times one full step of an engine that fits its budget', async () => {
    const { engine, log } = fake(100);
    const f = await probeEngine(async () => engine, 'add', shape, 5000);
    expect(f.stopped).toBe(false);
    expect(f.ms).toBeGreaterThanOrEqual(95);
    expect(f.ms).toBeLessThan(2000);
    expect(f.stepsPerSec).toBeCloseTo(1000 / f.ms, 6);
    expect(log).toEqual({ generate: 1, steps: 1, disposed: true });
  });

  it('stops at the budget with the bound it gives, skips the rest, and disposes the engine once its work is done', async () => {
    const { engine, log } = fake(600);
    const t = performance.now();
    const f = await probeEngine(async () => engine, 'add', shape, 150);
    expect(performance.now() - t).toBeLessThan(550);
    expect(f).toEqual({ stepsPerSec: 1000 / 150, stopped: true, ms: 150 });
    expect(log.disposed).toBe(false);
    await sleep(700);
    expect(log.disposed).toBe(true);
    expect(log).toMatchObject({ generate: 1, steps: 0 }); // the update after the late generate is skipped
  });
});
