// `compare`: two seed sweeps side by side (docs/DESIGN.md §10). For every summary metric both sweeps
// have: A's and B's mean over seeds, diff = B − A, the 95% bootstrap interval of diff (each sweep's
// seeds resampled on their own), a two-sided permutation p-value and a verdict (src/rl/stats.ts
// compareSamples): decided only when the interval excludes 0. The last line of stdout is one JSON
// object for --metric, for scripts.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { compareSamples, type Comparison } from '../rl/stats';
import { SUMMARY_METRICS } from '../rl/summary';
import { parseOptionsAndPositionals, optionalString, UsageError, type CliIO, type Command } from './args';

const HELP = `Usage: npm run cli -- compare DIR_A DIR_B [--metric NAME]

Compares two sweeps (directories written by \`npm run cli -- sweep\`, read from DIR/summary.json).

  --metric NAME   the metric of the JSON line (default accuracy_final); the table shows every metric
  -h, --help      show this help

For each metric: A mean, B mean, diff = B mean − A mean, the 95% interval of diff (percentile
bootstrap over seeds, each sweep resampled on its own, seeded), the two-sided permutation p-value
(exact over every split of the seeds up to 20000 splits, else 9999 seeded random splits) and the verdict:
"B higher" when the interval lies above 0, "A higher" when below, else "undecided". The p-value is
shown beside the verdict, not folded into it: with 3 seeds a side no split test gets below p = 0.1.

The last line is one JSON object for --metric:
{"metric", "a_mean", "b_mean", "diff", "ci95": [lo, hi], "p_value", "verdict"}
`;

const OPTIONS = { metric: { type: 'string' } } as const;

const SummarySchema = z.object({
  preset: z.string(),
  seeds: z.array(z.number()),
  metrics: z.record(
    z.string(),
    z.object({ per_seed: z.array(z.number()).min(1), mean: z.number(), ci95: z.tuple([z.number(), z.number()]) }),
  ),
});
type Summary = z.infer<typeof SummarySchema>;

function readSummary(dir: string): Summary {
  const path = join(dir, 'summary.json');
  if (!existsSync(path))
    throw new Error(`${dir} has no summary.json (write one with \`npm run cli -- sweep … --out ${dir}\`)`);
  const parsed = SummarySchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is not a sweep summary: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** The metrics both summaries have: the known ones in their usual order, then any others. */
function sharedMetrics(a: Summary, b: Summary): string[] {
  const both = Object.keys(a.metrics).filter((m) => m in b.metrics);
  return [...SUMMARY_METRICS.filter((m) => both.includes(m)), ...both.filter((m) => !SUMMARY_METRICS.includes(m))];
}

const f = (x: number) => (Math.abs(x) >= 1000 ? x.toExponential(2) : x.toFixed(4));

function table(rows: { metric: string; c: Comparison }[]): string {
  const cells = [
    ['metric', 'A mean', 'B mean', 'diff (B−A)', '95% CI of diff', 'p', 'verdict'],
    ...rows.map(({ metric, c }) => [
      metric,
      f(c.a_mean),
      f(c.b_mean),
      f(c.diff),
      `[${f(c.ci95[0])}, ${f(c.ci95[1])}]`,
      c.p_value.toFixed(3),
      c.verdict,
    ]),
  ];
  const widths = cells[0].map((_, j) => Math.max(...cells.map((r) => r[j].length)));
  return cells
    .map((r) => r.map((x, j) => (j === 0 ? x.padEnd(widths[j]) : x.padStart(widths[j]))).join('  ') + '\n')
    .join('');
}

async function runCompare(argv: string[], io: CliIO): Promise<void> {
  const parsed = parseOptionsAndPositionals(argv, OPTIONS, 2, HELP, io);
  if (!parsed) return;
  const [dirA, dirB] = parsed.positionals;
  const metric = optionalString(parsed.values, 'metric') ?? 'accuracy_final';
  const a = readSummary(dirA);
  const b = readSummary(dirB);
  const metrics = sharedMetrics(a, b);
  if (!metrics.includes(metric)) {
    throw new UsageError(`--metric ${metric} is not in both summaries (one of: ${metrics.join(', ')})`);
  }
  const rows = metrics.map((m) => ({ metric: m, c: compareSamples(a.metrics[m].per_seed, b.metrics[m].per_seed) }));
  io.stdout(`A: ${dirA} (${a.preset}, seeds ${a.seeds.join(', ')})\n`);
  io.stdout(`B: ${dirB} (${b.preset}, seeds ${b.seeds.join(', ')})\n`);
  const sameSeeds = a.seeds.length === b.seeds.length && a.seeds.every((s, i) => s === b.seeds[i]);
  // a seed fixes the base's held-out set and first rollouts, so different seeds differ before any training
  if (!sameSeeds)
    io.stdout('note: the sweeps ran different seeds; part of any difference may be the seeds themselves\n');
  io.stdout('\n');
  io.stdout(table(rows));
  const c = rows.find((r) => r.metric === metric)!.c;
  const line = {
    metric,
    a_mean: c.a_mean,
    b_mean: c.b_mean,
    diff: c.diff,
    ci95: c.ci95,
    p_value: c.p_value,
    verdict: c.verdict,
  };
  io.stdout('\n' + JSON.stringify(line) + '\n');
}

export const compare: Command = {
  name: 'compare',
  summary: 'two sweeps side by side: means, difference with its 95% interval, permutation p-value, verdict',
  help: HELP,
  run: runCompare,
};
