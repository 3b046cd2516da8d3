import { test, expect, type Page } from '@playwright/test';

// Run groups (docs/DESIGN.md §7) as a person uses them: a 3-seed group of a tiny config whose reward
// is always 0 trains, draws its mean with a 95% band and a legend that says "3 seeds", and is
// diagnosed with no learning signal; a second group arrives as one exported file; Compare states
// B − A per final metric in words. The config is the smallest that trains end to end (SwiftShader
// runs WebGPU at ~0.2 GFLOP/s and the seeds take turns on the one device).

const TINY =
  'model=tiny&steps=2&promptsPerStep=1&groupSize=2&maxNewTokens=4&evalPrompts=2&evalEvery=10&passN=2&passK=1';

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** A group export of 3 seeds whose rollout reward is 0.6, 0.7, 0.8 and entropy 1.5 on every step. */
function groupFile(): string {
  const runs = [0.6, 0.7, 0.8].map((reward, j) => ({
    run: {
      name: `imported · seed ${j + 1}`,
      createdAt: 1,
      config: { seed: j + 1, steps: 2 },
      steps: 2,
      status: 'done',
      groupId: 'from-file',
      groupName: 'imported',
    },
    // One row per step, as the trainer writes it: step 0 carries the first evaluation.
    metrics: [
      ...[0, 1].map((step) => ({
        step,
        ...(step === 0 ? { accuracy: 0.25, 'pass@k': 0.5 } : {}),
        reward,
        entropy: 1.5 + 0.01 * j,
        'completions/mean_length': 4,
        'completions/clipped_ratio': 0,
        frac_reward_zero_std: 0,
        kl: 0,
      })),
      { step: 2, accuracy: 0.5, 'pass@k': 0.5 },
    ],
  }));
  return JSON.stringify({ format: 'grpo-playground-group', version: 1, runs });
}

test('a 3-seed group draws a band, is diagnosed, and compares to an imported group in words', async ({
  page,
}, testInfo) => {
  test.setTimeout(900_000);
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 1500, height: 1100 });
  await page.goto(`/?${TINY}&reward=random(p:0)&seeds=3`);
  await expect(page.getByRole('status')).toContainText(/WebGPU: .+|CPU/);
  await expect(page.getByRole('spinbutton', { name: 'Seeds', exact: true })).toHaveValue('3');

  await page.getByRole('button', { name: 'Start 3 seeds' }).click();
  const groups = page.getByRole('list', { name: 'Run groups' });
  const trained = groups.getByRole('listitem').filter({ hasText: 'add: random' });
  await expect(trained).toContainText('seeds 1, 2, 3');
  await expect(trained).toContainText('3/3 done', { timeout: 800_000 });

  // The mean over seeds with its band, named with its seed count.
  const entropy = page.getByRole('figure', { name: 'Entropy', exact: true });
  await expect(entropy.locator('.recharts-legend-wrapper')).toContainText('add: random (3 seeds) · entropy');
  await expect(entropy.locator('.seed-band path.recharts-area-area')).toHaveCount(1);
  const d = await entropy.locator('.seed-band path.recharts-area-area').getAttribute('d');
  expect(d?.length ?? 0).toBeGreaterThan(10);

  // Every reward is 0: each group agrees, so nothing is learned — said once for the three seeds.
  const diagnostics = page.getByRole('region', { name: 'Diagnostics' });
  await expect(diagnostics).toContainText('No learning signal');
  await expect(diagnostics).toContainText('seeds 1, 2, 3 · step 0');

  // A second group from one file; draw it, compare A = trained, B = imported.
  await page
    .getByLabel('Import run files')
    .setInputFiles([{ name: 'imported.group.json', mimeType: 'application/json', buffer: Buffer.from(groupFile()) }]);
  const imported = groups.getByRole('listitem').filter({ hasText: 'imported (3 seeds)' });
  await imported.getByRole('checkbox', { name: 'Draw imported on the charts' }).check();
  await page.getByRole('combobox', { name: 'Compare A' }).selectOption({ label: 'add: random (3 seeds)' });
  await page.getByRole('combobox', { name: 'Compare B' }).selectOption({ label: 'imported (3 seeds)' });
  const verdicts = page.getByRole('list', { name: 'Verdicts' });
  // reward_final: A is 0 on every seed, B 0.6/0.7/0.8; 3 against 3 seeds can reach p = 2/20 at best.
  await expect(verdicts.getByRole('listitem').filter({ hasText: /^B keeps reward higher/ })).toHaveText(
    /^B keeps reward higher: \+0\.70 \[\+0\.\d\d, \+0\.\d\d\] over 3 seeds each \(p = 0\.10\)$/,
  );
  await expect(verdicts.getByRole('listitem')).toHaveCount(5);
  await expect(entropy.locator('.seed-band path.recharts-area-area')).toHaveCount(2);

  await page.locator('.compare-panel').scrollIntoViewIfNeeded();
  // The test's own output folder: a test run never rewrites the repository's files.
  await page.locator('main').screenshot({ path: testInfo.outputPath('screenshot-groups.png') });
  expect(errors).toEqual([]);
});
