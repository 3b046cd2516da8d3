// `sweep`: the same run over several seeds (docs/DESIGN.md §10). Each seed is a `train` run into
// DIR/seed-<s>/ — the very command, so its files are exactly train's — run in this process, or with
// --jobs J > 1 as J child processes at a time. Then DIR/summary.json holds each summary metric
// (src/rl/summary.ts) per seed with its mean and bootstrap 95% interval, and DIR/diagnostics.json
// every seed's diagnostics. Progress on stderr, each line led by its seed.

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Diagnostic } from '../rl/diagnostics';
import type { MetricsRow } from '../rl/metrics';
import { BASE_CHECKPOINT_DIR } from '../rl/config';
import { PRESETS } from '../rl/presets';
import { runSummary, sweepSummary, SUMMARY_METRICS } from '../rl/summary';
import {
  numberOption,
  optionalString,
  parseOptions,
  requireString,
  UsageError,
  type CliIO,
  type Command,
} from './args';
import { cliThreads } from './threads';
import { loadConfig, train } from './train';

const HELP = `Usage: npm run cli -- sweep (--preset NAME | --config FILE) --seeds 1,2,3 [--steps N] [--jobs J] --out DIR

The same RL run (as \`train\`) once per seed, then a summary across seeds.

  --preset NAME     one of: ${PRESETS.map((p) => p.name).join(', ')}
  --config FILE     a run config as JSON (see src/rl/presets/*.json)
  --seeds LIST      comma-separated seeds, e.g. 1,2,3
  --steps N         override the config's steps
  --jobs J          seeds run at once, each in its own process (default 1: one after another, in this process)
  --checkpoints DIR where base checkpoints live (default ${BASE_CHECKPOINT_DIR})
  --out DIR         writes DIR/seed-<s>/ (as train: config.json, metrics.jsonl, final.safetensors,
                    diagnostics.json), DIR/summary.json and DIR/diagnostics.json
  -h, --help        show this help

summary.json: {"preset", "seeds", "metrics": {"<name>": {"per_seed", "mean", "iqm", "ci95": [lo, hi]}}},
ci95 a percentile bootstrap of the mean over seeds (seeded, so reproducible). Metrics:
${SUMMARY_METRICS.join(', ')}.
"_start" is the step-0 evaluation (accuracy, pass@k) or the mean of the first 3 steps' rollouts;
"_final" the evaluation of the final weights or the mean of the last 3 steps; "_gain" final − start.
Compare two sweeps with \`npm run cli -- compare DIR_A DIR_B\`.
`;

const OPTIONS = {
  preset: { type: 'string' },
  config: { type: 'string' },
  seeds: { type: 'string' },
  steps: { type: 'string' },
  jobs: { type: 'string' },
  checkpoints: { type: 'string' },
  out: { type: 'string' },
} as const;

/** "1,2,3" → [1, 2, 3]: distinct non-negative 32-bit integers, at least one. */
export function parseSeeds(text: string): number[] {
  const seeds = text.split(',').map((s) => s.trim());
  const bad = seeds.find((s) => !/^\d+$/.test(s) || Number(s) > 0xffffffff);
  if (bad !== undefined)
    throw new UsageError(`--seeds must be comma-separated integers ≥ 0, got ${JSON.stringify(bad)}`);
  const values = seeds.map(Number);
  if (new Set(values).size !== values.length) throw new UsageError(`--seeds has a seed twice: ${text}`);
  return values;
}

/** Writes each line of a stream of text with a prefix, holding back a partial last line. */
function lineWriter(write: (text: string) => void, prefix: string): { push: (text: string) => void; end: () => void } {
  let pending = '';
  return {
    push(text) {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) write(`${prefix}${line}\n`);
    },
    end() {
      if (pending) write(`${prefix}${pending}\n`);
      pending = '';
    },
  };
}

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** `train argv` in a child Node process (TypeScript through tsx's loader); its stderr lines go to `stderr`. */
function trainInChild(argv: string[], threads: number, stderr: (text: string) => void): Promise<void> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, MAIN, 'train', ...argv], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, GRPO_THREADS: String(threads) }, // the cores shared among the jobs
    });
    const lines = lineWriter(stderr, '');
    let last = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      lines.push(text);
      last = text.trim().split('\n').pop() || last;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      lines.end();
      if (code === 0) resolve();
      else reject(new Error(`exit code ${code}: ${last}`));
    });
  });
}

