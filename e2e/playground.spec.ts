import { test, expect, type Page } from '@playwright/test';

// A person's path through the playground (docs/DESIGN.md §7): pick a preset, train, watch the charts, pause,
// change the reward shape, train a second run. SwiftShader runs WebGPU at ~0.2 GFLOP/s, so the
// preset is shrunk to the tiny model and a small batch through the sidebar, as a person would.

declare global {
  interface Window {
    __longestTask: number;
  }
}

/** The longest main-thread task since the last reset, from PerformanceObserver('longtask'). */
async function longestTask(page: Page): Promise<number> {
  return page.evaluate(() => window.__longestTask);
}

async function setNumber(page: Page, label: string, value: number) {
  const box = page.getByLabel(label, { exact: true });
  await box.fill(String(value));
  await expect(box).toHaveValue(String(value));
}

test('preset → Start → step 3 with charts drawn → Pause → new reward shape → a second run, main thread never blocked', async ({
  page,
}) => {
  test.setTimeout(600_000);
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    window.__longestTask = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longestTask = Math.max(window.__longestTask, e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });

  // backend=webgpu: the path under test is the WebGPU engine's (Auto would pick the CPU on a software
  // adapter, where the tiny run finishes its 40 steps before Pause).
  await page.goto('/?backend=webgpu');
  const status = page.getByRole('status');
  await expect(status).toContainText(/WebGPU: .+/);

  // One click loads a whole preset config.
  const preset = page.getByRole('region', { name: 'Presets' }).getByRole('button').first();
  await preset.click();
  await expect(preset).toHaveAttribute('aria-pressed', 'true');

  // Small enough for a software GPU.
  await page.getByLabel('Model size').selectOption('tiny');
  await setNumber(page, 'Prompts per step (P)', 2);
  await setNumber(page, 'Group size (G)', 4);
  await setNumber(page, 'Max new tokens (L)', 8);
  await setNumber(page, 'Eval prompts', 4);
  await setNumber(page, 'Evaluate every', 2);
  await setNumber(page, 'Steps', 40);

  await page.evaluate(() => (window.__longestTask = 0));
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(status).toContainText(/Step ([3-9]|\d\d)/, { timeout: 300_000 });

  // Charts draw lines with several points (a path with line segments), and the completions show.
  const entropyPath = page.getByRole('figure', { name: 'Entropy' }).locator('path.recharts-line-curve');
  await expect(entropyPath.first()).toHaveAttribute('d', /L.*L/);
  // A chart is drawn while on screen (src/ui/components/useOnScreen.ts): look at it as a person would.
  const reward = page.getByRole('figure', { name: 'Reward' });
  await reward.scrollIntoViewIfNeeded();
  await expect(reward.locator('path.recharts-line-curve').first()).toHaveAttribute('d', /L/);
  // The panels below the fold are drawn once scrolled into view, as a person would.
  const completions = page.getByRole('region', { name: 'Completions' });
  await completions.scrollIntoViewIfNeeded();
  await expect(completions.getByRole('table').first()).toBeVisible();
  // Kernel time from the adapter's timestamp queries: the step-time chart draws it as a line over the phases.
  const timing = page.getByRole('figure', { name: 'Step time' });
  await timing.scrollIntoViewIfNeeded();
  await expect(timing).toContainText('gpu (kernels)');
  await expect(timing.locator('path.recharts-line-curve').first()).toHaveAttribute('d', /L/);

  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(status).toContainText('paused');
  const longest = await longestTask(page);
  console.log(`longest main-thread task during training: ${longest.toFixed(0)} ms`);

  // A new reward shape: add a format term. Start now begins a second run.
  await page.getByRole('combobox', { name: 'Add reward term' }).selectOption('format');
  await expect(page.getByRole('list', { name: 'Reward terms' }).getByRole('listitem')).toHaveCount(2);
  await expect(page.getByText('The config changed: Start begins a new run.')).toBeVisible();
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  // A second run is listed (checked by the list, not a low step number, which a fast adapter passes
  // between two polls), and it trains.
  await expect(page.getByRole('list', { name: 'Runs' }).getByRole('listitem')).toHaveCount(2);
  await expect(status).toContainText(/Step ([3-9]|\d\d)/, { timeout: 300_000 });
  await reward.scrollIntoViewIfNeeded();
  await expect(reward).toContainText('format');
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(status).toContainText('paused');

  console.log(`longest main-thread task over both runs: ${(await longestTask(page)).toFixed(0)} ms`);
  expect(errors).toEqual([]);
});
