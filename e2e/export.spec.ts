import AxeBuilder from '@axe-core/playwright';
import { test, expect, type Locator, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

// "Export for TRL / verl" on a kept run (docs/DESIGN.md §10), as a person uses it: the zip it
// downloads holds, file for file and byte for byte, what `npm run cli -- export --run` writes for the
// run file the same page exports; with "Train this run's policy" it also holds the policy as a
// Hugging Face folder, the same as `--policy` given the page's Policy download. python3 reads the
// zips (names, Unix modes) and compiles their Python; axe checks the open menu.

const PYTHON = process.env.PYTHON ?? 'python3';

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

async function downloadOf(page: Page, click: () => Promise<void>): Promise<{ name: string; path: string }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: d.suggestedFilename(), path: await d.path() };
}

/** Every file under dir, as relative path → bytes. */
function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** The zip's entries (name, Unix mode) as python3's zipfile reads them, extracted into dir. */
function unzip(zip: string, dir: string): { name: string; mode: number }[] {
  const script = [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1]); z.extractall(sys.argv[2])',
    'print(json.dumps([{"name": i.filename, "mode": (i.external_attr >> 16) & 0o777} for i in z.infolist()]))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script, zip, dir], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

function cliExport(args: string[], out: string) {
  const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'export', ...args, '--out', out], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}

function expectSameTree(page: Map<string, Buffer>, cli: Map<string, Buffer>) {
  expect([...page.keys()].sort()).toEqual([...cli.keys()].sort());
  for (const [name, bytes] of page) expect(bytes.equals(cli.get(name)!), `${name} differs from the CLI's`).toBe(true);
}

async function openExport(item: Locator, name: string): Promise<Locator> {
  await item.getByRole('button', { name: `Export ${name} for TRL / verl` }).click();
  return item.getByRole('group', { name: `Export ${name} for TRL / verl` });
}

