import AxeBuilder from '@axe-core/playwright';
import { test, expect, type Page } from '@playwright/test';
import { join } from 'node:path';

// The page for people who use a keyboard, a screen reader or a phone: axe finds no serious or
// critical violations (idle and after a short run); the first Tab stop skips to the run controls;
// help is read with its control and never cut off; charts are named images, not tab stops; at
// 390×844 nothing scrolls sideways and Start is on screen; at 1024×700 the presets stay modest.

const SMALL = 'model=tiny&promptsPerStep=2&groupSize=4&maxNewTokens=8&evalPrompts=4&evalEvery=2&passN=4&passK=2';

async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('axe finds no serious or critical violations, idle and after a two-step run', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto(`/?${SMALL}&steps=2`);
  // The first page of a fresh browser can take a while to get its adapter.
  await expect(page.getByRole('status')).toContainText(/WebGPU: .+/, { timeout: 60_000 });
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('Step 2', { timeout: 480_000 });
  await expect(page.getByRole('status')).toContainText('done');
  await expect(page.getByRole('figure', { name: 'Entropy' }).locator('.recharts-line')).not.toHaveCount(0);
  expect(await seriousViolations(page)).toEqual([]);
});

test('the first Tab stop skips to the run controls; help is read with its control, not tabbed to', async ({ page }) => {
  await page.goto('/');
  // Tab only once the page has rendered: a key pressed before React mounts focuses nothing.
  const skip = page.getByRole('link', { name: 'Skip to the run controls' });
  await expect(page.getByRole('button', { name: 'Start', exact: true })).toBeVisible();
  await expect(page.getByRole('status')).toContainText(/WebGPU|CPU/, { timeout: 60_000 });
  await page.keyboard.press('Tab');
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Start', exact: true })).toBeFocused();

  // No "?" is focusable; the help is the control's description and shows while it has keyboard focus.
  expect(await page.locator('.help[tabindex], .help [tabindex]').count()).toBe(0);
  const task = page.getByRole('combobox', { name: 'Task', exact: true });
  await expect(task).toHaveAccessibleDescription(/each task has a verifier that says right or wrong/);
  await task.focus();
  await page.keyboard.press('ArrowDown'); // a key press makes the focus keyboard focus
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  const tip = page.locator('.tip.open');
  await expect(tip).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(tip).toHaveCount(0);
});

for (const viewport of [
  { width: 1024, height: 700 },
  { width: 390, height: 844 },
]) {
  test(`help tooltips stay inside a ${viewport.width}×${viewport.height} window`, async ({ page }, testInfo) => {
    await page.setViewportSize(viewport);
    await page.goto('/');
    if (viewport.width < 760) await page.getByRole('button', { name: /^Configuration/ }).click();
    // The reward term's "?" sits at the sidebar's right edge, where a tip used to be cut off.
    const marks = [page.locator('.reward-term .help').first(), page.locator('.field .help').first()];
    for (const mark of marks) {
      await mark.scrollIntoViewIfNeeded();
      await mark.hover();
      const box = (await page.locator('.tip.open').boundingBox())!;
      expect(box.width).toBeGreaterThan(100);
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
      expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
      // Not clipped by a scrolling ancestor: the tip's corners are what is drawn there (the tip lets
      // the pointer through, so hit-testing takes it for the question).
      const onTop = await page.evaluate(
        ({ x, y, w, h }) => {
          const tip = document.querySelector<HTMLElement>('.tip.open')!;
          tip.style.pointerEvents = 'auto';
          const corners = [
            [x + 2, y + 2],
            [x + w - 2, y + 2],
            [x + 2, y + h - 2],
            [x + w - 2, y + h - 2],
          ];
          const drawn = corners.every(([cx, cy]) => tip.contains(document.elementFromPoint(cx, cy)));
          tip.style.pointerEvents = '';
          return drawn;
        },
        { x: box.x, y: box.y, w: box.width, h: box.height },
      );
      expect(onTop).toBe(true);
      if (mark === marks[0]) {
        const dir = process.env.SHOTS_DIR ?? testInfo.outputDir;
        await page.screenshot({ path: join(dir, `tip-${viewport.width}x${viewport.height}.png`) });
      }
      await page.mouse.move(0, 0);
    }
  });
}

test('the nine charts are named images and none is a tab stop', async ({ page }) => {
  await page.goto('/');
  const charts = page.getByRole('region', { name: 'Charts' });
  // Each plot is one image (recharts' own svg inside it is not a separate one to assistive technology).
  await expect(charts.locator('.chart-body[role="img"][aria-label]')).toHaveCount(9);
  await expect(charts.getByRole('img', { name: /^Milliseconds per step phase/ })).toHaveCount(1);
  await expect(charts.getByRole('img', { name: /^Entropy per step/ })).toHaveCount(1);
  await expect(charts.getByRole('img', { name: /^Completion length .* per step/ })).toHaveCount(1);
  await expect(charts.getByRole('img', { name: /^Accuracy against entropy/ })).toHaveCount(1);
  expect(await charts.locator('[tabindex]:not([tabindex="-1"]), svg[focusable="true"]').count()).toBe(0);
});

test('at 390×844 nothing scrolls sideways and Start is on screen, also with the configuration open', async ({
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await expect(page.getByRole('status')).toContainText('Step 0');
  const start = page.getByRole('button', { name: 'Start', exact: true });
  const check = async () => {
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const box = (await start.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(box.y + box.height).toBeLessThanOrEqual(844);
  };
  await check();
  await page.screenshot({ path: join(process.env.SHOTS_DIR ?? testInfo.outputDir, 'phone-390x844.png') });
  await page.getByRole('button', { name: /^Configuration/ }).click();
  await expect(page.getByRole('combobox', { name: 'Task', exact: true })).toBeVisible();
  await page.mouse.wheel(0, 1500);
  await check();
  await page.screenshot({ path: join(process.env.SHOTS_DIR ?? testInfo.outputDir, 'phone-390x844-config.png') });
});

test('at 1024×700 the preset cards take at most a fifth of the height', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto('/');
  const box = (await page.getByRole('region', { name: 'Presets' }).boundingBox())!;
  expect(box.height / 700).toBeLessThanOrEqual(0.2);
});
