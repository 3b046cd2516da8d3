// `sweep` and `compare` end to end on a short run from the add base checkpoint: the files each seed
// gets, summary numbers recomputed from the seeds' metrics.jsonl, the same numbers from child
// processes (--jobs 2), and compare's table and verdict on a sweep against itself and on summaries
// written by hand, whose interval can be bounded by hand.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsRow } from '../rl/metrics';
import type { MeanSummary } from '../rl/stats';
import { cli, tempDir } from './testing';

const REQUIRED = [
  'accuracy_start',
  'accuracy_final',
  'accuracy_gain',
  'entropy_start',
  'entropy_final',
  'mean_length_start',
  'mean_length_final',
  'pass@k_final',
];

const tmp = tempDir();
const configFile = tmp.path('run.json');
const sweepDir = tmp.path('sweep');
const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const rowsOf = (dir: string): MetricsRow[] =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
let sweepRun: Awaited<ReturnType<typeof cli>>;

beforeAll(async () => {
  writeFileSync(
    configFile,
    JSON.stringify({
      name: 'short-add',
      task: 'add',
      model: 'small',
      init: 'base',
      steps: 6,
      promptsPerStep: 2,
      groupSize: 4,
      maxNewTokens: 4,
      lr: 5e-4,
      evalEvery: 3,
      evalPrompts: 16,
      passN: 2,
      passK: 1,
    }),
  );
  sweepRun = await cli('sweep', '--config', configFile, '--seeds', '1,2,3', '--out', sweepDir);
}, 120_000);
afterAll(() => tmp.remove());

