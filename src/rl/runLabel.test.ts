import { describe, expect, it } from 'vitest';
import { parseRunConfig } from './config';
import { PRESETS } from './presets/index';
import { editedSettings, presetRunName } from './runLabel';

const grpoAdd = PRESETS.find((p) => p.name === 'grpo-add')!.config;

describe('presetRunName', () => {
  it('is the preset name when nothing but the seed changed', () => {
    expect(presetRunName({ ...grpoAdd, seed: 7 })).toBe('grpo-add');
  });

  it('lists edited settings with short names and compact numbers', () => {
    expect(presetRunName({ ...grpoAdd, lr: 3e-4, groupSize: 4 })).toBe('grpo-add · G 4, lr 3e-4');
    expect(presetRunName({ ...grpoAdd, temperature: 0.7 })).toBe('grpo-add · T 0.7');
  });

  it('names a changed reward by its terms and counts edits past three', () => {
    const cfg = parseRunConfig({
      ...grpoAdd,
      reward: [
        { component: 'correctness', weight: 1 },
        { component: 'format', weight: 0.5 },
      ],
      steps: 10,
      promptsPerStep: 2,
      klCoef: 0.01,
    });
    expect(editedSettings(cfg, grpoAdd)).toEqual(['steps 10', 'P 2', 'reward correctness + 0.5·format', 'β 0.01']);
    expect(presetRunName(cfg)).toBe('grpo-add · steps 10, P 2, reward correctness + 0.5·format +1 more');
  });

  it('is null for a config no preset names', () => {
    expect(presetRunName(parseRunConfig({}))).toBeNull();
  });
});
