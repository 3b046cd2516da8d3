import { test, expect } from '@playwright/test';

test('the first page names the tool and the WebGPU adapter it found', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'GRPO Playground' })).toBeVisible();
  await expect(page.getByRole('status')).toContainText(/WebGPU adapter: .+/);
  expect(errors).toEqual([]);
});
