import { test, expect, type Page } from '@playwright/test';
import { join } from 'node:path';
import { encodeCheckpoint } from '../src/models/checkpoint';
import { paramLayout, tensorViews } from '../src/models/params';
import { parseRunConfig } from '../src/rl/config';
import { getTask } from '../src/rl/tasks';
import { gptConfigFor, taskTokenizer } from '../src/rl/trainer';

// A run survives what people do to it (docs/ARCHITECTURE.md, the worker's run lifecycle): Start
// after the run finished, a diverging run, a non-finite checkpoint, two tabs on one run, and Pause in
// the middle of a step. Faults inside the worker (NaN gradients) come from the page's test hook,
// switched on by an init script before the page loads.

// backend=webgpu: these faults are the WebGPU engine's (steps slow enough to pause inside one).
const SMALL =
  'backend=webgpu&model=tiny&promptsPerStep=2&groupSize=4&maxNewTokens=8&evalPrompts=4&evalEvery=2&passN=4&passK=2';
/** Where a screenshot of what the person sees goes: SHOTS_DIR when set, else the test's output folder. */
const shot = (name: string) =>
  process.env.SHOTS_DIR ? join(process.env.SHOTS_DIR, name) : test.info().outputPath(name);

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && !/WebGPU error/.test(m.text()) && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

const statusStep = (page: Page) => async () =>
  Number(/Step (\d+)/.exec((await page.getByRole('status').textContent()) ?? '')?.[1] ?? -1);

async function withTestHooks(page: Page) {
  await page.addInitScript(() => {
    (globalThis as { __GRPO_TEST_HOOKS__?: boolean }).__GRPO_TEST_HOOKS__ = true;
  });
}

async function fault(page: Page, action: 'poison-gradients') {
  await page.evaluate((a) => globalThis.__grpoFault!(a), action);
}

/** Every status text the page showed, in order (a MutationObserver on the status bar). */
async function recordStatus(page: Page) {
  await page.evaluate(() => {
    const seen: string[] = [];
    (globalThis as { __statusSeen?: string[] }).__statusSeen = seen;
    const el = document.querySelector('[role=status]')!;
    new MutationObserver(() => {
      const t = el.textContent ?? '';
      if (seen[seen.length - 1] !== t) seen.push(t);
    }).observe(el, { subtree: true, childList: true, characterData: true });
  });
}
const statusSeen = (page: Page) => page.evaluate(() => (globalThis as { __statusSeen?: string[] }).__statusSeen!);

/** Every trainer snapshot in IndexedDB: its step and how many of its weights are not finite. */
async function snapshots(page: Page): Promise<{ step: number; nonFinite: number; values: number }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('grpo-playground');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('trainerStates').objectStore('trainerStates').getAll();
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            type S = { step: number; weights: Map<string, Float32Array>; optimizer: { m: Float32Array } };
            resolve(
              (req.result as S[]).map((s) => {
                let nonFinite = 0;
                let values = 0;
                for (const t of [...s.weights.values(), s.optimizer.m]) {
                  values += t.length;
                  for (const x of t) if (!Number.isFinite(x)) nonFinite++;
                }
                return { step: s.step, nonFinite, values };
              }),
            );
          };
        };
      }),
  );
}

test('Start after done: raising Steps extends the same run to its new last step', async ({ page }) => {
  test.setTimeout(600_000);
  const errors = collectErrors(page);
  await page.goto(`/?${SMALL}&steps=3`);
  const status = page.getByRole('status');
  const start = page.getByRole('button', { name: 'Start', exact: true });
  const runs = page.getByRole('list', { name: 'Runs' }).getByRole('listitem');
  await start.click();
  await expect(status).toContainText('Step 3', { timeout: 300_000 });
  await expect(status).toContainText('done');
  await expect(page.getByText('This run finished its 3 steps: Start begins a new run')).toBeVisible();

  const steps = page.getByLabel('Steps', { exact: true });
  await steps.fill('5');
  await expect(page.getByText('Start extends this run from 3 to 5 steps.')).toBeVisible();
  await start.click();
  await expect(status).toContainText('Step 5', { timeout: 300_000 });
  await expect(status).toContainText('done');
  await expect(runs).toHaveCount(1);
  await expect(runs.first()).toContainText('5/5 steps');
  await page.screenshot({ path: shot('extend-done.png') });
  // Start again with nothing left: a new run, and the page says so (never stuck on "running")
  await start.click();
  await expect(page.getByText(/Started a new run: the last run finished its 5 steps/)).toBeVisible();
  await expect(runs).toHaveCount(2);
  await expect(status).toContainText('Step 5', { timeout: 300_000 });
  await expect(status).toContainText('done');
  expect(errors).toEqual([]);
});

