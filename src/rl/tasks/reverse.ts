// Task `reverse`: write a short string of digits and letters backwards, "c3a0=" → "0a3c".

import { drawSymbols, splitSampler, swapAdjacent, wrongSymbols } from './common';
import { promptSymbols, verifySymbols } from './symbols';
import type { Rng } from '../../models/rng';
import type { Problem, Task } from './task';

export const REVERSE_MIN_LENGTH = 3;
export const REVERSE_MAX_LENGTH = 8;

const reversed = (s: string) => [...s].reverse().join('');

function drawReverse(rng: Rng): Problem {
  const s = drawSymbols(rng, REVERSE_MIN_LENGTH, REVERSE_MAX_LENGTH);
  return { prompt: `${s}=`, answer: reversed(s) };
}

const split = splitSampler('reverse', drawReverse);

export const reverseTask: Task = {
  name: 'reverse',
  description: 'Write a short string of digits and letters a–f backwards: "c3a0=" → "0a3c".',
  alphabet: '0123456789abcdef=',
  maxPromptLength: REVERSE_MAX_LENGTH + 1,
  maxCompletionLength: REVERSE_MAX_LENGTH,
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
