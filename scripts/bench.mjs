// `npm run bench`: serves the repo with Vite, opens src/gpu/bench/index.html in headless Chromium
// (WebGPU: the machine's GPU with WEBGPU_ADAPTER=hardware, else SwiftShader), streams the page's
// progress to stderr, prints the result table to stdout and writes it to --out (markdown).
//   node scripts/bench.mjs [--out FILE] [--quick] [--only LETTERS]
// --out FILE: where the table goes (default bench.md in the working directory, git-ignored);
// --quick: fewer repetitions per measurement; --only: the sections to run, e.g. --only de.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { createServer } from 'vite';
import { chromiumArgs } from './chromium-args.mjs';
import { requireChromium } from './find-chromium.mjs';

// What src/gpu/bench/main.ts leaves on `window` when it is done.
/** @typedef {{ markdown: string; error?: string }} BenchResult */

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    'usage: node scripts/bench.mjs [--out FILE] [--quick] [--only LETTERS]\n' +
      '  --out FILE  write the markdown table to FILE (default bench.md)\n' +
      '  --quick     fewer repetitions per measurement\n' +
      '  --only abc  run only these sections (a matmul, b SFT, c generation, d GRPO step, e CPU SFT)\n' +
      'WEBGPU_ADAPTER=hardware uses the machine GPU; otherwise Chromium runs WebGPU on SwiftShader.\n',
  );
  process.exit(0);
}
const outIdx = args.indexOf('--out');
const outPath = outIdx >= 0 ? args[outIdx + 1] : 'bench.md';
if (!outPath) {
  process.stderr.write('--out needs a file name\n');
  process.exit(2);
}
const quick = args.includes('--quick');
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? (args[onlyIdx + 1] ?? '') : '';
if (onlyIdx >= 0 && !/^[a-e]+$/.test(only)) {
  process.stderr.write('--only takes section letters a–e, e.g. --only de\n');
  process.exit(2);
}

const root = fileURLToPath(new URL('..', import.meta.url));
// No file watching or HMR: an edit to the tree mid-run must not reload the page and restart the bench.
const server = await createServer({
  root,
  // vite.config.ts makes the page cross-origin isolated, so TF.js's wasm backend may thread in (e).
  server: { port: 0, open: false, hmr: false, watch: null },
  logLevel: 'warn',
  clearScreen: false,
});
await server.listen();
const address = server.httpServer?.address();
if (!address || typeof address === 'string') throw new Error('vite dev server has no TCP port');
const browser = await chromium.launch({ executablePath: await requireChromium(), args: chromiumArgs, headless: true });
let failed = false;
try {
  const page = await browser.newPage();
  page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
  page.on('pageerror', (e) => {
    failed = true;
    process.stderr.write(`[page error] ${e.message}\n`);
  });
  const query = new URLSearchParams({ ...(quick ? { quick: '1' } : {}), ...(only ? { only } : {}) });
  await page.goto(`http://localhost:${address.port}/src/gpu/bench/index.html?${query}`);
  const handle = await page.waitForFunction(
    () => /** @type {Window & { __benchDone?: BenchResult }} */ (window).__benchDone,
    null,
    { timeout: 30 * 60_000, polling: 1000 },
  );
  const result = await handle.jsonValue();
  if (!result) throw new Error('the bench page finished without a result');
  if (result.error) throw new Error(result.error);
  process.stdout.write(result.markdown + '\n');
  writeFileSync(outPath, result.markdown + '\n');
  process.stderr.write(`bench table written to ${outPath}\n`);
} catch (e) {
  failed = true;
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
