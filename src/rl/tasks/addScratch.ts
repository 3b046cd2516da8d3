// Task `add-scratch`: addition where a written carry scratchpad before the answer raises accuracy,
// so length and accuracy trade (docs/DESIGN.md §6). The final answer follows "#".
// Operands have three digits, written with leading zeros. Demonstrations mix three ways of
// answering "047+085=":
//   direct   "#132"                    — shortest, hardest for a tiny model (every digit needs every carry);
//   compact  "213110#132"              — per column, units first, the sum digit then the carry out
//                                        ("21" = 7+5 → 2 carry 1, "31" = 4+8+1 → 3 carry 1, "10" = 0+0+1), then the answer;
//   verbose  "213110,213110,213110#132" — the compact scratchpad repeated 3–4 times: length that adds nothing.
// Verbose is half the demonstrations, so a base policy mostly pads (mean length about 18 tokens against
// the compact 11): a good length penalty cuts the copies to the compact pad (about 0.6× the length) at
// no cost, while a harsh one also cuts the compact pad, leaving direct answers, and accuracy falls.

import type { Rng } from '../../models/rng';
import { addColumns, carryColumns, columnsSum, drawAddition, parseAddition, type AdditionColumn } from './add';
import { CANONICAL_NUMBER, rightAlignedMatch, splitSampler } from './common';
import type { Problem, Task, Verdict } from './task';

export type ScratchStyle = 'direct' | 'compact' | 'verbose';
export const SCRATCH_STYLES: readonly ScratchStyle[] = ['direct', 'compact', 'verbose'];
/** How often demonstrations use each style (so a base policy's completions vary in length). */
export const SCRATCH_MIX: Record<ScratchStyle, number> = { direct: 0.2, compact: 0.3, verbose: 0.5 };
export const VERBOSE_MIN_COPIES = 3;
export const VERBOSE_MAX_COPIES = 4;
export const SCRATCH_DIGITS = 3; // operand width = scratchpad columns

const FORMAT = /^[0-9,]*#(0|[1-9][0-9]*)$/; // scratchpad (digits, commas), "#", the answer

const scratch = (columns: AdditionColumn[]) => columns.map((c) => `${c.digit}${c.carry}`).join('');

/** The completion in a given style for columns that add up to `sum` (right or, with noise, wrong). */
export function writeScratch(
  style: ScratchStyle,
  columns: AdditionColumn[],
  sum: string,
  copies = VERBOSE_MIN_COPIES,
): string {
  if (style === 'direct') return `#${sum}`;
  const pad = scratch(columns);
  return style === 'compact' ? `${pad}#${sum}` : `${Array(copies).fill(pad).join(',')}#${sum}`;
}

/**
 * Columns of a plausible mistake, consistent with its wrong sum: a dropped carry when the sum
 * carries (half the time), else one column's digit changed.
 */
function wrongColumns(a: number, b: number, rng: Rng): { columns: AdditionColumn[]; sum: string } {
  const carries = carryColumns(a, b);
  if (carries.length > 0 && rng.bernoulli(0.5)) return addColumns(a, b, SCRATCH_DIGITS, rng.pick(carries));
  const { columns } = addColumns(a, b, SCRATCH_DIGITS);
  const k = rng.int(columns.length);
  const choices = [...Array(10).keys()].filter((d) => d !== columns[k].digit); // another digit: another number
  const changed = columns.map((c, i) => (i === k ? { ...c, digit: rng.pick(choices) } : c));
  return { columns: changed, sum: columnsSum(changed) };
}

function pickStyle(rng: Rng): ScratchStyle {
  let u = rng.next();
  for (const s of SCRATCH_STYLES) {
    u -= SCRATCH_MIX[s];
    if (u < 0) return s;
  }
  return SCRATCH_STYLES[SCRATCH_STYLES.length - 1];
}

/** Which style a completion uses (null when it does not parse). */
export function scratchStyle(completion: string): ScratchStyle | null {
  if (!FORMAT.test(completion)) return null;
  if (completion.startsWith('#')) return 'direct';
  return completion.includes(',') ? 'verbose' : 'compact';
}

function verifyScratch(problem: Problem, completion: string): Verdict {
  const hash = completion.lastIndexOf('#');
  const after = hash >= 0 ? completion.slice(hash + 1) : '';
  const formatOk = FORMAT.test(completion);
  return {
    correct: formatOk && after === problem.answer,
    formatOk,
    partial: hash >= 0 ? rightAlignedMatch(problem.answer, after) : 0,
    parsedAnswer: hash >= 0 && CANONICAL_NUMBER.test(after) ? after : null,
  };
}

const split = splitSampler('add-scratch', (rng) => drawAddition(rng, SCRATCH_DIGITS));

export const addScratchTask: Task = {
  name: 'add-scratch',
  description:
    'Add two three-digit numbers; a carry scratchpad before "#answer" helps, repeating it only costs length.',
  alphabet: '0123456789+=#,',
  maxPromptLength: 2 * SCRATCH_DIGITS + 2,
  // verbose: copies of 2 characters per column, commas between, "#", the answer's digits
  maxCompletionLength: VERBOSE_MAX_COPIES * 2 * SCRATCH_DIGITS + (VERBOSE_MAX_COPIES - 1) + 1 + SCRATCH_DIGITS + 1,
  sample: split.sample,
  heldOut: split.heldOut,
  verify: verifyScratch,
  demonstrate(problem, rng, noise) {
    const { a, b } = parseAddition(problem.prompt);
    const style = pickStyle(rng);
    const copies = VERBOSE_MIN_COPIES + rng.int(VERBOSE_MAX_COPIES - VERBOSE_MIN_COPIES + 1);
    const { columns, sum } = rng.bernoulli(noise) ? wrongColumns(a, b, rng) : addColumns(a, b, SCRATCH_DIGITS);
    return writeScratch(style, columns, sum, copies);
  },
};
