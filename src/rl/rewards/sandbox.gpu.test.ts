// The reward sandbox in the browser suite (Chromium through Vite): the QuickJS WASM must load in the
// page's realm as it does in Node (a WASM file fetched by URL did not: the dev server answered HTML),
// run a function, and keep the page's globals out. No GPU is involved; this is where browser tests run.

import { expect, it } from 'vitest';
import type { RewardInput } from './reward';
import { USER_REWARD_TEMPLATE, UserRewardSandbox } from './sandbox';

const verdict = { correct: true, formatOk: true, partial: 1, parsedAnswer: '357' };
const input: RewardInput = {
  problem: { prompt: '12+345=', answer: '357' },
  completion: '357',
  verdict,
  group: {
    completions: ['357'],
    verdicts: [verdict],
    lengths: [3],
    truncated: [false],
    index: 0,
    maxNewTokens: 16,
    step: 0,
  },
};

it('in the browser the sandbox loads, the template scores 1 − 0.5·3/16, and window/document/fetch/self are absent inside', async () => {
  const s = await UserRewardSandbox.create(USER_REWARD_TEMPLATE);
  const globals = await UserRewardSandbox.create(
    "function reward() { return [typeof window, typeof document, typeof fetch, typeof self, typeof localStorage].filter((t) => t !== 'undefined').length; }",
  );
  try {
    expect(s.call(input)).toBe(1 - (0.5 * 3) / 16);
    expect(globals.call(input)).toBe(0);
  } finally {
    s.dispose();
    globals.dispose();
  }
});
