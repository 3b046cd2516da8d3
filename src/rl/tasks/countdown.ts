// Task `countdown`: reach a target from given one-digit numbers with + - * (usual precedence, no
// parentheses), each number used at most once: "3,5,7:22=" → "3*5+7" (or "7*3+5 - …": many answers
// are right, so pass@k means something). The reference answer is the first solution in a fixed
// enumeration order (fewest numbers first), used only by proxies; the verifier evaluates.

import type { Rng } from '../../models/rng';
import { splitSampler } from './common';
import type { Problem, Task, Verdict } from './task';

export const COUNTDOWN_MIN_NUMBERS = 3;
export const COUNTDOWN_MAX_NUMBERS = 3;
export const COUNTDOWN_MAX_TARGET = 99;
const OPS = ['+', '-', '*'] as const;

const EXPRESSION = /^(0|[1-9][0-9]*)([+\-*](0|[1-9][0-9]*))*$/; // numbers without leading zeros

/** Value of a +,-,* expression with * before + and -, left to right; null when it does not parse. */
export function evaluate(expr: string): number | null {
  if (!EXPRESSION.test(expr)) return null;
  let total = 0;
  let sign = 1;
  let product = 1;
  for (const tok of expr.match(/[0-9]+|[+\-*]/g)!) {
    if (tok === '*') continue;
    if (tok === '+' || tok === '-') {
      total += sign * product;
      sign = tok === '+' ? 1 : -1;
      product = 1;
    } else {
      product *= Number(tok);
    }
  }
  return total + sign * product;
}

/** The numbers and target of a "3,5,7:22=" prompt. */
export function parseCountdown(prompt: string): { numbers: number[]; target: number } {
  const m = /^([1-9](?:,[1-9])*):(\d+)=$/.exec(prompt);
  if (!m) throw new Error(`not a countdown prompt: ${JSON.stringify(prompt)}`);
  return { numbers: m[1].split(',').map(Number), target: Number(m[2]) };
}

/** Whether every number of `expr` is one of `numbers`, each used at most as often as given. */
function usesGivenNumbers(expr: string, numbers: number[]): boolean {
  const left = [...numbers];
  for (const tok of expr.match(/[0-9]+/g) ?? []) {
    const i = left.indexOf(Number(tok));
    if (i < 0) return false;
    left.splice(i, 1);
  }
  return true;
}

/**
 * Visits every expression over an ordered selection of `numbers` (1..all of them), fewest numbers
 * first, with its value (kept incrementally: finished terms + the current signed product) until
 * `visit` returns true.
 */
function enumerate(numbers: number[], visit: (expr: string, value: number) => boolean): void {
  const grow = (expr: string, done: number, term: number, left: number[], size: number): boolean => {
    if (size === 0) return visit(expr, done + term);
    for (let i = 0; i < left.length; i++) {
      const n = left[i];
      const rest = [...left.slice(0, i), ...left.slice(i + 1)];
      if (expr === '') {
        if (grow(String(n), 0, n, rest, size - 1)) return true;
        continue;
      }
      if (grow(`${expr}+${n}`, done + term, n, rest, size - 1)) return true;
      if (grow(`${expr}-${n}`, done + term, -n, rest, size - 1)) return true;
      if (grow(`${expr}*${n}`, done, term * n, rest, size - 1)) return true;
    }
    return false;
  };
  for (let size = 1; size <= numbers.length; size++) if (grow('', 0, 0, numbers, size)) return;
}

/** Every expression that reaches the target, fewest numbers first. */
export function solutions(numbers: number[], target: number): string[] {
  const out: string[] = [];
  enumerate(numbers, (expr, value) => {
    if (value === target) out.push(expr);
    return false;
  });
  return out;
}

/** The first solution in enumeration order (the reference answer), or null. */
function firstSolution(numbers: number[], target: number): string | null {
  let found: string | null = null;
  enumerate(numbers, (expr, value) => {
    if (value === target) found = expr;
    return found !== null;
  });
  return found;
}

