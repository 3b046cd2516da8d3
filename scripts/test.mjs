// `npm test`: every suite, in order — typecheck, layer lint and format, Node (vitest),
// browser/WebGPU (vitest browser mode), e2e (Playwright against the built app). Stops at the
// first red suite; ends with one line `N passed, N failed` over every test that ran.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireChromium } from './find-chromium.mjs';

const chromium = await requireChromium();
console.log(`Chromium for the browser and e2e suites: ${chromium}`);
const out = mkdtempSync(join(tmpdir(), 'grpo-test-'));
const env = { ...process.env, CHROMIUM_PATH: chromium, PLAYWRIGHT_JSON_OUTPUT_NAME: join(out, 'e2e.json') };

/** @typedef {{ passed: number; failed: number }} Counts */
/** @typedef {[name: string, cmd: string, args: string[], counts: (() => Counts) | null]} Suite */

/**
 * Counts from a vitest JSON report.
 * @param {string} file
 * @returns {Counts}
 */
const vitestCounts = (file) => {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  return { passed: r.numPassedTests, failed: r.numFailedTests };
};
/**
 * Counts from a Playwright JSON report.
 * @param {string} file
 * @returns {Counts}
 */
const playwrightCounts = (file) => {
  const s = JSON.parse(readFileSync(file, 'utf8')).stats;
  return { passed: s.expected + s.flaky, failed: s.unexpected };
};
/**
 * A vitest project run that writes a JSON report next to the console output.
 * @param {string} project
 * @returns {[cmd: string, args: string[], counts: () => Counts]}
 */
const vitest = (project) => [
  'npx',
  [
    'vitest',
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile=${join(out, `${project}.json`)}`,
  ],
  () => vitestCounts(join(out, `${project}.json`)),
];

/** @type {Suite[]} */
const suites = [
  ['check (types + layers + format)', 'npm', ['run', '-s', 'check'], null],
  ['node', ...vitest('node')],
  ['browser (WebGPU)', ...vitest('gpu')],
  ['build', 'npx', ['vite', 'build', '--logLevel', 'warn'], null],
  ['e2e', 'npx', ['playwright', 'test', '--reporter=list,json'], () => playwrightCounts(join(out, 'e2e.json'))],
];
const results = [];
let passed = 0;
let failed = 0;
for (const [name, cmd, args, counts] of suites) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  let tally = '';
  if (counts) {
    try {
      const c = counts();
      passed += c.passed;
      failed += c.failed;
      tally = `${c.passed} passed, ${c.failed} failed, `;
    } catch {
      tally = 'no report, ';
    }
  }
  results.push([name, r.status === 0, `${tally}${((Date.now() - t0) / 1000).toFixed(1)} s`]);
  if (r.status !== 0) break;
}
const ok = results.every(([, good]) => good) && results.length === suites.length;
if (!ok && failed === 0) failed = 1; // a red suite without test failures (types, build, crash) still fails
console.log('\n=== summary');
for (const [name, good, detail] of results) console.log(`${good ? 'PASS' : 'FAIL'}  ${name}  (${detail})`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
