// The Task contract, checked on every built-in task: seeded sampling, demonstrations right at
// noise 0 and wrong at the noise rate, alphabet and length bounds, a fixed held-out set disjoint from training.

import { describe, expect, it } from 'vitest';
import { Rng } from '../../models/rng';
import { TASK_NAMES } from '../config';
import { HELD_OUT_BUCKETS, isHeldOut } from './common';
import { getTask, TASKS } from './index';

const CONTEXT_CHARS = 40; // blockSize 48 of the small model, less <bos>, <eos> and headroom

describe.each(TASK_NAMES)('task %s', (name) => {
  const task = getTask(name);

  it('is registered under its own name', () => {
    expect(TASKS[name].name).toBe(name);
  });

  it('samples the same problems from the same rng state and different ones from another seed', () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 50 }, () => task.sample(rng).prompt);
    };
    expect(draw(3)).toEqual(draw(3));
    const other = draw(4);
    expect(draw(3).filter((p, i) => p === other[i]).length).toBeLessThan(10);
  });

  it('demonstrations at noise 0 are all correct, well formed and get full partial credit (2000 problems)', () => {
    const rng = new Rng(11);
    for (let i = 0; i < 2000; i++) {
      const p = task.sample(rng);
      const v = task.verify(p, task.demonstrate(p, rng, 0));
      expect(v).toMatchObject({ correct: true, formatOk: true, partial: 1 });
    }
  });

  it('demonstrations at noise 1 are all wrong; at noise 0.3 wrong 0.3 ± 0.03 of the time (4000 draws)', () => {
    const rng = new Rng(12);
    for (let i = 0; i < 500; i++) {
      const p = task.sample(rng);
      expect(task.verify(p, task.demonstrate(p, rng, 1)).correct).toBe(false);
    }
    let wrong = 0;
    for (let i = 0; i < 4000; i++) {
      const p = task.sample(rng);
      if (!task.verify(p, task.demonstrate(p, rng, 0.3)).correct) wrong++;
    }
    expect(Math.abs(wrong / 4000 - 0.3)).toBeLessThan(0.03);
  });

  it('every character of prompts and demonstrations (right and wrong) is in the alphabet, within the declared lengths, and the declared maxima are reached', () => {
    const rng = new Rng(13);
    const alphabet = new Set(task.alphabet);
    let longestPrompt = 0;
    let longestCompletion = 0;
    const outside: string[] = []; // texts with a character outside the alphabet
    let empty = 0;
    for (let i = 0; i < 10_000; i++) {
      const p = task.sample(rng);
      const d = task.demonstrate(p, rng, i % 2 === 0 ? 0 : 1);
      if (![...(p.prompt + d)].every((ch) => alphabet.has(ch))) outside.push(p.prompt + d);
      longestPrompt = Math.max(longestPrompt, p.prompt.length);
      longestCompletion = Math.max(longestCompletion, d.length);
      if (d.length === 0) empty++;
    }
    expect(outside).toEqual([]);
    expect(empty).toBe(0);
    expect(longestPrompt).toBe(task.maxPromptLength);
    expect(longestCompletion).toBe(task.maxCompletionLength);
    expect(task.maxPromptLength + task.maxCompletionLength).toBeLessThanOrEqual(CONTEXT_CHARS);
  });

  it('heldOut is fixed for a seed, distinct, differs across seeds, and shares no prompt with 10k training samples', () => {
    const a = task.heldOut(200, 5);
    expect(task.heldOut(200, 5)).toEqual(a);
    expect(new Set(a.map((p) => p.prompt)).size).toBe(200);
    const b = task.heldOut(200, 6).map((p) => p.prompt);
    expect(a.filter((p) => b.includes(p.prompt)).length).toBeLessThan(100);
    const held = new Set(a.map((p) => p.prompt));
    const rng = new Rng(5); // the same seed as the held-out set, on the training stream
    let overlap = 0;
    for (let i = 0; i < 10_000; i++) if (held.has(task.sample(rng).prompt)) overlap++;
    expect(overlap).toBe(0);
    for (const p of a) expect(isHeldOut(p.prompt)).toBe(true);
  });

  it('held-out answers are the task reference (a noise-0 demonstration verifies correct)', () => {
    const rng = new Rng(14);
    for (const p of task.heldOut(100, 9)) expect(task.verify(p, task.demonstrate(p, rng, 0)).correct).toBe(true);
  });
});

describe('held-out split', () => {
  it('holds out about 1/16 of raw prompts (addition over 0..99: 10000 prompts)', () => {
    let held = 0;
    for (let a = 0; a < 100; a++) for (let b = 0; b < 100; b++) if (isHeldOut(`${a}+${b}=`)) held++;
    expect(Math.abs(held / 10_000 - 1 / HELD_OUT_BUCKETS)).toBeLessThan(0.01);
  });

  it('unknown task names are an error that lists the known ones', () => {
    expect(() => getTask('mul')).toThrow(/unknown task "mul"; known: add, sort, reverse, add-scratch, countdown/);
  });
});
