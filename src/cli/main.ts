// The command line (docs/DESIGN.md §9): `npm run cli -- <command> [--flags]`. Commands live one per file and
// are registered in COMMANDS; `run` is the whole CLI as a function, so tests call it with their own streams.

import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { setThreadPool } from '../models/cpu/parallel';
import { nodeThreadPool } from '../models/cpu/nodeThreads';
import { UsageError, type CliIO, type Command } from './args';
import { exportCommand } from './export/exportCommand';
import { rewardCommand } from './export/rewardCommand';
import { compare } from './compare';
import { score } from './score';
import { sft } from './sft';
import { sweep } from './sweep';
import { cliThreads } from './threads';
import { train } from './train';

/** Every command, in the order --help lists them. Add a command: write src/cli/<name>.ts, list it here. */
export const COMMANDS: readonly Command[] = [score, sft, train, sweep, compare, rewardCommand, exportCommand];

const PROCESS_IO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: npm run cli -- <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `npm run cli -- <command> --help` for a command's options.",
    "npm prints its own banner on stdout: `npm run -s cli -- …` leaves only the command's output there.",
    '',
  ].join('\n');
}

/** Runs one command line; returns the exit code (0 ok, 1 failure, 2 bad arguments). Errors are one line on stderr. */
export async function run(argv: string[], io: CliIO = PROCESS_IO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    io.stdout(topLevelHelp());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (name === undefined)
      throw new UsageError('missing command (one of: ' + COMMANDS.map((c) => c.name).join(', ') + ')');
    if (!command) {
      throw new UsageError(
        `unknown command ${JSON.stringify(name)} (one of: ${COMMANDS.map((c) => c.name).join(', ')})`,
      );
    }
    await command.run(rest, io);
    return 0;
  } catch (e) {
    const where = command ? `${command.name}: ` : '';
    const message = (e as Error).message.replace(/\s*\n\s*/g, ' ');
    if (e instanceof UsageError) {
      io.stderr(`${where}${message}; see --help\n`);
      return 2;
    }
    io.stderr(`${where}${message}\n`);
    return 1;
  }
}

// Entry only when run as the script (tsx src/cli/main.ts), not when a test imports `run`.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  setThreadPool(nodeThreadPool(cliThreads()));
  run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
