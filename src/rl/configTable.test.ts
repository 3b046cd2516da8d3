// The config table: every numeric setting once, its default inside its range, every preset inside
// every range, and the schema built from it refusing what lies outside.
import { describe, expect, it } from 'vitest';
import { MODEL_SIZES } from '../models/config';
import {
  baseCheckpointPath,
  baseCheckpointUrl,
  maxNewTokensFor,
  parseRunConfig,
  TASK_NAMES,
  type RunConfig,
} from './config';
import { describeRange, inRange, NUMERIC_FIELDS, REWARD_PARAMS, type NumericField } from './configTable';
import { PRESETS } from './presets/index';
import { TASKS } from './tasks/index';

const FIELDS = Object.entries(NUMERIC_FIELDS) as [keyof typeof NUMERIC_FIELDS, NumericField][];

describe('config table', () => {
  it('holds exactly the numeric settings of a run, and the schema defaults are its defaults', () => {
    const defaults = parseRunConfig({});
    const numeric = Object.keys(defaults).filter((k) => {
      const v = defaults[k as keyof RunConfig];
      return typeof v === 'number' || v === null;
    });
    expect(numeric.sort()).toEqual(Object.keys(NUMERIC_FIELDS).sort());
    for (const [k, f] of FIELDS) expect(defaults[k], k).toBe(f.default);
  });

  it('every default lies inside its range, and log fields span positive decades', () => {
    for (const [k, f] of FIELDS) {
      expect(f.min, k).toBeLessThan(f.max);
      if (f.default !== null) expect(inRange(f, f.default), `${k} = ${f.default}`).toBe(true);
      if (f.log) expect(f.max / f.min, k).toBeGreaterThanOrEqual(100);
    }
    for (const [component, params] of Object.entries(REWARD_PARAMS)) {
      for (const [name, p] of Object.entries(params)) {
        expect(p.min, `${component}.${name}`).toBeLessThan(p.max);
        if (p.default !== undefined) expect(inRange(p, p.default), `${component}.${name}`).toBe(true);
      }
    }
  });

  it('every preset value lies inside the table: settings, reward parameters and the context rule', () => {
    expect(PRESETS.length).toBe(10);
    for (const { name, config } of PRESETS) {
      for (const [k, f] of FIELDS) {
        const v = config[k];
        if (v !== null) expect(inRange(f, v), `${name}.${k} = ${v} is not ${describeRange(f)}`).toBe(true);
      }
      for (const t of config.reward) {
        for (const [p, v] of Object.entries(t.params)) {
          const f = REWARD_PARAMS[t.component][p];
          expect(f, `${name}: ${t.component}.${p}`).toBeDefined();
          expect(inRange(f, v), `${name}: ${t.component}.${p} = ${v}`).toBe(true);
        }
      }
      expect(config.maxNewTokens, name).toBeLessThanOrEqual(maxNewTokensFor(config.task, config.model));
    }
  });

  it('maxNewTokens must leave the longest prompt (with <bos>) inside the context: the bound, hand-worked', () => {
    // add: prompts of at most 6 characters ("99+99="), 7 tokens with <bos>; small blockSize 48 → 41
    expect(TASKS.add.maxPromptLength).toBe(6);
    expect(MODEL_SIZES.small.blockSize).toBe(48);
    expect(maxNewTokensFor('add', 'small')).toBe(41);
    expect(parseRunConfig({ maxNewTokens: 41 }).maxNewTokens).toBe(41);
    expect(() => parseRunConfig({ maxNewTokens: 42 })).toThrow(
      'maxNewTokens: must be at most 41 for add on the small model (7 prompt tokens + maxNewTokens ≤ its context of 48), got 42',
    );
    // the same 42 fits the medium model (64 − 7 = 57)
    expect(parseRunConfig({ maxNewTokens: 42, model: 'medium' }).maxNewTokens).toBe(42);
    for (const task of TASK_NAMES) {
      for (const [model, size] of Object.entries(MODEL_SIZES)) {
        expect(maxNewTokensFor(task, model as RunConfig['model']), `${task} ${model}`).toBe(
          size.blockSize - 1 - TASKS[task].maxPromptLength,
        );
      }
    }
  });

  it('refuses the values a hostile link or file could carry, naming field and range', () => {
    const cases: [Partial<Record<keyof RunConfig, unknown>>, string][] = [
      [{ lr: 1e9 }, 'lr: must be a number in [0.00001, 0.01], got 1000000000'],
      [{ steps: 1e15 }, 'steps: must be an integer in [1, 5000], got 1000000000000000'],
      [{ promptsPerStep: 1000000 }, 'promptsPerStep: must be an integer in [1, 64], got 1000000'],
      [{ evalPrompts: 1e7 }, 'evalPrompts: must be an integer in [1, 256], got 10000000'],
      [{ maxNewTokens: 100000 }, 'maxNewTokens: must be an integer in [2, 48], got 100000'],
      [{ groupSize: 2.5 }, 'groupSize: must be an integer in [2, 32], got 2.5'],
      [{ dualClip: 0.5 }, 'dualClip: must be a number in [1, 10], got 0.5'],
      [{ clipCovLb: 2, clipCovUb: 2 }, 'clipCovUb: must be above clipCovLb = 2, got 2'],
      [
        { reward: [{ component: 'length-overlong', weight: 1, params: { cache: 40 } }] },
        'reward.0.params.cache: length-overlong parameter cache must be a number in [1, 32], got 40',
      ],
      [
        { reward: [{ component: 'correctness', weight: 1, params: { target: 3 } }] },
        'reward.0.params.target: correctness has no parameter "target" (it takes none)',
      ],
    ];
    for (const [input, message] of cases) expect(() => parseRunConfig(input)).toThrow(`invalid run config: ${message}`);
    expect(parseRunConfig({ clipCovLb: 1.9, clipCovUb: 2, dualClip: 10 })).toMatchObject({
      clipCovLb: 1.9,
      dualClip: 10,
    });
  });

  it('names a base checkpoint in one place, for the file system and for the page', () => {
    expect(baseCheckpointPath({ task: 'add-scratch', model: 'small' })).toBe(
      'public/checkpoints/add-scratch-small.safetensors',
    );
    expect(baseCheckpointPath({ task: 'sort', model: 'tiny' }, '/tmp/bases')).toBe('/tmp/bases/sort-tiny.safetensors');
    expect(baseCheckpointUrl({ task: 'countdown', model: 'medium' })).toBe('/checkpoints/countdown-medium.safetensors');
  });
});
