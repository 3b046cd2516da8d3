// Every sidebar control must be able to show every preset: a preset value outside its slider's range
// would be clamped the moment a person touched the control.
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../rl/config';
import { PRESETS } from '../../rl/presets/index';
import {
  ALGORITHM_PARAMS,
  CLIP_COV_PARAMS,
  ENTROPY_PARAMS,
  HYPER_PARAMS,
  KL_COV_PARAMS,
  type NumberSpec,
} from './controlSpecs';

const SPECS: NumberSpec[] = [
  ...HYPER_PARAMS,
  ...ALGORITHM_PARAMS,
  ...CLIP_COV_PARAMS,
  ...KL_COV_PARAMS,
  ...ENTROPY_PARAMS,
];

describe('sidebar control specs', () => {
  it('each numeric config key has one control, with min < max, a positive step and a help text', () => {
    const keys = SPECS.map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const s of SPECS) {
      expect(s.min, s.key).toBeLessThan(s.max);
      expect(s.step, s.key).toBeGreaterThan(0);
      expect(s.help.length, s.key).toBeGreaterThan(20);
    }
    for (const k of ['topK', 'beta1', 'beta2', 'weightDecay', 'passN'] as const) expect(keys).toContain(k);
  });

  it('the default config and every preset lie inside every control range', () => {
    const configs = [parseRunConfig({}), ...PRESETS.map((p) => p.config)];
    for (const c of configs) {
      for (const s of SPECS) {
        const v = c[s.key];
        expect(v, `${c.name}.${s.key}`).toBeGreaterThanOrEqual(s.min);
        expect(v, `${c.name}.${s.key}`).toBeLessThanOrEqual(s.max);
        if (s.integer) expect(Number.isInteger(v), `${c.name}.${s.key}`).toBe(true);
      }
    }
  });
});
