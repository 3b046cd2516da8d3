// Each task's verifier on the edges: empty and garbage completions, leading zeros, the right answer
// in the wrong format, partial credit by hand; plus the arithmetic the demonstrations rely on.

import { describe, expect, it } from 'vitest';
import { Rng } from '../../models/rng';
import { addColumns, addTask, carryColumns, wrongSum } from './add';
import { addScratchTask, scratchStyle, writeScratch } from './addScratch';
import { countdownTask, evaluate, solutions } from './countdown';
import { REVERSE_LONG_MAX_LENGTH, REVERSE_LONG_MIN_LENGTH, reverseLongTask, reverseTask } from './reverse';
import { sortTask } from './sort';
import type { Problem } from './task';

const FAIL = { correct: false, formatOk: false, partial: 0, parsedAnswer: null };

describe('add verifier', () => {
  const p: Problem = { prompt: '98+99=', answer: '197' };
  const v = (c: string) => addTask.verify(p, c);

  it('the exact sum is correct with full credit', () => {
    expect(v('197')).toEqual({ correct: true, formatOk: true, partial: 1, parsedAnswer: '197' });
  });
  it('empty and garbage completions fail format with no credit', () => {
    expect(v('')).toEqual(FAIL);
    expect(v('+=+')).toEqual(FAIL);
  });
  it('a leading zero is the wrong format even when the value is right (partial 3/4, right-aligned)', () => {
    expect(v('0197')).toEqual({ correct: false, formatOk: false, partial: 0.75, parsedAnswer: null });
  });
  it('the right answer followed by extra text is not correct', () => {
    expect(v('197=')).toMatchObject({ correct: false, formatOk: false, parsedAnswer: null });
  });
  it('a wrong number parses, is not correct, and gets credit per right digit from the units (2/3, 1/4)', () => {
    expect(v('198')).toEqual({ correct: false, formatOk: true, partial: 2 / 3, parsedAnswer: '198' });
    expect(v('1197')).toEqual({ correct: false, formatOk: true, partial: 3 / 4, parsedAnswer: '1197' });
    expect(v('97')).toEqual({ correct: false, formatOk: true, partial: 2 / 3, parsedAnswer: '97' });
  });
  it('"0" is a canonical answer and "00" is not', () => {
    const z: Problem = { prompt: '00+00=', answer: '0' };
    expect(addTask.verify(z, '0').correct).toBe(true);
    expect(addTask.verify(z, '00').formatOk).toBe(false);
  });
});

describe('addition columns', () => {
  it('47+85: columns (2 carry 1, 3 carry 1), sum 132; dropping carry k gives 132 − 10^(k+1)', () => {
    expect(addColumns(47, 85, 2)).toEqual({
      columns: [
        { digit: 2, carry: 1 },
        { digit: 3, carry: 1 },
      ],
      sum: '132',
    });
    expect(carryColumns(47, 85)).toEqual([0, 1]);
    expect(addColumns(47, 85, 2, 0).sum).toBe('122');
    expect(addColumns(47, 85, 2, 1).sum).toBe('32');
  });
  it('a width of 3 pads with zero columns; a wider operand widens it (47+85 over 3: 21 31 10; 4+985 over 1: 3 columns)', () => {
    expect(
      addColumns(47, 85, 3)
        .columns.map((c) => `${c.digit}${c.carry}`)
        .join(''),
    ).toBe('213110');
    expect(addColumns(47, 85, 3).sum).toBe('132');
    expect(addColumns(4, 985, 1).columns).toHaveLength(3);
    expect(addColumns(4, 985, 1).sum).toBe('989');
  });
  it('a dropped carry that empties the top digits leaves no leading zeros (55+45 → 0 when the last carry goes)', () => {
    expect(addColumns(55, 45, 2).sum).toBe('100');
    expect(addColumns(55, 45, 2, 1).sum).toBe('0');
    expect(addColumns(55, 45, 2, 0).sum).toBe('90');
  });
  it('wrong sums are never the sum and never have a leading zero (3000 draws)', () => {
    const rng = new Rng(2);
    for (let i = 0; i < 3000; i++) {
      const a = rng.int(1000);
      const b = rng.int(1000);
      const w = wrongSum(a, b, rng);
      expect(w).not.toBe(String(a + b));
      expect(w).toMatch(/^(0|[1-9][0-9]*)$/);
    }
  });
});