test('a diverging run stops before the update, names it, and saves nothing non-finite', async ({ page }) => {
  test.setTimeout(600_000);
  await withTestHooks(page);
  await page.goto(`/?${SMALL}&steps=40`);
  const status = page.getByRole('status');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect.poll(statusStep(page), { timeout: 300_000 }).toBeGreaterThanOrEqual(2);
  await fault(page, 'poison-gradients');
  const banner = page.getByRole('alert');
  await expect(banner).toContainText(/diverged at step (\d+): gradient norm is NaN — lower the learning rate/, {
    timeout: 120_000,
  });
  const diverged = Number(/diverged at step (\d+)/.exec((await banner.textContent()) ?? '')![1]);
  await expect(status).toContainText('error');
  await expect(status).toContainText(`Step ${diverged}`);
  await page.screenshot({ path: shot('diverged.png') });
  await page.waitForTimeout(3000);
  expect(await statusStep(page)()).toBe(diverged); // the step count stopped
  const saved = await snapshots(page);
  expect(saved).toHaveLength(1);
  expect(saved[0].step).toBe(diverged); // the last finite state: after the last completed step
  expect(saved[0].values).toBeGreaterThan(10_000);
  expect(saved[0].nonFinite).toBe(0);
  // the runs list offers no resume of a run the page itself holds; the export is finite (checked above)
  await expect(page.getByRole('button', { name: /^Resume/ })).toHaveCount(0);
});

test('a checkpoint with a NaN weight is refused on import with the reason', async ({ page }) => {
  await page.goto('/');
  const config = parseRunConfig({ task: 'sort', model: 'tiny' });
  const tokenizer = taskTokenizer(getTask('sort'));
  const gpt = gptConfigFor(config, tokenizer.size);
  const layout = paramLayout(gpt);
  const flat = new Float32Array(layout.total).fill(0.01);
  flat[123] = NaN;
  const bytes = encodeCheckpoint({
    config: gpt,
    vocab: [...tokenizer.vocab],
    task: 'sort',
    weights: tensorViews(layout, flat),
  });
  await page.getByLabel('Import checkpoint file').setInputFiles({
    name: 'nan.safetensors',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(bytes),
  });
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('nan.safetensors holds non-finite weights');
  await expect(alert).toContainText('= NaN');
  await expect(page.getByText(/start from nan\.safetensors/)).toHaveCount(0);
  await page.screenshot({ path: shot('nan-import.png') });
});

test('a run trained in one tab is shown in another as running there, never offered for resume', async ({
  page,
  context,
}) => {
  test.setTimeout(600_000);
  await page.goto(`/?${SMALL}&steps=200`);
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect.poll(statusStep(page), { timeout: 300_000 }).toBeGreaterThanOrEqual(2);

  const other = await context.newPage();
  await other.goto('/');
  const item = other.getByRole('list', { name: 'Runs' }).getByRole('listitem');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('running in another tab');
  await expect(other.getByRole('button', { name: /^Resume/ })).toHaveCount(0);
  await other.screenshot({ path: shot('other-tab.png') });
  // still training in the first tab, and the second never wrote a status over it
  const s0 = await statusStep(page)();
  await expect.poll(statusStep(page), { timeout: 120_000 }).toBeGreaterThan(s0);
  await expect(item).toContainText('running in another tab');

  await page.close(); // a closed tab lets go of its run
  await expect(other.getByRole('button', { name: /^Resume from step \d+/ })).toBeVisible({ timeout: 30_000 });
});

