// `npm run bench`: serves the repo with Vite, opens src/gpu/bench/index.html in headless Chromium
// (WebGPU: the machine's GPU with WEBGPU_ADAPTER=hardware, else SwiftShader), streams the page's
// progress to stderr, prints the result table to stdout and writes it to --out (markdown).
// Options: --out FILE (default bench.md in the working directory), --quick (fewer repetitions).
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright';
import { createServer } from 'vite';
import { requireChromium } from '../../../scripts/find-chromium.mjs';
import { chromiumArgs } from '../../../scripts/chromium-args.mjs';

const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const outPath = outIdx >= 0 ? args[outIdx + 1] : 'bench.md';
const quick = args.includes('--quick');

const server = await createServer({ server: { port: 0, open: false }, logLevel: 'warn', clearScreen: false });
await server.listen();
const port = server.httpServer.address().port;
const browser = await chromium.launch({ executablePath: await requireChromium(), args: chromiumArgs, headless: true });
let failed = false;
try {
  const page = await browser.newPage();
  page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
  page.on('pageerror', (e) => {
    failed = true;
    process.stderr.write(`[page error] ${e.message}\n`);
  });
  await page.goto(`http://localhost:${port}/src/gpu/bench/index.html${quick ? '?quick=1' : ''}`);
  const handle = await page.waitForFunction(() => window.__benchDone, null, { timeout: 30 * 60_000, polling: 1000 });
  const result = await handle.jsonValue();
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
