// Task `add`: two-digit addition answered directly, "07+45=" → "52". Operands are written with
// leading zeros to a fixed width, so each digit sits at the same place in every prompt (a tiny model
// with learned positions then learns in minutes, not hours); the answer is the sum without leading
// zeros. Also home of the column-wise addition that `add-scratch` writes out as its carry scratchpad.

import type { Rng } from '../../models/rng';
import { CANONICAL_NUMBER, perturbDigit, rightAlignedMatch, splitSampler } from './common';
import type { Problem, Task, Verdict } from './task';

export const ADD_DIGITS = 2; // operand width

/** Column k of a + b, units first: the sum digit and the carry out. */
export interface AdditionColumn {
  digit: number;
  carry: number; // 0 | 1
}

/**
 * Schoolbook addition over `width` columns (more if an operand is wider), units column first.
 * `dropCarryAt` = k forgets the carry out of column k (the classic slip), giving a + b − 10^(k+1);
 * the columns stay consistent with that wrong sum.
 */
export function addColumns(
  a: number,
  b: number,
  width: number,
  dropCarryAt = -1,
): { columns: AdditionColumn[]; sum: string } {
  const da = String(a);
  const db = String(b);
  const n = Math.max(width, da.length, db.length);
  const columns: AdditionColumn[] = [];
  let carry = 0;
  for (let k = 0; k < n; k++) {
    const s = Number(da[da.length - 1 - k] ?? 0) + Number(db[db.length - 1 - k] ?? 0) + carry;
    carry = s >= 10 && k !== dropCarryAt ? 1 : 0;
    columns.push({ digit: s % 10, carry });
  }
  return { columns, sum: columnsSum(columns) };
}

/** The number the columns spell: the final carry, then the digits from the top column down, no leading zeros. */
export function columnsSum(columns: AdditionColumn[]): string {
  const digits = columns.map((c) => c.digit).reverse();
  const written = (columns[columns.length - 1].carry ? '1' : '') + digits.join('');
  return written.replace(/^0+(?=\d)/, '');
}

/** The columns that carry, where dropping a carry gives a wrong sum. */
export function carryColumns(a: number, b: number): number[] {
  return addColumns(a, b, 1)
    .columns.map((c, k) => (c.carry ? k : -1))
    .filter((k) => k >= 0);
}

/** A plausible wrong sum: a dropped carry when there is one (half the time), else one digit off. */
export function wrongSum(a: number, b: number, rng: Rng): string {
  const carries = carryColumns(a, b);
  if (carries.length > 0 && rng.bernoulli(0.5)) return addColumns(a, b, 1, rng.pick(carries)).sum;
  return perturbDigit(String(a + b), rng);
}

/** The operands of an "a+b=" prompt. */
export function parseAddition(prompt: string): { a: number; b: number } {
  const m = /^(\d+)\+(\d+)=$/.exec(prompt);
  if (!m) throw new Error(`not an addition prompt: ${JSON.stringify(prompt)}`);
  return { a: Number(m[1]), b: Number(m[2]) };
}

/** A random addition problem "a+b=": operands uniform in [0, 10^digits), written with leading zeros to that width. */
export function drawAddition(rng: Rng, digits: number): Problem {
  const a = rng.int(10 ** digits);
  const b = rng.int(10 ** digits);
  const w = (n: number) => String(n).padStart(digits, '0');
  return { prompt: `${w(a)}+${w(b)}=`, answer: String(a + b) };
}

/** Verdict on a number written as the whole answer: digits only, no leading zeros. */
export function verifyNumber(answer: string, given: string): Verdict {
  const formatOk = CANONICAL_NUMBER.test(given);
  return {
    correct: formatOk && given === answer,
    formatOk,
    partial: rightAlignedMatch(answer, given),
    parsedAnswer: formatOk ? given : null,
  };
}

const split = splitSampler('add', (rng) => drawAddition(rng, ADD_DIGITS));

export const addTask: Task = {
  name: 'add',
  description: 'Add two two-digit numbers (written with leading zeros) and write the sum directly: "07+45=" → "52".',
  alphabet: '0123456789+=',
  maxPromptLength: 2 * ADD_DIGITS + 2,
  maxCompletionLength: ADD_DIGITS + 1,
  sample: split.sample,
  heldOut: split.heldOut,
  verify: (problem, completion) => verifyNumber(problem.answer, completion),
  demonstrate(problem, rng, noise) {
    if (!rng.bernoulli(noise)) return problem.answer;
    const { a, b } = parseAddition(problem.prompt);
    return wrongSum(a, b, rng);
  },
};