describe('add-scratch verifier', () => {
  const p: Problem = { prompt: '047+085=', answer: '132' };
  const v = (c: string) => addScratchTask.verify(p, c);

  it('direct, compact and verbose answers are all correct and classified by style', () => {
    for (const [c, style] of [
      ['#132', 'direct'],
      ['213110#132', 'compact'],
      ['213110,213110,213110#132', 'verbose'],
    ] as const) {
      expect(v(c)).toEqual({ correct: true, formatOk: true, partial: 1, parsedAnswer: '132' });
      expect(scratchStyle(c)).toBe(style);
    }
  });
  it('writeScratch writes those three forms from the columns', () => {
    const { columns, sum } = addColumns(47, 85, 3);
    expect(writeScratch('direct', columns, sum)).toBe('#132');
    expect(writeScratch('compact', columns, sum)).toBe('213110#132');
    expect(writeScratch('verbose', columns, sum, 3)).toBe('213110,213110,213110#132');
  });
  it('the right answer without "#" is the wrong format and not correct', () => {
    expect(v('132')).toEqual(FAIL);
    expect(scratchStyle('132')).toBeNull();
  });
  it('empty, "#" alone and garbage fail format', () => {
    expect(v('')).toEqual(FAIL);
    expect(v('#')).toMatchObject({ correct: false, formatOk: false, parsedAnswer: null });
    expect(v('21a1#132')).toMatchObject({ correct: false, formatOk: false });
    expect(v('#132#132')).toMatchObject({ correct: false, formatOk: false });
  });
  it('a leading zero after "#" fails format (partial 3/4)', () => {
    expect(v('213110#0132')).toEqual({ correct: false, formatOk: false, partial: 0.75, parsedAnswer: null });
  });
  it('only the final answer counts: a wrong scratchpad with the right answer is correct', () => {
    expect(v('9999#132').correct).toBe(true);
  });
  it('a wrong answer gets right-aligned digit credit (#122: 2/3)', () => {
    expect(v('203100#122')).toEqual({ correct: false, formatOk: true, partial: 2 / 3, parsedAnswer: '122' });
  });
  it('noisy scratchpads stay consistent: the digits written units-first, plus a final carry, spell the wrong answer (2000 draws)', () => {
    const rng = new Rng(4);
    let scratched = 0;
    for (let i = 0; i < 2000; i++) {
      const prob = addScratchTask.sample(rng);
      const c = addScratchTask.demonstrate(prob, rng, 1);
      const [pad, answer] = c.split('#');
      if (pad === '') continue;
      scratched++;
      const pairs = pad.split(',')[0].match(/../g)!;
      const spelled =
        (pairs.at(-1)![1] === '1' ? '1' : '') +
        pairs
          .map((x) => x[0])
          .reverse()
          .join('');
      expect(spelled.replace(/^0+(?=\d)/, '')).toBe(answer);
      expect(answer).not.toBe(prob.answer);
    }
    expect(scratched).toBeGreaterThan(1000);
  });
  it('the demonstration mix is about 0.2 direct, 0.3 compact, 0.5 verbose of 3 or 4 copies (3000 draws, ± 0.03)', () => {
    const rng = new Rng(5);
    const counts = { direct: 0, compact: 0, verbose: 0 };
    const copies = new Set<number>();
    for (let i = 0; i < 3000; i++) {
      const prob = addScratchTask.sample(rng);
      const c = addScratchTask.demonstrate(prob, rng, 0);
      counts[scratchStyle(c)!]++;
      if (scratchStyle(c) === 'verbose') copies.add(c.split(',').length);
    }
    expect(Math.abs(counts.direct / 3000 - 0.2)).toBeLessThan(0.03);
    expect(Math.abs(counts.compact / 3000 - 0.3)).toBeLessThan(0.03);
    expect(Math.abs(counts.verbose / 3000 - 0.5)).toBeLessThan(0.03);
    expect([...copies].sort()).toEqual([3, 4]);
  });
  it('every demonstration fits maxCompletionLength, and the longest (4 copies, 4-digit sum) reaches it', () => {
    const rng = new Rng(6);
    let longest = 0;
    for (let i = 0; i < 3000; i++) {
      const c = addScratchTask.demonstrate(addScratchTask.sample(rng), rng, 0);
      longest = Math.max(longest, c.length);
    }
    expect(longest).toBe(addScratchTask.maxCompletionLength);
  });
});

describe('sort and reverse verifiers', () => {
  const s: Problem = { prompt: 'c3a0=', answer: '03ac' };
  const r: Problem = { prompt: 'c3a0=', answer: '0a3c' };

  it('the exact string is correct with full credit', () => {
    expect(sortTask.verify(s, '03ac')).toEqual({ correct: true, formatOk: true, partial: 1, parsedAnswer: '03ac' });
    expect(reverseTask.verify(r, '0a3c')).toEqual({ correct: true, formatOk: true, partial: 1, parsedAnswer: '0a3c' });
  });
  it('empty and garbage completions fail format with no credit', () => {
    expect(sortTask.verify(s, '')).toEqual(FAIL);
    expect(reverseTask.verify(r, '==')).toEqual(FAIL);
  });
  it('the right answer with a trailing "=" or in capitals is the wrong format', () => {
    expect(sortTask.verify(s, '03ac=')).toMatchObject({ correct: false, formatOk: false, partial: 0.8 });
    expect(sortTask.verify(s, '03AC')).toMatchObject({ correct: false, formatOk: false, partial: 0.5 });
  });
  it('partial credit counts positions that agree from the left over the longer length', () => {
    expect(sortTask.verify(s, '03ca').partial).toBe(0.5);
    expect(sortTask.verify(s, '03a').partial).toBe(0.75);
    expect(reverseTask.verify(r, 'c3a0').partial).toBe(0);
  });
  it('leading zeros are part of a symbol string ("00a" sorts to "00a")', () => {
    expect(sortTask.verify({ prompt: 'a00=', answer: '00a' }, '00a').correct).toBe(true);
    expect(sortTask.verify({ prompt: 'a00=', answer: '00a' }, '0a').correct).toBe(false);
  });
});

