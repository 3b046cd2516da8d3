import { test, expect } from '@playwright/test';

// The first thing a visitor sees: the name, what it is, the presets, and which backend will train.
test('the page names the tool, offers presets and says which WebGPU adapter will train', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'GRPO Playground' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Presets' }).getByRole('button')).not.toHaveCount(0);
  await expect(page.getByRole('status')).toContainText(/WebGPU: .+/);
  await expect(page.getByRole('status')).toContainText('Step 0');
  expect(errors).toEqual([]);
});
