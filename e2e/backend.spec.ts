import { test, expect, type Page } from '@playwright/test';

// The Backend setting (src/ui/worker/backendProbe.ts): Auto times both engines before the run and
// says both figures and its choice in the status bar; `backend=cpu` in the link trains on the CPU
// without probing. No timing is asserted: the machine decides the figures.

declare global {
  interface Window {
    __statusLog: string[];
  }
}

/** Every text the status bar shows, recorded in the page so no short-lived one is missed. */
async function recordStatus(page: Page) {
  await page.addInitScript(() => {
    window.__statusLog = [];
    new MutationObserver(() => {
      const el = document.querySelector('[role="status"]');
      const text = el?.textContent ?? '';
      if (text && window.__statusLog[window.__statusLog.length - 1] !== text) window.__statusLog.push(text);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

test('backend=auto measures both engines, shows both figures and the choice, and trains to Step 1', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await recordStatus(page);
  await page.goto('/?backend=auto');
  await expect(page.getByLabel('Backend')).toHaveValue('auto');
  const status = page.getByRole('status');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  const figures = /CPU <?[\d.]+ steps\/s, WebGPU( \(software\))? <?[\d.]+ steps\/s → (CPU|WebGPU)/;
  await expect(status).toContainText(figures, { timeout: 240_000 });
  await expect(status).toContainText(/Step [1-9]/, { timeout: 240_000 });
  const log = await page.evaluate(() => window.__statusLog);
  expect(log.some((t) => t.includes('Measuring the CPU engine'))).toBe(true);
  // The figures are numbers the decision rule compares: the chosen side is not the slower by more
  // than the tie margin, unless its rival's probe ran out of time.
  const m = /CPU (<?)([\d.]+) steps\/s, WebGPU(?: \(software\))? (<?)([\d.]+) steps\/s → (CPU|WebGPU)/.exec(
    (await status.textContent()) ?? '',
  );
  expect(m).not.toBeNull();
  const [, cpuStopped, cpu, gpuStopped, gpu, chosen] = m!;
  if (chosen === 'CPU') expect(gpuStopped === '<' || Number(gpu) * 1.1 < Number(cpu)).toBe(true);
  else expect(cpuStopped === '<' || Number(gpu) * 1.1 >= Number(cpu)).toBe(true);
});

test('backend=cpu skips the probe, keeps the setting in the link and trains to Step 1', async ({ page }) => {
  test.setTimeout(300_000);
  await recordStatus(page);
  await page.goto('/?backend=cpu');
  await expect(page.getByLabel('Backend')).toHaveValue('cpu');
  const status = page.getByRole('status');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(status).toContainText('backend=cpu, probe skipped → CPU', { timeout: 120_000 });
  // the page is cross-origin isolated, so the CPU engine runs its products on every core
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  if (cores > 1) await expect(status).toContainText(`→ CPU (${cores} threads)`);
  await expect(status).toContainText(/Step [1-9]/, { timeout: 240_000 });
  expect(new URL(page.url()).searchParams.get('backend')).toBe('cpu');
  const log = await page.evaluate(() => window.__statusLog);
  expect(log.filter((t) => /Measuring|Compiling shaders \d/.test(t))).toEqual([]);
  await expect(page.getByText('No WebGPU')).toHaveCount(0); // the CPU was chosen, not a fallback
});
