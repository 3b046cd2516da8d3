// Task `sort`: write a short string of digits and letters in sorted order, "c3a0=" → "03ac".
// Repeats are allowed and kept; order is character-code order (digits before letters).

import { drawSymbols, splitSampler, swapAdjacent, wrongSymbols } from './common';
import { verifySymbols } from './symbols';
import type { Rng } from '../../models/rng';
import type { Problem, Task } from './task';

export const SORT_MIN_LENGTH = 3;
export const SORT_MAX_LENGTH = 7;

const sorted = (s: string) => [...s].sort().join('');

function drawSort(rng: Rng): Problem {
  const s = drawSymbols(rng, SORT_MIN_LENGTH, SORT_MAX_LENGTH);
  return { prompt: `${s}=`, answer: sorted(s) };
}

const split = splitSampler('sort', drawSort);

export const sortTask: Task = {
  name: 'sort',
  description: 'Sort a short string of digits and letters a–f: "c3a0=" → "03ac".',
  alphabet: '0123456789abcdef=',
  maxPromptLength: SORT_MAX_LENGTH + 1,
  maxCompletionLength: SORT_MAX_LENGTH + 1, // a wrong demonstration may write a character twice
  sample: split.sample,
  heldOut: split.heldOut,
  verify: (problem, completion) => verifySymbols(problem.answer, completion),
  demonstrate(problem, rng, noise) {
    if (!rng.bernoulli(noise)) return problem.answer;
    const answer = problem.answer;
    const i = rng.int(answer.length);
    return wrongSymbols(answer, rng, [
      (r) => swapAdjacent(answer, r), // two neighbours out of order
      () => answer.slice(0, i) + answer.slice(i + 1), // a character lost
      () => answer.slice(0, i + 1) + answer.slice(i), // a character written twice
    ]);
  },
};
