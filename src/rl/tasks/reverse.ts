// Tasks `reverse` and `reverse-long`: write a string of digits and letters backwards, "c3a0=" → "0a3c".
// `reverse` keeps answers short (3–8 symbols); `reverse-long` asks for 8–12, so every answer is at
// least 8 tokens each chosen among 16 symbols: entropy, clipping and KL act over many real choices
// per completion instead of the 2–3 of `add`.

import { drawSymbols, splitSampler, swapAdjacent, wrongSymbols } from './common';
import { promptSymbols, verifySymbols } from './symbols';
import type { Rng } from '../../models/rng';
import type { Problem, Task } from './task';

export const REVERSE_MIN_LENGTH = 3;
export const REVERSE_MAX_LENGTH = 8;
export const REVERSE_LONG_MIN_LENGTH = 8;
export const REVERSE_LONG_MAX_LENGTH = 12;

const reversed = (s: string) => [...s].reverse().join('');

/** A reverse task over strings of minLength..maxLength symbols. */
function reverseTaskOf(
  name: 'reverse' | 'reverse-long',
  minLength: number,
  maxLength: number,
  description: string,
): Task {
  const split = splitSampler(name, (rng: Rng): Problem => {
    const s = drawSymbols(rng, minLength, maxLength);
    return { prompt: `${s}=`, answer: reversed(s) };
  });
  return {
    name,
    description,
    alphabet: '0123456789abcdef=',
    maxPromptLength: maxLength + 1,
    maxCompletionLength: maxLength,
    sample: split.sample,
    heldOut: split.heldOut,
    verify: (problem, completion) => verifySymbols(problem.answer, completion),
    demonstrate(problem, rng, noise) {
      if (!rng.bernoulli(noise)) return problem.answer;
      const input = promptSymbols(problem.prompt);
      const answer = problem.answer;
      const i = rng.int(answer.length);
      return wrongSymbols(answer, rng, [
        () => input, // copied instead of reversed (wrong unless a palindrome)
        (r) => swapAdjacent(answer, r), // two neighbours out of order
        () => answer.slice(0, i) + answer.slice(i + 1), // a character lost
      ]);
    },
  };
}

export const reverseTask = reverseTaskOf(
  'reverse',
  REVERSE_MIN_LENGTH,
  REVERSE_MAX_LENGTH,
  'Write a short string of digits and letters a–f backwards: "c3a0=" → "0a3c".',
);

export const reverseLongTask = reverseTaskOf(
  'reverse-long',
  REVERSE_LONG_MIN_LENGTH,
  REVERSE_LONG_MAX_LENGTH,
  'Write a string of 8–12 digits and letters a–f backwards: "c3a07b1e=" → "e1b70a3c". Long answers: many real choices per completion.',
);
