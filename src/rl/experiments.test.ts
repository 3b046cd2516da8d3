import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunConfig, type RunConfig } from './config';

// The configs behind the README's measured comparisons (experiments/): each must load as a run
// config, and the arms of one comparison may differ only in the policy loss and its own settings.
const DIR = join(__dirname, '../../experiments/reverse-long');
const LOSS_KEYS = new Set(['name', 'policyLoss', 'clipCovRatio', 'clipCovLb', 'clipCovUb', 'klCovRatio', 'klCovCoef']);

describe('experiments/reverse-long', () => {
  const configs = new Map<string, RunConfig>(
    readdirSync(DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f, parseRunConfig(JSON.parse(readFileSync(join(DIR, f), 'utf8')))]),
  );

  it('holds the plain, Clip-Cov and KL-Cov arms, each a valid run config on reverse-long', () => {
    expect([...configs.keys()].sort()).toEqual(['clip-cov.json', 'entropy-collapse.json', 'kl-cov.json']);
    expect([...configs.values()].map((c) => [c.task, c.policyLoss])).toEqual(
      expect.arrayContaining([
        ['reverse-long', 'vanilla'],
        ['reverse-long', 'clip-cov'],
        ['reverse-long', 'kl-cov'],
      ]),
    );
  });

  it('the arms differ from the plain run only in the policy loss and its settings', () => {
    const plain = configs.get('entropy-collapse.json')!;
    for (const [file, c] of configs) {
      const differ = (Object.keys(c) as (keyof RunConfig)[]).filter(
        (k) => JSON.stringify(c[k]) !== JSON.stringify(plain[k]),
      );
      for (const k of differ) expect(LOSS_KEYS.has(k), `${file}: ${k}`).toBe(true);
    }
  });
});