describe('sweep', () => {
  it('writes seed-<s>/ as train does, for every seed, with that seed in its config', () => {
    expect(sweepRun.code).toBe(0);
    for (const s of [1, 2, 3]) {
      const dir = join(sweepDir, `seed-${s}`);
      for (const f of ['metrics.jsonl', 'config.json', 'final.safetensors', 'diagnostics.json']) {
        expect(existsSync(join(dir, f)), `${dir}/${f}`).toBe(true);
      }
      expect(readJson(join(dir, 'config.json')).seed).toBe(s);
      expect(rowsOf(dir).map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    }
    expect(sweepRun.stderr).toMatch(/^seed 2: train step 6\/6 /m);
    expect(sweepRun.stderr).toMatch(/^sweep wrote /m);
  });

  it('summary.json: per_seed of length 3 recomputed from each metrics.jsonl, mean of per_seed, interval around the mean', () => {
    const summary = readJson(join(sweepDir, 'summary.json'));
    expect(summary.preset).toBe('short-add');
    expect(summary.seeds).toEqual([1, 2, 3]);
    for (const name of REQUIRED) expect(Object.keys(summary.metrics)).toContain(name);
    for (const [name, m] of Object.entries(summary.metrics) as [string, MeanSummary][]) {
      expect(m.per_seed, name).toHaveLength(3);
      expect(m.mean, name).toBeCloseTo(avg(m.per_seed), 12);
      expect(m.ci95[0], name).toBeLessThanOrEqual(m.mean + 1e-12);
      expect(m.ci95[1], name).toBeGreaterThanOrEqual(m.mean - 1e-12);
      expect(m.ci95[0], name).toBeGreaterThanOrEqual(Math.min(...m.per_seed) - 1e-12);
      expect(m.ci95[1], name).toBeLessThanOrEqual(Math.max(...m.per_seed) + 1e-12);
    }
    [1, 2, 3].forEach((s, i) => {
      const rows = rowsOf(join(sweepDir, `seed-${s}`));
      const steps = rows.filter((r) => r.entropy !== undefined);
      const at = (name: string) => summary.metrics[name].per_seed[i];
      expect(at('accuracy_start')).toBe(rows[0].accuracy); // the step-0 evaluation
      expect(at('accuracy_final')).toBe(rows[rows.length - 1].accuracy); // the final evaluation row
      expect(at('accuracy_gain')).toBeCloseTo(rows[rows.length - 1].accuracy! - rows[0].accuracy!, 12);
      expect(at('pass@k_final')).toBe(rows[rows.length - 1]['pass@k']);
      expect(at('entropy_start')).toBeCloseTo(avg(steps.slice(0, 3).map((r) => r.entropy!)), 12);
      expect(at('entropy_final')).toBeCloseTo(avg(steps.slice(3).map((r) => r.entropy!)), 12);
      expect(at('mean_length_final')).toBeCloseTo(avg(steps.slice(3).map((r) => r['completions/mean_length']!)), 12);
    });
    // seeds differ (their held-out sets and samples do), so the interval has width
    expect(new Set(summary.metrics.entropy_start.per_seed).size).toBe(3);
  });

  it("diagnostics.json gathers every seed's diagnostics, tagged with the seed", () => {
    const all = readJson(join(sweepDir, 'diagnostics.json'));
    const expected = [1, 2, 3].flatMap((seed) =>
      readJson(join(sweepDir, `seed-${seed}`, 'diagnostics.json')).map((d: object) => ({ seed, ...d })),
    );
    expect(all).toEqual(expected);
    expect(sweepRun.stderr).toMatch(/^sweep diagnose: /m);
  });

  it('--jobs 2 (child processes) gives the same summary as one seed after another', async () => {
    const dir = tmp.path('sweep-jobs');
    const r = await cli('sweep', '--config', configFile, '--seeds', '1,2,3', '--jobs', '2', '--out', dir);
    expect(r.code, r.stderr).toBe(0);
    expect(readJson(join(dir, 'summary.json'))).toEqual(readJson(join(sweepDir, 'summary.json')));
    expect(r.stderr).toMatch(/^seed 3: train step 6\/6 /m);
  }, 120_000);

  it('names truncation on every seed of a fresh tiny model with 4 new tokens (it rarely emits <eos>)', async () => {
    const file = tmp.path('tiny.json');
    writeFileSync(
      file,
      JSON.stringify({
        task: 'add',
        model: 'tiny',
        init: 'scratch',
        steps: 4,
        promptsPerStep: 2,
        groupSize: 4,
        maxNewTokens: 4,
        evalPrompts: 4,
        passN: 1,
        passK: 1,
      }),
    );
    const dir = tmp.path('sweep-tiny');
    const r = await cli('sweep', '--config', file, '--seeds', '4,5', '--out', dir);
    expect(r.code, r.stderr).toBe(0);
    const ids = readJson(join(dir, 'diagnostics.json')).map((d: { seed: number; id: string }) => `${d.seed}:${d.id}`);
    expect(ids).toContain('4:truncation');
    expect(ids).toContain('5:truncation');
    expect(r.stderr).toMatch(/^sweep diagnose: warning truncation on seeds 4, 5 of 2 .*maxNewTokens \(4\)/m);
    expect(r.stderr).toMatch(/^seed 4: train: warning truncation \(step 0\)/m);
  }, 60_000);

  it.each([
    [['--seeds', '1,1'], /^sweep: --seeds has a seed twice: 1,1; see --help\n$/],
    [['--seeds', '1,x'], /^sweep: --seeds must be comma-separated integers ≥ 0, got "x"/],
    [['--seeds', '1', '--jobs', '0'], /^sweep: --jobs must be an integer ≥ 1, got 0/],
  ])('bad arguments exit 2: %j', async (extra, pattern) => {
    const r = await cli('sweep', '--config', configFile, '--out', tmp.path('never'), ...extra);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(existsSync(tmp.path('never'))).toBe(false);
  });
});

/** The JSON object on compare's last line. */
const lastJson = (stdout: string) => JSON.parse(stdout.trimEnd().split('\n').pop()!);

describe('compare', () => {
  it('a sweep against itself: every metric in the table, undecided, diff 0, p 1', async () => {
    const r = await cli('compare', sweepDir, sweepDir);
    expect(r.code, r.stderr).toBe(0);
    const summary = readJson(join(sweepDir, 'summary.json'));
    const names = Object.keys(summary.metrics);
    const tableLines = r.stdout.split('\n').filter((l) => names.some((n) => l.startsWith(n + ' ')));
    expect(tableLines).toHaveLength(names.length);
    for (const l of tableLines) expect(l).toMatch(/ 0\.0000 .* 1\.000 +undecided$/);
    const j = lastJson(r.stdout);
    expect(Object.keys(j)).toEqual(['metric', 'a_mean', 'b_mean', 'diff', 'ci95', 'p_value', 'verdict']);
    expect(j.metric).toBe('accuracy_final');
    expect(j.a_mean).toBe(summary.metrics.accuracy_final.mean);
    expect(j.b_mean).toBe(summary.metrics.accuracy_final.mean);
    expect(j.diff).toBe(0);
    expect(j.p_value).toBe(1);
    expect(j.verdict).toBe('undecided');
    expect(j.ci95[0]).toBeLessThanOrEqual(0);
    expect(j.ci95[1]).toBeGreaterThanOrEqual(0);
    expect(lastJson((await cli('compare', sweepDir, sweepDir, '--metric', 'entropy_final')).stdout).metric).toBe(
      'entropy_final',
    );
  });

  it('hand-written summaries: every resampled B − A lies in [0.15, 0.25], so "B higher"; swapped, "A higher"; p = 2/20', async () => {
    const write = (name: string, perSeed: number[], seeds = [1, 2, 3]) => {
      const dir = tmp.path(name);
      mkdirSync(dir, { recursive: true });
      const m = { per_seed: perSeed, mean: avg(perSeed), ci95: [Math.min(...perSeed), Math.max(...perSeed)] };
      writeFileSync(join(dir, 'summary.json'), JSON.stringify({ preset: name, seeds, metrics: { accuracy_final: m } }));
      return dir;
    };
    const low = write('low', [0.2, 0.22, 0.25]);
    const high = write('high', [0.4, 0.42, 0.45]);
    const ab = lastJson((await cli('compare', low, high)).stdout);
    expect(ab.diff).toBeCloseTo(0.2, 12);
    expect(ab.ci95[0]).toBeGreaterThanOrEqual(0.15 - 1e-12);
    expect(ab.ci95[1]).toBeLessThanOrEqual(0.25 + 1e-12);
    expect(ab.p_value).toBeCloseTo(0.1, 12);
    expect(ab.verdict).toBe('B higher');
    const ba = lastJson((await cli('compare', high, low)).stdout);
    expect(ba.diff).toBeCloseTo(-0.2, 12);
    expect(ba.verdict).toBe('A higher');
    expect((await cli('compare', low, high)).stdout).not.toMatch(/^note: /m);
    const other = write('other-seeds', [0.4, 0.42, 0.45], [4, 5, 6]);
    expect((await cli('compare', low, other)).stdout).toMatch(/^note: the sweeps ran different seeds/m);
  });

  it('errors: a directory without summary.json exits 1, an unknown metric or one directory exits 2', async () => {
    const none = await cli('compare', tmp.path('nowhere'), sweepDir);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^compare: .*nowhere has no summary\.json/);
    const metric = await cli('compare', sweepDir, sweepDir, '--metric', 'acuracy');
    expect(metric.code).toBe(2);
    expect(metric.stderr).toMatch(/^compare: --metric acuracy is not in both summaries \(one of: accuracy_start, /);
    const one = await cli('compare', sweepDir);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/^compare: expected 2 arguments besides the --flags, got 1/);
  });
});