describe('countdown verifier', () => {
  const p: Problem = { prompt: '3,5,7:22=', answer: '3*5+7' };
  const v = (c: string) => countdownTask.verify(p, c);

  it('evaluates with * before + and -, left to right: 2+3*4=14, 9-2-3=4, 2*3-4*1=2, 7-9=-2', () => {
    expect(evaluate('2+3*4')).toBe(14);
    expect(evaluate('9-2-3')).toBe(4);
    expect(evaluate('2*3-4*1')).toBe(2);
    expect(evaluate('7-9')).toBe(-2);
    expect(evaluate('3*')).toBeNull();
  });
  it('several different expressions reaching the target are all correct', () => {
    for (const c of ['3*5+7', '7+3*5', '5*3+7', '7+5*3'])
      expect(v(c)).toMatchObject({ correct: true, formatOk: true, partial: 1 });
  });
  it('using a number twice, or one not given, parses but is not correct and gets no credit', () => {
    expect(v('3*5+7+7-7')).toEqual({ correct: false, formatOk: true, partial: 0, parsedAnswer: '3*5+7+7-7' });
    expect(v('22')).toEqual({ correct: false, formatOk: true, partial: 0, parsedAnswer: '22' });
    expect(v('35-13')).toMatchObject({ correct: false, formatOk: true, partial: 0 });
  });
  it('a repeated number may be used as often as it is given (8,8,4 → 8+8-4)', () => {
    expect(countdownTask.verify({ prompt: '8,8,4:12=', answer: '8+4' }, '8+8-4').correct).toBe(true);
  });
  it('a legal miss gets credit 1 − |value − target| / target (3+5+7 = 15: 15/22)', () => {
    expect(v('3+5+7').partial).toBeCloseTo(1 - 7 / 22, 12);
  });
  it('empty, dangling operators, a leading minus and leading zeros fail format', () => {
    for (const c of ['', '3*5+', '-3', '03*5+7', '3**5', '3 5']) expect(v(c)).toEqual(FAIL);
  });
  it('solutions lists every expression that reaches the target, fewest numbers first (3,5,7:22 → 4 of them)', () => {
    const all = solutions([3, 5, 7], 22);
    expect(all).toEqual(['3*5+7', '5*3+7', '7+3*5', '7+5*3']);
    expect(all.every((e) => evaluate(e) === 22)).toBe(true);
  });
  it('the reference answer of sampled problems is the first solution and uses at least two numbers', () => {
    const rng = new Rng(8);
    for (let i = 0; i < 300; i++) {
      const prob = countdownTask.sample(rng);
      const [nums, target] = prob.prompt.slice(0, -1).split(':');
      expect(prob.answer).toBe(solutions(nums.split(',').map(Number), Number(target))[0]);
      expect(prob.answer).toMatch(/[+\-*]/);
    }
  });
});

describe('reverse-long', () => {
  it('answers are 8–12 symbols, both ends drawn (5000 problems), each the prompt backwards', () => {
    const rng = new Rng(21);
    const lengths = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const p = reverseLongTask.sample(rng);
      lengths.add(p.answer.length);
      expect(p.answer).toBe([...p.prompt.slice(0, -1)].reverse().join(''));
    }
    expect(Math.min(...lengths)).toBe(REVERSE_LONG_MIN_LENGTH);
    expect(Math.max(...lengths)).toBe(REVERSE_LONG_MAX_LENGTH);
    expect(REVERSE_LONG_MIN_LENGTH).toBeGreaterThanOrEqual(8);
  });

  it('verifies as reverse does: exact string correct, one slip wrong with 11/12 partial credit', () => {
    const p: Problem = { prompt: 'c3a07b1e9d2f=', answer: 'f2d9e1b70a3c' };
    expect(reverseLongTask.verify(p, 'f2d9e1b70a3c')).toEqual({
      correct: true,
      formatOk: true,
      partial: 1,
      parsedAnswer: 'f2d9e1b70a3c',
    });
    expect(reverseLongTask.verify(p, 'f2d9e1b70a3d')).toMatchObject({
      correct: false,
      formatOk: true,
      partial: 11 / 12,
    });
  });
});
