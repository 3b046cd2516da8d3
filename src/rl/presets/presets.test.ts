// Presets: every file is a valid run config named after its file, with a title, two sentences and a paper.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunConfigSchema } from '../config';
import { getPreset, PRESETS } from './index';

const dir = join(import.meta.dirname, '.');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('presets', () => {
  it('the ten presets, one JSON file each, all listed', () => {
    expect(PRESETS.map((p) => p.name).sort()).toEqual(
      [
        'clip-cov',
        'dr-grpo',
        'entropy-collapse',
        'grpo-add',
        'kl-cov',
        'length-penalty',
        'nsr',
        'psr',
        'reward-hacking',
        'spurious-reward',
      ].sort(),
    );
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(PRESETS.map((p) => p.name).sort());
  });

  it('each file validates strictly as written and matches its preset', () => {
    for (const f of files) {
      const json = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      const parsed = RunConfigSchema.strict().safeParse(json);
      expect(parsed.success, `${f}: ${parsed.error?.message}`).toBe(true);
      expect(getPreset(json.name).config).toEqual(parsed.data);
    }
  });

  it('each has a title, a two-sentence description and a paper', () => {
    for (const p of PRESETS) {
      expect(p.title.length).toBeGreaterThan(3);
      expect(p.description.split(/(?<=[.!?])\s+/).length, p.name).toBe(2);
      expect(p.paper.length).toBeGreaterThan(5);
    }
  });

  it('the Cov presets differ from entropy-collapse only in the policy loss and its knobs', () => {
    const base = getPreset('entropy-collapse').config;
    for (const name of ['clip-cov', 'kl-cov']) {
      const c = getPreset(name).config;
      const diff = Object.keys(c).filter(
        (k) => JSON.stringify(c[k as keyof typeof c]) !== JSON.stringify(base[k as keyof typeof base]),
      );
      expect(
        diff.every((k) => k === 'name' || k === 'policyLoss' || /^(clipCov|klCov)/.test(k)),
        `${name}: ${diff}`,
      ).toBe(true);
    }
  });

  it('getPreset names the known presets when the name is wrong', () => {
    expect(() => getPreset('grpo')).toThrow(/one of: grpo-add/);
  });
});
