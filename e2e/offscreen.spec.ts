import { test, expect } from '@playwright/test';

// The page's rendering shares the machine's cores with the training worker, so what nobody can see
// is not redrawn (src/ui/components/useOnScreen.ts): a chart or the completions below the fold keep
// what they last drew while a run trains, and catch up once scrolled into view.

test('panels below the fold are not redrawn while a run trains, and catch up when scrolled into view', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/?backend=cpu');
  const status = page.getByRole('status');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(status).toContainText(/Step ([4-9]|\d\d)/, { timeout: 240_000 });

  // On screen: the entropy chart draws the steps so far (a path through at least three points).
  const entropy = page.getByRole('figure', { name: 'Entropy', exact: true });
  await expect(entropy.locator('path.recharts-line-curve').first()).toHaveAttribute('d', /L.*L/);

  // Below the fold since the page opened: nothing drawn, though rows and completions have arrived.
  const timing = page.getByRole('figure', { name: 'Step time' });
  const completions = page.getByRole('region', { name: 'Completions' });
  expect(await timing.evaluate((el) => el.getBoundingClientRect().top)).toBeGreaterThan(720 + 200);
  await expect(timing.locator('path.recharts-area-area')).toHaveCount(0);
  await expect(completions.getByRole('table')).toHaveCount(0);

  // Scrolled into view, each catches up with the run.
  await timing.scrollIntoViewIfNeeded();
  await expect(timing.locator('path.recharts-area-area').first()).toHaveAttribute('d', /L.*L/);
  await completions.scrollIntoViewIfNeeded();
  await expect(completions.getByRole('table').first()).toBeVisible();
  expect(await completions.getByRole('table').count()).toBeGreaterThan(1);

  // Back at the top, the entropy chart is still current: it follows the run again.
  await page.evaluate(() => window.scrollTo(0, 0));
  const before = await entropy.locator('path.recharts-line-curve').first().getAttribute('d');
  await expect(entropy.locator('path.recharts-line-curve').first()).not.toHaveAttribute('d', before ?? '', {
    timeout: 60_000,
  });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(status).toContainText('paused');
});
