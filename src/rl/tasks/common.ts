// What the built-in tasks share: the hash split that keeps held-out problems out of training,
// partial-credit measures, and number formatting. Each task file stays about its own problem.

import { hash32, Rng } from '../../models/rng';
import type { Problem } from './task';

/** One prompt in HELD_OUT_BUCKETS is held out: `sample` never draws it, `heldOut` draws only those. */
export const HELD_OUT_BUCKETS = 16;
const HELD_OUT_STREAM = 0x4e1d; // the Rng stream held-out sets are drawn on (training uses the caller's)

/** FNV-1a over UTF-16 code units, then hash32 for avalanche: a stable hash of a prompt. */
function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return hash32(h);
}

/** Whether a prompt belongs to the held-out part of the problem space (a property of the prompt alone). */
export function isHeldOut(prompt: string): boolean {
  return stringHash(prompt) % HELD_OUT_BUCKETS === 0;
}

/**
 * `sample` and `heldOut` from a raw generator: training draws reject held-out prompts, held-out
 * draws keep only them (distinct), so the two sets are disjoint by construction.
 */
export function splitSampler(
  taskName: string,
  draw: (rng: Rng) => Problem,
): { sample(rng: Rng): Problem; heldOut(n: number, seed: number): Problem[] } {
  return {
    sample(rng: Rng): Problem {
      for (;;) {
        const p = draw(rng);
        if (!isHeldOut(p.prompt)) return p;
      }
    },
    heldOut(n: number, seed: number): Problem[] {
      const rng = new Rng(seed, HELD_OUT_STREAM);
      const seen = new Set<string>();
      const out: Problem[] = [];
      const maxDraws = 10_000 + 200 * HELD_OUT_BUCKETS * n; // a small problem space runs out; say so
      for (let draws = 0; out.length < n; draws++) {
        if (draws >= maxDraws) {
          throw new Error(`task ${taskName} has fewer than ${n} distinct held-out problems (found ${out.length})`);
        }
        const p = draw(rng);
        if (isHeldOut(p.prompt) && !seen.has(p.prompt)) {
          seen.add(p.prompt);
          out.push(p);
        }
      }
      return out;
    },
  };
}

/** Fraction of positions where two strings agree, aligned at the left, over the longer length (0 when both empty). */
export function leftAlignedMatch(answer: string, given: string): number {
  const n = Math.max(answer.length, given.length);
  if (n === 0) return 0;
  let same = 0;
  for (let i = 0; i < Math.min(answer.length, given.length); i++) if (answer[i] === given[i]) same++;
  return same / n;
}

/** Fraction of digit positions that agree, aligned at the right (units with units), over the longer length. */
export function rightAlignedMatch(answer: string, given: string): number {
  const n = Math.max(answer.length, given.length);
  if (n === 0) return 0;
  let same = 0;
  for (let i = 1; i <= Math.min(answer.length, given.length); i++) {
    if (answer[answer.length - i] === given[given.length - i]) same++;
  }
  return same / n;
}

/** A non-negative integer written without leading zeros ("0" itself is fine). */
export const CANONICAL_NUMBER = /^(0|[1-9][0-9]*)$/;

/** A different digit at the same place of `s`, never creating a leading zero in a multi-digit number. */
export function perturbDigit(s: string, rng: Rng): string {
  const i = rng.int(s.length);
  const lowest = i === 0 && s.length > 1 ? 1 : 0;
  const choices: string[] = [];
  for (let d = lowest; d <= 9; d++) if (String(d) !== s[i]) choices.push(String(d));
  return s.slice(0, i) + rng.pick(choices) + s.slice(i + 1);
}

/** The symbols `sort` and `reverse` draw their strings from: digits, then a few letters (code order = sort order). */
export const SYMBOLS = '0123456789abcdef';

/** A string of minLength..maxLength symbols, each uniform over SYMBOLS (repeats allowed). */
export function drawSymbols(rng: Rng, minLength: number, maxLength: number): string {
  const n = minLength + rng.int(maxLength - minLength + 1);
  let s = '';
  for (let i = 0; i < n; i++) s += SYMBOLS[rng.int(SYMBOLS.length)];
  return s;
}

/** Whether every character of `s` is one of SYMBOLS. */
export const isSymbolString = (s: string): boolean => s.length > 0 && [...s].every((c) => SYMBOLS.includes(c));

/** Swap one adjacent pair of different characters (s unchanged when all characters are equal). */
export function swapAdjacent(s: string, rng: Rng): string {
  const places: number[] = [];
  for (let i = 0; i + 1 < s.length; i++) if (s[i] !== s[i + 1]) places.push(i);
  if (places.length === 0) return s;
  const i = rng.pick(places);
  return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
}

/**
 * A plausible wrong symbol string: one of the task's typical slips, picked at random; when the slip
 * happens to give the right answer, one character is replaced instead, so the result is always wrong.
 */
export function wrongSymbols(answer: string, rng: Rng, slips: ((rng: Rng) => string)[]): string {
  const tried = rng.pick(slips)(rng);
  if (tried !== answer && tried.length > 0) return tried;
  const i = rng.int(answer.length);
  const others = [...SYMBOLS].filter((c) => c !== answer[i]);
  return answer.slice(0, i) + rng.pick(others) + answer.slice(i + 1);
}
