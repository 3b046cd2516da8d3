// Measures what a person waits on in the built page: time from Start to "Step 1" and steps/s, for the
// "GRPO on addition" preset, with each Backend setting, from the status bar's texts as the page shows
// them. Mode `cli` runs `npm run cli -- train` on the same preset and times its progress lines the
// same way (its line "train step k/N" is the page's "Step k"), so the page is compared with the CLI in
// one run. `--rounds R` repeats the modes R times, every other round in reverse order, and prints
// each page mode's steps/s over the CLI's round by round: the machine's load drifts, so a ratio holds
// only within a round. Builds nothing: run `npx vite build` first. A benchmark, not a test: the
// figures depend on the machine and its load.
//   node scripts/bench-page.mjs [--port 4183] [--steps 10] [--modes auto,auto,cpu,webgpu,cli] [--rounds 1] [--shots DIR]
// Modes run in order in one browser profile, so a second `auto` finds the first one's probe cached.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { chromiumArgs } from './chromium-args.mjs';
import { requireChromium } from './find-chromium.mjs';
import { startPreview } from './preview.mjs';

/** @param {string} name @param {string} dflt */
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const port = Number(arg('port', '4183'));
const steps = Number(arg('steps', '10'));
const modes = arg('modes', 'auto,auto,cpu').split(',');
const rounds = Number(arg('rounds', '1'));
const shots = arg('shots', '');
const stepTimeout = Number(arg('timeout', '600')) * 1000;

const { base, ready: waitForServer, stop: stopServer } = startPreview(port);

/**
 * From when each step was first shown (step → ms since Start): Start → Step 1 in s, the last step,
 * and steps/s from Step 1 to it.
 * @param {Map<number, number>} seen
 */
function rates(seen) {
  const top = Math.max(...seen.keys());
  const first = seen.get(1);
  return {
    startToStep1_s: first === undefined ? null : first / 1000,
    steps: top,
    stepsPerSec: first === undefined || top <= 1 ? null : (top - 1) / (((seen.get(top) ?? 0) - first) / 1000),
  };
}

/**
 * Start → Step 1 (s) and steps/s from Step 1 to Step `steps` (timed from when each appeared), with
 * every status line seen on the way (`trace`: seconds since Start, text).
 * @param {import('playwright').BrowserContext} context
 * @param {string} mode
 * @param {number} index
 */
async function measure(context, mode, index) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  // The page records each status text it shows, with the time, itself: polling the status bar from
  // here many times a second would take CPU from the page being measured (the CLI is not polled).
  await page.addInitScript(() => {
    /** @type {[number, string][]} */
    const log = [];
    Object.assign(window, { __benchStatus: log, __benchStart: 0 });
    new MutationObserver(() => {
      const text = document.querySelector('[role="status"]')?.textContent ?? '';
      if (text && log[log.length - 1]?.[1] !== text) log.push([performance.now(), text]);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  await page.goto(`${base}/?backend=${mode}`);
  await page.getByRole('button', { name: /GRPO on addition/ }).click();
  const status = page.getByRole('status');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.evaluate(() => Object.assign(window, { __benchStart: performance.now() }));
  const t0 = Date.now();
  const seen = new Map(); // step → ms since Start when first shown
  let last = '';
  /** @type {[number, string][]} */
  const trace = [];
  while (Date.now() - t0 < stepTimeout) {
    await new Promise((r) => setTimeout(r, 1000));
    /** @type {{ start: number, log: [number, string][] }} */
    const { start, log } = await page.evaluate(() => {
      const w = /** @type {any} */ (window);
      return { start: w.__benchStart, log: w.__benchStatus.splice(0) };
    });
    for (const [t, raw] of log) {
      const s = Number(/Step (\d+)/.exec(raw)?.[1] ?? 0);
      if (!seen.has(s)) seen.set(s, t - start);
      const text = raw.replace(/\s+/g, ' ').replace(/[\d.]+ steps\/s$/, '');
      if (text !== last) trace.push([(t - start) / 1000, text]);
      last = text;
    }
    if (Math.max(0, ...seen.keys()) >= steps) break;
  }
  const result = {
    mode,
    status: (await status.innerText()).replace(/\s+/g, ' '),
    ...rates(seen),
    trace: trace.filter(([, text]) => !/^Step [1-9]/.test(text)),
  };
  if (shots) {
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: `${shots}/bench-${index}-${mode}.png` });
  }
  await page
    .getByRole('button', { name: 'Pause', exact: true })
    .click()
    .catch(() => undefined);
  await page.close();
  return result;
}

/**
 * The CLI on the same preset: Start → "train step 1" (process start included, as the page's includes
 * loading) and steps/s from step 1 to step `steps`, from when each progress line arrived.
 */
async function measureCli() {
  const out = mkdtempSync(join(tmpdir(), 'bench-page-cli-'));
  const t0 = Date.now();
  const seen = new Map();
  const child = spawn(
    'npx',
    ['tsx', 'src/cli/main.ts', 'train', '--preset', 'grpo-add', '--steps', String(steps), '--out', out],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let buffered = '';
  child.stderr.on('data', (chunk) => {
    buffered += chunk;
    for (const m of buffered.matchAll(/train step (\d+)\//g))
      if (!seen.has(Number(m[1]))) seen.set(Number(m[1]), Date.now() - t0);
    buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  rmSync(out, { recursive: true, force: true });
  if (code !== 0) throw new Error(`cli train exited ${code}`);
  return { mode: 'cli', ...rates(seen) };
}

try {
  await waitForServer();
  const browser = await chromium.launch({ executablePath: await requireChromium(), args: chromiumArgs });
  const context = await browser.newContext({ viewport: { width: 1680, height: 1050 } });
  for (let round = 0; round < rounds; round++) {
    /** @type {{ mode: string, rate: number | null }[]} one per run: a mode may run twice (auto, auto) */
    const results = [];
    // odd rounds run the modes in reverse, so a drift in the machine's load favours neither side
    for (const [i, mode] of (round % 2 === 0 ? modes : [...modes].reverse()).entries()) {
      const result = mode === 'cli' ? await measureCli() : await measure(context, mode, i);
      console.log(JSON.stringify({ round, ...result }));
      results.push({ mode, rate: result.stepsPerSec });
    }
    const cli = results.find((r) => r.mode === 'cli')?.rate;
    if (cli)
      for (const { mode, rate } of results)
        if (mode !== 'cli' && rate) console.log(`round ${round}: page ${mode} ÷ cli = ${(rate / cli).toFixed(2)}`);
  }
  await browser.close();
} finally {
  stopServer();
}