/** Runs `task` over `items`, at most `jobs` at once; rejects with the first failure once all have settled. */
async function pool<T>(items: T[], jobs: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (e) {
        failures.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
}

const readRows = (dir: string): MetricsRow[] =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as MetricsRow);

/** Stderr lines: each diagnostic id once, with the seeds that show it and the message of the first. */
function diagnosticsReport(bySeed: { seed: number; diagnostics: Diagnostic[] }[]): string {
  const ids = [...new Set(bySeed.flatMap((s) => s.diagnostics.map((d) => d.id)))];
  if (ids.length === 0) return 'sweep diagnose: no failure pattern found on any seed\n';
  return ids
    .map((id) => {
      const hits = bySeed.flatMap((s) => s.diagnostics.filter((d) => d.id === id).map((d) => ({ seed: s.seed, d })));
      const seeds = hits.map((h) => h.seed).join(', ');
      const steps = hits.map((h) => h.d.step).join(', ');
      const first = hits[0].d;
      return `sweep diagnose: ${first.severity} ${id} on seeds ${seeds} of ${bySeed.length} (first seen at steps ${steps}): e.g. seed ${hits[0].seed}: ${first.message}\n`;
    })
    .join('');
}

async function runSweep(argv: string[], io: CliIO): Promise<void> {
  const values = parseOptions(argv, OPTIONS, HELP, io);
  if (!values) return;
  const out = requireString(values, 'out');
  const seeds = parseSeeds(requireString(values, 'seeds'));
  const jobs = numberOption(values, 'jobs', { integer: true, min: 1 }, 1);
  const preset = optionalString(values, 'preset');
  const configFile = optionalString(values, 'config');
  const config = loadConfig(preset, configFile); // fails here, once, on a bad preset or config
  const steps = values.steps === undefined ? undefined : numberOption(values, 'steps', { integer: true, min: 1 });
  const checkpoints = optionalString(values, 'checkpoints');

  mkdirSync(out, { recursive: true });
  const seedDir = (s: number) => join(out, `seed-${s}`);
  const trainArgv = (s: number) => [
    ...(preset !== undefined ? ['--preset', preset] : ['--config', configFile!]),
    '--seed',
    String(s),
    ...(steps !== undefined ? ['--steps', String(steps)] : []),
    ...(checkpoints !== undefined ? ['--checkpoints', checkpoints] : []),
    '--out',
    seedDir(s),
  ];
  const start = performance.now();
  io.stderr(`sweep ${preset ?? config.name}: seeds ${seeds.join(', ')}, ${jobs} at a time\n`);
  await pool(seeds, jobs, async (s) => {
    const lines = lineWriter(io.stderr, `seed ${s}: `);
    try {
      if (jobs === 1) await train.run(trainArgv(s), { stdout: io.stdout, stderr: lines.push });
      else await trainInChild(trainArgv(s), Math.max(1, Math.floor(cliThreads() / jobs)), lines.push);
    } catch (e) {
      throw new Error(`seed ${s} failed: ${(e as Error).message}`);
    } finally {
      lines.end();
    }
  });

  const runs = seeds.map((s) => runSummary(readRows(seedDir(s))));
  const summary = sweepSummary(preset ?? config.name, seeds, runs);
  writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  const bySeed = seeds.map((seed) => ({
    seed,
    diagnostics: JSON.parse(readFileSync(join(seedDir(seed), 'diagnostics.json'), 'utf8')) as Diagnostic[],
  }));
  writeFileSync(
    join(out, 'diagnostics.json'),
    JSON.stringify(
      bySeed.flatMap((s) => s.diagnostics.map((d) => ({ seed: s.seed, ...d }))),
      null,
      2,
    ) + '\n',
  );
  io.stderr(diagnosticsReport(bySeed));
  const show = (name: string) => {
    const m = summary.metrics[name];
    return `${name} ${m.mean.toFixed(3)} [${m.ci95[0].toFixed(3)}, ${m.ci95[1].toFixed(3)}]`;
  };
  io.stderr(
    `sweep ${['accuracy_final', 'accuracy_gain', 'entropy_final', 'mean_length_final'].map(show).join('  ')}\n`,
  );
  io.stderr(`sweep wrote ${out} in ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
}

export const sweep: Command = {
  name: 'sweep',
  summary: 'the same RL run over several seeds, in parallel if asked; writes each run and a summary with 95% intervals',
  help: HELP,
  run: runSweep,
};
