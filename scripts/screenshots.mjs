// Saves the README's screenshots: docs/screenshot-run.png (the page mid-run) and
// docs/screenshot-compare.png (two runs overlaid). Builds nothing: run `npx vite build` first.
// Uses Debian's Chromium with the project's WebGPU flags; the base policy with a small batch keeps
// it to a few minutes on SwiftShader.
//   node scripts/screenshots.mjs [--port 4175]
import { chromium } from 'playwright';
import { chromiumArgs } from './chromium-args.mjs';
import { requireChromium } from './find-chromium.mjs';
import { startPreview } from './preview.mjs';

const port = Number(process.argv[process.argv.indexOf('--port') + 1]) || 4175;

// Sidebar settings small enough for a software GPU (the preset's other settings stay), large
// enough that the curves show learning rather than noise.
const SMALL = {
  'Prompts per step (P)': 8,
  'Group size (G)': 8,
  'Max new tokens (L)': 8,
  'Eval prompts': 32,
  'Evaluate every': 10,
  Steps: 200,
};
const VIEWPORT = { width: 1680, height: 1050 };
const RUN_STEPS = 40; // steps per run before the shot

const { base, ready: waitForServer, stop: stopServer } = startPreview(port);

/**
 * Scroll page and sidebar back to the top, where a reader starts.
 * @param {import('playwright').Page} page
 */
async function top(page) {
  await page.evaluate(() => {
    window.scrollTo(0, 0);
    document.querySelector('.sidebar')?.scrollTo(0, 0);
  });
}

/**
 * Press Start and wait until the status bar reports at least `steps` steps.
 * @param {import('playwright').Page} page
 * @param {number} steps
 */
async function trainTo(page, steps) {
  const status = page.getByRole('status');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  const re = new RegExp(`Step (${steps}|[1-9]\\d{${String(steps).length}})`);
  await status.getByText(re).waitFor({ timeout: 900_000 });
}

try {
  await waitForServer();
  const browser = await chromium.launch({ executablePath: await requireChromium(), args: chromiumArgs });
  const page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));

  // Run 1: the entropy-collapse preset, shrunk for a software GPU. Shot while it runs.
  await page.goto(`${base}/`);
  await page.getByRole('button', { name: /^Entropy collapse/ }).click();
  for (const [label, value] of Object.entries(SMALL)) await page.getByLabel(label, { exact: true }).fill(String(value));
  await trainTo(page, RUN_STEPS);
  await top(page);
  await page.screenshot({ path: 'docs/screenshot-run.png' });
  console.log('saved docs/screenshot-run.png');
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('status').getByText('paused').waitFor();

  // Run 2: the KL-Cov preset (the same run plus KL-Cov), shrunk the same way; then overlay run 1 on it.
  await page.getByRole('button', { name: /^KL-Cov/ }).click();
  for (const [label, value] of Object.entries(SMALL)) await page.getByLabel(label, { exact: true }).fill(String(value));
  await trainTo(page, RUN_STEPS);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('status').getByText('paused').waitFor();
  const runs = page.getByRole('list', { name: 'Runs' });
  await runs
    .getByRole('listitem')
    .nth(1)
    .getByRole('checkbox', { name: /^Overlay / })
    .check();
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'docs/screenshot-compare.png' });
  console.log('saved docs/screenshot-compare.png');
  await browser.close();
} finally {
  stopServer();
}
