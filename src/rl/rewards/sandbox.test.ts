// The user-code sandbox: right numbers from a correct function; time-outs, throws, syntax errors,
// bad returns and memory bombs become RewardCodeErrors with line, prompt and completion; nothing of
// the host realm is reachable inside.

import { afterEach, describe, expect, it } from 'vitest';
import type { Problem, Verdict } from '../tasks/task';
import type { RewardInput } from './reward';
import { RewardCodeError, USER_REWARD_TEMPLATE, UserRewardSandbox } from './sandbox';

const problem: Problem = { prompt: '12+345=', answer: '357' };
const verdictOf = (completion: string): Verdict => ({
  correct: completion === '357',
  formatOk: /^\d+$/.test(completion),
  partial: completion === '357' ? 1 : 0,
  parsedAnswer: null,
});

/** A group of completions for `problem`; input i of it. */
function inputs(completions: string[], maxNewTokens = 16): RewardInput[] {
  const verdicts = completions.map(verdictOf);
  const lengths = completions.map((c) => c.length);
  const truncated = lengths.map((n) => n >= maxNewTokens);
  return completions.map((completion, index) => ({
    problem,
    completion,
    verdict: verdicts[index],
    group: { completions, verdicts, lengths, truncated, index, maxNewTokens, step: 3 },
  }));
}

const open: UserRewardSandbox[] = [];
async function sandbox(code: string, opts?: Parameters<typeof UserRewardSandbox.create>[1]) {
  const s = await UserRewardSandbox.create(code, opts);
  open.push(s);
  return s;
}
afterEach(() => {
  while (open.length) open.pop()!.dispose();
});

/** The RewardCodeError a thunk throws (fails the test when it throws something else or nothing). */
function errorOf(f: () => unknown): RewardCodeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RewardCodeError);
    return e as RewardCodeError;
  }
  throw new Error('expected a RewardCodeError');
}
async function createError(code: string): Promise<RewardCodeError> {
  try {
    (await sandbox(code)).dispose();
  } catch (e) {
    expect(e).toBeInstanceOf(RewardCodeError);
    return e as RewardCodeError;
  }
  throw new Error('expected a RewardCodeError');
}

