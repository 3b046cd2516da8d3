// Every sidebar control must be able to show every preset: a preset value outside its slider's range
// would be clamped the moment a person touched the control. The ranges are the run config's own.
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../rl/config';
import { NUMERIC_FIELDS, REWARD_PARAMS, type NumericField } from '../../rl/configTable';
import { PRESETS } from '../../rl/presets/index';
import {
  ALGORITHM_PARAMS,
  CLIP_COV_PARAMS,
  ENTROPY_PARAMS,
  HYPER_PARAMS,
  KL_COV_PARAMS,
  REWARD_COMPONENT_INFO,
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

describe('control ranges are the run config ranges', () => {
  // Values that fit every cross-field rule at either bound of any one control.
  const roomy = { model: 'medium', clipCovLb: -5, clipCovUb: 20, passK: 1 } as const;
  const errorOf = (input: object): string | null => {
    try {
      parseRunConfig(input);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('each control takes its range and flags from the table', () => {
    for (const s of SPECS) {
      const f: NumericField = NUMERIC_FIELDS[s.key];
      expect([s.min, s.max, s.integer, s.log], s.key).toEqual([f.min, f.max, f.integer, f.log]);
    }
    const lr = SPECS.find((s) => s.key === 'lr')!;
    expect([lr.min, lr.max, lr.log]).toEqual([1e-5, 1e-2, true]);
  });

  it('the config accepts every control at both ends of its range and refuses just beyond, naming field and range', () => {
    for (const s of SPECS) {
      for (const v of [s.min, s.max]) expect(errorOf({ ...roomy, [s.key]: v }), `${s.key}=${v}`).toBeNull();
      const beyond = s.integer ? [s.min - 1, s.max + 1] : [s.min - 1e-3 * (s.max - s.min), s.max * 1.001];
      for (const v of beyond) {
        expect(errorOf({ ...roomy, [s.key]: v }), `${s.key}=${v}`).toBe(
          `invalid run config: ${s.key}: must be ${s.integer ? 'an integer' : 'a number'} in [${s.min}, ${s.max}], got ${v}`,
        );
      }
    }
  });

  it('lr = 1e9 is refused with its range; lr = 0.01, the slider maximum, is accepted', () => {
    expect(errorOf({ lr: 1e9 })).toBe('invalid run config: lr: must be a number in [0.00001, 0.01], got 1000000000');
    expect(parseRunConfig({ lr: 0.01 }).lr).toBe(0.01);
  });

  it('the reward builder shows each parameter with the default and range the reward components use', () => {
    for (const [component, info] of Object.entries(REWARD_COMPONENT_INFO)) {
      for (const p of info.params) {
        const f = REWARD_PARAMS[component as keyof typeof REWARD_PARAMS][p.name];
        expect([p.min, p.max, p.default], `${component}.${p.name}`).toEqual([f.min, f.max, f.default]);
      }
      const shown = info.params.map((p) => p.name);
      const withDefault = Object.keys(REWARD_PARAMS[component as keyof typeof REWARD_PARAMS]).filter((n) => n !== 'L');
      expect(shown, component).toEqual(withDefault);
    }
  });
});
