import { test, expect, type Locator, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';

// Runs, shared links and custom reward code (docs/DESIGN.md §7), as a person uses them: two short
// runs kept in the Runs list, renamed, overlaid on the charts, one exported as CSV, both found after
// a reload; a shared link opens the same setup; a link's reward code waits for consent, and code
// that throws shows its error at its line and pauses the run. The model is the tiny one with a
// small batch (SwiftShader runs WebGPU at ~0.2 GFLOP/s); the link carries those settings.

// backend=webgpu: these paths are timed for the WebGPU engine (Auto picks the faster CPU on a software
// adapter, and a run then ends before the reload or rename the test makes mid-run).
const SMALL =
  'backend=webgpu&model=tiny&promptsPerStep=2&groupSize=4&maxNewTokens=8&evalPrompts=4&evalEvery=2&passN=4&passK=2';
const STEPS = 3;

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

async function trainToEnd(page: Page) {
  const status = page.getByRole('status');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(status).toContainText(`Step ${STEPS}`, { timeout: 300_000 });
  await expect(status).toContainText('done');
}

async function renameRun(item: Locator, name: string) {
  await item.getByRole('button', { name: /^Rename / }).click();
  const box = item.getByRole('textbox', { name: /^New name for / });
  await box.fill(name);
  await box.press('Enter');
  await expect(item.getByRole('button', { name: `Rename ${name}` })).toBeVisible();
}

test('imported runs overlay on the charts with a legend, export as CSV, and survive a reload', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/');
  // Steps 0..4; accuracy on even (eval) steps only.
  const jsonl = (k: number) =>
    Array.from({ length: 5 }, (_, i) =>
      JSON.stringify({
        step: i,
        reward: k * i,
        entropy: 1 - 0.125 * k * i, // binary fractions: printed exactly
        ...(i % 2 === 0 ? { accuracy: i / 8 } : {}),
      }),
    ).join('\n');
  await page.getByLabel('Import run files').setInputFiles([
    { name: 'alpha.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(jsonl(1)) },
    { name: 'beta.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(jsonl(2)) },
  ]);
  const runs = page.getByRole('list', { name: 'Runs' });
  await expect(runs.getByRole('listitem')).toHaveCount(2);
  await expect(runs.getByRole('listitem').filter({ hasText: 'alpha' })).toContainText('5/5 steps · done');
  for (const name of ['alpha', 'beta'])
    await runs.getByRole('checkbox', { name: `Overlay ${name} on the charts` }).check();
  // Charts are drawn while on screen (src/ui/components/useOnScreen.ts): look at it as a person would.
  const reward = page.getByRole('figure', { name: 'Reward', exact: true });
  await reward.scrollIntoViewIfNeeded();
  const legend = reward.locator('.recharts-legend-wrapper');
  await expect(legend).toHaveText('alpha · rewardbeta · reward');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    runs.getByRole('button', { name: 'Export beta metrics as CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('beta.csv');
  const csv = await readFile(await download.path(), 'utf8');
  expect(csv).toBe('step,reward,entropy,accuracy\n0,0,1,0\n1,2,0.75,\n2,4,0.5,0.25\n3,6,0.25,\n4,8,0,0.5\n');

  await page.reload();
  await expect(runs.getByRole('listitem')).toHaveCount(2);
  await expect(runs).toContainText('alpha');
  await expect(runs).toContainText('beta');
  expect(errors).toEqual([]);
});

test('two runs are kept, renamed, overlaid with a legend, exported as CSV, and still there after a reload', async ({
  page,
}) => {
  test.setTimeout(900_000);
  const errors = collectErrors(page);
  await page.goto(`/?${SMALL}&steps=${STEPS}`);
  await expect(page.getByRole('status')).toContainText(/WebGPU: .+/);
  const runs = page.getByRole('list', { name: 'Runs' });

  await trainToEnd(page);
  await expect(runs.getByRole('listitem')).toHaveCount(1);
  await renameRun(runs.getByRole('listitem').first(), 'shape A');

  // A second reward shape: Start begins a second run.
  await page.getByRole('combobox', { name: 'Add reward term' }).selectOption('format');
  await trainToEnd(page);
  await expect(runs.getByRole('listitem')).toHaveCount(2);
  const second = runs.getByRole('listitem').first(); // newest first
  await renameRun(second, 'shape B');
  await expect(second).toContainText(`${STEPS}/${STEPS} steps`);

  // Overlay the first run on the second: the legend names both.
  const first = runs.getByRole('listitem').filter({ hasText: 'shape A' });
  await first.getByRole('checkbox', { name: 'Overlay shape A on the charts' }).check();
  const legend = page.getByRole('figure', { name: 'Entropy', exact: true }).locator('.recharts-legend-wrapper');
  await expect(legend).toContainText('shape A · entropy');
  await expect(legend).toContainText('shape B · entropy');
  // Both runs carry `correctness`: the reward chart lists each run's series once, not once per run.
  const reward = page.getByRole('figure', { name: 'Reward', exact: true });
  await reward.scrollIntoViewIfNeeded();
  const rewardLegend = reward.locator('.recharts-legend-item');
  await expect(rewardLegend.filter({ hasText: 'shape A · correctness' })).toHaveCount(1);
  const rewardItems = await rewardLegend.allTextContents();
  expect(new Set(rewardItems).size).toBe(rewardItems.length);

  // CSV: step + the TRL metric names logged, one row per step (steps 0..2 and the final evaluation).
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    first.getByRole('button', { name: 'Export shape A metrics as CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('shape-A.csv');
  const csv = (await readFile(await download.path(), 'utf8')).trimEnd().split('\n');
  const header = csv[0].split(',');
  expect(header[0]).toBe('step');
  for (const name of ['reward', 'reward_std', 'entropy', 'completions/mean_length', 'accuracy', 'pass@k']) {
    expect(header).toContain(name);
  }
  expect(csv).toHaveLength(1 + STEPS + 1);
  expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(['0', '1', '2', '3']);
  // accuracy is logged on eval steps (0, 2) and the final evaluation only.
  const acc = header.indexOf('accuracy');
  expect(csv.slice(1).map((l) => l.split(',')[acc] !== '')).toEqual([true, false, true, true]);

  await page.reload();
  await expect(runs.getByRole('listitem')).toHaveCount(2);
  await expect(runs).toContainText('shape A');
  await expect(runs).toContainText('shape B');
  await expect(runs.getByRole('listitem').filter({ hasText: 'shape B' })).toContainText(
    `${STEPS}/${STEPS} steps · done`,
  );
  expect(errors).toEqual([]);
});

test('a reload mid-run keeps the completed steps and offers to resume from the last snapshot', async ({ page }) => {
  test.setTimeout(600_000);
  const errors = collectErrors(page);
  // Enough steps that the run is still going when the page reloads, however fast the adapter.
  const total = 500;
  await page.goto(`/?${SMALL}&steps=${total}`);
  await expect(page.getByRole('status')).toContainText(/WebGPU: .+/);
  const status = page.getByRole('status');
  const start = page.getByRole('button', { name: 'Start', exact: true });
  const item = page.getByRole('list', { name: 'Runs' }).getByRole('listitem');
  // The status bar shows the latest step; several can land in one repaint, so wait for "at least".
  const statusStep = async () => Number(/Step (\d+)/.exec((await status.textContent()) ?? '')?.[1] ?? -1);
  const itemSteps = async () =>
    Number(new RegExp(`(\\d+)/${total} steps`).exec((await item.textContent()) ?? '')?.[1] ?? -1);
  await start.click();
  await expect.poll(statusStep, { timeout: 300_000 }).toBeGreaterThanOrEqual(2);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  // The worker saves a snapshot once the loop is at rest; the policy export needs one.
  await expect(item.getByRole('button', { name: /policy as safetensors$/ })).toBeEnabled({ timeout: 120_000 });
  const snapshot = await statusStep();
  await start.click(); // running again when the page goes away
  await expect.poll(statusStep, { timeout: 300_000 }).toBeGreaterThan(snapshot);
  await expect.poll(itemSteps).toBeGreaterThan(snapshot); // persisted as it happened

  await page.reload();
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('paused');
  const kept = await itemSteps();
  expect(kept).toBeGreaterThan(snapshot);
  await expect(page.getByText(/A run stopped before its last step/)).toBeVisible();
  // A snapshot follows every step, so the reload loses at most the step in progress.
  const resume = item.getByRole('button', { name: /^Resume from step \d+$/ });
  const from = Number(/(\d+)$/.exec((await resume.textContent()) ?? '')?.[1] ?? -1);
  expect(from).toBeGreaterThan(snapshot);
  expect(from).toBeGreaterThanOrEqual(kept - 1);
  await resume.click();
  // Resuming rebuilds the engine: WebGPU compiles its shaders first ("Compiling shaders k/N").
  await expect(status).toContainText(new RegExp(`Step ${from}\\b`), { timeout: 120_000 });
  await expect(item).toContainText(`${from}/${total} steps · current`);
  await start.click();
  await expect.poll(statusStep, { timeout: 300_000 }).toBeGreaterThan(from);
  expect(errors).toEqual([]);
});

test('a shared link opens the same setup and hides the controls it names', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?task=sort&lr=0.003&promptsPerStep=6&hide=groupSize');
  await expect(page.getByRole('combobox', { name: /^Task/ })).toHaveValue('sort');
  const lr = page.getByRole('spinbutton', { name: /^Learning rate/ });
  await expect(lr).toHaveValue('0.003');
  await expect(page.getByRole('spinbutton', { name: /^Prompts per step \(P\)/ })).toHaveValue('6');
  await expect(page.getByRole('spinbutton', { name: /^Group size \(G\)/ })).toHaveCount(0);
  // The address bar follows the setup as it changes, keeping hide=.
  await lr.fill('0.005');
  await expect(page).toHaveURL(/[?&]lr=0\.005(&|$)/);
  await expect(page).toHaveURL(/[?&]hide=groupSize(&|$)/);
  await expect(page).toHaveURL(/[?&]task=sort(&|$)/);
  expect(errors).toEqual([]);
});

test('reward code from a link runs only after consent; code that throws shows its line and pauses the run', async ({
  page,
}) => {
  test.setTimeout(600_000);
  const errors = collectErrors(page);
  const code = ['function reward(input) {', "  throw new Error('boom on ' + input.completion);", '}'].join('\n');
  await page.goto(`/?${SMALL}&steps=${STEPS}&reward=user-code&userRewardCode=${encodeURIComponent(code)}`);

  const gate = page.getByRole('dialog', { name: 'This link carries reward code' });
  await expect(gate).toBeVisible();
  await expect(gate.getByLabel('Shared reward code')).toHaveText(code);
  const terms = page.getByRole('list', { name: 'Reward terms' });
  // Not in the config until accepted: the reward is still the default single correctness term.
  await expect(terms.getByRole('listitem')).toHaveCount(1);
  await expect(terms.getByRole('combobox', { name: 'reward component 1' })).toHaveValue('correctness');
  await gate.getByRole('button', { name: 'Use this code' }).click();
  await expect(gate).toBeHidden();
  await expect(terms.getByRole('combobox', { name: 'reward component 1' })).toHaveValue('user-code');

  // Test on a sample runs it in the sandbox here, before any training.
  await page.getByRole('button', { name: 'Test on a sample' }).click();
  await expect(page.locator('.reward-editor-error')).toContainText('Line 2: ');
  await expect(page.locator('.reward-editor-result')).toHaveText('error (see above)');

  await page.getByRole('button', { name: 'Start', exact: true }).click();
  const status = page.getByRole('status');
  await expect(status).toContainText('paused', { timeout: 300_000 });
  await expect(status).toContainText('Step 0');
  // The editor marks line 2, where the error was thrown.
  await expect(page.locator('.reward-editor-error')).toContainText('Line 2: ');
  await expect(page.locator('.reward-editor-error')).toContainText('boom on');
  await expect(page.locator('.reward-editor .cm-lintRange-error')).toHaveCount(1);

  // Fixing the code and pressing Start goes on with the same run from the step that failed.
  await page.locator('.reward-editor .cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('function reward(input) { return input.completion.length > 0 ? 1 : 0; }');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(status).toContainText(`Step ${STEPS}`, { timeout: 300_000 });
  await expect(status).toContainText('done');
  await expect(page.getByRole('list', { name: 'Runs' }).getByRole('listitem')).toHaveCount(1);
  await expect(page.locator('.reward-editor-error')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('Reset in the middle of a step never blocks the next Start', async ({ page }) => {
  test.setTimeout(600_000);
  const errors = collectErrors(page);
  await page.goto(`/?${SMALL}&steps=200&evalPrompts=16`);
  const status = page.getByRole('status');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  // inside a step (one of its phases), not between steps: a step of this size takes a fraction of a
  // second on WebGPU, so any step will do, while the run has many left
  await expect(status).toContainText(/· step \d+: /, { timeout: 120_000 });
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await expect(status).toContainText('idle');
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(status).toContainText(/Step [1-9]/, { timeout: 120_000 });
  console.log(`Reset mid-step, then Start: Step 1 after ${Date.now() - t0} ms`);
  expect(errors).toEqual([]);
});