/**
 * A problem whose target some expression over ≥ 2 of the numbers reaches: numbers uniform in 1..9,
 * target in 1..COUNTDOWN_MAX_TARGET and not itself one of the numbers (no one-number answers).
 */
function drawCountdown(rng: Rng): Problem {
  for (;;) {
    const count = COUNTDOWN_MIN_NUMBERS + rng.int(COUNTDOWN_MAX_NUMBERS - COUNTDOWN_MIN_NUMBERS + 1);
    const numbers = Array.from({ length: count }, () => 1 + rng.int(9));
    const used = 2 + rng.int(count - 1);
    const order = rng.shuffle([...numbers]).slice(0, used);
    let expr = String(order[0]);
    for (const n of order.slice(1)) expr += rng.pick(OPS) + n;
    const target = evaluate(expr)!;
    if (target < 1 || target > COUNTDOWN_MAX_TARGET || numbers.includes(target)) continue;
    const prompt = `${numbers.join(',')}:${target}=`;
    return { prompt, answer: firstSolution(numbers, target)! };
  }
}

function verifyCountdown(problem: Problem, completion: string): Verdict {
  const { numbers, target } = parseCountdown(problem.prompt);
  const value = evaluate(completion);
  if (value === null) return { correct: false, formatOk: false, partial: 0, parsedAnswer: null };
  const legal = usesGivenNumbers(completion, numbers);
  return {
    correct: legal && value === target,
    formatOk: true,
    // how close a legal expression gets: 1 on target, falling linearly to 0 at a distance of target
    partial: legal ? Math.max(0, 1 - Math.abs(value - target) / target) : 0,
    parsedAnswer: completion,
  };
}

/** A plausible wrong expression: one operator changed, or one number swapped for a number not given. */
function wrongExpression(right: string, numbers: number[], target: number, rng: Rng): string {
  const ops = [...right].map((c, i) => (OPS.includes(c as (typeof OPS)[number]) ? i : -1)).filter((i) => i >= 0);
  const tries = rng.shuffle(ops.flatMap((i) => OPS.filter((op) => op !== right[i]).map((op) => [i, op] as const)));
  for (const [i, op] of tries) {
    const e = right.slice(0, i) + op + right.slice(i + 1);
    if (evaluate(e) !== target) return e;
  }
  const missing = [...Array(9).keys()].map((d) => d + 1).filter((d) => !numbers.includes(d));
  const at = rng.pick([...right].map((c, i) => (/[0-9]/.test(c) ? i : -1)).filter((i) => i >= 0));
  return right.slice(0, at) + rng.pick(missing) + right.slice(at + 1);
}

const split = splitSampler('countdown', drawCountdown);

export const countdownTask: Task = {
  name: 'countdown',
  description: 'Reach the target with the given numbers (each at most once) and + - *: "3,5,7:22=" → "3*5+7".',
  alphabet: '0123456789+-*,:=',
  maxPromptLength: 2 * COUNTDOWN_MAX_NUMBERS - 1 + 1 + String(COUNTDOWN_MAX_TARGET).length + 1,
  maxCompletionLength: 2 * COUNTDOWN_MAX_NUMBERS - 1,
  sample: split.sample,
  heldOut: split.heldOut,
  verify: verifyCountdown,
  /**
   * A correct demonstration is a random one of the shortest solutions (orders and pairs vary, so
   * demonstrations still show that many answers are right; the shortest are what a tiny model learns).
   */
  demonstrate(problem, rng, noise) {
    const { numbers, target } = parseCountdown(problem.prompt);
    const all = solutions(numbers, target);
    const right = rng.pick(all.filter((e) => e.length === all[0].length));
    return rng.bernoulli(noise) ? wrongExpression(right, numbers, target, rng) : right;
  },
};
