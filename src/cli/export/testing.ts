// Helpers for the export tests: running python3 on JSON lines, and (prompt, completion) groups that
// cover what a policy writes — right, wrong, truncated, malformed and empty completions.

import { spawnSync } from 'node:child_process';
import { Rng } from '../../models/rng';
import { getTask } from '../../rl/tasks/index';
import type { TaskName } from '../../rl/config';
import type { Problem } from '../../rl/tasks/task';

export const PYTHON = process.env.PYTHON ?? 'python3';

/** Runs python3 with args, feeding JSON lines; returns the JSON lines it printed. */
export function pythonJsonLines(args: string[], inputs: unknown[], cwd?: string): unknown[] {
  const r = spawnSync(PYTHON, ['-B', ...args], {
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    input: inputs.map((x) => JSON.stringify(x) + '\n').join(''),
    encoding: 'utf8',
    cwd,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${PYTHON} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

// Characters a policy should not write: other scripts, a look-alike digit, an astral-plane emoji
// (two UTF-16 code units), whitespace and a newline.
const STRANGE = ['é', '٣', '😀', ' ', '\n', 'x', 'Z', '#', ',', '-', '+', '='];

export type CompletionKind = 'correct' | 'wrong' | 'truncated' | 'malformed' | 'empty' | 'near';

/** A completion of the given kind for a problem (maxNewTokens L bounds "truncated"). */
export function completionOf(task: TaskName, p: Problem, kind: CompletionKind, L: number, rng: Rng): string {
  const t = getTask(task);
  const alphabet = [...t.alphabet];
  const pick = (xs: string[]) => xs[rng.int(xs.length)];
  switch (kind) {
    case 'correct':
      return t.demonstrate(p, rng, 0);
    case 'wrong':
      return t.demonstrate(p, rng, 1);
    case 'truncated': {
      // the answer (or a wrong one) followed by characters up to or past L
      const start = rng.bernoulli(0.5) ? p.answer : t.demonstrate(p, rng, 1);
      let s = start;
      while ([...s].length < L + rng.int(3)) s += pick(alphabet);
      return s;
    }
    case 'malformed': {
      const n = 1 + rng.int(Math.max(2, L));
      let s = '';
      for (let i = 0; i < n; i++) s += rng.bernoulli(0.3) ? pick(STRANGE) : pick(alphabet);
      return s;
    }
    case 'empty':
      return '';
    case 'near': {
      // the right answer with one edit: a leading zero, a trailing character, a character dropped
      const a = p.answer;
      switch (rng.int(4)) {
        case 0:
          return `0${a}`;
        case 1:
          return `${a}${pick(alphabet)}`;
        case 2:
          return a.slice(1);
        default:
          return `${pick(STRANGE)}${a}`;
      }
    }
  }
}

export const KINDS: CompletionKind[] = ['correct', 'wrong', 'truncated', 'malformed', 'empty', 'near'];
