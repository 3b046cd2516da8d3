// `cli reward` on hand-worked cases: the trainer's reward for one completion, term by term.

import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../testing';

const tmp = tempDir();
afterAll(() => tmp.remove());

const reward = async (...args: string[]) => {
  const r = await cli('reward', ...args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout.endsWith('\n')).toBe(true);
  expect(r.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(r.stdout);
};

describe('cli reward', () => {
  it('length-penalty (DLER, target 12): a correct 10-character scratchpad earns 1, a correct 17-character one 0, a wrong one 0', async () => {
    const p = ['--preset', 'length-penalty', '--prompt', '047+085='];
    expect(await reward(...p, '--completion', '213110#132')).toEqual({
      reward: 1,
      components: { correctness: 1, 'length-truncation': 0 },
    });
    expect(await reward(...p, '--completion', '213110,21311#132')).toEqual({
      reward: 0,
      components: { correctness: 1, 'length-truncation': -1 },
    });
    expect(await reward(...p, '--completion', '#133')).toEqual({
      reward: 0,
      components: { correctness: 0, 'length-truncation': 0 },
    });
  });

  it('reward-hacking: the proxy pays for the answer anywhere (1234567 contains 52? no; 9952 yes), an empty completion 0', async () => {
    const p = ['--preset', 'reward-hacking', '--prompt', '07+45='];
    expect(await reward(...p, '--completion', '9952')).toEqual({ reward: 1, components: { 'proxy-contains': 1 } });
    expect(await reward(...p, '--completion', '1234567')).toEqual({ reward: 0, components: { 'proxy-contains': 0 } });
    expect(await reward(...p, '--completion=')).toEqual({ reward: 0, components: { 'proxy-contains': 0 } });
  });

  it('a config file with several terms: weights multiply, components stay raw; GRPO-λ and DRPO as a group of one', async () => {
    const path = tmp.path('shape.json');
    writeFileSync(
      path,
      JSON.stringify({
        task: 'sort',
        maxNewTokens: 8,
        reward: [
          { component: 'correctness', weight: 2 },
          { component: 'partial', weight: 0.5 },
          { component: 'length-linear', weight: 1 },
          { component: 'length-grpo-lambda', weight: 1, params: { threshold: 0.5 } },
          { component: 'length-drpo', weight: 1 },
          { component: 'length-linear', weight: 3, params: { L: 4 } },
        ],
      }),
    );
    // "c3a0=" sorts to "03ac"; "03ca" has 2 of 4 places right
    expect(await reward('--config', path, '--prompt', 'c3a0=', '--completion', '03ac')).toEqual({
      reward: 2 * 1 + 0.5 * 1 - 0.5 - 0.5 + 0 - 3,
      components: {
        correctness: 1,
        partial: 1,
        'length-linear': -0.5,
        'length-grpo-lambda': -0.5,
        'length-drpo': 0,
        'length-linear#2': -1,
      },
    });
    expect(await reward('--config', path, '--prompt', 'c3a0=', '--completion', '03ca')).toEqual({
      reward: 0.5 * 0.5 - 0.5 - 3,
      components: {
        correctness: 0,
        partial: 0.5,
        'length-linear': -0.5,
        'length-grpo-lambda': 0,
        'length-drpo': 0,
        'length-linear#2': -1,
      },
    });
  });

  it('spurious-reward draws from the run seed’s reward stream: the same answer each time, 0 or 1', async () => {
    const p = ['--preset', 'spurious-reward', '--prompt', '07+45=', '--completion', '52'];
    const a = await reward(...p);
    expect(await reward(...p)).toEqual(a);
    expect([0, 1]).toContain(a.components.random);
  });

  it('--help says how group terms behave with one completion; bad lines exit 2 with one message', async () => {
    const help = await cli('reward', '--help');
    expect(help.stdout).toContain('group of one');
    expect(help.stdout).toContain('length-grpo-lambda');
    expect(help.stdout).toContain('length-drpo');
    const missing = await cli('reward', '--preset', 'grpo-add', '--prompt', '07+45=');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('reward: missing required --completion; see --help\n');
    const run = await cli('reward', '--run', 'x.json', '--prompt', 'a', '--completion', 'b');
    expect(run.code).toBe(2);
  });
});
