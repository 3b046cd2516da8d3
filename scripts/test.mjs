// `npm test`: every suite, in order — typecheck and format, Node (vitest), browser/WebGPU (vitest browser mode), e2e
// (Playwright against the built app). Stops at the first red suite; prints a summary line.
import { spawnSync } from 'node:child_process';
import { requireChromium } from './find-chromium.mjs';

const chromium = await requireChromium();
console.log(`Chromium for the browser and e2e suites: ${chromium}`);
const env = { ...process.env, CHROMIUM_PATH: chromium };

const suites = [
  ['check (types + format)', 'npm', ['run', '-s', 'check']],
  ['node', 'npx', ['vitest', 'run', '--project', 'node']],
  ['browser (WebGPU)', 'npx', ['vitest', 'run', '--project', 'gpu']],
  ['build', 'npx', ['vite', 'build', '--logLevel', 'warn']],
  ['e2e', 'npx', ['playwright', 'test']],
];
const results = [];
for (const [name, cmd, args] of suites) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  results.push([name, r.status === 0, (Date.now() - t0) / 1000]);
  if (r.status !== 0) break;
}
console.log('\n=== summary');
for (const [name, ok, s] of results) console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}  (${s.toFixed(1)} s)`);
process.exit(results.every(([, ok]) => ok) && results.length === suites.length ? 0 : 1);
