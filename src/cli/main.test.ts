// The CLI's surface: help texts, dispatch, and one-line errors with non-zero exit codes for bad arguments.

import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from './testing';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** A bad command line: exit 2, nothing on stdout, exactly one line on stderr, matching `pattern`. */
async function expectUsageError(argv: string[], pattern: RegExp) {
  const r = await cli(...argv);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

describe('cli help', () => {
  it('top-level --help lists score and sft and exits 0', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run cli -- <command>/);
    expect(r.stdout).toMatch(/\n  score +log-probability/);
    expect(r.stdout).toMatch(/\n  sft +supervised/);
    expect(r.stderr).toBe('');
  });

  it.each(['score', 'sft'])(
    '%s --help prints its usage to stdout and exits 0, even with other flags missing',
    async (name) => {
      const r = await cli(name, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith(`Usage: npm run cli -- ${name} `)).toBe(true);
      expect(r.stderr).toBe('');
    },
  );
});

describe('bad arguments exit 2 with one clear line on stderr', () => {
  it('no command', () => expectUsageError([], /^missing command \(one of: score, sft[,)]/));
  it('unknown command', () => expectUsageError(['trian'], /^unknown command "trian"/));
  it('unknown flag', () =>
    expectUsageError(['score', '--checkpont', 'x'], /^score: unknown option --checkpont; see --help\n$/));
  it('positional argument', () => expectUsageError(['score', 'file'], /^score: unexpected argument "file"/));
  it('flag without its value', () => expectUsageError(['score', '--text'], /^score: --text needs a value/));
  it('missing required flag', () =>
    expectUsageError(['score', '--text', 'ab'], /^score: missing required --checkpoint/));
  it('non-numeric number', () =>
    expectUsageError(
      ['sft', '--checkpoint', 'c', '--data', 'd', '--steps', '8x', '--batch', '2', '--lr', '1e-3', '--out', 'o'],
      /^sft: --steps must be an integer, got "8x"/,
    ));
  it('non-integer integer', () =>
    expectUsageError(
      ['sft', '--checkpoint', 'c', '--data', 'd', '--steps', '8', '--batch', '2.5', '--lr', '1e-3', '--out', 'o'],
      /^sft: --batch must be an integer, got "2.5"/,
    ));
  it('number out of range', () =>
    expectUsageError(
      [
        'sft',
        '--checkpoint',
        'c',
        '--data',
        'd',
        '--steps',
        '8',
        '--batch',
        '2',
        '--lr',
        '1e-3',
        '--beta2',
        '1',
        '--out',
        'o',
      ],
      /^sft: --beta2 must be a number ≥ 0 and < 1, got 1/,
    ));
  it('missing --lr', () =>
    expectUsageError(
      ['sft', '--checkpoint', 'c', '--data', 'd', '--steps', '8', '--batch', '2', '--out', 'o'],
      /^sft: missing required --lr/,
    ));
  it('neither --data nor --task', () =>
    expectUsageError(
      ['sft', '--checkpoint', 'c', '--steps', '8', '--batch', '2', '--lr', '1', '--out', 'o'],
      /^sft: missing --data or --task/,
    ));
  it('both --checkpoint and --model-config', () =>
    expectUsageError(
      [
        'sft',
        '--checkpoint',
        'c',
        '--model-config',
        'j',
        '--data',
        'd',
        '--steps',
        '8',
        '--batch',
        '2',
        '--lr',
        '1',
        '--out',
        'o',
      ],
      /^sft: give either --checkpoint or --model-config, not both/,
    ));
  it('--noise with --data', () =>
    expectUsageError(
      [
        'sft',
        '--checkpoint',
        'c',
        '--data',
        'd',
        '--noise',
        '0.1',
        '--steps',
        '8',
        '--batch',
        '2',
        '--lr',
        '1',
        '--out',
        'o',
      ],
      /^sft: --noise applies to --task demonstrations/,
    ));
  it('train --steps and --seed take the run config ranges', async () => {
    await expectUsageError(
      ['train', '--preset', 'grpo-add', '--steps', '1e15', '--out', 'o'],
      /^train: --steps must be an integer ≥ 1 and ≤ 5000, got 1e15; see --help\n$/,
    );
    await expectUsageError(
      ['train', '--preset', 'grpo-add', '--seed', '4294967296', '--out', 'o'],
      /^train: --seed must be an integer ≥ 0 and ≤ 4294967295, got 4294967296; see --help\n$/,
    );
  });
});

describe('runtime failures exit 1 with one line', () => {
  it('an unreadable checkpoint names the file', async () => {
    const r = await cli('score', '--checkpoint', '/nonexistent/x.safetensors', '--text', 'a');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('score: cannot read checkpoint /nonexistent/x.safetensors: ENOENT\n');
  });

  it('a train config outside the table ranges fails naming each field and its range', async () => {
    const file = tmp.path('huge.json');
    writeFileSync(file, JSON.stringify({ lr: 1e9, promptsPerStep: 1000000 }));
    const r = await cli('train', '--config', file, '--out', tmp.path('run'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'train: invalid run config: promptsPerStep: must be an integer in [1, 64], got 1000000; ' +
        'lr: must be a number in [0.00001, 0.01], got 1000000000\n',
    );
  });
});
