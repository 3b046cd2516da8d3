// Config ⇄ URL: round trips, bad and unknown parameters, hide=, and code-bearing links.

import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../rl/config';
import { acceptCode, configToQuery, configToUrl, hiddenControls, parseReward, urlToConfig } from './query';

const BASE = 'http://localhost:5173/';

describe('config ⇄ URL', () => {
  it('a non-default config round-trips exactly and the query holds only the fields that differ', () => {
    const config = parseRunConfig({
      task: 'countdown',
      lr: 0.0003,
      epsHigh: 0.28,
      dualClip: 3,
      adaptiveEntropy: true,
      advantage: 'reinforce++',
      reward: [
        { component: 'correctness', weight: 1, params: {} },
        { component: 'length-overlong', weight: -0.5, params: { cache: 4, L: 12.5 } },
      ],
    });
    const q = configToQuery(config);
    expect(q.split('&').map((p) => p.split('=')[0])).toEqual([
      'task',
      'reward',
      'advantage',
      'epsHigh',
      'dualClip',
      'adaptiveEntropy',
      'lr',
    ]);
    expect(q).toContain('reward=correctness,length-overlong*-0.5(cache:4;L:12.5)');
    expect(q).toContain('advantage=reinforce%2B%2B');
    const back = urlToConfig(configToUrl(config, BASE));
    expect(back.warnings).toEqual([]);
    expect(back.config).toEqual(config);
  });

  it('the default config gives an empty query and a bare URL (hash kept)', () => {
    expect(configToQuery(parseRunConfig({}))).toBe('');
    expect(configToUrl(parseRunConfig({}), 'http://h/app/?lr=1#x')).toBe('http://h/app/#x');
  });

  it('unknown parameters and bad values fall back to defaults with one warning each, never throwing', () => {
    const r = urlToConfig(
      `${BASE}?task=chess&lr=-1&groupSize=abc&seed=5&foo=1&reward=correctness*x&adaptiveEntropy=yes`,
    );
    const d = parseRunConfig({});
    expect(r.config).toEqual({ ...d, seed: 5 });
    expect(r.warnings).toHaveLength(6);
    expect(r.warnings.find((w) => w.startsWith('groupSize'))).toContain('"abc" is not a number');
    expect(r.warnings).toContain('ignored unknown setting "foo"');
    expect(r.warnings.some((w) => w.startsWith('task:'))).toBe(true);
    expect(r.warnings.some((w) => w.startsWith('lr:'))).toBe(true);
  });

  it('a link value that breaks a cross-field rule against a default is dropped alone; the rest is kept', () => {
    // clipCovLb 5 is in its range [-10, 10] but not below the default clipCovUb 5
    const r = urlToConfig(`${BASE}?clipCovLb=5&task=sort`);
    expect(r.config).toEqual(parseRunConfig({ task: 'sort' }));
    expect(r.warnings).toEqual([
      'clipCovLb: does not fit the other settings (clipCovUb: must be above clipCovLb = 5, got 5); using the default',
    ]);
    // an inverted band: the out-of-order upper bound is refused, then the lower bound against the default
    const inverted = urlToConfig(`${BASE}?clipCovLb=10&clipCovUb=1&groupSize=4`);
    expect(inverted.config).toEqual(parseRunConfig({ groupSize: 4 }));
    expect(inverted.warnings).toEqual([
      'clipCovUb: must be above clipCovLb = 10, got 1; using the default',
      'clipCovLb: does not fit the other settings (clipCovUb: must be above clipCovLb = 10, got 5); using the default',
    ]);
  });

  it('a value outside its table range is dropped with a warning naming the range; values at the bounds are kept', () => {
    const r = urlToConfig(
      `${BASE}?lr=1e9&steps=1e15&promptsPerStep=1000000&evalPrompts=1e7&maxNewTokens=100000&groupSize=8&seed=7`,
    );
    expect(r.config).toEqual({ ...parseRunConfig({}), seed: 7 });
    expect(r.warnings).toEqual([
      'steps: must be an integer in [1, 5000], got 1000000000000000; using the default',
      'promptsPerStep: must be an integer in [1, 64], got 1000000; using the default',
      'maxNewTokens: must be an integer in [2, 48], got 100000; using the default',
      'lr: must be a number in [0.00001, 0.01], got 1000000000; using the default',
      'evalPrompts: must be an integer in [1, 256], got 10000000; using the default',
    ]);
    const atBounds = urlToConfig(`${BASE}?lr=0.01&steps=5000&promptsPerStep=64&evalPrompts=1&temperature=0`);
    expect(atBounds.warnings).toEqual([]);
    expect(atBounds.config).toMatchObject({
      lr: 0.01,
      steps: 5000,
      promptsPerStep: 64,
      evalPrompts: 1,
      temperature: 0,
    });
    const below = urlToConfig(`${BASE}?lr=0.0000099&groupSize=1`);
    expect(below.config).toEqual(parseRunConfig({}));
    expect(below.warnings).toEqual([
      'groupSize: must be an integer in [2, 32], got 1; using the default',
      'lr: must be a number in [0.00001, 0.01], got 0.0000099; using the default',
    ]);
  });

  it("maxNewTokens beyond the model's context for the task's prompts is dropped; the largest that fits is kept", () => {
    // add's longest prompt is 7 tokens with <bos>; the small model's context is 48
    const r = urlToConfig(`${BASE}?maxNewTokens=42`);
    expect(r.config.maxNewTokens).toBe(16);
    expect(r.warnings).toEqual([
      'maxNewTokens: must be at most 41 for add on the small model (7 prompt tokens + maxNewTokens ≤ its context of 48), got 42; using the default',
    ]);
    expect(urlToConfig(`${BASE}?maxNewTokens=41`).config.maxNewTokens).toBe(41);
  });

  it('a reward parameter outside its range, or one the component does not read, drops the reward shape', () => {
    const r = urlToConfig(`${BASE}?reward=correctness,random(p:1.5)&seed=2`);
    expect(r.config).toEqual({ ...parseRunConfig({}), seed: 2 });
    expect(r.warnings).toEqual(['reward: random parameter p must be a number in [0, 1], got 1.5; using the default']);
    const unknown = urlToConfig(`${BASE}?reward=length-linear(target:3)`);
    expect(unknown.warnings).toEqual(['reward: length-linear has no parameter "target" (L); using the default']);
    expect(urlToConfig(`${BASE}?reward=random(p:1)`).config.reward).toEqual([
      { component: 'random', weight: 1, params: { p: 1 } },
    ]);
  });

  it('a link that is not a URL gives the defaults and a warning', () => {
    expect(urlToConfig('http://[::1').config).toEqual(parseRunConfig({}));
  });

  it('parseReward rejects an unknown component and a malformed parameter by name', () => {
    expect(() => parseReward('correctness,magic*2')).toThrow('unknown reward component "magic"');
    expect(() => parseReward('length-linear(target)')).toThrow('parameter "target"');
  });

  it('hide= gives the trimmed control names without repeats, across repeated parameters', () => {
    expect(hiddenControls(`${BASE}?hide=lr, reward,,lr&hide=klCoef`)).toEqual(['lr', 'reward', 'klCoef']);
    expect(hiddenControls(`${BASE}?lr=0.01`)).toEqual([]);
    const url = configToUrl(parseRunConfig({ lr: 0.01 }), BASE, ['lr', 'task']);
    expect(hiddenControls(url)).toEqual(['lr', 'task']);
    expect(urlToConfig(url).config.lr).toBe(0.01);
  });

  it('a link with reward code yields it as pending: the config has neither the code nor the user-code term', () => {
    const code = 'function reward(input) {\n  return input.completion.length > 3 ? 1 : 0; // & = ? #\n}';
    const shared = parseRunConfig({
      userRewardCode: code,
      reward: [
        { component: 'correctness', weight: 1, params: {} },
        { component: 'user-code', weight: 0.5, params: {} },
      ],
    });
    const r = urlToConfig(configToUrl(shared, BASE));
    expect(r.config.userRewardCode).toBe('');
    expect(r.config.reward.map((t) => t.component)).toEqual(['correctness']);
    expect(r.pendingCode).toEqual({ code, reward: shared.reward });
    expect(acceptCode(r.config, r.pendingCode!)).toEqual(shared);
  });

  it('a link whose only reward term is user code keeps a valid config (default reward) until accepted', () => {
    const shared = parseRunConfig({
      userRewardCode: 'function reward() { return 1; }',
      reward: [{ component: 'user-code', weight: 2, params: {} }],
    });
    const r = urlToConfig(configToUrl(shared, BASE));
    expect(r.config.reward).toEqual(parseRunConfig({}).reward);
    expect(acceptCode(r.config, r.pendingCode!)).toEqual(shared);
  });

  it('a user-code term without code is dropped with a warning, and no code is pending', () => {
    const r = urlToConfig(`${BASE}?reward=correctness,user-code`);
    expect(r.pendingCode).toBeNull();
    expect(r.config.reward.map((t) => t.component)).toEqual(['correctness']);
    expect(r.warnings).toEqual(['reward: a user-code term came without its code; dropped it']);
  });
});