test('an imported run exports as TRL and verl zips holding exactly what the CLI writes for its run file', async ({
  page,
}, testInfo) => {
  const errors = collectErrors(page);
  const tmp = mkdtempSync(join(tmpdir(), 'export-e2e-'));
  try {
    await page.goto('/');
    // A run whose settings reach both scripts: reverse, PSR-style weights, a page-written reward term.
    const code = 'function reward({ correct, length }) { return correct ? 1 - length / 20 : 0; }';
    const runFile = {
      format: 'grpo-playground-run',
      version: 1,
      run: {
        name: 'imported',
        createdAt: 0,
        config: {
          name: 'imported',
          task: 'reverse',
          steps: 4,
          promptsPerStep: 4,
          groupSize: 6,
          lr: 2e-4,
          lambdaNeg: 0.5,
          klCoef: 0.01,
          klEstimator: 'k2',
          reward: [
            { component: 'correctness', weight: 1, params: {} },
            { component: 'user-code', weight: 0.5, params: {} },
          ],
          userRewardCode: code,
        },
        steps: 2,
        status: 'done',
      },
      metrics: [
        { step: 0, reward: 0.25 },
        { step: 1, reward: 0.5 },
      ],
    };
    await page.getByLabel('Import run files').setInputFiles({
      name: 'imported.run.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(runFile)),
    });
    const item = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
    await expect(item).toContainText('2/4 steps · done');
    // renamed: the job is named as the Runs list shows it, on the page and in the CLI
    await item.getByRole('button', { name: 'Rename imported' }).click();
    await item.getByRole('textbox', { name: 'New name for imported' }).fill('my reverse run');
    await item.getByRole('textbox', { name: 'New name for imported' }).press('Enter');
    const name = 'my reverse run';

    const menu = await openExport(item, name);
    await expect(menu.getByRole('textbox', { name: 'Hugging Face model to train' })).toHaveValue(
      'Qwen/Qwen2.5-0.5B-Instruct',
    );
    // an imported run has no weights: its policy cannot be chosen
    await expect(menu.getByRole('checkbox')).toBeDisabled();
    // the open menu keeps the page free of serious or critical axe findings
    const { violations } = await new AxeBuilder({ page }).include('.runs-panel').analyze();
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    await item.screenshot({ path: testInfo.outputPath('export-menu.png') });
    await page.screenshot({ path: testInfo.outputPath('export-page.png'), fullPage: true });

    const run = await downloadOf(page, () =>
      item.getByRole('button', { name: `Export ${name} as a run file` }).click(),
    );
    const trl = await downloadOf(page, () => menu.getByRole('button', { name: 'TRL zip' }).click());
    const verl = await downloadOf(page, () => menu.getByRole('button', { name: 'verl zip' }).click());
    expect([trl.name, verl.name]).toEqual(['my-reverse-run-trl.zip', 'my-reverse-run-verl.zip']);

    const trlEntries = unzip(trl.path, join(tmp, 'page'));
    expect(trlEntries.map((e) => e.name).sort()).toEqual(
      ['README.md', 'eval.jsonl', 'grpo_rewards.py', 'rewards.py', 'train.jsonl', 'train_trl.py'].map(
        (f) => `my-reverse-run-trl/${f}`,
      ),
    );
    const verlEntries = unzip(verl.path, join(tmp, 'page'));
    expect(verlEntries.map((e) => e.name).sort()).toEqual(
      ['README.md', 'grpo_rewards.py', 'reward_fn.py', 'run_verl.sh', 'test.parquet', 'train.parquet'].map(
        (f) => `my-reverse-run-verl/${f}`,
      ),
    );
    expect(verlEntries.find((e) => e.name.endsWith('run_verl.sh'))!.mode).toBe(0o755);
    expect(verlEntries.find((e) => e.name.endsWith('reward_fn.py'))!.mode).toBe(0o644);

    cliExport(['--run', run.path, '--to', 'trl'], join(tmp, 'cli-trl'));
    cliExport(['--run', run.path, '--to', 'verl'], join(tmp, 'cli-verl'));
    const pageTrl = readTree(join(tmp, 'page', 'my-reverse-run-trl'));
    expectSameTree(pageTrl, readTree(join(tmp, 'cli-trl')));
    expectSameTree(readTree(join(tmp, 'page', 'my-reverse-run-verl')), readTree(join(tmp, 'cli-verl')));

    const script = pageTrl.get('train_trl.py')!.toString('utf8');
    for (const kw of ['run_name="my reverse run"', 'learning_rate=0.0002', 'num_generations=6', 'beta=0.01'])
      expect(script).toContain(kw);
    expect(script).toContain('LAMBDA_NEG = 0.5');
    expect(pageTrl.get('rewards.py')!.toString('utf8')).toContain(JSON.stringify(code));
    const pyFiles = ['train_trl.py', 'rewards.py', 'grpo_rewards.py'].map((f) =>
      join(tmp, 'page', 'my-reverse-run-trl', f),
    );
    pyFiles.push(join(tmp, 'page', 'my-reverse-run-verl', 'reward_fn.py'));
    const compiled = spawnSync(PYTHON, ['-B', '-m', 'py_compile', ...pyFiles], { encoding: 'utf8' });
    expect(compiled.status, compiled.stderr).toBe(0);
    expect(errors).toEqual([]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("a trained run's TRL zip carries its policy as a Hugging Face folder, the same as the CLI's --policy", async ({
  page,
}) => {
  test.setTimeout(300_000);
  const errors = collectErrors(page);
  const tmp = mkdtempSync(join(tmpdir(), 'export-e2e-'));
  try {
    await page.goto(
      '/?backend=cpu&model=tiny&steps=2&promptsPerStep=1&groupSize=2&maxNewTokens=4&evalPrompts=2&evalEvery=10&passN=2&passK=1',
    );
    const status = page.getByRole('status');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(status).toContainText('Step 2', { timeout: 240_000 });
    await expect(status).toContainText('done');
    const item = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
    const name = (await item.getByRole('button', { name: /^Rename / }).textContent())!;

    const menu = await openExport(item, name);
    const box = menu.getByRole('checkbox', { name: /Train this run's policy instead \(after step \d+\)/ });
    await box.check();
    await expect(menu.getByRole('textbox', { name: 'Hugging Face model to train' })).toBeDisabled();

    const run = await downloadOf(page, () =>
      item.getByRole('button', { name: `Export ${name} as a run file` }).click(),
    );
    const policy = await downloadOf(page, () =>
      item.getByRole('button', { name: `Export ${name} policy as safetensors` }).click(),
    );
    const trl = await downloadOf(page, () => menu.getByRole('button', { name: 'TRL zip' }).click());
    const folder = trl.name.replace(/\.zip$/, '');
    const entries = unzip(trl.path, join(tmp, 'page'));
    const names = entries.map((e) => e.name.slice(folder.length + 1)).sort();
    expect(names.filter((n) => n.startsWith('policy/'))).toEqual([
      'policy/config.json',
      'policy/generation_config.json',
      'policy/model.safetensors',
      'policy/special_tokens_map.json',
      'policy/tokenizer.json',
      'policy/tokenizer_config.json',
    ]);
    const pageTree = readTree(join(tmp, 'page', folder));
    // the trained weights, as the Policy button saves them
    expect(pageTree.get('policy/model.safetensors')!.equals(readFileSync(policy.path))).toBe(true);
    const config = JSON.parse(pageTree.get('policy/config.json')!.toString('utf8'));
    expect(config).toMatchObject({ model_type: 'gpt2', n_layer: expect.any(Number), n_embd: expect.any(Number) });
    expect(pageTree.get('train_trl.py')!.toString('utf8')).toContain('MODEL = os.path.join(HERE, "policy")');

    cliExport(['--run', run.path, '--to', 'trl', '--policy', policy.path], join(tmp, 'cli'));
    expectSameTree(pageTree, readTree(join(tmp, 'cli')));
    expect(errors).toEqual([]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
