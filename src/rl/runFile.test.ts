// Run file import at its edges: each malformed input is refused with a message that says what is
// wrong and where; a run's config goes through RunConfigSchema; long JSON Lines report progress.

import { describe, expect, it } from 'vitest';
import { parseRunConfig } from './config';
import type { MetricsRow } from './metrics';
import {
  IMPORT_CHUNK_ROWS,
  metricsToJsonl,
  parseRunImport,
  parseRunsImportAsync,
  runToJson,
  type ImportProgress,
  type RunMeta,
} from './runFile';

const META: RunMeta = {
  id: 'r1',
  name: 'edge',
  createdAt: 1_700_000_000_000,
  config: parseRunConfig({ steps: 10 }),
  steps: 2,
  status: 'done',
};
const ROWS: MetricsRow[] = [
  { step: 0, reward: 0.5, entropy: 1.25 },
  { step: 1, reward: 0.75, entropy: 1 },
];

/** A run export with parts of its document replaced. */
function runFileWith(patch: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(runToJson(META, ROWS));
  patch(doc);
  return JSON.stringify(doc);
}

const EXPECTED = 'expected a run export, an array of metric rows, or JSON Lines of metric rows';

describe('run file import edges', () => {
  it.each([
    ['null', `a.json holds null, not a run: ${EXPECTED}`],
    ['42', `a.json holds a number, not a run: ${EXPECTED}`],
    ['"run"', `a.json holds a string, not a run: ${EXPECTED}`],
    ['true', `a.json holds a boolean, not a run: ${EXPECTED}`],
    ['[]', 'a.json holds no metric rows'],
    ['   \n', 'a.json is empty'],
    [
      '{"format":"wandb-history","rows":[]}',
      'a.json has format "wandb-history": expected a "grpo-playground-run" run export, an array of metric rows, or JSON Lines of metric rows',
    ],
    [
      '{"hello":1}',
      'a.json has no "format": expected a "grpo-playground-run" run export, an array of metric rows, or JSON Lines of metric rows',
    ],
    ['[1, 2]', 'a.json row 1: not a JSON object'],
    ['{"step":0,"reward":NaN}', 'a.json line 1: NaN is not a JSON number (write null for a metric a step did not log)'],
    [
      '{"step":0,"reward":1}\n{"step":1,"reward":-Infinity}',
      'a.json line 2: -Infinity is not a JSON number (write null for a metric a step did not log)',
    ],
    ['{"step":-5,"reward":1}', 'a.json line 1: "step" must be a non-negative integer, got -5'],
    ['{"step":1.5}', 'a.json line 1: "step" must be a non-negative integer, got 1.5'],
    ['{"reward":1}\n{"reward":2}', 'a.json line 1: "step" must be a non-negative integer, got nothing'],
  ])('%j is refused: %s', (text, message) => {
    expect(() => parseRunImport(text, 'a.json')).toThrow(new Error(message));
  });

  it('a run file with steps −5 (the run or its config) or NaN metrics is refused', () => {
    expect(() =>
      parseRunImport(
        runFileWith((d) => (d.run.steps = -5)),
        'r.json',
      ),
    ).toThrow(new Error('r.json: run.steps must be a non-negative integer, got -5'));
    expect(() =>
      parseRunImport(
        runFileWith((d) => (d.run.config.steps = -5)),
        'r.json',
      ),
    ).toThrow(new Error('r.json: invalid run config: steps: must be an integer in [1, 5000], got -5'));
    const nan = runToJson(META, ROWS).replace('"reward":0.75', '"reward":NaN');
    expect(() => parseRunImport(nan, 'r.json')).toThrow(
      new Error('r.json line 1: NaN is not a JSON number (write null for a metric a step did not log)'),
    );
    expect(() =>
      parseRunImport(
        runFileWith((d) => (d.metrics = null)),
        'r.json',
      ),
    ).toThrow(new Error('r.json: "metrics" must be an array of metric rows'));
    expect(() =>
      parseRunImport(
        runFileWith((d) => (d.run = null)),
        'r.json',
      ),
    ).toThrow(new Error(`r.json: "run" must be an object with the run's name, config and steps`));
  });

  it("a run file's config goes through the sidebar's ranges: an inverted Clip-Cov band or lr out of range is refused", () => {
    const inverted = runFileWith((d) =>
      Object.assign(d.run.config, { policyLoss: 'clip-cov', clipCovLb: 5, clipCovUb: 1 }),
    );
    expect(() => parseRunImport(inverted, 'r.json')).toThrow(
      new Error('r.json: invalid run config: clipCovUb: must be above clipCovLb = 5, got 1'),
    );
    expect(() =>
      parseRunImport(
        runFileWith((d) => (d.run.config.lr = 5)),
        'r.json',
      ),
    ).toThrow(new Error('r.json: invalid run config: lr: must be a number in [0.00001, 0.01], got 5'));
    expect(() =>
      parseRunImport(
        runFileWith((d) => (d.run.config.groupSize = 1)),
        'r.json',
      ),
    ).toThrow(new Error('r.json: invalid run config: groupSize: must be an integer in [2, 32], got 1'));
    // The same file with its values inside the ranges imports.
    expect(
      parseRunImport(
        runFileWith(() => {}),
        'r.json',
      ).config.steps,
    ).toBe(10);
  });

  it("metric rows past the config's largest step budget import: the config's steps is capped at 5000, the run keeps 7000", () => {
    const rows = Array.from({ length: 7000 }, (_, step) => ({ step, reward: step / 7000 }));
    const run = parseRunImport(metricsToJsonl(rows), 'long.jsonl');
    expect(run.config.steps).toBe(5000);
    expect(run.steps).toBe(7000);
    expect(run.metrics).toHaveLength(7000);
  });
});

describe('long imports', () => {
  it('a 100k-row JSON Lines import reports progress in chunks and ends at 100000 rows', async () => {
    const n = 100_000;
    const text = Array.from({ length: n }, (_, step) => `{"step":${step},"reward":${(step % 7) / 7}}`).join('\n');
    const events: ImportProgress[] = [];
    const [run] = await parseRunsImportAsync(text, 'big.jsonl', (p) => events.push({ ...p }));
    expect(run.metrics).toHaveLength(n);
    expect(run.steps).toBe(n);
    expect(events.length).toBe(n / IMPORT_CHUNK_ROWS);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)).toEqual({ rows: n, total: n });
    for (let i = 1; i < events.length; i++) expect(events[i].rows).toBeGreaterThan(events[i - 1].rows);
    expect(events.every((e) => e.total === n)).toBe(true);
  });
});