test('Pause in the middle of a step stops it at the next phase: pausing, then paused, and no row lands; paused in its last phase (the update), the step completes', async ({
  page,
}) => {
  test.setTimeout(600_000);
  await page.goto(`/?${SMALL}&steps=200&evalPrompts=16`);
  const status = page.getByRole('status');
  const item = page.getByRole('list', { name: 'Runs' }).getByRole('listitem');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect.poll(statusStep(page), { timeout: 300_000 }).toBeGreaterThanOrEqual(2);
  await recordStatus(page);
  // A pause lands in whichever phase the step is in: pause (and Start again) until one has landed
  // before the last phase, checking what each one did.
  const outcomes: string[] = [];
  let stepWhenPaused = -1;
  for (let attempt = 0; attempt < 12 && !outcomes.includes('abandoned'); attempt++) {
    if (attempt > 0) await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(status).toContainText(/· step \d+: /, { timeout: 60_000 });
    const mark = (await statusSeen(page)).length;
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await expect(status).toContainText(/paused$|paused /, { timeout: 60_000 });
    const seen = (await statusSeen(page)).slice(mark);
    const pausing = seen.findIndex((t) => t.includes('pausing · Pausing — finishing step'));
    const paused = seen.findIndex((t) => / paused/.test(t));
    console.log(`pause ${attempt}: ${JSON.stringify(seen.slice(-3))}`);
    expect(pausing).toBeGreaterThanOrEqual(0);
    expect(paused).toBeGreaterThan(pausing);
    const [, step, phase] = /finishing step (\d+)'s (\w+) phase/.exec(seen[pausing])!;
    stepWhenPaused = await statusStep(page)();
    if (phase === 'update') {
      expect(seen[pausing]).toContain('the step completes');
      expect(stepWhenPaused).toBe(Number(step) + 1);
      outcomes.push('completed');
    } else {
      expect(seen[pausing]).toContain('the step is redone on Start');
      expect(stepWhenPaused).toBe(Number(step)); // the step in progress did not complete
      outcomes.push('abandoned');
    }
    // paused means still: once the list shows the run paused at that step, no step and no row lands
    await expect(item).toContainText(`${stepWhenPaused}/200 steps`);
    await expect(item).toContainText('paused');
    const rows = await item.textContent();
    await page.waitForTimeout(2000);
    expect(await statusStep(page)()).toBe(stepWhenPaused);
    expect(await item.textContent()).toBe(rows);
  }
  console.log(`pauses: ${outcomes.join(', ')}`);
  expect(outcomes).toContain('abandoned');
  await page.screenshot({ path: shot('paused.png') });
  // Start redoes the abandoned step and goes on
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect.poll(statusStep(page), { timeout: 120_000 }).toBeGreaterThan(stepWhenPaused);
});

test('a destroyed GPU device is rebuilt from the last step and the run goes on, losing at most the step in progress', async ({
  page,
}) => {
  test.setTimeout(600_000);
  await withTestHooks(page);
  await page.goto(`/?${SMALL}&steps=200`);
  const status = page.getByRole('status');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect.poll(statusStep(page), { timeout: 300_000 }).toBeGreaterThanOrEqual(2);
  const before = await statusStep(page)();
  await recordStatus(page);
  await page.evaluate(() => globalThis.__grpoFault!('destroy-device'));
  const notice = page.getByText(/The GPU device was lost \(.*\)\. The run was rebuilt from step (\d+)/);
  await expect(notice).toBeVisible({ timeout: 120_000 });
  const from = Number(/rebuilt from step (\d+)/.exec((await notice.textContent()) ?? '')![1]);
  console.log(`device loss: step ${before} when destroyed, rebuilt from step ${from}`);
  expect(from).toBeGreaterThanOrEqual(before); // every completed step kept: at most the one in progress redone
  await expect.poll(statusStep(page), { timeout: 300_000 }).toBeGreaterThan(from + 1);
  await expect(status).not.toContainText('error');
  const runs = page.getByRole('list', { name: 'Runs' }).getByRole('listitem');
  await expect(runs).toHaveCount(1); // the same run went on, no new one
  // the rebuild was visible as it happened: the new device compiles its pipelines, counted
  expect((await statusSeen(page)).some((t) => /compiling · Compiling shaders \d+\/\d+/.test(t))).toBe(true);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.screenshot({ path: shot('device-lost.png') });
});

test('an extreme link is refused value by value with the ranges, and the run it opens trains', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto(
    `/?${SMALL}&lr=1e9&steps=1e15&maxNewTokens=100000&promptsPerStep=1000000&evalPrompts=1e7&clipCovLb=10&clipCovUb=1`,
  );
  const warning = page.getByRole('alert');
  for (const name of ['lr', 'steps', 'maxNewTokens', 'promptsPerStep', 'evalPrompts'])
    await expect(warning).toContainText(new RegExp(`${name}: must be (a number|an integer) in \\[`));
  await expect(warning).toContainText(/clipCovLb.*clipCovUb|clipCovUb.*clipCovLb/);
  // the sidebar shows the defaults in place of the refused values
  await expect(page.getByLabel('Steps', { exact: true })).not.toHaveValue('1000000000000000');
  await page.screenshot({ path: shot('extreme-link.png') });
  await page.getByLabel('Steps', { exact: true }).fill('2');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('Step 2', { timeout: 300_000 });
  await expect(page.getByRole('status')).toContainText('done');
});