describe('UserRewardSandbox', () => {
  it('the template gives 1 − 0.5·len/L when correct and 0 when wrong (357: 0.90625; 358: 0)', async () => {
    const s = await sandbox(USER_REWARD_TEMPLATE);
    const [a, b] = inputs(['357', '358']);
    expect(s.call(a)).toBe(1 - 0.5 * (3 / 16));
    expect(s.call(b)).toBe(0);
  });

  it('passes every field of the argument: prompt, answer, completion, length, step, group', async () => {
    const s = await sandbox(`function reward(x) {
      return x.prompt.length * 1000 + x.answer.length * 100 + x.length * 10 + x.step
        + (x.formatOk ? 0.5 : 0) + (x.truncated ? 0.25 : 0)
        + x.group.lengths.reduce((a, b) => a + b, 0) * 1e4 + x.group.correct.filter(Boolean).length * 1e6;
    }`);
    const [a, b] = inputs(['357', 'abcd']);
    // prompt 7, answer 3, length 3, step 3, formatOk, not truncated; group lengths 3+4, one correct
    expect(s.call(a)).toBe(7000 + 300 + 30 + 3 + 0.5 + 7e4 + 1e6);
    expect(s.call(b)).toBe(7000 + 300 + 40 + 3 + 7e4 + 1e6);
  });

  it('keeps state between calls in one sandbox (a counter counts 1, 2, 3)', async () => {
    const s = await sandbox('let n = 0; function reward() { n += 1; return n; }');
    const [a] = inputs(['1']);
    expect([s.call(a), s.call(a), s.call(a)]).toEqual([1, 2, 3]);
  });

  it('stops an infinite loop at the time limit, reports a time-out with the completion, and keeps working after', async () => {
    const s = await sandbox(
      `function reward({ completion }) {\n  if (completion === 'loop') { for (;;) {} }\n  return 2;\n}`,
      { timeLimitMs: 50 },
    );
    const [ok, loop] = inputs(['1', 'loop']);
    const e = errorOf(() => s.call(loop));
    expect(e.message).toBe('timed out after 50 ms');
    expect(e.line).toBe(2);
    expect(e.prompt).toBe('12+345=');
    expect(e.completion).toBe('loop');
    expect(s.call(ok)).toBe(2);
  });

  it('an infinite loop at the top level is stopped while loading', async () => {
    const e = await createError('while (true) {}\nfunction reward() { return 1; }');
    expect(e.message).toBe('loading the code: timed out after 500 ms');
    expect(e.completion).toBe('');
  });

  it('a throw reports its message and the line it came from', async () => {
    const s = await sandbox(
      `function reward({ completion }) {\n  const x = 1;\n  throw new Error('boom: ' + completion);\n}`,
    );
    const e = errorOf(() => s.call(inputs(['358'])[0]));
    expect(e.message).toBe('Error: boom: 358');
    expect(e.line).toBe(3);
    expect(e.completion).toBe('358');
  });

  it('a runtime TypeError names its line (line 3 of 4)', async () => {
    const s = await sandbox('function reward(x) {\n  const y = null;\n  return y.z;\n}');
    const e = errorOf(() => s.call(inputs(['1'])[0]));
    expect(e.message).toMatch(/^TypeError: cannot read property 'z' of null/);
    expect(e.line).toBe(3);
  });

  it('a syntax error is reported at load with its line', async () => {
    const e = await createError('function reward(x) {\n  return 1 +;\n}');
    expect(e.message).toMatch(/^loading the code: SyntaxError/);
    expect(e.line).toBe(2);
  });

  it('code without a reward function is refused', async () => {
    const e = await createError('function score() { return 1; }');
    expect(e.message).toMatch(/must define function reward/);
  });

  it('a non-number, NaN or Infinity return is an error naming what came back', async () => {
    const s = await sandbox(
      "function reward({ completion }) { return completion === 's' ? 'yes' : completion === 'n' ? NaN : completion === 'u' ? undefined : 1 / 0; }",
    );
    const [str, nan, undef, inf] = inputs(['s', 'n', 'u', 'i']);
    expect(errorOf(() => s.call(str)).message).toBe('reward must return a number, got string');
    expect(errorOf(() => s.call(nan)).message).toBe('reward must return a finite number, got NaN');
    expect(errorOf(() => s.call(undef)).message).toBe('reward must return a number, got undefined');
    expect(errorOf(() => s.call(inf)).message).toBe('reward must return a finite number, got Infinity');
  });

  it('no host globals inside: window, fetch, process, require, localStorage, document, console are undefined', async () => {
    const s = await sandbox(`function reward() {
      const names = [typeof window, typeof fetch, typeof process, typeof require, typeof globalThis.localStorage,
        typeof document, typeof XMLHttpRequest, typeof importScripts, typeof console, typeof setTimeout];
      return names.filter((t) => t !== 'undefined').length;
    }`);
    expect(s.call(inputs(['1'])[0])).toBe(0);
  });

  it('a memory bomb is stopped by the memory limit and reported as out of memory', async () => {
    const s = await sandbox(
      "function reward({ completion }) {\n  if (completion === 'bomb') { let a = [1]; for (;;) a = a.concat(a); }\n  return 1;\n}",
    );
    const [ok, bomb] = inputs(['1', 'bomb']);
    const e = errorOf(() => s.call(bomb));
    expect(e.message).toBe('out of memory (the sandbox has a memory limit)');
    expect(e.line).toBe(2);
    expect(s.call(ok)).toBe(1);
  });

  it('deep recursion is an error, not a crash of the host', async () => {
    const s = await sandbox('function f(n) { return f(n + 1) + 1; }\nfunction reward() { return f(0); }');
    expect(errorOf(() => s.call(inputs(['1'])[0])).message).toMatch(/stack overflow/);
  });
});
